//! Allocation counts of the common operations, against Go's `TestAllocs`.
//!
//! Ported from Go's `src/context/x_test.go` (`TestAllocs`),
//! <https://github.com/golang/go/blob/master/src/context/x_test.go>,
//! Copyright 2014 The Go Authors, BSD-3-Clause: <https://go.dev/LICENSE>.
//!
//! Go measures with `testing.AllocsPerRun` and fails above fixed limits. Here
//! a counting global allocator (this file is its own test binary, so it
//! affects nothing else) counts the allocations made **by the calling
//! thread** while the operation runs, so the tests of this file can run in
//! parallel. Each limit is Go's; the comments say what the Rust allocations
//! are and how many were measured.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use go_context::{Key, background, with_cancel, with_timeout, with_value};

/// Passes every request to the system allocator, counting the ones made
/// while the current thread is measuring.
struct Counting;

thread_local! {
    /// `Some(n)` while this thread is measuring. Const-initialised and without
    /// a destructor, so reading it never allocates.
    static ALLOCATIONS: Cell<Option<usize>> = const { Cell::new(None) };
}

fn record() {
    // `try_with`: the allocator can run while thread-locals are torn down.
    let _ = ALLOCATIONS.try_with(|n| {
        if let Some(count) = n.get() {
            n.set(Some(count + 1));
        }
    });
}

// SAFETY: every method forwards to `System` with the caller's arguments.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record();
        // SAFETY: forwarded from our caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record();
        // SAFETY: forwarded from our caller.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record();
        // SAFETY: forwarded from our caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from our caller.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Go's `testing.AllocsPerRun(runs, f)`: runs `f` once to warm up, then
/// `runs` times, and returns the average number of allocations per run.
fn allocs_per_run(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    ALLOCATIONS.with(|n| n.set(Some(0)));
    for _ in 0..runs {
        f();
    }
    let total = ALLOCATIONS.with(|n| n.replace(None)).unwrap_or(0);
    total as f64 / runs as f64
}

const RUNS: usize = 100;

/// Go's `k1 = key1(1)` with a nil value.
static K1: Key<Option<&str>> = Key::new("context_test.key1");

#[track_caller]
fn check(desc: &str, limit: f64, f: impl FnMut()) {
    let n = allocs_per_run(RUNS, f);
    assert!(n <= limit, "{desc} allocs = {n} want {limit}");
}

#[test]
fn background_allocates_nothing() {
    // Go's limit: 0. Measured: 0 (a `const fn` returning an enum variant).
    check("Background()", 0.0, || {
        std::hint::black_box(background());
    });
}

#[test]
fn with_value_and_value() {
    // Go's limit: 3. Measured: 2, the node (`Arc`) and the boxed value (a
    // zero-sized value would need no box). The lookup allocates nothing.
    check("WithValue(bg, k1, nil)", 3.0, || {
        let c = with_value(&background(), &K1, None);
        std::hint::black_box(c.value(&K1));
    });
}

#[test]
fn with_cancel_cancel_and_done() {
    // Go's limit: 5. Measured: 2, the node (`Arc`) and the done channel that
    // `done()` creates on first use (one block for crossbeam's zero-capacity
    // channel; the channel is born closed). Canceling allocates nothing: with
    // no children, timer, wakers or callback, its deferred work lists stay
    // empty.
    check("WithCancel(bg)", 5.0, || {
        let (c, cancel) = with_cancel(&background());
        cancel.cancel();
        let _ = c.done().recv();
    });
}

#[test]
fn with_timeout_cancel_and_done() {
    // The first deadline starts the process-wide timer thread (a one-time
    // cost, counted against no operation): start it before measuring.
    drop(with_timeout(&background(), Duration::from_secs(3600)));

    // Go's limit: 8. Measured: 3, the node (`Arc`), the cancel's list of
    // timers to stop (one entry), and the done channel. Arming the timer is an
    // insert into the timer queue's B-tree, which allocates only when it needs
    // a new node (an empty queue, a split): rarely, and not in this loop.
    check("WithTimeout(bg, 5ms)", 8.0, || {
        let (c, cancel) = with_timeout(&background(), Duration::from_millis(5));
        cancel.cancel();
        let _ = c.done().recv();
    });
}

#[test]
fn with_timeout_expired_and_done() {
    drop(with_timeout(&background(), Duration::from_secs(3600)));

    // Go's limit: 12. A 1 ns timeout has passed by the time it is checked,
    // so the context is canceled in place and no timer is armed. Measured: 2,
    // the node (`Arc`) and the done channel.
    check("WithTimeout(bg, 1ns)", 12.0, || {
        let (c, _cancel) = with_timeout(&background(), Duration::from_nanos(1));
        let _ = c.done().recv();
    });
}
