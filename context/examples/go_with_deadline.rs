//! A deadline tells a blocking wait to give up: Go's `ExampleWithDeadline`.
//!
//! The Go original, from `src/context/example_test.go` in the Go source tree
//! (Copyright The Go Authors, BSD-3-Clause; <https://go.dev/LICENSE>):
//!
//! ```go
//! var neverReady = make(chan struct{}) // never closed
//!
//! func ExampleWithDeadline() {
//!     d := time.Now().Add(shortDuration) // shortDuration = 1 * time.Millisecond
//!     ctx, cancel := context.WithDeadline(context.Background(), d)
//!
//!     // Even though ctx will be expired, it is good practice to call its
//!     // cancellation function in any case. Failure to do so may keep the
//!     // context and its parent alive longer than necessary.
//!     defer cancel()
//!
//!     select {
//!     case <-neverReady:
//!         fmt.Println("ready")
//!     case <-ctx.Done():
//!         fmt.Println(ctx.Err())
//!     }
//!     // Output:
//!     // context deadline exceeded
//! }
//! ```
//!
//! In Rust the cancel handle needs no reminder: dropping it cancels.
//!
//! Run it with `cargo run -p go-context --example go_with_deadline`.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crossbeam_channel::{never, select};

/// Go's `shortDuration`.
const SHORT: Duration = Duration::from_millis(1);

// ANCHOR: main
fn run(out: &mut dyn Write) -> io::Result<()> {
    let never_ready = never::<()>(); // nothing ever arrives

    let d = Instant::now() + SHORT;
    let (ctx, _cancel) = go_context::with_deadline(&go_context::background(), d);

    select! {
        recv(never_ready) -> _ => writeln!(out, "ready")?,
        recv(ctx.done()) -> _ => writeln!(out, "{}", ctx.err().unwrap())?,
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
        include_str!("output/go_with_deadline.txt")
    );
}
