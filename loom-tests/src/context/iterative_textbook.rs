//! The iterative textbook: the `go-context` crate's cancellation tree written
//! as plainly as possible over loom's primitives, with every step that a
//! twin gets wrong as a default method of [`WalkSteps`].
//!
//! Go's design ([`Textbook`](super::textbook::Textbook)) holds each node's lock while
//! it cancels the node's children, and a parent owns its children. The crate
//! does neither, and so neither does this textbook:
//!
//! - **Ownership runs one way.** A node owns its parent; a parent refers to
//!   its children weakly. A node whose last reference is dropped leaves its
//!   parent's list if nothing canceled it, and the chain above it goes with
//!   it as far as nobody else holds it.
//! - **One node lock at a time.** A node's state goes `OPEN` → the error
//!   (*claimed*) → the error and [`SETTLED`] (its whole subtree is done),
//!   each change under its lock. A cancel of a node:
//!   1. **claims** it: under its lock alone, finds it open, stores the cause
//!      and the error, and takes its children; a node with no children is
//!      settled at once;
//!   2. **walks** the children it took, from a work list: each one still
//!      alive is claimed the same way and its children pushed; one whose
//!      last reference is gone (its weak reference no longer upgrades) is
//!      skipped, and its drop finds itself gone; one that another cancel
//!      claimed first is set aside;
//!   3. **waits** for each node set aside to settle, then settles every
//!      node it claimed;
//!   4. and only then **leaves its parent's list**, so that a cancel of an
//!      ancestor meanwhile still finds it, and waits for it.
//! - **Losers wait.** A cancel that finds its node already claimed waits for
//!   the node to settle. So every cancel, winner or loser, returns with the
//!   whole subtree done. Waits only go down the tree, so they cannot cycle.
//! - **Deriving** checks the parent's state and inserts the child in one
//!   critical section of the parent's lock.
//!
//! Where the crate does more, for speed or for the stack, the textbook does
//! the plain thing: the crate settles only the root of a cancel and has its
//! interior nodes point there, here every claimed node is settled; the crate
//! unlinks a dropped chain in a loop, here `Arc`'s own drop recurses.
//!
//! Nodes are std's `Arc` and `Weak`, as in the crate's model-checked
//! instance: loom's `Arc` has no `Weak`. Every lock and state is loom's.
//!
//! [`IterativeTextbook`] keeps every default and passes every model of
//! [`context::iterative`](crate::context::iterative); each twin replaces one
//! step.

use std::fmt;
use std::mem;
use std::sync::{Arc, Weak};

use loom::sync::atomic::{AtomicU8, Ordering};
use loom::sync::{Condvar, Mutex, MutexGuard};

use crate::context::Error;
use crate::context::textbook::{decode, encode};

/// The state of a node nothing has canceled.
pub const OPEN: u8 = 0;
/// The error's code takes these bits of the state.
const ERROR_BITS: u8 = 0b011;
/// Set once the node's whole subtree is done.
pub const SETTLED: u8 = 0b100;

/// The weak reference a parent keeps to a child.
pub type ChildRef<S> = Weak<Node<S>>;

/// One cancelable context of the iterative textbook.
pub struct Node<S: WalkSteps> {
    /// The node this one is registered with: a node owns its parent.
    pub parent: Option<Arc<Node<S>>>,
    /// `OPEN`, or the error's code, plus `SETTLED`; written under `inner`'s
    /// lock only.
    pub state: AtomicU8,
    /// Everything else about the node.
    pub inner: Mutex<Inner<S>>,
    /// Losing cancels wait here for `SETTLED`.
    pub settled: Condvar,
}

/// The part of a node guarded by its lock.
pub struct Inner<S: WalkSteps> {
    /// The winning cancel's cause; `None` means the error itself.
    pub cause: Option<&'static str>,
    /// The children registered while the node was open, weakly.
    pub children: Vec<ChildRef<S>>,
}

impl<S: WalkSteps> Node<S> {
    fn new(parent: Option<Arc<Node<S>>>) -> Node<S> {
        Node {
            parent,
            state: AtomicU8::new(OPEN),
            inner: Mutex::new(Inner {
                cause: None,
                children: Vec::new(),
            }),
            settled: Condvar::new(),
        }
    }

    /// The node's lock. Nothing panics while holding it, so it is never
    /// poisoned.
    pub fn lock(&self) -> MutexGuard<'_, Inner<S>> {
        self.inner.lock().unwrap()
    }

    /// The error, once claimed. `Acquire`: the cause written before it is
    /// then visible too.
    pub fn err(&self) -> Option<Error> {
        decode(self.state.load(Ordering::Acquire) & ERROR_BITS)
    }

    /// Whether nothing has canceled this node yet.
    pub fn is_open(&self) -> bool {
        self.state.load(Ordering::Acquire) == OPEN
    }

    /// Whether `child` refers to this node.
    fn is(&self, child: &ChildRef<S>) -> bool {
        std::ptr::eq(child.as_ptr(), self)
    }
}

