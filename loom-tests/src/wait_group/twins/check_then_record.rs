//! Twin of model 12: the first error checked, then recorded, in two steps.
//!
//! **The bug.** A failing task asks "is there an error yet?" under the lock,
//! and, if not, records its own and cancels the context with it, taking the
//! lock again to record.
//!
//! **The interleaving.** Tasks `a` and `b` both find no error. `a` records
//! and cancels the context with cause `a`; `b` overwrites the error with
//! `b`, and its cancel changes nothing (the first cancel won). `wait`
//! returns `b` while the context says it was canceled because of `a`. Go
//! makes one `sync.Once` (`errOnce`) decide; the textbook decides under one
//! lock.
//!
//! **Caught by** `first_error_wins_and_cancels`: "the context's cause is not
//! the error wait returned".

use super::textbook::{ErrGroupSteps, Shared, cause};
use crate::wait_group::TaskError;

/// The textbook error group whose `record` checks, then sets.
#[derive(Debug)]
pub struct CheckThenRecord;

impl ErrGroupSteps for CheckThenRecord {
    fn record(shared: &Shared, err: TaskError) {
        if shared.first.lock().unwrap().is_some() {
            return;
        }
        *shared.first.lock().unwrap() = Some(err); // BUG: a second critical section
        shared.cancel.cancel(Some(cause(err)));
    }
}
