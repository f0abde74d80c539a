//! Misuse and bad input: one test per row of the misuse table in
//! `docs/misuse.md`, each named for its row.
//!
//! Every test that could hang on a regression runs the suspect code on its own
//! thread and waits for it with a bound, so a deadlock fails with a message
//! instead of stalling the run.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use go_context::{CancelFunc, Cause, Error, Key, testing};

/// How long anything that must happen may take; only a failing test waits
/// this long.
const BOUND: Duration = Duration::from_secs(10);

/// Runs `f` on its own thread and returns its result, or fails naming `what`
/// if it has not returned within [`BOUND`] (a deadlock).
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(BOUND)
        .unwrap_or_else(|_| panic!("{what}: did not return within {BOUND:?} (deadlock?)"))
}

/// Polls `future` once with `waker`.
fn poll_with<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut TaskContext::from_waker(waker))
}

#[derive(Debug)]
struct Boom;

impl std::fmt::Display for Boom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("boom")
    }
}

impl std::error::Error for Boom {}

fn is_boom(cause: Option<Cause>) -> bool {
    cause.is_some_and(|cause| cause.downcast_ref::<Boom>().is_some())
}

/// A new deadline still fires on its own: the timer thread is alive.
fn assert_timer_thread_alive() {
    let (ctx, _cancel) =
        go_context::with_timeout(&go_context::background(), Duration::from_millis(5));
    assert_eq!(
        ctx.wait_timeout(BOUND),
        Some(Error::DeadlineExceeded),
        "a 5ms timeout did not fire: the timer thread is gone"
    );
}

// ---------------------------------------------------------------------------
// Canceling from callbacks and destructors
// ---------------------------------------------------------------------------

#[test]
fn cancel_from_inside_after_func() {
    let (trigger, cancel_trigger) = go_context::with_cancel(&go_context::background());
    let (other, cancel_other) = go_context::with_cancel(&go_context::background());
    let (ran_tx, ran) = mpsc::channel();
    let _link = go_context::after_func(&trigger, move || {
        cancel_other.cancel();
        ran_tx.send(()).unwrap();
    });
    cancel_trigger.cancel();
    ran.recv_timeout(BOUND).expect("the callback ran");
    assert_eq!(other.err(), Some(Error::Canceled));
}

#[test]
fn cancel_own_context_from_its_after_func() {
    // The callback owns the handle of the very context it is registered on,
    // and of that context's parent: both cancels run after the tree's locks
    // are released, so neither deadlocks, and the second changes nothing.
    let (parent, cancel_parent) = go_context::with_cancel_cause(&go_context::background());
    let (ctx, cancel) = go_context::with_cancel(&parent);
    let cancel = Arc::new(cancel);
    let (ran_tx, ran) = mpsc::channel();
    let _link = go_context::after_func(&ctx, {
        let cancel = Arc::clone(&cancel);
        move || {
            cancel.cancel();
            cancel_parent.cancel(Some(Arc::new(Boom)));
            ran_tx.send(()).unwrap();
        }
    });
    cancel.cancel();
    ran.recv_timeout(BOUND).expect("the callback ran");
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert!(!is_boom(ctx.cause()), "the first cancel's cause stays");
    assert!(is_boom(parent.cause()));
    assert_eq!(testing::child_count(&parent), 0);
}

