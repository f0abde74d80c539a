//! A live count of running things (backend calls, watchers, requests) that a
//! test can wait on.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A count of things that are running now, and a way to wait until it
/// reaches a value.
///
/// The server keeps one per kind of thread it starts, so that tests (and
/// curious operators) can see every backend call and watcher go away once its
/// request is over, without guessing how long that takes. A `Gauge` is a
/// cheap handle: clones share the count.
///
/// # Examples
///
/// ```
/// use std::thread;
/// use std::time::Duration;
/// use request_service::Gauge;
///
/// let live = Gauge::new();
/// let worker = {
///     let entered = live.enter();
///     thread::spawn(move || drop(entered)) // counted until its work is done
/// };
/// assert!(live.wait_until(Duration::from_secs(5), |n| n == 0));
/// # worker.join().unwrap();
/// ```
#[derive(Clone, Default)]
pub struct Gauge {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    count: Mutex<usize>,
    /// Notified, under `count`, whenever the count changes.
    changed: Condvar,
}

/// One running thing, counted by its [`Gauge`] until this guard is dropped.
///
/// # Examples
///
/// ```
/// let live = request_service::Gauge::new();
/// let entered = live.enter();
/// assert_eq!(live.get(), 1);
/// drop(entered);
/// assert_eq!(live.get(), 0);
/// ```
#[must_use = "the count goes down again when the guard is dropped"]
pub struct Entered {
    gauge: Gauge,
}

impl Gauge {
    /// Creates a gauge at zero.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(request_service::Gauge::new().get(), 0);
    /// ```
    pub fn new() -> Gauge {
        Gauge::default()
    }

    /// The count now.
    ///
    /// # Examples
    ///
    /// ```
    /// let live = request_service::Gauge::new();
    /// let _one = live.enter();
    /// let _two = live.enter();
    /// assert_eq!(live.get(), 2);
    /// ```
    pub fn get(&self) -> usize {
        *self.lock()
    }

    /// Adds one to the count until the returned guard is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let live = request_service::Gauge::new();
    /// {
    ///     let _entered = live.enter();
    ///     assert_eq!(live.get(), 1);
    /// }
    /// assert_eq!(live.get(), 0);
    /// ```
    pub fn enter(&self) -> Entered {
        let mut count = self.lock();
        *count += 1;
        self.inner.changed.notify_all(); // under the lock: see `wait_until`
        drop(count);
        Entered {
            gauge: self.clone(),
        }
    }

    /// Blocks until `reached(count)` holds or `timeout` has passed; returns
    /// whether it holds.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let live = request_service::Gauge::new();
    /// let _busy = live.enter();
    /// assert!(!live.wait_until(Duration::from_millis(1), |n| n == 0));
    /// assert!(live.wait_until(Duration::ZERO, |n| n == 1));
    /// ```
    pub fn wait_until(&self, timeout: Duration, mut reached: impl FnMut(usize) -> bool) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        let mut count = self.lock();
        loop {
            if reached(*count) {
                return true;
            }
            // Checked under the lock, so a change made after this check
            // notifies the wait below (every change notifies under the lock).
            let left = match deadline {
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => left,
                    _ => return false,
                },
                None => Duration::MAX,
            };
            count = self
                .inner
                .changed
                .wait_timeout(count, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// A count is a plain number: a thread that panicked while holding the
    /// lock cannot have left it half-changed.
    fn lock(&self) -> MutexGuard<'_, usize> {
        self.inner
            .count
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        let mut count = self.gauge.lock();
        *count -= 1;
        self.gauge.inner.changed.notify_all(); // under the lock: see `wait_until`
    }
}

impl fmt::Debug for Gauge {
    /// Shows the count: `Gauge(2)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Gauge").field(&self.get()).finish()
    }
}

impl fmt::Debug for Entered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entered")
            .field("gauge", &self.gauge)
            .finish()
    }
}
