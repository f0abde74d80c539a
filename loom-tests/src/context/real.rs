//! The real crate: [`Contexts`] (and so [`Trees`]) over `go_context::loom`, the `go-context` crate's
//! own source compiled over loom's primitives.

use std::sync::Arc as StdArc;
use std::time::Duration;

use crossbeam_channel::TryRecvError;
use go_context::loom::{
    self as ctx, CancelCauseFunc, CancelFunc, Cause, Context, Key, Receiver, testing,
};

use super::{Contexts, Error, Trees, WaitFuture};
use crate::Real;

/// A cancel handle of either kind the crate hands out.
#[derive(Debug)]
pub enum Cancel {
    /// From `with_cancel_cause`.
    Cause(CancelCauseFunc),
    /// From `with_timeout_cause`, Go's plain `CancelFunc`.
    Plain(CancelFunc),
}

static KEY: Key<u32> = Key::new("model");

/// Causes are errors whose text is the string the model passed.
fn cause(text: &'static str) -> Cause {
    StdArc::new(std::io::Error::other(text))
}

impl Trees for Real {
    type Context = Context;
    type Cancel = Cancel;

    fn root() -> (Context, Cancel) {
        Self::with_cancel(&ctx::background())
    }

    fn with_cancel(parent: &Context) -> (Context, Cancel) {
        let (ctx, cancel) = ctx::with_cancel_cause(parent);
        (ctx, Cancel::Cause(cancel))
    }

    fn cancel(handle: &Cancel, why: Option<&'static str>) {
        match (handle, why) {
            (Cancel::Cause(handle), why) => handle.cancel(why.map(cause)),
            (Cancel::Plain(handle), None) => handle.cancel(),
            (Cancel::Plain(_), Some(_)) => panic!("a deadline's handle takes no cause"),
        }
    }

    fn disarm(handle: Cancel) {
        match handle {
            Cancel::Cause(handle) => handle.disarm(),
            Cancel::Plain(handle) => handle.disarm(),
        }
    }

    fn err(ctx: &Context) -> Option<Error> {
        ctx.err()
    }

    fn cause(ctx: &Context) -> Option<String> {
        ctx.cause().map(|cause| cause.to_string())
    }

    fn child_count(ctx: &Context) -> usize {
        testing::child_count(ctx)
    }
}

impl Contexts for Real {
    type AfterFunc = ctx::AfterFunc;
    type Done = Receiver<()>;

    fn with_value(parent: &Context) -> Context {
        ctx::with_value(parent, &KEY, 1)
    }

    fn without_cancel(parent: &Context) -> Context {
        ctx::without_cancel(parent)
    }

    fn with_timeout(parent: &Context) -> (Context, Cancel) {
        let hour = Duration::from_secs(3600);
        let (ctx, cancel) = ctx::with_timeout_cause(parent, hour, Some(cause("deadline")));
        (ctx, Cancel::Plain(cancel))
    }

    fn after_func(ctx: &Context, f: impl FnOnce() + Send + 'static) -> ctx::AfterFunc {
        ctx::after_func(ctx, f)
    }

    fn stop(link: &ctx::AfterFunc) -> bool {
        link.stop()
    }

    fn is_done(ctx: &Context) -> bool {
        ctx.is_done()
    }

    fn wait(ctx: &Context) -> Option<Error> {
        Some(ctx.wait())
    }

    fn wait_async(ctx: &Context) -> WaitFuture {
        let wait = ctx.wait_async();
        Box::pin(async move { Some(wait.await) })
    }

    fn done(ctx: &Context) -> Receiver<()> {
        ctx.done().clone()
    }

    fn is_closed(done: &Receiver<()>) -> bool {
        match done.try_recv() {
            Err(TryRecvError::Disconnected) => true,
            Err(TryRecvError::Empty) => false,
            Ok(()) => panic!("nothing is ever sent on a done channel"),
        }
    }

    fn expire(ctx: &Context) -> bool {
        testing::expire(ctx)
    }

    fn pending_timers() -> usize {
        testing::pending_timers()
    }
}
