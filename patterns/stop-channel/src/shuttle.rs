//! The same pair over shuttle's primitives, for the workspace's randomized
//! checks of configurations too large for loom.
//!
//! Every item behaves as its namesake at the crate root, but must be used
//! inside a shuttle test. The channel is still crossbeam's, which shuttle
//! cannot see: watch with `is_closed`, `wait` or a non-blocking `try_recv`.

use crate::sync::shuttle_prims as sync;

// The same files as `threads`, over other primitives: that is the point.
#[allow(clippy::duplicate_mod)]
#[path = "concurrent/mod.rs"]
mod concurrent;

pub use self::concurrent::*;