/// A node nobody refers to any more: [`WalkSteps::unlink`].
impl<S: WalkSteps> Drop for Node<S> {
    fn drop(&mut self) {
        // A model that failed is unwinding: touching loom now would turn its
        // assertion into an abort.
        if !std::thread::panicking() {
            S::unlink(self);
        }
    }
}

impl<S: WalkSteps> fmt::Debug for Inner<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("cause", &self.cause)
            .field("children", &self.children.len())
            .finish()
    }
}

impl<S: WalkSteps> fmt::Debug for Node<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Node").finish_non_exhaustive()
    }
}

/// Stores the cause and the error under the node's lock: the claim's
/// publication. A node claimed with no children is settled at once.
pub fn publish<S: WalkSteps>(
    node: &Node<S>,
    inner: &mut Inner<S>,
    err: Error,
    cause: Option<&'static str>,
    leaf: bool,
) {
    inner.cause = cause;
    let settled = if leaf { SETTLED } else { 0 };
    node.state.store(encode(err) | settled, Ordering::Release);
}

/// Marks the node's whole subtree done and wakes the cancels waiting for it.
pub fn settle<S: WalkSteps>(node: &Node<S>) {
    let _inner = node.lock();
    node.state.fetch_or(SETTLED, Ordering::Release);
    node.settled.notify_all();
}

/// Takes `node` out of its parent's list, if it is still there.
pub fn leave_parent<S: WalkSteps>(node: &Node<S>) {
    if let Some(parent) = &node.parent {
        parent.lock().children.retain(|child| !node.is(child));
    }
}

/// The steps of the iterative textbook. [`IterativeTextbook`] keeps every
/// default; a twin overrides exactly one of them with its naive version.
pub trait WalkSteps: Sized + Send + Sync + 'static {
    /// Registers `child` with `parent`, or hands back the parent's error and
    /// cause if it is already canceled: check and insert in one critical
    /// section of the parent's lock.
    fn register(
        parent: &Node<Self>,
        child: &Arc<Node<Self>>,
    ) -> Option<(Error, Option<&'static str>)> {
        let mut inner = parent.lock();
        match decode(parent.state.load(Ordering::Relaxed) & ERROR_BITS) {
            None => {
                inner.children.push(Arc::downgrade(child));
                None
            }
            Some(err) => Some((err, inner.cause)),
        }
    }

    /// Cancels `node` and its subtree, steps 1 to 4 of the module docs.
    /// Returns whether this call canceled it; either way, when it returns
    /// the whole subtree is done.
    fn cancel(node: &Arc<Node<Self>>, err: Error, cause: Option<&'static str>) -> bool {
        let Some(children) = Self::claim(node, err, cause) else {
            Self::wait_settled(node);
            return false;
        };
        let interior = !children.is_empty();
        let mut work = children;
        let mut claimed = Vec::new();
        let mut elsewhere = Vec::new();
        while let Some(child) = Self::next_child(&mut work) {
            match Self::claim(&child, err, cause) {
                Some(grandchildren) if grandchildren.is_empty() => {} // settled
                Some(grandchildren) => {
                    work.extend(grandchildren);
                    claimed.push(child);
                }
                None => elsewhere.push(child),
            }
        }
        for child in &elsewhere {
            Self::wait_settled(child);
        }
        for child in &claimed {
            settle(child);
        }
        if interior {
            settle(node);
        }
        leave_parent(node);
        true
    }

    /// Step 1, under the node's lock alone: the first cancel to find it open
    /// publishes its outcome and takes its children; `None` if another
    /// cancel claimed it first.
    fn claim(
        node: &Node<Self>,
        err: Error,
        cause: Option<&'static str>,
    ) -> Option<Vec<ChildRef<Self>>> {
        let mut inner = node.lock();
        if node.state.load(Ordering::Relaxed) != OPEN {
            return None;
        }
        let children = mem::take(&mut inner.children);
        publish(node, &mut inner, err, cause, children.is_empty());
        Some(children)
    }

    /// Step 2: the next child on the work list that is still alive. A child
    /// whose last reference is gone is skipped: nothing can observe it, and
    /// its drop takes it out of the list it was in.
    fn next_child(work: &mut Vec<ChildRef<Self>>) -> Option<Arc<Node<Self>>> {
        while let Some(child) = work.pop() {
            if let Some(child) = child.upgrade() {
                return Some(child);
            }
        }
        None
    }

    /// Steps 3 and the loser's wait: blocks until `node`, claimed by some
    /// cancel, has its whole subtree done.
    fn wait_settled(node: &Node<Self>) {
        let mut inner = node.lock();
        while node.state.load(Ordering::Relaxed) & SETTLED == 0 {
            inner = node.settled.wait(inner).unwrap();
        }
    }

    /// The drop of a node nobody refers to any more: if nothing canceled it,
    /// it leaves its parent's list (nobody can cancel it now). The parent is
    /// then released like any `Arc`, and unlinks in turn if this was its last
    /// reference.
    fn unlink(node: &Node<Self>) {
        if node.is_open() {
            leave_parent(node);
        }
    }
}

