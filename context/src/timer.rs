//! The process-wide deadline queue. It knows nothing of contexts: it holds
//! weak references to [`Expire`] targets and calls them when their deadlines
//! pass, on one background thread.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use super::sync::{Arc, Condvar, Global, Mutex, TIMER_THREAD, Weak, spawn};

/// What a timer calls when its deadline passes, on the timer thread.
pub(crate) trait Expire: Send + Sync {
    /// Returns whether this call had an effect (it, not something else,
    /// ended the target).
    fn expire(self: Arc<Self>) -> bool;
}

/// Identifies one armed timer: its deadline, and a sequence number for ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimerKey(Instant, u64);

struct Timers {
    queue: Mutex<Queue>,
    wake: Condvar,
}

#[derive(Default)]
struct Queue {
    entries: BTreeMap<(Instant, u64), Weak<dyn Expire>>,
    next_seq: u64,
    thread_started: bool,
    wake_at: Option<Instant>,
}

static TIMERS: Global<Timers> = Global::new(|| Timers {
    queue: Mutex::new(Queue::default()),
    wake: Condvar::new(),
});

pub(crate) fn insert(deadline: Instant, target: Weak<dyn Expire>) -> std::io::Result<TimerKey> {
    let timers = TIMERS.get();
    let mut queue = timers.queue.lock();
    if TIMER_THREAD && !queue.thread_started {
        spawn("context-timer", run)?;
        queue.thread_started = true;
    }
    let key = (deadline, queue.next_seq);
    queue.next_seq += 1;
    queue.entries.insert(key, target);
    if queue.wake_at.is_none_or(|wake_at| deadline < wake_at) {
        queue.wake_at = Some(deadline);
        timers.wake.notify_one();
    }
    Ok(TimerKey(key.0, key.1))
}

pub(crate) fn remove(key: TimerKey) {
    let removed = TIMERS.get().queue.lock().entries.remove(&(key.0, key.1));
    drop(removed);
}

pub(crate) fn fire(key: TimerKey) -> bool {
    let target = TIMERS.get().queue.lock().entries.remove(&(key.0, key.1));
    target
        .and_then(|target| target.upgrade())
        .is_some_and(|target| target.expire())
}

pub(crate) fn pending() -> usize {
    TIMERS.get().queue.lock().entries.len()
}

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
            for target in due.into_values() {
                if let Some(target) = target.upgrade() {
                    let _ = catch_unwind(AssertUnwindSafe(|| target.expire()));
                }
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
