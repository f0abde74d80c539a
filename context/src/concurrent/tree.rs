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
//!    threads, timer removal, dropping what the walk held): each claim hands
//!    back what it released, and [`Deferred`] keeps it until then.
//!
//! No two node locks are ever held together, so there is no lock order to
//! get wrong and the depth of a tree is bounded by memory alone.
//!
//! Go's promise that `cancel()` returns only when every descendant is done
//! holds for every caller, winner or loser: a child that another cancel
//! claimed first is waited for ([`wait_settled`]), and a losing
//! cancel waits for the winner's root to settle (see `canceler.rs`,
//! invariant 3). A wait cannot cycle: every cancel waits only for a root
//! claimed before its own (a child that another cancel claimed first, or the
//! topmost claimed node above it), and the cancel rooted there waits in turn
//! only for nodes of its own subtree that were claimed before it reached
//! them; following the waits, the claims go strictly back in time.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::task::Waker;

use super::canceler::{Callback, Canceler, Claim, Released, TreeNode, Waiting};
use super::sleeper::{self, Sleeper};
use super::sync::{Arc, Weak, spawn};
use super::timer::{self, TimerKey};
use crate::children::{self, Children};
use crate::error::{Cause, Error};

/// Cancels `node` and its whole subtree, then removes `node` from its parent.
///
/// Returns whether this call canceled it. When it returns, every descendant is
/// done, whichever call won.
#[inline]
pub(crate) fn cancel<N: TreeNode>(node: &Arc<N>, err: Error, cause: &Option<Cause>) -> bool {
    if node.canceler().is_settled() {
        return false; // canceled before, its whole subtree done: nothing to wait for
    }
    cancel_open(node, err, cause)
}

fn cancel_open<N: TreeNode>(node: &Arc<N>, err: Error, cause: &Option<Cause>) -> bool {
    let this = node.canceler();
    if !this.is_open() {
        // A repeated cancel, or one that lost already: wait for the winner.
        wait_settled(&**node);
        return false;
    }
    let released = match this.claim(err, cause) {
        Claim::Leaf => {
            // The common case: settled by its claim, with nothing to walk
            // and nothing to run after the lock.
            leave_parent(node);
            return true;
        }
        Claim::Won(released) => released,
        Claim::Lost => {
            wait_settled(&**node);
            return false;
        }
    };
    if released.is_empty() {
        // A leaf whose done channel, say, the claim closed: likewise.
        released.discard_empty();
        leave_parent(node);
        return true;
    }
    let mut deferred = Deferred::default();
    let children = deferred.keep(released);
    if !children.is_empty() {
        let mut work = Work::new(children);
        let mut claimed_elsewhere = Vec::new();
        while let Some(child) = work.pop() {
            // A child that cannot be upgraded is being dropped: nothing can
            // observe it any more, and its drop finds itself gone.
            let Some(child) = child.upgrade() else {
                continue;
            };
            match child.canceler().claim(err, cause) {
                Claim::Leaf => {}
                Claim::Won(released) if released.is_empty() => released.discard_empty(),
                Claim::Won(released) => work.push(deferred.keep(released)),
                Claim::Lost => claimed_elsewhere.push(child.clone()),
            }
            // Let go of the child now, unless ours was its last reference:
            // then it is freed after the walk (see `Deferred::freed`).
            if let Some(last) = Arc::into_inner(child) {
                deferred.freed.push(last);
            }
        }
        // Each was claimed as the root of its own cancel (we hold its
        // parent, so no cancel from above could have reached it): wait for
        // that one, not for a walk up the chain, which would lead to us.
        for child in claimed_elsewhere {
            child.canceler().wait_own_settle();
        }
        this.settle();
    }
    leave_parent(node);
    deferred.run();
    true
}

/// The last step of a cancel: only now, the subtree done, take the node out
/// of its parent (as Go does), so that a cancel of the parent meanwhile still
/// finds it, sees it claimed, and waits for its walk to settle.
#[inline]
fn leave_parent<N: TreeNode>(node: &Arc<N>) {
    if let Some(parent) = node.parent() {
        drop(parent.remove_node(node.canceler(), Arc::as_ptr(node)));
    }
}

/// The walk's work list: the tables of children the claims took, each
/// walked in place, the one taken last first. A chain (one child per node,
/// the common shape) and a wide tree (one table) are walked without
/// allocating; a table joins the stack only while one above it has
/// children left.
struct Work<N> {
    current: children::IntoIter<Weak<N>>,
    more: Vec<children::IntoIter<Weak<N>>>,
}