/// A value whose destructor cancels a context.
#[derive(Debug)]
struct CancelOnDrop(#[allow(dead_code)] CancelFunc);

static GUARD: Key<CancelOnDrop> = Key::new("guard");

#[test]
fn cancel_from_a_drop_impl_run_by_a_cancel() {
    // top → root → (value holding top's handle) → child. Nothing but root's
    // child list holds `child`, so root's cancel drops it, and with it the
    // value, whose destructor cancels `top` — from inside root's cancel.
    let (top, cancel_top) = go_context::with_cancel(&go_context::background());
    let (root, cancel_root) = go_context::with_cancel(&top);
    let with_guard = go_context::with_value(&root, &GUARD, CancelOnDrop(cancel_top));
    let (child, cancel_child) = go_context::with_cancel(&with_guard);
    cancel_child.disarm();
    drop((with_guard, child));

    bounded("cancel dropping a value that cancels", move || {
        cancel_root.cancel();
        assert!(root.is_done());
        assert_eq!(top.err(), Some(Error::Canceled), "the destructor ran");
    });
}

#[test]
fn cancel_from_a_drop_impl_during_a_panic() {
    // Go's `defer cancel()` runs when the goroutine panics; so does the drop.
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    let result = thread::spawn(move || {
        let _cancel = cancel;
        panic!("worker failed");
    })
    .join();
    assert!(result.is_err());
    assert_eq!(ctx.err(), Some(Error::Canceled));
}

/// A waker that owns a context's cancel handle: dropping the last clone of it
/// cancels the context.
struct CancelingWaker(#[allow(dead_code)] Mutex<Option<CancelFunc>>);

impl Wake for CancelingWaker {
    fn wake(self: Arc<Self>) {}
}

#[test]
fn waker_dropped_on_repoll_cancels_the_context() {
    // A future re-polled with a new waker releases the old one. If that was
    // the last reference to something that cancels the same context, the
    // cancel must not find the context's lock held by the poll.
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    let waker = Waker::from(Arc::new(CancelingWaker(Mutex::new(Some(cancel)))));
    let mut waiting = ctx.wait_async();
    assert!(poll_with(&mut waiting, &waker).is_pending());
    drop(waker); // the future's registration now holds the last clone

    let ctx = bounded("re-poll with another waker", move || {
        let _ = poll_with(&mut waiting, Waker::noop());
        assert_eq!(
            poll_with(&mut waiting, Waker::noop()),
            Poll::Ready(Error::Canceled)
        );
        ctx
    });
    assert_eq!(ctx.err(), Some(Error::Canceled));
}

// ---------------------------------------------------------------------------
// Panics in user code
// ---------------------------------------------------------------------------

#[test]
fn panicking_after_func() {
    let (parent, _cancel_parent) = go_context::with_cancel(&go_context::background());
    let (ctx, cancel) = go_context::with_cancel(&parent);
    let (started_tx, started) = mpsc::channel();
    let _link = go_context::after_func(&ctx, move || {
        started_tx.send(()).unwrap();
        panic!("callback failed");
    });
    cancel.cancel(); // the panic happens on the callback's own thread
    started.recv_timeout(BOUND).expect("the callback ran");

    // Nothing is poisoned: the same parent still derives, cancels, waits.
    let (child, cancel_child) = go_context::with_cancel(&parent);
    assert_eq!(testing::child_count(&parent), 1);
    cancel_child.cancel();
    assert_eq!(child.wait_timeout(BOUND), Some(Error::Canceled));
    assert_eq!(testing::child_count(&parent), 0);
    // A deadline whose after_func panics, fired by the timer thread.
    let (timed, _cancel_timed) = go_context::with_timeout(&parent, Duration::from_millis(5));
    let _link = go_context::after_func(&timed, || panic!("callback failed too"));
    assert_eq!(timed.wait_timeout(BOUND), Some(Error::DeadlineExceeded));
    assert_timer_thread_alive();
}

/// A waker that panics when woken.
struct PanickingWaker;

impl Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        panic!("waker failed");
    }
}

/// A waker that records that it was woken.
#[derive(Default)]
struct FlagWaker(AtomicBool);

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn panicking_waker_on_the_timer_thread() {
    let (ctx, _cancel) =
        go_context::with_timeout(&go_context::background(), Duration::from_millis(5));
    let mut waiting = ctx.wait_async();
    let waker = Waker::from(Arc::new(PanickingWaker));
    assert!(poll_with(&mut waiting, &waker).is_pending());
    assert_eq!(ctx.wait_timeout(BOUND), Some(Error::DeadlineExceeded));
    assert_timer_thread_alive();
}

#[test]
fn panicking_waker_on_the_canceling_thread() {
    // The panic reaches whoever canceled; the cancel itself is complete.
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    let (child, _cancel_child) = go_context::with_cancel(&ctx);
    let mut waiting = ctx.wait_async();
    assert!(poll_with(&mut waiting, &Waker::from(Arc::new(PanickingWaker))).is_pending());
    let canceled = catch_unwind(AssertUnwindSafe(|| cancel.cancel()));
    assert!(canceled.is_err(), "the waker's panic reaches the caller");
    assert!(ctx.is_done() && child.is_done());
    assert_eq!(testing::child_count(&ctx), 0);
}

#[test]
fn panicking_waker_strands_no_other_waiter() {
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    let mut first = ctx.wait_async();
    assert!(poll_with(&mut first, &Waker::from(Arc::new(PanickingWaker))).is_pending());
    let flag = Arc::new(FlagWaker::default());
    let mut second = ctx.wait_async();
    assert!(poll_with(&mut second, &Waker::from(Arc::clone(&flag))).is_pending());
    let _ = catch_unwind(AssertUnwindSafe(|| cancel.cancel()));
    assert!(
        flag.0.load(Ordering::SeqCst),
        "the second future was never woken"
    );
}

// ---------------------------------------------------------------------------
// Odd deadlines
// ---------------------------------------------------------------------------

