//! `with_deadline` and `with_timeout`: contexts canceled by the clock.

use std::time::{Duration, Instant};

use super::cancel::{CancelFunc, derive, with_cancel};
use super::context::Context;
use super::link::Link;
use super::sync::{Arc, Weak, now};
use super::timer::{self, Expire};
use super::tree;
use crate::error::{Cause, Error};

/// Derives a child canceled when `deadline` passes, Go's
/// `context.WithDeadline(parent, d)`.
///
/// The child is done when the deadline passes (error
/// [`DeadlineExceeded`](crate::Error::DeadlineExceeded)), when `cancel` is
/// called or dropped ([`Canceled`](crate::Error::Canceled)), or when the parent
/// is done (the parent's error), whichever happens first. As in Go:
///
/// - if the parent's deadline is earlier than `deadline`, the child is a plain
///   [`with_cancel`] child that reports the parent's deadline;
/// - if `deadline` has already passed, the child is born done with
///   `DeadlineExceeded`.
///
/// Deadlines are kept by one shared timer thread, not a thread per context;
/// canceling removes the timer at once.
///
/// # Panics
///
/// If the timer thread is not running and the operating system refuses to
/// start it. Nothing is left armed, and the next deadline tries again.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// let d = Instant::now() + Duration::from_millis(10);
/// let (ctx, _cancel) = go_context::with_deadline(&go_context::background(), d);
/// assert_eq!(ctx.deadline(), Some(d));
/// assert_eq!(ctx.wait(), go_context::Error::DeadlineExceeded);
/// ```
pub fn with_deadline(parent: &Context, deadline: Instant) -> (Context, CancelFunc) {
    with_deadline_cause(parent, deadline, None)
}

/// Like [`with_deadline`], but when the deadline passes the context's
/// [`cause`](Context::cause) is `cause`, Go's `context.WithDeadlineCause`.
///
/// The returned handle cancels with no cause. As in Go, `cause` is dropped
/// when the parent's deadline is earlier (the child then expires with the
/// parent's cause).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::Instant;
///
/// let (ctx, _cancel) = go_context::with_deadline_cause(
///     &go_context::background(),
///     Instant::now(),
///     Some(Arc::new(std::io::Error::other("too slow"))),
/// );
/// assert_eq!(ctx.err(), Some(go_context::Error::DeadlineExceeded));
/// assert_eq!(ctx.cause().unwrap().to_string(), "too slow");
/// ```
pub fn with_deadline_cause(
    parent: &Context,
    deadline: Instant,
    cause: Option<Cause>,
) -> (Context, CancelFunc) {
    if parent.deadline().is_some_and(|current| current < deadline) {
        // The parent expires first: no timer of our own (Go drops `cause` too).
        return with_cancel(parent);
    }
    let link = derive(parent, Some(deadline), cause.as_ref());
    if deadline <= now() {
        link.clone().expire(); // born expired
    } else {
        arm(&link, deadline);
    }
    CancelFunc::pair(link)
}

/// Arms `link`'s timer, unless something canceled it meanwhile.
fn arm(link: &Arc<Link>, deadline: Instant) {
    let canceler = &link.cancel_layer().expect("a deadline link").canceler;
    let target: Weak<Link> = Arc::downgrade(link);
    match timer::insert(deadline, target) {
        Ok(key) if canceler.set_timer(key) => {}
        Ok(key) => timer::remove(key), // canceled between derive and now
        Err(err) => {
            // Leave nothing half-made behind: the handle would cancel it on
            // unwinding anyway, but say so before the panic.
            tree::cancel(link, Error::Canceled, &None);
            panic!("context: cannot start the timer thread that fires deadlines: {err}");
        }
    }
}

/// Derives a child canceled after `timeout`, Go's `context.WithTimeout`:
/// `with_deadline(parent, Instant::now() + timeout)`.
///
/// A zero timeout gives a child that is already done. A timeout too large to
/// add to the current instant (such as [`Duration::MAX`]) means no deadline.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let (ctx, cancel) = go_context::with_timeout(&go_context::background(), Duration::from_secs(3600));
/// assert!(ctx.deadline().is_some());
/// cancel.cancel();
/// assert_eq!(ctx.err(), Some(go_context::Error::Canceled));
///
/// let (forever, _cancel) = go_context::with_timeout(&go_context::background(), Duration::MAX);
/// assert_eq!(forever.deadline(), None);
/// ```
pub fn with_timeout(parent: &Context, timeout: Duration) -> (Context, CancelFunc) {
    with_timeout_cause(parent, timeout, None)
}

/// Like [`with_timeout`], with a cause for the expiry, Go's
/// `context.WithTimeoutCause`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
///
/// let (ctx, _cancel) = go_context::with_timeout_cause(
///     &go_context::background(),
///     Duration::from_millis(1),
///     Some(Arc::new(std::io::Error::other("backend too slow"))),
/// );
/// ctx.wait();
/// assert_eq!(ctx.cause().unwrap().to_string(), "backend too slow");
/// ```
pub fn with_timeout_cause(
    parent: &Context,
    timeout: Duration,
    cause: Option<Cause>,
) -> (Context, CancelFunc) {
    match now().checked_add(timeout) {
        Some(deadline) => with_deadline_cause(parent, deadline, cause),
        None => with_cancel(parent),
    }
}
