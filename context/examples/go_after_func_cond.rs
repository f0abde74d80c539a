//! Waiting on a condition variable until a context is done, with
//! `after_func`: Go's `ExampleAfterFunc_cond`.
//!
//! The Go original, from `src/context/example_test.go` in the Go source tree
//! (Copyright The Go Authors, BSD-3-Clause; <https://go.dev/LICENSE>):
//!
//! ```go
//! func ExampleAfterFunc_cond() {
//!     waitOnCond := func(ctx context.Context, cond *sync.Cond, conditionMet func() bool) error {
//!         stopf := context.AfterFunc(ctx, func() {
//!             // Take cond.L so that this Broadcast cannot happen before
//!             // the Wait below, which would lose the wake-up.
//!             cond.L.Lock()
//!             defer cond.L.Unlock()
//!             // Broadcast, not Signal: other goroutines wait on cond too,
//!             // and this one must be among those woken.
//!             cond.Broadcast()
//!         })
//!         defer stopf()
//!
//!         // A Broadcast for another goroutine's context also ends Wait,
//!         // so check ctx in a loop.
//!         for !conditionMet() {
//!             cond.Wait()
//!             if ctx.Err() != nil {
//!                 return ctx.Err()
//!             }
//!         }
//!         return nil
//!     }
//!
//!     cond := sync.NewCond(new(sync.Mutex))
//!
//!     var wg sync.WaitGroup
//!     for range 4 {
//!         wg.Go(func() {
//!             ctx, cancel := context.WithTimeout(context.Background(), 1*time.Millisecond)
//!             defer cancel()
//!
//!             cond.L.Lock()
//!             defer cond.L.Unlock()
//!
//!             err := waitOnCond(ctx, cond, func() bool { return false })
//!             fmt.Println(err)
//!         })
//!     }
//!     wg.Wait()
//!     // Output:
//!     // context deadline exceeded
//!     // context deadline exceeded
//!     // context deadline exceeded
//!     // context deadline exceeded
//! }
//! ```
//!
//! Go's `sync.Cond` is a condition variable with its lock `L`; here a
//! `Condvar` and a `Mutex`. Waiting consumes and returns the guard, so the
//! function takes the caller's guard and hands it back. The four threads
//! return their results and `run` prints them, so the lines come out whole.
//!
//! Run it with `cargo run -p go-context --example go_after_func_cond`.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use go_context::{Context, Error};

// ANCHOR: wait_on_cond
/// Go's `sync.Cond`: a condition variable and the lock `l` it waits with.
#[derive(Default)]
struct Cond {
    l: Mutex<()>,
    cv: Condvar,
}

/// Waits on `cond` (whose lock the caller holds) until `condition_met`, or
/// until `ctx` is done; returns the guard and why it stopped.
fn wait_on_cond<'a>(
    ctx: &Context,
    cond: &'a Arc<Cond>,
    mut guard: MutexGuard<'a, ()>,
    condition_met: impl Fn() -> bool,
) -> (MutexGuard<'a, ()>, Result<(), Error>) {
    let stopf = go_context::after_func(ctx, {
        let cond = Arc::clone(cond);
        move || {
            // Take the lock so that this broadcast cannot come before the
            // wait below (a lost wake-up, and a deadlock).
            let _l = cond.l.lock().unwrap();
            // Other threads wait on `cond` too: wake them all, ours among them.
            cond.cv.notify_all();
        }
    });

    // A broadcast for another thread's context also ends a wait (and a
    // condition variable may wake spuriously): check `ctx` in a loop.
    let result = loop {
        if condition_met() {
            break Ok(());
        }
        guard = cond.cv.wait(guard).unwrap();
        if let Some(err) = ctx.err() {
            break Err(err);
        }
    };
    stopf.stop(); // Go: defer stopf()
    (guard, result)
}
// ANCHOR_END: wait_on_cond

// ANCHOR: main
fn run(out: &mut dyn Write) -> io::Result<()> {
    let cond = Arc::new(Cond::default());

    let results: Vec<Result<(), Error>> = thread::scope(|s| {
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    let (ctx, _cancel) = go_context::with_timeout(
                        &go_context::background(),
                        Duration::from_millis(1),
                    );

                    let guard = cond.l.lock().unwrap();
                    let (_guard, err) = wait_on_cond(&ctx, &cond, guard, || false);
                    err
                })
            })
            .collect();
        tasks.into_iter().map(|t| t.join().unwrap()).collect()
    });

    for err in results {
        match err {
            Ok(()) => writeln!(out, "<nil>")?,
            Err(err) => writeln!(out, "{err}")?,
        }
    }
    Ok(())
}
// ANCHOR_END: main

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/go_after_func_cond.txt")
    );
}
