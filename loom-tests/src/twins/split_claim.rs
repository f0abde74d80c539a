//! Twin of `half_way_cancel_races_grandchild_derivation`: a claim in two
//! critical sections.
//!
//! **The bug.** The claim takes the node's children under its lock,
//! releases it, and stores the error under the lock again: two small
//! critical sections instead of one, each doing one thing.
//!
//! **The interleaving.** The walk reaches a child, takes its (empty) list of
//! children and releases the lock. A grandchild being derived under that
//! child takes the lock, finds the child still open, and joins a list the
//! walk has already taken. The walk then stores the child's error and moves
//! on: the grandchild is never canceled, left open under a canceled parent.
//!
//! **Caught by** `half_way_cancel_races_grandchild_derivation`: "a context
//! derived during the cancel was left open".

use std::mem;

use loom::sync::atomic::Ordering;

use super::iterative::{ChildRef, Node, OPEN, WalkSteps, publish};
use crate::api::Error;

/// The iterative textbook whose [`WalkSteps::claim`] is split in two.
#[derive(Debug)]
pub struct SplitClaim;

impl WalkSteps for SplitClaim {
    fn claim(
        node: &Node<Self>,
        err: Error,
        cause: Option<&'static str>,
    ) -> Option<Vec<ChildRef<Self>>> {
        let children = {
            let mut inner = node.lock();
            if node.state.load(Ordering::Relaxed) != OPEN {
                return None;
            }
            mem::take(&mut inner.children)
        }; // BUG: the lock is released between taking the children and publishing
        let mut inner = node.lock();
        publish(node, &mut inner, err, cause, children.is_empty());
        Some(children)
    }
}
