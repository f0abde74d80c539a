//! Waking async tasks: one cancel, N tasks on tokio's multi-threaded runtime
//! (two workers) awaiting the same signal.
//!
//! `async_wake`, for N = 1,000 and 10,000 tasks: time from the cancel until
//! the last task has run to the end of its await. The tasks are spawned, and
//! every one of them has polled its future once (so its waker is
//! registered), before timing. Each counts itself out as it finishes; the
//! last one tells the timing thread, which is a plain thread outside the
//! runtime, as a cancel from a signal handler or a blocking thread would be.
//! - `context_wait_async`: each task awaits `ctx.wait_async()`; the timed
//!   call is `cancel.cancel()`.
//! - `tokio_util_cancelled`: each task awaits tokio-util's
//!   `token.cancelled_owned()`; the timed call is `token.cancel()`.
//!
//! Both wake every waker they hold from the canceling thread; the runtime's
//! two workers then run the tasks.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::task::{Context as TaskContext, Poll};
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;

/// Counts itself in `registered` the first time `inner` is pending (its
/// waker is then held by the signal), and in `finished` when it completes;
/// the last to finish sends on `last`.
struct Waiter<F> {
    inner: Pin<Box<F>>,
    registered: Option<Arc<AtomicUsize>>,
    finished: Arc<AtomicUsize>,
    last: Sender<()>,
}

impl<F: Future> Future for Waiter<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<()> {
        let this = self.get_mut();
        match this.inner.as_mut().poll(cx) {
            Poll::Pending => {
                if let Some(registered) = this.registered.take() {
                    registered.fetch_add(1, Ordering::SeqCst);
                }
                Poll::Pending
            }
            Poll::Ready(_) => {
                if this.finished.fetch_sub(1, Ordering::SeqCst) == 1 {
                    let _ = this.last.send(());
                }
                Poll::Ready(())
            }
        }
    }
}

/// Spawns `n` tasks awaiting `wait()`, waits until all have registered, then
/// times `signal` until the last one has finished.
fn time_wake<F>(rt: &Runtime, n: usize, wait: impl Fn() -> F, signal: impl FnOnce()) -> Duration
where
    F: Future + Send + 'static,
{
    let registered = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(n));
    let (last, all_done) = mpsc::channel();
    for _ in 0..n {
        rt.spawn(Waiter {
            inner: Box::pin(wait()),
            registered: Some(Arc::clone(&registered)),
            finished: Arc::clone(&finished),
            last: last.clone(),
        });
    }
    while registered.load(Ordering::SeqCst) < n {
        thread::yield_now();
    }
    let start = Instant::now();
    signal();
    all_done.recv().expect("every task finishes");
    start.elapsed()
}

fn async_wake(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("async_wake");
    // Each iteration spawns up to 10,000 tasks outside the timing: few
    // samples keep the group to seconds.
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    for n in [1_000_usize, 10_000] {
        group.bench_with_input(BenchmarkId::new("context_wait_async", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let (ctx, cancel) = go_context::with_cancel(&go_context::background());
                        time_wake(&rt, n, || ctx.wait_async(), || cancel.cancel())
                    })
                    .sum()
            });
        });
        group.bench_with_input(BenchmarkId::new("tokio_util_cancelled", n), &n, |b, &n| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let token = CancellationToken::new();
                        time_wake(
                            &rt,
                            n,
                            || token.clone().cancelled_owned(),
                            || token.cancel(),
                        )
                    })
                    .sum()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, async_wake);
criterion_main!(benches);
