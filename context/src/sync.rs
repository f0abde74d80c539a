//! The one place this crate takes its synchronisation primitives from.
//!
//! The crate's concurrent core is compiled twice (see `lib.rs`): once over
//! [`std_prims`], which is what users run, and, under the `loom` cargo feature,
//! once more over [`loom_prims`], which is what the loom models check. Both
//! halves expose the same names with the same signatures, so the core's source
//! is identical in both instances. Differences between std and loom are
//! smoothed over here, never at call sites.

mod locks;

/// Thread starts still to refuse, as if the operating system had: set by
/// `testing::refuse_thread_starts`, shared by both instances. Only with the
/// `test-util` feature: without it no code can refuse a thread start.
#[cfg(feature = "test-util")]
pub(crate) static REFUSED_SPAWNS: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

/// Fails if a test asked for this thread start to be refused.
#[cfg(feature = "test-util")]
fn refuse_spawn() -> std::io::Result<()> {
    use std::sync::atomic::Ordering::Relaxed;
    match REFUSED_SPAWNS.fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1)) {
        Ok(_) => Err(std::io::Error::other("thread start refused for testing")),
        Err(_) => Ok(()),
    }
}

/// Primitives for the instance users run.
pub(crate) mod std_prims {
    use std::sync::OnceLock;
    use std::time::Duration;

    pub(crate) use std::sync::atomic::{
        AtomicBool, AtomicU8, AtomicU32, AtomicU64, AtomicUsize, Ordering,
    };
    pub(crate) use std::sync::{Arc, Weak};

    /// The done channel: crossbeam's, so that users can `select!` on it.
    pub(crate) use crossbeam_channel::{Receiver, Sender, bounded};

