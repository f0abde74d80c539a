//! The process-wide timer that fires deadlines.
//!
//! One background thread, started on the first deadline, sleeps until the
//! earliest deadline in an ordered map and cancels what has expired. Arming
//! and stopping a timer are map operations (O(log n)), so a process can hold
//! hundreds of thousands of live deadlines cheaply; no thread is spawned per
//! deadline.
//!
//! Lock order: a node's lock may be held while this queue's lock is taken
//! (`arm_timer`), never the reverse; the thread releases the queue before it
//! cancels anything (see the tree's "Deadlock safety").

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use super::context::Node;
use super::sync::{Arc, Condvar, Global, Mutex, TIMER_THREAD, spawn};
use super::tree;

/// Identifies one armed timer: its deadline, and a sequence number for ties.
pub(crate) type Key = (Instant, u64);

struct Timers {
    queue: Mutex<Queue>,
    /// Wakes the timer thread when an earlier deadline arrives.
    wake: Condvar,
}

#[derive(Default)]
struct Queue {
    entries: BTreeMap<Key, Arc<Node>>,
    next_seq: u64,
    thread_started: bool,
    /// When the thread will next look at the queue (`None`: only when
    /// woken). An insert wakes it only for an earlier deadline, so the usual
    /// create-then-cancel of a later deadline costs the thread nothing.
    wake_at: Option<Instant>,
}

static TIMERS: Global<Timers> = Global::new(|| Timers {
    queue: Mutex::new(Queue::default()),
    wake: Condvar::new(),
});

/// Arms a timer that expires `node` at `deadline`.
pub(crate) fn insert(deadline: Instant, node: Arc<Node>) -> Key {
    let timers = TIMERS.get();
    let mut queue = timers.queue.lock();
    let key = (deadline, queue.next_seq);
    queue.next_seq += 1;
    queue.entries.insert(key, node);
    if queue.wake_at.is_none_or(|wake_at| deadline < wake_at) {
        queue.wake_at = Some(deadline);
        if TIMER_THREAD && !queue.thread_started {
            queue.thread_started = true;
            spawn("context-timer", run);
        } else {
            timers.wake.notify_one();
        }
    }
    key
}

/// Stops a timer; the entry (and its hold on the node) is gone when this
/// returns. Stopping a fired or stopped timer does nothing.
pub(crate) fn remove(key: Key) {
    let removed = TIMERS.get().queue.lock().entries.remove(&key);
    drop(removed); // outside the lock: it may be the node's last reference
}

/// Fires one timer now, as if its deadline had passed. Returns whether this
/// call expired the node.
pub(crate) fn fire(key: Key) -> bool {
    let node = TIMERS.get().queue.lock().entries.remove(&key);
    node.is_some_and(|node| tree::expire(&node))
}

/// How many timers are armed.
pub(crate) fn pending() -> usize {
    TIMERS.get().queue.lock().entries.len()
}

/// The timer thread: expire what is due, then sleep until the next deadline.
fn run() {
    let timers = TIMERS.get();
    let mut queue = timers.queue.lock();
    loop {
        let now = Instant::now();
        let due = {
            let later = queue.entries.split_off(&(now, u64::MAX));
            std::mem::replace(&mut queue.entries, later)
        };
        if !due.is_empty() {
            drop(queue);
            for node in due.into_values() {
                // A panicking waker must not stop every other deadline.
                let _ = catch_unwind(AssertUnwindSafe(|| tree::expire(&node)));
            }
            queue = timers.queue.lock();
            continue;
        }
        queue.wake_at = queue.entries.first_key_value().map(|(key, _)| key.0);
        queue = match queue.wake_at {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(now);
                timers.wake.wait_timeout(queue, left)
            }
            None => timers.wake.wait(queue),
        };
    }
}
