//! `wait_async` on real executors: tokio's multi-threaded runtime and its
//! `select!`, a current-thread runtime, futures' single-threaded `LocalPool`
//! and async-executor. The done signal crosses between async tasks and
//! blocking threads in both directions, one cancel wakes ten thousand tasks,
//! and every future dropped before completion gives back every clone of its
//! waker (counted, not assumed).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, select};
use futures::executor::{LocalPool, block_on};
use futures::task::LocalSpawnExt;
use go_context::{Context, Error, WaitAsync, background, with_cancel, with_timeout};
use tokio::runtime::{Builder, Runtime};

/// A failure timeout: only a failing test waits this long.
const QUIESCENT: Duration = Duration::from_secs(30);

/// How many tasks share one context in the wide tests.
const TASKS: usize = 10_000;

fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap()
}

/// Polls `ready` every millisecond until it holds; panics after
/// [`QUIESCENT`].
fn eventually(what: &str, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + QUIESCENT;
    while !ready() {
        assert!(
            Instant::now() < deadline,
            "{what}: not within {QUIESCENT:?}"
        );
        thread::sleep(Duration::from_millis(1));
    }
}

/// Runs `f` on a thread of its own and returns its result; panics, instead
/// of hanging the test run, if a lost wake-up keeps it from finishing.
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let runner = thread::spawn(move || {
        let _ = tx.send(f());
    });
    let out = rx
        .recv_timeout(QUIESCENT)
        .expect("the executor finished: no wake-up was lost");
    runner.join().unwrap();
    out
}

/// A waker that forwards to the executor's and whose clones can be counted:
/// every `Waker` made from it holds one strong reference.
struct Probe {
    executor: Mutex<Option<Waker>>,
    wakes: Arc<AtomicUsize>,
}

impl Wake for Probe {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        let executor = self.executor.lock().unwrap().clone();
        if let Some(waker) = executor {
            waker.wake();
        }
    }
}

/// A future polled through a [`Probe`]: the inner future only ever sees the
/// probe's waker, so the probe's reference count is the number of clones of
/// that waker alive anywhere, the context's registrations included.
struct Counted<F> {
    inner: Pin<Box<F>>,
    probe: Arc<Probe>,
}

/// The test's view of a [`Counted`] future's waker.
struct Tally {
    probe: Weak<Probe>,
    wakes: Arc<AtomicUsize>,
}

impl Tally {
    /// Clones of the probe's waker alive, plus one while the future exists.
    fn alive(&self) -> usize {
        self.probe.strong_count()
    }

    /// Wake-ups of the probe's waker so far, before and after it is gone.
    fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

fn counted<F: Future>(inner: F) -> (Counted<F>, Tally) {
    let wakes = Arc::new(AtomicUsize::new(0));
    let probe = Arc::new(Probe {
        executor: Mutex::new(None),
        wakes: Arc::clone(&wakes),
    });
    let tally = Tally {
        probe: Arc::downgrade(&probe),
        wakes,
    };
    let counted = Counted {
        inner: Box::pin(inner),
        probe,
    };
    (counted, tally)
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        *this.probe.executor.lock().unwrap() = Some(cx.waker().clone());
        let waker = Waker::from(Arc::clone(&this.probe));
        this.inner
            .as_mut()
            .poll(&mut TaskContext::from_waker(&waker))
    }
}

/// Counts itself in `registered` the first time its inner future is
/// pending: from then on the context holds its waker.
struct Registering<F> {
    inner: Pin<Box<F>>,
    registered: Option<Arc<AtomicUsize>>,
}

fn registering<F: Future>(inner: F, registered: &Arc<AtomicUsize>) -> Registering<F> {
    Registering {
        inner: Box::pin(inner),
        registered: Some(Arc::clone(registered)),
    }
}

impl<F: Future> Future for Registering<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let poll = this.inner.as_mut().poll(cx);
        if poll.is_pending()
            && let Some(registered) = this.registered.take()
        {
            registered.fetch_add(1, Ordering::SeqCst);
        }
        poll
    }
}

// ---------------------------------------------------------------------------
// tokio

