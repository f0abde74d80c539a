//! The same core over shuttle's primitives and `go_context::shuttle`, for the
//! workspace's randomized checks of configurations too large for loom.
//!
//! Every item behaves as its namesake at the crate root, but must be used
//! inside a shuttle test; tasks started by `go` are shuttle threads. Not
//! here: `WaitGroup::go_scoped`. Shuttle has no clock, so
//! `WaitGroup::wait_timeout` only returns once the counter is zero (or a
//! deadline that has already passed when it looks).

use crate::sync::shuttle_prims as sync;
use go_context::shuttle as ctx_impl;

// The same files as `threads`, over other primitives: that is the point. The
// shared docs link `go_scoped`, which this copy (no scoped threads) lacks.
#[allow(clippy::duplicate_mod, rustdoc::broken_intra_doc_links)]
#[path = "concurrent/mod.rs"]
mod concurrent;

pub use self::concurrent::*;
