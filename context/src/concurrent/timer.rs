//! The process-wide deadline queue: timers that call a target when their
//! deadline passes, unless stopped first.
//!
//! Most deadlines never fire: a request finishes and stops its timeout long
//! before it expires. So arming and stopping are the hot path, and they must
//! cost the same with 40 or 400,000 live timers and on 1 core or 64.
//!
//! # Design: sharded hierarchical timing wheels
//!
//! - **Shards**, so that cores do not contend (Go's per-P timer heaps): a few
//!   shards per core (a single one on a single core), each behind
//!   its own lock. A thread arms its timers in the shard its
//!   [`shard_hint`] picks, so each core mostly touches one lock and its own
//!   cache lines. A [`TimerKey`] names its shard, so a timer stopped from
//!   another thread still goes straight there.
//! - **Timing wheels**, so that arming and stopping are O(1) (tokio's
//!   design): each shard is six levels of 64 slots; a slot of level 0 is one
//!   tick (1 ms), each level is 64 times coarser, and the six span 2³⁶ ticks
//!   (about two years; later deadlines go round the top level again). A timer
//!   is filed under the highest bit where its deadline differs from the
//!   wheel's clock, found with one `leading_zeros`. When the clock reaches a
//!   slot, its timers fire or move down to a finer level; each moves at most
//!   once per level, so firing is O(1) amortised. A heap or an ordered map
//!   would cost O(log n) per operation and a cache miss per level.
//! - **No `unsafe`**: a shard's timers live in a `Vec` (a slab), and every
//!   list (a slot's timers, the due ones, the free entries) is doubly linked
//!   by index, so unlinking is O(1). The `Vec` gives back its free tail and
//!   shrinks when a quarter full, so a burst of timers does not pin memory.
//! - **Keys** carry a generation that a shard never reuses, so a key to a
//!   fired or stopped timer matches nothing, whoever holds that entry now.
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
//! Lock order: a caller's locks, then one shard's lock or the thread's lock,
//! never both at once; no queue lock is held while a target runs.

use std::io;
use std::num::NonZeroU64;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use super::sync::{
    Arc, AtomicBool, AtomicU64, Condvar, Global, Mutex, Ordering, TIMER_THREAD, Weak,
    available_parallelism, shard_hint, spawn,
};

/// What a timer calls when its deadline passes, on the timer thread.
pub(crate) trait Expire: Send + Sync {
    /// Called at most once per timer, at or after its deadline, with no
    /// queue lock held; it may arm and stop timers itself. Returns whether
    /// this call had an effect (it, and not something else, ended the
    /// target), which [`fire`] passes on.
    fn expire(self: Arc<Self>) -> bool;
}

/// Identifies one armed timer: its shard, its entry there, and the entry's
/// generation, which the shard never reuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TimerKey {
    /// Never reused within the shard; never zero, so that an
    /// `Option<TimerKey>` takes no more room than a key.
    generation: NonZeroU64,
    /// The entry in the shard's slab.
    index: u32,
    /// The shard.
    shard: u32,
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

/// log2 of the slots per level.
const SLOT_BITS: u32 = 6;
/// Slots per level.
const SLOTS: usize = 1 << SLOT_BITS;
/// Levels per wheel.
const LEVELS: usize = 6;
/// Ticks the wheel spans; farther deadlines go round the top level again.
const SPAN: u64 = 1 << (SLOT_BITS * LEVELS as u32);
/// The list of timers that are due but not yet taken by the thread; lists
/// below it are slots, `level * SLOTS + slot`.
const DUE: u16 = (LEVELS * SLOTS) as u16;
/// The list of free entries.
const FREE: u16 = u16::MAX;
/// The end of a list.
const NIL: u32 = u32::MAX;
/// A tick that never comes.
const NEVER: u64 = u64::MAX;
/// Later deadlines are clamped here (146 million years): tick arithmetic
/// then never overflows, and such a timer still never fires.
const LAST_TICK: u64 = 1 << 62;
/// One tick, the wheels' resolution: a millisecond (see [`Queue::instant_of`]).
const TICK: Duration = Duration::from_millis(1);
/// Nanoseconds per tick.
const TICK_NANOS: u32 = 1_000_000;
/// Ticks per second.
const TICKS_PER_SECOND: u64 = 1_000;
/// Due targets taken from a shard per lock: bounds the lock's hold and the
/// thread's buffer when many deadlines pass at once.
const BATCH: usize = 64;
/// Shards per core: enough that a few threads per core rarely share one.
const SHARDS_PER_CORE: usize = 4;
/// At most this many shards: the thread visits each one when it wakes.
const MAX_SHARDS: usize = 256;
/// A shard's slab is not shrunk below this many entries.
const MIN_CAPACITY: usize = 64;

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
    /// The thread's lock: held to start the thread, while it decides to
    /// sleep, and to wake it, so that no wake-up is lost.
    sleep: Mutex<()>,
    /// Wakes the thread for an earlier deadline.
    wake: Condvar,
}

