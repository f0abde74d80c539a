//! Twin of model 5: check, then sleep (or register) without the lock.
//!
//! **The bug.** `wait()` takes a fast path: if the context is done, return;
//! otherwise lock and sleep on the condition variable, without looking at
//! the state again. `wait_async()`'s poll does the same with its waker:
//! check, then lock and register.
//!
//! **The interleaving.** The waiter checks: open. The cancel runs
//! completely: it notifies the condition variable and drains the wakers,
//! but nobody is sleeping or registered yet. The waiter then sleeps (or
//! registers its waker) and waits for a wake-up that has already happened.
//! The textbook checks under the lock the canceler publishes under, so the
//! cancel lands either before the check or after the sleep.
//!
//! **Caught by** `cancel_wakes_blocked_wait` and
//! `cancel_wakes_blocked_wait_async`: "lost wake-up: the waiter still sleeps
//! after cancel returned"; `cancel_wakes_registered_waker`: "lost wake-up:
//! the future's waker was never woken".

use std::task::{Context as TaskContext, Poll};

use super::textbook::{Node, Steps};
use crate::api::Error;

/// The textbook context whose [`Steps::wait`] and [`Steps::poll_wait`]
/// check the state before taking the lock.
#[derive(Debug)]
pub struct LostWakeup;

impl Steps for LostWakeup {
    fn wait(node: &Node) -> Option<Error> {
        if let Some(err) = Self::err(node) {
            return Some(err);
        }
        let inner = node.lock(); // BUG: the cancel may have run since the check
        drop(node.waiters.wait(inner).unwrap());
        Self::err(node)
    }

    fn poll_wait(
        node: &Node,
        cx: &mut TaskContext<'_>,
        slot: &mut Option<usize>,
    ) -> Poll<Option<Error>> {
        if let Some(err) = Self::err(node) {
            return Poll::Ready(Some(err));
        }
        let mut inner = node.lock(); // BUG: the cancel may have run since the check
        let id = inner.next_waker;
        inner.next_waker += 1;
        inner.wakers.push((id, cx.waker().clone()));
        *slot = Some(id);
        Poll::Pending
    }
}
