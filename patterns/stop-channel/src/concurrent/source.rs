//! The closing side of a stop channel.

use std::fmt;

use super::signal::StopSignal;
use super::state::StopState;
use super::sync::Arc;

/// Creates a stop channel: the side that closes it and a side that watches
/// it, Go's `stop := make(chan struct{})`.
///
/// Make more watchers with [`StopSource::signal`] or by cloning a
/// [`StopSignal`].
///
/// # Examples
///
/// ```
/// use std::thread;
/// use crossbeam_channel::{select, tick};
/// use std::time::Duration;
///
/// let (stop, stopped) = go_stop_channel::stop_channel();
/// let ticks = tick(Duration::from_millis(1));
/// let worker = thread::spawn(move || {
///     let mut rounds = 0;
///     loop {
///         select! {
///             recv(stopped) -> _ => return rounds,
///             recv(ticks) -> _ => rounds += 1,
///         }
///     }
/// });
/// stop.close(); // Go's close(stop)
/// let _rounds = worker.join().unwrap();
/// ```
#[must_use = "dropping the StopSource closes the channel at once"]
pub fn stop_channel() -> (StopSource, StopSignal) {
    let source = StopSource::new();
    let signal = source.signal();
    (source, signal)
}

/// The closing side of a stop channel: [`close`](StopSource::close) is Go's
/// `close(stop)`, and tells every watcher at once.
///
/// Closing is idempotent, and dropping the source closes too, so Go's
/// "close of closed channel" panic cannot happen and a forgotten close
/// cannot leave watchers running forever. The source is not `Clone` (a clone
/// that closed on drop would stop everyone early); share it by reference or
/// in an `Arc` to let several threads close.
///
/// # Examples
///
/// ```
/// let stop = go_stop_channel::StopSource::new();
/// let a = stop.signal();
/// let b = a.clone();
/// assert!(!a.is_closed());
/// drop(stop); // closes
/// assert!(a.is_closed() && b.is_closed());
/// ```
///
/// # Compared with Go
///
/// | Go | Rust |
/// |---|---|
/// | `stop := make(chan struct{})` | [`stop_channel()`], or `StopSource::new()` and [`signal()`](StopSource::signal) |
/// | `close(stop)` | [`stop.close()`](StopSource::close), or dropping `stop` |
/// | `close(stop)` twice: panic | the second close does nothing |
/// | `stop <- true` (tells one goroutine) | no equivalent: a stop channel only broadcasts |
/// | anyone holding `stop` may close it | only the holder of the `StopSource`; watchers cannot |
#[must_use = "dropping the StopSource closes the channel at once"]
pub struct StopSource {
    state: Arc<StopState>,
}

impl StopSource {
    /// Creates an open stop channel with no watchers yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let stop = go_stop_channel::StopSource::new();
    /// assert!(!stop.is_closed());
    /// ```
    pub fn new() -> Self {
        Self {
            state: Arc::new(StopState::new()),
        }
    }

    /// Returns a new watcher of this channel.
    ///
    /// A watcher made after the close sees it at once, as a goroutine
    /// handed an already-closed Go channel does.
    ///
    /// # Examples
    ///
    /// ```
    /// let stop = go_stop_channel::StopSource::new();
    /// stop.close();
    /// let late = stop.signal();
    /// assert!(late.is_closed());
    /// assert!(late.try_recv().is_err()); // disconnected: ready at once
    /// ```
    pub fn signal(&self) -> StopSignal {
        StopSignal::new(Arc::clone(&self.state))
    }

    /// Closes the channel, Go's `close(stop)`: every watcher, present and
    /// future, sees it. Closing again does nothing.
    ///
    /// When this returns, every `recv` arm on a watcher is ready, every
    /// [`is_closed`](StopSignal::is_closed) is `true`, and every thread
    /// blocked in [`wait`](StopSignal::wait) has been woken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    ///
    /// let stop = go_stop_channel::StopSource::new();
    /// let workers: Vec<_> = (0..3)
    ///     .map(|_| {
    ///         let stopped = stop.signal();
    ///         thread::spawn(move || stopped.wait())
    ///     })
    ///     .collect();
    /// stop.close();
    /// stop.close(); // no effect, no panic
    /// for worker in workers {
    ///     worker.join().unwrap();
    /// }
    /// ```
    pub fn close(&self) {
        self.state.close();
    }

    /// Whether the channel is closed; one atomic load. See
    /// [`StopSignal::is_closed`].
    ///
    /// # Examples
    ///
    /// ```
    /// let stop = go_stop_channel::StopSource::new();
    /// stop.close();
    /// assert!(stop.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.state.is_closed()
    }
}

impl Drop for StopSource {
    /// Closes the channel, like [`close`](StopSource::close).
    fn drop(&mut self) {
        self.close();
    }
}

impl Default for StopSource {
    /// The same as [`StopSource::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// let stop = go_stop_channel::StopSource::default();
    /// assert!(!stop.is_closed());
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for StopSource {
    /// Shows whether the channel is closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let stop = go_stop_channel::StopSource::new();
    /// assert_eq!(format!("{stop:?}"), "StopSource { closed: false }");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopSource")
            .field("closed", &self.is_closed())
            .finish()
    }
}
