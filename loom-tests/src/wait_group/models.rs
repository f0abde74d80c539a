//! Models 10 to 12: `WaitGroup` and `errgroup`.

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

use ::go_context::loom::{Error, background};

use super::{ErrGroups, TaskError, WaitGroups};
use crate::support::{check, yield_until};

// Preemption bounds. These models run three threads through heavier code
// than the context models, and their executions grow three- to sixfold per
// step of the bound, so each takes the largest bound that keeps it to a few
// seconds on the shared 2-core machine (README.md has the counts). Loom's
// documentation finds 2 or 3 enough for most bugs; every twin here is
// caught at 2.

/// Spawns a thread that runs `wait` and records that it returned.
fn waiter<W: WaitGroups>(wg: &W::Group) -> (thread::JoinHandle<()>, Arc<AtomicBool>) {
    let returned = Arc::new(AtomicBool::new(false));
    let handle = thread::spawn({
        let (wg, returned) = (wg.clone(), returned.clone());
        move || {
            W::wait(&wg);
            returned.store(true, Ordering::Release);
        }
    });
    (handle, returned)
}

/// Model 10: `wait` returns only after every `done`, and what each task
/// wrote before its `done` is visible after the wait. Two tasks write their
/// results into loom cells, which report any read not ordered after the
/// write ("Causality violation").
pub fn wait_returns_after_every_done<W: WaitGroups>() {
    // 5: about 12 000 executions on the real crate, a second or two.
    let bound = 5;
    check(bound, || {
        let wg = W::new();
        W::add(&wg, 2);
        let results = Arc::new([UnsafeCell::new(0), UnsafeCell::new(0)]);
        let tasks = [0, 1].map(|i| {
            let (wg, results) = (wg.clone(), results.clone());
            thread::spawn(move || {
                results[i].with_mut(|result| unsafe { *result = i + 1 });
                W::done(&wg);
            })
        });
        W::wait(&wg);
        // SAFETY: the tasks wrote before their `done`, which the wait awaited.
        let seen = [0, 1].map(|i| results[i].with(|result| unsafe { *result }));
        assert_eq!(seen, [1, 2], "wait returned before every task's done");
        for task in tasks {
            task.join().unwrap();
        }
    });
}

/// Model 10: several threads blocked in `wait` are all released by the
/// `done` that brings the counter to zero.
pub fn every_waiter_released<W: WaitGroups>() {
    // 4: the main thread's bounded wait for two waiters multiplies the
    // executions: about 68 000 at 4 (several seconds), four times that at 5.
    let bound = 4;
    check(bound, move || {
        let wg = W::new();
        W::add(&wg, 1);
        let (first, first_returned) = waiter::<W>(&wg);
        let (second, second_returned) = waiter::<W>(&wg);
        W::done(&wg);
        let released = yield_until(bound, || {
            first_returned.load(Ordering::Acquire) && second_returned.load(Ordering::Acquire)
        });
        assert!(
            released,
            "a waiter still sleeps after the counter reached zero"
        );
        first.join().unwrap();
        second.join().unwrap();
    });
}

/// Model 11: the last `done` races with a thread entering `wait`: the waiter
/// is released wherever the `done` lands (no lost wake-up). The group is
/// then reused for a second batch, whose wait again sees its task's work.
pub fn done_races_wait_then_reuse<W: WaitGroups>() {
    // 8: about 3 000 executions, a second.
    let bound = 8;
    check(bound, move || {
        let wg = W::new();
        W::add(&wg, 1);
        let (waiting, returned) = waiter::<W>(&wg);
        W::done(&wg);
        let released = yield_until(bound, || returned.load(Ordering::Acquire));
        assert!(
            released,
            "lost wake-up: the waiter still sleeps after the counter reached zero"
        );
        waiting.join().unwrap();

        // Every wait of the first batch has returned: the group may be reused.
        W::add(&wg, 1);
        let result = Arc::new(UnsafeCell::new(0));
        let task = thread::spawn({
            let (wg, result) = (wg.clone(), result.clone());
            move || {
                result.with_mut(|result| unsafe { *result = 7 });
                W::done(&wg);
            }
        });
        W::wait(&wg);
        // SAFETY: written before the `done` the wait awaited.
        let seen = result.with(|result| unsafe { *result });
        assert_eq!(seen, 7, "the reused group's wait returned early");
        task.join().unwrap();
    });
}

/// Model 12: two tasks of an `errgroup` fail at once. The first error wins:
/// it is what `wait` returns (every time), and the group's context is
/// canceled with it as the cause.
pub fn first_error_wins_and_cancels<E: ErrGroups>() {
    // 5: about 44 000 executions on the real crate (a few seconds), six
    // times that at 6.
    let bound = 5;
    check(bound, || {
        let (g, ctx) = E::with_context(&background());
        E::go(&g, || Err(TaskError("a")));
        E::go(&g, || Err(TaskError("b")));
        let err = E::wait(&g).expect_err("both tasks failed");
        assert!(err.0 == "a" || err.0 == "b", "wait returned {err:?}");
        assert_eq!(
            ctx.err(),
            Some(Error::Canceled),
            "the first error did not cancel the group's context"
        );
        assert_eq!(
            ctx.cause().map(|cause| cause.to_string()).as_deref(),
            Some(err.0),
            "the context's cause is not the error wait returned"
        );
        assert_eq!(
            E::wait(&g),
            Err(err),
            "a second wait returned another error"
        );
    });
}
