//! Threads blocked on a context, and how one cancel wakes hundreds of them.
//!
//! A cancel that unparked every blocked thread itself would do it one at a
//! time, and each thread it wakes preempts it on its core: with hundreds of
//! watchers the cancel becomes the bottleneck (slower than channels
//! forwarding a close level by level, where the woken threads share the
//! work). So the wake is *relayed*: the cancel hands half of the sleepers it
//! has left to the one it wakes, which wakes them the same way before its
//! `wait` returns. The cancel itself unparks about log₂ N threads, and the
//! wake spreads over every core like a tree.
//!
//! A sleeper may have stopped taking hand-offs (its deadline passed, or it
//! saw the cancel before its unpark): the hand-off and the sleeper's leaving
//! are decided under its lock, so a refused half stays with the waker and no
//! thread is ever left asleep.

use super::sync::{Arc, Mutex, Thread, current_thread};

/// A thread blocked in one of `Context`'s `wait` methods.
pub(crate) struct Sleeper {
    thread: Thread,
    relay: Mutex<Relay>,
}

#[derive(Default)]
struct Relay {
    /// The sleeper's wait has returned, or is returning: hand it nothing.
    left: bool,
    /// Sleepers handed to this one to wake.
    handed: Vec<Arc<Sleeper>>,
}

impl Sleeper {
    /// The calling thread, about to block.
    pub(crate) fn current() -> Arc<Self> {
        Arc::new(Self {
            thread: current_thread(),
            relay: Mutex::new(Relay::default()),
        })
    }

    /// Ends this sleeper's wait: takes no more hand-offs and wakes those it
    /// was given. Every wait that registered a sleeper calls it before
    /// returning.
    pub(crate) fn leave(&self) {
        let handed = {
            let mut relay = self.relay.lock();
            relay.left = true;
            std::mem::take(&mut relay.handed)
        };
        wake_all(handed);
    }
}

/// Wakes every sleeper, relaying: each woken one is handed half of those
/// still to wake (see the module docs).
pub(crate) fn wake_all(mut sleepers: Vec<Arc<Sleeper>>) {
    while let Some(next) = sleepers.pop() {
        let half = sleepers.split_off(sleepers.len() / 2);
        {
            let mut relay = next.relay.lock();
            if relay.left {
                sleepers.extend(half); // it will not look: keep them
            } else {
                relay.handed.extend(half);
            }
        }
        next.thread.unpark();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handed(sleeper: &Sleeper) -> usize {
        sleeper.relay.lock().handed.len()
    }

    /// The hand-off is decided under the sleeper's lock: one that has left
    /// is handed nothing, and the waker keeps the rest for itself.
    #[test]
    fn a_sleeper_that_left_is_handed_nothing() {
        if !super::super::sync::TIMER_THREAD {
            return; // loom's primitives need a model: the std instance checks this
        }
        let (first, second, left) = (Sleeper::current(), Sleeper::current(), Sleeper::current());
        left.leave();
        // `left` is woken first and refuses `second`, which then takes `first`.
        wake_all(vec![first.clone(), second.clone(), left.clone()]);
        assert_eq!(handed(&left), 0);
        assert_eq!(handed(&second), 1);
        assert_eq!(handed(&first), 0);
        second.leave();
        assert_eq!(handed(&second), 0, "leaving wakes what it was handed");
    }
}
