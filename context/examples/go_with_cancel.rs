//! A generator thread that stops when its context is canceled: Go's
//! `ExampleWithCancel`.
//!
//! The Go original, from `src/context/example_test.go` in the Go source tree
//! (Copyright The Go Authors, BSD-3-Clause; <https://go.dev/LICENSE>):
//!
//! ```go
//! func ExampleWithCancel() {
//!     // gen generates integers in a separate goroutine and sends them to
//!     // the returned channel. Its callers cancel the context once they are
//!     // done consuming, so that the goroutine does not leak.
//!     gen := func(ctx context.Context) <-chan int {
//!         dst := make(chan int)
//!         n := 1
//!         go func() {
//!             for {
//!                 select {
//!                 case <-ctx.Done():
//!                     return // returning not to leak the goroutine
//!                 case dst <- n:
//!                     n++
//!                 }
//!             }
//!         }()
//!         return dst
//!     }
//!
//!     ctx, cancel := context.WithCancel(context.Background())
//!     defer cancel() // cancel when we are finished consuming integers
//!
//!     for n := range gen(ctx) {
//!         fmt.Println(n)
//!         if n == 5 {
//!             break
//!         }
//!     }
//!     // Output:
//!     // 1
//!     // 2
//!     // 3
//!     // 4
//!     // 5
//! }
//! ```
//!
//! `gen` also returns the thread's handle, so that the example can show the
//! thread has returned rather than leaked.
//!
//! Run it with `cargo run -p go-context --example go_with_cancel`.

use std::io::{self, Write};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, bounded, select};
use go_context::Context;

// ANCHOR: gen
/// Generates integers on a thread of its own until `ctx` is done.
fn gen_ints(ctx: &Context) -> (Receiver<u64>, JoinHandle<()>) {
    let (dst, ints) = bounded(0);
    let ctx = ctx.clone();
    let generator = thread::spawn(move || {
        let done = ctx.done();
        let mut n = 1;
        loop {
            select! {
                recv(done) -> _ => return, // returning not to leak the thread
                send(dst, n) -> sent => match sent {
                    Ok(()) => n += 1,
                    Err(_) => return, // the consumer is gone too
                },
            }
        }
    });
    (ints, generator)
}
// ANCHOR_END: gen

// ANCHOR: main
fn run(out: &mut dyn Write) -> io::Result<()> {
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());

    let (ints, generator) = gen_ints(&ctx);
    for n in ints.iter() {
        writeln!(out, "{n}")?;
        if n == 5 {
            break;
        }
    }

    drop(cancel); // Go's deferred cancel(): we are finished consuming integers
    generator.join().unwrap(); // returns at once: the thread saw done
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
        include_str!("output/go_with_cancel.txt")
    );
}