impl<N> Work<N> {
    fn new(children: Children<Weak<N>>) -> Self {
        Self {
            current: children.into_iter(),
            more: Vec::new(),
        }
    }

    fn push(&mut self, children: Children<Weak<N>>) {
        if children.is_empty() {
            return;
        }
        let next = children.into_iter();
        if self.current.len() == 0 {
            self.current = next;
        } else {
            self.more.push(std::mem::replace(&mut self.current, next));
        }
    }

    #[inline]
    fn pop(&mut self) -> Option<Weak<N>> {
        loop {
            if let Some(child) = self.current.next() {
                return Some(child);
            }
            self.current = self.more.pop()?;
        }
    }
}

/// Work collected under locks and run after all of them are released.
struct Deferred<N> {
    wakers: Vec<Waker>,
    sleepers: Vec<Arc<Sleeper>>,
    timers: Vec<TimerKey>,
    after_funcs: Vec<Callback>,
    /// Nodes the walk held the last reference to. Freeing a link drops its
    /// parent's chain, values included (user code, which may cancel and
    /// wait on this very subtree), so not before the walk is over.
    freed: Vec<N>,
}

impl<N> Default for Deferred<N> {
    fn default() -> Self {
        Self {
            wakers: Vec::new(),
            sleepers: Vec::new(),
            timers: Vec::new(),
            after_funcs: Vec::new(),
            freed: Vec::new(),
        }
    }
}

impl<N> Deferred<N> {
    /// Keeps what a claim released for after the walk, and hands back the
    /// children, for the walk.
    #[inline]
    fn keep(&mut self, released: Released<N>) -> Children<Weak<N>> {
        let Released {
            children,
            timer,
            waiting,
        } = released;
        self.timers.extend(timer);
        if let Some(waiting) = waiting {
            self.keep_waiting(*waiting);
        }
        children
    }

    fn keep_waiting(&mut self, waiting: Waiting) {
        let Waiting {
            mut wakers,
            mut sleepers,
            mut after_funcs,
        } = waiting;
        self.wakers.extend(wakers.drain());
        self.sleepers.extend(sleepers.drain());
        self.after_funcs.extend(
            after_funcs
                .drain()
                .filter_map(|registration| registration.take()),
        );
    }

    /// Runs everything, even if some of it panics (a waker is executor code),
    /// then passes the first panic on to the caller.
    #[inline]
    fn run(self) {
        if !self.is_empty() {
            self.run_all();
        } // else the common case: a leaf nobody waits on
    }

    fn is_empty(&self) -> bool {
        self.wakers.is_empty()
            && self.sleepers.is_empty()
            && self.timers.is_empty()
            && self.after_funcs.is_empty()
            && self.freed.is_empty()
    }

    #[inline(never)]
    fn run_all(self) {
        let Deferred {
            wakers,
            sleepers,
            timers,
            after_funcs,
            freed,
        } = self;
        for key in timers {
            timer::remove(key);
        }
        let mut first_panic = None;
        let mut guarded = |work: &mut dyn FnMut()| {
            if let Err(panic) = catch_unwind(AssertUnwindSafe(work)) {
                first_panic.get_or_insert(panic);
            }
        };
        for f in after_funcs {
            // Go: "f runs in its own goroutine"; the cancel never waits for it.
            let mut f = Some(f);
            guarded(&mut || {
                spawn("context-after-func", f.take().expect("once"))
                    .expect("context: failed to start an after_func thread");
            });
        }
        sleeper::wake_all(sleepers); // unparks: nothing that can panic
        for waker in wakers {
            guarded(&mut || waker.wake_by_ref());
        }
        // Leaf first: a chain only this list still holds then unwinds upward
        // one link at a time.
        let mut freed = Some(freed);
        guarded(&mut || {
            if let Some(mut nodes) = freed.take() {
                while let Some(node) = nodes.pop() {
                    drop(node);
                }
            }
        });
        if let Some(panic) = first_panic {
            resume_unwind(panic);
        }
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
pub(crate) fn wait_settled<N: TreeNode>(node: &N) {
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
        if std::ptr::eq(at, top) {
            break;
        }
        below = at.parent_node();
    }
}

/// Registers `node` with `parent`, or cancels it at once with the parent's
/// error and cause if the parent is already done.
#[inline]
pub(crate) fn register<N: TreeNode>(parent: &Canceler<N>, node: &Arc<N>) {
    if let Err((err, cause)) = parent.add_node(node) {
        cancel(node, err, &cause);
    }
}
