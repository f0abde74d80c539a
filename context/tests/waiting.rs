//! The four ways to wait for a context: `is_done`, the blocking `wait*`
//! methods, `done()` in `crossbeam_channel::select!`, and the `wait_async`
//! future on a tiny hand-written executor.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvError, bounded, never, select};
use go_context::{Context, Error, background, todo, with_cancel, with_timeout, with_value};

/// A failure timeout: only a failing test waits this long.
const QUIESCENT: Duration = Duration::from_secs(10);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Wakes a parked thread, counting the wake-ups.
struct ThreadWaker {
    thread: Thread,
    wakes: AtomicUsize,
}

impl ThreadWaker {
    fn for_current_thread() -> Arc<Self> {
        Arc::new(ThreadWaker {
            thread: thread::current(),
            wakes: AtomicUsize::new(0),
        })
    }

    fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.thread.unpark();
    }
}

/// The smallest executor: poll, park until woken, poll again.
fn block_on<F: Future>(fut: F) -> F::Output {
    let waker = Waker::from(ThreadWaker::for_current_thread());
    let mut cx = TaskContext::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(output) = fut.as_mut().poll(&mut cx) {
            return output;
        }
        thread::park(); // spurious returns only cost a poll
    }
}

// --- is_done and the blocking waits ---

#[test]
fn wait_returns_the_error_once_another_thread_cancels() {
    let (ctx, cancel) = with_cancel(&background());
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let ctx = ctx.clone();
            thread::spawn(move || ctx.wait())
        })
        .collect();
    assert!(!ctx.is_done());
    cancel.cancel();
    for waiter in waiters {
        assert_eq!(waiter.join().unwrap(), Error::Canceled);
    }
}

#[test]
fn wait_timeout_times_out_on_a_live_context() {
    let (ctx, _cancel) = with_cancel(&background());
    let start = Instant::now();
    assert_eq!(ctx.wait_timeout(ms(5)), None);
    assert!(start.elapsed() >= ms(5));
}

#[test]
fn wait_timeout_returns_when_canceled() {
    let (ctx, cancel) = with_cancel(&background());
    let canceler = thread::spawn(move || cancel.cancel());
    assert_eq!(ctx.wait_timeout(QUIESCENT), Some(Error::Canceled));
    canceler.join().unwrap();
}

#[test]
fn wait_timeout_of_duration_max_waits_without_a_bound() {
    // `Instant::now() + Duration::MAX` overflows: the wait has no deadline.
    let (ctx, cancel) = with_cancel(&background());
    let canceler = thread::spawn(move || cancel.cancel());
    assert_eq!(ctx.wait_timeout(Duration::MAX), Some(Error::Canceled));
    canceler.join().unwrap();
    assert_eq!(ctx.wait_timeout(Duration::MAX), Some(Error::Canceled));
}

#[test]
fn wait_deadline_in_the_past_returns_at_once() {
    let (ctx, cancel) = with_cancel(&background());
    assert_eq!(ctx.wait_deadline(Instant::now() - ms(1)), None);
    cancel.cancel();
    assert_eq!(
        ctx.wait_deadline(Instant::now() - ms(1)),
        Some(Error::Canceled)
    );
}

#[test]
fn waits_on_a_deadline_report_deadline_exceeded() {
    let (ctx, _cancel) = with_timeout(&background(), ms(5));
    assert_eq!(ctx.wait_timeout(QUIESCENT), Some(Error::DeadlineExceeded));
    assert_eq!(ctx.wait(), Error::DeadlineExceeded);
}

#[test]
fn roots_time_out_their_waits() {
    // Go's receive from a nil channel blocks forever; with a bound, it ends.
    for ctx in [background(), todo()] {
        assert!(!ctx.is_done());
        assert_eq!(ctx.wait_timeout(ms(1)), None);
        assert_eq!(ctx.wait_deadline(Instant::now() + ms(1)), None);
    }
}

