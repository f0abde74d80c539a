//! The closing side of a stop channel, and the state both sides share.
//!
//! # Invariants
//!
//! 1. The channel has exactly one `Sender`, kept in `sender` until the close
//!    takes and drops it; nothing is ever sent on it. So the channel is
//!    disconnected (every `recv` ready, Go's closed channel) exactly when
//!    `sender` is `None`.
//! 2. The close is two-phase, all under `sender`'s lock: `state` goes to
//!    `CLOSING`, then the sender is dropped (the channel disconnects), then
//!    the blocked waiters are notified, then `state` goes to `CLOSED`.
//!    `is_closed` reports `CLOSING` only after taking the lock, that is once
//!    the close has finished. So the forms of watching agree at every
//!    instant: a watcher woken through the channel finds `is_closed()` true
//!    (it sees at least `CLOSING`), and one that finds `is_closed()` true
//!    also finds the channel disconnected. Once `close` returns, every form
//!    (select, `is_closed`, `wait`) sees it.
//! 3. The first close wins; later ones find `None` and change nothing.

use std::fmt;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};

use super::signal::StopSignal;
use super::sync::{Arc, AtomicU8, Condvar, Mutex, Ordering};

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
    shared: Arc<Shared>,
}

const OPEN: u8 = 0;
const CLOSING: u8 = 1;
const CLOSED: u8 = 2;

/// What a source and its signals share.
pub(crate) struct Shared {
    /// Invariant 1: the only sender, until the close drops it.
    sender: Mutex<Option<Sender<()>>>,
    /// `OPEN`, `CLOSING` or `CLOSED` (invariant 2).
    state: AtomicU8,
    /// Threads blocked in `StopSignal::wait*`; notified under `sender`'s lock.
    waiters: Condvar,
    /// Cloned into select arms by every signal.
    pub(crate) receiver: Receiver<()>,
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
        let (sender, receiver) = crossbeam_channel::bounded(0);
        Self {
            shared: Arc::new(Shared {
                sender: Mutex::new(Some(sender)),
                state: AtomicU8::new(OPEN),
                waiters: Condvar::new(),
                receiver,
            }),
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
        StopSignal::new(Arc::clone(&self.shared))
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
        self.shared.close();
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
        self.shared.is_closed()
    }
}

impl Shared {
    fn close(&self) {
        let mut sender = self.sender.lock();
        // Invariant 3: the first close wins.
        let Some(last_sender) = sender.take() else {
            return;
        };
        // Invariant 2, first phase: announce the close before anyone can
        // observe it through the channel. Release pairs with the Acquire in
        // `is_closed`.
        self.state.store(CLOSING, Ordering::Release);
        // Invariant 1: dropping the only sender is Go's `close(ch)`.
        drop(last_sender);
        // Lock, then notify: a waiter checks the slot under this lock
        // before it sleeps, so it either sees `None` or gets this wake-up.
        self.waiters.notify_all();
        // Second phase: done; release pairs with the Acquire in `is_closed`.
        self.state.store(CLOSED, Ordering::Release);
    }

    pub(crate) fn is_closed(&self) -> bool {
        match self.state.load(Ordering::Acquire) {
            OPEN => false,
            CLOSED => true,
            _ => {
                // Invariant 2: a close is under way and holds the lock
                // until it has finished; wait for it.
                drop(self.sender.lock());
                true
            }
        }
    }

    /// Blocks until closed, or until `deadline`; returns whether closed.
    pub(crate) fn wait_until(&self, deadline: Option<Instant>) -> bool {
        if self.is_closed() {
            return true;
        }
        let mut sender = self.sender.lock();
        // Pairs with the lock-then-notify in `close`.
        while sender.is_some() {
            sender = match deadline {
                None => self.waiters.wait(sender),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    self.waiters.wait_timeout(sender, deadline - now)
                }
            };
        }
        true
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
