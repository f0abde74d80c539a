//! One node of the cancellation tree: its state, its children, and every way
//! to wait for it.
//!
//! A [`Canceler`] is the cancellation state of one cancelable context. It
//! knows nothing of contexts, values or the chain above it: it is generic
//! over the node that embeds it (a context's link, `link.rs`), which it
//! reaches only through the [`TreeNode`] trait, as the propagation algorithm
//! (`tree.rs`) does.
//!
//! # State
//!
//! `state` only grows. Every change but the last is made inside the lock;
//! `SETTLED` alone may also be added without it ([`Canceler::mark_settled`]),
//! by a loser that learned from an ancestor that the subtree is done:
//!
//! ```text
//! OPEN ──claim──▶ err ──▶ err|COMPLETE ──settle──▶ err|COMPLETE|SETTLED
//! ```
//!
//! 1. **Claim.** The first cancel to find `OPEN` under the lock wins; later
//!    ones change nothing (error, cause, children).
//! 2. **Publish, err before done.** Inside the winning critical section the
//!    cause is stored, then the error, then the done channel is closed, then
//!    `COMPLETE` is set; the futures and threads waiting are woken once the
//!    lock is released, and each then reads the state.
//!    [`Canceler::load_err`] reports an error without `COMPLETE` only after
//!    taking the lock, so an error is never visible while done is not yet
//!    observable (Go's #75533). A leaf with no cause, no done channel and
//!    nobody waiting has nothing to do between the two, and stores both,
//!    and `SETTLED`, at once.
//! 3. **Settle.** `SETTLED` means the whole subtree is done. A node claimed
//!    with no children is settled in the same critical section. Otherwise the
//!    cancel that claimed it (its *operation*) settles only its own root, at
//!    the very end: the topmost claimed node of its line. A losing cancel
//!    finds that root by walking up the chain (`tree::wait_settled`) and waits
//!    for it. That is how a loser, too, returns only once every descendant is
//!    done, without anyone holding a lock across the walk.
//! 4. **Children.** Registration checks the state and inserts the child in
//!    one critical section, so a child is either in an open node's `children`
//!    or told the node's outcome; it can never miss the cancel. The claim
//!    takes `children` whole, and it stays empty afterwards.
//! 5. **Slots.** A child's `slot` is its key in its parent's `children`; it is
//!    written and read only under the parent's lock, and keys never move (a
//!    removal leaves a hole), so a slot stays right while its child is
//!    registered; a removal checks the entry's address, as after a claim
//!    took the children the key may be anybody's. An `after_func`
//!    registration's slot is its key in the node's callbacks.
//!
//! A plain node is small (the crate docs' "Limits"): what few nodes need (a
//! cause, blocked threads, the done channel, wakers) lives out of line, in an
//! [`Extra`] allocated on first use.
//!
//! No user code runs under the lock: what a claim releases (wakers, blocked
//! threads, callbacks, the timer, the children) is handed back in a
//! [`Released`], for the caller to act on after the lock (`tree.rs`).

use std::task::Waker;
use std::time::Instant;

use slab::Slab;

use super::sleeper::Sleeper;
use super::sync::{
    Arc, AtomicU8, AtomicU32, Condvar, Mutex, OnceCell, Ordering, PRIMITIVES_OWN_NOTHING, Receiver,
    Sender, Weak, bounded, park,
};
use super::timer::{self, TimerKey};
use crate::children::Children;
use crate::error::{Cause, Error};

const OPEN: u8 = 0;
const CANCELED: u8 = 1;
const DEADLINE_EXCEEDED: u8 = 2;
const ERROR_BITS: u8 = 0b0011;
/// Done is observable: the done channel is closed and waiters notified.
const COMPLETE: u8 = 0b0100;
/// The whole subtree is done (invariant 3).
const SETTLED: u8 = 0b1000;
/// A cause was given: [`Canceler::outcome`] must read it under the lock.
/// Without one, the outcome is the state alone, and lock-free.
const CAUSED: u8 = 0b1_0000;

/// No slot: not registered with a parent.
const NO_SLOT: u32 = u32::MAX;

/// A callback registered with `after_func`.
pub(crate) type Callback = Box<dyn FnOnce() + Send>;

