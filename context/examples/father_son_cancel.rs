//! A father thread cancels the son it started: the articles' `WithCancel`
//! program.
//!
//! The Go original, from the article "Go语言context模块小结" (comments
//! translated):
//!
//! ```go
//! func father() {
//!     // father gets ctx and holds its off switch, cancel.
//!     ctx, cancel := context.WithCancel(context.Background())
//!
//!     // father hands ctx to son.
//!     go son(ctx)
//!
//!     // One second later father calls cancel, closing ctx.Done().
//!     time.Sleep(time.Second)
//!     cancel()
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
//! The father waits 100 ms instead of a second, and then also joins the son,
//! which the Go program leaves to chance. The son reports to the father over a
//! channel, so the output comes out in the order things happen.
//!
//! Run it with `cargo run -p go-context --example father_son_cancel`.

use std::io::{self, Write};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::Duration;

use go_context::Context;

/// How long the father lets the son work (the article: one second).
const WORK: Duration = Duration::from_millis(100);

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
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());

    let (log_tx, log) = mpsc::channel();
    let son = thread::spawn(move || son(ctx, log_tx));
    writeln!(out, "father: started son")?;
    writeln!(out, "{}", log.recv().unwrap())?;

    thread::sleep(WORK);
    writeln!(out, "father: cancel()")?;
    cancel.cancel();

    son.join().unwrap();
    for line in log.try_iter() {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "father: son has returned")
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
        include_str!("output/father_son_cancel.txt")
    );
}
