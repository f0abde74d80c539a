//! The limit of the stop-channel pattern, made concrete: goroutines that
//! spawn goroutines, and one subtree to stop without the rest.
//!
//! The articles ask it of the `select` + chan pattern: "what if many
//! goroutines need to be told to finish? What if those goroutines spawn
//! still more goroutines?" Every level then needs its own stop channel, and
//! every goroutine in the middle must watch *two* (the whole tree's and its
//! own subtree's) and pass the stop down by hand:
//!
//! ```go
//! func supervisor(name string, all, mine <-chan struct{}, report chan<- string) {
//!     workersStop := make(chan struct{}) // one more channel per level
//!     var wg sync.WaitGroup
//!     for i := 1; i <= 2; i++ {
//!         wg.Add(1)
//!         go func() { defer wg.Done(); <-workersStop; report <- fmt.Sprint(name, i, " stopped") }()
//!     }
//!     select { // two stops to watch
//!     case <-all:
//!     case <-mine:
//!     }
//!     close(workersStop) // manual fan-out
//!     wg.Wait()
//! }
//! ```
//!
//! With `context`, each level is one `context.WithCancel(parent)` line: the
//! tree watches both stops and fans out for you (see the context chapter).
//!
//! Run it with `cargo run -p go-stop-channel --example spawn_tree_limit`.

use std::io::{self, Write};
use std::thread;

use crossbeam_channel::select;
use go_stop_channel::{StopSignal, stop_channel};

// ANCHOR: supervisor
/// A worker: waits for its stop, then reports.
fn worker(name: String, stop: StopSignal) -> String {
    stop.wait();
    format!("  {name} stopped")
}

/// Starts two workers and stops them when the whole tree, or this subtree,
/// is told to stop. Returns its report, in a fixed order.
fn supervisor(name: &'static str, all: StopSignal, mine: StopSignal) -> Vec<String> {
    // Plumbing 1: a stop pair of its own for the level below.
    let (workers_stop, workers_stopped) = stop_channel();
    let workers: Vec<_> = (1..=2)
        .map(|i| {
            let stopped = workers_stopped.clone();
            thread::spawn(move || worker(format!("{name}{i}"), stopped))
        })
        .collect();

    // Plumbing 2: two stops to watch, the tree's and this subtree's.
    let why = select! {
        recv(all) -> _ => "the whole tree is stopping",
        recv(mine) -> _ => "its subtree was stopped",
    };

    // Plumbing 3: pass the stop down by hand, then wait for the level below.
    workers_stop.close();
    let mut report = vec![format!("{name}: {why}")];
    report.extend(workers.into_iter().map(|w| w.join().unwrap()));
    report
    // With context, all three are one line, and the subtree follows its
    // parent by itself:
    //     let (ctx, cancel) = go_context::with_cancel(&parent_ctx);
}
// ANCHOR_END: supervisor

// ANCHOR: main
fn run(out: &mut dyn Write) -> io::Result<()> {
    let (stop_all, all_stopped) = stop_channel();
    // Plumbing 4: one extra pair per subtree that may be stopped alone.
    let (stop_a, a_stopped) = stop_channel();
    let (_stop_b, b_stopped) = stop_channel();
    let a = thread::spawn({
        let all = all_stopped.clone();
        move || supervisor("A", all, a_stopped)
    });
    let b = thread::spawn(move || supervisor("B", all_stopped, b_stopped));

    stop_a.close(); // stop subtree A only
    for line in a.join().unwrap() {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "main: subtree A is down, B keeps working")?;

    stop_all.close(); // now everything
    for line in b.join().unwrap() {
        writeln!(out, "{line}")?;
    }
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
        include_str!("output/spawn_tree_limit.txt")
    );
}
