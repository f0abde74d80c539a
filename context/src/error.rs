//! Why a context is done: Go's `context.Canceled` and `context.DeadlineExceeded`.

use std::fmt;
use std::sync::Arc;

/// The error a done context reports, Go's `ctx.Err()`.
///
/// A context's error is `None` until it is done, and then one of these two
/// values forever.
///
/// # Examples
///
/// ```
/// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
/// assert_eq!(ctx.err(), None);
/// cancel.cancel();
/// assert_eq!(ctx.err(), Some(go_context::Error::Canceled));
/// assert_eq!(ctx.err().unwrap().to_string(), "context canceled");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Error {
    /// The context was canceled: its cancel handle was called or dropped, or
    /// an ancestor was canceled. Go's `context.Canceled`.
    Canceled,
    /// The context's deadline passed. Go's `context.DeadlineExceeded`.
    DeadlineExceeded,
}

impl Error {
    /// Whether this error is a timeout, as Go's `DeadlineExceeded.Timeout()`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(go_context::Error::DeadlineExceeded.is_timeout());
    /// assert!(!go_context::Error::Canceled.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::DeadlineExceeded)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::Canceled => "context canceled",
            Error::DeadlineExceeded => "context deadline exceeded",
        })
    }
}

impl std::error::Error for Error {}

/// Go's `DeadlineExceeded` is a `net.Error`; in Rust it becomes an I/O error
/// of kind [`TimedOut`](std::io::ErrorKind::TimedOut), and `Canceled` one of
/// kind [`Interrupted`](std::io::ErrorKind::Interrupted).
///
/// # Examples
///
/// ```
/// let io: std::io::Error = go_context::Error::DeadlineExceeded.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
/// ```
impl From<Error> for std::io::Error {
    fn from(err: Error) -> Self {
        let kind = match err {
            Error::Canceled => std::io::ErrorKind::Interrupted,
            Error::DeadlineExceeded => std::io::ErrorKind::TimedOut,
        };
        std::io::Error::new(kind, err)
    }
}

/// Why a context was canceled, in more detail than [`Error`]: Go's
/// `context.Cause`.
///
/// Any error type can be a cause; it is shared, so reading it never copies it.
/// Find the concrete type with
/// [`downcast_ref`](https://doc.rust-lang.org/std/error/trait.Error.html#method.downcast_ref).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// #[derive(Debug)]
/// struct Shutdown;
/// impl std::fmt::Display for Shutdown {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("server shutting down")
///     }
/// }
/// impl std::error::Error for Shutdown {}
///
/// let (ctx, cancel) = go_context::with_cancel_cause(&go_context::background());
/// cancel.cancel(Some(Arc::new(Shutdown)));
/// let cause: go_context::Cause = ctx.cause().unwrap();
/// assert!(cause.downcast_ref::<Shutdown>().is_some());
/// ```
pub type Cause = Arc<dyn std::error::Error + Send + Sync + 'static>;
