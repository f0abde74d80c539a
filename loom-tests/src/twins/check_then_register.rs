//! Twin of model 1: a child registered in a second critical section.
//!
//! **The bug.** Deriving a child looks at the parent's state under its lock,
//! releases the lock, and then registers the child under a second one.
//!
//! **The interleaving.** The deriving thread sees the parent open and
//! releases its lock; the parent's cancel runs to completion, taking (and
//! canceling) the children it has, which do not include the new one; the
//! deriving thread then adds the child to a parent that is already done.
//! The child is never canceled, and it stays listed by a dead parent.
//!
//! **Caught by** `parent_cancel_races_child_derivation` (and its value-layer
//! variant): "child missed its parent's cancel".

use loom::sync::Arc;

use super::textbook::{Node, Steps};

/// The textbook context with [`Steps::register`] split in two.
#[derive(Debug)]
pub struct CheckThenRegister;

impl Steps for CheckThenRegister {
    fn register(parent: &Arc<Node>, child: &Arc<Node>) {
        let (parent_err, parent_cause) = {
            let inner = parent.lock();
            (parent.err_locked(), inner.cause)
        }; // BUG: the lock is released between the check and the insert
        match parent_err {
            Some(err) => {
                Self::cancel_subtree(child, err, parent_cause);
            }
            None => parent.lock().children.push(child.clone()),
        }
    }
}
