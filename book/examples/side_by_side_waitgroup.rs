//! Start three workers, stop them, wait for them: with a `WaitGroup` alone.
//!
//! A wait group can only wait. Nothing in it reaches a running worker, so
//! "stop them" cannot be said: each worker runs its whole job, and `wait`
//! returns when the last one has finished on its own. The book's
//! side-by-side chapter sets this next to the stop channel and the context.
//!
//! Run it with `cargo run -p book-snippets --example side_by_side_waitgroup`.

use std::io::{self, Write};
use std::thread;
use std::time::Duration;

use crossbeam_channel::unbounded;
use go_waitgroup::WaitGroup;

/// One round of a worker's job.
const ROUND: Duration = Duration::from_millis(2);

// ANCHOR: run
fn run(out: &mut dyn Write) -> io::Result<()> {
    let wg = WaitGroup::new();
    let (report, reports) = unbounded();

    for id in 1..=3 {
        let report = report.clone();
        wg.go(move || {
            // No signal reaches this loop: it runs to its end.
            for _ in 0..5 {
                thread::sleep(ROUND);
            }
            let why = "ran all 5 rounds: nothing could stop it sooner";
            report.send((id, why)).unwrap();
        });
    }
    // "Stop them": there is nothing to call.
    wg.wait(); // wait for them

    drop(report);
    let mut reports: Vec<_> = reports.iter().collect();
    reports.sort();
    for (id, why) in reports {
        writeln!(out, "worker {id}: {why}")?;
    }
    writeln!(out, "main: all three done, when each chose to be")
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
        include_str!("output/side_by_side_waitgroup.txt")
    );
}