#[test]
fn timeout_duration_max() {
    let (parent, _cancel_parent) = go_context::with_cancel(&go_context::background());
    let (ctx, cancel) = go_context::with_timeout(&parent, Duration::MAX);
    assert_eq!(ctx.deadline(), None, "too far to represent: no deadline");
    assert!(!testing::expire(&ctx), "no timer is armed");
    assert!(!ctx.is_done());
    assert_eq!(ctx.to_string(), "context.Background.WithCancel.WithCancel");
    cancel.cancel();
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert_eq!(testing::child_count(&parent), 0);
}

#[test]
fn timeout_zero() {
    let (parent, _cancel_parent) = go_context::with_cancel(&go_context::background());
    let (ctx, _cancel) = go_context::with_timeout(&parent, Duration::ZERO);
    assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
    let cause = ctx.cause().expect("done");
    assert_eq!(
        cause.downcast_ref::<Error>(),
        Some(&Error::DeadlineExceeded)
    );
    assert_eq!(
        testing::child_count(&parent),
        0,
        "born done: not registered"
    );
    let (ctx, _cancel) =
        go_context::with_timeout_cause(&parent, Duration::ZERO, Some(Arc::new(Boom)));
    assert!(is_boom(ctx.cause()));
}

#[test]
fn deadline_already_past() {
    let (parent, _cancel_parent) = go_context::with_cancel(&go_context::background());
    let past = Instant::now()
        .checked_sub(Duration::from_secs(1))
        .unwrap_or_else(Instant::now);
    let (ctx, cancel) = go_context::with_deadline_cause(&parent, past, Some(Arc::new(Boom)));
    assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
    assert!(is_boom(ctx.cause()));
    assert_eq!(ctx.deadline(), Some(past));
    assert!(ctx.to_string().ends_with(" ago)"), "{ctx}");
    assert_eq!(testing::child_count(&parent), 0);
    cancel.cancel(); // a no-op: the first cancel won
    assert_eq!(ctx.err(), Some(Error::DeadlineExceeded));
}

#[test]
fn deadline_a_century_away() {
    let far = Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600);
    let (ctx, cancel) = go_context::with_deadline(&go_context::background(), far);
    assert_eq!(ctx.deadline(), Some(far));
    assert_eq!(ctx.wait_timeout(Duration::from_millis(1)), None);
    cancel.cancel(); // stops the timer (checked in tests/leaks.rs)
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert!(!testing::expire(&ctx));
}

// ---------------------------------------------------------------------------
// Handles and contexts dropped in every order
// ---------------------------------------------------------------------------

#[test]
fn drop_parent_handle_before_child() {
    let (parent, cancel_parent) = go_context::with_cancel(&go_context::background());
    let (child, cancel_child) = go_context::with_cancel(&parent);
    drop(cancel_parent);
    assert!(parent.is_done() && child.is_done());
    drop(cancel_child); // canceling a done context changes nothing
    assert_eq!(child.err(), Some(Error::Canceled));
}

#[test]
fn drop_child_handle_before_parent() {
    let (parent, cancel_parent) = go_context::with_cancel(&go_context::background());
    let (child, cancel_child) = go_context::with_cancel(&parent);
    drop(cancel_child);
    assert!(child.is_done());
    assert!(!parent.is_done(), "a child's cancel never reaches up");
    assert_eq!(testing::child_count(&parent), 0);
    drop(cancel_parent);
    assert!(parent.is_done());
}

#[test]
fn contexts_outlive_their_handles() {
    // Contexts cloned into other threads keep working after every handle
    // and every other clone is gone.
    let (parent, cancel_parent) = go_context::with_cancel(&go_context::background());
    let (child, cancel_child) = go_context::with_cancel(&parent);
    cancel_child.disarm();
    let waiter = {
        let child = child.clone();
        thread::spawn(move || child.wait_timeout(BOUND))
    };
    let done = child.done().clone(); // kept beyond the context
    drop((parent, child));
    drop(cancel_parent); // cancels the whole (now unreachable) tree
    assert_eq!(waiter.join().unwrap(), Some(Error::Canceled));
    assert!(done.recv().is_err(), "the done channel is closed");
}

#[test]
fn drop_contexts_before_handles() {
    let (parent, cancel_parent) = go_context::with_cancel(&go_context::background());
    let (child, cancel_child) = go_context::with_cancel(&parent);
    let (grandchild, cancel_grandchild) =
        go_context::with_timeout(&child, Duration::from_secs(3600));
    drop((parent, child, grandchild));
    drop(cancel_child);
    drop(cancel_grandchild);
    drop(cancel_parent);
}

