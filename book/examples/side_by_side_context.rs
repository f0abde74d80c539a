//! Start three workers, stop them, wait for them: with a context (and a
//! `WaitGroup` for the waiting).
//!
//! Every worker watches the same context's done channel; one cancel reaches
//! all three, and each can read why: the error (`context canceled`) and the
//! cause the canceler gave. The same context could also have carried a
//! deadline and request values, and been one node of a larger tree. The
//! book's side-by-side chapter sets this next to the wait group and the stop
//! channel.
//!
//! Run it with `cargo run -p book-snippets --example side_by_side_context`.

use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use crossbeam_channel::{select, unbounded};
use go_waitgroup::WaitGroup;

/// One round of a worker's job.
const ROUND: Duration = Duration::from_millis(2);

// ANCHOR: run
fn run(out: &mut dyn Write) -> io::Result<()> {
    let wg = WaitGroup::new();
    let (report, reports) = unbounded();
    let (ctx, cancel) = go_context::with_cancel_cause(&go_context::background());

    for id in 1..=3 {
        let (report, ctx) = (report.clone(), ctx.clone());
        wg.go(move || {
            let done = ctx.done();
            loop {
                select! {
                    recv(done) -> _ => break,
                    default(ROUND) => {} // one round of work
                }
            }
            let why = format!("stopped: {} ({})", ctx.err().unwrap(), ctx.cause().unwrap());
            report.send((id, why)).unwrap();
        });
    }
    let cause = io::Error::other("the job was called off");
    cancel.cancel(Some(Arc::new(cause))); // stop them, and say why
    wg.wait(); // wait for them

    drop(report);
    let mut reports: Vec<_> = reports.iter().collect();
    reports.sort();
    for (id, why) in reports {
        writeln!(out, "worker {id}: {why}")?;
    }
    writeln!(out, "main: all three done, stopped by one cancel")
}
// ANCHOR_END: run

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/side_by_side_context.txt")
    );
}
