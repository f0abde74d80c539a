//! Model 13: closing a stop channel while watchers subscribe and watch.

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

use super::StopChannels;
use crate::support::{check, yield_until};

/// Two watchers subscribe and watch while the main thread closes. Every
/// watcher observes the close: `wait` returns (no lost wake-up), and after
/// it, and whenever `is_closed` says so, the watcher's channel is
/// disconnected, so its `select!` fires.
pub fn close_races_watchers<S: StopChannels>() {
    // 3: three threads, two of them blocking and the third waiting for them
    // in a bounded loop, multiply the executions: about 95 000 on the real
    // crate at 3 (several seconds), eight times as many at 4. Loom's
    // documentation finds 2 or 3 enough for most bugs; both twins are
    // caught at 2.
    let bound = 3;
    check(bound, move || {
        let (source, signal) = S::channel();
        let watchers = [0, 1].map(|_| {
            let (signal, returned) = (signal.clone(), Arc::new(AtomicBool::new(false)));
            let handle = thread::spawn({
                let returned = returned.clone();
                move || {
                    let watcher = S::subscribe(&signal);
                    if S::is_closed(&watcher) {
                        assert!(
                            S::channel_closed(&watcher),
                            "a watcher missed the close: is_closed() but its channel is open"
                        );
                    }
                    S::wait(&watcher);
                    returned.store(true, Ordering::Release);
                    assert!(
                        S::is_closed(&watcher) && S::channel_closed(&watcher),
                        "a watcher missed the close: still open after wait()"
                    );
                }
            });
            (handle, returned)
        });
        S::close(&source);
        let released = yield_until(bound, || {
            watchers
                .iter()
                .all(|(_, returned)| returned.load(Ordering::Acquire))
        });
        assert!(released, "a watcher still waits after close returned");
        for (handle, _) in watchers {
            handle.join().unwrap();
        }
    });
}

/// The broken twins of these models: each is a textbook with one step
/// written the naive way, and `tests/twins.rs` runs it against the model
/// that must reject it.
pub mod twins {
    pub use self::check_then_sleep::CheckThenSleep;
    pub use self::check_then_subscribe::CheckThenSubscribe;

    mod check_then_subscribe {
        //! Twin of model 13: a subscription that checks, then registers.
        //!
        //! **The bug.** Subscribing looks at the closed flag under the lock, then
        //! creates the watcher's channel and registers its sender under the lock
        //! again.
        //!
        //! **The interleaving.** A watcher finds the stop open; the close runs,
        //! dropping every sender it knows of; the watcher then registers a sender
        //! nobody will ever drop. Its `wait` returns (the flag is set), but its
        //! channel never disconnects: a `select!` on it waits forever. The textbook
        //! checks and registers in one critical section.
        //!
        //! **Caught by** `close_races_watchers`: "a watcher missed the close".

        use crossbeam_channel::Receiver;

        use crate::stop_channel::textbook::{Shared, StopSteps};

        /// The textbook stop channel whose `subscribe` checks, then registers.
        #[derive(Debug)]
        pub struct CheckThenSubscribe;

        impl StopSteps for CheckThenSubscribe {
            fn subscribe(shared: &Shared) -> Receiver<()> {
                let closed = shared.inner.lock().unwrap().closed;
                let (tx, rx) = crossbeam_channel::bounded(0);
                if !closed {
                    shared.inner.lock().unwrap().senders.push(tx); // BUG: may be closed by now
                }
                rx
            }
        }
    }

    mod check_then_sleep {
        //! Twin of model 13: `wait` checks, then sleeps without checking again.
        //!
        //! **The bug.** `wait` reads the closed flag; if the stop is open, it takes
        //! the lock and sleeps until notified, trusting what it read.
        //!
        //! **The interleaving.** The watcher reads "open"; the close sets the flag
        //! and notifies while nobody sleeps; the watcher then sleeps for a
        //! notification that has already happened. The textbook checks again under
        //! the lock the close notifies under.
        //!
        //! **Caught by** `close_races_watchers`: "a watcher still waits after close
        //! returned".

        use crate::stop_channel::textbook::{Shared, StopSteps};

        /// The textbook stop channel whose `wait` checks only before locking.
        #[derive(Debug)]
        pub struct CheckThenSleep;

        impl StopSteps for CheckThenSleep {
            fn wait(shared: &Shared) {
                if shared.inner.lock().unwrap().closed {
                    return;
                }
                let inner = shared.inner.lock().unwrap(); // BUG: no second check
                drop(shared.closed.wait(inner).unwrap());
            }
        }
    }
}
