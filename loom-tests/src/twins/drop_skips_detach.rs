//! Twin of model 8: a dropped handle cancels but does not unregister.
//!
//! **The bug.** Detaching from the parent takes the parent's lock, and the
//! parent's cancel may be running, holding that lock while it locks its
//! children. To stay clear of that, dropping a handle cancels the context
//! but leaves it in the parent's list: "the parent drops its dead children
//! when it is canceled".
//!
//! **The interleaving.** When the drop comes first, the canceled child stays
//! listed until the parent's cancel, which may never come: a long-lived
//! parent grows with every short-lived child (the leak Go's
//! `removeChild` exists for). The textbook, like Go, detaches after
//! releasing the child's lock, so there is no lock-order problem to dodge.
//!
//! **Caught by** `handle_drop_races_parent_cancel`: "a dropped handle left
//! its context registered with the parent".

use loom::sync::Arc;

use super::textbook::{Node, Steps};
use crate::api::Error;

/// The textbook context whose [`Steps::drop_handle`] does not detach.
#[derive(Debug)]
pub struct DropSkipsDetach;

impl Steps for DropSkipsDetach {
    fn drop_handle(node: &Arc<Node>) {
        Self::cancel_subtree(node, Error::Canceled, None); // BUG: no detach
    }
}
