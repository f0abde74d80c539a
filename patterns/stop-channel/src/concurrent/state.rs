//! The state a stop channel's two sides share: the only sender, the
//! closed state and the blocked waiters.
//!
//! # Invariants
//!
//! 1. The channel has exactly one `Sender`, kept in `sender` until the close
//!    takes and drops it; nothing is ever sent on it. So the channel is
//!    disconnected (every `recv` ready, Go's closed channel) exactly when
//!    `sender` is `None`.
//! 2. The close is two-phase, all under `sender`'s lock: `state` goes to
//!    `CLOSING`, then the sender is dropped (the channel disconnects), then
//!    the blocked waiters are notified, then `state` goes to `CLOSED`.
//!    `is_closed` reports `CLOSING` only after taking the lock, that is once
//!    the close has finished. So the forms of watching agree at every
//!    instant: a watcher woken through the channel finds `is_closed()` true
//!    (it sees at least `CLOSING`), and one that finds `is_closed()` true
//!    also finds the channel disconnected. Once `close` returns, every form
//!    (select, `is_closed`, `wait`) sees it.
//! 3. The first close wins; later ones find `None` and change nothing.

use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};

use super::sync::{AtomicU8, Condvar, Mutex, Ordering};

const OPEN: u8 = 0;
const CLOSING: u8 = 1;
const CLOSED: u8 = 2;

/// What a source and its signals share.
pub(crate) struct StopState {
    /// Invariant 1: the only sender, until the close drops it.
    sender: Mutex<Option<Sender<()>>>,
    /// `OPEN`, `CLOSING` or `CLOSED` (invariant 2).
    state: AtomicU8,
    /// Threads blocked in `StopSignal::wait*`; notified under `sender`'s lock.
    waiters: Condvar,
    /// Cloned into select arms by every signal.
    pub(crate) receiver: Receiver<()>,
}

impl StopState {
    /// An open channel's state, with no watchers yet.
    pub(crate) fn new() -> Self {
        let (sender, receiver) = crossbeam_channel::bounded(0);
        Self {
            sender: Mutex::new(Some(sender)),
            state: AtomicU8::new(OPEN),
            waiters: Condvar::new(),
            receiver,
        }
    }

    /// See `StopSource::close`.
    pub(crate) fn close(&self) {
        let mut sender = self.sender.lock();
        // Invariant 3: the first close wins.
        let Some(last_sender) = sender.take() else {
            return;
        };
        // Invariant 2, first phase: announce the close before anyone can
        // observe it through the channel. Release pairs with the Acquire in
        // `is_closed`.
        self.state.store(CLOSING, Ordering::Release);
        // Invariant 1: dropping the only sender is Go's `close(ch)`.
        drop(last_sender);
        // Lock, then notify: a waiter checks the slot under this lock
        // before it sleeps, so it either sees `None` or gets this wake-up.
        self.waiters.notify_all();
        // Second phase: done; release pairs with the Acquire in `is_closed`.
        self.state.store(CLOSED, Ordering::Release);
    }

    pub(crate) fn is_closed(&self) -> bool {
        match self.state.load(Ordering::Acquire) {
            OPEN => false,
            CLOSED => true,
            _ => {
                // Invariant 2: a close is under way and holds the lock
                // until it has finished; wait for it.
                drop(self.sender.lock());
                true
            }
        }
    }

    /// Blocks until closed, or until `deadline`; returns whether closed.
    pub(crate) fn wait_until(&self, deadline: Option<Instant>) -> bool {
        if self.is_closed() {
            return true;
        }
        let mut sender = self.sender.lock();
        // Pairs with the lock-then-notify in `close`.
        while sender.is_some() {
            sender = match deadline {
                None => self.waiters.wait(sender),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    self.waiters.wait_timeout(sender, deadline - now)
                }
            };
        }
        true
    }
}
