//! The context handle and its four methods: deadline, done, err, value.

use std::any::Any;
use std::fmt;
use std::time::{Duration, Instant};

use super::sync::{Arc, Receiver, never};
use super::tree::{CancelNode, Label};
use super::wait::WaitAsync;
use crate::error::{Cause, Error};
use crate::key::Key;

/// A request's deadline, cancellation signal and values, as Go's
/// `context.Context`.
///
/// Contexts form a tree: [`background`] and [`todo()`] are roots, and
/// [`with_cancel`](crate::with_cancel), [`with_deadline`](crate::with_deadline),
/// [`with_timeout`](crate::with_timeout), [`with_value`](crate::with_value) and
/// [`without_cancel`](crate::without_cancel) derive children. Canceling a
/// context cancels everything derived from it.
///
/// A `Context` is a cheap handle: cloning it copies a pointer, and it is
/// `Send + Sync`, so give each thread its own clone or share a reference.
/// Pass it as the first parameter, named `ctx`, rather than storing it in a
/// struct (the articles' first rule; see the book's "Rules" chapter).
///
/// Waiting for done comes in four forms, all on the same signal:
///
/// | Go | Rust |
/// |---|---|
/// | `select { case <-ctx.Done(): … default: }` | [`is_done`](Context::is_done) (one atomic load) |
/// | `<-ctx.Done()` in a goroutine | [`wait`](Context::wait), [`wait_timeout`](Context::wait_timeout) |
/// | `select { case <-ctx.Done(): … case v := <-ch: … }` | [`done`](Context::done) in `crossbeam_channel::select!` |
/// | (none) | [`wait_async`](Context::wait_async), a `Future` for any executor |
///
/// # Examples
///
/// ```
/// use std::thread;
///
/// let (ctx, cancel) = context::with_cancel(&context::background());
/// let worker = thread::spawn({
///     let ctx = ctx.clone();
///     move || {
///         let mut rounds = 0u64;
///         while !ctx.is_done() {
///             rounds += 1; // a slice of work
///         }
///         (rounds, ctx.err())
///     }
/// });
/// cancel.cancel();
/// let (_rounds, err) = worker.join().unwrap();
/// assert_eq!(err, Some(context::Error::Canceled));
/// ```
#[derive(Clone)]
pub struct Context {
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    Background,
    Todo,
    Node(Arc<Node>),
}

/// One derived context: a link in the chain from a root.
pub(crate) struct Node {
    pub(crate) parent: Context,
    pub(crate) kind: Kind,
}

// Cancel nodes are the common case and stay one allocation; a value layer
// pays for the larger variant instead.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Kind {
    /// `with_cancel`, `with_deadline`, `after_func`: a node of the cancel tree.
    Cancel(CancelNode),
    Value(ValueLayer),
    WithoutCancel,
}

pub(crate) struct ValueLayer {
    key: usize,
    name: &'static str,
    value: Box<dyn DebugAny>,
    /// The nearest cancel node above, cached so that done checks on a value
    /// layer cost the same as on its cancel ancestor.
    signal: Option<Arc<Node>>,
}

/// A value that can be printed (for `Display`) and downcast (for lookups).
trait DebugAny: Any + Send + Sync + fmt::Debug {}
impl<T: Any + Send + Sync + fmt::Debug> DebugAny for T {}

impl Node {
    /// This node's own cancel state, if it is a cancel node.
    pub(crate) fn cancel_node(&self) -> Option<&CancelNode> {
        match &self.kind {
            Kind::Cancel(node) => Some(node),
            _ => None,
        }
    }

    pub(crate) fn new_cancel(parent: &Context, node: CancelNode) -> Arc<Node> {
        Arc::new(Node {
            parent: parent.clone(),
            kind: Kind::Cancel(node),
        })
    }
}

/// Dropping a long chain of contexts would otherwise recurse once per link;
/// unlink it iteratively instead, as far as this drop owns it.
impl Drop for Node {
    fn drop(&mut self) {
        let mut next = self.take_links();
        while let Repr::Node(node) = next.repr {
            match Arc::try_unwrap(node) {
                Ok(mut node) => next = node.take_links(),
                Err(_) => break, // someone else still holds the rest
            }
        }
    }
}

