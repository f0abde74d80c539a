//! The timer thread cannot be left unstarted: when the operating system
//! refuses it, the deadline's constructor says so by panicking, nothing is
//! left armed, and the next deadline starts the thread.
//!
//! The timer thread is process-wide and started by the first deadline, so
//! this binary holds this one test.

use std::panic::catch_unwind;
use std::time::Duration;

use go_context::{Error, background, testing, with_timeout};

/// Only a failing run waits this long.
const BOUND: Duration = Duration::from_secs(10);

#[test]
fn a_refused_timer_thread_is_started_by_the_next_deadline() {
    testing::refuse_thread_starts(1);
    let refused = catch_unwind(|| with_timeout(&background(), Duration::from_millis(1)));
    let panic = refused.expect_err("the refused start is reported");
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or_default();
    assert!(
        message.contains("cannot start the timer thread"),
        "a clear message: {message:?}"
    );
    assert_eq!(testing::pending_timers(), 0, "nothing left armed");

    // The crate is still usable, and the next deadline starts the thread.
    let (ctx, _cancel) = with_timeout(&background(), Duration::from_millis(1));
    assert_eq!(ctx.wait_timeout(BOUND), Some(Error::DeadlineExceeded));
    assert_eq!(testing::pending_timers(), 0);
}