/// What the propagation algorithm needs of a node of the tree.
pub(crate) trait TreeNode: Sized + Send + Sync + 'static {
    /// This node's cancellation state.
    fn canceler(&self) -> &Canceler<Self>;
    /// The node this node is registered with, if any.
    fn parent_node(&self) -> Option<&Self>;
    /// The canceler this node is registered with, if any.
    fn parent(&self) -> Option<&Canceler<Self>> {
        self.parent_node().map(TreeNode::canceler)
    }
}

/// An `after_func` registration: the callback, taken exactly once, by the
/// cancel that runs it or by the `stop` that prevents it.
pub(crate) struct Registration {
    callback: Mutex<Option<Callback>>,
    /// Invariant 5.
    slot: AtomicU32,
}

impl Registration {
    pub(crate) fn new(callback: Callback) -> Self {
        Self {
            callback: Mutex::new(Some(callback)),
            slot: AtomicU32::new(NO_SLOT),
        }
    }

    /// Takes the callback; `None` if the cancel or a `stop` already did.
    pub(crate) fn take(&self) -> Option<Callback> {
        self.callback.lock().take()
    }
}

/// The outcome of a claim.
pub(crate) enum Claim<N> {
    /// This call canceled the node, a leaf that held nothing to act on (no
    /// children, timer, waiters or done channel): settled already.
    Leaf,
    /// This call canceled the node; here is what it held.
    Won(Released<N>),
    /// Another cancel got there first.
    Lost,
}

/// What a claim takes out of the node, to be acted on after the lock.
pub(crate) struct Released<N> {
    /// The children, each to be claimed in turn. A child is referred to
    /// weakly: a context nobody refers to any more leaves its parent as it
    /// is freed, so parent and child never own each other.
    pub(crate) children: Children<Weak<N>>,
    /// The armed deadline timer, to be stopped.
    pub(crate) timer: Option<TimerKey>,
    /// Futures, blocked threads and callbacks waiting on the node, if any
    /// (boxed: few nodes have any, and a claim hands this back by value).
    pub(crate) waiting: Option<Box<Waiting>>,
}

impl<N> Released<N> {
    /// Whether the claim released nothing to act on: a leaf with no timer
    /// and nobody waiting, the common case.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        matches!(self.children, Children::None) && self.timer.is_none() && self.waiting.is_none()
    }

    /// Lets go of a release that [`is_empty`](Released::is_empty): it owns
    /// nothing, so its drop glue, which the compiler calls anyway, is
    /// skipped (a call per child of a wide tree's cancel).
    #[inline(always)]
    pub(crate) fn discard_empty(self) {
        debug_assert!(self.is_empty(), "a release that owns something");
        std::mem::forget(self);
    }
}

/// Everything that waits on a node, taken by the claim that cancels it.
pub(crate) struct Waiting {
    /// Futures in `wait_async`, to be woken.
    pub(crate) wakers: Slab<Waker>,
    /// Threads blocked in `wait*`, to be unparked.
    pub(crate) sleepers: Slab<Arc<Sleeper>>,
    /// `after_func` registrations, whose callbacks are to be started.
    pub(crate) after_funcs: Slab<Arc<Registration>>,
}

/// The cancellation state of one cancelable context, embedded in the node
/// `N` of the tree.
pub(crate) struct Canceler<N> {
    /// `OPEN`, or the error bits plus `COMPLETE`, `SETTLED` and `CAUSED`.
    state: AtomicU8,
    /// Invariant 5.
    slot: AtomicU32,
    inner: Mutex<Inner<N>>,
    /// The done channel, made by the first `done()` under the lock, and read
    /// without it ever after (boxed: few nodes have one).
    done: OnceCell<Box<Receiver<()>>>,
    /// Whether the node's deadline is its own (`with_deadline`), not one its
    /// parent reports too; set before the node is shared, for `Display`.
    own_deadline: bool,
}

struct Inner<N> {
    children: Children<Weak<N>>,
    /// What few nodes need, out of line so that a plain node stays small.
    extra: Option<Box<Extra>>,
}