#[test]
fn a_cancel_from_a_blocking_thread_wakes_tokio_select() {
    let rt = multi_thread();
    let (ctx, cancel) = with_cancel(&background());
    let (jobs_tx, mut jobs) = tokio::sync::mpsc::channel::<usize>(1);
    let handled = Arc::new(AtomicUsize::new(0));
    let (waiting, tally) = counted(ctx.wait_async());
    let worker = rt.spawn({
        let handled = Arc::clone(&handled);
        async move {
            let mut waiting = waiting;
            loop {
                // The done arm is one future for the whole loop, so once the
                // job is handled only its waker can end the loop.
                tokio::select! {
                    err = &mut waiting => return err,
                    Some(job) = jobs.recv() => {
                        handled.fetch_add(job, Ordering::SeqCst);
                    }
                }
            }
        }
    });
    rt.block_on(jobs_tx.send(2)).unwrap();
    eventually("the job was handled and the waker registered", || {
        handled.load(Ordering::SeqCst) == 2 && tally.alive() == 2
    });

    thread::spawn(move || cancel.cancel()).join().unwrap();

    let err = rt
        .block_on(async { tokio::time::timeout(QUIESCENT, worker).await })
        .expect("the task was woken")
        .unwrap();
    assert_eq!(err, Error::Canceled);
    assert_eq!(tally.wakes(), 1);
    assert_eq!(tally.alive(), 0, "the finished task holds no waker");
    drop(jobs_tx);
}

#[test]
fn a_deadline_wakes_tokio_select_on_a_current_thread_runtime() {
    let rt = Builder::new_current_thread().enable_time().build().unwrap();
    let (ctx, _cancel) = with_timeout(&background(), Duration::from_millis(20));
    let err = rt.block_on(async {
        tokio::select! {
            err = ctx.wait_async() => Some(err),
            () = tokio::time::sleep(QUIESCENT) => None,
        }
    });
    // The context's own timer thread fired the deadline and woke the
    // runtime's only thread.
    assert_eq!(err, Some(Error::DeadlineExceeded));
}

#[test]
fn an_async_cancel_wakes_blocking_waiters_and_select_receivers() {
    let rt = multi_thread();
    let (ctx, cancel) = with_cancel(&background());
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let ctx = ctx.clone();
            thread::spawn(move || ctx.wait())
        })
        .collect();
    let selectors: Vec<_> = (0..3)
        .map(|_| {
            let ctx = ctx.clone();
            thread::spawn(move || {
                let done = ctx.done();
                let (_jobs_tx, jobs) = bounded::<u32>(0);
                select! {
                    recv(done) -> msg => {
                        assert!(msg.is_err(), "done is closed, never sent on");
                        ctx.err()
                    }
                    recv(jobs) -> _ => unreachable!("no job is ever sent"),
                }
            })
        })
        .collect();

    // The cancel happens inside a task, after an await.
    let (go_tx, go) = tokio::sync::oneshot::channel::<()>();
    let canceler = rt.spawn(async move {
        go.await.unwrap();
        cancel.cancel();
    });
    go_tx.send(()).unwrap();
    rt.block_on(canceler).unwrap();

    for waiter in waiters {
        assert_eq!(waiter.join().unwrap(), Error::Canceled);
    }
    for selector in selectors {
        assert_eq!(selector.join().unwrap(), Some(Error::Canceled));
    }
}

#[test]
fn a_select_that_drops_the_done_arm_leaves_no_waker() {
    let rt = multi_thread();
    let (ctx, cancel) = with_cancel(&background());
    let tallies = rt.block_on(async {
        let mut tallies = Vec::new();
        for _ in 0..100 {
            let (waiting, tally) = counted(ctx.wait_async());
            tokio::select! {
                biased;
                _ = waiting => unreachable!("nobody cancels yet"),
                () = tokio::task::yield_now() => {}
            }
            // `waiting` was polled (registered), then dropped by select!.
            assert_eq!(tally.alive(), 0, "the losing arm kept a waker");
            tallies.push(tally);
        }
        // And through tokio's timeout.
        let (waiting, tally) = counted(ctx.wait_async());
        let late = tokio::time::timeout(Duration::from_millis(1), waiting).await;
        assert!(late.is_err());
        assert_eq!(tally.alive(), 0, "a timed-out future kept a waker");
        tallies.push(tally);
        tallies
    });
    cancel.cancel();
    assert!(
        tallies.iter().all(|tally| tally.wakes() == 0),
        "a dropped future was woken"
    );
}

#[test]
fn an_aborted_task_leaves_no_waker() {
    let rt = multi_thread();
    let (ctx, cancel) = with_cancel(&background());
    let (waiting, tally) = counted(ctx.wait_async());
    let task = rt.spawn(waiting);
    eventually("the task registered its waker", || tally.alive() == 2);

    task.abort();
    let aborted = rt.block_on(task).unwrap_err();
    assert!(aborted.is_cancelled());
    assert_eq!(tally.alive(), 0, "the aborted task's waker is still held");
    cancel.cancel();
    assert_eq!(tally.wakes(), 0);
}

