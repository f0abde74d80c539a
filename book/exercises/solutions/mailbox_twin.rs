//! A solution: the mailbox's broken twin (the model checking part).
//!
//! The exercise is in `src/mailbox_twin.rs`.
//!
//! The flag is raised with `Relaxed` instead of `Release`. Nothing then
//! orders the value's store before the flag's, as the reader sees them:
//! loom lets the reader load `ready` as true and still load `value` as its
//! initial 0, and the model's assertion fails. (Making the reader's load
//! `Relaxed` instead breaks it the same way.) Go's `sync/atomic` has no
//! such choice: every atomic operation is sequentially consistent, so the
//! twin cannot be written there.

use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::mailbox::Mailbox;

/// The twin: the flag raised without `Release`.
#[derive(Debug, Default)]
pub struct Twin {
    value: AtomicU64,
    ready: AtomicBool,
}

impl Mailbox for Twin {
    fn publish(&self, value: u64) {
        self.value.store(value, Ordering::Relaxed);
        self.ready.store(true, Ordering::Relaxed); // the broken step: was Release
    }

    fn read(&self) -> Option<u64> {
        if self.ready.load(Ordering::Acquire) {
            Some(self.value.load(Ordering::Relaxed))
        } else {
            None
        }
    }
}