/// One shard, on cache lines of its own so that cores do not false-share.
#[repr(align(128))]
struct Shard(Mutex<Wheel>);

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
            epoch: Instant::now(),
            shards: (0..shards)
                .map(|_| Shard(Mutex::new(Wheel::new())))
                .collect(),
            wake_at: AtomicU64::new(NEVER),
            started: AtomicBool::new(false),
            sleep: Mutex::new(()),
            wake: Condvar::new(),
        }
    }

    /// See [`insert`].
    fn insert(&'static self, deadline: Instant, target: Weak<dyn Expire>) -> io::Result<TimerKey> {
        self.start()?;
        let when = self.tick_after(deadline);
        let shard = shard_hint() & (self.shards.len() - 1);
        let (index, generation) = self.shards[shard].0.lock().insert(when, target);
        // The thread plans to sleep past this deadline: wake it. Taking its
        // lock orders the notify after its last look at `wake_at`.
        if TIMER_THREAD
            && when < self.wake_at.load(Ordering::Relaxed)
            && when < self.wake_at.fetch_min(when, Ordering::AcqRel)
        {
            let _sleep = self.sleep.lock();
            self.wake.notify_one();
        }
        Ok(TimerKey {
            generation,
            index,
            shard: shard as u32,
        })
    }

    /// Takes an armed timer's target out of its shard.
    fn take(&self, key: TimerKey) -> Option<Weak<dyn Expire>> {
        let shard = self.shards.get(key.shard as usize)?;
        shard.0.lock().remove(key.index, key.generation)
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
        self.shards.iter().map(|shard| shard.0.lock().armed).sum()
    }

    /// Starts the thread unless it runs. On failure the queue stays
    /// unstarted, so that the next insert tries again.
    fn start(&'static self) -> io::Result<()> {
        if !TIMER_THREAD || self.started.load(Ordering::Acquire) {
            return Ok(());
        }
        let _sleep = self.sleep.lock();
        if !self.started.load(Ordering::Relaxed) {
            spawn("context-timer", move || self.run())?;
            self.started.store(true, Ordering::Release);
        }
        Ok(())
    }

    /// The timer thread. Targets' panics are caught one by one; a panic that
    /// still gets here is the queue's own, and the loop starts over after a
    /// tick (rather than spin) so that deadlines keep firing.
    fn run(&'static self) {
        loop {
            if catch_unwind(AssertUnwindSafe(|| self.serve())).is_err() {
                let sleep = self.sleep.lock();
                drop(self.wake.wait_timeout(sleep, TICK));
            }
        }
    }

    /// Polls the wheels, then sleeps until the next tick that needs it; for
    /// ever.
    fn serve(&'static self) {
        let mut due = Vec::with_capacity(BATCH);
        loop {
            // Inserts the poll misses lower this; see the module's docs.
            self.wake_at.store(NEVER, Ordering::Release);
            let plan = self.poll(&mut due);
            self.wake_at.fetch_min(plan, Ordering::AcqRel);
            self.sleep();
        }
    }

    /// Advances every wheel to now and expires what is due. Returns the
    /// earliest tick at which a wheel needs the thread again.
    fn poll(&self, due: &mut Vec<Weak<dyn Expire>>) -> u64 {
        let now = self.tick_at(Instant::now());
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
    fn sleep(&self) {
        let mut sleep = self.sleep.lock();
        loop {
            let plan = self.wake_at.load(Ordering::Acquire);
            let now = Instant::now();
            if plan <= self.tick_at(now) {
                return;
            }
            sleep = match self.instant_of(plan) {
                Some(at) => self
                    .wake
                    .wait_timeout(sleep, at.saturating_duration_since(now)),
                None => self.wake.wait(sleep),
            };
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

/// One slab entry: an armed timer, or a free entry.
struct Entry {
    /// `None` while the entry is free.
    target: Option<Weak<dyn Expire>>,
    /// The timer's generation (see [`TimerKey`]).
    generation: u64,
    /// The deadline in ticks, rounded up.
    when: u64,
    /// The list the entry is on: a slot, [`DUE`] or [`FREE`].
    list: u16,
    /// The previous entry on the list, or [`NIL`].
    prev: u32,
    /// The next entry on the list, or [`NIL`].
    next: u32,
}

/// One shard's timers: a hierarchical timing wheel over a slab.
///
/// Invariant: a timer due at or before `elapsed` is on [`DUE`]; any other
/// is in the slot of the highest level where its deadline and `elapsed`
/// differ (the top level for farther ones), so the lowest occupied level
/// holds the earliest slot.
struct Wheel {
    /// The slab: armed and free entries.
    entries: Vec<Entry>,
    /// The first entry of each slot's list and of [`DUE`]'s.
    heads: [u32; DUE as usize + 1],
    /// The first free entry.
    free: u32,
    /// Bit `s` of `occupied[level]`: that slot's list is not empty.
    occupied: [u64; LEVELS],
    /// The wheel's clock, in ticks.
    elapsed: u64,
    /// How many timers are armed (due ones included).
    armed: usize,
    /// The generation of the next timer (the first is 1).
    next_generation: u64,
}

impl Wheel {
    /// An empty wheel at tick 0.
    fn new() -> Self {
        Self {
            entries: Vec::new(),
            heads: [NIL; DUE as usize + 1],
            free: NIL,
            occupied: [0; LEVELS],
            elapsed: 0,
            armed: 0,
            next_generation: 1,
        }
    }

    /// Arms a timer; returns its entry's index and generation.
    fn insert(&mut self, when: u64, target: Weak<dyn Expire>) -> (u32, NonZeroU64) {
        let generation = NonZeroU64::new(self.next_generation).expect("generations start at 1");
        self.next_generation += 1;
        let entry = Entry {
            target: Some(target),
            generation: generation.get(),
            when,
            list: FREE,
            prev: NIL,
            next: NIL,
        };
        let index = if self.free == NIL {
            // 2³² entries would take 192 GiB: the index cannot overflow.
            self.entries.push(entry);
            (self.entries.len() - 1) as u32
        } else {
            let index = self.free;
            self.unlink(index);
            self.entries[index as usize] = entry;
            index
        };
        self.file(index);
        self.armed += 1;
        (index, generation)
    }

    /// Disarms a timer if the key still names it; returns its target.
    fn remove(&mut self, index: u32, generation: NonZeroU64) -> Option<Weak<dyn Expire>> {
        let entry = self.entries.get(index as usize)?;
        if entry.target.is_none() || entry.generation != generation.get() {
            return None;
        }
        self.unlink(index);
        self.release(index)
    }

    /// Advances the clock to `now` (a tick), moving due targets into `due`
    /// up to [`BATCH`]. Returns whether due timers remain.
    fn poll(&mut self, now: u64, due: &mut Vec<Weak<dyn Expire>>) -> bool {
        loop {
            while self.heads[usize::from(DUE)] != NIL {
                if due.len() >= BATCH {
                    return true;
                }
                let index = self.heads[usize::from(DUE)];
                self.unlink(index);
                due.extend(self.release(index));
            }
            match self.next_expiration() {
                Some((list, at)) if at <= now => self.cascade(list, at),
                _ => {
                    self.elapsed = self.elapsed.max(now);
                    return false;
                }
            }
        }
    }

    /// The earliest tick at which [`Wheel::poll`] has work: now if timers
    /// are due, else the earliest occupied slot's start, else [`NEVER`].
    fn next_due(&self) -> u64 {
        if self.heads[usize::from(DUE)] != NIL {
            self.elapsed
        } else {
            self.next_expiration().map_or(NEVER, |(_, at)| at)
        }
    }

    /// The earliest occupied slot and the tick it starts at.
    fn next_expiration(&self) -> Option<(u16, u64)> {
        (0..LEVELS).find_map(|level| {
            let occupied = self.occupied[level];
            if occupied == 0 {
                return None;
            }
            let shift = level as u32 * SLOT_BITS;
            let slot_span = 1_u64 << shift;
            let level_span = slot_span << SLOT_BITS;
            let current = (self.elapsed >> shift) % SLOTS as u64;
            // The first occupied slot after the current one. Only the top
            // level wraps, for deadlines a turn or more ahead; for it the
            // current slot comes last, on the next turn.
            let after = occupied.rotate_right(((current + 1) % SLOTS as u64) as u32);
            let slot = (current + 1 + u64::from(after.trailing_zeros())) % SLOTS as u64;
            let mut at = (self.elapsed & !(level_span - 1)) + slot * slot_span;
            if at <= self.elapsed {
                at += level_span;
            }
            Some(((level * SLOTS) as u16 + slot as u16, at))
        })
    }

    /// Moves the clock to `at`, where slot `list` starts, and files its
    /// timers again: due ones on [`DUE`], the others on finer levels.
    fn cascade(&mut self, list: u16, at: u64) {
        self.elapsed = at;
        let mut index = std::mem::replace(&mut self.heads[usize::from(list)], NIL);
        self.occupied[usize::from(list) / SLOTS] &= !(1 << (usize::from(list) % SLOTS));
        while index != NIL {
            let next = self.entries[index as usize].next;
            self.file(index);
            index = next;
        }
    }

    /// Files an armed, unlinked entry by its deadline.
    fn file(&mut self, index: u32) {
        let when = self.entries[index as usize].when;
        let list = if when <= self.elapsed {
            DUE
        } else {
            // The level is that of the highest bit where the deadline and
            // the clock differ: the slot comes round before any coarser one.
            let differ = ((self.elapsed ^ when) | (SLOTS as u64 - 1)).min(SPAN - 1);
            let level = (63 - differ.leading_zeros()) / SLOT_BITS;
            let slot = (when >> (level * SLOT_BITS)) % SLOTS as u64;
            (level as usize * SLOTS) as u16 + slot as u16
        };
        self.push(list, index);
    }

    /// Frees an unlinked entry; returns its target. Gives back the slab's
    /// free tail, and shrinks it when a quarter full, so that memory follows
    /// the number of armed timers.
    fn release(&mut self, index: u32) -> Option<Weak<dyn Expire>> {
        let target = self.entries[index as usize].target.take();
        self.armed -= 1;
        self.push(FREE, index);
        while self.entries.last().is_some_and(|last| last.list == FREE) {
            self.unlink((self.entries.len() - 1) as u32);
            self.entries.pop();
        }
        let capacity = self.entries.capacity();
        if capacity > MIN_CAPACITY && self.entries.len() <= capacity / 4 {
            self.entries
                .shrink_to((self.entries.len() * 2).max(MIN_CAPACITY));
        }
        target
    }

    /// The head of a list.
    fn head(&mut self, list: u16) -> &mut u32 {
        if list == FREE {
            &mut self.free
        } else {
            &mut self.heads[usize::from(list)]
        }
    }

    /// Puts an entry at the front of a list.
    fn push(&mut self, list: u16, index: u32) {
        let next = std::mem::replace(self.head(list), index);
        let entry = &mut self.entries[index as usize];
        entry.list = list;
        entry.prev = NIL;
        entry.next = next;
        if next != NIL {
            self.entries[next as usize].prev = index;
        }
        if list < DUE {
            self.occupied[usize::from(list) / SLOTS] |= 1 << (usize::from(list) % SLOTS);
        }
    }

    /// Takes an entry off its list.
    fn unlink(&mut self, index: u32) {
        let Entry {
            list, prev, next, ..
        } = self.entries[index as usize];
        if prev == NIL {
            *self.head(list) = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        if next != NIL {
            self.entries[next as usize].prev = prev;
        }
        if list < DUE && prev == NIL && next == NIL {
            self.occupied[usize::from(list) / SLOTS] &= !(1 << (usize::from(list) % SLOTS));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::sync::{Arc, Barrier, mpsc};
    use std::thread;

    use super::super::sync::fail_next_spawn;
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);
    /// A failure timeout: only a failing test waits this long.
    const QUIESCENT: Duration = Duration::from_secs(10);

    /// A queue of the test's own (leaked, as the process's is), so that
    /// counts are exact while tests run in parallel; `None` in the
    /// model-checked instance, whose primitives work only inside a model.
    fn fresh() -> Option<&'static Queue> {
        TIMER_THREAD.then(|| &*Box::leak(Box::new(Queue::new())))
    }

    /// Reports each expiry: its id and when it came.
    struct Probe {
        /// Tells probes apart in the log.
        id: usize,
        /// How many times it expired.
        fired: AtomicUsize,
        /// Where expiries are reported.
        log: mpsc::Sender<(usize, Instant)>,
    }

    impl Expire for Probe {
        fn expire(self: Arc<Self>) -> bool {
            self.fired.fetch_add(1, Ordering::SeqCst);
            let _ = self.log.send((self.id, Instant::now()));
            true
        }
    }

    /// A probe that reports to `log`.
    fn probe(id: usize, log: &mpsc::Sender<(usize, Instant)>) -> Arc<Probe> {
        Arc::new(Probe {
            id,
            fired: AtomicUsize::new(0),
            log: log.clone(),
        })
    }

    /// What the queue holds of a target.
    fn weak<T: Expire + 'static>(target: &Arc<T>) -> Weak<dyn Expire> {
        Arc::downgrade(target) as Weak<dyn Expire>
    }

    /// The next expiry reported, within [`QUIESCENT`].
    fn next(log: &mpsc::Receiver<(usize, Instant)>) -> (usize, Instant) {
        log.recv_timeout(QUIESCENT)
            .expect("a deadline did not fire")
    }

    #[test]
    fn entries_and_keys_are_small() {
        assert!(size_of::<Entry>() <= 48);
        assert!(size_of::<TimerKey>() <= 16);
    }

    #[test]
    fn deadlines_round_up_to_ticks_and_the_clock_down() {
        let Some(queue) = fresh() else { return };
        let epoch = queue.epoch;
        for nanos in [
            0,
            1,
            999_999,
            1_000_000,
            1_000_001,
            2_500_000_000,
            3_600_000_000_001,
        ] {
            let at = epoch + Duration::from_nanos(nanos);
            let after = queue.tick_after(at);
            assert!(queue.instant_of(after).unwrap() >= at);
            assert!(queue.instant_of(queue.tick_at(at)).unwrap() <= at);
            assert!(after - queue.tick_at(at) <= 1);
        }
        if let Some(before) = epoch.checked_sub(Duration::from_secs(1)) {
            assert_eq!(queue.tick_after(before), 0);
        }
        if let Some(far) = epoch.checked_add(Duration::from_secs(1 << 53)) {
            assert_eq!(queue.tick_after(far), LAST_TICK);
        }
        assert!(queue.instant_of(LAST_TICK).is_some());
        assert_eq!(queue.instant_of(NEVER), None);
    }

    #[test]
    fn timers_fire_at_or_after_their_deadline() {
        let Some(queue) = fresh() else { return };
        let (tx, rx) = mpsc::channel();
        let start = Instant::now();
        let deadlines = [
            start.checked_sub(Duration::from_secs(1)).unwrap_or(start),
            start,
            start + Duration::from_millis(1),
            start + Duration::from_millis(5),
            start + Duration::from_micros(12_345),
            start + Duration::from_millis(70),
            start + Duration::from_millis(5),
        ];
        let probes: Vec<_> = (0..deadlines.len()).map(|id| probe(id, &tx)).collect();
        for (deadline, probe) in deadlines.iter().zip(&probes) {
            queue.insert(*deadline, weak(probe)).unwrap();
        }
        for _ in 0..deadlines.len() {
            let (id, at) = next(&rx);
            assert!(at >= deadlines[id], "timer {id} fired early");
        }
        assert_eq!(queue.pending(), 0);
        assert!(probes.iter().all(|p| p.fired.load(Ordering::SeqCst) == 1));
    }

    #[test]
    fn a_removed_timer_never_fires() {
        let Some(queue) = fresh() else { return };
        let (tx, rx) = mpsc::channel();
        let (removed, sentinel) = (probe(0, &tx), probe(1, &tx));
        // A loaded machine may stall this thread past the deadline before
        // it removes the timer; then the round proves nothing: go again.
        let deadline = loop {
            let deadline = Instant::now() + Duration::from_millis(20);
            let key = queue.insert(deadline, weak(&removed)).unwrap();
            if queue.take(key).is_some() {
                break deadline;
            }
            assert_eq!(next(&rx).0, 0);
            removed.fired.store(0, Ordering::SeqCst);
        };
        // The sentinel fires after the removed timer's deadline has passed.
        queue
            .insert(deadline + Duration::from_millis(20), weak(&sentinel))
            .unwrap();
        assert_eq!(next(&rx).0, 1, "only the sentinel fires");
        assert_eq!(removed.fired.load(Ordering::SeqCst), 0);
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    fn fire_expires_now_and_only_once() {
        let Some(queue) = fresh() else { return };
        let (tx, _rx) = mpsc::channel();
        let target = probe(0, &tx);
        let key = queue.insert(Instant::now() + HOUR, weak(&target)).unwrap();
        assert_eq!(queue.pending(), 1);
        assert!(queue.fire(key));
        assert_eq!(target.fired.load(Ordering::SeqCst), 1);
        assert_eq!(queue.pending(), 0);
        assert!(!queue.fire(key), "already fired");
        queue.remove(key); // a no-op
        assert_eq!(target.fired.load(Ordering::SeqCst), 1);

        // A target that is gone: nothing to call, and the timer is gone too.
        let gone = probe(1, &tx);
        let key = queue.insert(Instant::now() + HOUR, weak(&gone)).unwrap();
        drop(gone);
        assert!(!queue.fire(key));
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    fn a_target_that_is_gone_is_skipped() {
        let Some(queue) = fresh() else { return };
        let (tx, rx) = mpsc::channel();
        let gone = probe(0, &tx);
        let sentinel = probe(1, &tx);
        queue.insert(Instant::now(), weak(&gone)).unwrap();
        drop(gone);
        queue
            .insert(Instant::now() + Duration::from_millis(5), weak(&sentinel))
            .unwrap();
        assert_eq!(next(&rx).0, 1);
        assert_eq!(queue.pending(), 0);
    }

    /// Stops one timer and arms another from inside `expire`.
    struct Reenter {
        /// The queue it re-enters.
        queue: &'static Queue,
        /// The timer it stops.
        victim: std::sync::Mutex<Option<TimerKey>>,
        /// The target of the timer it arms, due at once.
        then: Arc<Probe>,
    }

    impl Expire for Reenter {
        fn expire(self: Arc<Self>) -> bool {
            if let Some(victim) = self.victim.lock().unwrap().take() {
                self.queue.remove(victim);
            }
            self.queue.insert(Instant::now(), weak(&self.then)).unwrap();
            true
        }
    }

    #[test]
    fn expire_may_remove_and_insert() {
        let Some(queue) = fresh() else { return };
        let (tx, rx) = mpsc::channel();
        for by_fire in [false, true] {
            let (victim, then) = (probe(0, &tx), probe(1, &tx));
            // Both on this thread's shard: fired by the thread, the
            // re-entrant calls hit the shard it has just polled; fired here,
            // the shard `fire` has just unlocked.
            let victim_key = queue.insert(Instant::now() + HOUR, weak(&victim)).unwrap();
            let reenter = Arc::new(Reenter {
                queue,
                victim: std::sync::Mutex::new(Some(victim_key)),
                then: then.clone(),
            });
            let deadline = if by_fire {
                Instant::now() + HOUR
            } else {
                Instant::now()
            };
            let key = queue.insert(deadline, weak(&reenter)).unwrap();
            if by_fire {
                assert!(queue.fire(key));
            }
            assert_eq!(next(&rx).0, 1, "the timer armed by expire fires");
            assert_eq!(queue.pending(), 0, "the victim is gone");
            assert!(!queue.fire(victim_key));
            assert_eq!(victim.fired.load(Ordering::SeqCst), 0);
        }
    }

    /// A target that panics.
    struct Panics;

    impl Expire for Panics {
        fn expire(self: Arc<Self>) -> bool {
            panic!("a target panicked (as this test means it to)");
        }
    }

    #[test]
    fn a_panicking_target_does_not_stop_the_thread() {
        let Some(queue) = fresh() else { return };
        let (tx, rx) = mpsc::channel();
        let panics = Arc::new(Panics);
        let (after, later) = (probe(0, &tx), probe(1, &tx));
        let start = Instant::now();
        queue.insert(start, weak(&panics)).unwrap();
        queue
            .insert(start + Duration::from_millis(5), weak(&after))
            .unwrap();
        assert_eq!(next(&rx).0, 0);
        queue.insert(Instant::now(), weak(&panics)).unwrap();
        queue
            .insert(Instant::now() + Duration::from_millis(1), weak(&later))
            .unwrap();
        assert_eq!(next(&rx).0, 1);
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    fn pending_counts_armed_timers() {
        let Some(queue) = fresh() else { return };
        let (tx, _rx) = mpsc::channel();
        let target = probe(0, &tx);
        let keys: Vec<_> = (0..10)
            .map(|_| queue.insert(Instant::now() + HOUR, weak(&target)).unwrap())
            .collect();
        assert_eq!(queue.pending(), 10);
        for key in &keys[..3] {
            queue.remove(*key);
        }
        assert_eq!(queue.pending(), 7);
        for key in &keys[3..5] {
            assert!(queue.fire(*key));
        }
        assert_eq!(queue.pending(), 5);
        for key in &keys {
            queue.remove(*key);
        }
        assert_eq!(queue.pending(), 0);
        assert_eq!(target.fired.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_stale_key_matches_nothing() {
        let Some(queue) = fresh() else { return };
        let (tx, rx) = mpsc::channel();
        let (first, second) = (probe(0, &tx), probe(1, &tx));
        let stale = queue.insert(Instant::now() + HOUR, weak(&first)).unwrap();
        queue.remove(stale);
        let key = queue.insert(Instant::now() + HOUR, weak(&second)).unwrap();
        assert_eq!((key.shard, key.index), (stale.shard, stale.index), "reused");
        assert_ne!(key, stale);
        queue.remove(stale);
        assert!(!queue.fire(stale));
        assert_eq!(queue.pending(), 1);
        assert!(queue.fire(key));
        assert_eq!(second.fired.load(Ordering::SeqCst), 1);
        assert_eq!(first.fired.load(Ordering::SeqCst), 0);

        // A key whose timer the thread fired is stale too.
        let key = queue.insert(Instant::now(), weak(&first)).unwrap();
        assert_eq!(next(&rx).0, 1);
        assert_eq!(next(&rx).0, 0);
        let other = queue.insert(Instant::now() + HOUR, weak(&second)).unwrap();
        queue.remove(key);
        assert!(!queue.fire(key));
        assert_eq!(queue.pending(), 1);
        queue.remove(other);
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    fn threads_arm_stop_and_fire_concurrently() {
        let Some(queue) = fresh() else { return };
        const THREADS: usize = 4;
        const PER_THREAD: usize = 20_000;
        let (tx, _rx) = mpsc::channel();
        let target = probe(0, &tx);
        let taken = AtomicUsize::new(0);
        let barrier = Barrier::new(THREADS);
        let kept: Vec<Vec<TimerKey>> = thread::scope(|scope| {
            let workers: Vec<_> = (0..THREADS)
                .map(|_| {
                    scope.spawn(|| {
                        barrier.wait();
                        let mut kept = Vec::new();
                        for i in 0..PER_THREAD {
                            let deadline = match i % 4 {
                                0 => Instant::now() + HOUR,
                                1 => Instant::now(),
                                _ => Instant::now() + Duration::from_millis(i as u64 % 7),
                            };
                            let key = queue.insert(deadline, weak(&target)).unwrap();
                            if i % 2 == 0 {
                                taken.fetch_add(
                                    usize::from(queue.take(key).is_some()),
                                    Ordering::SeqCst,
                                );
                            } else {
                                kept.push(key);
                            }
                        }
                        kept
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        // Each thread stops another's timers, racing the timer thread.
        thread::scope(|scope| {
            for (i, _) in kept.iter().enumerate() {
                let keys = &kept[(i + 1) % THREADS];
                let taken = &taken;
                scope.spawn(move || {
                    for key in keys.iter().rev() {
                        taken.fetch_add(usize::from(queue.take(*key).is_some()), Ordering::SeqCst);
                    }
                });
            }
        });
        let total = THREADS * PER_THREAD;
        let give_up = Instant::now() + QUIESCENT;
        while target.fired.load(Ordering::SeqCst) + taken.load(Ordering::SeqCst) < total {
            assert!(Instant::now() < give_up, "timers lost");
            thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(
            target.fired.load(Ordering::SeqCst) + taken.load(Ordering::SeqCst),
            total,
            "each timer fired or was stopped, once"
        );
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    fn a_refused_thread_arms_nothing_and_is_retried() {
        let Some(queue) = fresh() else { return };
        let (tx, rx) = mpsc::channel();
        let target = probe(0, &tx);
        fail_next_spawn();
        let refused = queue.insert(Instant::now(), weak(&target));
        assert!(refused.is_err());
        assert_eq!(queue.pending(), 0);
        assert!(!queue.started.load(Ordering::SeqCst));
        queue.insert(Instant::now(), weak(&target)).unwrap();
        assert!(queue.started.load(Ordering::SeqCst));
        assert_eq!(next(&rx).0, 0);
        assert_eq!(queue.pending(), 0);
    }

    #[test]
    fn many_timers_then_none_give_their_memory_back() {
        let Some(queue) = fresh() else { return };
        let (tx, _rx) = mpsc::channel();
        let target = probe(0, &tx);
        let capacity = || -> usize {
            let shards = queue.shards.iter();
            shards.map(|shard| shard.0.lock().entries.capacity()).sum()
        };
        for order in 0..3 {
            let start = Instant::now();
            let mut keys: Vec<_> = (0..400_000_u64)
                .map(|i| {
                    let deadline = start + HOUR + Duration::from_micros(i * 37 % 1_000_000_000);
                    queue.insert(deadline, weak(&target)).unwrap()
                })
                .collect();
            assert_eq!(queue.pending(), 400_000);
            match order {
                0 => {}
                1 => keys.reverse(),
                _ => {
                    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
                    for i in (1..keys.len()).rev() {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        keys.swap(i, (x % (i as u64 + 1)) as usize);
                    }
                }
            }
            for key in keys {
                queue.remove(key);
            }
            assert_eq!(queue.pending(), 0);
            assert!(capacity() <= queue.shards.len() * MIN_CAPACITY);
        }
        assert_eq!(target.fired.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn the_process_queue() {
        if !TIMER_THREAD {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let (soon, later) = (probe(0, &tx), probe(1, &tx));
        let key = insert(Instant::now() + HOUR, weak(&later)).unwrap();
        assert!(pending() >= 1); // other tests may arm timers here too
        let deadline = Instant::now() + Duration::from_millis(5);
        insert(deadline, weak(&soon)).unwrap();
        let (id, at) = next(&rx);
        assert_eq!(id, 0);
        assert!(at >= deadline);
        assert!(fire(key));
        assert!(!fire(key));
        remove(key);
        assert_eq!(later.fired.load(Ordering::SeqCst), 1);
    }

    /// The wheel alone, on a simulated clock: every timer comes out of the
    /// first poll at or after its deadline, never before, and the wheel
    /// never plans to look later than its earliest timer.
    #[test]
    fn the_wheel_fires_each_timer_at_its_tick() {
        /// Writes its id to the log when expired.
        struct Id(usize, Arc<std::sync::Mutex<Vec<usize>>>);
        impl Expire for Id {
            fn expire(self: Arc<Self>) -> bool {
                self.1.lock().unwrap().push(self.0);
                true
            }
        }
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut wheel = Wheel::new();
        let mut targets = Vec::new();
        // By id: the deadline and the key while armed.
        let mut armed: Vec<Option<(u64, (u32, NonZeroU64))>> = Vec::new();
        let mut now = 0_u64;
        let mut due = Vec::new();
        let mut fired = 0;
        for round in 0..5_000 {
            // Arm a few, at every scale, some already due.
            for _ in 0..(random() % 8) {
                let scale = random() % 44;
                let when = (now + random() % (1 << scale)).saturating_sub(random() % 4);
                let when = if round % 97 == 0 { LAST_TICK } else { when };
                let target = Arc::new(Id(targets.len(), log.clone()));
                let key = wheel.insert(when, weak(&target));
                armed.push(Some((when, key)));
                targets.push(target);
            }
            // Stop one at random.
            if !armed.is_empty() {
                let pick = (random() as usize) % armed.len();
                if let Some((_, (index, generation))) = armed[pick].take() {
                    assert!(wheel.remove(index, generation).is_some());
                    assert!(wheel.remove(index, generation).is_none());
                }
            }
            let earliest = armed.iter().flatten().map(|(when, _)| *when).min();
            let plan = wheel.next_due();
            assert!(earliest.is_none_or(|earliest| plan <= earliest.max(wheel.elapsed)));
            // Advance: mostly a little, sometimes a lot, sometimes to the plan.
            now += match random() % 10 {
                0 => random() % (1 << (random() % 40)),
                1 => plan.min(LAST_TICK - 1).saturating_sub(now),
                _ => random() % 50,
            };
            loop {
                let more = wheel.poll(now, &mut due);
                assert!(due.len() <= BATCH);
                for target in due.drain(..) {
                    target.upgrade().unwrap().expire();
                    let id = log.lock().unwrap().pop().unwrap();
                    let (when, _) = armed[id].take().expect("fired twice or after removal");
                    assert!(when <= now, "fired early");
                    fired += 1;
                }
                if !more {
                    break;
                }
            }
            let late = armed
                .iter()
                .flatten()
                .filter(|(when, _)| *when <= now)
                .count();
            assert_eq!(late, 0, "a due timer stayed in the wheel");
            assert_eq!(wheel.armed, armed.iter().flatten().count());
        }
        assert!(fired > 1_000, "the clock moved past most deadlines");
    }
}
