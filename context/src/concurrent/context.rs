//! The context handle and its four methods: deadline, done, err, value.

use std::any::Any;
use std::fmt;
use std::time::{Duration, Instant};

use super::link::{CancelLayer, Chain, Layer, Link, Node};
use super::sync::{Arc, Receiver, never_ref};
use super::value::ValueLink;
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
/// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
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
/// assert_eq!(err, Some(go_context::Error::Canceled));
/// ```
#[derive(Clone)]
pub struct Context {
    chain: Chain,
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
/// let ctx = go_context::background();
/// assert!(!ctx.is_done());
/// assert_eq!(ctx.err(), None);
/// assert_eq!(ctx.deadline(), None);
/// assert_eq!(ctx.to_string(), "context.Background");
/// ```
pub const fn background() -> Context {
    Context {
        chain: Chain::background(),
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
/// let ctx = go_context::todo();
/// assert!(!ctx.is_done());
/// assert_eq!(ctx.to_string(), "context.TODO");
/// ```
pub fn todo() -> Context {
    Context {
        chain: Chain::todo(),
    }
}

impl Context {
    pub(crate) fn from_link(link: Arc<Link>) -> Context {
        Context {
            chain: Chain::from_link(link),
        }
    }

    pub(crate) fn chain(&self) -> &Chain {
        &self.chain
    }

    /// The cancelable layer whose state this context reports.
    fn cancel_layer(&self) -> Option<&CancelLayer> {
        self.chain.cancel_layer()
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
    /// let (ctx, _cancel) = go_context::with_deadline(&go_context::background(), d);
    /// assert_eq!(ctx.deadline(), Some(d));
    /// assert_eq!(go_context::background().deadline(), None);
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.chain.deadline()
    }

    /// Returns a channel that is closed (disconnected) when this context is
    /// done, Go's `Done()`, for use in [`crossbeam_channel::select!`].
    ///
    /// Every call returns the same channel, by reference: after the first
    /// call, which makes it, a call costs an atomic load, so Go's shape,
    /// `recv(ctx.done())` right in a `select!` in a loop, is as cheap as
    /// holding on to it. (Clone it to keep it beyond the context's borrow, or
    /// to move it to another thread.) Nothing is ever sent on it: a `recv`
    /// arm fires with `Err(RecvError)` once the context is done, as a receive
    /// from a closed Go channel does. For a context that can never be
    /// canceled it is [`crossbeam_channel::never`], Go's nil channel.
    ///
    /// # Examples
    ///
    /// ```
    /// use crossbeam_channel::{select, unbounded};
    ///
    /// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    /// let (jobs_tx, jobs) = unbounded::<u32>();
    /// jobs_tx.send(7).unwrap();
    /// cancel.cancel();
    ///
    /// let mut handled = 0;
    /// loop {
    ///     select! {
    ///         recv(ctx.done()) -> _ => break,
    ///         recv(jobs) -> job => handled += job.unwrap(),
    ///     }
    /// }
    /// assert_eq!(ctx.err(), Some(go_context::Error::Canceled));
    /// # let _ = handled;
    /// ```
    #[inline]
    pub fn done(&self) -> &Receiver<()> {
        match self.cancel_layer() {
            Some(layer) => layer.canceler.done(),
            None => never_ref(),
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
    /// let (ctx, _cancel) = go_context::with_timeout(&go_context::background(), Duration::ZERO);
    /// assert_eq!(ctx.err(), Some(go_context::Error::DeadlineExceeded));
    /// ```
    #[inline]
    pub fn err(&self) -> Option<Error> {
        self.cancel_layer()
            .and_then(|layer| layer.canceler.load_err())
    }

    /// Whether this context is done: `self.err().is_some()`, one atomic load
    /// on the fast path. Go's `select` on `Done()` with a `default` arm.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    /// assert!(!ctx.is_done());
    /// drop(cancel); // dropping the handle cancels
    /// assert!(ctx.is_done());
    /// ```
    #[inline]
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
    /// let (parent, cancel) = go_context::with_cancel_cause(&go_context::background());
    /// let (child, _cancel_child) = go_context::with_cancel(&parent);
    /// cancel.cancel(Some(Arc::new(std::fmt::Error)));
    /// assert_eq!(child.err(), Some(go_context::Error::Canceled));
    /// assert!(child.cause().unwrap().downcast_ref::<std::fmt::Error>().is_some());
    /// ```
    pub fn cause(&self) -> Option<Cause> {
        self.cancel_layer().and_then(|layer| layer.canceler.cause())
    }

    /// Returns the value bound to `key` by the innermost
    /// [`with_value`](crate::with_value) above this context, Go's `Value(key)`.
    ///
    /// # Examples
    ///
    /// ```
    /// static USER: go_context::Key<&str> = go_context::Key::new("user");
    /// static LANG: go_context::Key<&str> = go_context::Key::new("lang");
    ///
    /// let ctx = go_context::with_value(&go_context::background(), &USER, "gopher");
    /// let ctx = go_context::with_value(&ctx, &USER, "ferris"); // shadows
    /// assert_eq!(ctx.value(&USER), Some(&"ferris"));
    /// assert_eq!(ctx.value(&LANG), None);
    /// ```
    pub fn value<T: 'static>(&self, key: &'static Key<T>) -> Option<&T> {
        // A plain loop, not `links().find_map`: this walk is the whole cost
        // of a lookup, and the loop compiles to fewer instructions per link.
        let mut chain = &self.chain;
        while let Some(node) = chain.node() {
            if let Node::Value(link) = node
                && let Some(value) = link.value(key)
            {
                return Some(value);
            }
            chain = node.parent();
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
    /// let (ctx, _cancel) = go_context::with_timeout(&go_context::background(), Duration::from_millis(5));
    /// assert_eq!(ctx.wait(), go_context::Error::DeadlineExceeded);
    /// ```
    pub fn wait(&self) -> Error {
        match self.cancel_layer() {
            Some(layer) => layer
                .canceler
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
    /// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    /// assert_eq!(ctx.wait_timeout(Duration::from_millis(1)), None);
    /// cancel.cancel();
    /// assert_eq!(ctx.wait_timeout(Duration::from_secs(1)), Some(go_context::Error::Canceled));
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
    /// let ctx = go_context::background();
    /// assert_eq!(ctx.wait_deadline(Instant::now() + Duration::from_millis(1)), None);
    /// ```
    pub fn wait_deadline(&self, deadline: Instant) -> Option<Error> {
        match self.cancel_layer() {
            Some(layer) => layer.canceler.wait_until(Some(deadline)),
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
    /// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    /// let mut done = pin!(ctx.wait_async());
    /// let mut cx = TaskContext::from_waker(Waker::noop());
    /// assert!(done.as_mut().poll(&mut cx).is_pending());
    /// cancel.cancel();
    /// assert_eq!(done.poll(&mut cx), Poll::Ready(go_context::Error::Canceled));
    /// ```
    pub fn wait_async(&self) -> WaitAsync {
        WaitAsync::new(self.chain.reports_to_arc())
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
/// static TRACE_ID: go_context::Key<u64> = go_context::Key::new("trace_id");
///
/// let ctx = go_context::with_value(&go_context::background(), &TRACE_ID, 42);
/// assert_eq!(ctx.value(&TRACE_ID), Some(&42));
/// assert_eq!(ctx.to_string(), "context.Background.WithValue(trace_id, 42)");
/// ```
pub fn with_value<T>(parent: &Context, key: &'static Key<T>, value: T) -> Context
where
    T: Any + Send + Sync + fmt::Debug,
{
    Context {
        chain: ValueLink::derive(&parent.chain, key.id(), value),
    }
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
/// static USER: go_context::Key<&str> = go_context::Key::new("user");
///
/// let (parent, cancel) = go_context::with_cancel(&go_context::background());
/// let parent = go_context::with_value(&parent, &USER, "gopher");
/// let detached = go_context::without_cancel(&parent);
/// cancel.cancel();
/// assert!(parent.is_done());
/// assert!(!detached.is_done());
/// assert_eq!(detached.value(&USER), Some(&"gopher"));
/// ```
pub fn without_cancel(parent: &Context) -> Context {
    Context::from_link(Arc::new(Link::new(
        parent.chain.clone(),
        Layer::WithoutCancel,
    )))
}

/// Shows the chain from the root, like Go's `String()`:
/// `context.Background.WithCancel.WithValue(request_id, 42)`.
///
/// A deadline shows as the time left (`WithDeadline(in 1.5s)`) or passed
/// (`WithDeadline(2ms ago)`); a value as its key's name and the value's
/// `Debug` form.
impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Root first, without recursion: a chain may be a million links long.
        let links: Vec<Node<'_>> = self.chain.links().collect();
        f.write_str(if self.chain.is_todo() {
            "context.TODO"
        } else {
            "context.Background"
        })?;
        links
            .into_iter()
            .rev()
            .try_for_each(|link| fmt_link(link, f))
    }
}

/// One link's part of the `Display` form.
fn fmt_link(node: Node<'_>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let link = match node {
        Node::Link(link) => link,
        Node::Value(value) => {
            write!(f, ".WithValue({}, ", value.header().key.name())?;
            value.fmt_value(f)?;
            return f.write_str(")");
        }
    };
    match link.layer() {
        Layer::Cancel(cancel) => match cancel.deadline {
            Some(deadline) if cancel.canceler.has_own_deadline() => {
                let now = Instant::now();
                match deadline.checked_duration_since(now) {
                    Some(left) => write!(f, ".WithDeadline(in {left:?})"),
                    None => write!(f, ".WithDeadline({:?} ago)", now - deadline),
                }
            }
            _ => f.write_str(".WithCancel"),
        },
        Layer::WithoutCancel => f.write_str(".WithoutCancel"),
        Layer::Todo => Ok(()), // the root, printed first
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
