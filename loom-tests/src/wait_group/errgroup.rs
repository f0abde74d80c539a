//! `errgroup` beyond the first error (model 12): its limit (`set_limit`,
//! `try_go`, a `go` that blocks for a slot), the cancel that stops a sibling,
//! and a task that panics. The real crate only (the textbook has no limit),
//! each model checked by seeded bugs (`scripts/seed-bugs.py`).

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::thread;

use go_context::loom::{self as ctx, Context, Error};
use go_waitgroup::loom::errgroup::Group;

use super::{ErrGroups, TaskError};
use crate::support::{check, expect_panic, hide_panics_containing, yield_until};

/// What the models' tasks panic with.
const TASK_PANIC: &str = "an errgroup task panicked, as the model means it to";

/// A task that counts itself in `running` while it runs and fails the model
/// if more than `limit` run at once.
fn counted(
    running: &Arc<AtomicUsize>,
    limit: usize,
) -> impl FnOnce() -> Result<(), TaskError> + Send + 'static {
    let running = running.clone();
    move || {
        let now = running.fetch_add(1, Ordering::AcqRel) + 1;
        assert!(now <= limit, "more tasks ran at once than the limit");
        running.fetch_sub(1, Ordering::AcqRel);
        Ok(())
    }
}

/// Two threads `try_go` at once on a group limited to one task: at most one
/// task runs at a time, a refused `try_go` found the slot taken, and once
/// `wait` returns every slot is free again.
pub fn try_go_races_for_the_last_slot() {
    // 2: about 1 100 executions.
    let bound = 2;
    check(bound, move || {
        let g = Group::<TaskError>::new();
        g.set_limit(Some(1));
        let running = Arc::new(AtomicUsize::new(0));
        let other = thread::spawn({
            let (g, running) = (g.clone(), running.clone());
            move || g.try_go(counted(&running, 1))
        });
        let here = g.try_go(counted(&running, 1));
        let there = other.join().unwrap();
        assert!(
            here || there,
            "both try_go calls were refused, with a slot free"
        );
        assert_eq!(g.wait(), Ok(()));
        assert!(
            g.try_go(|| Ok(())),
            "a slot stayed taken after wait returned"
        );
        assert_eq!(g.wait(), Ok(()));
    });
}

/// A task holds the only slot; another thread's `go` blocks for it. When the
/// slot is freed, by the task's end or by lifting the limit, the blocked
/// `go` starts its task.
fn blocked_go_is_released(lift_the_limit: bool) {
    // 2: five threads (the group's tasks among them): about 14 000
    // executions to free the slot by the task's end, 4 000 by the limit.
    let bound = 2;
    check(bound, move || {
        let g = Group::<TaskError>::new();
        g.set_limit(Some(1));
        let (hold, release) = ctx::with_cancel(&ctx::background());
        g.go(move || {
            hold.wait();
            Ok(())
        });
        let started = Arc::new(AtomicBool::new(false));
        let spawner = thread::spawn({
            let (g, started) = (g.clone(), started.clone());
            move || {
                g.go(|| Ok(()));
                started.store(true, Ordering::Release);
            }
        });
        if lift_the_limit {
            g.set_limit(None);
        } else {
            release.cancel();
        }
        let released = yield_until(bound, || started.load(Ordering::Acquire));
        assert!(released, "a go call still blocks after a slot was freed");
        release.cancel();
        spawner.join().unwrap();
        assert_eq!(g.wait(), Ok(()));
    });
}

/// A `go` blocked for the only slot starts its task once the task holding
/// the slot ends.
pub fn go_blocks_until_a_slot_frees() {
    blocked_go_is_released(false);
}

/// A `go` blocked for the only slot starts its task once `set_limit(None)`
/// lifts the limit, while the task still holds the slot.
pub fn lifting_the_limit_releases_a_blocked_go() {
    blocked_go_is_released(true);
}

