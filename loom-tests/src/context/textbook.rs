//! The textbook context: Go's design, written as plainly as possible over
//! loom's primitives, with every step that a twin gets wrong as a default
//! method of [`Steps`].
//!
//! One mutex per node guards its cause, children, waiters, done channel, timer
//! and `after_func` callback. The error code also lives in an atomic, so that
//! `err` starts with one load. A cancel:
//!
//! 1. locks the node; a node already canceled stays as it is (first cancel
//!    wins, for the error and the cause alike);
//! 2. publishes: stores the cause and the error, *then* closes the done
//!    channel and wakes blocked threads and futures;
//! 3. stops the node's timer and starts its `after_func` callback;
//! 4. cancels each child while still holding its own lock (lock order is
//!    always parent, then child);
//! 5. unlocks, and only then removes the node from its parent's children.
//!
//! `err` returns an error only after the canceler has released the lock, so
//! only once the done channel is closed (Go 1.26's fix for #75533).
//!
//! [`Textbook`] keeps every default and passes every model; each twin in
//! race file's `twins` module replaces exactly one step with the version a
//! reasonable person writes first.

use std::future::Future;
use std::marker::PhantomData;
use std::mem;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, Waker};

use loom::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use loom::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::context::{Contexts, Error, Trees, WaitFuture};

const OPEN: u8 = 0;
const CANCELED: u8 = 1;
const DEADLINE_EXCEEDED: u8 = 2;

/// The cause a fired deadline records, as the real models' `with_timeout`.
pub const DEADLINE_CAUSE: &str = "deadline";

/// One cancelable context.
#[derive(Debug)]
pub struct Node {
    /// The cancelable parent, which lists this node in its children.
    pub parent: Option<Arc<Node>>,
    /// `OPEN` or the error code; written only under `inner`'s lock.
    pub err: AtomicU8,
    /// Everything else about the node.
    pub inner: Mutex<Inner>,
    /// Threads blocked in `wait`.
    pub waiters: Condvar,
}

/// The part of a node guarded by its lock.
#[derive(Default)]
pub struct Inner {
    /// The winning cancel's cause; `None` means the error itself.
    pub cause: Option<&'static str>,
    /// Open children, canceled with this node.
    pub children: Vec<Arc<Node>>,
    /// Futures waiting for done, each under the id its future keeps.
    pub wakers: Vec<(usize, Waker)>,
    /// The next id to hand a future.
    pub next_waker: usize,
    /// The done channel, created on first use; dropping the sender closes it.
    pub done_tx: Option<DoneSender>,
    /// The receiving end every `done` call clones.
    pub done_rx: Option<Done>,
    /// The key of this node's armed timer.
    pub timer: Option<u64>,
    /// The callback `after_func` registered.
    pub after_func: Option<Box<dyn FnOnce() + Send>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("cause", &self.cause)
            .field("children", &self.children.len())
            .finish_non_exhaustive()
    }
}

impl Node {
    fn new(parent: Option<Arc<Node>>, after_func: Option<Box<dyn FnOnce() + Send>>) -> Node {
        Node {
            parent,
            err: AtomicU8::new(OPEN),
            inner: Mutex::new(Inner {
                after_func,
                ..Inner::default()
            }),
            waiters: Condvar::new(),
        }
    }

    /// The node's lock. Nothing panics while holding it, so it is never
    /// poisoned.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap()
    }

    /// The error code, read under the lock (where `Relaxed` suffices).
    pub fn err_locked(&self) -> Option<Error> {
        decode(self.err.load(Ordering::Relaxed))
    }
}

/// The sending end of a done channel: dropping it closes the channel.
///
/// Like the real crate's model-checked instance, the textbook's done channel
/// is a loom flag: loom cannot see into crossbeam, so a crossbeam close
/// would be glued to the loom operation before it and no model could look
/// between the two.
#[derive(Debug)]
pub struct DoneSender(Arc<AtomicBool>);

/// The receiving end of a done channel; `None` never closes.
#[derive(Clone, Debug)]
pub struct Done(Option<Arc<AtomicBool>>);

/// A new done channel.
pub fn done_channel() -> (DoneSender, Done) {
    let closed = Arc::new(AtomicBool::new(false));
    (DoneSender(closed.clone()), Done(Some(closed)))
}

impl Drop for DoneSender {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.0.store(true, Ordering::Release); // Go's close(done)
        }
    }
}

