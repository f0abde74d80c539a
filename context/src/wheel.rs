//! A hierarchical timing wheel: timers filed by deadline in O(1), found and
//! taken out in O(1) amortised as a clock moves on.
//!
//! The wheel is a plain data structure, with no lock, no clock and no thread:
//! it counts time in ticks that its owner gives it ([`Wheel::poll`]), and it
//! holds any `T` for each timer. The deadline queue (`concurrent/timer.rs`)
//! keeps one per shard, behind the shard's lock, and decides what a tick is.
//!
//! # Design
//!
//! - **Levels of slots** (tokio's design): six levels of 64 slots; a slot of
//!   level 0 is one tick, each level is 64 times coarser, and the six span
//!   2³⁶ ticks (later deadlines go round the top level again). A timer is
//!   filed under the highest bit where its deadline differs from the wheel's
//!   clock, found with one `leading_zeros`. When the clock reaches a slot, its
//!   timers become due or move down to a finer level; each moves at most once
//!   per level, so polling is O(1) amortised. A heap or an ordered map would
//!   cost O(log n) per operation and a cache miss per level.
//! - **No `unsafe`**: the timers live in a `Vec` (a slab), and every list (a
//!   slot's timers, the due ones, the free entries) is doubly linked by index,
//!   so unlinking is O(1). The `Vec` gives back its free tail and shrinks when
//!   a quarter full, so a burst of timers does not pin memory.
//! - **Keys** carry a generation that a wheel never reuses, so a key to a
//!   timer that has come due or been removed matches nothing, whoever holds
//!   that entry now.

use std::num::NonZeroU64;

/// A tick that never comes: what [`Wheel::next_due`] returns for an empty
/// wheel.
pub(crate) const NEVER: u64 = u64::MAX;
/// The last tick a deadline may name (146 million years of milliseconds):
/// callers clamp later deadlines here, so that tick arithmetic never
/// overflows, and such a timer still never comes due.
pub(crate) const LAST_TICK: u64 = 1 << 62;
/// Due timers taken out per [`Wheel::poll`]: bounds the time an owner's lock
/// is held, and its buffer, when many deadlines pass at once.
pub(crate) const BATCH: usize = 64;

/// log2 of the slots per level.
const SLOT_BITS: u32 = 6;
/// Slots per level.
const SLOTS: usize = 1 << SLOT_BITS;
/// Levels per wheel.
const LEVELS: usize = 6;
/// Ticks the wheel spans; farther deadlines go round the top level again.
const SPAN: u64 = 1 << (SLOT_BITS * LEVELS as u32);
/// The list of timers that are due but not yet taken out; lists below it
/// are slots, `level * SLOTS + slot`.
const DUE: u16 = (LEVELS * SLOTS) as u16;
/// The list of free entries.
const FREE: u16 = u16::MAX;
/// The end of a list.
const NIL: u32 = u32::MAX;
/// A wheel's slab is not shrunk below this many entries.
pub(crate) const MIN_CAPACITY: usize = 64;

/// Names one timer of one wheel: its entry, and the entry's generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Key {
    /// Never reused within the wheel; never zero, so that an `Option` of a
    /// key takes no more room than a key.
    pub(crate) generation: NonZeroU64,
    /// The entry in the wheel's slab.
    pub(crate) index: u32,
}

/// One slab entry: an armed timer, or a free entry.
struct Entry<T> {
    /// `None` while the entry is free.
    target: Option<T>,
    /// The timer's generation (see [`Key`]).
    generation: u64,
    /// The deadline in ticks.
    when: u64,
    /// The list the entry is on: a slot, [`DUE`] or [`FREE`].
    list: u16,
    /// The previous entry on the list, or [`NIL`].
    prev: u32,
    /// The next entry on the list, or [`NIL`].
    next: u32,
}

/// Timers over a slab, each holding a `T` until it comes due or is removed.
///
/// Invariant: a timer due at or before `elapsed` is on [`DUE`]; any other
/// is in the slot of the highest level where its deadline and `elapsed`
/// differ (the top level for farther ones), so the lowest occupied level
/// holds the earliest slot.
pub(crate) struct Wheel<T> {
    /// The slab: armed and free entries.
    entries: Vec<Entry<T>>,
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

impl<T> Wheel<T> {
    /// An empty wheel at tick 0.
    pub(crate) fn new() -> Self {
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

    /// How many timers are armed, due ones not yet taken out included (for
    /// `testing::pending_timers`).
    #[cfg(any(test, feature = "test-util"))]
    pub(crate) fn armed(&self) -> usize {
        self.armed
    }

    /// The slab's capacity, in entries.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    /// Arms a timer due at tick `when`; returns its key.
    pub(crate) fn insert(&mut self, when: u64, target: T) -> Key {
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
        Key { generation, index }
    }

    /// Disarms a timer if the key still names it; returns its target.
    pub(crate) fn remove(&mut self, key: Key) -> Option<T> {
        let entry = self.entries.get(key.index as usize)?;
        if entry.target.is_none() || entry.generation != key.generation.get() {
            return None;
        }
        self.unlink(key.index);
        self.release(key.index)
    }

    /// Advances the clock to tick `now`, moving due targets into `due` up to
    /// [`BATCH`] of them. Returns whether due timers remain.
    pub(crate) fn poll(&mut self, now: u64, due: &mut Vec<T>) -> bool {
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
    pub(crate) fn next_due(&self) -> u64 {
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
    fn release(&mut self, index: u32) -> Option<T> {
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
mod tests;
