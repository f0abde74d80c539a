//! Stress: `WaitGroup` and `errgroup::Group` under many threads, reused batch
//! after batch; no wait returns early, none misses its release, limits hold,
//! and the first error stops every sibling.
//!
//! Every run is bounded by [`BOUND`]: a lost wake-up fails with a message
//! instead of hanging. The heavier `soak_*` variants are ignored in the
//! normal run; run them with
//!
//! ```text
//! cargo test --release -p go-waitgroup --test stress -- --ignored soak
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use go_context::Error;
use go_waitgroup::WaitGroup;
use go_waitgroup::errgroup::Group;

/// How long a whole run may take; only a failing run waits this long.
const BOUND: Duration = Duration::from_secs(120);

/// Runs `f` on its own thread, failing if it has not returned within
/// [`BOUND`] (a lost wake-up or a deadlock) or if it panicked.
fn bounded(what: &str, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let runner = thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(BOUND) {
        Ok(()) => runner.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            std::panic::resume_unwind(runner.join().unwrap_err())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: still running after {BOUND:?}"),
    }
}

#[derive(Debug, Clone)]
struct Failed(usize);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "task {} failed", self.0)
    }
}

impl std::error::Error for Failed {}

// ---------------------------------------------------------------------------
// WaitGroup
// ---------------------------------------------------------------------------

/// Batches of tasks, half counted by hand and half with `go`, each batch
/// watched by waiters in every style; every wait that returns must see the
/// whole batch's work. The group is reused for the next batch only once
/// every wait has returned (Go's rule).
fn batches(rounds: usize, tasks: usize, waiters: usize) {
    let wg = WaitGroup::new();
    let work = Arc::new(AtomicUsize::new(0));
    for round in 0..rounds {
        let expected = (round + 1) * tasks;
        let (ctx, cancel) = go_context::with_cancel(&go_context::background());
        let start = Arc::new(Barrier::new(waiters + 1));
        let watchers: Vec<_> = (0..waiters)
            .map(|i| {
                let (wg, work, ctx) = (wg.clone(), Arc::clone(&work), ctx.clone());
                let start = Arc::clone(&start);
                thread::spawn(move || {
                    start.wait();
                    let finished = match i % 3 {
                        0 => {
                            wg.wait();
                            true
                        }
                        1 => wg.wait_timeout(BOUND),
                        // Canceled at a random moment: either is fine, but
                        // `Ok` must mean the batch is complete.
                        _ => match wg.wait_context(&ctx) {
                            Ok(()) => true,
                            Err(err) => {
                                assert_eq!(err, Error::Canceled);
                                return;
                            }
                        },
                    };
                    assert!(finished, "waiter {i} of round {round} timed out");
                    let seen = work.load(Ordering::Relaxed);
                    assert_eq!(seen, expected, "waiter {i} of round {round} returned early");
                })
            })
            .collect();
        // Hold the counter above zero until the whole batch has started: an
        // add from zero must happen before the waits (Go's rule).
        wg.add(1);
        start.wait();
        for task in 0..tasks {
            let work = Arc::clone(&work);
            if task % 2 == 0 {
                wg.go(move || {
                    work.fetch_add(1, Ordering::Relaxed);
                });
            } else {
                wg.add(1);
                let wg = wg.clone();
                thread::spawn(move || {
                    work.fetch_add(1, Ordering::Relaxed);
                    wg.done();
                });
            }
            if task == tasks / 2 {
                cancel.cancel();
            }
        }
        wg.done();
        wg.wait();
        assert_eq!(work.load(Ordering::Relaxed), expected);
        for watcher in watchers {
            watcher.join().unwrap();
        }
    }
}

#[test]
fn wait_group_reused_batch_after_batch() {
    bounded("200 batches", || batches(200, 32, 9));
}

#[test]
#[ignore = "soak: run in release (see the file header)"]
fn soak_wait_group_reused_batch_after_batch() {
    bounded("5 000 batches", || batches(5_000, 64, 18));
}

