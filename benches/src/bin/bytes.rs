//! Bytes per operation of the hot shapes (`benches::shapes`), ours beside the
//! peers': what a counting global allocator sees while each shape runs.
//!
//! ```console
//! $ cargo run -p benches --release --bin bytes            # prints the table
//! $ cargo run -p benches --release --bin bytes -- FILE    # writes it to FILE
//! ```
//!
//! For each shape and side, after one run to warm up:
//!
//! - `allocs`: allocations per operation (`alloc` and `realloc` calls);
//! - `allocated`: bytes asked of the allocator per operation (a `realloc`
//!   counts its new size: a table that doubles pays for every size);
//! - `live`: the most bytes held at once during a run, above what was held
//!   before it, per operation held at once (every child of the wide tree and
//!   every link of the chain are held together; the other shapes hold one
//!   operation's at a time). What the caller keeps (the `Vec` of handles) is
//!   included, as a user must keep it too.
//!
//! Only the thread that runs the shapes is counted: the crate's timer thread,
//! started by the first deadline, allocates on its own schedule, and a
//! process-wide count caught it now and then in whichever shape was running.
//! So the figures are deterministic for one build: `counts.sh` checks them
//! against the committed `benches/counts/bytes.tsv`, as it does the
//! instruction counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};

use benches::shapes::{self, SHAPES};

/// Passes every request to the system allocator, counting, on the measuring
/// thread only, calls, bytes asked for, bytes held and the most bytes held
/// since the last reset.
struct Counting;

thread_local! {
    /// Whether this thread's requests are counted: the main thread's only.
    /// (Constant and without a destructor: reading it never allocates.)
    static MEASURED: Cell<bool> = const { Cell::new(false) };
}

fn measured() -> bool {
    MEASURED.try_with(Cell::get).unwrap_or(false)
}

static CALLS: AtomicUsize = AtomicUsize::new(0);
static ASKED: AtomicUsize = AtomicUsize::new(0);
static HELD: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grow(size: usize) {
    if !measured() {
        return;
    }
    CALLS.fetch_add(1, Ordering::Relaxed);
    ASKED.fetch_add(size, Ordering::Relaxed);
    let held = HELD.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(held, Ordering::Relaxed);
}

fn shrink(size: usize) {
    if !measured() {
        return;
    }
    HELD.fetch_sub(size, Ordering::Relaxed);
}

// SAFETY: every method forwards to `System` with the caller's arguments; the
// counting beside it touches only atomics and never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: forwarded from our caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: forwarded from our caller.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        shrink(layout.size());
        grow(new_size);
        // SAFETY: forwarded from our caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        // SAFETY: forwarded from our caller.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// One shape's figures on one side.
struct Bytes {
    allocs: f64,
    allocated: f64,
    live: f64,
}

fn measure(shape: &shapes::Shape, side: shapes::Side) -> Bytes {
    let mut run = shapes::run(shape.name, side);
    run(); // warm up: thread-locals, the timer thread, lazily made tables
    let (calls, asked) = (CALLS.load(Ordering::Relaxed), ASKED.load(Ordering::Relaxed));
    let before = HELD.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    run();
    let ops = shape.ops as f64;
    let held_together = if shape.live_together { ops } else { 1.0 };
    Bytes {
        allocs: (CALLS.load(Ordering::Relaxed) - calls) as f64 / ops,
        allocated: (ASKED.load(Ordering::Relaxed) - asked) as f64 / ops,
        live: (PEAK.load(Ordering::Relaxed) - before) as f64 / held_together,
    }
}

fn main() {
    MEASURED.set(true);
    let mut table = String::from("# shape\tside\tallocs\tallocated\tlive\n");
    for shape in SHAPES {
        for &side in shape.sides {
            let bytes = measure(shape, side);
            writeln!(
                table,
                "{}\t{}\t{:.2}\t{:.1}\t{:.1}",
                shape.name,
                side.name(),
                bytes.allocs,
                bytes.allocated,
                bytes.live
            )
            .expect("writing to a String");
        }
    }
    match std::env::args().nth(1) {
        Some(path) => std::fs::write(&path, table).expect("writing the table"),
        None => print!("{table}"),
    }
}
