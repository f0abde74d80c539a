//! Model 6: a deadline expiring while the context is canceled explicitly.
//!
//! Loom has no clock, so contexts get a one-hour timeout and a model thread
//! fires the deadline with `expire`, as the timer thread would.

use loom::thread;

use crate::api::{Contexts, Error};
use crate::support::{CONTEXT_BOUND, check};

/// Exactly one of expiry and cancel wins; `expire` says which. The context
/// and its child agree on that winner's error and cause, the context leaves
/// its parent, and the timer entry is gone as soon as the cancel returns,
/// whoever won.
pub fn deadline_expiry_races_cancel<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (parent, _cancel_parent) = T::root();
        let (ctx, cancel) = T::with_timeout(&parent);
        let (child, _cancel_child) = T::with_cancel(&ctx);
        let timer = thread::spawn({
            let ctx = ctx.clone();
            move || T::expire(&ctx)
        });
        T::cancel(&cancel, None);
        // Done, so its timer must be gone: stopped by this cancel, or taken
        // by the fire (which takes it before it cancels).
        assert_eq!(
            T::pending_timers(),
            0,
            "the timer entry outlived its context"
        );
        let expired = timer.join().unwrap();

        let (err, cause) = if expired {
            (Error::DeadlineExceeded, "deadline")
        } else {
            (Error::Canceled, "context canceled")
        };
        assert_eq!(
            T::err(&ctx),
            Some(err),
            "expire() and err() disagree on the winner"
        );
        assert_eq!(T::cause(&ctx).as_deref(), Some(cause));
        assert_eq!(
            T::err(&child),
            Some(err),
            "the subtree disagrees with its root"
        );
        assert_eq!(T::cause(&child).as_deref(), Some(cause));
        assert_eq!(
            T::child_count(&parent),
            0,
            "the context is still registered"
        );
        assert_eq!(
            T::pending_timers(),
            0,
            "the timer entry outlived its context"
        );
    });
}