#[derive(Default)]
struct Extra {
    /// The winning cancel's cause, if it gave one. Written before the error,
    /// in the same critical section.
    cause: Option<Cause>,
    /// Losing cancels blocked until this node's cancel settles, created by
    /// the first (shared, so that a waiter can hold it while it gives the
    /// lock back).
    waiters: Option<Arc<Condvar>>,
    /// Threads blocked on `waiters`: a settle notifies only if there are any
    /// (a notify is a system call even with nobody to wake).
    blocked: usize,
    /// The sending end of the done channel, once `done()` made it, until the
    /// cancel drops it: Go's `close(done)`.
    done_tx: Option<Sender<()>>,
    /// The armed deadline timer, if any.
    timer: Option<TimerKey>,
    /// The cause to report when the deadline passes, if one was given.
    deadline_cause: Option<Cause>,
    /// Futures in `wait_async`.
    wakers: Slab<Waker>,
    /// Threads blocked in `wait*`.
    sleepers: Slab<Arc<Sleeper>>,
    /// `after_func` callbacks (invariant 5: their keys never move).
    after_funcs: Slab<Arc<Registration>>,
}

impl<N> Inner<N> {
    fn extra(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// The winning cause, if any.
    fn cause(&self) -> Option<Cause> {
        self.extra.as_ref().and_then(|extra| extra.cause.clone())
    }
}

impl<N: TreeNode> Canceler<N> {
    /// An open node; `own_deadline` says whether its deadline is its own,
    /// and `deadline_cause` is the cause to report if that deadline passes.
    #[inline]
    pub(crate) fn new(own_deadline: bool, deadline_cause: Option<Cause>) -> Self {
        let extra = deadline_cause.map(|cause| {
            Box::new(Extra {
                deadline_cause: Some(cause),
                ..Extra::default()
            })
        });
        Self::with_state(OPEN, extra, own_deadline)
    }

    /// A node born done with its done parent's outcome, settled, unregistered.
    #[inline(always)]
    pub(crate) fn new_done(err: Error, cause: Option<Cause>, own_deadline: bool) -> Self {
        let state = encode(err) | caused(&cause) | COMPLETE | SETTLED;
        let extra = cause.map(|cause| {
            Box::new(Extra {
                cause: Some(cause),
                ..Extra::default()
            })
        });
        Self::with_state(state, extra, own_deadline)
    }

    #[inline]
    fn with_state(state: u8, extra: Option<Box<Extra>>, own_deadline: bool) -> Self {
        Self {
            state: AtomicU8::new(state),
            slot: AtomicU32::new(NO_SLOT),
            inner: Mutex::new(Inner {
                children: Children::None,
                extra,
            }),
            done: OnceCell::new(),
            own_deadline,
        }
    }

    /// Whether the node's deadline is its own (`with_deadline`).
    pub(crate) fn has_own_deadline(&self) -> bool {
        self.own_deadline
    }

