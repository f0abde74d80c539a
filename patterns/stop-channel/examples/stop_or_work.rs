//! Workers that block until there is work or a stop, whichever comes first:
//! `select` on the stop channel and the job queue, no `default`.
//!
//! The Go shape (a worker pool with a `done` channel, as in "Go Concurrency
//! Patterns: Pipelines and cancellation", <https://go.dev/blog/pipelines>):
//!
//! ```go
//! func worker(id int, stop <-chan struct{}, jobs <-chan int, results chan<- string) {
//!     for {
//!         select {
//!         case <-stop:
//!             return
//!         case job := <-jobs:
//!             results <- fmt.Sprintf("job %d squared is %d", job, job*job)
//!         }
//!     }
//! }
//!
//! func main() {
//!     stop := make(chan struct{})
//!     jobs, results := make(chan int), make(chan string)
//!     for id := 1; id <= 3; id++ {
//!         go worker(id, stop, jobs, results)
//!     }
//!     go func() { for job := 1; job <= 6; job++ { jobs <- job } }()
//!     for i := 0; i < 6; i++ {
//!         fmt.Println(<-results)
//!     }
//!     close(stop) // one close stops all three workers
//! }
//! ```
//!
//! A blocked worker costs nothing while it waits, unlike the polling monitor
//! of `select_stop`. Results are sorted before printing, so the output does
//! not depend on which worker took which job.
//!
//! Run it with `cargo run -p go-stop-channel --example stop_or_work`.

use std::io::{self, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use go_stop_channel::{StopSignal, stop_channel};

// ANCHOR: worker
/// Handles jobs until stopped (or until the job queue is closed); returns
/// how many it handled.
fn worker(stop: StopSignal, jobs: Receiver<u64>, results: Sender<(u64, u64)>) -> usize {
    let mut handled = 0;
    loop {
        select! {
            recv(stop) -> _ => return handled,
            recv(jobs) -> job => match job {
                Ok(job) => {
                    results.send((job, job * job)).unwrap();
                    handled += 1;
                }
                Err(_) => return handled, // no more jobs: also a way to end
            },
        }
    }
}
// ANCHOR_END: worker

// ANCHOR: main
fn run(out: &mut dyn Write) -> io::Result<()> {
    let (stop, stopped) = stop_channel();
    let (jobs_tx, jobs) = unbounded();
    let (results_tx, results) = unbounded();
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (stopped, jobs, results_tx) = (stopped.clone(), jobs.clone(), results_tx.clone());
            thread::spawn(move || worker(stopped, jobs, results_tx))
        })
        .collect();

    for job in 1..=6 {
        jobs_tx.send(job).unwrap();
    }
    let mut squares: Vec<_> = results.iter().take(6).collect();
    squares.sort();
    for (job, square) in squares {
        writeln!(out, "job {job} squared is {square}")?;
    }

    stop.close(); // every worker is blocked in select!: one close wakes all
    let handled: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    writeln!(out, "all 3 workers stopped after {handled} jobs")?;
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
        include_str!("output/stop_or_work.txt")
    );
}
