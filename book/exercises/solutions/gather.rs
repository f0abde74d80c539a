//! A solution: a handler that gathers its backends (the Context part).
//!
//! The exercise, and the Go handler it ports, are in `src/gather.rs`.

use std::thread;
use std::time::Duration;

use go_context::{Cause, Context};

/// What a backend returns: its answer, or why it failed.
pub type Reply = Result<String, Cause>;

/// A backend: called once, on a thread of its own, with the handler's
/// context, which it should watch.
pub type Backend = Box<dyn FnOnce(&Context) -> Reply + Send>;

/// Calls every backend at once under a context derived from `request` and
/// bounded by `budget`; returns the answers in the backends' order, or the
/// first error, after canceling the other backends with that error as the
/// cause.
pub fn gather(
    request: &Context,
    budget: Duration,
    backends: Vec<Backend>,
) -> Result<Vec<String>, Cause> {
    // Go's two `defer`s are these two handles: both cancel when dropped, at
    // the end of this function, which also unregisters both contexts.
    let (timed, _cancel_timeout) = go_context::with_timeout(request, budget);
    let (ctx, cancel) = go_context::with_cancel_cause(&timed);

    let (reply_tx, replies) = crossbeam_channel::unbounded();
    let count = backends.len();
    let threads: Vec<_> = backends
        .into_iter()
        .enumerate()
        .map(|(i, backend)| {
            let (ctx, reply_tx) = (ctx.clone(), reply_tx.clone());
            thread::spawn(move || {
                let _ = reply_tx.send((i, backend(&ctx)));
            })
        })
        .collect();

    let mut answers = vec![String::new(); count];
    let mut first: Option<Cause> = None;
    for _ in 0..count {
        let (i, reply) = replies.recv().expect("every backend replies once");
        match reply {
            Ok(answer) => answers[i] = answer,
            Err(err) => {
                if first.is_none() {
                    cancel.cancel(Some(err.clone())); // the others stop, and can tell why
                    first = Some(err);
                }
            }
        }
    }
    for thread in threads {
        thread.join().expect("a backend panicked");
    }
    match first {
        Some(err) => Err(err),
        None => Ok(answers),
    }
}
