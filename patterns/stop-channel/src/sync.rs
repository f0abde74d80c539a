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
    use std::sync::PoisonError;
    use std::time::Duration;

    pub(crate) use shuttle::sync::Arc;
    pub(crate) use shuttle::sync::atomic::{AtomicU8, Ordering};

    #[derive(Debug)]
    pub(crate) struct Mutex<T>(shuttle::sync::Mutex<T>);

    pub(crate) type MutexGuard<'a, T> = shuttle::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(shuttle::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }
    }

    #[derive(Debug)]
    pub(crate) struct Condvar(shuttle::sync::Condvar);

    impl Condvar {
        pub(crate) fn new() -> Self {
            Self(shuttle::sync::Condvar::new())
        }

        pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(guard).unwrap_or_else(PoisonError::into_inner)
        }

        /// Shuttle has no clock: this waits like [`Condvar::wait`] (shuttle's own
        /// `wait_timeout` never times out either).
        pub(crate) fn wait_timeout<'a, T>(
            &self,
            guard: MutexGuard<'a, T>,
            _timeout: Duration,
        ) -> MutexGuard<'a, T> {
            self.wait(guard)
        }

        pub(crate) fn notify_all(&self) {
            self.0.notify_all();
        }
    }
}
