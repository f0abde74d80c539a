//! Twin of model 2: a cascade that stamps its error over a canceled child.
//!
//! **The bug.** The "first cancel wins" check is left out of the cascade:
//! the parent's cancel is taken to be final, so every node below gets the
//! parent's error and cause, whatever it had already.
//!
//! **The interleaving.** The child is canceled on its own with cause
//! "child", and a reader sees that cause. Before the child has left the
//! parent's list, the parent's cancel takes the list and re-publishes the
//! child with cause "parent". The reader's next look shows another cause:
//! the child was canceled twice.
//!
//! **Caught by** `parent_cancel_races_child_cancel`: "the child's cause
//! changed after it was read".

use std::mem;

use loom::sync::Arc;

use super::textbook::{Node, Steps, release};
use crate::api::Error;

/// The textbook context whose cascade has no first-wins check.
#[derive(Debug)]
pub struct CascadeOverwrites;

impl Steps for CascadeOverwrites {
    fn cancel_subtree(node: &Arc<Node>, err: Error, cause: Option<&'static str>) -> bool {
        let inner = node.lock();
        if node.err_locked().is_some() {
            return false; // the first direct cancel wins…
        }
        let mut inner = Self::publish(node, inner, err, cause);
        release(&mut inner);
        for child in mem::take(&mut inner.children) {
            stamp(&child, err, cause);
        }
        true
    }
}

/// Cancels a descendant with its ancestor's error and cause.
fn stamp(node: &Arc<Node>, err: Error, cause: Option<&'static str>) {
    let inner = node.lock();
    // BUG: …but not in the cascade: no `if node.err_locked().is_some()`.
    let mut inner = CascadeOverwrites::publish(node, inner, err, cause);
    release(&mut inner);
    for child in mem::take(&mut inner.children) {
        stamp(&child, err, cause);
    }
}
