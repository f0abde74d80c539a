//! Auto traits of every public type, in one table.

use std::panic::{RefUnwindSafe, UnwindSafe};

use go_stop_channel::{StopSignal, StopSource};

fn send_sync<T: Send + Sync>() {}
fn unpin<T: Unpin>() {}
fn unwind_safe<T: UnwindSafe + RefUnwindSafe>() {}

#[test]
fn public_types() {
    send_sync::<StopSource>();
    send_sync::<StopSignal>();
    unpin::<StopSource>();
    unpin::<StopSignal>();
    unwind_safe::<StopSource>();
    unwind_safe::<StopSignal>();
}

#[cfg(feature = "loom")]
#[test]
fn loom_instance_types() {
    send_sync::<go_stop_channel::loom::StopSource>();
    send_sync::<go_stop_channel::loom::StopSignal>();
}
