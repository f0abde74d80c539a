//! The process-wide deadline queue: timers that call a target when their
//! deadline passes, unless stopped first.
//!
//! Most deadlines never fire: a request finishes and stops its timeout long
//! before it expires. So arming and stopping are the hot path, and they must
//! cost the same with 40 or 400,000 live timers and on 1 core or 64.
//!
//! # Design: sharded timing wheels
//!
//! - **Shards**, so that cores do not contend (Go's per-P timer heaps): a few
//!   shards per core (a single one on a single core), each behind its own
//!   lock. A thread arms its timers in the shard its [`shard_hint`] picks, so
//!   each core mostly touches one lock and its own cache lines. A
//!   [`TimerKey`] names its shard, so a timer stopped from another thread
//!   still goes straight there.
//! - **Timing wheels** (`crate::wheel`), so that arming and stopping are
//!   O(1): each shard is one wheel, whose tick is a millisecond here.
//!
//! # The timer thread
//!
//! One thread, `context-timer`, started by the first [`insert`], advances
//! every wheel to the present, takes the due targets out under the shard's
//! lock (a bounded batch at a time), and calls them with no lock held, each
//! under `catch_unwind`. Then it sleeps until the earliest tick at which a
//! wheel needs it (a slot boundary, never after the earliest deadline). That
//! tick is published in `wake_at`, and an [`insert`] takes the thread's lock
//! to wake it only when its deadline is earlier: the usual arm-then-stop of a
//! later deadline touches nothing but its own shard.
//!
//! While the thread polls the wheels, `wake_at` is [`NEVER`], so an insert
//! that the poll misses lowers it; the thread folds that in when the poll
//! ends. The shard's lock is what makes this sound: either the insert's
//! critical section precedes the poll's (the poll sees the timer) or it
//! follows it, and then the insert reads `wake_at` after the thread set it to
//! [`NEVER`].
//!
//! Deadlines are rounded up to whole ticks and fire once the clock's tick
//! reaches them: never early, and about a tick late plus scheduling.
//!
//! The clock is the primitives' (`sync::now`): the real one, or, in the
//! model-checked instance, a logical clock that a model moves on, waking the
//! thread through its [`Alarm`].
//!
//! Lock order: a caller's locks, then one shard's lock or the thread's lock,
//! never both at once; no queue lock is held while a target runs.

use std::io;
use std::num::NonZeroU64;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use super::sync::{
    Alarm, Arc, AtomicBool, AtomicU64, Global, Mutex, Ordering, Weak, available_parallelism, now,
    shard_hint, spawn, timer_thread_enabled,
};
use crate::wheel::{self, LAST_TICK, NEVER, Wheel};

/// What a timer calls when its deadline passes, on the timer thread.
pub(crate) trait Expire: Send + Sync {
    /// Called at most once per timer, at or after its deadline, with no
    /// queue lock held; it may arm and stop timers itself. Returns whether
    /// this call had an effect (it, and not something else, ended the
    /// target), which [`fire`] passes on.
    fn expire(self: Arc<Self>) -> bool;
}

/// Identifies one armed timer: its shard, and its key in the shard's wheel
/// (an entry and a generation the wheel never reuses), laid out flat so that
/// the three fit in 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TimerKey {
    /// The key's generation.
    generation: NonZeroU64,
    /// The key's entry.
    index: u32,
    /// The shard.
    shard: u32,
}

impl TimerKey {
    /// The timer's key in its shard's wheel.
    fn key(self) -> wheel::Key {
        wheel::Key {
            generation: self.generation,
            index: self.index,
        }
    }
}

/// Arms a timer that calls `target.expire()` at or after `deadline` (never
/// before), unless removed first. The queue holds only the `Weak`: a target
/// that is gone is skipped.
///
/// Errors only if the timer thread is not running and cannot be started (the
/// OS refused a thread): then nothing is armed, and a later call retries.
pub(crate) fn insert(deadline: Instant, target: Weak<dyn Expire>) -> io::Result<TimerKey> {
    QUEUE.get().insert(deadline, target)
}

/// Stops a timer in O(1). Does nothing for a fired or already removed key.
/// The `Weak` is dropped outside every lock.
pub(crate) fn remove(key: TimerKey) {
    QUEUE.get().remove(key);
}

