//! The textbook stop channel: a broadcast close by dropping senders.
//!
//! Every watcher subscribes to its own channel; the source keeps each
//! channel's sender, and closing drops them all, which disconnects every
//! channel: a `select!` on it fires, Go's `close(stop)`. One mutex guards
//! the closed flag and the senders, so subscribing and closing exclude each
//! other: a watcher subscribing after the close gets a channel born closed.
//! `wait` sleeps on a condition variable notified by the close.

use std::marker::PhantomData;

use crossbeam_channel::{Receiver, Sender, TryRecvError};
use loom::sync::{Arc, Condvar, Mutex};

use super::StopChannels;

/// What the source and every watcher share.
#[derive(Debug, Default)]
pub struct Shared {
    /// The closed flag and the open channels' senders.
    pub inner: Mutex<Inner>,
    /// Watchers blocked in `wait`.
    pub closed: Condvar,
}

/// The part of [`Shared`] under its lock.
#[derive(Debug, Default)]
pub struct Inner {
    /// Whether the stop is closed.
    pub closed: bool,
    /// One sender per open watcher channel.
    pub senders: Vec<Sender<()>>,
}

/// The steps of the textbook stop channel.
pub trait StopSteps: Sized + 'static {
    /// A new watcher channel, registered under the lock the close drains
    /// under, or born closed if the close came first.
    fn subscribe(shared: &Shared) -> Receiver<()> {
        let mut inner = shared.inner.lock().unwrap();
        let (tx, rx) = crossbeam_channel::bounded(0);
        if !inner.closed {
            inner.senders.push(tx);
        }
        rx
    }

    /// Check and sleep under the lock the close notifies under.
    fn wait(shared: &Shared) {
        let mut inner = shared.inner.lock().unwrap();
        while !inner.closed {
            inner = shared.closed.wait(inner).unwrap();
        }
    }
}

/// The correct textbook: every step as written above.
#[derive(Debug)]
pub struct Textbook;

impl StopSteps for Textbook {}

/// Closes: set the flag, drop every sender, wake the sleepers, under the
/// lock.
fn close(shared: &Shared) {
    let mut inner = shared.inner.lock().unwrap();
    inner.closed = true;
    inner.senders.clear();
    shared.closed.notify_all();
}

/// The closing side; dropping it closes.
#[derive(Debug)]
pub struct Source {
    shared: Arc<Shared>,
}

impl Drop for Source {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            close(&self.shared); // as in the real crate
        }
    }
}

/// The watching side.
#[derive(Debug)]
pub struct Signal<S> {
    shared: Arc<Shared>,
    steps: PhantomData<fn() -> S>,
}

impl<S> Clone for Signal<S> {
    fn clone(&self) -> Self {
        Signal {
            shared: self.shared.clone(),
            steps: PhantomData,
        }
    }
}

/// One watcher's subscription.
#[derive(Debug)]
pub struct Watcher {
    shared: Arc<Shared>,
    channel: Receiver<()>,
}

impl<S: StopSteps> StopChannels for S {
    type Source = Source;
    type Signal = Signal<S>;
    type Watcher = Watcher;

    fn channel() -> (Source, Signal<S>) {
        let shared = Arc::new(Shared::default());
        let signal = Signal {
            shared: shared.clone(),
            steps: PhantomData,
        };
        (Source { shared }, signal)
    }

    fn close(source: &Source) {
        close(&source.shared);
    }

    fn subscribe(signal: &Signal<S>) -> Watcher {
        Watcher {
            shared: signal.shared.clone(),
            channel: S::subscribe(&signal.shared),
        }
    }

    fn is_closed(watcher: &Watcher) -> bool {
        watcher.shared.inner.lock().unwrap().closed
    }

    fn channel_closed(watcher: &Watcher) -> bool {
        matches!(watcher.channel.try_recv(), Err(TryRecvError::Disconnected))
    }

    fn wait(watcher: &Watcher) {
        S::wait(&watcher.shared);
    }
}