impl Node {
    /// Detaches this node from the nodes above it and returns its parent.
    fn take_links(&mut self) -> Context {
        // The shortcut to the nearest cancel node is a second reference to an
        // ancestor; release it first so that the chain's own is the last one.
        match &mut self.kind {
            Kind::Cancel(node) => drop(node.take_parent()),
            Kind::Value(layer) => drop(layer.signal.take()),
            Kind::WithoutCancel => {}
        }
        std::mem::replace(&mut self.parent, background())
    }
}

/// Returns a never-canceled root context with no values and no deadline, Go's
/// `context.Background()`.
///
/// Use it in `main`, in tests and at the top of a request tree. It allocates
/// nothing.
///
/// # Examples
///
/// ```
/// let ctx = context::background();
/// assert!(!ctx.is_done());
/// assert_eq!(ctx.err(), None);
/// assert_eq!(ctx.deadline(), None);
/// assert_eq!(ctx.to_string(), "context.Background");
/// ```
pub const fn background() -> Context {
    Context {
        repr: Repr::Background,
    }
}

/// Returns a never-canceled root context, Go's `context.TODO()`.
///
/// It behaves like [`background`]; use it where a context is needed but it is
/// not yet clear which one, where Go code would be tempted to pass `nil`
/// (there is no nil context in Rust).
///
/// # Examples
///
/// ```
/// let ctx = context::todo();
/// assert!(!ctx.is_done());
/// assert_eq!(ctx.to_string(), "context.TODO");
/// ```
pub const fn todo() -> Context {
    Context { repr: Repr::Todo }
}

impl Context {
    pub(crate) fn from_node(node: Arc<Node>) -> Context {
        Context {
            repr: Repr::Node(node),
        }
    }

    /// The nearest cancel node at or above this context: the node whose state
    /// this context reports. `None` if it can never be canceled.
    pub(crate) fn signal_node(&self) -> Option<&Arc<Node>> {
        let Repr::Node(node) = &self.repr else {
            return None;
        };
        match &node.kind {
            Kind::Cancel(_) => Some(node),
            Kind::Value(layer) => layer.signal.as_ref(),
            Kind::WithoutCancel => None,
        }
    }

    fn signal(&self) -> Option<&CancelNode> {
        self.signal_node().and_then(|node| node.cancel_node())
    }

