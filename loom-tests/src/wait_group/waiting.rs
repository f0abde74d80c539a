//! `WaitGroup::wait_context` and the task-panic path of `go`: the real crate
//! only (the textbook has neither), each model checked by seeded bugs
//! (`scripts/seed-bugs.py`).

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

use go_context::loom::{self as ctx, Error, testing};
use go_waitgroup::loom::WaitGroup;

use crate::support::{check, expect_panic, hide_panics_containing, yield_until};

/// What the models' tasks panic with.
const TASK_PANIC: &str = "a task panicked, as the model means it to";

/// The promise of invariant 3: a wait that gave up left nothing behind, so
/// the group reads idle and a new batch works as on a fresh group.
fn assert_idle_and_reusable(wg: &WaitGroup) {
    assert_eq!(
        format!("{wg:?}"),
        "WaitGroup { count: 0, waiters: 0 }",
        "a wait that returned is still registered as a waiter"
    );
    wg.add(1);
    wg.done();
    wg.wait();
}

/// A thread blocked in `wait_context` on a group that stays busy returns
/// once its context is canceled, with the context's error; it withdraws
/// from the group (which reads idle once its task is done, and is reused)
/// and from the context (no waker left registered).
pub fn wait_context_returns_once_canceled() {
    // 3: about 200 executions.
    let bound = 3;
    check(bound, move || {
        let wg = WaitGroup::new();
        wg.add(1);
        let (ctx, cancel) = ctx::with_cancel(&ctx::background());
        let returned = Arc::new(AtomicBool::new(false));
        let waiter = thread::spawn({
            let (wg, ctx, returned) = (wg.clone(), ctx.clone(), returned.clone());
            move || {
                let result = wg.wait_context(&ctx);
                returned.store(true, Ordering::Release);
                result
            }
        });
        cancel.cancel();
        let released = yield_until(bound, || returned.load(Ordering::Acquire));
        assert!(
            released,
            "lost wake-up: wait_context still sleeps after its context was canceled"
        );
        assert_eq!(waiter.join().unwrap(), Err(Error::Canceled));
        assert_eq!(
            testing::registered_wakers(&ctx),
            0,
            "wait_context left its waker with the context"
        );
        wg.done();
        assert_idle_and_reusable(&wg);
    });
}

/// The last `done` and a cancel race a thread in `wait_context`: it returns
/// whichever comes first (the counter wins if it sees both), and leaves the
/// group idle and reusable: a waiter that gives up while the release that
/// counted it is in flight takes its permit instead of leaving it behind.
pub fn wait_context_races_done_and_cancel() {
    // 2: three threads through both wake-up paths, then a second batch;
    // about 4 700 executions.
    let bound = 2;
    check(bound, move || {
        let wg = WaitGroup::new();
        wg.add(1);
        let (ctx, cancel) = ctx::with_cancel(&ctx::background());
        let returned = Arc::new(AtomicBool::new(false));
        let waiter = thread::spawn({
            let (wg, ctx, returned) = (wg.clone(), ctx.clone(), returned.clone());
            move || {
                let result = wg.wait_context(&ctx);
                returned.store(true, Ordering::Release);
                result
            }
        });
        let canceler = thread::spawn(move || cancel.cancel());
        wg.done();
        let released = yield_until(bound, || returned.load(Ordering::Acquire));
        assert!(
            released,
            "lost wake-up: wait_context still sleeps after the counter reached zero"
        );
        let result = waiter.join().unwrap();
        canceler.join().unwrap();
        assert!(
            matches!(result, Ok(()) | Err(Error::Canceled)),
            "wait_context returned {result:?}"
        );
        assert_idle_and_reusable(&wg);
        // A permit left behind would release the next blocked wait before
        // its task is done (which the wait reports as a reuse).
        wg.add(1);
        let task = thread::spawn({
            let wg = wg.clone();
            move || wg.done()
        });
        wg.wait();
        task.join().unwrap();
    });
}

/// A task started by `go` panics while a thread waits: the waiter is woken
/// and its wait panics too, as does every later wait; the task never counts
/// as done.
pub fn task_panic_fails_every_wait() {
    // 4: about 2 300 executions.
    let bound = 4;
    check(bound, move || {
        hide_panics_containing(TASK_PANIC);
        let wg = WaitGroup::new();
        wg.go(|| panic!("{TASK_PANIC}"));
        let returned = Arc::new(AtomicBool::new(false));
        let waiter = thread::spawn({
            let (wg, returned) = (wg.clone(), returned.clone());
            move || {
                let failed = expect_panic("sync: WaitGroup task panicked", || wg.wait());
                returned.store(true, Ordering::Release);
                failed
            }
        });
        let released = yield_until(bound, || returned.load(Ordering::Acquire));
        assert!(released, "a wait still sleeps after a task panicked");
        assert!(
            waiter.join().unwrap(),
            "a wait returned normally although a task panicked"
        );
        assert!(
            expect_panic("sync: WaitGroup task panicked", || wg.wait()),
            "a later wait returned normally although a task panicked"
        );
    });
}
