//! A worker that stops when told or when its time is up, whichever comes
//! first: a stop arm and a `time.After` arm in the same `select`.
//!
//! The Go shape:
//!
//! ```go
//! func worker(name string, stop <-chan struct{}, budget time.Duration) string {
//!     timeUp := time.After(budget)
//!     tick := time.NewTicker(time.Millisecond)
//!     defer tick.Stop()
//!     for {
//!         select {
//!         case <-stop:
//!             return name + ": stopped, as told"
//!         case <-timeUp:
//!             return name + ": out of time, stopped itself"
//!         case <-tick.C:
//!             // a slice of work
//!         }
//!     }
//! }
//! ```
//!
//! In Rust, `time.After` is `crossbeam_channel::after` and a ticker is
//! `crossbeam_channel::tick`. `StopSignal::wait_timeout` is the blocking form
//! of the same race, for code that has nothing else to select on.
//!
//! Run it with `cargo run -p go-stop-channel --example stop_timeout`.

use std::io::{self, Write};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{after, select, tick};
use go_stop_channel::{StopSignal, stop_channel};

// ANCHOR: worker
fn worker(name: &str, stop: StopSignal, budget: Duration) -> String {
    let time_up = after(budget); // Go's time.After: create it once, outside the loop
    let ticks = tick(Duration::from_millis(1));
    loop {
        select! {
            recv(stop) -> _ => return format!("{name}: stopped, as told"),
            recv(time_up) -> _ => return format!("{name}: out of time, stopped itself"),
            recv(ticks) -> _ => { /* a slice of work */ }
        }
    }
}
// ANCHOR_END: worker

// ANCHOR: main
fn run(out: &mut dyn Write) -> io::Result<()> {
    let (stop, stopped) = stop_channel();
    let hasty = thread::spawn({
        let stopped = stopped.clone();
        move || worker("hasty", stopped, Duration::from_millis(20))
    });
    let patient = thread::spawn({
        let stopped = stopped.clone();
        move || worker("patient", stopped, Duration::from_secs(3600))
    });

    writeln!(out, "{}", hasty.join().unwrap())?; // its budget ran out first
    let told = stopped.wait_timeout(Duration::from_millis(5));
    writeln!(out, "main: a stop within 5ms? {told}")?;
    stop.close();
    writeln!(out, "{}", patient.join().unwrap())?;
    Ok(())
}

fn main() -> io::Result<()> {
    run(&mut io::stdout())
}
// ANCHOR_END: main

#[test]
fn prints_what_the_book_shows() {
    let mut out = Vec::new();
    run(&mut out).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        include_str!("output/stop_timeout.txt")
    );
}
