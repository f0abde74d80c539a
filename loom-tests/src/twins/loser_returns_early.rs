//! Twin of `overlapping_cancels_wait_for_the_subtree`: a losing cancel
//! returns at once.
//!
//! **The bug.** A cancel that finds its node already claimed returns
//! straight away ("another cancel is taking care of it"), and the walk moves
//! past a child another cancel claimed without waiting for it. Only the
//! winner of a node then waits for its subtree: a weaker promise, in which a
//! cancel may return while a descendant is still open.
//!
//! **The interleaving.** One thread cancels `a` and claims it; before it
//! claims `b`, the other thread cancels the root, claims it, finds `a`
//! claimed and does not wait: it returns with `b` and `c` still open. (Or
//! the root's walk claims `a` first, and `a`'s own cancel, losing, returns
//! at once.)
//!
//! **Caught by** `overlapping_cancels_wait_for_the_subtree`: "a cancel
//! returned while a descendant was still open".

use super::iterative::{Node, WalkSteps};

/// The iterative textbook whose [`WalkSteps::wait_settled`] does not wait.
#[derive(Debug)]
pub struct LoserReturnsEarly;

impl WalkSteps for LoserReturnsEarly {
    fn wait_settled(_node: &Node<Self>) {
        // BUG: the node's claimer may still be walking its subtree
    }
}
