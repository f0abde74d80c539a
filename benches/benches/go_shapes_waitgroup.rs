//! Go's `sync/waitgroup_test.go` benchmarks, ported one to one on the
//! `go-waitgroup` crate. Every one is a `b.RunParallel` benchmark in Go, run
//! here with `benches::parallel::run` (one pinned thread per core, wall time
//! per operation).

use std::hint::black_box;
use std::thread;

use benches::{parallel, work};
use criterion::{Criterion, criterion_group, criterion_main};
use go_waitgroup::WaitGroup;

/// Go's `BenchmarkWaitGroupUncontended`: each core has its own group.
///
/// Go pads each goroutine's group by 128 bytes so that two groups never share
/// a cache line. Here each thread allocates its group itself, from its own
/// allocator arena, which keeps them apart the same way.
fn uncontended(c: &mut Criterion) {
    c.bench_function("WaitGroupUncontended", |b| {
        b.iter_custom(|iters| {
            parallel::run(
                iters,
                |_| WaitGroup::new(),
                |wg, _, n| {
                    for _ in 0..n {
                        wg.add(1);
                        wg.done();
                        wg.wait();
                    }
                },
            )
        });
    });
}

/// Go's `benchmarkWaitGroupAddDone`: every core adds to and finishes on one
/// shared group, with `work` units of local work in between.
fn add_done(c: &mut Criterion, name: &str, work: u32) {
    let wg = WaitGroup::new();
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            parallel::run(
                iters,
                |_| (),
                |_, _, n| {
                    for _ in 0..n {
                        wg.add(1);
                        work::count(work);
                        wg.done();
                    }
                },
            )
        });
    });
}

/// Go's `benchmarkWaitGroupWait`: every core waits on a group whose counter
/// is zero (the fast path), with `work` units of local work in between.
fn wait(c: &mut Criterion, name: &str, work: u32) {
    let wg = WaitGroup::new();
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            parallel::run(
                iters,
                |_| (),
                |_, _, n| {
                    for _ in 0..n {
                        black_box(&wg).wait();
                        work::count(work);
                    }
                },
            )
        });
    });
}

fn add_done_and_wait(c: &mut Criterion) {
    add_done(c, "WaitGroupAddDone", 0);
    add_done(c, "WaitGroupAddDoneWork", 100);
    wait(c, "WaitGroupWait", 0);
    wait(c, "WaitGroupWaitWork", 100);
}

/// Go's `BenchmarkWaitGroupActuallyWait`: every operation makes a group,
/// starts a task that calls `done`, and blocks in `wait` until it has.
///
/// Go starts a goroutine (a few hundred nanoseconds); here it is an OS
/// thread (tens of microseconds), which dominates the figure.
fn actually_wait(c: &mut Criterion) {
    c.bench_function("WaitGroupActuallyWait", |b| {
        b.iter_custom(|iters| {
            parallel::each(iters, || {
                let wg = WaitGroup::new();
                wg.add(1);
                let task = wg.clone();
                thread::spawn(move || task.done());
                wg.wait();
            })
        });
    });
}

/// `WaitGroupActuallyWait` with each task handed to rayon's pool by
/// [`WaitGroup::task`] instead of a thread of its own; the waiting threads
/// are `parallel::run`'s, outside the pool, so every wait blocks and is woken
/// by the pool's worker.
fn actually_wait_pool(c: &mut Criterion) {
    c.bench_function("WaitGroupActuallyWaitPool", |b| {
        b.iter_custom(|iters| {
            parallel::each(iters, || {
                let wg = WaitGroup::new();
                rayon::spawn(wg.task(|| ()));
                wg.wait();
            })
        });
    });
}

/// `WaitGroupActuallyWait` as a goroutine does it: the waiting side runs on
/// the pool too (one rayon worker per core, as Go's `RunParallel` runs one
/// goroutine per P), and the task is spawned in a `rayon::scope`, whose end
/// runs it on the same worker when no other has stolen it (Go's `runnext`).
/// The group's `wait` then finds the counter at zero.
fn actually_wait_in_pool(c: &mut Criterion) {
    c.bench_function("WaitGroupActuallyWaitInPool", |b| {
        b.iter_custom(|iters| {
            parallel::on_pool(iters, || {
                let wg = WaitGroup::new();
                let task = wg.task(|| ());
                rayon::scope(|s| s.spawn(move |_| task()));
                wg.wait();
            })
        });
    });
}

criterion_group!(
    benches,
    uncontended,
    add_done_and_wait,
    actually_wait,
    actually_wait_pool,
    actually_wait_in_pool
);
criterion_main!(benches);