#[test]
fn futures_dropped_unpolled_registered_or_finished_hold_no_waker() {
    let (ctx, cancel) = with_cancel(&background());
    let noop = Waker::noop();
    let mut cx = TaskContext::from_waker(noop);

    // Never polled: nothing registered.
    let (unpolled, never) = counted(ctx.wait_async());
    assert_eq!(never.alive(), 1);
    drop(unpolled);
    assert_eq!(never.alive(), 0);

    // Polled twice with the same waker: one registration, not two.
    let (mut twice, twice_tally) = counted(ctx.wait_async());
    assert!(Pin::new(&mut twice).poll(&mut cx).is_pending());
    assert!(Pin::new(&mut twice).poll(&mut cx).is_pending());
    assert_eq!(
        twice_tally.alive(),
        2,
        "the future's probe and one registration"
    );
    drop(twice);
    assert_eq!(twice_tally.alive(), 0);

    // Moved to another waker: the first one is given back.
    let mut moved = Box::pin(ctx.wait_async());
    let (first, first_tally) = counted(std::future::pending::<()>());
    let first_waker = Waker::from(Arc::clone(&first.probe));
    assert!(
        moved
            .as_mut()
            .poll(&mut TaskContext::from_waker(&first_waker))
            .is_pending()
    );
    drop(first_waker);
    assert_eq!(first_tally.alive(), 2, "the context holds the first waker");
    let (second, second_tally) = counted(std::future::pending::<()>());
    let second_waker = Waker::from(Arc::clone(&second.probe));
    assert!(
        moved
            .as_mut()
            .poll(&mut TaskContext::from_waker(&second_waker))
            .is_pending()
    );
    drop(second_waker);
    assert_eq!(first_tally.alive(), 1, "the first waker was given back");
    assert_eq!(second_tally.alive(), 2);
    drop(moved);
    assert_eq!(second_tally.alive(), 1);
    drop((first, second));

    // Finished: woken once, then nothing held.
    let (mut finished, finished_tally) = counted(ctx.wait_async());
    assert!(Pin::new(&mut finished).poll(&mut cx).is_pending());
    cancel.cancel();
    assert_eq!(finished_tally.wakes(), 1);
    assert_eq!(
        Pin::new(&mut finished).poll(&mut cx),
        Poll::Ready(Error::Canceled)
    );
    drop(finished);
    assert_eq!(finished_tally.alive(), 0);
}

#[test]
fn ten_thousand_dropped_futures_leave_nothing_to_wake() {
    let (ctx, cancel) = with_cancel(&background());
    let mut cx = TaskContext::from_waker(Waker::noop());
    let mut tallies = Vec::with_capacity(TASKS);
    let mut futures: Vec<_> = (0..TASKS)
        .map(|_| {
            let (fut, tally) = counted(ctx.wait_async());
            tallies.push(tally);
            fut
        })
        .collect();
    for fut in &mut futures {
        assert!(Pin::new(fut).poll(&mut cx).is_pending());
    }
    assert!(tallies.iter().all(|tally| tally.alive() == 2));
    drop(futures);
    assert!(tallies.iter().all(|tally| tally.alive() == 0));
    cancel.cancel();
    assert!(tallies.iter().all(|tally| tally.wakes() == 0));
}

#[test]
fn one_cancel_wakes_ten_thousand_tokio_tasks() {
    let rt = multi_thread();
    let (ctx, cancel) = with_cancel(&background());
    let registered = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| rt.spawn(registering(ctx.wait_async(), &registered)))
        .collect();
    eventually("every task registered", || {
        registered.load(Ordering::SeqCst) == TASKS
    });

    cancel.cancel(); // one call, from a plain thread

    let errors = rt.block_on(async {
        tokio::time::timeout(QUIESCENT, async {
            let mut errors = Vec::with_capacity(TASKS);
            for task in tasks {
                errors.push(task.await.unwrap());
            }
            errors
        })
        .await
        .expect("every task was woken")
    });
    assert!(errors.iter().all(|err| *err == Error::Canceled));
    let metrics = rt.metrics();
    eventually("no task is left", || metrics.num_alive_tasks() == 0);
}

// ---------------------------------------------------------------------------
// A single-threaded executor: futures::executor's LocalPool