impl Done {
    /// Whether the channel is closed: what `try_recv` would say.
    pub fn is_closed(&self) -> bool {
        self.0
            .as_ref()
            .is_some_and(|closed| closed.load(Ordering::Acquire))
    }
}

/// The error code for `err`.
pub fn encode(err: Error) -> u8 {
    match err {
        Error::Canceled => CANCELED,
        Error::DeadlineExceeded => DEADLINE_EXCEEDED,
    }
}

/// The error for a code; `None` while open.
pub fn decode(code: u8) -> Option<Error> {
    match code {
        OPEN => None,
        CANCELED => Some(Error::Canceled),
        _ => Some(Error::DeadlineExceeded),
    }
}

/// The deadline timers: one queue for the whole model, like the real crate's.
pub mod timers {
    use std::mem::ManuallyDrop;

    use super::{Arc, Mutex, Node};

    /// An armed timer's node. A twin that fails with entries still queued
    /// unwinds, and loom drops its statics after the execution is gone;
    /// dropping an `Arc` then would abort the test process instead of
    /// reporting the failure. So entries are dropped only when removed (one
    /// left at the end of a passing execution shows as a leaked `Arc`).
    type Entry = ManuallyDrop<Arc<Node>>;

    #[derive(Default)]
    struct Queue {
        next_key: u64,
        entries: Vec<(u64, Entry)>,
    }

    loom::lazy_static! {
        static ref QUEUE: Mutex<Queue> = Mutex::new(Queue::default());
    }

    /// Arms a timer for `node`.
    pub fn insert(node: Arc<Node>) -> u64 {
        let mut queue = QUEUE.lock().unwrap();
        let key = queue.next_key;
        queue.next_key += 1;
        queue.entries.push((key, ManuallyDrop::new(node)));
        key
    }

    /// Takes a timer out of the queue, if it is still there.
    pub fn remove(key: u64) -> Option<Arc<Node>> {
        let mut queue = QUEUE.lock().unwrap();
        let at = queue.entries.iter().position(|(k, _)| *k == key)?;
        Some(ManuallyDrop::into_inner(queue.entries.swap_remove(at).1))
    }

    /// How many timers are armed.
    pub fn pending() -> usize {
        QUEUE.lock().unwrap().entries.len()
    }
}

