//! The textbook of the model-checking exercise: a one-value mailbox, and the
//! loom model it must pass.
//!
//! One thread puts a value in the mailbox and raises a flag; another reads
//! the flag and, if it is up, the value. It is the smallest case of what a
//! context does when a cancel stores its error and then marks itself done,
//! and of what a wait group's last `done` does for the waiter: publish data,
//! then a flag, so that whoever sees the flag sees the data.
//!
//! In Go, with `sync/atomic`, this is always right, because Go's atomics are
//! sequentially consistent. In Rust each operation names its ordering, and
//! the pair that makes it right is a `Release` store of the flag and an
//! `Acquire` load of it. The exercise (`mailbox_twin`) is to break that pair
//! and read loom's report.

use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A mailbox that holds one value, published once.
pub trait Mailbox: Default + Send + Sync + 'static {
    /// Puts `value` in the mailbox and raises the flag.
    fn publish(&self, value: u64);
    /// The value, if the flag is up.
    fn read(&self) -> Option<u64>;
}

// ANCHOR: textbook
/// The textbook mailbox: the value, and a flag that publishes it.
#[derive(Debug, Default)]
pub struct Textbook {
    value: AtomicU64,
    ready: AtomicBool,
}

impl Mailbox for Textbook {
    fn publish(&self, value: u64) {
        self.value.store(value, Ordering::Relaxed);
        // Release: the value's store above is visible to whoever reads
        // `ready` as true with Acquire (in `read`).
        self.ready.store(true, Ordering::Release);
    }

    fn read(&self) -> Option<u64> {
        // Acquire: pairs with the Release store in `publish`.
        if self.ready.load(Ordering::Acquire) {
            Some(self.value.load(Ordering::Relaxed))
        } else {
            None
        }
    }
}
// ANCHOR_END: textbook

/// The assertion the model makes; a twin that breaks the mailbox fails with
/// this message.
pub const SEEN_FLAG_NOT_VALUE: &str = "read the flag but not the value";

/// The model: one thread publishes 42 while the main thread reads; whenever
/// the read sees the flag, it must see 42. loom runs it in every
/// interleaving, and lets each load return any value the memory model
/// allows.
// ANCHOR: model
pub fn model<M: Mailbox>() {
    loom::model(|| {
        let mailbox = loom::sync::Arc::new(M::default());
        let publisher = {
            let mailbox = loom::sync::Arc::clone(&mailbox);
            loom::thread::spawn(move || mailbox.publish(42))
        };
        if let Some(value) = mailbox.read() {
            assert_eq!(value, 42, "{SEEN_FLAG_NOT_VALUE}");
        }
        publisher.join().unwrap();
    });
}
// ANCHOR_END: model

/// The same mailbox on one thread: publish, then read. A twin must still
/// pass this: it may only be wrong between threads.
pub fn one_thread<M: Mailbox>() {
    loom::model(|| {
        let mailbox = M::default();
        assert_eq!(mailbox.read(), None);
        mailbox.publish(42);
        assert_eq!(mailbox.read(), Some(42));
    });
}
