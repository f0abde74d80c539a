//! Churn: a long-lived parent that derives and cancels hundreds of thousands
//! of short-lived children keeps no trace of them, in its child set or in
//! memory.
//!
//! Memory is measured with a counting global allocator (live bytes and live
//! blocks), never with a clock, which is why this is its own test binary.
//! The tests here are serialized by [`SERIAL`] so that each one measures only
//! itself. The normal run churns 200 000 children; the ignored `soak_*`
//! variant churns a million:
//!
//! ```text
//! cargo test --release -p go-context --test churn -- --ignored soak
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context as TaskContext, Waker};
use std::time::Duration;

use go_context::{Context, Key, testing};

/// Counts live heap bytes and blocks for the whole process.
struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);
static LIVE_BLOCKS: AtomicIsize = AtomicIsize::new(0);

fn track(bytes: usize, blocks: isize) {
    LIVE_BYTES.fetch_add(bytes as isize * blocks.signum(), Ordering::Relaxed);
    LIVE_BLOCKS.fetch_add(blocks, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counters are only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            track(layout.size(), 1);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            track(layout.size(), 1);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) };
        track(layout.size(), -1);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc`, passed on.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            track(layout.size(), -1);
            track(new_size, 1);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One test at a time in this binary, so that each measures only itself.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

#[derive(Debug, Clone, Copy)]
struct Live {
    bytes: isize,
    blocks: isize,
}

fn live() -> Live {
    Live {
        bytes: LIVE_BYTES.load(Ordering::Relaxed),
        blocks: LIVE_BLOCKS.load(Ordering::Relaxed),
    }
}

/// What the rest of the process may hold at the moment of a measurement: the
/// timer thread between two allocations of its queue. (Measured: the churn
/// itself is exactly flat.) One leaked context per ten thousand children
/// exceeds it.
const SLACK: Live = Live {
    bytes: 4 * 1024,
    blocks: 8,
};

fn assert_flat(before: Live, what: &str) {
    let now = live();
    assert!(
        now.bytes - before.bytes <= SLACK.bytes && now.blocks - before.blocks <= SLACK.blocks,
        "{what}: {} bytes in {} blocks more than before the churn",
        now.bytes - before.bytes,
        now.blocks - before.blocks,
    );
}

const HOUR: Duration = Duration::from_secs(3600);

static TAG: Key<u64> = Key::new("tag");

#[derive(Debug)]
struct Why;

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("done with it")
    }
}

impl std::error::Error for Why {}

/// Derives and cancels `count` children of `parent`, in every way the crate
/// offers, some one at a time and some in bursts that are all live at once.
fn churn(parent: &Context, count: usize) {
    let mut burst = Vec::new();
    for i in 0..count {
        match i % 8 {
            0 => drop(go_context::with_cancel(parent)),
            1 => drop(go_context::with_timeout(parent, HOUR)),
            2 => {
                let (ctx, cancel) = go_context::with_cancel_cause(parent);
                let done = ctx.done(); // allocates the done channel
                cancel.cancel(Some(Arc::new(Why)));
                assert!(done.recv().is_err());
            }
            3 => {
                let (ctx, _cancel) = go_context::with_timeout(parent, HOUR);
                assert!(testing::expire(&ctx));
            }
            4 => {
                let tagged = go_context::with_value(parent, &TAG, i as u64);
                let (ctx, cancel) = go_context::with_cancel(&tagged);
                let (_grandchild, _cancel) = go_context::with_timeout(&ctx, HOUR);
                drop(cancel); // the grandchild goes with it
            }
            5 => {
                let link = go_context::after_func(parent, || unreachable!("stopped first"));
                assert!(link.stop());
            }
            6 => {
                let mut waiting = parent.wait_async();
                let mut cx = TaskContext::from_waker(Waker::noop());
                assert!(Pin::new(&mut waiting).poll(&mut cx).is_pending());
            }
            _ => {
                burst.push(go_context::with_timeout(parent, HOUR));
                if burst.len() == 256 {
                    // Cancel from the middle outwards, not in creation order.
                    while !burst.is_empty() {
                        drop(burst.swap_remove(burst.len() / 2));
                    }
                }
            }
        }
    }
    drop(burst);
}

fn run(children: usize) {
    let _serial = serial();
    let (parent, _cancel) = go_context::with_cancel(&go_context::background());
    // Warm up: start the timer thread and reach every buffer's working size.
    churn(&parent, 4096);
    let before = live();
    let timers = testing::pending_timers();

    let chunk = children / 10;
    for round in 1..=10 {
        churn(&parent, chunk);
        assert_eq!(
            testing::child_count(&parent),
            0,
            "after {} children",
            round * chunk
        );
        assert_flat(before, &format!("after {} children", round * chunk));
    }
    assert_eq!(testing::pending_timers(), timers, "timers left armed");
}

#[test]
fn two_hundred_thousand_children_leave_nothing_behind() {
    run(200_000);
}

#[test]
#[ignore = "soak: a million children; run in release (see the file header)"]
fn soak_a_million_children_leave_nothing_behind() {
    run(1_000_000);
}

/// Parent and child never own each other: a tree whose handles are all
/// disarmed and that is never canceled is freed as soon as its last context
/// is dropped, whatever its layers and whichever end goes first, exactly as
/// one canceled by its handle is; and its timers go with it.
#[test]
fn disarmed_tree_dropped_without_cancel_is_freed() {
    static TRACE: Key<u64> = Key::new("trace");
    let _serial = serial();
    let build = |disarm: bool, leaf_first: bool| {
        let (root, cancel_root) = go_context::with_cancel(&go_context::background());
        let (timed, cancel_timed) = go_context::with_timeout(&root, Duration::from_secs(3600));
        let valued = go_context::with_value(&timed, &TRACE, 7);
        let (leaf, cancel_leaf) = go_context::with_cancel(&valued);
        let _done = leaf.done(); // a done channel, then dropped too
        let link = go_context::after_func(&leaf, || unreachable!("nothing cancels this tree"));
        assert_eq!(testing::child_count(&root), 1);
        assert_eq!(testing::child_count(&timed), 1);
        if disarm {
            cancel_root.disarm();
            cancel_timed.disarm();
            cancel_leaf.disarm();
        } else {
            // Dropping the handles cancels, leaf first; the link's f would run.
            link.stop();
            drop((cancel_leaf, cancel_timed, cancel_root));
        }
        if leaf_first {
            drop((link, leaf, valued, timed, root));
        } else {
            drop((root, timed, valued, leaf, link));
        }
    };
    build(false, true); // warm up
    let timers = testing::pending_timers();

    for (disarm, leaf_first) in [(false, true), (true, true), (true, false)] {
        let before = live();
        // A thousand trees, so that one leaked block each is a thousand
        // blocks, far above what the test harness's own threads may allocate
        // meanwhile (a few blocks, however loaded the machine).
        const TREES: isize = 1_000;
        for _ in 0..TREES {
            build(disarm, leaf_first);
        }
        let grown = live().blocks - before.blocks;
        assert!(
            grown < TREES / 10,
            "{grown} blocks more after {TREES} trees dropped \
             (handles disarmed: {disarm}, leaf first: {leaf_first})"
        );
        assert_eq!(
            testing::pending_timers(),
            timers,
            "the timer went with its context"
        );
    }
}

/// A registered child that is dropped without a cancel leaves a long-lived
/// parent at once: a parent never accumulates what nobody can observe.
#[test]
fn a_dropped_child_leaves_its_parent() {
    let _serial = serial();
    let (parent, _cancel) = go_context::with_cancel(&go_context::background());
    for _ in 0..1_000 {
        let (child, cancel) = go_context::with_timeout(&parent, Duration::from_secs(3600));
        cancel.disarm();
        assert_eq!(testing::child_count(&parent), 1);
        drop(child);
        assert_eq!(testing::child_count(&parent), 0);
    }
}