#[test]
fn value_layers_wait_on_their_cancel_ancestor() {
    static USER: go_context::Key<&str> = go_context::Key::new("user");
    let (ctx, cancel) = with_cancel(&background());
    let ctx = with_value(&ctx, &USER, "gopher");
    let waiter = thread::spawn({
        let ctx = ctx.clone();
        move || ctx.wait_timeout(QUIESCENT)
    });
    cancel.cancel();
    assert_eq!(waiter.join().unwrap(), Some(Error::Canceled));
    assert!(ctx.is_done());
}

// --- done() in select! ---

#[test]
fn done_is_the_same_channel_every_call() {
    let (ctx, cancel) = with_cancel(&background());
    let done = ctx.done();
    assert!(done.same_channel(ctx.done()));
    assert!(!done.same_channel(&never()));
    cancel.cancel();
    assert_eq!(done.recv(), Err(RecvError));
    // First asked for after the cancel: born closed.
    let (ctx, cancel) = with_cancel(&background());
    cancel.cancel();
    assert_eq!(ctx.done().recv(), Err(RecvError));
}

#[test]
fn roots_done_is_never() {
    assert!(background().done().same_channel(&never()));
    select! {
        recv(background().done()) -> _ => panic!("background is never done"),
        default(ms(1)) => {}
    }
}

#[test]
fn worker_selects_on_done_and_jobs() {
    let (ctx, cancel) = with_cancel(&background());
    let (jobs_tx, jobs) = bounded::<u64>(0);
    let (results_tx, results) = bounded::<u64>(0);
    let worker = thread::spawn(move || {
        let done = ctx.done(); // once, outside the loop
        loop {
            select! {
                recv(done) -> _ => return ctx.err(),
                recv(jobs) -> job => results_tx.send(job.unwrap() * 2).unwrap(),
            }
        }
    });
    for job in 1..=3 {
        jobs_tx.send(job).unwrap();
        assert_eq!(results.recv(), Ok(job * 2));
    }
    cancel.cancel();
    assert_eq!(worker.join().unwrap(), Some(Error::Canceled));
}

#[test]
fn select_wakes_on_a_deadline() {
    let (ctx, _cancel) = with_timeout(&background(), ms(5));
    let (_idle_tx, idle) = bounded::<()>(0);
    select! {
        recv(ctx.done()) -> msg => assert_eq!(msg, Err(RecvError)),
        recv(idle) -> _ => unreachable!(),
        default(QUIESCENT) => panic!("the deadline never fired"),
    }
    assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
}

// --- wait_async ---

#[test]
fn wait_async_is_woken_by_a_cancel_on_another_thread() {
    let (ctx, cancel) = with_cancel(&background());
    let waker = ThreadWaker::for_current_thread();
    let std_waker = Waker::from(waker.clone());
    let mut cx = TaskContext::from_waker(&std_waker);
    let mut fut = pin!(ctx.wait_async());

    assert!(fut.as_mut().poll(&mut cx).is_pending()); // registered
    let canceler = thread::spawn(move || cancel.cancel());
    let give_up = Instant::now() + QUIESCENT;
    let err = loop {
        if let Poll::Ready(err) = fut.as_mut().poll(&mut cx) {
            break err;
        }
        assert!(Instant::now() < give_up, "never woken");
        thread::park_timeout(QUIESCENT);
    };
    assert_eq!(err, Error::Canceled);
    assert_eq!(waker.wakes(), 1);
    canceler.join().unwrap();
    // A finished future keeps answering.
    assert_eq!(fut.poll(&mut cx), Poll::Ready(Error::Canceled));
}

#[test]
fn wait_async_completes_on_a_deadline() {
    let (ctx, _cancel) = with_timeout(&background(), ms(5));
    assert_eq!(block_on(ctx.wait_async()), Error::DeadlineExceeded);
}

#[test]
fn wait_async_on_a_done_context_is_ready_at_once() {
    let (ctx, cancel) = with_cancel(&background());
    cancel.cancel();
    assert_eq!(block_on(ctx.wait_async()), Error::Canceled);
}

