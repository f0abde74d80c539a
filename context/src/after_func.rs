//! `after_func`: run a callback on its own thread once a context is done.

use std::fmt;

use super::context::{Context, Node};
use super::sync::Arc;
use super::tree::{self, CancelNode, Label};
use crate::error::Error;

/// Arranges for `f` to run on a new thread after `ctx` is done, Go's
/// `context.AfterFunc(ctx, f)`.
///
/// If `ctx` is already done, `f` starts at once (still on its own thread).
/// Canceling never waits for `f`. Each registration is independent. On a
/// context that can never be canceled, `f` never runs.
///
/// The returned [`AfterFunc`] can [`stop`](AfterFunc::stop) the link.
/// Dropping it does not: like Go's ignored `stop`, `f` still runs on cancel.
///
/// # Panics
///
/// The cancel that starts `f` panics if the operating system cannot create a
/// thread. A panic inside `f` ends only `f`'s own thread.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
///
/// let (ctx, cancel) = context::with_cancel(&context::background());
/// let (tx, rx) = mpsc::channel();
/// let _stop = context::after_func(&ctx, move || tx.send("cleaned up").unwrap());
/// cancel.cancel();
/// assert_eq!(rx.recv().unwrap(), "cleaned up");
/// ```
pub fn after_func<F>(ctx: &Context, f: F) -> AfterFunc
where
    F: FnOnce() + Send + 'static,
{
    let signal = ctx.signal_node().cloned();
    let node = Node::new_cancel(
        ctx,
        CancelNode::new(
            Label::AfterFunc,
            None,
            None,
            signal.clone(),
            Some(Box::new(f)),
        ),
    );
    if let Some(signal) = signal {
        tree::register(&signal, &node);
    }
    AfterFunc { node }
}

/// The link made by [`after_func`], Go's `stop` function.
///
/// # Examples
///
/// ```
/// let (ctx, cancel) = context::with_cancel(&context::background());
/// let link = context::after_func(&ctx, || unreachable!("stopped before cancel"));
/// assert!(link.stop());
/// cancel.cancel();
/// ```
pub struct AfterFunc {
    node: Arc<Node>,
}

impl AfterFunc {
    /// Breaks the link so that `f` will not run. Returns `true` if this call
    /// prevented `f` from running; `false` if `f` has already been started or
    /// the link was already stopped. It never waits for `f`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = context::with_cancel(&context::background());
    /// let link = context::after_func(&ctx, || {});
    /// cancel.cancel();
    /// assert!(!link.stop()); // f was already started
    /// ```
    pub fn stop(&self) -> bool {
        let Some(node) = self.node.cancel_node() else {
            return false;
        };
        // The callback is taken under the node's lock, by this call or by
        // the cancel, never both: exactly one of them decides.
        let Some(f) = node.take_after_func() else {
            return false;
        };
        drop(f);
        // Unregister from the parent; the callback is gone, so nothing runs.
        tree::cancel(&self.node, Error::Canceled, None);
        true
    }
}

impl fmt::Debug for AfterFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AfterFunc").finish_non_exhaustive()
    }
}
