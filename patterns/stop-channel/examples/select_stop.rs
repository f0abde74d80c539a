//! The articles' second way to control goroutines: a monitor goroutine that
//! polls a stop channel in a `select` with a `default` arm.
//!
//! The articles describe it in prose ("the controlling goroutine operates on
//! a chan; the background goroutine keeps watching the chan to see whether
//! it should finish"). The program they summarise, from
//! "Go语言实战笔记（二十）| Go Context" (flysnow.org, 2017):
//!
//! ```go
//! func main() {
//!     stop := make(chan bool)
//!
//!     go func() {
//!         for {
//!             select {
//!             case <-stop:
//!                 fmt.Println("监控退出，停止了...")
//!                 return
//!             default:
//!                 fmt.Println("goroutine监控中...")
//!                 time.Sleep(2 * time.Second)
//!             }
//!         }
//!     }()
//!
//!     time.Sleep(10 * time.Second)
//!     fmt.Println("可以了，通知监控停止")
//!     stop <- true
//!     //为了检测监控过是否停止，如果没有监控输出，就表示停止了
//!     time.Sleep(5 * time.Second)
//! }
//! ```
//!
//! The Go program *sends* on `stop`, which tells exactly one receiver; the
//! port *closes* it, which tells every receiver, and is what the pattern
//! becomes as soon as there is more than one monitor. Instead of sleeping to
//! see whether the monitor stopped, `main` joins it. The monitor reports its
//! rounds over a channel and `main` prints the first three, so the output is
//! the same every run (how many more rounds run before the stop is seen
//! depends on timing).
//!
//! Run it with `cargo run -p go-stop-channel --example select_stop`.

use std::io::{self, Write};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{Sender, select, unbounded};
use go_stop_channel::{StopSignal, stop_channel};

// ANCHOR: monitor
/// Watches until told to stop; `default` makes each `select!` a poll.
fn monitor(stop: StopSignal, rounds: Sender<u32>) -> &'static str {
    let mut round = 0;
    loop {
        select! {
            recv(stop) -> _ => return "monitor: stopping, as told",
            default => {
                round += 1;
                let _ = rounds.send(round); // "goroutine监控中..."
                thread::sleep(Duration::from_millis(5));
            }
        }
    }
}
// ANCHOR_END: monitor

// ANCHOR: main
fn run(out: &mut dyn Write) -> io::Result<()> {
    let (stop, stopped) = stop_channel();
    let (rounds_tx, rounds) = unbounded();
    let monitor = thread::spawn(move || monitor(stopped, rounds_tx));

    for round in rounds.iter().take(3) {
        writeln!(out, "monitor: watching (round {round})")?;
    }
    writeln!(out, "main: that will do, telling the monitor to stop")?;
    stop.close(); // close(stop)

    let farewell = monitor.join().unwrap();
    writeln!(out, "{farewell}")?;
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
        include_str!("output/select_stop.txt")
    );
}