    /// Returns when this context will be canceled because of a deadline, Go's
    /// `Deadline()`; `None` if no deadline is set.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let d = Instant::now() + Duration::from_secs(60);
    /// let (ctx, _cancel) = context::with_deadline(&context::background(), d);
    /// assert_eq!(ctx.deadline(), Some(d));
    /// assert_eq!(context::background().deadline(), None);
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.signal().and_then(|node| node.deadline)
    }

    /// Returns a channel that is closed (disconnected) when this context is
    /// done, Go's `Done()`, for use in [`crossbeam_channel::select!`].
    ///
    /// Every call returns the same channel. Nothing is ever sent on it: a
    /// `recv` arm fires with `Err(RecvError)` once the context is done, as a
    /// receive from a closed Go channel does. For a context that can never be
    /// canceled it returns [`crossbeam_channel::never`], Go's nil channel.
    ///
    /// The first call allocates the channel; call it once outside a loop.
    ///
    /// # Examples
    ///
    /// ```
    /// use crossbeam_channel::{select, unbounded};
    ///
    /// let (ctx, cancel) = context::with_cancel(&context::background());
    /// let (jobs_tx, jobs) = unbounded::<u32>();
    /// jobs_tx.send(7).unwrap();
    /// cancel.cancel();
    ///
    /// let done = ctx.done();
    /// let mut handled = 0;
    /// loop {
    ///     select! {
    ///         recv(done) -> _ => break,
    ///         recv(jobs) -> job => handled += job.unwrap(),
    ///     }
    /// }
    /// assert_eq!(ctx.err(), Some(context::Error::Canceled));
    /// # let _ = handled;
    /// ```
    pub fn done(&self) -> Receiver<()> {
        match self.signal() {
            Some(node) => node.done(),
            None => never(),
        }
    }

    /// Returns why this context is done, Go's `Err()`: `None` while it is not,
    /// then [`Error::Canceled`] or [`Error::DeadlineExceeded`] forever.
    ///
    /// An error is never returned before done is observable in every form
    /// ([`done`](Context::done) closed, waiters released).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (ctx, _cancel) = context::with_timeout(&context::background(), Duration::ZERO);
    /// assert_eq!(ctx.err(), Some(context::Error::DeadlineExceeded));
    /// ```
    pub fn err(&self) -> Option<Error> {
        self.signal().and_then(CancelNode::load_err)
    }

    /// Whether this context is done: `self.err().is_some()`, one atomic load
    /// on the fast path. Go's `select` on `Done()` with a `default` arm.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = context::with_cancel(&context::background());
    /// assert!(!ctx.is_done());
    /// drop(cancel); // dropping the handle cancels
    /// assert!(ctx.is_done());
    /// ```
    pub fn is_done(&self) -> bool {
        self.err().is_some()
    }

    /// Returns why this context was canceled, Go's `context.Cause(ctx)`.
    ///
    /// `None` while the context is not done. Otherwise the cause given by the
    /// first cancel of this context or of an ancestor (whichever came first),
    /// or, if that cancel gave none, the error itself.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let (parent, cancel) = context::with_cancel_cause(&context::background());
    /// let (child, _cancel_child) = context::with_cancel(&parent);
    /// cancel.cancel(Some(Arc::new(std::fmt::Error)));
    /// assert_eq!(child.err(), Some(context::Error::Canceled));
    /// assert!(child.cause().unwrap().downcast_ref::<std::fmt::Error>().is_some());
    /// ```
    pub fn cause(&self) -> Option<Cause> {
        self.signal().and_then(CancelNode::cause)
    }

    /// Returns the value bound to `key` by the innermost
    /// [`with_value`](crate::with_value) above this context, Go's `Value(key)`.
    ///
    /// # Examples
    ///
    /// ```
    /// static USER: context::Key<&str> = context::Key::new("user");
    /// static LANG: context::Key<&str> = context::Key::new("lang");
    ///
    /// let ctx = context::with_value(&context::background(), &USER, "gopher");
    /// let ctx = context::with_value(&ctx, &USER, "ferris"); // shadows
    /// assert_eq!(ctx.value(&USER), Some(&"ferris"));
    /// assert_eq!(ctx.value(&LANG), None);
    /// ```
    pub fn value<T: 'static>(&self, key: &'static Key<T>) -> Option<&T> {
        let id = key.id();
        let mut ctx = self;
        while let Repr::Node(node) = &ctx.repr {
            if let Kind::Value(layer) = &node.kind
                && layer.key == id
            {
                // The key's type fixed the value's type in `with_value`.
                let value: &dyn Any = &*layer.value;
                return value.downcast_ref::<T>();
            }
            ctx = &node.parent;
        }
        None
    }

    /// Blocks the calling thread until this context is done and returns its
    /// error, like `<-ctx.Done()` followed by `ctx.Err()`.
    ///
    /// On a context that can never be canceled this blocks forever, as a
    /// receive from Go's nil channel does.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (ctx, _cancel) = context::with_timeout(&context::background(), Duration::from_millis(5));
    /// assert_eq!(ctx.wait(), context::Error::DeadlineExceeded);
    /// ```
    pub fn wait(&self) -> Error {
        match self.signal() {
            Some(node) => node
                .wait_until(None)
                .expect("an untimed wait returns only when done"),
            None => loop {
                std::thread::park();
            },
        }
    }

    /// Blocks until this context is done or `timeout` has passed; returns the
    /// context's error, or `None` on timeout.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (ctx, cancel) = context::with_cancel(&context::background());
    /// assert_eq!(ctx.wait_timeout(Duration::from_millis(1)), None);
    /// cancel.cancel();
    /// assert_eq!(ctx.wait_timeout(Duration::from_secs(1)), Some(context::Error::Canceled));
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> Option<Error> {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.wait_deadline(deadline),
            None => Some(self.wait()),
        }
    }

    /// Blocks until this context is done or `deadline` is reached; returns the
    /// context's error, or `None` if the deadline came first.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let ctx = context::background();
    /// assert_eq!(ctx.wait_deadline(Instant::now() + Duration::from_millis(1)), None);
    /// ```
    pub fn wait_deadline(&self, deadline: Instant) -> Option<Error> {
        match self.signal() {
            Some(node) => node.wait_until(Some(deadline)),
            None => {
                while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                    std::thread::park_timeout(left);
                }
                None
            }
        }
    }

    /// Returns a future that completes with this context's error once it is
    /// done. It works on any executor: it only uses the `Waker` it is given.
    ///
    /// On a context that can never be canceled the future never completes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::task::{Context as TaskContext, Poll, Waker};
    ///
    /// let (ctx, cancel) = context::with_cancel(&context::background());
    /// let mut done = pin!(ctx.wait_async());
    /// let mut cx = TaskContext::from_waker(Waker::noop());
    /// assert!(done.as_mut().poll(&mut cx).is_pending());
    /// cancel.cancel();
    /// assert_eq!(done.poll(&mut cx), Poll::Ready(context::Error::Canceled));
    /// ```
    pub fn wait_async(&self) -> WaitAsync {
        WaitAsync::new(self.signal_node().cloned())
    }
}

