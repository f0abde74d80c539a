//! Between a [`go_context::Context`] and tokio-util's `CancellationToken`, in
//! both directions, for a tokio service that keeps both while it migrates:
//!
//! - [`bridge::token_for`]: a token canceled when a context is done (its
//!   deadline, its parent, its cancel);
//! - [`bridge::context_for`]: a child context canceled when a token is,
//!   with [`bridge::TokenCanceled`] as the cause.
//!
//! # Why an example and not a cargo feature
//!
//! The bridge is the module below: about forty lines to copy into a service
//! and own. It is not part of the `go-context` crate, not even behind a feature,
//! for three reasons:
//!
//! - The crate runs on any executor and depends on no runtime. Each direction
//!   of the bridge needs something to wait on the other side, and here that
//!   is a tokio task (`tokio::spawn`): a runtime choice that is the
//!   service's to make, not the library's. A service that would rather not
//!   spend a task can use [`go_context::after_func`] for the first direction,
//!   which starts a short thread only when the context is done.
//! - tokio-util is a 0.x crate. A public function that names
//!   `CancellationToken` would tie this crate's semver to tokio-util's: its
//!   next minor release would be a breaking change here.
//! - What a bridge should record differs between services: the cause to give
//!   a context canceled by a token, whether a token should also cancel its
//!   children, how long the watching task may live. A copy can say so.
//!
//! The tests at the bottom run it: `cargo test -p go-context --example
//! tokio_bridge`. Run the demonstration with `cargo run -p go-context --example
//! tokio_bridge`.

use std::io::{self, Write};
use std::time::Duration;

use tokio_util::sync::CancellationToken;

// ANCHOR: bridge
/// Going between a context and a `CancellationToken`; see the file's docs.
pub mod bridge {
    use std::fmt;
    use std::sync::Arc;

    use go_context::{CancelFunc, Context};
    use tokio_util::sync::CancellationToken;

    /// Returns a token that is canceled when `ctx` is done.
    ///
    /// A task on the current tokio runtime watches both: it ends when `ctx`
    /// is done (canceling the token) or when the token is canceled, so
    /// cancel the token when you no longer need it, or hold its
    /// `drop_guard()`. A context that is done already gives a canceled token
    /// and no task.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, unless `ctx` is done already.
    pub fn token_for(ctx: &Context) -> CancellationToken {
        let token = CancellationToken::new();
        if ctx.is_done() {
            token.cancel();
            return token;
        }
        let (ctx, watched) = (ctx.clone(), token.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = ctx.wait_async() => watched.cancel(),
                () = watched.cancelled() => {}
            }
        });
        token
    }

    /// Derives from `parent` a context that is also canceled when `token` is,
    /// with [`TokenCanceled`] as its cause, and returns it with its own
    /// cancel handle (which, as always, cancels when dropped).
    ///
    /// A task on the current tokio runtime waits for the token; it ends when
    /// the token is canceled or the returned context is done, whichever
    /// comes first, so it never outlives the context.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, unless `token` is canceled already.
    pub fn context_for(parent: &Context, token: &CancellationToken) -> (Context, CancelFunc) {
        // The bridge's own node, whose cancel the task holds; the caller's
        // node below it, whose cancel the caller holds.
        let (bridged, cancel_bridged) = go_context::with_cancel_cause(parent);
        let (ctx, cancel) = go_context::with_cancel(&bridged);
        if token.is_cancelled() {
            cancel_bridged.cancel(Some(Arc::new(TokenCanceled)));
            return (ctx, cancel);
        }
        let (watched, token) = (ctx.clone(), token.clone());
        tokio::spawn(async move {
            tokio::select! {
                () = token.cancelled() => cancel_bridged.cancel(Some(Arc::new(TokenCanceled))),
                _ = watched.wait_async() => {} // canceled another way: nothing to do
            }
        });
        (ctx, cancel)
    }

    /// The cause of a context canceled by its token.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct TokenCanceled;

    impl fmt::Display for TokenCanceled {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("cancellation token canceled")
        }
    }

    impl std::error::Error for TokenCanceled {}
}
// ANCHOR_END: bridge

