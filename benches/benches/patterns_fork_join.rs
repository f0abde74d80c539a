//! Fork-join: start N small tasks and wait until all of them have finished.
//!
//! One group, `fork_join`, with N = 2, 8 and 64 tasks; every task does the
//! same small piece of work (100 dependent divisions, well under a
//! microsecond). The alternatives:
//!
//! - `waitgroup_threads`: a `go_waitgroup::WaitGroup` and one `go` thread per
//!   task, Go's `wg.Add(1); go f(); wg.Wait()`.
//! - `std_thread_scope`: `std::thread::scope`, one scoped thread per task.
//! - `crossbeam_scope`: `crossbeam::scope`, the same with crossbeam.
//! - `rayon_scope`: `rayon::Scope::spawn` on a pool of one thread per core.
//! - `rayon_par_iter`: `par_iter().for_each` on the same pool.
//! - `waitgroup_pool`: a `go_waitgroup::WaitGroup` whose tasks are handed to the
//!   same pool with `pool.spawn(wg.task(f))`, Go's `wg.Go(f)` on a pool.
//! - `crossbeam_waitgroup_pool`: the same with crossbeam's `WaitGroup`, one
//!   cloned handle moved into each task.
//!
//! The first three start a thread per task, as Go starts a goroutine per
//! task; the others reuse the pool's threads, which is what makes them
//! cheap. The two wait groups wait from outside the pool, as a caller that
//! is not itself a pool task does.

use std::hint::black_box;

use benches::{parallel, work};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use go_waitgroup::WaitGroup;
use rayon::prelude::*;

/// One task's work.
fn task() {
    black_box(work::divide(0, 100));
}

fn fork_join(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(parallel::threads())
        .build()
        .expect("a rayon pool");
    let mut group = c.benchmark_group("fork_join");
    for n in [2_usize, 8, 64] {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("waitgroup_threads", n), &n, |b, &n| {
            b.iter(|| {
                let wg = WaitGroup::new();
                for _ in 0..n {
                    wg.go(task);
                }
                wg.wait();
            });
        });
        group.bench_with_input(BenchmarkId::new("std_thread_scope", n), &n, |b, &n| {
            b.iter(|| {
                std::thread::scope(|scope| {
                    for _ in 0..n {
                        scope.spawn(task);
                    }
                });
            });
        });
        group.bench_with_input(BenchmarkId::new("crossbeam_scope", n), &n, |b, &n| {
            b.iter(|| {
                crossbeam::scope(|scope| {
                    for _ in 0..n {
                        scope.spawn(|_| task());
                    }
                })
                .expect("no task panics");
            });
        });
        group.bench_with_input(BenchmarkId::new("rayon_scope", n), &n, |b, &n| {
            b.iter(|| {
                pool.scope(|scope| {
                    for _ in 0..n {
                        scope.spawn(|_| task());
                    }
                });
            });
        });
        group.bench_with_input(BenchmarkId::new("rayon_par_iter", n), &n, |b, &n| {
            b.iter(|| pool.install(|| (0..n).into_par_iter().for_each(|_| task())));
        });
        group.bench_with_input(BenchmarkId::new("waitgroup_pool", n), &n, |b, &n| {
            b.iter(|| {
                let wg = WaitGroup::new();
                for _ in 0..n {
                    pool.spawn(wg.task(task));
                }
                wg.wait();
            });
        });
        group.bench_with_input(
            BenchmarkId::new("crossbeam_waitgroup_pool", n),
            &n,
            |b, &n| {
                b.iter(|| {
                    let wg = crossbeam::sync::WaitGroup::new();
                    for _ in 0..n {
                        let handle = wg.clone();
                        pool.spawn(move || {
                            task();
                            drop(handle);
                        });
                    }
                    wg.wait();
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, fork_join);
criterion_main!(benches);