/// Spawns a task that blocks until `ctx` is done and reports that it saw it.
fn watcher(g: &Group<TaskError>, ctx: &Context) -> Arc<AtomicBool> {
    let stopped = Arc::new(AtomicBool::new(false));
    g.go({
        let (ctx, stopped) = (ctx.clone(), stopped.clone());
        move || {
            ctx.wait();
            stopped.store(true, Ordering::Release);
            Ok(())
        }
    });
    stopped
}

/// A task fails while its sibling blocks on the group's context: the
/// sibling is woken before anyone calls `wait`, and `wait` then returns the
/// error, which is the context's cause.
pub fn first_error_stops_a_waiting_sibling() {
    // 2: about 3 000 executions.
    let bound = 2;
    check(bound, move || {
        let (g, ctx) = Group::<TaskError>::with_context(&ctx::background());
        let stopped = watcher(&g, &ctx);
        g.go(|| Err(TaskError("a")));
        let woken = yield_until(bound, || stopped.load(Ordering::Acquire));
        assert!(
            woken,
            "the first error did not stop the sibling watching the context"
        );
        assert_eq!(g.wait(), Err(TaskError("a")));
        assert_eq!(
            ctx.cause().map(|cause| cause.to_string()).as_deref(),
            Some("a")
        );
    });
}

/// A task panics while its sibling blocks on the group's context: the
/// sibling is woken before anyone calls `wait`, and `wait` panics with the
/// task's message, every time.
pub fn task_panic_stops_a_waiting_sibling() {
    // 2: about 3 000 executions.
    let bound = 2;
    check(bound, move || {
        hide_panics_containing(TASK_PANIC);
        let (g, ctx) = Group::<TaskError>::with_context(&ctx::background());
        let stopped = watcher(&g, &ctx);
        g.go(|| panic!("{TASK_PANIC}"));
        let woken = yield_until(bound, || stopped.load(Ordering::Acquire));
        assert!(
            woken,
            "a task panic did not stop the sibling watching the context"
        );
        assert_eq!(ctx.err(), Some(Error::Canceled));
        for _ in 0..2 {
            assert!(
                expect_panic("errgroup: task panicked", || {
                    let _ = g.wait();
                }),
                "wait returned although a task panicked"
            );
        }
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
        let (g, ctx) = E::with_context(&ctx::background());
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

/// The broken twins of these models: each is a textbook with one step
/// written the naive way, and `tests/twins.rs` runs it against the model
/// that must reject it.
pub mod twins {
    pub use self::check_then_record::CheckThenRecord;

    mod check_then_record {
        //! Twin of model 12: the first error checked, then recorded, in two steps.
        //!
        //! **The bug.** A failing task asks "is there an error yet?" under the lock,
        //! and, if not, records its own and cancels the context with it, taking the
        //! lock again to record.
        //!
        //! **The interleaving.** Tasks `a` and `b` both find no error. `a` records
        //! and cancels the context with cause `a`; `b` overwrites the error with
        //! `b`, and its cancel changes nothing (the first cancel won). `wait`
        //! returns `b` while the context says it was canceled because of `a`. Go
        //! makes one `sync.Once` (`errOnce`) decide; the textbook decides under one
        //! lock.
        //!
        //! **Caught by** `first_error_wins_and_cancels`: "the context's cause is not
        //! the error wait returned".

        use crate::wait_group::TaskError;
        use crate::wait_group::textbook::{ErrGroupSteps, Shared, cause};

        /// The textbook error group whose `record` checks, then sets.
        #[derive(Debug)]
        pub struct CheckThenRecord;

        impl ErrGroupSteps for CheckThenRecord {
            fn record(shared: &Shared, err: TaskError) {
                if shared.first.lock().unwrap().is_some() {
                    return;
                }
                *shared.first.lock().unwrap() = Some(err); // BUG: a second critical section
                shared.cancel.cancel(Some(cause(err)));
            }
        }
    }
}
