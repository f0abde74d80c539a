//! The future returned by `Context::wait_async`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use super::link::Link;
use super::sync::Arc;
use crate::error::Error;

/// A future that completes with a context's error once it is done; see
/// [`Context::wait_async`](crate::Context::wait_async).
///
/// It only uses the `Waker` it is polled with, so it runs on any executor. It
/// holds no borrow of the context and is `Send + 'static`. Dropping it before
/// completion withdraws its registration.
///
/// # Cancellation safety
///
/// Dropping it loses nothing: a new future built later still completes.
///
/// # Examples
///
/// ```
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context as TaskContext, Poll, Waker};
///
/// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
/// cancel.cancel();
/// let mut fut = pin!(ctx.wait_async());
/// let mut cx = TaskContext::from_waker(Waker::noop());
/// assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(go_context::Error::Canceled));
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct WaitAsync {
    /// The cancelable link the context reports, held like a context.
    link: Option<Arc<Link>>,
    /// Our waker's slot in the node, once registered.
    slot: Option<usize>,
}

impl WaitAsync {
    pub(crate) fn new(link: Option<Arc<Link>>) -> Self {
        Self { link, slot: None }
    }
}

impl Future for WaitAsync {
    type Output = Error;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Error> {
        let this = self.get_mut();
        let Some(layer) = this.link.as_ref().and_then(|link| link.cancel_layer()) else {
            return Poll::Pending; // never canceled: Go's receive from nil
        };
        match layer.canceler.poll_register(cx.waker(), &mut this.slot) {
            Some(err) => {
                this.slot = None;
                Poll::Ready(err)
            }
            None => Poll::Pending,
        }
    }
}

impl Drop for WaitAsync {
    fn drop(&mut self) {
        if let (Some(slot), Some(link)) = (self.slot, self.link.as_ref())
            && let Some(layer) = link.cancel_layer()
        {
            layer.canceler.unregister_waker(slot);
        }
    }
}

impl fmt::Debug for WaitAsync {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitAsync")
            .field("registered", &self.slot.is_some())
            .finish()
    }
}
