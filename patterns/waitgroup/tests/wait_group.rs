//! `WaitGroup` beyond Go's own tests: timeouts, contexts, sharing, reuse,
//! task panics and misuse.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use go_waitgroup::WaitGroup;

const THREADS: usize = 8;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A timeout long enough never to expire in a passing test.
const FOREVER: Duration = Duration::from_secs(60);

/// The text of a caught panic payload.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .unwrap_or_default(),
    }
}

/// Spins until `n` threads are blocked in a wait on `wg`, so that the test
/// exercises the wake-up path rather than the fast path.
fn until_waiters(wg: &WaitGroup, n: u32) {
    let want = format!("waiters: {n} ");
    while !format!("{wg:?}").contains(&want) {
        thread::yield_now();
    }
}

mod basics {
    use super::*;

    #[test]
    fn zero_group_does_not_block() {
        let wg = WaitGroup::new();
        wg.wait();
        assert!(wg.wait_timeout(Duration::ZERO));
        assert_eq!(wg.wait_context(&go_context::background()), Ok(()));
    }

    #[test]
    fn add_n_then_done_n() {
        let wg = WaitGroup::new();
        wg.add(THREADS as isize);
        for _ in 0..THREADS {
            let wg = wg.clone();
            thread::spawn(move || wg.done());
        }
        wg.wait();
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 0, waiters: 0 }");
    }

    #[test]
    fn negative_add_releases_waiters() {
        let wg = WaitGroup::new();
        wg.add(3);
        let waiter = thread::spawn({
            let wg = wg.clone();
            move || wg.wait()
        });
        until_waiters(&wg, 1);
        wg.add(-3);
        waiter.join().unwrap();
    }

    #[test]
    fn many_waiters_are_all_released() {
        let wg = WaitGroup::new();
        wg.add(1);
        let waiters: Vec<_> = (0..THREADS)
            .map(|_| {
                let wg = wg.clone();
                thread::spawn(move || wg.wait())
            })
            .collect();
        until_waiters(&wg, THREADS as u32);
        wg.done();
        for waiter in waiters {
            waiter.join().unwrap();
        }
    }

    #[test]
    fn tasks_may_start_tasks() {
        let wg = WaitGroup::new();
        let ran = Arc::new(AtomicUsize::new(0));
        let (spawner, counted) = (wg.clone(), Arc::clone(&ran));
        wg.go(move || {
            for _ in 0..THREADS {
                let counted = Arc::clone(&counted);
                spawner.go(move || {
                    counted.fetch_add(1, Ordering::Relaxed);
                });
            }
        });
        wg.wait();
        assert_eq!(ran.load(Ordering::Relaxed), THREADS);
    }

    #[test]
    fn debug_shows_count_and_waiters() {
        let wg = WaitGroup::new();
        wg.add(2);
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 2, waiters: 0 }");
        wg.add(-2);
    }
}

mod sharing {
    use super::*;

    #[test]
    fn through_an_arc() {
        let wg = Arc::new(WaitGroup::new());
        let ran = Arc::new(AtomicUsize::new(0));
        for _ in 0..THREADS {
            wg.add(1);
            let (wg, ran) = (Arc::clone(&wg), Arc::clone(&ran));
            thread::spawn(move || {
                ran.fetch_add(1, Ordering::Relaxed);
                wg.done();
            });
        }
        wg.wait();
        assert_eq!(ran.load(Ordering::Relaxed), THREADS);
    }

    #[test]
    fn by_reference_from_scoped_threads() {
        let wg = WaitGroup::new();
        let mut slots = [0usize; THREADS];
        thread::scope(|s| {
            for (i, slot) in slots.iter_mut().enumerate() {
                wg.add(1);
                let wg = &wg;
                s.spawn(move || {
                    *slot = i * i;
                    wg.done();
                });
            }
            wg.wait();
        });
        assert_eq!(slots[THREADS - 1], (THREADS - 1) * (THREADS - 1));
    }

