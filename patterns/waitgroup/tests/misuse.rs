//! Misuse: one test per `WaitGroup` and errgroup row of the misuse table in
//! `docs/misuse.md`, each named for its row; Go's panics are checked by their
//! exact text.
//!
//! Anything that could hang on a regression is bounded: it fails with a
//! message instead of stalling the run.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use go_context::Error;
use go_waitgroup::WaitGroup;
use go_waitgroup::errgroup::Group;

/// How long anything that must happen may take; only a failing test waits
/// this long.
const BOUND: Duration = Duration::from_secs(10);

const NEGATIVE: &str = "sync: negative WaitGroup counter";
const ADD_DURING_WAIT: &str = "sync: WaitGroup misuse: Add called concurrently with Wait";
const REUSED: &str = "sync: WaitGroup is reused before previous Wait has returned";

fn panic_text(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map_or_else(|| "<not a string>".to_owned(), |text| (*text).to_owned()),
    }
}

/// Runs `f`, returning its value or its panic's text.
fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(panic_text)
}

/// Runs `f` on its own thread and returns its result, failing if it has not
/// returned within [`BOUND`].
fn bounded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(BOUND)
        .unwrap_or_else(|_| panic!("{what}: did not return within {BOUND:?} (deadlock?)"))
}

/// Waits until `wg` has `n` blocked waiters, as its `Debug` shows.
fn until_waiters(wg: &WaitGroup, n: u32) {
    let shown = format!("waiters: {n} }}");
    let deadline = Instant::now() + BOUND;
    while !format!("{wg:?}").ends_with(&shown) {
        assert!(Instant::now() < deadline, "never {n} waiters: {wg:?}");
        thread::yield_now();
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Failed(&'static str);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Failed {}

// ---------------------------------------------------------------------------
// WaitGroup
// ---------------------------------------------------------------------------

#[test]
fn negative_wait_group_counter() {
    // Go's TestWaitGroupMisuse: Add(1); Done(); Done().
    let wg = WaitGroup::new();
    wg.add(1);
    wg.done();
    assert_eq!(catch(|| wg.done()), Err(NEGATIVE.to_owned()));
    // As in Go the counter is left below zero: the group is broken.
    assert_eq!(format!("{wg:?}"), "WaitGroup { count: -1, waiters: 0 }");
    assert_eq!(catch(|| wg.add(0)), Err(NEGATIVE.to_owned()));
}

#[test]
#[cfg(target_pointer_width = "64")]
fn wait_group_delta_out_of_range() {
    // Go truncates the delta to 32 bits; here it is refused, untouched.
    let wg = WaitGroup::new();
    let too_big = (i32::MAX as isize) + 1;
    assert_eq!(
        catch(|| wg.add(too_big)),
        Err("sync: WaitGroup delta out of range".to_owned())
    );
    assert_eq!(format!("{wg:?}"), "WaitGroup { count: 0, waiters: 0 }");
}

#[test]
fn wait_group_reused_before_wait_returned() {
    // A waiter is released, and the next batch starts before it has woken:
    // the waiter then panics with Go's message. The detection is best
    // effort, as in Go (the waiter may wake first), so try until it shows.
    bounded("reuse attempts", || {
        for _ in 0..2_000 {
            let wg = WaitGroup::new();
            wg.add(1);
            let waiter = {
                let wg = wg.clone();
                thread::spawn(move || catch(|| wg.wait_timeout(BOUND)))
            };
            until_waiters(&wg, 1);
            wg.done(); // releases the waiter...
            wg.add(1); // ...and reuses the group before it has returned
            let seen = waiter.join().unwrap();
            wg.done();
            match seen {
                Ok(true) => continue, // the waiter woke first: not caught
                Err(message) => {
                    assert_eq!(message, REUSED);
                    return;
                }
                Ok(false) => panic!("a released waiter timed out"),
            }
        }
        panic!("reuse never detected in 2 000 attempts")
    });
}

#[test]
fn wait_group_add_racing_with_wait_release() {
    // A positive add racing with the done that releases a waiter: Go's
    // "Add called concurrently with Wait" when caught in the act, which is
    // best effort. Whatever the interleaving, nothing may hang and every
    // panic must carry one of Go's three messages.
    bounded("add/release races", || {
        for _ in 0..500 {
            let wg = WaitGroup::new();
            wg.add(1);
            let waiter = {
                let wg = wg.clone();
                thread::spawn(move || catch(|| wg.wait_timeout(BOUND)))
            };
            until_waiters(&wg, 1);
            let start = Arc::new(Barrier::new(2));
            let racer = {
                let (wg, start) = (wg.clone(), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    let added = catch(|| wg.add(1)); // counted even if it panics
                    (added, catch(|| wg.done()))
                })
            };
            start.wait();
            let released = catch(|| wg.done());
            let (added, undone) = racer.join().unwrap();
            let waited = waiter.join().unwrap();
            for outcome in [released, added, undone] {
                if let Err(message) = outcome {
                    assert!(
                        [NEGATIVE, ADD_DURING_WAIT, REUSED].contains(&message.as_str()),
                        "not one of Go's messages: {message}"
                    );
                }
            }
            match waited {
                Ok(true) => {}
                Err(message) => assert_eq!(message, REUSED),
                Ok(false) => panic!("the waiter was never released"),
            }
        }
    });
}

#[test]
fn wait_group_task_panics() {
    // Go crashes the process (#76126); here every wait panics, never
    // returning as if the task had finished.
    let wg = WaitGroup::new();
    wg.go(|| panic!("boom"));
    let message = "sync: WaitGroup task panicked: boom".to_owned();
    assert_eq!(catch(|| wg.wait()), Err(message.clone()));
    assert_eq!(catch(|| wg.wait_timeout(BOUND)), Err(message));
}

#[test]
fn wait_group_wait_context_gives_up() {
    // Go needs a helper goroutine (leaked when the context wins); here the
    // wait withdraws and the group is unharmed.
    let wg = WaitGroup::new();
    wg.add(1);
    let (ctx, _cancel) =
        go_context::with_timeout(&go_context::background(), Duration::from_millis(5));
    assert_eq!(wg.wait_context(&ctx), Err(Error::DeadlineExceeded));
    assert_eq!(format!("{wg:?}"), "WaitGroup { count: 1, waiters: 0 }");
    wg.done();
    assert_eq!(wg.wait_context(&ctx), Ok(()), "the counter wins once zero");
}

#[test]
fn wait_group_task_starts_a_task() {
    let wg = WaitGroup::new();
    let (tx, rx) = mpsc::channel();
    let inner = wg.clone();
    wg.go(move || {
        inner.go(move || tx.send("inner").unwrap());
    });
    bounded("nested go", move || wg.wait());
    assert_eq!(rx.try_recv(), Ok("inner"));
}

// ---------------------------------------------------------------------------
// errgroup
// ---------------------------------------------------------------------------

#[test]
fn errgroup_set_limit_while_tasks_run() {
    let g = Group::<Failed>::new();
    let (release, hold) = mpsc::channel::<()>();
    g.go(move || {
        hold.recv().unwrap();
        Ok(())
    });
    assert_eq!(
        catch(|| g.set_limit(Some(4))),
        Err("errgroup: modify limit while 1 goroutines in the group are still active".to_owned())
    );
    g.set_limit(None); // removing the limit never panics, as in Go
    release.send(()).unwrap();
    g.wait().unwrap();
    g.set_limit(Some(4)); // idle again: allowed
}

#[test]
fn errgroup_limit_zero() {
    // Go: SetLimit(0) blocks every Go and fails every TryGo, until the
    // limit is raised.
    let g = Group::<Failed>::new();
    g.set_limit(Some(0));
    assert!(!g.try_go(|| Ok(())));
    let (started_tx, started) = mpsc::channel();
    let blocked = {
        let g = g.clone();
        thread::spawn(move || {
            g.go(move || {
                started_tx.send(()).unwrap();
                Ok(())
            })
        })
    };
    assert!(
        started.recv_timeout(Duration::from_millis(20)).is_err(),
        "go did not block"
    );
    g.set_limit(Some(1)); // no task is active: allowed
    started
        .recv_timeout(BOUND)
        .expect("raising the limit admits the blocked go");
    blocked.join().unwrap();
    g.wait().unwrap();
}

#[test]
fn errgroup_task_panics() {
    let (g, ctx) = Group::<Failed>::with_context(&go_context::background());
    g.go(|| panic!("boom"));
    assert_eq!(
        catch(|| g.wait()),
        Err("errgroup: task panicked: boom".to_owned())
    );
    assert_eq!(
        ctx.err(),
        Some(Error::Canceled),
        "siblings were told to stop"
    );
}

#[test]
fn errgroup_reused_after_wait() {
    // Go says a group should not be reused; it works, and the first error
    // of the group's whole life stays.
    let g = Group::new();
    g.go(|| Err(Failed("first")));
    assert_eq!(g.wait(), Err(Failed("first")));
    g.go(|| Err(Failed("second")));
    assert_eq!(g.wait(), Err(Failed("first")));
}

#[test]
fn errgroup_task_waits_on_the_group_context() {
    // A task blocked on the group's context wakes when a sibling fails.
    let (g, ctx) = Group::<Failed>::with_context(&go_context::background());
    let (waiting_tx, waiting) = mpsc::channel();
    let watcher = ctx.clone();
    g.go(move || {
        waiting_tx.send(()).unwrap();
        assert_eq!(watcher.wait(), Error::Canceled);
        Ok(())
    });
    waiting.recv_timeout(BOUND).unwrap();
    g.go(|| Err(Failed("sibling failed")));
    let result = bounded("wait on the group", move || g.wait());
    assert_eq!(result, Err(Failed("sibling failed")));
    assert_eq!(ctx.cause().unwrap().to_string(), "sibling failed");
}

#[test]
fn errgroup_task_waits_on_the_group_context_nobody_fails() {
    // With no failure the context is canceled only when `wait` returns, and
    // `wait` waits for the task: a task that waited on the context forever
    // would deadlock, here as in Go. This task gives up after a while to
    // show that the context stays live for as long as `wait` is waiting.
    let (g, ctx) = Group::<Failed>::with_context(&go_context::background());
    let watcher = ctx.clone();
    g.go(move || {
        assert_eq!(watcher.wait_timeout(Duration::from_millis(20)), None);
        Ok(())
    });
    assert_eq!(bounded("wait on the group", move || g.wait()), Ok(()));
    assert_eq!(ctx.err(), Some(Error::Canceled), "wait cancels on return");
}
