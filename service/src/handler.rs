//! The request handler: routes a request to its endpoint, by the server's
//! role, and turns a done context into a status.

use go_context::Context;

use crate::causes::ClientDisconnected;
use crate::config::Role;
use crate::http::{Request, Response, reason};
use crate::propagation::TRACE;
use crate::state::State;
use crate::{profile, recommendations};

const PROFILE_HELP: &str = "\
GET /profile      the user's profile from the database and recommendations from the recommendation service
                  headers: Authorization: Bearer <token> (required), X-User, X-Timeout (e.g. 250ms),
                           grpc-timeout, traceparent
                  query: db_ms=<database delay, default 50>, rpc_ms=<RPC delay, default 20>,
                         db=fail, rpc=fail
POST /shutdown    stop accepting; running requests get the grace period, then are canceled";

const RECOMMENDATIONS_HELP: &str = "\
GET /recommendations  the user's recommendations
                      headers: Authorization: Bearer <token> (required), X-User, X-Timeout,
                               grpc-timeout, traceparent
                      query: ms=<how long it takes, default 20>, fail=true
POST /shutdown        stop accepting; running requests get the grace period, then are canceled";

/// Answers one request; `ctx` is the request's context (deadline and trace
/// included).
pub(crate) async fn route(ctx: &Context, request: &Request, state: &State) -> Response {
    let role = state.config.role;
    match (role, request.method(), request.path()) {
        (Role::Profile, "GET", "/profile") => profile::profile(ctx, request, state).await,
        (Role::Recommendations, "GET", "/recommendations") => {
            recommendations::recommendations(ctx, request, state).await
        }
        (_, "POST", "/shutdown") => {
            state
                .log
                .request(ctx, format_args!("shutdown requested by POST /shutdown"));
            state.begin_shutdown();
            reply(ctx, 202, ["shutting down".to_owned()])
        }
        (Role::Profile, "GET", "/") => reply(ctx, 200, PROFILE_HELP.lines().map(str::to_owned)),
        (Role::Recommendations, "GET", "/") => {
            reply(ctx, 200, RECOMMENDATIONS_HELP.lines().map(str::to_owned))
        }
        (Role::Profile, _, "/profile")
        | (Role::Recommendations, _, "/recommendations")
        | (_, _, "/shutdown" | "/") => reply(
            ctx,
            405,
            [format!("error: {} not allowed here", request.method())],
        ),
        (_, _, path) => reply(
            ctx,
            404,
            [format!(
                "error: no such path {path} on the {role} service; try GET /"
            )],
        ),
    }
}

/// A plain-text reply: `status:` and `trace:` lines, then `lines`; the trace
/// id also goes in the `X-Trace-Id` header.
pub(crate) fn reply(
    ctx: &Context,
    status: u16,
    lines: impl IntoIterator<Item = String>,
) -> Response {
    let trace = ctx
        .value(&TRACE)
        .map_or_else(|| "-".to_owned(), |trace| trace.trace_id().to_string());
    let mut body = format!("status: {status} {}\ntrace: {trace}\n", reason(status));
    for line in lines {
        body.push_str(&line);
        body.push('\n');
    }
    Response::new(status, body).with_header("X-Trace-Id", trace)
}

/// The reply for a request whose context is done before its handler could
/// run (while its body was still arriving, say).
pub(crate) fn stopped(ctx: &Context) -> Response {
    let (status, error) = why_stopped(ctx);
    reply(ctx, status, error.map(|error| format!("error: {error}")))
}

// ANCHOR: why_stopped
/// The status for a request whose context is done, and why it is done.
pub(crate) fn why_stopped(ctx: &Context) -> (u16, Option<String>) {
    match ctx.err() {
        Some(go_context::Error::DeadlineExceeded) => {
            (504, Some(go_context::Error::DeadlineExceeded.to_string()))
        }
        Some(go_context::Error::Canceled) => {
            let cause = ctx.cause();
            let hung_up = cause
                .as_ref()
                .is_some_and(|cause| cause.downcast_ref::<ClientDisconnected>().is_some());
            let why = cause.map_or_else(|| "context canceled".to_owned(), |c| c.to_string());
            // 499: nobody is left to read it; 503: the server is shutting down.
            (
                if hung_up { 499 } else { 503 },
                Some(format!("canceled: {why}")),
            )
        }
        // Only a done request context stops a backend without an error of
        // its own; anything else is a bug here.
        None => (
            500,
            Some("a backend stopped while the request was live".to_owned()),
        ),
    }
}
// ANCHOR_END: why_stopped