/// Fires one timer now on the caller's thread, as if its deadline had
/// passed: removes it, then calls `expire()` outside every lock. Returns
/// what `expire()` returned, or false if the key was not armed or the target
/// is gone.
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn fire(key: TimerKey) -> bool {
    QUEUE.get().fire(key)
}

/// How many timers are armed in the process; exact when no thread is arming,
/// stopping or firing one.
#[cfg(any(test, feature = "test-util"))]
pub(crate) fn pending() -> usize {
    QUEUE.get().pending()
}

/// The process's queue.
static QUEUE: Global<Queue> = Global::new(Queue::new);

/// One tick, the wheels' resolution: a millisecond (see [`Queue::instant_of`]).
const TICK: Duration = Duration::from_millis(1);
/// Nanoseconds per tick.
const TICK_NANOS: u32 = 1_000_000;
/// Ticks per second.
const TICKS_PER_SECOND: u64 = 1_000;
/// Shards per core: enough that a few threads per core rarely share one.
const SHARDS_PER_CORE: usize = 4;
/// At most this many shards: the thread visits each one when it wakes.
const MAX_SHARDS: usize = 256;

/// The shards and the timer thread's state.
struct Queue {
    /// Tick 0 of every wheel.
    epoch: Instant,
    /// A power of two of them, so that a hint is reduced with a mask.
    shards: Box<[Shard]>,
    /// The tick at which the thread will next poll the wheels, or
    /// [`NEVER`] while it polls them.
    wake_at: AtomicU64,
    /// Whether the thread is running.
    started: AtomicBool,
    /// The thread's lock and sleep: the lock is held to start the thread,
    /// while it decides to sleep, and to wake it, so that no wake-up is lost.
    alarm: Alarm,
}

/// One shard, on cache lines of its own so that cores do not false-share.
#[repr(align(128))]
struct Shard(Mutex<Wheel<Weak<dyn Expire>>>);

impl Queue {
    /// An empty queue, its thread not started.
    fn new() -> Self {
        let cores = available_parallelism();
        let shards = if cores <= 1 {
            1
        } else {
            (cores * SHARDS_PER_CORE)
                .next_power_of_two()
                .min(MAX_SHARDS)
        };
        Self {
            epoch: now(),
            shards: (0..shards)
                .map(|_| Shard(Mutex::new(Wheel::new())))
                .collect(),
            wake_at: AtomicU64::new(NEVER),
            started: AtomicBool::new(false),
            alarm: Alarm::new(),
        }
    }

    /// See [`insert`].
    fn insert(&'static self, deadline: Instant, target: Weak<dyn Expire>) -> io::Result<TimerKey> {
        self.start()?;
        let when = self.tick_after(deadline);
        let shard = shard_hint() & (self.shards.len() - 1);
        let key = self.shards[shard].0.lock().insert(when, target);
        // The thread plans to sleep past this deadline: wake it. Taking its
        // lock orders the notify after its last look at `wake_at`.
        if timer_thread_enabled()
            && when < self.wake_at.load(Ordering::Relaxed)
            && when < self.wake_at.fetch_min(when, Ordering::AcqRel)
        {
            let _alarm = self.alarm.lock();
            self.alarm.notify();
        }
        Ok(TimerKey {
            generation: key.generation,
            index: key.index,
            shard: shard as u32,
        })
    }

    /// Takes an armed timer's target out of its shard.
    fn take(&self, key: TimerKey) -> Option<Weak<dyn Expire>> {
        let shard = self.shards.get(key.shard as usize)?;
        shard.0.lock().remove(key.key())
    }

    /// See [`remove`].
    fn remove(&self, key: TimerKey) {
        drop(self.take(key)); // the lock is released
    }

    /// See [`fire`].
    #[cfg(any(test, feature = "test-util"))]
    fn fire(&self, key: TimerKey) -> bool {
        self.take(key)
            .and_then(|target| target.upgrade())
            .is_some_and(|target| target.expire())
    }

    /// See [`pending`].
    #[cfg(any(test, feature = "test-util"))]
    fn pending(&self) -> usize {
        self.shards.iter().map(|shard| shard.0.lock().armed()).sum()
    }