#[test]
fn dropped_after_func_handle_still_runs() {
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    let (ran_tx, ran) = mpsc::channel();
    drop(go_context::after_func(&ctx, move || {
        ran_tx.send(()).unwrap()
    }));
    assert_eq!(testing::child_count(&ctx), 1, "still registered");
    cancel.cancel();
    ran.recv_timeout(BOUND)
        .expect("Go's ignored stop: f still runs");
}

#[test]
fn after_func_stopped_twice() {
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    let link = go_context::after_func(&ctx, || unreachable!("stopped"));
    assert!(link.stop());
    assert!(!link.stop());
    assert_eq!(testing::child_count(&ctx), 0);
    cancel.cancel();
}

#[test]
fn after_func_on_a_never_canceled_context() {
    let link = go_context::after_func(&go_context::background(), || unreachable!("never runs"));
    assert!(
        link.stop(),
        "Go: the first stop on a nil-Done context returns true"
    );
    assert!(!link.stop());
}

// ---------------------------------------------------------------------------
// Canceling in odd ways
// ---------------------------------------------------------------------------

#[test]
fn cancel_many_times_from_many_threads() {
    let (ctx, cancel) = go_context::with_cancel_cause(&go_context::background());
    let cancel = Arc::new(cancel);
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let cancel = Arc::clone(&cancel);
            thread::spawn(move || {
                let cause: Cause = Arc::new(std::io::Error::other(format!("canceler {i}")));
                cancel.cancel(Some(cause));
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let cause = ctx.cause().expect("done").to_string();
    assert!(
        cause.starts_with("canceler "),
        "one winner's cause: {cause}"
    );
    cancel.cancel(Some(Arc::new(Boom)));
    assert_eq!(
        ctx.cause().unwrap().to_string(),
        cause,
        "the first cancel won"
    );
}

#[test]
fn derive_from_a_done_context() {
    let (parent, cancel) = go_context::with_cancel_cause(&go_context::background());
    cancel.cancel(Some(Arc::new(Boom)));
    let (child, _cancel_child) = go_context::with_timeout(&parent, Duration::from_secs(3600));
    assert_eq!(child.err(), Some(Error::Canceled), "born done");
    assert!(is_boom(child.cause()), "with the parent's cause");
    assert!(!testing::expire(&child), "no timer was armed");
    assert_eq!(testing::child_count(&parent), 0);
    let (ran_tx, ran) = mpsc::channel();
    let link = go_context::after_func(&parent, move || ran_tx.send(()).unwrap());
    ran.recv_timeout(BOUND).expect("starts at once");
    assert!(!link.stop());
}

#[test]
fn wait_on_a_never_canceled_context() {
    // Go blocks forever receiving from a nil Done channel; the bounded forms
    // return at their bound.
    let ctx = go_context::without_cancel(&go_context::background());
    assert_eq!(ctx.wait_timeout(Duration::from_millis(1)), None);
    let soon = Instant::now() + Duration::from_millis(1);
    assert_eq!(ctx.wait_deadline(soon), None);
    assert!(Instant::now() >= soon);
    assert_eq!(
        poll_with(&mut ctx.wait_async(), Waker::noop()),
        Poll::Pending
    );
    assert!(ctx.done().try_recv().is_err());
}

// ---------------------------------------------------------------------------
// Very deep chains
// ---------------------------------------------------------------------------

#[test]
fn deep_chain_canceled_from_the_root() {
    // The cascade is a loop over a work list, so depth costs memory, not
    // stack; tests/deep.rs goes a million deep on a 2 MiB stack.
    let (root, cancel) = go_context::with_cancel(&go_context::background());
    let mut leaf = root.clone();
    let mut handles = Vec::new();
    for _ in 0..1000 {
        let (ctx, handle) = go_context::with_cancel(&leaf);
        handles.push(handle);
        leaf = ctx;
    }
    let leaf = bounded("cancel a 1000-deep chain", move || {
        cancel.cancel();
        drop(handles);
        leaf
    });
    assert_eq!(leaf.err(), Some(Error::Canceled));
}

static LEVEL: Key<u32> = Key::new("level");

#[test]
fn deep_chain_dropped() {
    // Dropping is iterative: a hundred thousand value layers over a cancel
    // node unlink without recursion.
    let (root, cancel) = go_context::with_cancel(&go_context::background());
    let mut leaf = root;
    for level in 0..100_000 {
        leaf = go_context::with_value(&leaf, &LEVEL, level);
    }
    assert_eq!(leaf.value(&LEVEL), Some(&99_999));
    bounded("drop a 100000-deep chain", move || {
        drop(leaf);
        drop(cancel);
    });
}
