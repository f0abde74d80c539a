//! Twin of model 11: `wait` checks, then sleeps without checking again.
//!
//! **The bug.** `wait` reads the counter; if it is not zero, it takes the
//! lock and sleeps until notified, trusting the value it read.
//!
//! **The interleaving.** The waiter reads 1; the last `done` brings the
//! counter to zero and notifies while nobody sleeps; the waiter then takes
//! the lock and sleeps for a notification that has already happened. The
//! textbook checks again under the lock the notifier takes.
//!
//! **Caught by** `done_races_wait_then_reuse`: "lost wake-up: the waiter
//! still sleeps after the counter reached zero".

use loom::sync::atomic::Ordering;

use super::textbook::{State, WaitGroupSteps};

/// The textbook wait group whose `wait` checks only before locking.
#[derive(Debug)]
pub struct CheckThenSleep;

impl WaitGroupSteps for CheckThenSleep {
    fn wait(state: &State) {
        if state.count.load(Ordering::Acquire) == 0 {
            return;
        }
        let lock = state.lock.lock().unwrap(); // BUG: no second check
        drop(state.zero.wait(lock).unwrap());
    }
}
