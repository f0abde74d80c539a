//! Models 10 and 11: `WaitGroup`'s wait, and its broken twins.

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

use super::WaitGroups;
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

/// The broken twins of these models: each is a textbook with one step
/// written the naive way, and `tests/twins.rs` runs it against the model
/// that must reject it.
pub mod twins {
    pub use self::check_then_sleep::CheckThenSleep;
    pub use self::notify_one::NotifyOne;
    pub use self::relaxed_counter::RelaxedCounter;

    mod relaxed_counter {
        //! Twin of model 10: a wait group whose counter is `Relaxed`.
        //!
        //! **The bug.** The counter is "just a counter", so its atomics use
        //! `Ordering::Relaxed`: `done` decrements it, `wait` sees zero and returns.
        //!
        //! **The interleaving.** None is needed: a task writes its result and calls
        //! `done`; the waiter sees the counter at zero and reads the result. Nothing
        //! orders the write before the read, so the waiter may see the old value;
        //! loom tracks the result in an `UnsafeCell` and reports the unsynchronised
        //! access. The textbook's `AcqRel` add and `Acquire` load make each task's
        //! work happen before the wait returns (Go's "synchronizes before").
        //!
        //! **Caught by** `wait_returns_after_every_done`: "Causality violation".

        use loom::sync::atomic::Ordering;

        use crate::wait_group::textbook::{State, WaitGroupSteps};

        /// The textbook wait group with `Relaxed` counter operations.
        #[derive(Debug)]
        pub struct RelaxedCounter;

        impl WaitGroupSteps for RelaxedCounter {
            fn add(state: &State, delta: isize) {
                // BUG: Relaxed publishes nothing.
                let count = state.count.fetch_add(delta, Ordering::Relaxed) + delta;
                assert!(count >= 0, "sync: negative WaitGroup counter");
                if count == 0 {
                    let _lock = state.lock.lock().unwrap();
                    state.zero.notify_all();
                }
            }

            fn wait(state: &State) {
                if state.count.load(Ordering::Relaxed) == 0 {
                    return; // BUG: the tasks' writes need not be visible yet
                }
                let mut lock = state.lock.lock().unwrap();
                while state.count.load(Ordering::Relaxed) != 0 {
                    lock = state.zero.wait(lock).unwrap();
                }
            }
        }
    }

    mod notify_one {
        //! Twin of model 10: the last `done` wakes one waiter.
        //!
        //! **The bug.** When the counter reaches zero, `add` calls `notify_one`:
        //! "someone is waiting, wake them".
        //!
        //! **The interleaving.** Two threads are asleep in `wait`; the last `done`
        //! wakes one of them. The other sleeps on, though the counter is zero and
        //! nothing will ever notify again. Go releases its semaphore once per
        //! registered waiter; the textbook notifies all.
        //!
        //! **Caught by** `every_waiter_released`: "a waiter still sleeps after the
        //! counter reached zero".

        use loom::sync::atomic::Ordering;

        use crate::wait_group::textbook::{State, WaitGroupSteps};

        /// The textbook wait group whose last `done` wakes one waiter.
        #[derive(Debug)]
        pub struct NotifyOne;

        impl WaitGroupSteps for NotifyOne {
            fn add(state: &State, delta: isize) {
                let count = state.count.fetch_add(delta, Ordering::AcqRel) + delta;
                assert!(count >= 0, "sync: negative WaitGroup counter");
                if count == 0 {
                    let _lock = state.lock.lock().unwrap();
                    state.zero.notify_one(); // BUG: every waiter must be woken
                }
            }
        }
    }

    mod check_then_sleep {
        //! Twin of model 11: `wait` checks, then sleeps without checking again.
        //!
        //! **The bug.** `wait` reads the counter; if it is not zero, it takes the
        //! lock and sleeps until notified, trusting the value it read.
        //!
        //! **The interleaving.** The waiter reads 1; the last `done` brings the
        //! counter to zero and notifies while nobody sleeps; the waiter then takes
        //! the lock and sleeps for a notification that has already happened. The
        //! textbook checks again under the lock the notifier takes.
        //!
        //! **Caught by** `done_races_wait_then_reuse`: "lost wake-up: the waiter
        //! still sleeps after the counter reached zero".

        use loom::sync::atomic::Ordering;

        use crate::wait_group::textbook::{State, WaitGroupSteps};

        /// The textbook wait group whose `wait` checks only before locking.
        #[derive(Debug)]
        pub struct CheckThenSleep;

        impl WaitGroupSteps for CheckThenSleep {
            fn wait(state: &State) {
                if state.count.load(Ordering::Acquire) == 0 {
                    return;
                }
                let lock = state.lock.lock().unwrap(); // BUG: no second check
                drop(state.zero.wait(lock).unwrap());
            }
        }
    }
}
