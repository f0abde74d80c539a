//! The watching side of a stop channel.

use std::fmt;
use std::ops::Deref;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

use super::state::StopState;
use super::sync::Arc;

/// The watching side of a stop channel: Go's `<-stop`, for any number of
/// threads.
///
/// A `StopSignal` dereferences to a [`crossbeam_channel::Receiver<()>`], so
/// it goes straight into a `select!` arm: `recv(stop) -> _ => …`. Nothing is
/// ever sent on the channel; the arm becomes ready when the channel is
/// closed (disconnected), and stays ready, with `Err(RecvError)`, as a
/// receive from a closed Go channel returns at once with the zero value.
///
/// Besides selecting, a signal can be polled ([`is_closed`], Go's `select`
/// with a `default` arm) or blocked on ([`wait`], [`wait_timeout`]).
/// Cloning is cheap and every clone watches the same channel.
///
/// [`is_closed`]: StopSignal::is_closed
/// [`wait`]: StopSignal::wait
/// [`wait_timeout`]: StopSignal::wait_timeout
///
/// # Examples
///
/// ```
/// use crossbeam_channel::{select, unbounded};
/// use std::thread;
///
/// let (stop, stopped) = go_stop_channel::stop_channel();
/// let (jobs_tx, jobs) = unbounded::<u32>();
/// let worker = thread::spawn(move || {
///     let mut done = 0;
///     loop {
///         select! {
///             recv(stopped) -> _ => return done,
///             recv(jobs) -> job => done += job.unwrap(),
///         }
///     }
/// });
/// jobs_tx.send(1).unwrap();
/// stop.close();
/// let _done = worker.join().unwrap(); // 0 or 1: select picks at random
/// ```
///
/// # Compared with Go
///
/// | Go | Rust |
/// |---|---|
/// | `case <-stop:` in a `select` | `recv(stop) -> _ =>` in [`crossbeam_channel::select!`] |
/// | `select { case <-stop: …; default: … }` | [`stop.is_closed()`](StopSignal::is_closed), or a `select!` with `default` |
/// | `<-stop` | [`stop.wait()`](StopSignal::wait) |
/// | `select { case <-stop: case <-time.After(d): }` | [`stop.wait_timeout(d)`](StopSignal::wait_timeout), or `recv(after(d))` in a `select!` |
/// | a `nil` stop channel (never ready) | [`crossbeam_channel::never()`] in its place |
/// | receiving from a closed channel: ready at once, zero value | `Err(RecvError)` at once |
#[derive(Clone)]
pub struct StopSignal {
    state: Arc<StopState>,
}

impl StopSignal {
    pub(crate) fn new(state: Arc<StopState>) -> Self {
        Self { state }
    }

    /// The channel to put in a `select!` arm; the signal also dereferences to
    /// it.
    ///
    /// # Examples
    ///
    /// ```
    /// use crossbeam_channel::select;
    ///
    /// let (stop, stopped) = go_stop_channel::stop_channel();
    /// stop.close();
    /// let stop_arm = stopped.receiver();
    /// select! {
    ///     recv(stop_arm) -> msg => assert!(msg.is_err()), // closed: ready, no message
    /// }
    /// ```
    pub fn receiver(&self) -> &Receiver<()> {
        &self.state.receiver
    }

    /// Whether the channel is closed, without waiting for a close; one atomic
    /// load. The polling form of Go's `select { case <-stop: …; default: … }`.
    ///
    /// It agrees with the channel at every instant: a thread woken by the
    /// close through a `select!` arm finds `is_closed()` true, and one that
    /// finds it true finds the channel disconnected. (If it looks while a
    /// close is under way on another thread, it waits the few instructions
    /// until that close has finished.)
    ///
    /// # Examples
    ///
    /// ```
    /// let (stop, stopped) = go_stop_channel::stop_channel();
    /// assert!(!stopped.is_closed());
    /// stop.close();
    /// assert!(stopped.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.state.is_closed()
    }

    /// Blocks until the channel is closed, Go's `<-stop`.
    ///
    /// If the [`StopSource`](crate::StopSource) is never closed nor dropped,
    /// this blocks forever.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    ///
    /// let (stop, stopped) = go_stop_channel::stop_channel();
    /// let watcher = thread::spawn(move || stopped.wait());
    /// drop(stop); // dropping the source closes the channel
    /// watcher.join().unwrap();
    /// ```
    pub fn wait(&self) {
        self.state.wait_until(None);
    }

    /// Blocks until the channel is closed or `timeout` has passed; returns
    /// whether it is closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let (stop, stopped) = go_stop_channel::stop_channel();
    /// assert!(!stopped.wait_timeout(Duration::from_millis(1)));
    /// stop.close();
    /// assert!(stopped.wait_timeout(Duration::from_secs(1)));
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.state.wait_until(Instant::now().checked_add(timeout))
    }
}

impl Deref for StopSignal {
    type Target = Receiver<()>;

    /// The channel, as [`receiver`](StopSignal::receiver) returns it, so
    /// that `recv(stop) -> _` works in `select!`.
    fn deref(&self) -> &Receiver<()> {
        self.receiver()
    }
}

impl fmt::Debug for StopSignal {
    /// Shows whether the channel is closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let (stop, stopped) = go_stop_channel::stop_channel();
    /// stop.close();
    /// assert_eq!(format!("{stopped:?}"), "StopSignal { closed: true }");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopSignal")
            .field("closed", &self.is_closed())
            .finish()
    }
}
