//! Deadlines and timeouts: which contexts arm a timer, what they report, and
//! how the timer goes away.
//!
//! `go_context::testing::pending_timers()` counts the whole process's timers, so
//! every test here holds [`serial`] while it counts.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use go_context::testing::{child_count, expire, pending_timers};
use go_context::{
    Cause, Error, Key, background, with_cancel, with_cancel_cause, with_deadline,
    with_deadline_cause, with_timeout, with_timeout_cause, with_value,
};

const HOUR: Duration = Duration::from_secs(3600);
/// A failure timeout: only a failing test waits this long.
const QUIESCENT: Duration = Duration::from_secs(10);

/// Runs the tests of this file one at a time (they count process-wide timers).
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

fn cause(msg: &str) -> Cause {
    Arc::new(std::io::Error::other(msg.to_owned()))
}

#[test]
fn a_timeout_arms_one_timer_and_cancel_removes_it() {
    let _serial = serial();
    let before = pending_timers();
    let (ctx, cancel) = with_timeout(&background(), HOUR);
    assert_eq!(pending_timers(), before + 1);
    cancel.cancel();
    assert_eq!(pending_timers(), before);
    assert_eq!(ctx.err(), Some(Error::Canceled));
}

#[test]
fn dropping_the_handle_removes_the_timer() {
    let _serial = serial();
    let before = pending_timers();
    {
        let (_ctx, _cancel) = with_timeout(&background(), HOUR); // Go: defer cancel()
        assert_eq!(pending_timers(), before + 1);
    }
    assert_eq!(pending_timers(), before);
}

#[test]
fn a_fired_timer_is_gone() {
    let _serial = serial();
    let before = pending_timers();
    let (ctx, _cancel) = with_timeout(&background(), Duration::from_millis(5));
    assert_eq!(ctx.wait_timeout(QUIESCENT), Some(Error::DeadlineExceeded));
    assert_eq!(pending_timers(), before);
}

#[test]
fn duration_max_means_no_deadline() {
    let _serial = serial();
    let before = pending_timers();
    let (ctx, cancel) = with_timeout(&background(), Duration::MAX);
    assert_eq!(ctx.deadline(), None);
    assert_eq!(ctx.to_string(), "context.Background.WithCancel");
    assert_eq!(pending_timers(), before);
    assert!(!expire(&ctx));
    cancel.cancel();
    assert_eq!(ctx.err(), Some(Error::Canceled));
}

#[test]
fn a_later_deadline_than_the_parents_arms_no_timer() {
    let _serial = serial();
    let (parent, _cancel) = with_timeout_cause(&background(), HOUR, Some(cause("parent slow")));
    let before = pending_timers();

    let (child, _cancel) = with_timeout_cause(&parent, 2 * HOUR, Some(cause("child slow")));
    assert_eq!(child.deadline(), parent.deadline(), "the earlier one wins");
    assert_eq!(pending_timers(), before, "no timer of its own");
    assert!(!expire(&child), "no timer of its own to fire");
    assert_eq!(child_count(&parent), 1);

    // When the parent's deadline passes, the child gets the parent's error
    // and cause; its own cause was dropped, as in Go.
    assert!(expire(&parent));
    assert_eq!(child.err(), Some(Error::DeadlineExceeded));
    assert_eq!(child.cause().unwrap().to_string(), "parent slow");
}

#[test]
fn an_equal_deadline_still_arms_a_timer() {
    let _serial = serial();
    let d = Instant::now() + HOUR;
    let (parent, _cancel) = with_deadline(&background(), d);
    let before = pending_timers();
    let (child, _cancel) = with_deadline(&parent, d);
    assert_eq!(pending_timers(), before + 1);
    assert!(expire(&child));
    assert_eq!(child.err(), Some(Error::DeadlineExceeded));
    assert_eq!(parent.err(), None);
}

#[test]
fn an_earlier_deadline_expires_the_child_alone() {
    let _serial = serial();
    let (parent, _cancel) = with_timeout(&background(), HOUR);
    let (child, _cancel) = with_timeout(&parent, Duration::from_millis(5));
    assert!(child.deadline() < parent.deadline());
    assert_eq!(child.wait_timeout(QUIESCENT), Some(Error::DeadlineExceeded));
    assert_eq!(parent.err(), None);
}

#[test]
fn an_expired_child_leaves_its_parent() {
    let _serial = serial();
    let (parent, _cancel) = with_cancel(&background());
    let (child, _cancel) = with_timeout(&parent, HOUR);
    assert_eq!(child_count(&parent), 1);
    // `expire` fires the timer on this thread, so the removal is done when it
    // returns (the timer thread's removal happens just after waiters wake).
    assert!(expire(&child));
    assert_eq!(child_count(&parent), 0);
}

#[test]
fn a_past_deadline_is_born_done() {
    let _serial = serial();
    let (parent, _cancel) = with_cancel(&background());
    let before = pending_timers();
    let d = Instant::now() - Duration::from_millis(1);
    let (ctx, cancel) = with_deadline_cause(&parent, d, Some(cause("too late")));
    assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
    assert_eq!(ctx.cause().unwrap().to_string(), "too late");
    assert_eq!(ctx.deadline(), Some(d));
    assert_eq!(pending_timers(), before, "no timer armed");
    assert_eq!(child_count(&parent), 0, "removed from its parent");

    cancel.cancel(); // a no-op: the first cancel won
    assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
    assert_eq!(ctx.cause().unwrap().to_string(), "too late");

    // A zero timeout is the same.
    let (ctx, _cancel) = with_timeout(&parent, Duration::ZERO);
    assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
}

#[test]
fn a_deadline_under_a_canceled_parent_arms_no_timer() {
    let _serial = serial();
    let (parent, cancel) = with_cancel_cause(&background());
    cancel.cancel(Some(cause("shutting down")));
    let before = pending_timers();
    let (ctx, _cancel) = with_timeout(&parent, HOUR);
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert_eq!(ctx.cause().unwrap().to_string(), "shutting down");
    assert_eq!(pending_timers(), before);
}

#[test]
fn expire_fires_now_with_the_deadline_cause_through_value_layers() {
    let _serial = serial();
    static TENANT: Key<&str> = Key::new("tenant");
    let before = pending_timers();
    let (ctx, _cancel) = with_deadline_cause(
        &background(),
        Instant::now() + HOUR,
        Some(cause("tenant quota")),
    );
    let (grandchild, _cancel) = with_cancel(&ctx);
    let layer = with_value(&ctx, &TENANT, "acme");

    assert!(expire(&layer), "a value layer fires the timer it wraps");
    assert_eq!(pending_timers(), before);
    for c in [&ctx, &layer, &grandchild] {
        assert_eq!(c.err(), Some(Error::DeadlineExceeded));
        assert_eq!(c.cause().unwrap().to_string(), "tenant quota");
    }
    assert!(!expire(&ctx), "already fired");
}

#[test]
fn canceling_a_parent_removes_its_childrens_timers() {
    let _serial = serial();
    let before = pending_timers();
    let (parent, cancel) = with_cancel(&background());
    let children: Vec<_> = (1..=10u32)
        .map(|i| with_timeout(&parent, HOUR * i))
        .collect();
    assert_eq!(pending_timers(), before + 10);
    cancel.cancel();
    assert_eq!(pending_timers(), before);
    for (child, _cancel) in &children {
        assert_eq!(child.err(), Some(Error::Canceled));
    }
}