    /// The error, once done is observable (invariant 2).
    #[inline]
    pub(crate) fn load_err(&self) -> Option<Error> {
        // Acquire: pairs with the Release stores in `claim`, so the cause and
        // everything before the cancel are visible.
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

    /// Whether nothing has canceled this node yet.
    #[inline]
    pub(crate) fn is_open(&self) -> bool {
        self.state.load(Ordering::Acquire) == OPEN
    }

    /// The error and the winning cause, once done (read together).
    #[inline]
    pub(crate) fn outcome(&self) -> Option<(Error, Option<Cause>)> {
        let err = self.load_err()?;
        if self.state.load(Ordering::Relaxed) & CAUSED == 0 {
            return Some((err, None));
        }
        Some((err, self.inner.lock().cause()))
    }

    /// The cause, once done: the one given by the winning cancel, else the error.
    pub(crate) fn cause(&self) -> Option<Cause> {
        self.outcome()
            .map(|(err, cause)| cause.unwrap_or_else(|| default_cause(err)))
    }

    /// The done channel (Go's `Done()`): the same channel every call.
    #[inline]
    pub(crate) fn done(&self) -> &Receiver<()> {
        match self.done.get() {
            Some(rx) => rx,
            None => self.make_done(),
        }
    }

    /// Makes the done channel, under the lock, so that the cancel either
    /// finds its sender or made it born closed.
    #[cold]
    fn make_done(&self) -> &Receiver<()> {
        let mut inner = self.inner.lock();
        let open = self.state.load(Ordering::Relaxed) == OPEN;
        if let Some(rx) = self.done.get() {
            return rx; // made by another thread, under this lock
        }
        let (tx, rx) = bounded(0);
        if open {
            inner.extra().done_tx = Some(tx);
        } // else: `tx` drops here and the channel is born closed.
        self.done.get_or_init(|| Box::new(rx))
    }

    /// The cause to report when the deadline passes, if one was given.
    pub(crate) fn deadline_cause(&self) -> Option<Cause> {
        let inner = self.inner.lock();
        inner.extra.as_ref()?.deadline_cause.clone()
    }

    /// Blocks until done, or until `deadline` when one is given.
    ///
    /// A blocked thread registers as a sleeper, to be unparked after the
    /// cancel releases the lock, and then checks the state without taking it
    /// again, so a thousand watchers do not queue on one mutex (a condition
    /// variable's `notify_all` would make each re-acquire it in turn). The
    /// wake is relayed through the sleepers (`sleeper.rs`).
    pub(crate) fn wait_until(&self, deadline: Option<Instant>) -> Option<Error> {
        if let Some(err) = self.load_err() {
            return Some(err);
        }
        let sleeper = Sleeper::current();
        let outcome = match self.register_sleeper(&sleeper) {
            Err(err) => Some(err),
            Ok(slot) => loop {
                if let Some(err) = self.load_err() {
                    break Some(err);
                }
                let timeout = match deadline {
                    None => None,
                    Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                        Some(left) if !left.is_zero() => Some(left),
                        _ => {
                            self.unregister_sleeper(slot);
                            break self.load_err();
                        }
                    },
                };
                park(timeout);
            },
        };
        sleeper.leave();
        outcome
    }

    /// Registers a blocked thread, unless already done.
    fn register_sleeper(&self, sleeper: &Arc<Sleeper>) -> Result<usize, Error> {
        let mut inner = self.inner.lock();
        let state = self.state.load(Ordering::Relaxed);
        if state != OPEN {
            return Err(decode(state));
        }
        Ok(inner.extra().sleepers.insert(sleeper.clone()))
    }

    /// Forgets a thread that stops waiting (its deadline passed). After a
    /// cancel drained the sleepers nobody registers again (the state is no
    /// longer open), so the slot cannot be anybody else's.
    fn unregister_sleeper(&self, slot: usize) {
        drop(self.take_extra(|extra| extra.sleepers.try_remove(slot)));
    }

    /// Takes something out of the out-of-line fields under the lock and
    /// hands it back, to be dropped once the lock is released.
    fn take_extra<T>(&self, take: impl FnOnce(&mut Extra) -> Option<T>) -> Option<T> {
        self.inner.lock().extra.as_deref_mut().and_then(take)
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
        let wakers = &mut inner.extra().wakers;
        let replaced = match slot.and_then(|key| wakers.get_mut(key)) {
            Some(old) if old.will_wake(waker) => None,
            Some(old) => Some(std::mem::replace(old, waker.clone())),
            None => {
                *slot = Some(wakers.insert(waker.clone()));
                None
            }
        };
        drop(inner);
        // A waker's drop is executor code: never under the lock; it may be
        // what cancels this very context.
        drop(replaced);
        None
    }

    /// Forgets a future's registration (the future was dropped).
    pub(crate) fn unregister_waker(&self, slot: usize) {
        // A waker's drop is executor code: after the lock.
        drop(self.take_extra(|extra| extra.wakers.try_remove(slot)));
    }

    /// How many futures and blocked threads are registered (for
    /// `testing::registered_wakers`).
    #[cfg(any(test, feature = "test-util"))]
    pub(crate) fn waker_count(&self) -> usize {
        let inner = self.inner.lock();
        inner
            .extra
            .as_ref()
            .map_or(0, |extra| extra.wakers.len() + extra.sleepers.len())
    }

    /// How many children and callbacks are registered (for
    /// `testing::child_count`).
    #[cfg(any(test, feature = "test-util"))]
    pub(crate) fn child_count(&self) -> usize {
        let inner = self.inner.lock();
        let callbacks = inner
            .extra
            .as_ref()
            .map_or(0, |extra| extra.after_funcs.len());
        inner.children.len() + callbacks
    }

