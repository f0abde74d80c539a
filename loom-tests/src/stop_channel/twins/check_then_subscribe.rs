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

use super::textbook::{Shared, StopSteps};

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
