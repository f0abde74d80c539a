//! Models of the `go-stop-channel` crate: closing racing with watchers.
//!
//! Laid out as the context models are: [`StopChannels`] is the slice of the
//! API the model drives, implemented by the real crate
//! (`go_stop_channel::loom`, in [`real`]) and by a textbook ([`textbook`]);
//! [`close`] has the model and the textbook's twins it rejects.
//!
//! The channel is crossbeam's, which loom cannot see into: the models only
//! `try_recv` on it, and only check what loom can order, namely that a
//! watcher that finds the stop closed by `is_closed` (or after `wait`) also
//! finds the channel disconnected. The converse (a watcher that sees the
//! channel disconnected then finds `is_closed`) depends on crossbeam's own
//! synchronisation, which loom does not model.

pub mod real;
pub mod textbook;

pub mod close;

/// A closable stop signal, as the models use it.
pub trait StopChannels: 'static {
    /// The closing side.
    type Source: Send + Sync + 'static;
    /// The watching side, cloned to hand out.
    type Signal: Clone + Send + Sync + 'static;
    /// One watcher's subscription: what it would put in its `select!`.
    type Watcher: Send + 'static;

    /// `stop_channel()`.
    fn channel() -> (Self::Source, Self::Signal);
    /// `source.close()`.
    fn close(source: &Self::Source);
    /// Subscribes a watcher (for the real crate: clones the signal).
    fn subscribe(signal: &Self::Signal) -> Self::Watcher;
    /// `is_closed()`.
    fn is_closed(watcher: &Self::Watcher) -> bool;
    /// Whether the watcher's channel is disconnected, by `try_recv`.
    fn channel_closed(watcher: &Self::Watcher) -> bool;
    /// `wait()`: blocks until closed.
    fn wait(watcher: &Self::Watcher);
}