    /// Starts the thread unless it runs. On failure the queue stays
    /// unstarted, so that the next insert tries again.
    fn start(&'static self) -> io::Result<()> {
        if !timer_thread_enabled() || self.started.load(Ordering::Acquire) {
            return Ok(());
        }
        let _alarm = self.alarm.lock();
        if !self.started.load(Ordering::Relaxed) {
            spawn("context-timer", move || self.run())?;
            self.started.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// The timer thread. Targets' panics are caught one by one; a panic that
    /// still gets here is the queue's own, and the loop starts over after a
    /// tick (rather than spin) so that deadlines keep firing. Returns only
    /// once stopped (which only a model does).
    fn run(&'static self) {
        while catch_unwind(AssertUnwindSafe(|| self.serve())).is_err() {
            let alarm = self.alarm.lock();
            drop(self.alarm.sleep(alarm, now().checked_add(TICK)));
        }
    }

    /// Polls the wheels, then sleeps until the next tick that needs it; until
    /// stopped.
    fn serve(&'static self) {
        let mut due = Vec::with_capacity(wheel::BATCH);
        loop {
            // Inserts the poll misses lower this; see the module's docs.
            self.wake_at.store(NEVER, Ordering::Release);
            let plan = self.poll(&mut due);
            self.wake_at.fetch_min(plan, Ordering::AcqRel);
            if !self.sleep() {
                return;
            }
        }
    }

    /// Advances every wheel to now and expires what is due. Returns the
    /// earliest tick at which a wheel needs the thread again.
    fn poll(&self, due: &mut Vec<Weak<dyn Expire>>) -> u64 {
        let now = self.tick_at(now());
        let mut plan = NEVER;
        for shard in &self.shards {
            loop {
                let mut wheel = shard.0.lock();
                let more = wheel.poll(now, due);
                if !more {
                    plan = plan.min(wheel.next_due());
                }
                drop(wheel);
                for target in due.drain(..) {
                    expire(target);
                }
                if !more {
                    break;
                }
            }
        }
        plan
    }

    /// Sleeps until the tick in `wake_at`, which inserts may lower meanwhile.
    /// Returns false, at once, if the thread is to stop.
    fn sleep(&self) -> bool {
        let mut alarm = self.alarm.lock();
        loop {
            if self.alarm.stopped(&alarm) {
                return false;
            }
            let plan = self.wake_at.load(Ordering::Acquire);
            if plan <= self.tick_at(now()) {
                return true;
            }
            alarm = self.alarm.sleep(alarm, self.instant_of(plan));
        }
    }

    /// The tick `now` falls in (rounded down).
    fn tick_at(&self, now: Instant) -> u64 {
        let since = now.saturating_duration_since(self.epoch);
        let part = u64::from(since.subsec_nanos() / TICK_NANOS);
        ticks(since.as_secs(), part)
    }

    /// The first tick that starts at or after `deadline` (rounded up), so
    /// that a timer due at that tick is never early.
    fn tick_after(&self, deadline: Instant) -> u64 {
        let since = deadline.saturating_duration_since(self.epoch);
        let part = u64::from(since.subsec_nanos().div_ceil(TICK_NANOS));
        ticks(since.as_secs(), part)
    }

    /// When `tick` starts; `None` for [`NEVER`] (sleep until woken).
    fn instant_of(&self, tick: u64) -> Option<Instant> {
        if tick == NEVER {
            return None;
        }
        self.epoch.checked_add(Duration::from_millis(tick))
    }
}

/// Whole seconds and a part of one, in ticks, clamped to [`LAST_TICK`]
/// (64-bit arithmetic: this is on the insert path).
fn ticks(seconds: u64, part: u64) -> u64 {
    seconds
        .saturating_mul(TICKS_PER_SECOND)
        .saturating_add(part)
        .min(LAST_TICK)
}

/// Calls a due target if it is still there. A panic is caught so that one
/// target cannot stop every other deadline; the target is upgraded and
/// dropped inside too, since dropping the last `Arc` runs its destructor.
fn expire(target: Weak<dyn Expire>) {
    let expired = catch_unwind(AssertUnwindSafe(move || {
        if let Some(target) = target.upgrade() {
            target.expire();
        }
    }));
    drop(expired);
}

#[cfg(test)]
mod tests;
