//! Go's nil-channel trick: switch a `select` case off by setting its channel
//! to `nil`. In Rust, put `crossbeam_channel::never()` in the arm.
//!
//! Adapted from Francesc Campoy, "Why are there nil channels in Go?"
//! (justforfunc, 2016), with a stop channel added:
//!
//! ```go
//! func merge(stop <-chan struct{}, a, b <-chan int) <-chan int {
//!     out := make(chan int)
//!     go func() {
//!         defer close(out)
//!         for a != nil || b != nil {
//!             select {
//!             case <-stop:
//!                 return
//!             case v, ok := <-a:
//!                 if !ok {
//!                     a = nil // a closed channel is always ready; nil never is
//!                     continue
//!                 }
//!                 out <- v
//!             case v, ok := <-b:
//!                 if !ok {
//!                     b = nil
//!                     continue
//!                 }
//!                 out <- v
//!             }
//!         }
//!     }()
//!     return out
//! }
//! ```
//!
//! Without the trick, a closed input would stay ready forever and the loop
//! would spin on it. The closed stop channel is the opposite case: it must
//! stay ready, so that every worker sees it.
//!
//! Run it with `cargo run -p go-stop-channel --example nil_channel`.

use std::io::{self, Write};
use std::thread;

use crossbeam_channel::{Receiver, never, select, unbounded};
use go_stop_channel::{StopSignal, stop_channel};

// ANCHOR: merge
fn merge(stop: StopSignal, a: Receiver<i32>, b: Receiver<i32>) -> Receiver<i32> {
    let (out_tx, out) = unbounded();
    thread::spawn(move || {
        let (mut a, mut b) = (Some(a), Some(b));
        while a.is_some() || b.is_some() {
            // `never()` is Go's nil channel: an arm that is never ready.
            let a_arm = a.clone().unwrap_or_else(never);
            let b_arm = b.clone().unwrap_or_else(never);
            select! {
                recv(stop) -> _ => return,
                recv(a_arm) -> v => match v {
                    Ok(v) => drop(out_tx.send(v)),
                    Err(_) => a = None, // closed: switch this arm off
                },
                recv(b_arm) -> v => match v {
                    Ok(v) => drop(out_tx.send(v)),
                    Err(_) => b = None,
                },
            }
        }
    }); // the thread drops `out_tx` when it ends: Go's `defer close(out)`
    out
}
// ANCHOR_END: merge

// ANCHOR: main
fn run(out: &mut dyn Write) -> io::Result<()> {
    // Both inputs close: the merge ends by itself.
    let (_stop, stopped) = stop_channel();
    let (a_tx, a) = unbounded();
    let (b_tx, b) = unbounded();
    for v in [1, 2, 3] {
        a_tx.send(v).unwrap();
        b_tx.send(v * 10).unwrap();
    }
    drop((a_tx, b_tx)); // close(a); close(b)
    let mut merged: Vec<i32> = merge(stopped, a, b).iter().collect();
    merged.sort();
    writeln!(out, "merged until both inputs closed: {merged:?}")?;

    // Inputs that stay open: the stop ends the merge.
    let (stop, stopped) = stop_channel();
    let (a_tx, a) = unbounded();
    let (_b_tx, b) = unbounded();
    let merged = merge(stopped, a, b);
    a_tx.send(7).unwrap();
    writeln!(
        out,
        "received {} while the inputs are open",
        merged.recv().unwrap()
    )?;
    stop.close();
    let ended = merged.recv().is_err(); // the merge returned and closed `out`
    writeln!(out, "after the stop, out is closed: {ended}")?;
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
        include_str!("output/nil_channel.txt")
    );
}
