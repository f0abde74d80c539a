//! Twin of model 3: every cancel records its cause, only the first one wins.
//!
//! **The bug.** The cancel writes its cause first and checks whether the
//! context is already canceled second. The error stays the first cancel's,
//! but a later cancel overwrites the cause.
//!
//! **The interleaving.** Cancel "first" wins and returns; its caller reads
//! "first". Cancel "second" then writes "second" before finding the context
//! done; its caller reads "second". Two callers of one context disagree on
//! why it was canceled, and a reader saw the cause change.
//!
//! **Caught by** `two_cancels_race_on_one_context`: "the two cancels
//! disagree on the winner" (or "the cause changed after it was read").

use std::mem;

use loom::sync::Arc;

use super::textbook::{Node, Steps, release};
use crate::api::Error;

/// The textbook context whose [`Steps::cancel_subtree`] records the cause
/// before the first-wins check.
#[derive(Debug)]
pub struct TornCause;

impl Steps for TornCause {
    fn cancel_subtree(node: &Arc<Node>, err: Error, cause: Option<&'static str>) -> bool {
        let mut inner = node.lock();
        inner.cause = cause; // BUG: written before the check below
        if node.err_locked().is_some() {
            return false;
        }
        let mut inner = Self::publish(node, inner, err, cause);
        release(&mut inner);
        for child in mem::take(&mut inner.children) {
            Self::cancel_subtree(&child, err, cause);
        }
        true
    }
}
