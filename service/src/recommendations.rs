//! `GET /recommendations`, the recommendation service's one endpoint: the
//! RPC backend of the profile service, run as a process of its own
//! (`--role recommendations`).
//!
//! Its request context comes from the caller's headers like any other
//! (deadline from `grpc-timeout`, trace from `traceparent`), and its
//! connection is watched like any other, so when the caller hangs up, this
//! context is canceled with [`ClientDisconnected`](crate::ClientDisconnected).
//! Its work is async, a sleep raced against the context; a middle hop
//! (started with `--rpc`) passes the request on to the next one instead,
//! which makes a chain of processes each with less time than the last.

use std::time::{Duration, Instant};

use go_context::Context;

use crate::backends::BackendError;
use crate::duration::show;
use crate::handler::{reply, why_stopped};
use crate::http::{Request, Response};
use crate::profile::credentials;
use crate::state::State;
use crate::values::{TOKEN, USER};

pub(crate) async fn recommendations(ctx: &Context, request: &Request, state: &State) -> Response {
    let (user, token) = match credentials(request) {
        Ok(credentials) => credentials,
        Err(message) => return reply(ctx, 401, [format!("error: {message}")]),
    };
    let delay = match request.query("ms").map(str::parse) {
        None => Duration::from_millis(20),
        Some(Ok(millis)) => Duration::from_millis(millis),
        Some(Err(_)) => {
            return reply(
                ctx,
                400,
                [format!(
                    "error: ms={}: not a number of milliseconds",
                    request.query("ms").unwrap_or_default()
                )],
            );
        }
    };
    let fail = match request.query("fail") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return reply(
                ctx,
                400,
                [format!("error: fail={other}: expected true or false")],
            );
        }
    };
    let ctx = go_context::with_value(ctx, &USER, user.clone());
    let ctx = go_context::with_value(&ctx, &TOKEN, token);

    let result = match state.config.rpc {
        // A middle hop: the next one does the work, with what time is left.
        Some(_) => {
            let _live = state.backends.live.enter();
            state
                .backends
                .rpc
                .recommendations(&ctx, request.query_string())
                .await
        }
        None => work(&ctx, delay, fail, state).await,
    };
    match result {
        Ok(answer) => reply(&ctx, 200, [format!("recommendations: {answer}")]),
        Err(err @ BackendError::Failed { .. }) => {
            reply(&ctx, 503, [format!("error: {}", err.reason())])
        }
        Err(BackendError::Stopped { .. }) => {
            let (status, error) = why_stopped(&ctx);
            reply(&ctx, status, error.map(|error| format!("error: {error}")))
        }
    }
}

// ANCHOR: work
/// The recommendations of the user in `ctx`, which take `delay` to find; the
/// search stops, with the reason, the moment `ctx` is done.
async fn work(
    ctx: &Context,
    delay: Duration,
    fail: bool,
    state: &State,
) -> Result<String, BackendError> {
    let _live = state.backends.live.enter();
    let log = &state.log;
    let user = ctx.value(&USER).map_or("nobody", |user| user.as_str());
    log.request(
        ctx,
        format_args!(
            "recommendations: searching for {user}, takes {}",
            show(delay)
        ),
    );
    let started = Instant::now();
    tokio::select! {
        biased;
        _ = ctx.wait_async() => {
            let error = BackendError::stopped("recommendations", ctx);
            log.request(ctx, format_args!(
                "recommendations: stopped after {}: {}",
                show(started.elapsed()),
                error.reason()
            ));
            Err(error)
        }
        () = tokio::time::sleep(delay) => {
            let took = show(started.elapsed());
            if fail {
                let message = "recommendation service unavailable".to_owned();
                log.request(ctx, format_args!("recommendations: failed after {took}: {message}"));
                return Err(BackendError::Failed { backend: "recommendations", message });
            }
            log.request(ctx, format_args!("recommendations: answered after {took}"));
            Ok(format!("3 recommendations for {user}"))
        }
    }
}
// ANCHOR_END: work
