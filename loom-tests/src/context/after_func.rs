//! Model 7: `after_func`'s `stop` racing the cancel that would run `f`.

use loom::sync::{Arc, Mutex, mpsc};
use loom::thread;

use crate::context::Contexts;
use crate::support::{CONTEXT_BOUND, check, yield_until};

/// What `f` and `stop`'s caller know of each other, under one lock so that
/// one of them always sees the other.
#[derive(Default)]
struct Outcome {
    runs: usize,
    stopped: bool,
    /// How many times `f` was dropped, run or not.
    dropped: usize,
}

/// `f` runs at most once, and it runs if and only if `stop` returned false.
///
/// `f` runs on a thread the implementation starts, which the model cannot
/// join. So `f` counts its runs and checks for itself that `stop` has not
/// returned true, and reports on a loom channel that the main thread reads
/// only when `stop` returned false.
pub fn after_func_races_stop_and_cancel<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (ctx, cancel) = T::root();
        let outcome = Arc::new(Mutex::new(Outcome::default()));
        let (ran, ran_rx) = mpsc::channel();
        let link = T::after_func(&ctx, {
            let outcome = outcome.clone();
            move || {
                let mut outcome = outcome.lock().unwrap();
                outcome.runs += 1;
                assert_eq!(outcome.runs, 1, "f ran twice");
                assert!(!outcome.stopped, "f ran although stop() returned true");
                drop(outcome);
                // If `stop` returned true the receiver may be gone; the
                // assertion above has failed already.
                let _ = ran.send(());
            }
        });
        let canceler = thread::spawn(move || T::cancel(&cancel, None));
        let prevented = T::stop(&link);
        if prevented {
            let mut outcome = outcome.lock().unwrap();
            outcome.stopped = true;
            assert_eq!(outcome.runs, 0, "f ran although stop() returned true");
        }
        canceler.join().unwrap();

        if !prevented {
            ran_rx
                .recv()
                .expect("stop() returned false but f never ran");
        }
        assert!(T::is_done(&ctx));
    });
}

/// The promise of `AfterFunc`'s docs: the link holds its context, so `f`
/// still runs on cancel when every other handle of the context is dropped,
/// whether the drop comes before or during the ancestor's cancel. Once the
/// link goes too, `f` (run or not) is dropped exactly once. Against the real
/// crate only: the textbooks have no link that holds its context.
///
/// The drop is on the main thread and the cancel on a spawned one: the other
/// way round, loom never ran the whole drop before the cancel's first step
/// (a seeded link that forgot its context went unnoticed).
pub fn after_func_outlives_its_context_handles() {
    use go_context::loom::{after_func, background, testing, with_cancel};
    check(CONTEXT_BOUND, || {
        let (root, cancel_root) = with_cancel(&background());
        let (ctx, cancel) = with_cancel(&root);
        let outcome = Arc::new(Mutex::new(Outcome::default()));
        let (ran, ran_rx) = mpsc::channel();
        let witness = Witness(outcome.clone());
        let link = after_func(&ctx, move || {
            let witness = witness;
            witness.0.lock().unwrap().runs += 1;
            drop(witness);
            let _ = ran.send(());
        });
        let canceler = thread::spawn(move || cancel_root.cancel());
        cancel.disarm();
        drop(ctx);
        canceler.join().unwrap();
        // f's thread is the crate's: wait for it boundedly, so that an f
        // that never runs fails here rather than hangs.
        let ran = yield_until(CONTEXT_BOUND, || ran_rx.try_recv().is_ok());
        assert!(ran, "f never ran although its context was canceled");
        assert!(!link.stop(), "stop() prevented an f that had started");
        drop(link);
        let outcome = outcome.lock().unwrap();
        assert_eq!(outcome.runs, 1, "f ran twice");
        assert_eq!(outcome.dropped, 1, "f was dropped twice, or never");
        assert_eq!(testing::child_count(&root), 0);
    });
}

/// Counts its drop into the outcome: it lives inside `f`.
struct Witness(Arc<Mutex<Outcome>>);

impl Drop for Witness {
    fn drop(&mut self) {
        self.0.lock().unwrap().dropped += 1;
    }
}

/// The broken twins of these models: each is a textbook with one step
/// written the naive way, and `tests/twins.rs` runs it against the model
/// that must reject it.
pub mod twins {
    pub use self::stop_check_then_set::StopCheckThenSet;

    mod stop_check_then_set {
        //! Twin of model 7: `stop` decides from the context's state.
        //!
        //! **The bug.** `stop` reasons: "if the context is done, the cancel has
        //! started `f`: return false. Otherwise `f` has not started: throw it away,
        //! unregister, return true." Check, then act, in two steps.
        //!
        //! **The interleaving.** `stop` finds the context open and is preempted. The
        //! cancel takes `f` and starts it. `stop` then throws away a callback that
        //! is no longer there and returns true: the caller believes `f` will never
        //! run while it is running. Go's `AfterFunc` makes one `sync.Once` the
        //! arbiter; the textbook takes `f` under the lock the cancel takes it under.
        //!
        //! **Caught by** `after_func_races_stop_and_cancel`: "f ran although stop()
        //! returned true".

        use loom::sync::Arc;

        use crate::context::Error;
        use crate::context::textbook::{Node, Steps};

        /// The textbook context whose [`Steps::stop`] checks, then sets.
        #[derive(Debug)]
        pub struct StopCheckThenSet;

        impl Steps for StopCheckThenSet {
            fn stop(node: &Arc<Node>) -> bool {
                if Self::err(node).is_some() {
                    return false;
                }
                node.lock().after_func = None; // BUG: the cancel may have taken f since
                Self::cancel(node, Error::Canceled, None);
                true
            }
        }
    }
}
