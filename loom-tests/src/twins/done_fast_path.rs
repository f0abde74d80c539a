//! Twin of the done-channel model: `done()` decides on a stale state.
//!
//! **The bug.** `done()` creates its channel lazily and keeps the sender
//! only while the context is open. It reads that state with a lock-free
//! load *before* taking the lock, as a fast path, and does not read it again
//! under the lock.
//!
//! **The interleaving.** `done()` loads "open" and is preempted; the cancel
//! runs, finds no channel to close, and returns; `done()` then creates the
//! channel and keeps its sender. Nobody will ever drop that sender: the
//! channel of a canceled context stays open, and a `select!` on it blocks
//! forever.
//!
//! **Caught by** `done_channel_created_during_cancel_closes`: "a done()
//! channel created during the cancel never closes".

use loom::sync::atomic::Ordering;

use super::textbook::{Done, Node, Steps, decode, done_channel};

/// The textbook context whose [`Steps::done`] checks the state before
/// taking the lock.
#[derive(Debug)]
pub struct DoneFastPath;

impl Steps for DoneFastPath {
    fn done(node: &Node) -> Done {
        let open = decode(node.err.load(Ordering::Acquire)).is_none();
        let mut inner = node.lock(); // BUG: `open` may be stale by now
        if let Some(rx) = &inner.done_rx {
            return rx.clone();
        }
        let (tx, rx) = done_channel();
        if open {
            inner.done_tx = Some(tx);
        }
        inner.done_rx = Some(rx.clone());
        rx
    }
}