#[test]
fn a_local_pool_wakes_on_a_cancel_from_another_thread() {
    let (ctx, cancel) = with_cancel(&background());
    let registered = Arc::new(AtomicUsize::new(0));
    let (ready_tx, ready) = mpsc::channel();
    let pool = thread::spawn({
        let registered = Arc::clone(&registered);
        move || {
            within(move || {
                let mut pool = LocalPool::new();
                let results = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
                for task in 0..100 {
                    let (ctx, results) = (ctx.clone(), std::rc::Rc::clone(&results));
                    let waiting = registering(ctx.wait_async(), &registered);
                    pool.spawner()
                        .spawn_local(async move {
                            let err = waiting.await;
                            results.borrow_mut().push((task, err));
                        })
                        .unwrap();
                }
                pool.run_until_stalled();
                ready_tx.send(results.borrow().len()).unwrap();
                pool.run(); // parks the thread until the cancel wakes it
                results.borrow().clone()
            })
        }
    });
    assert_eq!(
        ready.recv().unwrap(),
        0,
        "nobody finished before the cancel"
    );
    assert_eq!(registered.load(Ordering::SeqCst), 100);

    cancel.cancel();

    let mut results = pool.join().unwrap();
    results.sort_by_key(|(task, _)| *task);
    assert_eq!(results.len(), 100);
    assert!(results.iter().all(|(_, err)| *err == Error::Canceled));
}

#[test]
fn block_on_waits_for_a_deadline() {
    let (ctx, _cancel) = with_timeout(&background(), Duration::from_millis(10));
    let err = within(move || block_on(ctx.wait_async()));
    assert_eq!(err, Error::DeadlineExceeded);
}

// ---------------------------------------------------------------------------
// async-executor, on two threads

#[test]
fn async_executor_tasks_wake_on_cancel() {
    let executor = Arc::new(async_executor::Executor::new());
    // The executor's own stop signal is a context too.
    let (stopped, stop) = with_cancel(&background());
    let runners: Vec<_> = (0..2)
        .map(|_| {
            let (executor, stopped) = (Arc::clone(&executor), stopped.clone());
            thread::spawn(move || {
                futures_lite::future::block_on(executor.run(stopped.wait_async()))
            })
        })
        .collect();

    let (ctx, cancel) = with_cancel(&background());
    let registered = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..1000)
        .map(|_| executor.spawn(registering(ctx.wait_async(), &registered)))
        .collect();
    eventually("every task registered", || {
        registered.load(Ordering::SeqCst) == 1000
    });

    cancel.cancel();

    let errors = within(move || {
        futures_lite::future::block_on(async {
            let mut errors = Vec::new();
            for task in tasks {
                errors.push(task.await);
            }
            errors
        })
    });
    assert!(errors.iter().all(|err| *err == Error::Canceled));
    stop.cancel();
    for runner in runners {
        assert_eq!(runner.join().unwrap(), Error::Canceled);
    }
}

// ---------------------------------------------------------------------------
// All of them at once

#[test]
fn one_cancel_reaches_every_kind_of_waiter_at_once() {
    let (ctx, cancel) = with_cancel(&background());
    let registered = Arc::new(AtomicUsize::new(0));

    // A blocking thread and a select! thread.
    let blocking = thread::spawn({
        let ctx = ctx.clone();
        move || ctx.wait()
    });
    let selecting = thread::spawn({
        let done = ctx.done().clone(); // moved to the thread
        move || {
            select! {
                recv(done) -> _ => "done",
            }
        }
    });
    // A single-threaded pool on its own thread.
    let local = thread::spawn({
        let waiting = registering(ctx.wait_async(), &registered);
        move || block_on(waiting)
    });
    // async-executor, driven by the same thread that awaits its task.
    let executor = Arc::new(async_executor::Executor::new());
    let smol_task = executor.spawn(registering(ctx.wait_async(), &registered));
    let smol = thread::spawn({
        let executor = Arc::clone(&executor);
        move || futures_lite::future::block_on(executor.run(smol_task))
    });
    // tokio, where the cancel comes from.
    let rt = multi_thread();
    let tokio_task = rt.spawn(registering(ctx.wait_async(), &registered));
    eventually("every async waiter registered", || {
        registered.load(Ordering::SeqCst) == 3
    });

    let canceler = rt.spawn(async move {
        tokio::task::yield_now().await;
        cancel.cancel();
    });
    rt.block_on(canceler).unwrap();

    let results = rt.block_on(async {
        tokio::time::timeout(QUIESCENT, tokio_task)
            .await
            .unwrap()
            .unwrap()
    });
    assert_eq!(results, Error::Canceled);
    assert_eq!(within(move || local.join().unwrap()), Error::Canceled);
    assert_eq!(within(move || smol.join().unwrap()), Error::Canceled);
    assert_eq!(blocking.join().unwrap(), Error::Canceled);
    assert_eq!(selecting.join().unwrap(), "done");
}

// ---------------------------------------------------------------------------

/// The future is `Send + 'static`, so every multi-threaded executor takes it.
#[test]
fn wait_async_is_send_and_static() {
    fn spawnable<F: Future + Send + 'static>(_: &F) {}
    let ctx: Context = background();
    let fut: WaitAsync = ctx.wait_async();
    spawnable(&fut);
}