    /// Registers `node` below this one, or returns this node's outcome if it
    /// is already done (invariant 4). The node's slot receives its key
    /// (invariant 5).
    #[inline]
    pub(crate) fn add_node(&self, node: &Arc<N>) -> Result<(), (Error, Option<Cause>)> {
        let weak = Arc::downgrade(node);
        let mut inner = self.inner.lock();
        let state = self.state.load(Ordering::Relaxed);
        if state != OPEN {
            return Err((decode(state), inner.cause()));
        }
        let key = inner.children.insert(weak);
        // Four billion children would take a terabyte: the key fits.
        node.canceler().slot.store(key as u32, Ordering::Relaxed);
        Ok(())
    }

    /// Registers an `after_func` callback, or returns this node's outcome if
    /// it is already done (invariant 4).
    pub(crate) fn add_after_func(
        &self,
        registration: &Arc<Registration>,
    ) -> Result<(), (Error, Option<Cause>)> {
        let mut inner = self.inner.lock();
        let state = self.state.load(Ordering::Relaxed);
        if state != OPEN {
            return Err((decode(state), inner.cause()));
        }
        let key = inner.extra().after_funcs.insert(registration.clone());
        registration.slot.store(key as u32, Ordering::Relaxed);
        Ok(())
    }

    /// Removes `node`, registered below this one (its cancel or its drop
    /// detaching it), if it is still there: after a cancel took the children
    /// it is not, and its key may be anybody's. `addr` is where the node
    /// lives, which its entry names. The entry is handed back, to be dropped
    /// after the lock.
    pub(crate) fn remove_node(&self, node: &Canceler<N>, addr: *const N) -> Option<Weak<N>> {
        let mut inner = self.inner.lock();
        let slot = node.slot.load(Ordering::Relaxed) as usize; // invariant 5: under our lock
        let ours = inner
            .children
            .get(slot)
            .is_some_and(|weak| std::ptr::eq(weak.as_ptr(), addr));
        if ours {
            inner.children.remove(slot)
        } else {
            None
        }
    }

    /// Removes an `after_func` registration (its `stop`), if the cancel has
    /// not taken it; handed back to be dropped after the lock.
    pub(crate) fn remove_after_func(
        &self,
        registration: &Arc<Registration>,
    ) -> Option<Arc<Registration>> {
        let mut inner = self.inner.lock();
        let after_funcs = &mut inner.extra.as_deref_mut()?.after_funcs;
        let slot = registration.slot.load(Ordering::Relaxed) as usize; // invariant 5
        let ours = after_funcs
            .get(slot)
            .is_some_and(|entry| Arc::ptr_eq(entry, registration));
        ours.then(|| after_funcs.remove(slot))
    }

    /// Records the armed timer, unless the node is already done (then the
    /// caller must remove it).
    pub(crate) fn set_timer(&self, key: TimerKey) -> bool {
        let mut inner = self.inner.lock();
        let open = self.state.load(Ordering::Relaxed) == OPEN;
        if open {
            inner.extra().timer = Some(key);
        }
        open
    }

    /// The armed timer, if any (for `testing::expire`).
    #[cfg(any(test, feature = "test-util"))]
    pub(crate) fn timer(&self) -> Option<TimerKey> {
        self.inner.lock().extra.as_ref()?.timer
    }

    /// Lets go of a node that will never be canceled (its last reference is
    /// being dropped): stops its timer. Its done channel, if any, goes with
    /// it, and a receiver that outlives every context sees it disconnect, as
    /// any channel whose sender is gone.
    pub(crate) fn abandon(&self) {
        let timer = self.take_extra(|extra| extra.timer.take());
        if let Some(key) = timer {
            timer::remove(key);
        }
    }

