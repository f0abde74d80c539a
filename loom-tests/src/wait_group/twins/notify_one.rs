//! Twin of model 10: the last `done` wakes one waiter.
//!
//! **The bug.** When the counter reaches zero, `add` calls `notify_one`:
//! "someone is waiting, wake them".
//!
//! **The interleaving.** Two threads are asleep in `wait`; the last `done`
//! wakes one of them. The other sleeps on, though the counter is zero and
//! nothing will ever notify again. Go releases its semaphore once per
//! registered waiter; the textbook notifies all.
//!
//! **Caught by** `every_waiter_released`: "a waiter still sleeps after the
//! counter reached zero".

use loom::sync::atomic::Ordering;

use super::textbook::{State, WaitGroupSteps};

/// The textbook wait group whose last `done` wakes one waiter.
#[derive(Debug)]
pub struct NotifyOne;

impl WaitGroupSteps for NotifyOne {
    fn add(state: &State, delta: isize) {
        let count = state.count.fetch_add(delta, Ordering::AcqRel) + delta;
        assert!(count >= 0, "sync: negative WaitGroup counter");
        if count == 0 {
            let _lock = state.lock.lock().unwrap();
            state.zero.notify_one(); // BUG: every waiter must be woken
        }
    }
}
