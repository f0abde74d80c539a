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
