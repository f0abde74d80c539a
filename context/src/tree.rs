//! How a cancel reaches every descendant: iteratively, one lock at a time.
//!
//! Go cancels a subtree by recursion, holding each ancestor's lock while it
//! locks the next level; that needs a growable stack. Here a cancel is a loop
//! over an explicit work list:
//!
//! 1. claim the root (publish its outcome and take its children, under its
//!    lock alone);
//! 2. pop a child, claim it the same way, push its children; repeat;
//! 3. settle the root: its whole subtree is done;
//! 4. remove the root from its parent: only now, so that a cancel of the
//!    parent meanwhile finds it, sees it claimed, and waits for step 3;
//! 5. with no lock held, run the deferred work (wakers, `after_func`
//!    threads, timer removal, dropping what the walk held).
//!
//! No two node locks are ever held together, so there is no lock order to
//! get wrong and the depth of a tree is bounded by memory alone.
//!
//! Go's promise that `cancel()` returns only when every descendant is done
//! holds for every caller, winner or loser: a child that another cancel
//! claimed first is waited for (`Canceler::wait_settled`), and a losing
//! cancel waits for the winner's root to settle (see `canceler.rs`,
//! invariant 3). Waits only ever go down the tree, so they cannot cycle.

use super::canceler::{Canceler, Child, Claim, Deferred, TreeNode};
use super::sync::Arc;
use crate::error::{Cause, Error};

/// Cancels `node` and its whole subtree, then removes `node` from its parent.
///
/// Returns whether this call canceled it. When it returns, every descendant is
/// done, whichever call won.
pub(crate) fn cancel<N: TreeNode + 'static>(node: &Arc<N>, err: Error, cause: Option<Cause>) -> bool {
    let this = node.canceler();
    if !this.is_open() {
        // A repeated cancel, or one that lost already: wait for the winner.
        this.wait_settled();
        return false;
    }
    let mut deferred = Deferred::default();
    let Claim::Won(children) = this.claim(err, &cause, None, &mut deferred) else {
        this.wait_settled();
        return false;
    };
    if !children.is_empty() {
        let root: Arc<dyn TreeNode> = node.clone();
        let mut work: Vec<Child> = children.into_iter().map(|(_, child)| child).collect();
        let mut claimed_elsewhere = Vec::new();
        while let Some(child) = work.pop() {
            let child = match child {
                Child::AfterFunc(registration) => {
                    deferred.after_funcs.extend(registration.take());
                    continue;
                }
                // A child that cannot be upgraded is being dropped: nothing
                // can observe it any more, and its drop finds itself gone.
                Child::Node(weak) => match weak.upgrade() {
                    Some(child) => child,
                    None => continue,
                },
            };
            match child
                .canceler()
                .claim(err, &cause, Some(&root), &mut deferred)
            {
                Claim::Won(grandchildren) => {
                    work.extend(grandchildren.into_iter().map(|(_, child)| child));
                }
                Claim::Lost => claimed_elsewhere.push(child.clone()),
            }
            deferred.dropped.push(child);
        }
        for child in claimed_elsewhere {
            child.canceler().wait_settled();
        }
        this.settle();
    }
    // Only now, the subtree done, take ourselves out of the parent (as Go
    // does): a cancel of the parent meanwhile still finds us, sees us
    // claimed, and waits for this walk to settle before it returns.
    if let Some(parent) = node.parent() {
        let addr = Arc::as_ptr(node) as *const ();
        drop(parent.remove_node(this, addr));
    }
    deferred.run();
    true
}

/// Registers `node` with `parent`, or cancels it at once with the parent's
/// error and cause if the parent is already done.
pub(crate) fn register<N: TreeNode + 'static>(parent: &Canceler, node: &Arc<N>) {
    if let Err((err, cause)) = parent.add_node(node) {
        cancel(node, err, cause);
    }
}
