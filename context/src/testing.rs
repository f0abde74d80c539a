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
/// let (ctx, _cancel) = context::with_timeout(&context::background(), Duration::from_secs(3600));
/// assert!(context::testing::expire(&ctx));
/// assert_eq!(ctx.err(), Some(context::Error::DeadlineExceeded));
/// assert!(!context::testing::expire(&ctx));
/// ```
pub fn expire(ctx: &Context) -> bool {
    ctx.signal_node()
        .and_then(|node| node.cancel_node())
        .and_then(|node| node.timer_key())
        .is_some_and(timer::fire)
}

/// How many deadline timers are armed in the whole process.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let (_ctx, cancel) = context::with_timeout(&context::background(), Duration::from_secs(3600));
/// assert!(context::testing::pending_timers() >= 1);
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
/// let (parent, _cancel) = context::with_cancel(&context::background());
/// let (_child, cancel_child) = context::with_cancel(&parent);
/// assert_eq!(context::testing::child_count(&parent), 1);
/// cancel_child.cancel(); // removes the child from its parent
/// assert_eq!(context::testing::child_count(&parent), 0);
/// ```
pub fn child_count(ctx: &Context) -> usize {
    ctx.signal_node()
        .and_then(|node| node.cancel_node())
        .map_or(0, |node| node.child_count())
}