    #[test]
    fn go_scoped_borrows_and_waits_mid_scope() {
        let wg = WaitGroup::new();
        let total = AtomicUsize::new(0);
        let numbers: Vec<usize> = (1..=100).collect();
        thread::scope(|s| {
            for chunk in numbers.chunks(10) {
                wg.go_scoped(s, || {
                    total.fetch_add(chunk.iter().sum(), Ordering::Relaxed);
                });
            }
            wg.wait();
            assert_eq!(total.load(Ordering::Relaxed), 5050);
        });
    }

    #[test]
    fn clones_share_one_counter() {
        let wg = WaitGroup::new();
        let other = wg.clone();
        other.add(1);
        assert!(!wg.wait_timeout(Duration::ZERO));
        wg.done();
        other.wait();
    }
}

mod reuse {
    use super::*;

    #[test]
    fn batches_after_every_wait_returned() {
        let wg = WaitGroup::new();
        let ran = Arc::new(AtomicUsize::new(0));
        for batch in 1..=20 {
            for _ in 0..4 {
                let ran = Arc::clone(&ran);
                wg.go(move || {
                    ran.fetch_add(1, Ordering::Relaxed);
                });
            }
            wg.wait();
            assert_eq!(ran.load(Ordering::Relaxed), batch * 4);
        }
    }

    #[test]
    fn after_a_timed_out_wait() {
        let wg = WaitGroup::new();
        wg.add(1);
        assert!(!wg.wait_timeout(ms(1)));
        // The timed-out waiter withdrew: a later release posts no stray
        // wake-up, and the next batch starts clean.
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 1, waiters: 0 }");
        wg.done();
        wg.wait();
        wg.add(1);
        assert!(!wg.wait_timeout(Duration::ZERO));
        wg.done();
        assert!(wg.wait_timeout(Duration::ZERO));
    }
}

mod wait_timeout {
    use super::*;

    #[test]
    fn times_out_while_tasks_run() {
        let wg = WaitGroup::new();
        wg.add(1);
        assert!(!wg.wait_timeout(ms(5)));
        assert!(!wg.wait_timeout(Duration::ZERO));
        wg.done();
    }

    #[test]
    fn returns_true_when_released() {
        let wg = WaitGroup::new();
        wg.add(1);
        let waiter = thread::spawn({
            let wg = wg.clone();
            move || wg.wait_timeout(FOREVER)
        });
        until_waiters(&wg, 1);
        wg.done();
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn huge_timeout_is_a_plain_wait() {
        let wg = WaitGroup::new();
        wg.go(|| {});
        assert!(wg.wait_timeout(Duration::MAX));
    }

    #[test]
    fn timed_out_waiter_does_not_disturb_others() {
        let wg = WaitGroup::new();
        wg.add(1);
        let patient = thread::spawn({
            let wg = wg.clone();
            move || wg.wait()
        });
        until_waiters(&wg, 1);
        assert!(!wg.wait_timeout(ms(1)));
        until_waiters(&wg, 1);
        wg.done();
        patient.join().unwrap();
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 0, waiters: 0 }");
    }
}

mod wait_context {
    use super::*;

