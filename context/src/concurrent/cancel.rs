//! `with_cancel` and the handles that cancel: Go's `CancelFunc` and
//! `CancelCauseFunc`, which here also cancel when dropped.

use std::fmt;
use std::time::Instant;

use super::context::Context;
use super::link::Link;
use super::sync::Arc;
use super::tree;
use crate::error::{Cause, Error};

/// Derives a cancelable child of `parent`, Go's `context.WithCancel(parent)`.
///
/// The child is done when `cancel` is called or dropped, or when `parent` is
/// done, whichever happens first. If `parent` is already done the child is
/// born done, with the parent's error and cause.
///
/// The child reports the parent's deadline and values.
///
/// # Examples
///
/// ```
/// let (parent, cancel_parent) = go_context::with_cancel(&go_context::background());
/// let (child, _cancel_child) = go_context::with_cancel(&parent);
/// assert_eq!(child.to_string(), "context.Background.WithCancel.WithCancel");
///
/// cancel_parent.cancel(); // cancels the whole subtree before returning
/// assert_eq!(child.err(), Some(go_context::Error::Canceled));
/// ```
pub fn with_cancel(parent: &Context) -> (Context, CancelFunc) {
    let link = derive(parent, None, None);
    CancelFunc::pair(link)
}

/// Like [`with_cancel`], but the handle records a cause, Go's
/// `context.WithCancelCause(parent)`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// let (ctx, cancel) = go_context::with_cancel_cause(&go_context::background());
/// cancel.cancel(Some(Arc::new(std::io::Error::other("upstream gone"))));
/// assert_eq!(ctx.err(), Some(go_context::Error::Canceled));
/// assert_eq!(ctx.cause().unwrap().to_string(), "upstream gone");
/// ```
pub fn with_cancel_cause(parent: &Context) -> (Context, CancelCauseFunc) {
    let (ctx, cancel) = with_cancel(parent);
    (ctx, CancelCauseFunc { inner: cancel })
}

/// Builds a cancelable link below `parent` and registers it with the
/// nearest cancelable ancestor (or makes it born done, if that is done).
/// It reports `own_deadline` if given, else its parent's deadline;
/// `deadline_cause` is the cause to report if its own deadline passes
/// (borrowed: an owned one, dropped on some paths, would keep even
/// `with_cancel`'s `None` in memory rather than in a register).
#[inline]
pub(crate) fn derive(
    parent: &Context,
    own_deadline: Option<Instant>,
    deadline_cause: Option<&Cause>,
) -> Arc<Link> {
    let own = own_deadline.is_some();
    let Some(ancestor) = parent.chain().cancel_layer() else {
        return Link::cancelable(parent.chain(), own_deadline, own, deadline_cause.cloned());
    };
    let deadline = own_deadline.or(ancestor.deadline);
    if let Some(outcome) = ancestor.canceler.outcome() {
        // Done for good: the child is born done, with nothing to register or
        // lock. (A cancel racing with this check is caught by `register`.)
        return Link::born_done(parent.chain(), deadline, own, outcome);
    }
    let link = Link::cancelable(parent.chain(), deadline, own, deadline_cause.cloned());
    tree::register(&ancestor.canceler, &link);
    link
}

/// Cancels a context, Go's `CancelFunc`; dropping it cancels too.
///
/// Calling [`cancel`](CancelFunc::cancel) cancels the context and everything
/// derived from it, removes it from its parent and stops its timer. Every
/// descendant is done before `cancel` returns; it does not wait for the work
/// watching those contexts to stop. Calls after the first do nothing.
///
/// # Cancel on drop
///
/// Go asks for `defer cancel()` after every `WithCancel`, `WithDeadline` and
/// `WithTimeout`, because a forgotten cancel keeps the child (and its timer)
/// alive until the parent is canceled. Here the handle does it when it goes
/// out of scope, so the leak cannot happen by accident. To let a context
/// outlive its handle on purpose (Go's behaviour when cancel is never called),
/// call [`disarm`](CancelFunc::disarm): the context then lives until its
/// parent is canceled or its deadline passes.
///
/// The handle is `Send + Sync`: share it by reference, or in an `Arc`, to let
/// several threads cancel.
///
/// # Examples
///
/// ```
/// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
/// {
///     let _cancel = cancel; // Go's `defer cancel()`
///     assert!(!ctx.is_done());
/// }
/// assert!(ctx.is_done());
/// ```
#[must_use = "dropping the handle cancels the context at once; bind it to a variable"]
pub struct CancelFunc {
    /// The context to cancel; `None` once [`CancelFunc::disarm`] is called,
    /// or from the start for a context born done with its subtree: canceling
    /// that can change nothing, so the handle need not hold it.
    link: Option<Arc<Link>>,
}

