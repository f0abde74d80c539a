//! Twin of model 4 (error ⇒ done): `err()` as one atomic load, Go 1.25's
//! regression #75533.
//!
//! **The bug.** Go 1.25 made `Err` lock-free: one atomic load of the error.
//! The cancel stores the error first and closes the done channel after, so
//! `Err` could report an error while `Done` was still open. Go 1.26 fixed it
//! by having `Err` wait for the close; the textbook's `err()` waits for the
//! canceler's lock. This twin reads the atomic and returns.
//!
//! **The interleaving.** The canceler stores the error and is preempted
//! before closing the channel. A reader sees the error, then finds the done
//! channel open: code that checks `err()` and then selects on `done()`
//! blocks although the context is canceled.
//!
//! **Caught by** `err_implies_done_observable` (a port of Go's
//! `TestContextErrDoneRace`): "err() reported an error while done() was
//! still open".

use loom::sync::atomic::Ordering;

use super::textbook::{Node, Steps, decode};
use crate::api::Error;

/// The textbook context whose [`Steps::err`] does not wait for the cancel
/// to finish publishing.
#[derive(Debug)]
pub struct ErrSkipsDone;

impl Steps for ErrSkipsDone {
    fn err(node: &Node) -> Option<Error> {
        decode(node.err.load(Ordering::Acquire)) // BUG: no wait for the close
    }
}