/// The steps of the textbook context. [`Textbook`] keeps every default; a
/// twin overrides exactly one of them (or one pair) with its naive version.
pub trait Steps: Sized + 'static {
    /// Links a new `child` under `parent`, or cancels it at once with the
    /// parent's error and cause if the parent is done: check and insert in
    /// one critical section of the parent's lock.
    fn register(parent: &Arc<Node>, child: &Arc<Node>) {
        let mut inner = parent.lock();
        match parent.err_locked() {
            None => inner.children.push(child.clone()),
            Some(err) => {
                let cause = inner.cause;
                drop(inner);
                Self::cancel_subtree(child, err, cause);
            }
        }
    }

    /// Cancels `node` and its subtree, then unregisters it from its parent.
    /// Returns whether this call canceled it.
    fn cancel(node: &Arc<Node>, err: Error, cause: Option<&'static str>) -> bool {
        let won = Self::cancel_subtree(node, err, cause);
        if won {
            Self::detach(node);
        }
        won
    }

    /// Steps 1 to 4 of the module docs, under `node`'s lock.
    fn cancel_subtree(node: &Arc<Node>, err: Error, cause: Option<&'static str>) -> bool {
        let inner = node.lock();
        if node.err_locked().is_some() {
            return false; // the first cancel won
        }
        let mut inner = Self::publish(node, inner, err, cause);
        release(&mut inner);
        for child in mem::take(&mut inner.children) {
            Self::cancel_subtree(&child, err, cause);
        }
        true
    }

    /// Step 2: record the error and cause, then make done observable.
    fn publish<'a>(
        node: &'a Node,
        mut inner: MutexGuard<'a, Inner>,
        err: Error,
        cause: Option<&'static str>,
    ) -> MutexGuard<'a, Inner> {
        inner.cause = cause;
        node.err.store(encode(err), Ordering::Release);
        drop(inner.done_tx.take()); // Go's close(done)
        node.waiters.notify_all();
        // Waking under the lock is fine for the models' wakers, which never
        // call back into the context; the real crate defers it anyway.
        for (_, waker) in inner.wakers.drain(..) {
            waker.wake();
        }
        inner
    }

    /// Step 5: leave the parent's children, taking only the parent's lock.
    fn detach(node: &Arc<Node>) {
        if let Some(parent) = &node.parent {
            parent.lock().children.retain(|c| !Arc::ptr_eq(c, node));
        }
    }

    /// What dropping a cancel handle does: cancel.
    fn drop_handle(node: &Arc<Node>) {
        Self::cancel(node, Error::Canceled, None);
    }

    /// `err()`: one load, and if the node is canceled, wait until the
    /// canceler has finished publishing (it holds the lock until then).
    fn err(node: &Node) -> Option<Error> {
        let err = decode(node.err.load(Ordering::Acquire))?;
        drop(node.lock());
        Some(err)
    }

    /// `wait()`: check and sleep under the lock the canceler notifies under.
    fn wait(node: &Node) -> Option<Error> {
        let mut inner = node.lock();
        loop {
            if let Some(err) = node.err_locked() {
                return Some(err);
            }
            inner = node.waiters.wait(inner).unwrap();
        }
    }

    /// One poll of `wait_async()`: check and register under the lock the
    /// canceler drains the wakers under. `slot` is the future's id.
    fn poll_wait(
        node: &Node,
        cx: &mut TaskContext<'_>,
        slot: &mut Option<usize>,
    ) -> Poll<Option<Error>> {
        let mut inner = node.lock();
        if let Some(err) = node.err_locked() {
            return Poll::Ready(Some(err));
        }
        let registered = slot.and_then(|id| inner.wakers.iter_mut().find(|(i, _)| *i == id));
        match registered {
            Some((_, waker)) => waker.clone_from(cx.waker()),
            None => {
                let id = inner.next_waker;
                inner.next_waker += 1;
                inner.wakers.push((id, cx.waker().clone()));
                *slot = Some(id);
            }
        }
        Poll::Pending
    }

    /// A pending `wait_async()` future was dropped: withdraw its waker, if
    /// the cancel has not taken it already.
    fn unregister_waker(node: &Node, slot: usize) {
        node.lock().wakers.retain(|(id, _)| *id != slot);
    }

    /// `done()`: one channel per node, created under the lock, born closed if
    /// the node is already canceled.
    fn done(node: &Node) -> Done {
        let mut inner = node.lock();
        if let Some(rx) = &inner.done_rx {
            return rx.clone();
        }
        let (tx, rx) = done_channel();
        if node.err_locked().is_none() {
            inner.done_tx = Some(tx);
        }
        inner.done_rx = Some(rx.clone());
        rx
    }

    /// The deadline passed: take the timer out of the queue, then cancel.
    /// Whoever takes the entry (this, or a cancel stopping the timer) is the
    /// one that drops it.
    fn fire(node: &Arc<Node>) -> bool {
        let Some(key) = node.lock().timer else {
            return false;
        };
        let Some(node) = timers::remove(key) else {
            return false; // stopped by a cancel meanwhile
        };
        Self::cancel(&node, Error::DeadlineExceeded, Some(DEADLINE_CAUSE))
    }

    /// `link.stop()`: take the callback under the lock the cancel takes it
    /// under, so that exactly one of them gets it.
    fn stop(node: &Arc<Node>) -> bool {
        let Some(f) = node.lock().after_func.take() else {
            return false;
        };
        drop(f);
        Self::cancel(node, Error::Canceled, None); // unregister
        true
    }

    /// `without_cancel(parent)`: a context with no cancel state at all.
    fn without_cancel(_parent: &Context) -> Context {
        Context { node: None }
    }
}

/// Step 3: stop the timer, start the callback. Called under the node's lock
/// (lock order: node, then timer queue).
pub fn release(inner: &mut Inner) {
    if let Some(key) = inner.timer.take() {
        drop(timers::remove(key));
    }
    if let Some(f) = inner.after_func.take() {
        loom::thread::spawn(f); // Go: "f runs in its own goroutine"
    }
}

/// The correct textbook context: every step as written above.
#[derive(Debug)]
pub struct Textbook;

impl Steps for Textbook {}

/// A textbook context handle; `None` is a context that is never canceled.
#[derive(Clone, Debug)]
pub struct Context {
    node: Option<Arc<Node>>,
}

/// A textbook cancel handle; dropping it runs [`Steps::drop_handle`],
/// unless it was disarmed.
#[derive(Debug)]
pub struct Handle<S: Steps> {
    node: Arc<Node>,
    /// Whether dropping it cancels: Go's context stays registered with its
    /// parent when cancel is never called, and so does a disarmed one here.
    armed: bool,
    steps: PhantomData<fn() -> S>,
}

