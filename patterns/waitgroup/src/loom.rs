//! The same core over loom's primitives and `go_context::loom`, for the
//! workspace's loom models.
//!
//! Every item behaves as its namesake at the crate root, but must be used
//! inside `loom::model`; tasks started by `go` are loom threads. Not here:
//! `WaitGroup::go_scoped` (loom has no scoped threads). Loom has no clock, so
//! `WaitGroup::wait_timeout` only returns once the counter is zero (or a
//! deadline that has already passed when it looks); models should not use it.

use crate::sync::loom_prims as sync;
use go_context::loom as ctx_impl;

// The same files as `threads`, over other primitives: that is the point. The
// shared docs link `go_scoped`, which this copy (no scoped threads) lacks.
#[allow(clippy::duplicate_mod, rustdoc::broken_intra_doc_links)]
#[path = "concurrent/mod.rs"]
mod concurrent;

pub use self::concurrent::*;
