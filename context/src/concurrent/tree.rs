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
//! claimed first is waited for ([`wait_settled`]), and a losing
//! cancel waits for the winner's root to settle (see `canceler.rs`,
//! invariant 3). Waits cannot cycle: every wait is for the root of a winning
//! cancel (nobody ever waits for a loser), and a winning cancel waits only
//! for roots strictly below its own. A loser may wait for an ancestor, but
//! among the nodes waited for, every wait goes down the tree.

use super::canceler::{Canceler, Child, Claim, Deferred, TreeNode};
use super::sync::Arc;
use crate::children::Children;
use crate::error::{Cause, Error};

/// Cancels `node` and its whole subtree, then removes `node` from its parent.
///
/// Returns whether this call canceled it. When it returns, every descendant is
/// done, whichever call won.
pub(crate) fn cancel<N: TreeNode + 'static>(
    node: &Arc<N>,
    err: Error,
    cause: Option<Cause>,
) -> bool {
    let this = node.canceler();
    if !this.is_open() {
        // A repeated cancel, or one that lost already: wait for the winner.
        wait_settled(&**node);
        return false;
    }
    let mut deferred = Deferred::default();
    let Claim::Won(children) = this.claim(err, &cause, &mut deferred) else {
        wait_settled(&**node);
        return false;
    };
    if !children.is_empty() {
        let mut work = Work::default();
        work.extend(children);
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
            match child.canceler().claim(err, &cause, &mut deferred) {
                Claim::Won(grandchildren) => work.extend(grandchildren),
                Claim::Lost => claimed_elsewhere.push(child.clone()),
            }
            deferred.dropped.push(child);
        }
        // Each was claimed as the root of its own cancel (we hold its
        // parent, so no cancel from above could have reached it): wait for
        // that one, not for a walk up the chain, which would lead to us.
        for child in claimed_elsewhere {
            child.canceler().wait_own_settle();
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

/// The walk's work list. The child pushed last waits in place, so a chain
/// (one child per node, the common shape) is walked without allocating.
#[derive(Default)]
struct Work {
    next: Option<Child>,
    more: Vec<Child>,
}

impl Work {
    fn extend(&mut self, children: Children<Child>) {
        for child in children.into_values() {
            if let Some(earlier) = self.next.replace(child) {
                self.more.push(earlier);
            }
        }
    }

    fn pop(&mut self) -> Option<Child> {
        self.next.take().or_else(|| self.more.pop())
    }
}

/// Blocks until `node`, claimed by some cancel, has its whole subtree done.
///
/// The cancel that claimed it settles only its own root, the topmost claimed
/// node of its line (a claimed node leaves its parent only once settled): walk
/// up to it, unless an ancestor has settled already, which covers us too.
/// Every node passed on the way is then marked settled, so that the next
/// loser below stops at once (a chain whose handles drop one by one costs one
/// walk, not one per handle).
pub(crate) fn wait_settled(node: &dyn TreeNode) {
    if node.canceler().is_settled() {
        return;
    }
    let mut top = node;
    let mut settled_above = false;
    while let Some(parent) = top.parent_node() {
        let canceler = parent.canceler();
        if canceler.is_settled() {
            settled_above = true;
            break;
        }
        if canceler.is_open() {
            break;
        }
        top = parent;
    }
    if !settled_above {
        top.canceler().wait_own_settle();
    }
    let mut below = Some(node);
    while let Some(at) = below {
        at.canceler().mark_settled();
        if std::ptr::addr_eq(at, top) {
            break;
        }
        below = at.parent_node();
    }
}

/// Registers `node` with `parent`, or cancels it at once with the parent's
/// error and cause if the parent is already done.
pub(crate) fn register<N: TreeNode + 'static>(parent: &Canceler, node: &Arc<N>) {
    if let Err((err, cause)) = parent.add_node(node) {
        cancel(node, err, cause);
    }
}
