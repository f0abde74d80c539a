//! The one place this crate takes its synchronisation primitives from.
//!
//! The crate's own synchronisation (the sender slot, the closed state and the
//! blocking waits) is compiled twice (see `lib.rs`): once over [`std_prims`],
//! which is what users run, and, under the `loom` cargo feature, once more
//! over [`loom_prims`], which is what the loom models check. Both halves
//! expose the same names with the same signatures. The channel itself is
//! crossbeam's in both instances: loom cannot see inside it, so the core never
//! blocks on it.

mod locks;

/// Primitives for the instance users run.
pub(crate) mod std_prims {
    pub(crate) use std::sync::Arc;
    pub(crate) use std::sync::atomic::{AtomicU8, Ordering};

    pub(crate) use super::locks::std_locks::{Condvar, Mutex};
}

/// Primitives for the model-checked instance: loom's, behind the same names.
#[cfg(feature = "loom")]
pub(crate) mod loom_prims {
    pub(crate) use loom::sync::Arc;
    pub(crate) use loom::sync::atomic::{AtomicU8, Ordering};

    pub(crate) use super::locks::loom_locks::{Condvar, Mutex};
}

/// Primitives for the randomly scheduled instance: shuttle's, behind the
/// same names.
#[cfg(feature = "shuttle")]
pub(crate) mod shuttle_prims {
    pub(crate) use shuttle::sync::Arc;
    pub(crate) use shuttle::sync::atomic::{AtomicU8, Ordering};

    pub(crate) use super::locks::shuttle_locks::{Condvar, Mutex};
}
