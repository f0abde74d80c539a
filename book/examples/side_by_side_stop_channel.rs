//! Start three workers, stop them, wait for them: with a stop channel (and a
//! `WaitGroup` for the waiting).
//!
//! Every worker watches the same stop signal in its `select!`; one `close`
//! reaches all three. The signal says only "stop": not why, not when by, and
//! not to whom beyond everyone who watches it. The book's side-by-side
//! chapter sets this next to the wait group and the context.
//!
//! Run it with `cargo run -p book-snippets --example side_by_side_stop_channel`.

use std::io::{self, Write};
use std::time::Duration;

use crossbeam_channel::{select, unbounded};
use go_stop_channel::stop_channel;
use go_waitgroup::WaitGroup;

/// One round of a worker's job.
const ROUND: Duration = Duration::from_millis(2);

// ANCHOR: run
fn run(out: &mut dyn Write) -> io::Result<()> {
    let wg = WaitGroup::new();
    let (report, reports) = unbounded();
    let (stop, stopped) = stop_channel();

    for id in 1..=3 {
        let (report, stopped) = (report.clone(), stopped.clone());
        wg.go(move || {
            loop {
                select! {
                    recv(stopped) -> _ => break,
                    default(ROUND) => {} // one round of work
                }
            }
            let why = "stopped: the stop channel is closed";
            report.send((id, why)).unwrap();
        });
    }
    stop.close(); // stop them: one close reaches all three
    wg.wait(); // wait for them

    drop(report);
    let mut reports: Vec<_> = reports.iter().collect();
    reports.sort();
    for (id, why) in reports {
        writeln!(out, "worker {id}: {why}")?;
    }
    writeln!(out, "main: all three done, stopped by one close")
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
        include_str!("output/side_by_side_stop_channel.txt")
    );
}
