//! The cancellation tree: the node behind every cancelable context, and how a
//! cancel reaches every descendant.
//!
//! # Invariants
//!
//! 1. A cancel node's `state` leaves `OPEN` exactly once, inside its lock; the
//!    first cancel wins and later ones change nothing (error, cause, children).
//! 2. Registration checks the parent's state and inserts the child in **one**
//!    critical section of the parent's lock, so a child is either in an open
//!    parent's `children` or canceled with the parent's error and cause; it can
//!    never miss its parent's cancel.
//! 3. Once a node is done its `children` is empty and stays empty (by 2).
//! 4. `cause` is written before `state` in the same critical section, and only
//!    read under the lock, so error and cause always come from the same cancel.
//! 5. Publication is two-phase. The error is stored first (so whoever sees the
//!    done channel closed or a waiter woken then reads the error), then the done
//!    channel is closed and blocked threads notified, then `COMPLETE` is set,
//!    all before the lock is released. [`CancelNode::load_err`] reports an error
//!    without `COMPLETE` only after taking the lock, so an error is never
//!    visible while done is not yet observable (Go's #75533).
//! 6. A child's `slot` is its key in the parent's `children`; it is written and
//!    read only under the parent's lock.
//!
//! # Deadlock safety
//!
//! Node locks are taken parent before child, never the other way: a child is
//! always created after its parent, so this is creation order and cannot cycle.
//! A cascade holds each ancestor's lock while it locks descendants (that is
//! what makes cancel synchronous for the whole subtree). A node that removes
//! itself from its parent does so only after releasing its own lock.
//!
//! The timer queue's lock may be taken while a node lock is held (to arm a
//! timer), never the reverse: the timer thread releases its lock before it
//! cancels anything, and cancels remove their timers after releasing node
//! locks.
//!
//! No user code runs under a node lock: wakers, `after_func` callbacks, timer
//! removal and the drop of removed children are collected in [`Deferred`] and
//! run once every lock is released.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::task::Waker;
use std::time::Instant;

use slab::Slab;

use super::context::Node;
use super::sync::{
    Arc, AtomicU8, AtomicUsize, Condvar, Mutex, Ordering, Receiver, Sender, bounded, spawn,
};
use super::timer;
use crate::error::{Cause, Error};

const OPEN: u8 = 0;
const CANCELED: u8 = 1;
const DEADLINE_EXCEEDED: u8 = 2;
const ERROR_BITS: u8 = 0b011;
/// Set once the done channel is closed and blocked threads are notified.
const COMPLETE: u8 = 0b100;

/// No slot: the node is not registered with a parent.
const NO_SLOT: usize = usize::MAX;

/// What a cancel node shows in its context's `Display`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Label {
    WithCancel,
    WithDeadline(Instant),
    AfterFunc,
}

/// The cancellation state of one node of the tree: `WithCancel`,
/// `WithDeadline`, or an `after_func` registration.
pub(crate) struct CancelNode {
    /// `OPEN`, or the error bits plus `COMPLETE` (invariants 1 and 5).
    state: AtomicU8,
    /// Invariant 6.
    slot: AtomicUsize,
    pub(crate) label: Label,
    /// The deadline this node reports: its own, or an earlier one inherited.
    pub(crate) deadline: Option<Instant>,
    /// The cause given to `with_deadline_cause`, used when the timer fires.
    deadline_cause: Option<Cause>,
    /// The nearest cancelable ancestor, which holds this node in `children`.
    parent: Option<Arc<Node>>,
    inner: Mutex<Inner>,
    /// Threads blocked in `Context::wait*`.
    waiters: Condvar,
}

#[derive(Default)]
struct Inner {
    children: Slab<Arc<Node>>,
    /// Invariant 4.
    cause: Option<Cause>,
    /// The done channel, created on the first `Context::done` call. Dropping
    /// the sender is Go's `close(done)`.
    done_tx: Option<Sender<()>>,
    done_rx: Option<Receiver<()>>,
    /// Futures waiting in `Context::wait_async`.
    wakers: Slab<Waker>,
    timer: Option<timer::Key>,
    after_func: Option<Box<dyn FnOnce() + Send>>,
    /// Threads blocked on `waiters`: a cancel notifies only if there are any
    /// (a notify is a system call even with nobody to wake).
    blocked: usize,
}

