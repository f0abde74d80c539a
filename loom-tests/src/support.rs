//! What every model shares: the checker with its preemption bound, a waker
//! that records being woken, and a bounded wait for a thread to finish.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc as StdArc, Mutex, Once, PoisonError};
use std::task::{Context as TaskContext, Poll, Wake, Waker};

use loom::model::Builder;
use loom::sync::atomic::{AtomicBool, Ordering};

/// The preemption bound of the context models.
///
/// Loom's docs find a bound of 2 or 3 enough to catch most bugs, and larger
/// models need one that small to finish. The context models can afford
/// more: measured on each of them, the number of executions loom explores
/// stops growing at a bound of 12 or below (most stop by 4 to 6; README.md
/// has the table), so at 12 they are explored exhaustively, all of them
/// together in about a second.
pub const CONTEXT_BOUND: usize = 12;

/// The preemption bound of the one model with three threads (two waiters
/// and a cancel), which is not explored exhaustively: at [`CONTEXT_BOUND`]
/// it runs for many minutes. Loom's docs find 2 or 3 enough for most bugs,
/// and the seeded bug it exists for is caught at this bound.
pub const THREE_THREAD_BOUND: usize = 3;

/// Runs `model` in every interleaving loom can reach with at most
/// `preemption_bound` preemptions per execution.
///
/// `LOOM_MAX_PREEMPTIONS` overrides the bound (to explore deeper, or to
/// reproduce a report quickly); the other `LOOM_*` variables work as in
/// `loom::model`, including `LOOM_LOG` for a trace of each execution and
/// `LOOM_CHECKPOINT_FILE` to save and replay a failing one.
pub fn check<F>(preemption_bound: usize, model: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut builder = Builder::new();
    builder.preemption_bound = builder.preemption_bound.or(Some(preemption_bound));
    // As `loom::model` does: print loom's trace when LOOM_LOG is set.
    let _trace = std::env::var_os("LOOM_LOG").map(|_| {
        use tracing_subscriber::util::SubscriberInitExt;
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("LOOM_LOG"))
            .with_test_writer()
            .without_time()
            .finish()
            .set_default()
    });
    builder.check(model);
}

/// A waker that only records that it was woken.
#[derive(Debug)]
pub struct WakeFlag(AtomicBool);

impl WakeFlag {
    /// A fresh flag and a waker that sets it.
    pub fn new() -> (StdArc<WakeFlag>, Waker) {
        let flag = StdArc::new(WakeFlag(AtomicBool::new(false)));
        let waker = Waker::from(flag.clone());
        (flag, waker)
    }

    /// Whether a waker clone was woken.
    pub fn woken(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

impl Wake for WakeFlag {
    fn wake(self: StdArc<Self>) {
        self.0.store(true, Ordering::Release);
    }
}

/// Polls `future` once with `waker`.
pub fn poll_once<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    std::pin::Pin::new(future).poll(&mut TaskContext::from_waker(waker))
}

/// Yields to the other threads until `done` holds; returns whether it
/// does. Gives up after enough rounds for a model checked with
/// `preemption_bound`, so that a `false` means a thread is blocked for good:
/// a lost wake-up.
///
/// Loom runs a yielding thread again only once another thread has run, so
/// a thread that is runnable gets to go on. A round can still pass without
/// progress when loom preempts that thread (at most `preemption_bound`
/// times in an execution) or when it blocks on a lock another thread holds
/// (a handful of times in these models); `2 * preemption_bound + 4` rounds
/// cover both. This turns what would be a hang (which loom reports by
/// aborting the test process) into an assertion.
pub fn yield_until(preemption_bound: usize, mut done: impl FnMut() -> bool) -> bool {
    for _ in 0..2 * preemption_bound + 4 {
        if done() {
            return true;
        }
        loom::thread::yield_now();
    }
    done()
}

/// Keeps panics whose message contains `marker` out of the test's output,
/// for panics a model causes on purpose (it may meet them in thousands of
/// executions). Other panics print as usual.
pub fn hide_panics_containing(marker: &'static str) {
    static HIDDEN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let print = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let text = message(info.payload());
            let hidden = HIDDEN.lock().unwrap_or_else(PoisonError::into_inner);
            if !hidden.iter().any(|marker| text.contains(marker)) {
                drop(hidden);
                print(info);
            }
        }));
    });
    let mut hidden = HIDDEN.lock().unwrap_or_else(PoisonError::into_inner);
    if !hidden.contains(&marker) {
        hidden.push(marker);
    }
}

/// Runs `f`, which may panic with a message containing `expected`; returns
/// whether it did. Any other panic is passed on. The expected panic is not
/// printed (see [`hide_panics_containing`]).
pub fn expect_panic(expected: &'static str, f: impl FnOnce()) -> bool {
    hide_panics_containing(expected);
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => false,
        Err(payload) if message(&*payload).contains(expected) => true,
        Err(payload) => resume_unwind(payload),
    }
}

/// Runs `f`; the message it panicked with, if it did (hide the expected
/// ones with [`hide_panics_containing`]).
pub fn panic_message(f: impl FnOnce()) -> Option<String> {
    catch_unwind(AssertUnwindSafe(f))
        .err()
        .map(|payload| message(&*payload).to_owned())
}

/// A panic's message, if it is text.
fn message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        ""
    }
}
