//! Twin of model 10: a wait group whose counter is `Relaxed`.
//!
//! **The bug.** The counter is "just a counter", so its atomics use
//! `Ordering::Relaxed`: `done` decrements it, `wait` sees zero and returns.
//!
//! **The interleaving.** None is needed: a task writes its result and calls
//! `done`; the waiter sees the counter at zero and reads the result. Nothing
//! orders the write before the read, so the waiter may see the old value;
//! loom tracks the result in an `UnsafeCell` and reports the unsynchronised
//! access. The textbook's `AcqRel` add and `Acquire` load make each task's
//! work happen before the wait returns (Go's "synchronizes before").
//!
//! **Caught by** `wait_returns_after_every_done`: "Causality violation".

use loom::sync::atomic::Ordering;

use super::textbook::{State, WaitGroupSteps};

/// The textbook wait group with `Relaxed` counter operations.
#[derive(Debug)]
pub struct RelaxedCounter;

impl WaitGroupSteps for RelaxedCounter {
    fn add(state: &State, delta: isize) {
        // BUG: Relaxed publishes nothing.
        let count = state.count.fetch_add(delta, Ordering::Relaxed) + delta;
        assert!(count >= 0, "sync: negative WaitGroup counter");
        if count == 0 {
            let _lock = state.lock.lock().unwrap();
            state.zero.notify_all();
        }
    }

    fn wait(state: &State) {
        if state.count.load(Ordering::Relaxed) == 0 {
            return; // BUG: the tasks' writes need not be visible yet
        }
        let mut lock = state.lock.lock().unwrap();
        while state.count.load(Ordering::Relaxed) != 0 {
            lock = state.zero.wait(lock).unwrap();
        }
    }
}
