//! crossbeam's `WaitGroup` (`crossbeam::sync::WaitGroup`, from
//! crossbeam-utils), the wait group a Rust user meets first, on every shape
//! of Go's `sync.WaitGroup` benchmarks it can express. Each benchmark's id
//! is `crossbeam/<the Go benchmark's id>`, so that the results page sets it
//! in the Go table next to our figure for the same shape.
//!
//! crossbeam counts handles: `clone` is Go's `Add(1)`, dropping a handle is
//! `Done()`, and `wait(self)` consumes the waiter's own handle, so a group
//! serves one wait and cannot be reused. Hence:
//! - `WaitGroupUncontended` makes a new group per operation (clone, drop,
//!   wait), where Go and we reuse one group per core;
//! - `WaitGroupWait*` (waiting on a counter already at zero, over and over)
//!   cannot be written;
//! - the `ActuallyWait` rows are the same shapes as ours, the task dropping
//!   its handle where ours calls `done`.

use std::hint::black_box;
use std::thread;

use benches::{parallel, work};
use criterion::{Criterion, criterion_group, criterion_main};
use crossbeam::sync::WaitGroup;

/// `WaitGroupUncontended`, one new group per operation on each core.
fn uncontended(c: &mut Criterion) {
    c.bench_function("crossbeam/WaitGroupUncontended", |b| {
        b.iter_custom(|iters| {
            parallel::run(
                iters,
                |_| (),
                |_, _, n| {
                    for _ in 0..n {
                        let wg = WaitGroup::new();
                        drop(black_box(wg.clone()));
                        wg.wait();
                    }
                },
            )
        });
    });
}

/// `WaitGroupAddDone` and `WaitGroupAddDoneWork`: every core clones a
/// handle of one shared group and drops it, with `work` units in between.
fn add_done(c: &mut Criterion, name: &str, work: u32) {
    let wg = WaitGroup::new();
    c.bench_function(&format!("crossbeam/{name}"), |b| {
        b.iter_custom(|iters| {
            parallel::run(
                iters,
                |_| (),
                |_, _, n| {
                    for _ in 0..n {
                        let handle = black_box(&wg).clone();
                        work::count(work);
                        drop(handle);
                    }
                },
            )
        });
    });
}

fn add_done_both(c: &mut Criterion) {
    add_done(c, "WaitGroupAddDone", 0);
    add_done(c, "WaitGroupAddDoneWork", 100);
}

/// `WaitGroupActuallyWait`: a thread per task.
fn actually_wait(c: &mut Criterion) {
    c.bench_function("crossbeam/WaitGroupActuallyWait", |b| {
        b.iter_custom(|iters| {
            parallel::each(iters, || {
                let wg = WaitGroup::new();
                let handle = wg.clone();
                thread::spawn(move || drop(handle));
                wg.wait();
            })
        });
    });
}

/// `WaitGroupActuallyWaitPool`: the task on rayon's pool, the waiter outside.
fn actually_wait_pool(c: &mut Criterion) {
    c.bench_function("crossbeam/WaitGroupActuallyWaitPool", |b| {
        b.iter_custom(|iters| {
            parallel::each(iters, || {
                let wg = WaitGroup::new();
                let handle = wg.clone();
                rayon::spawn(move || drop(handle));
                wg.wait();
            })
        });
    });
}

/// `WaitGroupActuallyWaitInPool`: waiter and task both on the pool, the task
/// spawned in a `rayon::scope` (see `go_shapes_waitgroup.rs`).
fn actually_wait_in_pool(c: &mut Criterion) {
    c.bench_function("crossbeam/WaitGroupActuallyWaitInPool", |b| {
        b.iter_custom(|iters| {
            parallel::on_pool(iters, || {
                let wg = WaitGroup::new();
                let handle = wg.clone();
                rayon::scope(|s| s.spawn(move |_| drop(handle)));
                wg.wait();
            })
        });
    });
}

criterion_group!(
    benches,
    uncontended,
    add_done_both,
    actually_wait,
    actually_wait_pool,
    actually_wait_in_pool
);
criterion_main!(benches);