impl CancelNode {
    pub(crate) fn new(
        label: Label,
        deadline: Option<Instant>,
        deadline_cause: Option<Cause>,
        parent: Option<Arc<Node>>,
        after_func: Option<Box<dyn FnOnce() + Send>>,
    ) -> Self {
        Self {
            state: AtomicU8::new(OPEN),
            slot: AtomicUsize::new(NO_SLOT),
            label,
            deadline,
            deadline_cause,
            parent,
            inner: Mutex::new(Inner {
                after_func,
                ..Inner::default()
            }),
            waiters: Condvar::new(),
        }
    }

    /// A node derived from a parent that is already done: born done with the
    /// parent's error and cause, never registered, with nothing to cancel.
    pub(crate) fn new_done(
        label: Label,
        deadline: Option<Instant>,
        err: Error,
        cause: Option<Cause>,
    ) -> Self {
        Self {
            state: AtomicU8::new(encode(err) | COMPLETE),
            slot: AtomicUsize::new(NO_SLOT),
            label,
            deadline,
            deadline_cause: None,
            parent: None,
            inner: Mutex::new(Inner {
                cause,
                ..Inner::default()
            }),
            waiters: Condvar::new(),
        }
    }

    /// The error and the winning cause, once done (invariant 4: read together).
    pub(crate) fn outcome(&self) -> Option<(Error, Option<Cause>)> {
        let err = self.load_err()?;
        Some((err, self.inner.lock().cause.clone()))
    }

    /// The error, once done is observable (invariant 5).
    pub(crate) fn load_err(&self) -> Option<Error> {
        // Acquire: pairs with the Release stores in `cancel_subtree`, so the
        // cause and everything before the cancel are visible.
        let state = self.state.load(Ordering::Acquire);
        if state == OPEN {
            return None;
        }
        if state & COMPLETE == 0 {
            // The canceler holds the lock until `COMPLETE` is set: wait for it.
            drop(self.inner.lock());
        }
        Some(decode(state))
    }

    /// The cause, once done: the one given by the winning cancel, else the error.
    pub(crate) fn cause(&self) -> Option<Cause> {
        let err = self.load_err()?;
        let inner = self.inner.lock();
        Some(inner.cause.clone().unwrap_or_else(|| default_cause(err)))
    }

    /// The done channel (Go's `Done()`): the same channel every call.
    pub(crate) fn done(&self) -> Receiver<()> {
        let mut inner = self.inner.lock();
        if let Some(rx) = &inner.done_rx {
            return rx.clone();
        }
        let (tx, rx) = bounded(0);
        if self.state.load(Ordering::Relaxed) == OPEN {
            inner.done_tx = Some(tx);
        } // else: `tx` drops here and the channel is born closed.
        inner.done_rx = Some(rx.clone());
        rx
    }