impl CancelFunc {
    /// The context of a new link and the handle that cancels it.
    pub(crate) fn pair(link: Arc<Link>) -> (Context, Self) {
        let settled = link
            .cancel_layer()
            .is_some_and(|layer| layer.canceler.is_settled());
        // Born done, as every child of a done parent is: nothing to hold.
        let handle = (!settled).then(|| link.clone());
        (Context::from_link(link), Self { link: handle })
    }

    /// Cancels the context with [`Error::Canceled`] and no cause.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    /// cancel.cancel();
    /// cancel.cancel(); // no effect
    /// assert_eq!(ctx.err(), Some(go_context::Error::Canceled));
    /// ```
    #[inline]
    pub fn cancel(&self) {
        self.cancel_with(None);
    }

    #[inline]
    fn cancel_with(&self, cause: Option<Cause>) {
        if let Some(link) = &self.link {
            tree::cancel(link, Error::Canceled, &cause);
        }
    }

    /// Drops the handle without canceling: the context stays live until its
    /// parent is canceled or its deadline passes.
    ///
    /// This is Go's behaviour when cancel is never called, with one
    /// difference: Go keeps the context registered with its parent until
    /// then even if nothing refers to it any more; here a context whose every
    /// handle and clone is gone leaves its parent and is freed at once.
    ///
    /// # Examples
    ///
    /// ```
    /// let (parent, cancel_parent) = go_context::with_cancel(&go_context::background());
    /// let (child, cancel_child) = go_context::with_cancel(&parent);
    /// cancel_child.disarm();
    /// assert!(!child.is_done());
    /// cancel_parent.cancel();
    /// assert!(child.is_done());
    /// ```
    pub fn disarm(mut self) {
        self.link = None;
    }
}

impl Drop for CancelFunc {
    #[inline]
    fn drop(&mut self) {
        if let Some(link) = &self.link {
            tree::cancel(link, Error::Canceled, &None);
        }
    }
}

impl CancelFunc {
    /// The `Debug` form shared by both handle types: state, not internals.
    ///
    /// A handle is armed until `disarm` consumes it, so every handle one can
    /// print is.
    fn debug_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let done = self.link.as_ref().is_none_or(|link| {
            link.cancel_layer()
                .is_some_and(|layer| layer.canceler.load_err().is_some())
        });
        f.debug_struct(name)
            .field("armed", &true)
            .field("done", &done)
            .finish()
    }
}

impl fmt::Debug for CancelFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.debug_as("CancelFunc", f)
    }
}

/// Cancels a context with a cause, Go's `CancelCauseFunc`; dropping it cancels
/// with no cause.
///
/// Everything said of [`CancelFunc`] holds.
///
/// # Examples
///
/// ```
/// let (ctx, cancel) = go_context::with_cancel_cause(&go_context::background());
/// cancel.cancel(None); // Go's cancel(nil): the cause is the error itself
/// let cause = ctx.cause().unwrap();
/// assert_eq!(cause.downcast_ref::<go_context::Error>(), Some(&go_context::Error::Canceled));
/// ```
#[must_use = "dropping the handle cancels the context at once; bind it to a variable"]
pub struct CancelCauseFunc {
    inner: CancelFunc,
}

impl CancelCauseFunc {
    /// Cancels the context with [`Error::Canceled`] and `cause`.
    ///
    /// If the context is already done this changes nothing: the first cancel
    /// wins, for the error and the cause alike. `None` is Go's `cancel(nil)`:
    /// [`Context::cause`] then reports [`Error::Canceled`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let (ctx, cancel) = go_context::with_cancel_cause(&go_context::background());
    /// cancel.cancel(Some(Arc::new(std::fmt::Error)));
    /// cancel.cancel(Some(Arc::new(std::io::Error::other("later")))); // ignored
    /// assert!(ctx.cause().unwrap().downcast_ref::<std::fmt::Error>().is_some());
    /// ```
    pub fn cancel(&self, cause: Option<Cause>) {
        self.inner.cancel_with(cause);
    }

    /// Drops the handle without canceling; see [`CancelFunc::disarm`].
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = go_context::with_cancel_cause(&go_context::background());
    /// cancel.disarm();
    /// assert!(!ctx.is_done());
    /// ```
    pub fn disarm(self) {
        self.inner.disarm();
    }
}

impl fmt::Debug for CancelCauseFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.debug_as("CancelCauseFunc", f)
    }
}
