//! Locks that ignore poisoning: parking_lot's for the instance users run,
//! loom's and shuttle's for the checked ones.
//!
//! Written once for the workspace: this file belongs to `go-context`, and
//! `go-waitgroup` and `go-stop-channel` include it through a symbolic link
//! at the same place (`src/sync/locks.rs`), so the three shims cannot drift
//! apart. Each crate uses a subset of the methods.
//!
//! Poisoning is ignored because none of these crates runs user code while it
//! holds one of its locks (wakers, callbacks and drops are deferred until
//! every lock is released), so a poisoned lock can only mean a panic inside
//! the crate between two consistent states, such as a misuse panic; carrying
//! on is the right answer. parking_lot's locks have no poisoning at all, so
//! the instance users run pays nothing for it: std's checks the panic count
//! on every lock and unlock, which the instruction counts of every shape
//! paid (`benches/counts/`). The checkers' locks poison, and their wrappers
//! clear it.
#![allow(dead_code)]

/// The locks of the instance users run.
pub(crate) mod std_locks {
    use std::time::Duration;

    /// A mutex without poisoning, one byte plus its value.
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T>(parking_lot::Mutex<T>);

    pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

    // Unwind safe as std's mutex is, which is what the crates' types were
    // built on: no user code runs under the lock, so a panic cannot leave a
    // value half-changed for the next holder to see (see the module docs).
    impl<T> std::panic::UnwindSafe for Mutex<T> {}
    impl<T> std::panic::RefUnwindSafe for Mutex<T> {}

    impl<T> Mutex<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(parking_lot::Mutex::new(value))
        }

        #[inline]
        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock()
        }

        /// The value, through an exclusive reference: no locking needed.
        pub(crate) fn get_mut(&mut self) -> &mut T {
            self.0.get_mut()
        }
    }

    /// A condition variable paired with [`Mutex`], taking and handing back
    /// the guard as std's does, so that callers are the same for every
    /// instance.
    #[derive(Debug, Default)]
    pub(crate) struct Condvar(parking_lot::Condvar);

    impl Condvar {
        pub(crate) fn new() -> Self {
            Self(parking_lot::Condvar::new())
        }

        pub(crate) fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(&mut guard);
            guard
        }

        /// Waits at most `timeout`; the caller re-checks its clock.
        pub(crate) fn wait_timeout<'a, T>(
            &self,
            mut guard: MutexGuard<'a, T>,
            timeout: Duration,
        ) -> MutexGuard<'a, T> {
            self.0.wait_for(&mut guard, timeout);
            guard
        }

        pub(crate) fn notify_all(&self) {
            self.0.notify_all();
        }

        pub(crate) fn notify_one(&self) {
            self.0.notify_one();
        }
    }
}

/// The same locks over a checker's primitives, which have no clock:
/// `wait_timeout` waits like `wait`, as the checkers' own do. One definition
/// for loom's and shuttle's.
#[cfg(any(feature = "loom", feature = "shuttle"))]
macro_rules! clockless_locks {
    ($checker:ident) => {
        use std::sync::PoisonError;
        use std::time::Duration;

        /// A mutex whose `lock` ignores poisoning. Boxed: shuttle's is
        /// hundreds of bytes, which would make every context link carry them.
        #[derive(Debug)]
        pub(crate) struct Mutex<T>(Box<$checker::sync::Mutex<T>>);

        pub(crate) type MutexGuard<'a, T> = $checker::sync::MutexGuard<'a, T>;

        impl<T> Mutex<T> {
            pub(crate) fn new(value: T) -> Self {
                Self(Box::new($checker::sync::Mutex::new(value)))
            }

            pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
                self.0.lock().unwrap_or_else(PoisonError::into_inner)
            }

            /// The value, through an exclusive reference: no locking needed.
            pub(crate) fn get_mut(&mut self) -> &mut T {
                self.0.get_mut().unwrap_or_else(PoisonError::into_inner)
            }
        }

        /// A condition variable paired with [`Mutex`], poisoning ignored
        /// likewise.
        #[derive(Debug)]
        pub(crate) struct Condvar($checker::sync::Condvar);

        impl Condvar {
            pub(crate) fn new() -> Self {
                Self($checker::sync::Condvar::new())
            }

            pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
                self.0.wait(guard).unwrap_or_else(PoisonError::into_inner)
            }

            /// No clock: waits like [`Condvar::wait`].
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

            pub(crate) fn notify_one(&self) {
                self.0.notify_one();
            }
        }
    };
}

/// The locks of the model-checked instance, over loom's primitives.
#[cfg(feature = "loom")]
pub(crate) mod loom_locks {
    clockless_locks!(loom);
}

/// The locks of the randomly scheduled instance, over shuttle's primitives.
#[cfg(feature = "shuttle")]
pub(crate) mod shuttle_locks {
    clockless_locks!(shuttle);
}
