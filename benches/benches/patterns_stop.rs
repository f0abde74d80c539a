//! Telling workers to stop: a closed stop channel, a canceled context, and an
//! `AtomicBool` flag.
//!
//! `stop_workers`, for N = 1, 16 and 256 workers: time from the stop signal
//! until every worker has exited. Workers are started, and idle, before
//! timing; each counts itself out on a `WaitGroup` as it exits, and the
//! timing ends when the group's `wait` returns.
//! - `stop_channel`: workers block in `select!` on the stop signal and a job
//!   channel (no job ever comes); `StopSource::close` wakes them all.
//! - `context`: the same `select!` on `ctx.done()`; `cancel` wakes them all.
//! - `flag_waitgroup`: a flag cannot wake a blocked thread, so the workers
//!   poll it, yielding the CPU between polls; the signal is one store.
//!
//! `stop_check`: the cost per iteration of checking for a stop inside a hot
//! loop whose step is trivial (a three-shift xorshift); the stop never comes. `none`
//! is the loop with no check.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use crossbeam_channel::{Receiver, select};
use go_waitgroup::WaitGroup;

/// Starts `n` workers with `worker` (which must count itself out on the
/// group it is given once it has seen the stop), waits until they are all
/// running, and times `signal` until all have exited.
fn time_stop<W>(n: usize, worker: W, signal: impl FnOnce()) -> Duration
where
    W: Fn(&WaitGroup) + Sync,
{
    let (ready, exited) = (WaitGroup::new(), WaitGroup::new());
    ready.add(n as isize);
    exited.add(n as isize);
    thread::scope(|scope| {
        for _ in 0..n {
            scope.spawn(|| {
                ready.done();
                worker(&exited);
            });
        }
        ready.wait();
        let start = Instant::now();
        signal();
        exited.wait();
        start.elapsed()
    })
}

fn stop_workers(c: &mut Criterion) {
    let mut group = c.benchmark_group("stop_workers");
    // Each iteration starts up to 256 threads outside the timing: few, short
    // samples keep the group to seconds.
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(300));
    // Idle workers also watch for jobs, which never come.
    let (_jobs_tx, jobs) = crossbeam_channel::unbounded::<u64>();
    let jobs: &Receiver<u64> = &jobs;
    for n in [1_usize, 16, 256] {
        group.bench_with_input(BenchmarkId::new("stop_channel", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let (stop, stopped) = go_stop_channel::stop_channel();
                        let worker = |exited: &WaitGroup| {
                            loop {
                                select! {
                                    recv(stopped) -> _ => break,
                                    recv(jobs) -> _ => {}
                                }
                            }
                            exited.done();
                        };
                        time_stop(n, worker, || stop.close())
                    })
                    .sum()
            });
        });
        group.bench_with_input(BenchmarkId::new("context", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let (ctx, cancel) = go_context::with_cancel(&go_context::background());
                        let done = ctx.done();
                        let worker = |exited: &WaitGroup| {
                            loop {
                                select! {
                                    recv(done) -> _ => break,
                                    recv(jobs) -> _ => {}
                                }
                            }
                            exited.done();
                        };
                        time_stop(n, worker, || cancel.cancel())
                    })
                    .sum()
            });
        });
        group.bench_with_input(BenchmarkId::new("flag_waitgroup", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let stop = AtomicBool::new(false);
                        let worker = |exited: &WaitGroup| {
                            while !stop.load(Ordering::Acquire) {
                                thread::yield_now();
                            }
                            exited.done();
                        };
                        time_stop(n, worker, || stop.store(true, Ordering::Release))
                    })
                    .sum()
            });
        });
    }
    group.finish();
}

/// One trivial step of work: a xorshift, a few cycles that the optimiser can
/// neither skip nor fold across iterations.
#[inline]
fn step(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// Times `iters` steps, each followed by `stopped()`.
fn hot_loop(iters: u64, stopped: impl Fn() -> bool) -> Duration {
    let mut x = black_box(1_u64);
    let start = Instant::now();
    for _ in 0..iters {
        x = step(x);
        if stopped() {
            break;
        }
    }
    let elapsed = start.elapsed();
    black_box(x);
    elapsed
}

fn stop_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("stop_check");
    let flag = AtomicBool::new(false);
    let (ctx, _cancel) = go_context::with_cancel(&go_context::background());
    let (_stop, stopped) = go_stop_channel::stop_channel();
    group.bench_function("none", |b| b.iter_custom(|iters| hot_loop(iters, || false)));
    group.bench_function("atomic_bool", |b| {
        b.iter_custom(|iters| hot_loop(iters, || flag.load(Ordering::Acquire)))
    });
    group.bench_function("context_is_done", |b| {
        b.iter_custom(|iters| hot_loop(iters, || ctx.is_done()))
    });
    group.bench_function("stop_channel_is_closed", |b| {
        b.iter_custom(|iters| hot_loop(iters, || stopped.is_closed()))
    });
    group.bench_function("stop_channel_try_recv", |b| {
        b.iter_custom(|iters| {
            hot_loop(iters, || {
                stopped.try_recv().is_err_and(|e| e.is_disconnected())
            })
        })
    });
    group.bench_function("select_default", |b| {
        b.iter_custom(|iters| {
            hot_loop(iters, || {
                select! {
                    recv(stopped) -> _ => true,
                    default => false,
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, stop_workers, stop_check);
criterion_main!(benches);
