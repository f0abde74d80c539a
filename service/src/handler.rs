//! The request handler: routes a request, and for `GET /profile` fans out to
//! the backends under one error group and turns the outcome into a status.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

use context::Context;
use waitgroup::errgroup::Group;

use crate::backends::BackendError;
use crate::causes::ClientDisconnected;
use crate::duration::show;
use crate::http::{Request, Response, reason};
use crate::server::Shared;
use crate::values::{TOKEN, TRACE_ID, Token, USER, User};

const HELP: &str = "\
GET /profile      the user's profile from the database and recommendations from the RPC backend
                  headers: Authorization: Bearer <token> (required), X-User, X-Timeout (e.g. 250ms), X-Trace-Id
                  query: db_ms=<database delay, default 50>, rpc_ms=<RPC delay, default 20>, rpc=fail
POST /shutdown    stop accepting; running requests get the grace period, then are canceled";

/// Answers one request; `ctx` is the request's context (deadline and trace id
/// included).
pub(crate) fn route(ctx: &Context, request: &Request, server: &Shared) -> Response {
    match (request.method(), request.path()) {
        ("GET", "/profile") => profile(ctx, request, server),
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

/// One backend's report: how long it ran, and its result.
type Report = (&'static str, Duration, Result<String, BackendError>);

fn profile(ctx: &Context, request: &Request, server: &Shared) -> Response {
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
    let ctx = context::with_value(ctx, &USER, user.clone());
    let ctx = context::with_value(&ctx, &TOKEN, token);
    // ANCHOR_END: values

    // ANCHOR: fan_out
    // The first backend error cancels `group_ctx`, so the other backend
    // stops too; so do the request's deadline and a client hang-up, from
    // further up the tree.
    let (group, group_ctx) = Group::<BackendError>::with_context(&ctx);
    server
        .log
        .request(&ctx, format_args!("fan-out under {group_ctx}"));
    let (report, reports) = mpsc::channel();
    let (db, db_ctx) = (server.backends.clone(), group_ctx.clone());
    call(&group, &report, "db", move || {
        db.database(&db_ctx, params.db_delay)
    });
    let (rpc, rpc_ctx) = (server.backends.clone(), group_ctx);
    call(&group, &report, "rpc", move || {
        rpc.rpc(&rpc_ctx, params.rpc_delay, params.rpc_fails)
    });
    // Blocks until both backends have returned: none outlives the request.
    let outcome = group.wait();
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
    let reports: BTreeMap<_, _> = reports
        .try_iter() // every backend has reported: `wait` returned
        .map(|(name, took, result)| (name, (took, result)))
        .collect();
    for (name, (took, result)) in reports {
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
/// Runs `work` on its own thread as a task of `group`, and reports how long
/// it took and what it returned.
fn call<F>(group: &Group<BackendError>, report: &Sender<Report>, name: &'static str, work: F)
where
    F: FnOnce() -> Result<String, BackendError> + Send + 'static,
{
    let report = report.clone();
    group.go(move || {
        let started = Instant::now();
        let result = work();
        let _ = report.send((name, started.elapsed(), result.clone()));
        result.map(drop) // an error here cancels the group's context
    });
}
// ANCHOR_END: call

// ANCHOR: why_stopped
/// The status for a request whose context is done, and why it is done.
fn why_stopped(ctx: &Context) -> (u16, Option<String>) {
    match ctx.err() {
        Some(context::Error::DeadlineExceeded) => {
            (504, Some(context::Error::DeadlineExceeded.to_string()))
        }
        Some(context::Error::Canceled) => {
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
