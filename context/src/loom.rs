//! The same core over loom's primitives, for the workspace's loom models.
//!
//! Every item behaves as its namesake at the crate root, but must be used
//! inside `loom::model`. Loom has no clock: deadlines are measured on a
//! logical one that stands still until a model moves it on ([`clock`]), and
//! no thread fires them unless a model starts one
//! ([`clock::start_timer_thread`]); `testing::expire` fires one at once.

use crate::sync::loom_prims as sync;

// The same files as `threads`, over other primitives: that is the point.
#[allow(clippy::duplicate_mod)]
#[path = "concurrent/mod.rs"]
mod concurrent;

pub use self::concurrent::*;

/// What `Context::done` returns here; see the type's docs.
pub use crate::sync::loom_prims::Receiver;
pub use crate::{Cause, Error, Key};

/// The logical clock deadlines are measured on here, and the timer thread
/// that fires them: what a model controls.
pub mod clock {
    pub use crate::sync::loom_prims::{advance, now, start_timer_thread, stop_timer_thread};
}

/// Go's `context.Cause(ctx)`; see [`Context::cause`].
pub fn cause(ctx: &Context) -> Option<Cause> {
    ctx.cause()
}
