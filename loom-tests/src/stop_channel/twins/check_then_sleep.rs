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

use super::textbook::{Shared, StopSteps};

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
