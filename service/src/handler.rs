//! The request handler: routes a request, and for `GET /profile` fans out to
//! the backends, each on a blocking thread, under one group context that the
//! first error cancels, and turns the outcome into a status.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use go_context::{CancelCauseFunc, Context};

use crate::backends::BackendError;
use crate::causes::ClientDisconnected;
use crate::duration::show;
use crate::http::{Request, Response, reason};
use crate::state::State;
use crate::values::{TOKEN, TRACE_ID, Token, USER, User};

const HELP: &str = "\
GET /profile      the user's profile from the database and recommendations from the RPC backend
                  headers: Authorization: Bearer <token> (required), X-User, X-Timeout (e.g. 250ms), X-Trace-Id
                  query: db_ms=<database delay, default 50>, rpc_ms=<RPC delay, default 20>, rpc=fail
POST /shutdown    stop accepting; running requests get the grace period, then are canceled";

/// Answers one request; `ctx` is the request's context (deadline and trace id
/// included).
pub(crate) async fn route(ctx: &Context, request: &Request, server: &State) -> Response {
    match (request.method(), request.path()) {
        ("GET", "/profile") => profile(ctx, request, server).await,
        ("POST", "/shutdown") => {
            server
                .log
                .request(ctx, format_args!("shutdown requested by POST /shutdown"));
            server.begin_shutdown();
            reply(ctx, 202, ["shutting down".to_owned()])
        }
        ("GET", "/") => reply(ctx, 200, HELP.lines().map(str::to_owned)),
        (_, "/profile" | "/shutdown" | "/") => reply(
            ctx,
            405,
            [format!("error: {} not allowed here", request.method())],
        ),
        (_, path) => reply(ctx, 404, [format!("error: no such path {path}; try GET /")]),
    }
}

/// A plain-text reply: `status:` and `trace:` lines, then `lines`; the trace
/// id also goes in the `X-Trace-Id` header.
pub(crate) fn reply(
    ctx: &Context,
    status: u16,
    lines: impl IntoIterator<Item = String>,
) -> Response {
    let trace = ctx.value(&TRACE_ID).map_or("-", |trace| trace.as_str());
    let mut body = format!("status: {status} {}\ntrace: {trace}\n", reason(status));
    for line in lines {
        body.push_str(&line);
        body.push('\n');
    }
    Response::new(status, body).with_header("X-Trace-Id", trace)
}

/// What the query string asks of the backends.
#[derive(Debug, Clone, Copy)]
struct Params {
    db_delay: Duration,
    rpc_delay: Duration,
    rpc_fails: bool,
}

impl Params {
    fn from_query(request: &Request) -> Result<Params, String> {
        let millis = |name: &str, default: u64| match request.query(name) {
            None => Ok(Duration::from_millis(default)),
            Some(text) => text
                .parse()
                .map(Duration::from_millis)
                .map_err(|_| format!("{name}={text}: not a number of milliseconds")),
        };
        let rpc_fails = match request.query("rpc") {
            None | Some("ok") => false,
            Some("fail") => true,
            Some(other) => return Err(format!("rpc={other}: expected ok or fail")),
        };
        Ok(Params {
            db_delay: millis("db_ms", 50)?,
            rpc_delay: millis("rpc_ms", 20)?,
            rpc_fails,
        })
    }
}

/// The caller's identity and token, from `X-User` (default `anonymous`) and
/// `Authorization: Bearer <token>` (required).
fn credentials(request: &Request) -> Result<(User, Token), String> {
    let token = request
        .header("authorization")
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
        .ok_or("missing Authorization: Bearer <token>")?;
    let user = request.header("x-user").unwrap_or("anonymous");
    Ok((User::new(user), Token::new(token)))
}