    /// Blocks until done, or until `deadline` when one is given.
    pub(crate) fn wait_until(&self, deadline: Option<Instant>) -> Option<Error> {
        if let Some(err) = self.load_err() {
            return Some(err);
        }
        let mut inner = self.inner.lock();
        let result = loop {
            // Under the lock the state is `OPEN` or complete (invariant 5), and
            // the canceler notifies under the lock after reading `blocked`, so
            // no wake-up is lost.
            let state = self.state.load(Ordering::Relaxed);
            if state != OPEN {
                break Some(decode(state));
            }
            inner.blocked += 1;
            inner = match deadline {
                None => self.waiters.wait(inner),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        inner.blocked -= 1;
                        break None;
                    }
                    self.waiters.wait_timeout(inner, deadline - now)
                }
            };
            inner.blocked -= 1;
        };
        drop(inner);
        result
    }

    /// Registers `waker` to be woken on cancel, unless already done.
    ///
    /// `slot` is the future's previous registration, updated in place.
    pub(crate) fn poll_register(&self, waker: &Waker, slot: &mut Option<usize>) -> Option<Error> {
        if let Some(err) = self.load_err() {
            return Some(err);
        }
        let mut inner = self.inner.lock();
        let state = self.state.load(Ordering::Relaxed);
        if state != OPEN {
            return Some(decode(state));
        }
        // A slot stays ours until the cancel drains the slab, after which the
        // state check above returns first: no other future can hold it.
        let replaced = match slot.and_then(|key| inner.wakers.get_mut(key)) {
            Some(old) if old.will_wake(waker) => None,
            Some(old) => Some(std::mem::replace(old, waker.clone())),
            None => {
                *slot = Some(inner.wakers.insert(waker.clone()));
                None
            }
        };
        drop(inner);
        // A waker's drop is user code: never under the lock (see "Deadlock
        // safety"); it may be what cancels this very context.
        drop(replaced);
        None
    }

    /// Forgets a future's registration (the future was dropped).
    pub(crate) fn unregister_waker(&self, slot: usize) {
        let removed = {
            let mut inner = self.inner.lock();
            inner.wakers.try_remove(slot)
        };
        drop(removed);
    }

    /// Arms `node`'s timer unless the node is already done.
    pub(crate) fn arm_timer(node: &Arc<Node>, deadline: Instant) {
        let this = node.cancel_node().expect("timer on a cancel node");
        let mut inner = this.inner.lock();
        if this.state.load(Ordering::Relaxed) == OPEN {
            // Lock order: node, then timer queue (see "Deadlock safety").
            inner.timer = Some(timer::insert(deadline, node.clone()));
        }
    }

    /// The key of this node's timer, if armed and not yet fired or stopped.
    pub(crate) fn timer_key(&self) -> Option<timer::Key> {
        self.inner.lock().timer
    }

    /// Takes the `after_func` callback, so that the cancel does not run it.
    pub(crate) fn take_after_func(&self) -> Option<Box<dyn FnOnce() + Send>> {
        self.inner.lock().after_func.take()
    }

    /// Releases the link to the parent; only for dropping (see `Node`'s `Drop`).
    pub(crate) fn take_parent(&mut self) -> Option<Arc<Node>> {
        self.parent.take()
    }

    /// How many children are registered (for `testing::child_count`).
    pub(crate) fn child_count(&self) -> usize {
        self.inner.lock().children.len()
    }

    /// Cancels this node and its subtree; `false` if it was already canceled.
    ///
    /// Runs with this node's lock held throughout and takes each child's lock
    /// in turn, parent before child.
    fn cancel_subtree(&self, err: Error, cause: Option<Cause>, deferred: &mut Deferred) -> bool {
        let mut inner = self.inner.lock();
        if self.state.load(Ordering::Relaxed) != OPEN {
            return false; // Invariant 1: the first cancel won.
        }
        // Invariants 4 and 5: cause, then error, then close and notify, then
        // complete. Release: pairs with the Acquire in `load_err`.
        inner.cause = cause.clone();
        self.state.store(encode(err), Ordering::Release);
        drop(inner.done_tx.take());
        if inner.blocked > 0 {
            self.waiters.notify_all();
        }
        self.state.store(encode(err) | COMPLETE, Ordering::Release);

        if !inner.wakers.is_empty() {
            deferred.wakers.extend(inner.wakers.drain());
        }
        if let Some(timer) = inner.timer.take() {
            deferred.timers.push(timer);
        }
        deferred.after_funcs.extend(inner.after_func.take());
        if inner.children.is_empty() {
            return true; // a leaf: the common case
        }
        // Invariant 3; lock order parent → child (see "Deadlock safety").
        for (_, child) in std::mem::take(&mut inner.children) {
            if let Some(node) = child.cancel_node() {
                node.cancel_subtree(err, cause.clone(), deferred);
            }
            deferred.dropped.push(child);
        }
        true
    }

    /// Removes `node` (whose cancel node is `self`) from its parent's children.
    /// Called without holding `self`'s lock (see "Deadlock safety").
    fn detach(&self, node: &Arc<Node>) {
        let Some(parent) = self.parent.as_ref().and_then(|p| p.cancel_node()) else {
            return;
        };
        let removed = {
            let mut inner = parent.inner.lock();
            // Invariant 6. The identity check matters: if the parent was
            // canceled meanwhile, the slot may now belong to nobody.
            let slot = self.slot.load(Ordering::Relaxed);
            let ours = inner
                .children
                .get(slot)
                .is_some_and(|child| Arc::ptr_eq(child, node));
            let removed = ours.then(|| inner.children.remove(slot));
            // A burst of children must not pin its memory forever.
            if inner.children.is_empty() && inner.children.capacity() > 64 {
                inner.children = Slab::new();
            }
            removed
        };
        drop(removed);
    }
}

