//! Waiting for "done or work" in one place: `ctx.done()` in
//! `crossbeam_channel::select!`, and `wait_async` on a tiny executor.
//!
//! Both articles describe a goroutine that selects on `<-ctx.Done()`; here it
//! also waits for work. In Go:
//!
//! ```go
//! func worker(ctx context.Context, jobs <-chan int, results chan<- string) string {
//!     for {
//!         select {
//!         case <-ctx.Done():
//!             return "stopped: " + ctx.Err().Error()
//!         case job, ok := <-jobs:
//!             if !ok {
//!                 return "stopped: no more jobs"
//!             }
//!             results <- fmt.Sprintf("job %d -> %d", job, job*job)
//!         }
//!     }
//! }
//! ```
//!
//! With `context.Background()` the `ctx.Done()` case is a nil channel that is
//! never ready; `ctx.done()` is then `crossbeam_channel::never()`, the same
//! thing. Go has no futures; the last part shows the async form of
//! `<-ctx.Done()`.
//!
//! Run it with `cargo run -p go-context --example select_done`.

use std::future::Future;
use std::io::{self, Write};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded, select};
use go_context::Context;

// ANCHOR: worker
fn worker(ctx: &Context, jobs: &Receiver<u64>, results: &Sender<String>) -> String {
    let done = ctx.done(); // once, outside the loop
    loop {
        select! {
            recv(done) -> _ => return format!("stopped: {}", ctx.err().unwrap()),
            recv(jobs) -> job => match job {
                Ok(job) => results.send(format!("job {job} -> {}", job * job)).unwrap(),
                Err(_) => return "stopped: no more jobs".to_owned(),
            },
        }
    }
}
// ANCHOR_END: worker

// ANCHOR: cancel_worker
fn canceled_worker(out: &mut dyn Write) -> io::Result<()> {
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    let (jobs_tx, jobs) = bounded(0);
    let (results_tx, results) = bounded(0);
    let handle = thread::spawn(move || worker(&ctx, &jobs, &results_tx));

    for job in 1..=3 {
        jobs_tx.send(job).unwrap();
        writeln!(out, "worker: {}", results.recv().unwrap())?;
    }
    cancel.cancel(); // the jobs channel stays open: done is what stops it
    writeln!(out, "worker: {}", handle.join().unwrap())?;
    drop(jobs_tx);
    Ok(())
}
// ANCHOR_END: cancel_worker

// ANCHOR: background_worker
fn background_worker(out: &mut dyn Write) -> io::Result<()> {
    let ctx = go_context::background(); // done() is never(): never ready
    let (jobs_tx, jobs) = bounded(0);
    let (results_tx, results) = bounded(0);
    let handle = thread::spawn(move || worker(&ctx, &jobs, &results_tx));

    jobs_tx.send(4).unwrap();
    writeln!(out, "background worker: {}", results.recv().unwrap())?;
    drop(jobs_tx); // Go's close(jobs)
    writeln!(out, "background worker: {}", handle.join().unwrap())
}
// ANCHOR_END: background_worker

// ANCHOR: block_on
/// Wakes the thread that runs [`block_on`].
struct Unparker(Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// The smallest executor: poll the future, park until woken, poll again.
fn block_on<F: Future>(fut: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unparker(thread::current())));
    let mut cx = TaskContext::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(output) = fut.as_mut().poll(&mut cx) {
            return output;
        }
        thread::park();
    }
}

fn async_wait(out: &mut dyn Write) -> io::Result<()> {
    let (ctx, _cancel) =
        go_context::with_timeout(&go_context::background(), Duration::from_millis(10));
    let err = block_on(async {
        // Any async code can await the context, on any executor.
        ctx.wait_async().await
    });
    writeln!(out, "async: {err}")
}
// ANCHOR_END: block_on

fn run(out: &mut dyn Write) -> io::Result<()> {
    canceled_worker(out)?;
    background_worker(out)?;
    async_wait(out)
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
        include_str!("output/select_done.txt")
    );
}