    #[test]
    fn cancel_releases_a_blocked_wait() {
        let wg = WaitGroup::new();
        wg.add(1);
        let (ctx, cancel) = go_context::with_cancel(&go_context::background());
        let waiter = thread::spawn({
            let wg = wg.clone();
            move || wg.wait_context(&ctx)
        });
        until_waiters(&wg, 1);
        cancel.cancel();
        assert_eq!(waiter.join().unwrap(), Err(go_context::Error::Canceled));
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 1, waiters: 0 }");
        wg.done();
        wg.wait();
    }

    #[test]
    fn deadline_releases_a_blocked_wait() {
        let wg = WaitGroup::new();
        wg.add(1);
        let (ctx, _cancel) = go_context::with_timeout(&go_context::background(), ms(10));
        assert_eq!(
            wg.wait_context(&ctx),
            Err(go_context::Error::DeadlineExceeded)
        );
        wg.done();
    }

    #[test]
    fn deadline_fired_on_demand() {
        let wg = WaitGroup::new();
        wg.add(1);
        let (ctx, _cancel) = go_context::with_timeout(&go_context::background(), FOREVER);
        let waiter = thread::spawn({
            let (wg, ctx) = (wg.clone(), ctx.clone());
            move || wg.wait_context(&ctx)
        });
        until_waiters(&wg, 1);
        assert!(go_context::testing::expire(&ctx));
        assert_eq!(
            waiter.join().unwrap(),
            Err(go_context::Error::DeadlineExceeded)
        );
        wg.done();
    }

    #[test]
    fn already_done_context_returns_at_once() {
        let wg = WaitGroup::new();
        wg.add(1);
        let (ctx, cancel) = go_context::with_cancel(&go_context::background());
        cancel.cancel();
        assert_eq!(wg.wait_context(&ctx), Err(go_context::Error::Canceled));
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 1, waiters: 0 }");
        wg.done();
    }

    #[test]
    fn a_zero_counter_wins_over_a_done_context() {
        let wg = WaitGroup::new();
        let (ctx, cancel) = go_context::with_cancel(&go_context::background());
        cancel.cancel();
        assert_eq!(wg.wait_context(&ctx), Ok(()));
    }

    #[test]
    fn counter_reaching_zero_first() {
        let wg = WaitGroup::new();
        let (ctx, _cancel) = go_context::with_cancel(&go_context::background());
        let (go, gate) = mpsc::channel::<()>();
        wg.go(move || gate.recv().unwrap());
        let waiter = thread::spawn({
            let (wg, ctx) = (wg.clone(), ctx.clone());
            move || wg.wait_context(&ctx)
        });
        until_waiters(&wg, 1);
        go.send(()).unwrap();
        assert_eq!(waiter.join().unwrap(), Ok(()));
        assert!(!ctx.is_done());
    }

    #[test]
    fn never_canceled_context_is_a_plain_wait() {
        let wg = WaitGroup::new();
        wg.go(|| {});
        assert_eq!(wg.wait_context(&go_context::background()), Ok(()));
    }

    #[test]
    fn value_layer_over_a_canceled_context() {
        static USER: go_context::Key<&str> = go_context::Key::new("user");
        let wg = WaitGroup::new();
        wg.add(1);
        let (ctx, cancel) = go_context::with_cancel(&go_context::background());
        let ctx = go_context::with_value(&ctx, &USER, "gopher");
        let waiter = thread::spawn({
            let (wg, ctx) = (wg.clone(), ctx.clone());
            move || wg.wait_context(&ctx)
        });
        until_waiters(&wg, 1);
        drop(cancel);
        assert_eq!(waiter.join().unwrap(), Err(go_context::Error::Canceled));
        wg.done();
    }
}

mod task_panics {
    use super::*;

    const MESSAGE: &str = "sync: WaitGroup task panicked: boom";

    #[test]
    fn every_wait_panics_with_the_payload() {
        let wg = WaitGroup::new();
        wg.go(|| panic!("boom"));
        for _ in 0..2 {
            let err = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
            assert_eq!(panic_text(err), MESSAGE);
        }
        let err = catch_unwind(AssertUnwindSafe(|| wg.wait_timeout(FOREVER))).unwrap_err();
        assert_eq!(panic_text(err), MESSAGE);
        let (ctx, _cancel) = go_context::with_cancel(&go_context::background());
        let err = catch_unwind(AssertUnwindSafe(|| wg.wait_context(&ctx))).unwrap_err();
        assert_eq!(panic_text(err), MESSAGE);
    }

    #[test]
    fn formatted_payloads_are_kept() {
        let wg = WaitGroup::new();
        let task = 7;
        wg.go(move || panic!("task {task} failed"));
        let err = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
        assert_eq!(
            panic_text(err),
            "sync: WaitGroup task panicked: task 7 failed"
        );
    }