    /// The done channel of every context that can never be canceled:
    /// crossbeam's `never`, Go's nil channel.
    pub(crate) fn never_ref() -> &'static Receiver<()> {
        static NEVER: Receiver<()> = crossbeam_channel::never();
        &NEVER
    }

    /// A cell written once, read without a lock: where a canceler keeps its
    /// done channel, made under its lock and handed out by reference.
    pub(crate) use std::sync::OnceLock as OnceCell;

    /// Whether the process-wide timer thread exists. Loom has no clock, so the
    /// model-checked instance fires deadlines only through explicit calls.
    pub(crate) const TIMER_THREAD: bool = true;

    pub(crate) use super::locks::std_locks::{Condvar, Mutex};

    /// A process-wide value created on first use.
    #[derive(Debug)]
    pub(crate) struct Global<T> {
        cell: OnceLock<T>,
        init: fn() -> T,
    }

    impl<T> Global<T> {
        pub(crate) const fn new(init: fn() -> T) -> Self {
            Self {
                cell: OnceLock::new(),
                init,
            }
        }

        pub(crate) fn get(&'static self) -> &'static T {
            self.cell.get_or_init(self.init)
        }
    }

    /// How many threads the machine runs at once (at least 1).
    pub(crate) fn available_parallelism() -> usize {
        std::thread::available_parallelism().map_or(1, usize::from)
    }

    /// A small number that differs between threads and never changes for
    /// one (threads get consecutive values in the order they first ask): how
    /// the timer queue spreads threads over its shards.
    pub(crate) fn shard_hint() -> usize {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        thread_local! {
            static HINT: usize = NEXT.fetch_add(1, Ordering::Relaxed);
        }
        HINT.with(|hint| *hint)
    }

    /// Makes the next `spawn` on this thread fail, as when the operating
    /// system refuses a thread (for the unit tests, which run in parallel:
    /// the process-wide `testing::refuse_thread_starts` would leak between
    /// them).
    #[cfg(test)]
    pub(crate) fn fail_next_spawn() {
        FAIL_NEXT_SPAWN.with(|fail| fail.set(true));
    }

    #[cfg(test)]
    thread_local! {
        static FAIL_NEXT_SPAWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// A thread blocked on a context, and how to wake it.
    pub(crate) use std::thread::Thread;

    /// The calling thread, to be unparked when the context it waits on is done.
    pub(crate) fn current_thread() -> Thread {
        std::thread::current()
    }

    /// Parks the calling thread until unparked, or for at most `timeout`.
    pub(crate) fn park(timeout: Option<Duration>) {
        match timeout {
            None => std::thread::park(),
            Some(timeout) => std::thread::park_timeout(timeout),
        }
    }

    /// Starts a named background thread; fails only if the operating system
    /// cannot create one (or a test said to act as if it could not).
    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(name: &str, f: F) -> std::io::Result<()> {
        #[cfg(feature = "test-util")]
        super::refuse_spawn()?;
        #[cfg(test)]
        if FAIL_NEXT_SPAWN.with(|fail| fail.replace(false)) {
            return Err(std::io::Error::other("thread start refused for a test"));
        }
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(f)
            .map(drop)
    }
}

/// Primitives for the model-checked instance: loom's, behind the same names.
#[cfg(feature = "loom")]
pub(crate) mod loom_prims {
    use std::marker::PhantomData;
    use std::time::Duration;

    /// Reference counts are std's in this instance too: loom's `Arc` has no
    /// `Weak`, which the tree's downward links need, and the counts are
    /// std's own proven code. Every lock and flag that orders the tree is
    /// loom's, so the interleavings that matter are still explored.
    pub(crate) use std::sync::{Arc, Weak};

    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};

    pub(crate) const TIMER_THREAD: bool = false;

    pub(crate) use super::locks::loom_locks::{Condvar, Mutex};

    /// A value global to one loom execution (loom resets it between runs).
    pub(crate) struct Global<T: 'static>(loom::lazy_static::Lazy<T>);

    impl<T: 'static> Global<T> {
        pub(crate) const fn new(init: fn() -> T) -> Self {
            Self(loom::lazy_static::Lazy {
                init,
                _p: PhantomData,
            })
        }

        pub(crate) fn get(&'static self) -> &'static T {
            self.0.get()
        }
    }

    /// One: loom models keep one timer shard.
    pub(crate) fn available_parallelism() -> usize {
        1
    }

    /// Zero: loom models keep one timer shard.
    pub(crate) fn shard_hint() -> usize {
        0
    }

    /// The model instance starts no timer thread, so there is nothing to
    /// refuse.
    #[cfg(test)]
    pub(crate) fn fail_next_spawn() {}

    /// A model thread blocked on a context.
    pub(crate) use loom::thread::Thread;

    /// The calling model thread.
    pub(crate) fn current_thread() -> Thread {
        loom::thread::current()
    }

    /// Parks the calling model thread. Loom has no clock: a timeout parks
    /// like no timeout (loom's own `park` has none either).
    pub(crate) fn park(_timeout: Option<Duration>) {
        loom::thread::park();
    }

    /// Starts a model thread. Loom joins every thread before an execution
    /// ends, so no handle is kept.
    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(_name: &str, f: F) -> std::io::Result<()> {
        #[cfg(feature = "test-util")]
        super::refuse_spawn()?;
        loom::thread::spawn(f);
        Ok(())
    }

    /// The sending end of a done channel in the model-checked instance.
    ///
    /// Loom cannot see into crossbeam: a crossbeam close would be glued to
    /// the loom operation before it, and no model could look between the two
    /// (between storing the error and closing the channel, say: Go's #75533).
    /// A done channel is only ever closed, never sent on, so here it is a
    /// loom flag that dropping the sender sets.
    #[derive(Debug)]
    pub(crate) struct Sender<T> {
        closed: Arc<AtomicBool>,
        message: PhantomData<T>,
    }

    /// The receiving end of a done channel in the model-checked instance: a
    /// loom flag that dropping the sender sets, since loom cannot see into
    /// crossbeam's channels.
    #[derive(Debug)]
    pub struct Receiver<T> {
        /// `None` for [`never_ref`].
        closed: Option<Arc<AtomicBool>>,
        message: PhantomData<T>,
    }

    impl<T> Receiver<T> {
        /// As crossbeam's `try_recv` on a channel nothing is sent on:
        /// `Disconnected` once the sender is dropped, `Empty` before.
        pub fn try_recv(&self) -> Result<T, crossbeam_channel::TryRecvError> {
            match &self.closed {
                Some(closed) if closed.load(Ordering::Acquire) => {
                    Err(crossbeam_channel::TryRecvError::Disconnected)
                }
                _ => Err(crossbeam_channel::TryRecvError::Empty),
            }
        }
    }

    impl<T> Clone for Receiver<T> {
        fn clone(&self) -> Self {
            Self {
                closed: self.closed.clone(),
                message: PhantomData,
            }
        }
    }

    impl<T> Drop for Sender<T> {
        fn drop(&mut self) {
            self.closed.store(true, Ordering::Release);
        }
    }

    /// A new done channel (the capacity is irrelevant: nothing is sent).
    pub(crate) fn bounded<T>(_capacity: usize) -> (Sender<T>, Receiver<T>) {
        let closed = Arc::new(AtomicBool::new(false));
        let rx = Receiver {
            closed: Some(closed.clone()),
            message: PhantomData,
        };
        let tx = Sender {
            closed,
            message: PhantomData,
        };
        (tx, rx)
    }

    /// A channel that never closes, as crossbeam's `never`.
    pub(crate) fn never_ref() -> &'static Receiver<()> {
        static NEVER: Receiver<()> = Receiver {
            closed: None,
            message: PhantomData,
        };
        &NEVER
    }

    /// A cell written once, read without a lock. std's: it is written only
    /// under a canceler's (loom) lock, which is what orders its readers
    /// against the cancel, and what the models explore.
    pub(crate) use std::sync::OnceLock as OnceCell;
}