/// Registers `child` with `parent` (both cancel nodes), or cancels it at once
/// with the parent's error and cause if the parent is already done.
pub(crate) fn register(parent: &Arc<Node>, child: &Arc<Node>) {
    let (Some(p), Some(c)) = (parent.cancel_node(), child.cancel_node()) else {
        return;
    };
    let inherited = {
        let mut inner = p.inner.lock();
        // Invariant 2: check and insert in one critical section.
        let state = p.state.load(Ordering::Relaxed);
        if state == OPEN {
            let slot = inner.children.insert(child.clone());
            c.slot.store(slot, Ordering::Relaxed); // Invariant 6.
            None
        } else {
            Some((decode(state), inner.cause.clone()))
        }
    };
    if let Some((err, cause)) = inherited {
        let mut deferred = Deferred::default();
        c.cancel_subtree(err, cause, &mut deferred);
        deferred.run();
    }
}

/// Cancels `node` and its whole subtree, then removes `node` from its parent.
///
/// Returns whether this call canceled it. When it returns, every descendant is
/// done, whichever call won.
pub(crate) fn cancel(node: &Arc<Node>, err: Error, cause: Option<Cause>) -> bool {
    let Some(this) = node.cancel_node() else {
        return false;
    };
    if this.state.load(Ordering::Acquire) != OPEN {
        // Already canceled. Its canceler may still be walking the subtree with
        // this node's lock held: wait for it, so that we too return only once
        // every descendant is done.
        drop(this.inner.lock());
        return false;
    }
    let mut deferred = Deferred::default();
    let won = this.cancel_subtree(err, cause, &mut deferred);
    if won {
        this.detach(node);
    }
    deferred.run();
    won
}

/// Cancels `node` because its deadline passed, with its deadline cause.
pub(crate) fn expire(node: &Arc<Node>) -> bool {
    let cause = node.cancel_node().and_then(|c| c.deadline_cause.clone());
    cancel(node, Error::DeadlineExceeded, cause)
}

/// Work collected under locks and run after all of them are released.
#[derive(Default)]
struct Deferred {
    wakers: Vec<Waker>,
    timers: Vec<timer::Key>,
    after_funcs: Vec<Box<dyn FnOnce() + Send>>,
    dropped: Vec<Arc<Node>>,
}

impl Deferred {
    /// Runs everything, even if some of it panics (a waker is executor code),
    /// then passes the first panic on to the caller.
    fn run(self) {
        if self.wakers.is_empty()
            && self.timers.is_empty()
            && self.after_funcs.is_empty()
            && self.dropped.is_empty()
        {
            return; // the common case: a leaf nobody waits on
        }
        for key in self.timers {
            timer::remove(key);
        }
        let mut first_panic = None;
        let mut guarded = |work: &mut dyn FnMut()| {
            if let Err(panic) = catch_unwind(AssertUnwindSafe(work)) {
                first_panic.get_or_insert(panic);
            }
        };
        for f in self.after_funcs {
            // Go: "f runs in its own goroutine"; the cancel never waits for it.
            let mut f = Some(f);
            guarded(&mut || spawn("context-after-func", f.take().expect("once")));
        }
        for waker in self.wakers {
            guarded(&mut || waker.wake_by_ref());
        }
        let mut dropped = Some(self.dropped);
        guarded(&mut || drop(dropped.take()));
        if let Some(panic) = first_panic {
            resume_unwind(panic);
        }
    }
}

fn encode(err: Error) -> u8 {
    match err {
        Error::Canceled => CANCELED,
        Error::DeadlineExceeded => DEADLINE_EXCEEDED,
    }
}

fn decode(state: u8) -> Error {
    match state & ERROR_BITS {
        DEADLINE_EXCEEDED => Error::DeadlineExceeded,
        _ => Error::Canceled,
    }
}

/// Without an explicit cause, the cause is the error itself (Go's `Cause`).
fn default_cause(err: Error) -> Cause {
    std::sync::Arc::new(err)
}
