//! Model 6: a deadline expiring while the context is canceled explicitly.
//!
//! Loom has no clock, so contexts get a one-hour timeout and a model thread
//! fires the deadline with `expire`, as the timer thread would.

use loom::thread;

use crate::context::{Contexts, Error};
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

/// The broken twins of these models: each is a textbook with one step
/// written the naive way, and `tests/twins.rs` runs it against the model
/// that must reject it.
pub mod twins {
    pub use self::fired_timer_leaks::FiredTimerLeaks;

    mod fired_timer_leaks {
        //! Twin of model 6: a firing timer that cleans up only when it wins.
        //!
        //! **The bug.** When the deadline passes, the timer first disarms the node
        //! (so that the node's cancel will not try to stop a timer that is already
        //! firing), then cancels it, and removes its queue entry only if that
        //! cancel won: "whoever cancels, cleans up".
        //!
        //! **The interleaving.** The timer disarms the node and is preempted. An
        //! explicit cancel wins; it finds the node disarmed, so it stops no timer.
        //! The timer's cancel then loses, so it removes nothing either. The queue
        //! keeps the entry, and with it the node, for as long as the process lives.
        //!
        //! **Caught by** `deadline_expiry_races_cancel`: "the timer entry outlived
        //! its context".

        use loom::sync::Arc;

        use crate::context::Error;
        use crate::context::textbook::{DEADLINE_CAUSE, Node, Steps, timers};

        /// The textbook context whose [`Steps::fire`] removes its entry only when
        /// its cancel won.
        #[derive(Debug)]
        pub struct FiredTimerLeaks;

        impl Steps for FiredTimerLeaks {
            fn fire(node: &Arc<Node>) -> bool {
                let Some(key) = node.lock().timer.take() else {
                    return false;
                };
                let won = Self::cancel(node, Error::DeadlineExceeded, Some(DEADLINE_CAUSE));
                if won {
                    drop(timers::remove(key)); // BUG: nobody removes it if the cancel lost
                }
                won
            }
        }
    }
}
