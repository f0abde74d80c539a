//! Model 7: `after_func`'s `stop` racing the cancel that would run `f`.

use loom::sync::{Arc, Mutex, mpsc};
use loom::thread;

use crate::api::Contexts;
use crate::support::{CONTEXT_BOUND, check};

/// What `f` and `stop`'s caller know of each other, under one lock so that
/// one of them always sees the other.
#[derive(Default)]
struct Outcome {
    runs: usize,
    stopped: bool,
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
