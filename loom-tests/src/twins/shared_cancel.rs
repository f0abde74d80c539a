//! Twin of model 9: `without_cancel` that copies its parent.
//!
//! **The bug.** `without_cancel` should keep the parent's values and drop
//! its cancellation. Copying the parent handle keeps the values, and the
//! parent's cancel node with them.
//!
//! **The interleaving.** Any: once the parent's cancel has run, the
//! detached context reports done, and so does every context derived from
//! it. The race in the model only shows the cancel can land at any point.
//!
//! **Caught by** `without_cancel_ignores_parent_cancel`: "a without_cancel
//! context became done with its parent".

use super::textbook::{Context, Steps};

/// The textbook context whose [`Steps::without_cancel`] shares the parent's
/// cancel node.
#[derive(Debug)]
pub struct SharedCancel;

impl Steps for SharedCancel {
    fn without_cancel(parent: &Context) -> Context {
        parent.clone() // BUG: the parent's cancel node comes along
    }
}
