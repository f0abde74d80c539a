//! The concurrent core: everything that shares state between threads. It is
//! compiled twice (see `threads.rs` and `loom.rs`), each time over the
//! primitives its parent calls `sync`.
//!
//! The modules, read top to bottom: each depends only on the ones after it.

use super::sync;

// Test hooks: fire deadlines, count registrations. Only for those who ask
// (the `test-util` feature), as they reach process-wide state.
#[cfg(feature = "test-util")]
pub mod testing;
// `with_deadline`, `with_timeout`: cancelable links with a timer.
pub(crate) mod deadline;
// `after_func`: callbacks registered with a cancelable link.
pub(crate) mod after_func;
// `with_cancel` and the cancel handles.
pub(crate) mod cancel;
// The `Context` handle: roots, values, reading and waiting.
pub(crate) mod context;
// The `wait_async` future.
pub(crate) mod wait;
// The chain of links behind every context: one tagged pointer.
#[allow(unsafe_code)]
mod link;
// `with_value`'s links, the value in place, its type erased.
#[allow(unsafe_code)]
mod value;
// How a cancel reaches every descendant.
mod tree;
// One node of the cancellation tree.
mod canceler;
// Threads blocked on a node, woken by relay.
mod sleeper;
// The deadline queue and its thread, which know nothing of contexts (the
// wheel each shard keeps is `crate::wheel`, which knows no threads either).
mod timer;

pub use self::after_func::{AfterFunc, after_func};
pub use self::cancel::{CancelCauseFunc, CancelFunc, with_cancel, with_cancel_cause};
pub use self::context::{Context, background, todo, with_value, without_cancel};
pub use self::deadline::{with_deadline, with_deadline_cause, with_timeout, with_timeout_cause};
pub use self::wait::WaitAsync;
