//! The one place this crate takes its synchronisation primitives from.
//!
//! The crate's concurrent core is compiled twice (see `lib.rs`): once over
//! [`std_prims`], which is what users run, and, under the `loom` cargo feature,
//! once more over [`loom_prims`], which is what the loom models check. Both
//! halves expose the same names with the same signatures, so the core's source
//! is identical in both instances. Differences between std and loom are
//! smoothed over here, never at call sites.

mod locks;

/// Primitives for the instance users run.
pub(crate) mod std_prims {
    use std::io;

    pub(crate) use std::sync::Arc;
    pub(crate) use std::sync::atomic::{AtomicU64, Ordering};

    /// std's `Arc` in both instances: `std::task::Wake` and `go_context::Cause`
    /// are defined over it, whatever the other primitives are.
    pub(crate) use std::sync::Arc as StdArc;

    pub(crate) use super::locks::std_locks::{Condvar, Mutex, MutexGuard};

    /// Starts a detached thread: a goroutine.
    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(f: F) -> io::Result<()> {
        std::thread::Builder::new().spawn(f).map(drop)
    }
}

/// Primitives for the model-checked instance: loom's, behind the same names.
#[cfg(feature = "loom")]
pub(crate) mod loom_prims {
    use std::io;

    pub(crate) use loom::sync::Arc;
    pub(crate) use loom::sync::atomic::{AtomicU64, Ordering};

    pub(crate) use std::sync::Arc as StdArc;

    pub(crate) use super::locks::loom_locks::{Condvar, Mutex, MutexGuard};

    /// Starts a model thread. Loom joins every thread before an execution
    /// ends, so no handle is kept; loom cannot fail to start one.
    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(f: F) -> io::Result<()> {
        loom::thread::spawn(f);
        Ok(())
    }
}

/// Primitives for the randomly scheduled instance: shuttle's, behind the
/// same names.
#[cfg(feature = "shuttle")]
pub(crate) mod shuttle_prims {
    use std::io;

    pub(crate) use shuttle::sync::Arc;
    pub(crate) use shuttle::sync::atomic::{AtomicU64, Ordering};

    pub(crate) use std::sync::Arc as StdArc;

    pub(crate) use super::locks::shuttle_locks::{Condvar, Mutex, MutexGuard};

    /// Starts a shuttle thread. Shuttle runs every thread before an execution
    /// ends, so no handle is kept; shuttle cannot fail to start one.
    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(f: F) -> io::Result<()> {
        shuttle::thread::spawn(f);
        Ok(())
    }
}
