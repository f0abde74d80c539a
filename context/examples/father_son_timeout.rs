//! A timeout cancels the son; the father's `defer cancel()` is a handle
//! dropped at the end: the articles' `WithTimeout` program.
//!
//! The Go original, from the article "Go语言context模块小结" (comments
//! translated):
//!
//! ```go
//! func father() {
//!     // father gets ctx and holds its off switch, cancel.
//!     ctx, cancel := context.WithTimeout(context.Background(), time.Second)
//!     defer cancel()
//!
//!     // father hands ctx to son.
//!     go son(ctx)
//!
//!     // Sleep 10 s so that father does not return and run defer cancel().
//!     time.Sleep(10 * time.Second)
//! }
//!
//! func son(ctx context.Context) {
//!     for {
//!         // do something
//!         select {
//!         case <-ctx.Done():
//!             // ctx.Done() is closed: do the closing things and return.
//!             return
//!         default:
//!         }
//!     }
//! }
//! ```
//!
//! The timeout is 100 ms instead of a second, and instead of sleeping ten
//! seconds the father joins the son, which returns when the deadline passes.
//!
//! Run it with `cargo run -p go-context --example father_son_timeout`.

use std::io::{self, Write};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

use go_context::Context;

/// The son's time budget (the article: one second).
const TIMEOUT: Duration = Duration::from_millis(100);

// ANCHOR: son
fn son(ctx: Context, log: Sender<String>) {
    log.send("son: working".to_owned()).unwrap();
    loop {
        thread::sleep(Duration::from_millis(1)); // do something

        // Go: select { case <-ctx.Done(): return; default: }
        if let Some(err) = ctx.err() {
            log.send(format!("son: ctx is done ({err}), cleaning up"))
                .unwrap();
            return;
        }
    }
}
// ANCHOR_END: son

// ANCHOR: father
fn father(out: &mut dyn Write) -> io::Result<()> {
    let (ctx, cancel) = go_context::with_timeout(&go_context::background(), TIMEOUT);
    // Go's `defer cancel()`: the handle cancels when it goes out of scope.

    let (log_tx, log) = mpsc::channel();
    let son = thread::spawn({
        let ctx = ctx.clone();
        move || son(ctx, log_tx)
    });
    writeln!(out, "father: started son with a {TIMEOUT:?} timeout")?;
    writeln!(out, "{}", log.recv().unwrap())?;

    // The deadline, not the father, stops the son.
    son.join().unwrap();
    for line in log.try_iter() {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "father: son has returned")?;

    drop(cancel); // where the deferred cancel() runs: too late to matter
    writeln!(
        out,
        "father: after cancel(), ctx is still: {}",
        ctx.err().unwrap()
    )
}
// ANCHOR_END: father

fn run(out: &mut dyn Write) -> io::Result<()> {
    father(out)
}

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/father_son_timeout.txt")
    );
}