    #[test]
    fn blocked_waiters_are_woken_not_left_hanging() {
        let wg = WaitGroup::new();
        let (go, gate) = mpsc::channel::<()>();
        wg.go(move || {
            gate.recv().unwrap();
            panic!("boom");
        });
        wg.go(|| {}); // finishes normally: not enough for the waiters
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let wg = wg.clone();
                thread::spawn(move || wg.wait())
            })
            .collect();
        until_waiters(&wg, 3);
        go.send(()).unwrap();
        for waiter in waiters {
            assert_eq!(panic_text(waiter.join().unwrap_err()), MESSAGE);
        }
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 1, waiters: 0 }");
    }

    #[test]
    fn go_scoped_panics_in_wait_and_in_the_scope() {
        let wg = WaitGroup::new();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            thread::scope(|s| {
                wg.go_scoped(s, || panic!("boom"));
                let err = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
                assert_eq!(panic_text(err), MESSAGE);
            });
        }));
        assert_eq!(panic_text(outcome.unwrap_err()), "a scoped thread panicked");
    }
}

mod misuse {
    use super::*;

    #[test]
    fn negative_counter() {
        let wg = WaitGroup::new();
        let err = catch_unwind(AssertUnwindSafe(|| wg.add(-1))).unwrap_err();
        assert_eq!(panic_text(err), "sync: negative WaitGroup counter");
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn delta_out_of_range() {
        let wg = WaitGroup::new();
        let too_big = isize::try_from(i64::from(i32::MAX) + 1).unwrap();
        let err = catch_unwind(AssertUnwindSafe(|| wg.add(too_big))).unwrap_err();
        assert_eq!(panic_text(err), "sync: WaitGroup delta out of range");
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 0, waiters: 0 }");
    }
}

mod pool_tasks {
    use super::*;

    #[test]
    fn tasks_on_rayon_pool_are_waited_for() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let wg = WaitGroup::new();
        let finished = Arc::new(AtomicUsize::new(0));
        for _ in 0..1000 {
            let finished = Arc::clone(&finished);
            pool.spawn(wg.task(move || {
                finished.fetch_add(1, Ordering::Relaxed);
            }));
        }
        wg.wait();
        assert_eq!(finished.load(Ordering::Relaxed), 1000);
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 0, waiters: 0 }");
    }

    #[test]
    fn task_is_counted_before_it_runs() {
        let wg = WaitGroup::new();
        let task = wg.task(|| ());
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 1, waiters: 0 }");
        assert!(!wg.wait_timeout(ms(1)));
        let runner = thread::spawn(task);
        wg.wait();
        runner.join().unwrap();
    }

    #[test]
    fn tasks_may_borrow_in_a_scope() {
        let wg = WaitGroup::new();
        let mut parts = [0u64; 4];
        rayon::scope(|s| {
            for (i, part) in parts.iter_mut().enumerate() {
                let task = wg.task(move || *part = i as u64 * 10);
                s.spawn(move |_| task());
            }
        });
        wg.wait();
        assert_eq!(parts, [0, 10, 20, 30]);
    }

    #[test]
    fn panicking_task_fails_every_wait_and_spares_the_worker() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let wg = WaitGroup::new();
        pool.spawn(wg.task(|| panic!("boom")));
        let err = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
        assert_eq!(panic_text(err), "sync: WaitGroup task panicked: boom");
        // The pool's only worker survived and runs the next task.
        let (tx, rx) = mpsc::channel();
        pool.spawn(move || tx.send(7).unwrap());
        assert_eq!(rx.recv_timeout(FOREVER), Ok(7));
    }

    #[test]
    fn dropped_task_fails_every_wait() {
        let wg = WaitGroup::new();
        let task = wg.task(|| unreachable!("a dropped task never runs"));
        let blocked = {
            let wg = wg.clone();
            thread::spawn(move || catch_unwind(AssertUnwindSafe(|| wg.wait())))
        };
        until_waiters(&wg, 1);
        drop(task);
        let message = "sync: WaitGroup task panicked: task dropped before it ran";
        assert_eq!(panic_text(blocked.join().unwrap().unwrap_err()), message);
        let err = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
        assert_eq!(panic_text(err), message);
    }
}