impl<S: Steps> Drop for Handle<S> {
    fn drop(&mut self) {
        // A model that failed is unwinding: touching loom now would turn its
        // assertion into an abort.
        if self.armed && !std::thread::panicking() {
            S::drop_handle(&self.node);
        }
    }
}

/// A textbook `after_func` link; dropping it does not stop it.
#[derive(Debug)]
pub struct Link {
    node: Arc<Node>,
}

/// The future of `wait_async`.
struct Wait<S: Steps> {
    node: Option<Arc<Node>>,
    slot: Option<usize>,
    steps: PhantomData<fn() -> S>,
}

impl<S: Steps> Future for Wait<S> {
    type Output = Option<Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Error>> {
        let this = self.get_mut();
        match &this.node {
            Some(node) => S::poll_wait(node, cx, &mut this.slot),
            None => Poll::Pending,
        }
    }
}

impl<S: Steps> Drop for Wait<S> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return; // as in `Handle::drop`
        }
        if let (Some(node), Some(slot)) = (&self.node, self.slot) {
            S::unregister_waker(node, slot);
        }
    }
}

fn derive<S: Steps>(parent: &Context, after_func: Option<Box<dyn FnOnce() + Send>>) -> Arc<Node> {
    let node = Arc::new(Node::new(parent.node.clone(), after_func));
    if let Some(parent) = &parent.node {
        S::register(parent, &node);
    }
    node
}

fn handle<S: Steps>(node: Arc<Node>) -> (Context, Handle<S>) {
    let ctx = Context {
        node: Some(node.clone()),
    };
    let steps = PhantomData;
    (
        ctx,
        Handle {
            node,
            armed: true,
            steps,
        },
    )
}

impl<S: Steps> Trees for S {
    type Context = Context;
    type Cancel = Handle<S>;

    fn root() -> (Context, Handle<S>) {
        handle(Arc::new(Node::new(None, None)))
    }

    fn with_cancel(parent: &Context) -> (Context, Handle<S>) {
        handle(derive::<S>(parent, None))
    }

    fn cancel(cancel: &Handle<S>, cause: Option<&'static str>) {
        S::cancel(&cancel.node, Error::Canceled, cause);
    }

    fn disarm(mut cancel: Handle<S>) {
        cancel.armed = false;
    }

    fn err(ctx: &Context) -> Option<Error> {
        S::err(ctx.node.as_ref()?)
    }

    fn cause(ctx: &Context) -> Option<String> {
        let node = ctx.node.as_ref()?;
        let err = S::err(node)?;
        let cause = node.lock().cause;
        Some(cause.map_or_else(|| err.to_string(), String::from))
    }

    fn child_count(ctx: &Context) -> usize {
        ctx.node
            .as_ref()
            .map_or(0, |node| node.lock().children.len())
    }
}

impl<S: Steps> Contexts for S {
    type AfterFunc = Link;
    type Done = Done;

    fn with_value(parent: &Context) -> Context {
        parent.clone() // a value layer has no cancel state of its own
    }

    fn without_cancel(parent: &Context) -> Context {
        S::without_cancel(parent)
    }

    fn with_timeout(parent: &Context) -> (Context, Handle<S>) {
        let node = derive::<S>(parent, None);
        {
            let mut inner = node.lock();
            if node.err_locked().is_none() {
                inner.timer = Some(timers::insert(node.clone()));
            }
        }
        handle(node)
    }

    fn after_func(ctx: &Context, f: impl FnOnce() + Send + 'static) -> Link {
        Link {
            node: derive::<S>(ctx, Some(Box::new(f))),
        }
    }

    fn stop(link: &Link) -> bool {
        S::stop(&link.node)
    }

    fn is_done(ctx: &Context) -> bool {
        <S as Trees>::err(ctx).is_some()
    }

    fn wait(ctx: &Context) -> Option<Error> {
        let node = ctx
            .node
            .as_ref()
            .expect("waiting on a context that is never done");
        S::wait(node)
    }

    fn wait_async(ctx: &Context) -> WaitFuture {
        Box::pin(Wait::<S> {
            node: ctx.node.clone(),
            slot: None,
            steps: PhantomData,
        })
    }

    fn done(ctx: &Context) -> Done {
        match &ctx.node {
            Some(node) => S::done(node),
            None => Done(None),
        }
    }

    fn is_closed(done: &Done) -> bool {
        done.is_closed()
    }

    fn expire(ctx: &Context) -> bool {
        ctx.node.as_ref().is_some_and(S::fire)
    }

    fn pending_timers() -> usize {
        timers::pending()
    }
}