/// One backend's report: its name, how long it ran, and its result.
type Report = (&'static str, Duration, Result<String, BackendError>);

async fn profile(ctx: &Context, request: &Request, server: &State) -> Response {
    let started = Instant::now();
    let (user, token) = match credentials(request) {
        Ok(credentials) => credentials,
        Err(message) => return reply(ctx, 401, [format!("error: {message}")]),
    };
    let params = match Params::from_query(request) {
        Ok(params) => params,
        Err(message) => return reply(ctx, 400, [format!("error: {message}")]),
    };

    // ANCHOR: values
    // Who is asking, and their proof: request-scoped data every backend
    // thread can read from its context.
    let ctx = go_context::with_value(ctx, &USER, user.clone());
    let ctx = go_context::with_value(&ctx, &TOKEN, token);
    // ANCHOR_END: values

    // ANCHOR: fan_out
    // An error group: the first backend error cancels `group_ctx`, so the
    // other backend stops too; so do the request's deadline, a client
    // hang-up and shutdown, from further up the tree.
    let (group_ctx, cancel_group) = go_context::with_cancel_cause(&ctx);
    let first_error = OnceLock::new();
    server
        .log
        .request(&ctx, format_args!("fan-out under {group_ctx}"));
    let (db, rpc) = (server.backends.clone(), server.backends.clone());
    // Both calls run at once, each on a blocking thread; the handler's task
    // waits for both, so none outlives the request.
    let reports = tokio::join!(
        call("db", &group_ctx, &cancel_group, &first_error, move |ctx| {
            db.database(ctx, params.db_delay)
        }),
        call("rpc", &group_ctx, &cancel_group, &first_error, move |ctx| {
            rpc.rpc(ctx, params.rpc_delay, params.rpc_fails)
        }),
    );
    drop(cancel_group); // like Go's errgroup, once every call is back
    let outcome = first_error.into_inner().map_or(Ok(()), Err);
    // ANCHOR_END: fan_out

    // ANCHOR: status
    let (status, error) = match outcome {
        Ok(()) => (200, None),
        Err(err @ BackendError::Failed { .. }) => (502, Some(err.to_string())),
        // A backend gave up because the request's context is done: say why.
        Err(BackendError::Stopped { .. }) => why_stopped(&ctx),
    };
    // ANCHOR_END: status

    let mut lines = vec![format!("user: {user}")];
    lines.extend(error.map(|error| format!("error: {error}")));
    for (name, took, result) in [reports.0, reports.1] {
        let took = show(took);
        lines.push(match result {
            Ok(value) => format!("{name}: ok after {took}: {value}"),
            Err(err @ BackendError::Failed { .. }) => {
                format!("{name}: failed after {took}: {}", err.reason())
            }
            Err(err) => format!("{name}: stopped after {took}: {}", err.reason()),
        });
    }
    lines.push(format!("elapsed: {}", show(started.elapsed())));
    reply(&ctx, status, lines)
}

// ANCHOR: call
/// Runs `work` on a thread of tokio's blocking pool with a clone of the
/// group's context, and reports how long it took and what it returned. The
/// first error is kept and cancels the group, with the error as the cause.
async fn call<F>(
    name: &'static str,
    group_ctx: &Context,
    cancel_group: &CancelCauseFunc,
    first_error: &OnceLock<BackendError>,
    work: F,
) -> Report
where
    F: FnOnce(&Context) -> Result<String, BackendError> + Send + 'static,
{
    let started = Instant::now();
    let ctx = group_ctx.clone();
    // Into blocking code, and back: the same context works on both sides.
    let result = match tokio::task::spawn_blocking(move || work(&ctx)).await {
        Ok(result) => result,
        Err(panicked) => Err(BackendError::Failed {
            backend: name,
            message: format!("the call failed: {panicked}"),
        }),
    };
    if let Err(err) = &result
        && first_error.set(err.clone()).is_ok()
    {
        cancel_group.cancel(Some(Arc::new(err.clone())));
    }
    (name, started.elapsed(), result)
}
// ANCHOR_END: call

/// The reply for a request whose context is done before its handler could
/// run (while its body was still arriving, say).
pub(crate) fn stopped(ctx: &Context) -> Response {
    let (status, error) = why_stopped(ctx);
    reply(ctx, status, error.map(|error| format!("error: {error}")))
}

// ANCHOR: why_stopped
/// The status for a request whose context is done, and why it is done.
fn why_stopped(ctx: &Context) -> (u16, Option<String>) {
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
