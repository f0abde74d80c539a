//! Exercise: break the mailbox's twin, and read loom's report (the model
//! checking part).
//!
//! `Twin` below is a copy of the textbook mailbox in `src/mailbox.rs`, and
//! passes the model as it stands. Make it a *broken twin*: change one memory
//! ordering, and nothing else, so that a thread can see the flag up and still
//! read the old value. The test `the_twin_is_caught` expects loom to reject
//! it with the model's message; `the_twin_works_on_one_thread` checks that
//! the twin is wrong only between threads, as a real bug would be.
//!
//! Run it, and read loom's report of the failing execution:
//!
//! ```console
//! $ cargo test -p book-exercises --features loom,starter --test mailbox_twin -- --nocapture
//! ```
//!
//! Then ask: which load returned an old value, and why was loom allowed to
//! return it? In Go, with `sync/atomic`, could this twin be written at all?

use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::mailbox::Mailbox;

/// The twin: for now, the textbook mailbox, unbroken.
#[derive(Debug, Default)]
pub struct Twin {
    value: AtomicU64,
    ready: AtomicBool,
}

impl Mailbox for Twin {
    fn publish(&self, value: u64) {
        self.value.store(value, Ordering::Relaxed);
        self.ready.store(true, Ordering::Release);
    }

    fn read(&self) -> Option<u64> {
        if self.ready.load(Ordering::Acquire) {
            Some(self.value.load(Ordering::Relaxed))
        } else {
            None
        }
    }
}