/// Derives a context carrying `value` under `key`, Go's
/// `context.WithValue(parent, key, value)`.
///
/// Lookups with [`Context::value`] walk from the child up, so the innermost
/// binding of a key wins. Cancellation, done, error and deadline are the
/// parent's.
///
/// Use values for request-scoped data that crosses API boundaries (a trace id,
/// the authenticated user), not to pass optional parameters to functions. The
/// value is shared by every thread holding the context, hence `Send + Sync`.
///
/// # Examples
///
/// ```
/// static TRACE_ID: context::Key<u64> = context::Key::new("trace_id");
///
/// let ctx = context::with_value(&context::background(), &TRACE_ID, 42);
/// assert_eq!(ctx.value(&TRACE_ID), Some(&42));
/// assert_eq!(ctx.to_string(), "context.Background.WithValue(trace_id, 42)");
/// ```
pub fn with_value<T>(parent: &Context, key: &'static Key<T>, value: T) -> Context
where
    T: Any + Send + Sync + fmt::Debug,
{
    Context::from_node(Arc::new(Node {
        parent: parent.clone(),
        kind: Kind::Value(ValueLayer {
            key: key.id(),
            name: key.name(),
            value: Box::new(value),
            signal: parent.signal_node().cloned(),
        }),
    }))
}

/// Derives a context that keeps the parent's values but is never canceled, Go's
/// `context.WithoutCancel(parent)`.
///
/// It has no deadline, no error and no cause, whatever happens to the parent.
/// Use it for work that must finish even when the request that started it is
/// canceled, such as writing an audit log.
///
/// # Examples
///
/// ```
/// static USER: context::Key<&str> = context::Key::new("user");
///
/// let (parent, cancel) = context::with_cancel(&context::background());
/// let parent = context::with_value(&parent, &USER, "gopher");
/// let detached = context::without_cancel(&parent);
/// cancel.cancel();
/// assert!(parent.is_done());
/// assert!(!detached.is_done());
/// assert_eq!(detached.value(&USER), Some(&"gopher"));
/// ```
pub fn without_cancel(parent: &Context) -> Context {
    Context::from_node(Arc::new(Node {
        parent: parent.clone(),
        kind: Kind::WithoutCancel,
    }))
}

/// Shows the chain from the root, like Go's `String()`:
/// `context.Background.WithCancel.WithValue(request_id, 42)`.
///
/// A deadline shows as the time left (`WithDeadline(in 1.5s)`) or passed
/// (`WithDeadline(2ms ago)`); a value as its key's name and the value's
/// `Debug` form.
impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Background => f.write_str("context.Background"),
            Repr::Todo => f.write_str("context.TODO"),
            Repr::Node(node) => {
                fmt::Display::fmt(&node.parent, f)?;
                match &node.kind {
                    Kind::Cancel(cancel) => match cancel.label {
                        Label::WithCancel => f.write_str(".WithCancel"),
                        Label::AfterFunc => f.write_str(".AfterFunc"),
                        Label::WithDeadline(deadline) => {
                            let now = Instant::now();
                            match deadline.checked_duration_since(now) {
                                Some(left) => write!(f, ".WithDeadline(in {left:?})"),
                                None => write!(f, ".WithDeadline({:?} ago)", now - deadline),
                            }
                        }
                    },
                    Kind::Value(layer) => {
                        write!(f, ".WithValue({}, {:?})", layer.name, layer.value)
                    }
                    Kind::WithoutCancel => f.write_str(".WithoutCancel"),
                }
            }
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
