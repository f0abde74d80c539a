//! Hooks for deterministic tests and leak checks.
//!
//! Deadlines normally fire on the crate's timer thread, at their time. Tests
//! that must not depend on the clock can fire them explicitly with [`expire`],
//! and leak checks can count what the crate still holds.

use super::context::Context;
use super::timer;

/// Fires `ctx`'s deadline timer now, as if its deadline had passed: the
/// context is canceled with [`DeadlineExceeded`](crate::Error::DeadlineExceeded)
/// and the deadline's cause, and so is its subtree. A value layer fires the
/// timer of the context it wraps. Returns `false`, changing nothing, if there
/// is no armed timer (no deadline, one inherited from a parent, or already
/// done).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let (ctx, _cancel) = go_context::with_timeout(&go_context::background(), Duration::from_secs(3600));
/// assert!(go_context::testing::expire(&ctx));
/// assert_eq!(ctx.err(), Some(go_context::Error::DeadlineExceeded));
/// assert!(!go_context::testing::expire(&ctx));
/// ```
pub fn expire(ctx: &Context) -> bool {
    ctx.chain()
        .cancel_layer()
        .and_then(|layer| layer.canceler.timer())
        .is_some_and(timer::fire)
}

/// How many deadline timers are armed in the whole process.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let (_ctx, cancel) = go_context::with_timeout(&go_context::background(), Duration::from_secs(3600));
/// assert!(go_context::testing::pending_timers() >= 1);
/// drop(cancel); // canceling stops the timer
/// ```
pub fn pending_timers() -> usize {
    timer::pending()
}

/// How many children (derived cancelable contexts and [`after_func`]
/// registrations) are registered with `ctx`'s cancel node: the ones its
/// cancel will reach. Go's `len(parent.children)`.
///
/// [`after_func`]: crate::after_func
///
/// # Examples
///
/// ```
/// let (parent, _cancel) = go_context::with_cancel(&go_context::background());
/// let (_child, cancel_child) = go_context::with_cancel(&parent);
/// assert_eq!(go_context::testing::child_count(&parent), 1);
/// cancel_child.cancel(); // removes the child from its parent
/// assert_eq!(go_context::testing::child_count(&parent), 0);
/// ```
pub fn child_count(ctx: &Context) -> usize {
    ctx.chain()
        .cancel_layer()
        .map_or(0, |layer| layer.canceler.child_count())
}

/// How many [`wait_async`](Context::wait_async) futures are registered with
/// `ctx`'s cancel node: each pending one that has been polled holds one
/// registration until it completes or is dropped.
///
/// # Examples
///
/// ```
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context as TaskContext, Waker};
///
/// let (ctx, _cancel) = go_context::with_cancel(&go_context::background());
/// let mut cx = TaskContext::from_waker(Waker::noop());
/// {
///     let mut fut = pin!(ctx.wait_async());
///     assert!(fut.as_mut().poll(&mut cx).is_pending());
///     assert_eq!(go_context::testing::registered_wakers(&ctx), 1);
/// } // dropped before completion: the registration goes with it
/// assert_eq!(go_context::testing::registered_wakers(&ctx), 0);
/// ```
pub fn registered_wakers(ctx: &Context) -> usize {
    ctx.chain()
        .cancel_layer()
        .map_or(0, |layer| layer.canceler.waker_count())
}

/// Makes the crate's next `count` thread starts fail, as if the operating
/// system had refused them, to test what a program does then; `0` ends it.
///
/// It is process-wide: a test that uses it must not run beside others that
/// start threads through the crate.
///
/// # Examples
///
/// ```
/// use std::panic::{AssertUnwindSafe, catch_unwind};
///
/// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
/// let _link = go_context::after_func(&ctx, || {});
/// go_context::testing::refuse_thread_starts(1);
/// // The cancel cannot start f's thread, and says so by panicking...
/// assert!(catch_unwind(AssertUnwindSafe(|| cancel.cancel())).is_err());
/// // ...after canceling the context all the same.
/// assert!(ctx.is_done());
/// ```
pub fn refuse_thread_starts(count: usize) {
    super::sync::refuse_thread_starts(count);
}