// ANCHOR: both_ways
async fn both_ways(out: &mut Vec<String>) {
    // Context to token: a deadline reaches code that only knows tokens.
    let (ctx, _cancel) =
        go_context::with_timeout(&go_context::background(), Duration::from_millis(20));
    let token = bridge::token_for(&ctx);
    token.cancelled().await;
    out.push(format!(
        "token canceled; the context says: {}",
        ctx.err().unwrap()
    ));

    // Token to context: a token's cancel reaches code that only knows
    // contexts, blocking code included.
    let shutdown = CancellationToken::new();
    let (ctx, _cancel) = bridge::context_for(&go_context::background(), &shutdown);
    let blocking = tokio::task::spawn_blocking({
        let ctx = ctx.clone();
        move || ctx.wait() // a thread, waiting on the same signal
    });
    shutdown.cancel();
    let err = blocking.await.unwrap();
    out.push(format!("context done: {err} ({})", ctx.cause().unwrap()));
}
// ANCHOR_END: both_ways

// ANCHOR: migrating
/// A service half-way through a migration: its shutdown is a token (as
/// tokio services often have), its handlers and libraries take contexts.
async fn migrating(out: &mut Vec<String>) {
    let shutdown = CancellationToken::new();
    let mut handlers = tokio::task::JoinSet::new();
    for request in 1..=2 {
        // Each request: a context under the server's token, with a deadline.
        let (server_ctx, cancel_server_ctx) =
            bridge::context_for(&go_context::background(), &shutdown);
        let (ctx, cancel) = go_context::with_timeout(&server_ctx, Duration::from_secs(60));
        handlers.spawn(async move {
            let _cancels = (cancel, cancel_server_ctx); // Go's `defer cancel()`
            // New code takes the context; old code still wants a token.
            let legacy = bridge::token_for(&ctx);
            tokio::select! {
                biased; // the context is done before its token is canceled
                err = ctx.wait_async() => {
                    format!("request {request}: {err} ({})", ctx.cause().unwrap())
                }
                () = legacy.cancelled() => {
                    format!("request {request}: the legacy token fired first")
                }
            }
        });
    }
    tokio::task::yield_now().await;
    shutdown.cancel(); // Ctrl-C, say
    let mut lines = handlers.join_all().await;
    lines.sort();
    out.extend(lines);
}
// ANCHOR_END: migrating

