//! Go's `b.RunParallel` for criterion's `iter_custom`.
//!
//! Go runs a parallel benchmark on `GOMAXPROCS` goroutines (one per core)
//! that share `b.N` iterations, and reports the **wall time** of the whole run
//! divided by `b.N`: with two cores busy, 1 ns/op means each core did one
//! operation every 2 ns.
//!
//! [`run`] does the same with threads:
//!
//! 1. it starts one thread per core ([`threads`]) and pins each to its own
//!    core, so the measurement does not include migrations;
//! 2. each thread runs its untimed setup, then all meet at a barrier;
//! 3. each thread takes its start instant after the barrier, runs its share of
//!    the iterations (an even split; the first threads take the remainder)
//!    and takes its end instant;
//! 4. the measured time is the latest end minus the earliest start.
//!
//! Thread start and join are outside the measurement, as goroutine start is
//! in Go.

use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

/// How many threads a parallel benchmark uses: one per available core, as
/// Go's `GOMAXPROCS` default.
///
/// # Examples
///
/// ```
/// assert!(benches::parallel::threads() >= 1);
/// ```
pub fn threads() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `iters` iterations split over [`threads`] pinned threads and returns
/// the wall time they took together.
///
/// Each thread calls `setup(thread_index)` before timing starts, then
/// `body(&mut state, thread_index, its_iterations)` timed.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// let done = AtomicU64::new(0);
/// let elapsed = benches::parallel::run(
///     1000,
///     |_| (),
///     |_, _, n| {
///         done.fetch_add(n, Ordering::Relaxed);
///     },
/// );
/// assert_eq!(done.load(Ordering::Relaxed), 1000);
/// assert!(elapsed > std::time::Duration::ZERO);
/// ```
pub fn run<S, Setup, Body>(iters: u64, setup: Setup, body: Body) -> Duration
where
    Setup: Fn(usize) -> S + Sync,
    Body: Fn(&mut S, usize, u64) + Sync,
{
    let threads = threads();
    let barrier = Barrier::new(threads);
    let spans: Vec<(Instant, Instant)> = thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|index| {
                let share =
                    iters / threads as u64 + u64::from((index as u64) < iters % threads as u64);
                let (barrier, setup, body) = (&barrier, &setup, &body);
                scope.spawn(move || {
                    pin_to_cpu(index);
                    let mut state = setup(index);
                    barrier.wait();
                    let start = Instant::now();
                    body(&mut state, index, share);
                    (start, Instant::now())
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("benchmark thread panicked"))
            .collect()
    });
    let start = spans
        .iter()
        .map(|span| span.0)
        .min()
        .expect("one thread at least");
    let end = spans
        .iter()
        .map(|span| span.1)
        .max()
        .expect("one thread at least");
    end - start
}

/// [`run`] for a body that is one operation, repeated: each thread runs
/// `op` its share of `iters` times. Go's `b.RunParallel` with a loop of one
/// call.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// let ops = AtomicU64::new(0);
/// benches::parallel::each(100, || {
///     ops.fetch_add(1, Ordering::Relaxed);
/// });
/// assert_eq!(ops.load(Ordering::Relaxed), 100);
/// ```
pub fn each(iters: u64, op: impl Fn() + Sync) -> Duration {
    run(
        iters,
        |_| (),
        |_, _, n| {
            for _ in 0..n {
                op();
            }
        },
    )
}

/// Runs `op` `iters` times in all, shared out over rayon's workers (one per
/// core, as Go's `RunParallel` runs one goroutine per P), and returns the
/// wall time: goroutine-shaped rows whose waiting side is on the pool too.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// let ops = AtomicU64::new(0);
/// benches::parallel::on_pool(100, || {
///     ops.fetch_add(1, Ordering::Relaxed);
/// });
/// assert_eq!(ops.load(Ordering::Relaxed), 100);
/// ```
pub fn on_pool(iters: u64, op: impl Fn() + Sync) -> Duration {
    let workers = rayon::current_num_threads() as u64;
    let start = Instant::now();
    rayon::broadcast(|worker| {
        let index = worker.index() as u64;
        let share = iters / workers + u64::from(index < iters % workers);
        for _ in 0..share {
            op();
        }
    });
    start.elapsed()
}

/// Pins the calling thread to CPU `index` (modulo the CPU count); returns
/// whether the operating system accepted it. A refusal (a restricted CPU
/// set) leaves the thread where the scheduler puts it.
#[cfg(target_os = "linux")]
pub fn pin_to_cpu(index: usize) -> bool {
    let cpu = index % threads();
    // SAFETY: `cpu_set_t` is plain old data, for which all zeroes is the empty
    // set; `CPU_SET` writes inside it (it ignores out-of-range CPUs); and
    // `sched_setaffinity(0, ..)` reads the set and changes only the calling
    // thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// Pinning is implemented for Linux only; elsewhere threads are not pinned.
#[cfg(not(target_os = "linux"))]
pub fn pin_to_cpu(_index: usize) -> bool {
    false
}
