//! Auto traits of every public type, in one table.

use std::panic::{RefUnwindSafe, UnwindSafe};

use go_waitgroup::WaitGroup;
use go_waitgroup::errgroup::Group;

fn send_sync<T: Send + Sync>() {}
fn unpin<T: Unpin>() {}
fn unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}

#[test]
fn public_types() {
    send_sync::<WaitGroup>();
    unpin::<WaitGroup>();
    unwind_safe::<WaitGroup>();

    // A group is shareable whenever its error type can cross threads; it
    // need not be `Sync` itself.
    send_sync::<Group<String>>();
    send_sync::<Group<std::cell::Cell<u8>>>();
    unpin::<Group<String>>();
}

#[cfg(feature = "loom")]
#[test]
fn loom_instance_types() {
    send_sync::<go_waitgroup::loom::WaitGroup>();
    send_sync::<go_waitgroup::loom::errgroup::Group<String>>();
}
