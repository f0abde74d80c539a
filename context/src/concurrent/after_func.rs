//! `after_func`: run a callback on its own thread once a context is done.

use std::fmt;

use super::canceler::Registration;
use super::context::Context;
use super::sync::{Arc, spawn};

/// Arranges for `f` to run on a new thread after `ctx` is done, Go's
/// `context.AfterFunc(ctx, f)`.
///
/// If `ctx` is already done, `f` starts at once (still on its own thread).
/// Canceling never waits for `f`. Each registration is independent. On a
/// context that can never be canceled, `f` never runs.
///
/// The returned [`AfterFunc`] can [`stop`](AfterFunc::stop) the link.
/// Dropping it does not: like Go's ignored `stop`, `f` still runs on cancel.
/// The link holds `ctx`, so `f` waits as long as either the link or a
/// context of `ctx`'s line is alive; once every one of them is gone and `ctx`
/// was never canceled, nothing is left to cancel it and `f` is dropped
/// unrun (Go's garbage collector would keep `ctx` for an ancestor's cancel).
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
/// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
/// let (tx, rx) = mpsc::channel();
/// let _stop = go_context::after_func(&ctx, move || tx.send("cleaned up").unwrap());
/// cancel.cancel();
/// assert_eq!(rx.recv().unwrap(), "cleaned up");
/// ```
pub fn after_func<F>(ctx: &Context, f: F) -> AfterFunc
where
    F: FnOnce() + Send + 'static,
{
    let registration = Arc::new(Registration::new(Box::new(f)));
    if let Some(layer) = ctx.chain().cancel_layer()
        && layer.canceler.add_after_func(&registration).is_err()
    {
        // Already done: start f at once, still on its own thread.
        if let Some(f) = registration.take() {
            spawn("context-after-func", f).expect("context: failed to start an after_func thread");
        }
    }
    AfterFunc {
        ctx: ctx.clone(),
        registration,
    }
}

/// The link made by [`after_func`], Go's `stop` function.
///
/// # Examples
///
/// ```
/// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
/// let link = go_context::after_func(&ctx, || unreachable!("stopped before cancel"));
/// assert!(link.stop());
/// cancel.cancel();
/// ```
pub struct AfterFunc {
    /// Keeps the context, and so the registration, alive while the link is.
    ctx: Context,
    registration: Arc<Registration>,
}

impl AfterFunc {
    /// Breaks the link so that `f` will not run. Returns `true` if this call
    /// prevented `f` from running; `false` if `f` has already been started or
    /// the link was already stopped. It never waits for `f`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    /// let link = go_context::after_func(&ctx, || {});
    /// cancel.cancel();
    /// assert!(!link.stop()); // f was already started
    /// ```
    pub fn stop(&self) -> bool {
        // The callback is taken under its own lock, by this call or by the
        // cancel, never both: exactly one of them decides.
        let Some(f) = self.registration.take() else {
            return false;
        };
        drop(f);
        if let Some(layer) = self.ctx.chain().cancel_layer() {
            drop(layer.canceler.remove_after_func(&self.registration));
        }
        true
    }
}

impl fmt::Debug for AfterFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AfterFunc").finish_non_exhaustive()
    }
}