/// The correct iterative textbook: every step as written above.
#[derive(Debug)]
pub struct IterativeTextbook;

impl WalkSteps for IterativeTextbook {}

/// A context handle of the iterative textbook.
pub struct Context<S: WalkSteps> {
    node: Arc<Node<S>>,
}

impl<S: WalkSteps> Clone for Context<S> {
    fn clone(&self) -> Self {
        Context {
            node: self.node.clone(),
        }
    }
}

impl<S: WalkSteps> fmt::Debug for Context<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context").finish_non_exhaustive()
    }
}

/// A cancel handle of the iterative textbook: dropping it cancels, unless
/// it was disarmed.
pub struct Handle<S: WalkSteps> {
    node: Option<Arc<Node<S>>>,
}

impl<S: WalkSteps> Drop for Handle<S> {
    fn drop(&mut self) {
        // As in `Node::drop`: nothing while a failed model unwinds.
        if let Some(node) = self.node.take()
            && !std::thread::panicking()
        {
            S::cancel(&node, Error::Canceled, None);
        }
    }
}

impl<S: WalkSteps> fmt::Debug for Handle<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("armed", &self.node.is_some())
            .finish_non_exhaustive()
    }
}

/// A new node below `parent` (a root without one), registered, or canceled
/// at once with the parent's outcome if the parent is already canceled.
pub fn derive<S: WalkSteps>(parent: Option<&Context<S>>) -> (Context<S>, Handle<S>) {
    let node = Arc::new(Node::new(parent.map(|parent| parent.node.clone())));
    if let Some(parent) = parent
        && let Some((err, cause)) = S::register(&parent.node, &node)
    {
        S::cancel(&node, err, cause);
    }
    let ctx = Context { node: node.clone() };
    (ctx, Handle { node: Some(node) })
}

/// `Trees` for a set of [`WalkSteps`]: the textbook and each of its twins.
/// (A blanket impl would overlap the one for the Go textbook's `Steps`.)
macro_rules! walk_trees {
    ($($steps:ty),* $(,)?) => {$(
        impl $crate::context::Trees for $steps {
            type Context = $crate::context::iterative_textbook::Context<$steps>;
            type Cancel = $crate::context::iterative_textbook::Handle<$steps>;

            fn root() -> (Self::Context, Self::Cancel) {
                $crate::context::iterative_textbook::derive::<$steps>(None)
            }

            fn with_cancel(parent: &Self::Context) -> (Self::Context, Self::Cancel) {
                $crate::context::iterative_textbook::derive::<$steps>(Some(parent))
            }

            fn cancel(cancel: &Self::Cancel, cause: Option<&'static str>) {
                cancel.cancel(cause);
            }

            fn disarm(cancel: Self::Cancel) {
                cancel.disarm();
            }

            fn err(ctx: &Self::Context) -> Option<$crate::context::Error> {
                ctx.err()
            }

            fn cause(ctx: &Self::Context) -> Option<String> {
                ctx.cause()
            }

            fn child_count(ctx: &Self::Context) -> usize {
                ctx.child_count()
            }
        }
    )*};
}

impl<S: WalkSteps> Handle<S> {
    /// Cancels the handle's context with `cause`.
    pub fn cancel(&self, cause: Option<&'static str>) {
        if let Some(node) = &self.node {
            S::cancel(node, Error::Canceled, cause);
        }
    }

    /// Lets go of the handle without canceling.
    pub fn disarm(mut self) {
        drop(self.node.take());
    }
}

impl<S: WalkSteps> Context<S> {
    /// The context's error, once claimed.
    pub fn err(&self) -> Option<Error> {
        self.node.err()
    }

    /// The cause, as the models read it: the winning cancel's, else the
    /// error's text.
    pub fn cause(&self) -> Option<String> {
        let err = self.node.err()?;
        let cause = self.node.lock().cause;
        Some(cause.map_or_else(|| err.to_string(), String::from))
    }

    /// How many children are listed, live or being freed.
    pub fn child_count(&self) -> usize {
        self.node.lock().children.len()
    }
}

walk_trees!(IterativeTextbook);
