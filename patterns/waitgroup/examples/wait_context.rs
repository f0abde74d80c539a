//! Waiting for a group, but no longer than the request may take:
//! `WaitGroup::wait_context`.
//!
//! Go has no such method; the usual Go shape starts a helper goroutine to
//! turn `Wait` into a channel close, and selects on it and `ctx.Done()`:
//!
//! ```go
//! func waitOrGiveUp(ctx context.Context, wg *sync.WaitGroup) error {
//!     done := make(chan struct{})
//!     go func() {
//!         wg.Wait() // leaks if ctx wins and the tasks never finish
//!         close(done)
//!     }()
//!     select {
//!     case <-done:
//!         return nil
//!     case <-ctx.Done():
//!         return ctx.Err()
//!     }
//! }
//! ```
//!
//! `wait_context` does the same with no helper thread. Here one task is slow
//! (it waits for a gate the example opens only afterwards), so the request's
//! deadline wins; the group is still usable afterwards.
//!
//! Run it with `cargo run -p go-waitgroup --example wait_context`.

use std::io::{self, Write};
use std::sync::mpsc;
use std::time::Duration;

use go_waitgroup::WaitGroup;

// ANCHOR: wait_context
fn run(out: &mut dyn Write) -> io::Result<()> {
    let (ctx, _cancel) =
        go_context::with_timeout(&go_context::background(), Duration::from_millis(50));
    let wg = WaitGroup::new();
    let (open_gate, gate) = mpsc::channel::<()>();

    wg.go(|| { /* a quick task */ });
    wg.go(move || gate.recv().unwrap()); // a slow task

    match wg.wait_context(&ctx) {
        Ok(()) => writeln!(out, "every task finished in time")?,
        Err(err) => writeln!(out, "gave up waiting: {err}")?,
    }

    open_gate.send(()).unwrap(); // the slow task finishes after all
    wg.wait();
    writeln!(out, "the slow task finished later; the group is idle again")?;
    Ok(())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}
// ANCHOR_END: wait_context

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/wait_context.txt")
    );
}