    /// Cancels this node alone, if nobody has: stores the outcome, makes done
    /// observable (invariant 2) and hands back what the node held, children
    /// included (invariant 4), to be acted on after the lock.
    ///
    /// A node claimed with children settles when the cancel rooted above it
    /// does (invariant 3).
    #[inline(always)]
    pub(crate) fn claim(&self, err: Error, cause: &Option<Cause>) -> Claim<N> {
        let mut inner = self.inner.lock();
        if self.state.load(Ordering::Relaxed) != OPEN {
            return Claim::Lost;
        }
        let outcome = encode(err) | caused(cause);
        if inner.extra.is_none() && inner.children.is_empty() && cause.is_none() {
            // A leaf nobody waits on and with no done channel, the common
            // case: nothing to close or notify between the error and done,
            // so both, and settled, in one store, and nothing to hand back.
            self.state
                .store(outcome | COMPLETE | SETTLED, Ordering::Release);
            return Claim::Leaf;
        }
        // Cause, then error, then close and notify, then complete. Release:
        // pairs with the Acquire in `load_err`.
        if cause.is_some() {
            inner.extra().cause = cause.clone();
        }
        self.state.store(outcome, Ordering::Release);
        let (mut timer, mut waiting) = (None, None);
        if let Some(extra) = inner.extra.as_deref_mut() {
            drop(extra.done_tx.take());
            timer = extra.timer.take();
            if !(extra.wakers.is_empty()
                && extra.sleepers.is_empty()
                && extra.after_funcs.is_empty())
            {
                waiting = Some(Box::new(Waiting {
                    wakers: std::mem::take(&mut extra.wakers),
                    sleepers: std::mem::take(&mut extra.sleepers),
                    after_funcs: std::mem::take(&mut extra.after_funcs),
                }));
            }
        }
        let children = std::mem::take(&mut inner.children);
        // A leaf's subtree is done now.
        let settled = if children.is_empty() { SETTLED } else { 0 };
        self.state
            .store(outcome | COMPLETE | settled, Ordering::Release);
        Claim::Won(Released {
            children,
            timer,
            waiting,
        })
    }

    /// Marks the subtree done: the last step of the cancel rooted here.
    pub(crate) fn settle(&self) {
        let inner = self.inner.lock();
        self.state.fetch_or(SETTLED, Ordering::Release);
        if let Some(extra) = inner.extra.as_deref()
            && extra.blocked > 0
            && let Some(waiters) = &extra.waiters
        {
            waiters.notify_all();
        }
    }

    /// Whether this node's whole subtree is known to be done.
    #[inline]
    pub(crate) fn is_settled(&self) -> bool {
        self.state.load(Ordering::Acquire) & SETTLED != 0
    }

    /// Records that the subtree is done, as seen from elsewhere (an ancestor
    /// settled): no lock needed, `SETTLED` only grows.
    pub(crate) fn mark_settled(&self) {
        self.state.fetch_or(SETTLED, Ordering::Release);
    }

    /// Blocks until this node, the root of a cancel in progress, settles.
    pub(crate) fn wait_own_settle(&self) {
        let mut inner = self.inner.lock();
        // The canceler holds the lock while it claims, and settles under it.
        while self.state.load(Ordering::Relaxed) & SETTLED == 0 {
            let extra = inner.extra();
            extra.blocked += 1;
            let waiters = extra
                .waiters
                .get_or_insert_with(|| Arc::new(Condvar::new()))
                .clone();
            inner = waiters.wait(inner);
            inner.extra().blocked -= 1;
        }
    }
}

fn encode(err: Error) -> u8 {
    match err {
        Error::Canceled => CANCELED,
        Error::DeadlineExceeded => DEADLINE_EXCEEDED,
    }
}

fn caused(cause: &Option<Cause>) -> u8 {
    if cause.is_some() { CAUSED } else { 0 }
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

impl<N> Canceler<N> {
    /// Whether this canceler, being freed, owns no memory: nothing out of
    /// line, no done channel, over primitives that own none either. That is
    /// every plain link once canceled, and its owner may then skip its drop
    /// (`Drop for Link`), whose glue alone was a quarter of a plain link's
    /// drop.
    #[inline]
    pub(crate) fn owns_nothing(&mut self) -> bool {
        let inner = self.inner.get_mut();
        // Each child owns its parent, and leaves it (or was taken by its
        // cancel) before letting go of it: a node freed has no children.
        debug_assert!(inner.children.is_empty(), "a node freed with children");
        PRIMITIVES_OWN_NOTHING && inner.extra.is_none() && self.done.get().is_none()
    }
}
