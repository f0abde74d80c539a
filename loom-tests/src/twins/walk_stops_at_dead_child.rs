//! Twin of `child_detach_races_parent_cancel`: the walk ends at a child
//! being freed.
//!
//! **The bug.** The walk takes the next child with
//! `work.pop().and_then(|child| child.upgrade())`: a child whose weak
//! reference no longer upgrades ends the loop, as an empty list does,
//! instead of being skipped.
//!
//! **The interleaving.** The parent's cancel takes its two children. The
//! other thread drops the last references of one of them, which is now
//! being freed but has not yet left the list the walk holds. The walk meets
//! it first, stops, and returns: the other child, alive and referenced, is
//! never canceled.
//!
//! **Caught by** `child_detach_races_parent_cancel`: "a live child missed
//! its parent's cancel".

use std::sync::Arc;

use super::iterative::{ChildRef, Node, WalkSteps};

/// The iterative textbook whose [`WalkSteps::next_child`] stops at the
/// first child that is gone.
#[derive(Debug)]
pub struct WalkStopsAtDeadChild;

impl WalkSteps for WalkStopsAtDeadChild {
    fn next_child(work: &mut Vec<ChildRef<Self>>) -> Option<Arc<Node<Self>>> {
        work.pop().and_then(|child| child.upgrade()) // BUG: a dead child ends the walk
    }
}
