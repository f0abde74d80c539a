//! Twin of the `wait_async` drop model: a future unregisters by position.
//!
//! **The bug.** A pending future remembers where its waker sits in the
//! node's list and, when dropped, removes that position, trusting it is
//! still there.
//!
//! **The interleaving.** The future registers at position 0. The cancel
//! drains the list to wake everyone. The future is dropped and removes
//! position 0 of an empty list: a panic in a destructor, on a path only a
//! drop racing a cancel reaches. (With more futures, it would remove
//! another future's waker instead: a lost wake-up.) The textbook gives each
//! future an id and removes by id, which finds nothing once drained; the
//! real crate checks its slab slot the same way.
//!
//! **Caught by** `wait_async_dropped_during_cancel`, with `Vec::remove`'s
//! own message: "removal index (is 0) should be < len (is 0)".

use std::task::{Context as TaskContext, Poll};

use super::textbook::{Node, Steps};
use crate::api::Error;

/// The textbook context whose futures keep a position in the waker list.
#[derive(Debug)]
pub struct StaleWakerSlot;

impl Steps for StaleWakerSlot {
    fn poll_wait(
        node: &Node,
        cx: &mut TaskContext<'_>,
        slot: &mut Option<usize>,
    ) -> Poll<Option<Error>> {
        let mut inner = node.lock();
        if let Some(err) = node.err_locked() {
            return Poll::Ready(Some(err));
        }
        match *slot {
            Some(at) => inner.wakers[at].1.clone_from(cx.waker()),
            None => {
                *slot = Some(inner.wakers.len());
                inner.wakers.push((0, cx.waker().clone()));
            }
        }
        Poll::Pending
    }

    fn unregister_waker(node: &Node, slot: usize) {
        node.lock().wakers.remove(slot); // BUG: the cancel may have drained the list
    }
}
