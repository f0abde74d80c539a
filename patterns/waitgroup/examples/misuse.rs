//! What misusing a WaitGroup or an errgroup does: Go's panics, with Go's
//! messages, caught here so the program can show them.
//!
//! Go's own misuse test (`TestWaitGroupMisuse`, from
//! <https://github.com/golang/go/blob/master/src/sync/waitgroup_test.go>;
//! BSD licence, The Go Authors):
//!
//! ```go
//! func TestWaitGroupMisuse(t *testing.T) {
//!     defer func() {
//!         err := recover()
//!         if err != "sync: negative WaitGroup counter" {
//!             t.Fatalf("Unexpected panic: %#v", err)
//!         }
//!     }()
//!     wg := &WaitGroup{}
//!     wg.Add(1)
//!     wg.Done()
//!     wg.Done()
//!     t.Fatal("Should panic")
//! }
//! ```
//!
//! A task that panics is where Rust and Go part ways: Go crashes the process
//! (`TestIssue76126`); here every wait on the group panics instead, so the
//! failure can neither hang the waiter nor pass for success. The two racy
//! misuses (an `Add` racing with `Wait`, reuse before `Wait` returned) are
//! detected as in Go, when the race is caught in the act; they cannot be
//! shown deterministically.
//!
//! Run it with `cargo run -p go-waitgroup --example misuse`.

use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;

use go_waitgroup::WaitGroup;
use go_waitgroup::errgroup::Group;

/// Runs `f`, which must panic, and returns the panic's message.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = panic::catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map_or_else(String::new, |message| message.to_string()),
    }
}

// ANCHOR: misuse
fn run(out: &mut dyn Write) -> io::Result<()> {
    // The default hook would print every caught panic to stderr; the
    // messages are printed below instead.
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));

    let wg = WaitGroup::new();
    wg.add(1);
    wg.done();
    let message = panic_message(|| wg.done());
    writeln!(out, "done() once too often: {message}")?;

    let wg = WaitGroup::new();
    wg.go(|| panic!("test"));
    let message = panic_message(|| wg.wait());
    writeln!(out, "wait() after a task panicked: {message}")?;

    let g = Group::<String>::new();
    let (release, hold) = mpsc::channel::<()>();
    g.go(move || {
        hold.recv().unwrap();
        Ok(())
    });
    let message = panic_message(|| g.set_limit(Some(4)));
    writeln!(out, "set_limit() while a task runs: {message}")?;
    release.send(()).unwrap();
    g.wait().unwrap();

    let g = Group::<String>::new();
    g.go(|| panic!("lost connection"));
    let message = panic_message(|| drop(g.wait()));
    writeln!(out, "errgroup wait() after a task panicked: {message}")?;

    panic::set_hook(default_hook);
    Ok(())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}
// ANCHOR_END: misuse

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/misuse.txt")
    );
}