#[test]
fn wait_async_wakes_every_future_and_only_the_latest_waker() {
    let (ctx, cancel) = with_cancel(&background());
    let first = ThreadWaker::for_current_thread();
    let second = ThreadWaker::for_current_thread();
    let other = ThreadWaker::for_current_thread();
    let first_waker = Waker::from(first.clone());
    let second_waker = Waker::from(second.clone());
    let other_waker = Waker::from(other.clone());

    let mut fut = pin!(ctx.wait_async());
    let mut other_fut = pin!(ctx.wait_async());
    assert!(
        fut.as_mut()
            .poll(&mut TaskContext::from_waker(&first_waker))
            .is_pending()
    );
    // Polled again with another waker (the task moved): only that one counts.
    assert!(
        fut.as_mut()
            .poll(&mut TaskContext::from_waker(&second_waker))
            .is_pending()
    );
    assert!(
        other_fut
            .as_mut()
            .poll(&mut TaskContext::from_waker(&other_waker))
            .is_pending()
    );

    cancel.cancel(); // wakers run on the canceling thread, before it returns
    assert_eq!((first.wakes(), second.wakes(), other.wakes()), (0, 1, 1));
}

#[test]
fn dropping_a_pending_wait_async_releases_its_waker() {
    let (ctx, cancel) = with_cancel(&background());
    let waker = ThreadWaker::for_current_thread();
    let std_waker = Waker::from(waker.clone());
    {
        let mut fut = pin!(ctx.wait_async());
        assert!(
            fut.as_mut()
                .poll(&mut TaskContext::from_waker(&std_waker))
                .is_pending()
        );
        assert_eq!(Arc::strong_count(&waker), 3); // ours, `std_waker`, the context's
    }
    assert_eq!(Arc::strong_count(&waker), 2);
    cancel.cancel();
    assert_eq!(waker.wakes(), 0);
}

#[test]
fn a_timed_wait_that_gives_up_leaves_no_registration() {
    // A thread that waits with a timeout registers to be woken; when the
    // timeout passes first it must withdraw, or a long-lived context would
    // collect one registration per timed wait.
    let (ctx, _cancel) = with_cancel(&background());
    for _ in 0..3 {
        assert_eq!(ctx.wait_timeout(ms(1)), None);
    }
    assert_eq!(go_context::testing::registered_wakers(&ctx), 0);
}

#[test]
fn registered_wakers_counts_pending_futures_and_blocked_threads() {
    let (ctx, cancel) = with_cancel(&background());
    let mut fut = pin!(ctx.wait_async());
    let mut cx = TaskContext::from_waker(Waker::noop());
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    let blocked = thread::spawn({
        let ctx = ctx.clone();
        move || ctx.wait()
    });
    let deadline = Instant::now() + QUIESCENT;
    while go_context::testing::registered_wakers(&ctx) != 2 {
        assert!(
            Instant::now() < deadline,
            "one future and one blocked thread, but {} registered",
            go_context::testing::registered_wakers(&ctx)
        );
        thread::yield_now();
    }
    cancel.cancel();
    assert_eq!(blocked.join().unwrap(), Error::Canceled);
    assert_eq!(fut.poll(&mut cx), Poll::Ready(Error::Canceled));
    assert_eq!(go_context::testing::registered_wakers(&ctx), 0);
}

#[test]
fn wait_async_on_a_root_never_completes_and_holds_no_waker() {
    let ctx: Context = background();
    let waker = ThreadWaker::for_current_thread();
    let std_waker = Waker::from(waker.clone());
    let mut fut = pin!(ctx.wait_async());
    for _ in 0..3 {
        assert!(
            fut.as_mut()
                .poll(&mut TaskContext::from_waker(&std_waker))
                .is_pending()
        );
    }
    assert_eq!(Arc::strong_count(&waker), 2);
}
