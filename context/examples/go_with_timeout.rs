//! A timeout tells a blocking wait to give up: Go's `ExampleWithTimeout`.
//!
//! The Go original, from `src/context/example_test.go` in the Go source tree
//! (Copyright The Go Authors, BSD-3-Clause; <https://go.dev/LICENSE>):
//!
//! ```go
//! var neverReady = make(chan struct{}) // never closed
//!
//! func ExampleWithTimeout() {
//!     // Pass a context with a timeout to tell a blocking function that it
//!     // should abandon its work after the timeout elapses.
//!     ctx, cancel := context.WithTimeout(context.Background(), shortDuration)
//!     defer cancel()
//!
//!     select {
//!     case <-neverReady:
//!         fmt.Println("ready")
//!     case <-ctx.Done():
//!         fmt.Println(ctx.Err()) // prints "context deadline exceeded"
//!     }
//!     // Output:
//!     // context deadline exceeded
//! }
//! ```
//!
//! Run it with `cargo run -p go-context --example go_with_timeout`.

use std::io::{self, Write};
use std::time::Duration;

use crossbeam_channel::{never, select};

/// Go's `shortDuration`.
const SHORT: Duration = Duration::from_millis(1);

// ANCHOR: main
fn run(out: &mut dyn Write) -> io::Result<()> {
    let never_ready = never::<()>(); // nothing ever arrives

    let (ctx, _cancel) = go_context::with_timeout(&go_context::background(), SHORT);

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
        include_str!("output/go_with_timeout.txt")
    );
}
