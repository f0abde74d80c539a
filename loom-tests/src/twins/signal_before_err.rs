//! Twin of model 4 (done ⇒ error): the done channel closed before the error
//! is stored.
//!
//! **The bug.** Publication signals first and records why second: close the
//! done channel, wake the waiters, and only then store the cause and the
//! error. All of it happens under the node's lock, which looks safe, but
//! the done channel and `err()`'s first load are read without that lock.
//!
//! **The interleaving.** The canceler closes the channel and is preempted
//! before storing the error. A `select!` on `done()` fires; the code then
//! asks `err()`, whose load still finds the context open: `None`, though
//! done was observed. (Blocked threads and futures are not affected: they
//! re-check under the lock, which the canceler still holds.)
//!
//! **Caught by** `done_seen_on_channel_implies_err`: "done observed but
//! err() is not Canceled".

use loom::sync::MutexGuard;
use loom::sync::atomic::Ordering;

use super::textbook::{Inner, Node, Steps, encode};
use crate::api::Error;

/// The textbook context whose [`Steps::publish`] signals before it stores.
#[derive(Debug)]
pub struct SignalBeforeErr;

impl Steps for SignalBeforeErr {
    fn publish<'a>(
        node: &'a Node,
        mut inner: MutexGuard<'a, Inner>,
        err: Error,
        cause: Option<&'static str>,
    ) -> MutexGuard<'a, Inner> {
        drop(inner.done_tx.take());
        node.waiters.notify_all();
        for (_, waker) in inner.wakers.drain(..) {
            waker.wake();
        }
        // BUG: done is already observable, the error not yet.
        inner.cause = cause;
        node.err.store(encode(err), Ordering::Release);
        inner
    }
}
