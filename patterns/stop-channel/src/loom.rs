//! The same pair over loom's primitives, for the workspace's loom models.
//!
//! Every item behaves as its namesake at the crate root, but must be used
//! inside `loom::model`. The channel is still crossbeam's, which loom cannot
//! see: inside a model, watch with `is_closed`, `wait` or a non-blocking
//! `try_recv`, never with a blocking `recv` or `select!` without `default`.
//! Loom has no clock, so `wait_timeout` only returns once closed (or if the
//! timeout has already passed when it looks).

use crate::sync::loom_prims as sync;

// The same files as `threads`, over other primitives: that is the point.
#[allow(clippy::duplicate_mod)]
#[path = "concurrent/mod.rs"]
mod concurrent;

pub use self::concurrent::*;
