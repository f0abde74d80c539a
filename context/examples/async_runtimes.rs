//! One done signal, every executor: `ctx.wait_async()` in `tokio::select!`
//! on tokio's multi-threaded runtime, on futures' single-threaded
//! `LocalPool`, and on async-executor; canceled from a blocking thread, and
//! canceling blocking threads from a task.
//!
//! The articles' goroutine selects on `<-ctx.Done()` and on its work:
//!
//! ```go
//! for {
//!     select {
//!     case <-ctx.Done():
//!         return ctx.Err()
//!     case job := <-jobs:
//!         results <- job * job
//!     }
//! }
//! ```
//!
//! In async Rust the same loop is a task with `tokio::select!`, and the done
//! arm is `ctx.wait_async()`: the same signal that `ctx.wait()` blocks on and
//! `ctx.done()` closes, so either side can cancel the other.
//!
//! Run it with `cargo run -p go-context --example async_runtimes`.

use std::cell::RefCell;
use std::io::{self, Write};
use std::rc::Rc;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crossbeam_channel::select;
use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use go_context::{Context, Error};
use tokio::sync::mpsc;

// ANCHOR: tokio_worker
/// Go's worker loop as a tokio task: squares jobs until its context is done.
async fn worker(ctx: Context, mut jobs: mpsc::Receiver<u64>, results: mpsc::Sender<u64>) -> Error {
    loop {
        tokio::select! {
            err = ctx.wait_async() => return err,
            Some(job) = jobs.recv() => {
                let _ = results.send(job * job).await;
            }
        }
    }
}

fn tokio_select(out: &mut dyn Write) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()?;
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    let (jobs_tx, jobs) = mpsc::channel(1);
    let (results_tx, mut results) = mpsc::channel(1);
    let task = rt.spawn(worker(ctx, jobs, results_tx));

    for job in 1..=3 {
        rt.block_on(jobs_tx.send(job)).unwrap();
        let square = rt.block_on(results.recv()).unwrap();
        writeln!(out, "tokio: job {job} -> {square}")?;
    }
    // A plain thread cancels; the task, parked in select!, wakes up.
    thread::spawn(move || cancel.cancel()).join().unwrap();
    let err = rt.block_on(task).unwrap();
    writeln!(out, "tokio: worker stopped: {err}")
}
// ANCHOR_END: tokio_worker

// ANCHOR: async_cancels_threads
fn task_cancels_threads(out: &mut dyn Write) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()?;
    let (ctx, cancel) = go_context::with_cancel_cause(&go_context::background());
    // A thread blocked in wait(), and one in crossbeam's select!.
    let blocked = thread::spawn({
        let ctx = ctx.clone();
        move || ctx.wait()
    });
    let selecting = thread::spawn({
        let ctx = ctx.clone();
        move || {
            select! {
                recv(ctx.done()) -> _ => ctx.cause().unwrap().to_string(),
            }
        }
    });
    // An async task decides, after an await, that the work must stop.
    rt.block_on(async move {
        tokio::task::yield_now().await;
        cancel.cancel(Some(Arc::new(io::Error::other("the task gave up"))));
    });
    writeln!(out, "thread in wait(): {}", blocked.join().unwrap())?;
    writeln!(out, "thread in select!: {}", selecting.join().unwrap())
}
// ANCHOR_END: async_cancels_threads

// ANCHOR: local_pool
fn single_threaded(out: &mut dyn Write) -> io::Result<()> {
    let (ctx, _cancel) =
        go_context::with_timeout(&go_context::background(), Duration::from_millis(20));
    let mut pool = LocalPool::new();
    let finished = Rc::new(RefCell::new(Vec::new()));
    for task in 1..=3 {
        let (ctx, finished) = (ctx.clone(), Rc::clone(&finished));
        pool.spawner()
            .spawn_local(async move {
                let err = ctx.wait_async().await;
                finished
                    .borrow_mut()
                    .push(format!("local task {task}: {err}"));
            })
            .unwrap();
    }
    // One thread runs every task; the context's timer thread wakes it.
    pool.run();
    finished.borrow_mut().sort(); // in the order they were started
    for line in finished.borrow().iter() {
        writeln!(out, "{line}")?;
    }
    Ok(())
}
// ANCHOR_END: local_pool

// ANCHOR: async_executor
fn on_async_executor(out: &mut dyn Write) -> io::Result<()> {
    let executor = Arc::new(async_executor::Executor::new());
    // The executor's own stop signal is a context as well.
    let (stopped, stop) = go_context::with_cancel(&go_context::background());
    let runners: Vec<_> = (0..2)
        .map(|_| {
            let (executor, stopped) = (Arc::clone(&executor), stopped.clone());
            thread::spawn(move || {
                futures_lite::future::block_on(executor.run(stopped.wait_async()))
            })
        })
        .collect();

    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    let tasks: Vec<_> = (0..100).map(|_| executor.spawn(ctx.wait_async())).collect();
    cancel.cancel();
    let errors = futures_lite::future::block_on(async {
        let mut errors = Vec::new();
        for task in tasks {
            errors.push(task.await);
        }
        errors
    });
    let canceled = errors.iter().filter(|err| **err == Error::Canceled).count();
    writeln!(
        out,
        "async-executor: {canceled} of 100 tasks woken: context canceled"
    )?;

    stop.cancel();
    for runner in runners {
        runner.join().unwrap();
    }
    Ok(())
}
// ANCHOR_END: async_executor

fn run(out: &mut dyn Write) -> io::Result<()> {
    tokio_select(out)?;
    task_cancels_threads(out)?;
    single_threaded(out)?;
    on_async_executor(out)
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
        include_str!("output/async_runtimes.txt")
    );
}
