//! `GET /profile`, the request of the articles' scene: it fans out to the
//! database and the recommendation service at once, each on a thread of its
//! own, under an error group whose context the first error cancels, and
//! turns the outcome into a status.

use std::sync::mpsc::{self, Sender};
use std::time::{Duration, Instant};

use go_context::Context;
use go_waitgroup::errgroup::Group;
use tokio::runtime::Handle;

use crate::backends::BackendError;
use crate::duration::show;
use crate::handler::{reply, why_stopped};
use crate::http::{Request, Response};
use crate::state::State;
use crate::values::{TOKEN, Token, USER, User};

/// What the query string asks of the backends.
#[derive(Debug, Clone, Copy)]
struct Params {
    db_delay: Duration,
    db_fails: bool,
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
        let fails = |name: &str| match request.query(name) {
            None | Some("ok") => Ok(false),
            Some("fail") => Ok(true),
            Some(other) => Err(format!("{name}={other}: expected ok or fail")),
        };
        Ok(Params {
            db_delay: millis("db_ms", 50)?,
            db_fails: fails("db")?,
            rpc_delay: millis("rpc_ms", 20)?,
            rpc_fails: fails("rpc")?,
        })
    }

    /// The recommendation service's query: how long it takes, and whether
    /// it fails.
    fn rpc_query(&self) -> String {
        let millis = self.rpc_delay.as_millis();
        if self.rpc_fails {
            format!("ms={millis}&fail=true")
        } else {
            format!("ms={millis}")
        }
    }
}

/// The caller's identity and token, from `X-User` (default `anonymous`) and
/// `Authorization: Bearer <token>` (required).
pub(crate) fn credentials(request: &Request) -> Result<(User, Token), String> {
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

pub(crate) async fn profile(ctx: &Context, request: &Request, state: &State) -> Response {
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
    // Go's errgroup.WithContext: the first backend error cancels `group_ctx`
    // (with the error as its cause), so the other backend stops too; so do
    // the request's deadline, a client hang-up and shutdown, from further up.
    let (group, group_ctx) = Group::with_context(&ctx);
    state
        .log
        .request(&ctx, format_args!("fan-out under {group_ctx}"));
    let (reports, reported) = mpsc::channel();
    let (db, ctx_db) = (state.backends.clone(), group_ctx.clone());
    group.go(timed("db", &reports, move || {
        db.database(&ctx_db, params.db_delay, params.db_fails)
    }));
    // The RPC client is async: its thread drives it on the server's runtime.
    let (rpc, ctx_rpc, runtime) = (state.backends.rpc.clone(), group_ctx, Handle::current());
    let query = params.rpc_query();
    group.go(timed("rpc", &reports, move || {
        runtime.block_on(rpc.recommendations(&ctx_rpc, &query))
    }));
    // Go's g.Wait() blocks the handler's goroutine; here a thread of tokio's
    // blocking pool blocks, so that the handler's task holds no worker.
    let outcome = tokio::task::spawn_blocking(move || group.wait()).await;
    // ANCHOR_END: fan_out
    drop(reports);
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(panicked) => {
            return reply(
                &ctx,
                500,
                [format!("error: a backend call failed: {panicked}")],
            );
        }
    };

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
    let mut reports: Vec<Report> = reported.try_iter().collect();
    reports.sort_by_key(|&(name, ..)| name); // db, then rpc
    for (name, took, result) in reports {
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

// ANCHOR: timed
/// A task for the error group: runs `call`, sends how long it took and what
/// it returned to `reports`, and gives the group its error, if any.
fn timed<F>(
    name: &'static str,
    reports: &Sender<Report>,
    call: F,
) -> impl FnOnce() -> Result<(), BackendError> + Send + 'static
where
    F: FnOnce() -> Result<String, BackendError> + Send + 'static,
{
    let reports = reports.clone();
    move || {
        let started = Instant::now();
        let result = call();
        let error = result.as_ref().err().cloned();
        // The receiver outlives the group: the handler reads it after
        // `wait`, so this send does not fail.
        let _ = reports.send((name, started.elapsed(), result));
        error.map_or(Ok(()), Err)
    }
}
// ANCHOR_END: timed
