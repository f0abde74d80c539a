//! The same core over shuttle's primitives, for the workspace's randomized
//! checks of configurations too large for loom.
//!
//! Every item behaves as its namesake at the crate root, but must be used
//! inside a shuttle test (`shuttle::check_random` and its kin). As in the
//! loom instance, deadlines are measured on a logical clock that stands
//! still until a test moves it on ([`clock`]), and no thread fires them
//! unless a test starts one ([`clock::start_timer_thread`]).

use crate::sync::shuttle_prims as sync;

// The same files as `threads`, over other primitives: that is the point.
#[allow(clippy::duplicate_mod)]
#[path = "concurrent/mod.rs"]
mod concurrent;

pub use self::concurrent::*;

/// What `Context::done` returns here; see the type's docs.
pub use crate::sync::shuttle_prims::Receiver;
pub use crate::{Cause, Error, Key};

/// The logical clock deadlines are measured on here, and the timer thread
/// that fires them: what a test controls.
pub mod clock {
    pub use crate::sync::shuttle_prims::{advance, now, start_timer_thread, stop_timer_thread};
}

/// Go's `context.Cause(ctx)`; see [`Context::cause`].
pub fn cause(ctx: &Context) -> Option<Cause> {
    ctx.cause()
}