fn run(out: &mut dyn Write) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()?;
    let lines = rt.block_on(async {
        let mut lines = Vec::new();
        both_ways(&mut lines).await;
        migrating(&mut lines).await;
        lines
    });
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use go_context::Error;
    use tokio::runtime::Handle;
    use tokio_util::sync::CancellationToken;

    use super::bridge::{TokenCanceled, context_for, token_for};

    /// A failure timeout: only a failing test waits this long.
    const QUIESCENT: Duration = Duration::from_secs(30);

    /// Waits (bounded) until the runtime runs no task but the test's own.
    async fn no_bridge_task_left() {
        let metrics = Handle::current().metrics();
        tokio::time::timeout(QUIESCENT, async {
            while metrics.num_alive_tasks() > 0 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await
        .expect("every bridge task ended");
    }

    #[test]
    fn prints_what_the_book_shows() {
        let mut out = Vec::new();
        super::run(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            include_str!("output/tokio_bridge.txt")
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_token_follows_its_context_and_its_task_ends() {
        let (parent, cancel_parent) = go_context::with_cancel(&go_context::background());
        let (ctx, _cancel) = go_context::with_timeout(&parent, Duration::from_secs(3600));
        let token = token_for(&ctx);
        assert!(!token.is_cancelled());
        cancel_parent.cancel(); // an ancestor's cancel reaches the token
        tokio::time::timeout(QUIESCENT, token.cancelled())
            .await
            .unwrap();
        no_bridge_task_left().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_token_follows_a_deadline() {
        let (ctx, _cancel) =
            go_context::with_timeout(&go_context::background(), Duration::from_millis(10));
        let token = token_for(&ctx);
        tokio::time::timeout(QUIESCENT, token.cancelled())
            .await
            .unwrap();
        assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn canceling_the_token_itself_ends_the_watching_task() {
        let (ctx, _cancel) = go_context::with_cancel(&go_context::background());
        let token = token_for(&ctx);
        token.cancel();
        no_bridge_task_left().await;
        assert!(!ctx.is_done(), "a token's cancel does not flow back");
    }

    #[test]
    fn a_done_context_gives_a_canceled_token_without_a_runtime() {
        let (ctx, cancel) = go_context::with_cancel(&go_context::background());
        cancel.cancel();
        assert!(token_for(&ctx).is_cancelled());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_context_follows_its_token_with_the_cause() {
        let token = CancellationToken::new();
        let (ctx, _cancel) = context_for(&go_context::background(), &token);
        let (child, _cancel_child) = go_context::with_cancel(&ctx);
        let waiter = tokio::task::spawn_blocking({
            let child = child.clone();
            move || child.wait()
        });
        token.cancel();
        assert_eq!(waiter.await.unwrap(), Error::Canceled);
        assert_eq!(ctx.err(), Some(Error::Canceled));
        let cause = child.cause().unwrap();
        assert!(cause.downcast_ref::<TokenCanceled>().is_some(), "{cause}");
        no_bridge_task_left().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_child_token_of_the_bridged_token_is_reached_too() {
        let token = CancellationToken::new();
        let child = token.child_token();
        let (ctx, _cancel) = context_for(&go_context::background(), &child);
        token.cancel();
        assert_eq!(
            tokio::time::timeout(QUIESCENT, ctx.wait_async()).await,
            Ok(Error::Canceled)
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_context_side_ends_the_task_without_touching_the_token() {
        let token = CancellationToken::new();
        // By its own handle...
        let (ctx, cancel) = context_for(&go_context::background(), &token);
        drop(cancel);
        assert!(ctx.is_done());
        // ...and by its parent.
        let (parent, cancel_parent) = go_context::with_cancel(&go_context::background());
        let (ctx, _cancel) = context_for(&parent, &token);
        cancel_parent.cancel();
        assert!(ctx.is_done());
        assert!(
            ctx.cause()
                .unwrap()
                .downcast_ref::<TokenCanceled>()
                .is_none()
        );
        no_bridge_task_left().await;
        assert!(
            !token.is_cancelled(),
            "a context's cancel does not flow back"
        );
    }

    #[test]
    fn a_canceled_token_gives_a_done_context_without_a_runtime() {
        let token = CancellationToken::new();
        token.cancel();
        let (ctx, _cancel) = context_for(&go_context::background(), &token);
        assert_eq!(ctx.err(), Some(Error::Canceled));
        assert_eq!(
            ctx.cause().unwrap().to_string(),
            "cancellation token canceled"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_round_trip_keeps_both_in_step() {
        let token = CancellationToken::new();
        let (ctx, _cancel) = context_for(&go_context::background(), &token);
        let again = token_for(&ctx);
        let (ctx_again, _cancel_again) = context_for(&ctx, &again);
        token.cancel();
        tokio::time::timeout(QUIESCENT, again.cancelled())
            .await
            .unwrap();
        assert_eq!(ctx_again.wait_async().await, Error::Canceled);
        let cause = ctx_again.cause().unwrap();
        assert!(cause.downcast_ref::<TokenCanceled>().is_some(), "{cause}");
        no_bridge_task_left().await;
    }
}
