//! The same core over loom's primitives, for the workspace's loom models.
//!
//! Every item behaves as its namesake at the crate root, but must be used
//! inside `loom::model`. Deadlines never fire on their own here (loom has no
//! clock): fire them with `loom::testing::expire`.

use crate::sync::loom_prims as sync;

// The same files as `threads`, over other primitives: that is the point.
#[allow(clippy::duplicate_mod)]
#[path = "concurrent/mod.rs"]
mod concurrent;

pub use self::concurrent::*;

/// What `Context::done` returns here; see the type's docs.
pub use crate::sync::loom_prims::Receiver;
pub use crate::{Cause, Error, Key};

/// Go's `context.Cause(ctx)`; see [`Context::cause`].
pub fn cause(ctx: &Context) -> Option<Cause> {
    ctx.cause()
}