/// Go's `TestWaitGroupRace`, many times over: two tasks, one wait, no
/// spurious release.
fn pairs(rounds: usize) {
    for _ in 0..rounds {
        let wg = WaitGroup::new();
        let n = Arc::new(AtomicUsize::new(0));
        wg.add(2);
        for _ in 0..2 {
            let (wg, n) = (wg.clone(), Arc::clone(&n));
            thread::spawn(move || {
                n.fetch_add(1, Ordering::Relaxed);
                wg.done();
            });
        }
        wg.wait();
        assert_eq!(n.load(Ordering::Relaxed), 2, "spurious release");
    }
}

#[test]
fn wait_group_never_releases_early() {
    bounded("2 000 pairs", || pairs(2_000));
}

#[test]
#[ignore = "soak: run in release (see the file header)"]
fn soak_wait_group_never_releases_early() {
    bounded("200 000 pairs", || pairs(200_000));
}

// ---------------------------------------------------------------------------
// errgroup
// ---------------------------------------------------------------------------

/// Go's `TestGoLimit`, with several threads starting tasks at once: the
/// number of tasks running never exceeds the limit.
fn limit_holds(limit: usize, tasks: usize, starters: usize) {
    let g = Group::<Failed>::new();
    g.set_limit(Some(limit));
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let starting: Vec<_> = (0..starters)
        .map(|_| {
            let (g, running, most) = (g.clone(), Arc::clone(&running), Arc::clone(&most));
            thread::spawn(move || {
                for t in 0..tasks / starters {
                    let (running, most) = (Arc::clone(&running), Arc::clone(&most));
                    let task = move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        thread::yield_now();
                        running.fetch_sub(1, Ordering::SeqCst);
                        Ok(())
                    };
                    if t % 2 == 0 {
                        g.go(task);
                    } else {
                        while !g.try_go(task.clone()) {
                            thread::yield_now();
                        }
                    }
                }
            })
        })
        .collect();
    for starter in starting {
        starter.join().unwrap();
    }
    g.wait().expect("no task fails");
    let most = most.load(Ordering::SeqCst);
    assert!(
        most <= limit,
        "{most} tasks ran at once under a limit of {limit}"
    );
    assert!(most >= 1);
}

#[test]
fn errgroup_limit_holds_under_contention() {
    bounded("1 000 limited tasks", || limit_holds(4, 1_000, 4));
}

#[test]
#[ignore = "soak: run in release (see the file header)"]
fn soak_errgroup_limit_holds_under_contention() {
    bounded("100 000 limited tasks", || limit_holds(8, 100_000, 8));
}

/// A group whose tasks all block on its context until one fails: the first
/// error cancels the context, every sibling wakes, `wait` returns that error.
fn first_error_stops_everyone(rounds: usize, siblings: usize) {
    for round in 0..rounds {
        let (g, ctx) = Group::<Failed>::with_context(&go_context::background());
        let waiting = Arc::new(Barrier::new(siblings + 1));
        for _ in 0..siblings {
            let (ctx, waiting) = (ctx.clone(), Arc::clone(&waiting));
            g.go(move || {
                waiting.wait();
                assert_eq!(ctx.wait_timeout(BOUND), Some(Error::Canceled));
                Ok(())
            });
        }
        waiting.wait();
        let failing = round % siblings;
        g.go(move || Err(Failed(failing)));
        assert_eq!(g.wait().unwrap_err().0, failing);
        let cause = ctx.cause().expect("canceled");
        assert_eq!(cause.downcast_ref::<Failed>().map(|f| f.0), Some(failing));
    }
}

#[test]
fn errgroup_first_error_stops_everyone() {
    bounded("100 groups", || first_error_stops_everyone(100, 16));
}

#[test]
#[ignore = "soak: run in release (see the file header)"]
fn soak_errgroup_first_error_stops_everyone() {
    bounded("5 000 groups", || first_error_stops_everyone(5_000, 64));
}
