//! The one place this crate takes its synchronisation primitives from.
//!
//! The crate's concurrent core is compiled once over [`std_prims`], which is
//! what users run, and, under the `loom` and `shuttle` cargo features, once
//! more over `loom_prims` and `shuttle_prims`, which is what the models and
//! the randomized checks exercise (see `lib.rs`). Every set exposes the same
//! names with the same signatures, so the core's source is identical in every
//! instance. Differences between std and the checkers are smoothed over here,
//! never at call sites.

mod locks;

/// The done channel of the checked instances (loom's, shuttle's), written
/// once for both: each expands it over its own `AtomicBool`.
///
/// A checker cannot see into crossbeam: a crossbeam close would be glued to
/// the checker's operation before it, and no model could look between the
/// two (between storing the error and closing the channel, say: Go's
/// #75533). A done channel is only ever closed, never sent on, so there it
/// is the checker's flag, which dropping the sender sets.
#[cfg(any(feature = "loom", feature = "shuttle"))]
macro_rules! flag_channel {
    () => {
        /// The sending end of a done channel in a checked instance: a flag of
        /// the checker's that dropping the sender sets.
        #[derive(Debug)]
        pub(crate) struct Sender<T> {
            closed: Arc<AtomicBool>,
            message: PhantomData<T>,
        }

        /// The receiving end of a done channel in a checked instance.
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
    };
}

/// Thread starts still to refuse, as if the operating system had: set by
/// `testing::refuse_thread_starts` in the instance users run (each loom
/// execution keeps its own count). Only with the `test-util` feature: without
/// it no code can refuse a thread start.
#[cfg(feature = "test-util")]
static REFUSED_SPAWNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Fails if a test asked for this thread start to be refused (one of the
/// `refused` still to refuse).
#[cfg(feature = "test-util")]
fn refuse_spawn(refused: &std::sync::atomic::AtomicUsize) -> std::io::Result<()> {
    use std::sync::atomic::Ordering::Relaxed;
    match refused.fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1)) {
        Ok(_) => Err(std::io::Error::other("thread start refused for testing")),
        Err(_) => Ok(()),
    }
}

/// Primitives for the instance users run.
pub(crate) mod std_prims {
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};

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

    /// Whether a lock and an atomic own no memory, so that a node whose
    /// fields hold nothing else may be let go of without running their
    /// drops (`Drop for Link`). std's own none; the checkers' locks are
    /// boxed, so their instances drop every node.
    pub(crate) const PRIMITIVES_OWN_NOTHING: bool = true;

    /// Whether the timer thread runs on its own, on the real clock. In the
    /// model-checked instance it runs only when a model starts it, on a
    /// logical clock (and tests that need the real one skip themselves).
    #[cfg(test)]
    pub(crate) const TIMER_THREAD: bool = true;

    /// Whether the first deadline starts the timer thread: always.
    pub(crate) fn timer_thread_enabled() -> bool {
        true
    }

    /// The clock deadlines are measured on: the real one.
    pub(crate) fn now() -> Instant {
        Instant::now()
    }

    /// Where the timer thread sleeps: a lock, and a wait that ends when
    /// notified or when the clock reaches an instant.
    #[derive(Debug, Default)]
    pub(crate) struct Alarm {
        lock: Mutex<()>,
        wake: Condvar,
    }

    impl Alarm {
        pub(crate) fn new() -> Self {
            Self::default()
        }

        /// The alarm's lock: held to decide to sleep and to notify, so that
        /// no wake-up is lost.
        pub(crate) fn lock(&self) -> MutexGuard<'_, ()> {
            self.lock.lock()
        }

        /// Gives the lock back and sleeps until notified or until `until`
        /// (`None`: until notified), or spuriously: the caller checks again.
        pub(crate) fn sleep<'a>(
            &self,
            guard: MutexGuard<'a, ()>,
            until: Option<Instant>,
        ) -> MutexGuard<'a, ()> {
            match until {
                Some(at) => self
                    .wake
                    .wait_timeout(guard, at.saturating_duration_since(Instant::now())),
                None => self.wake.wait(guard),
            }
        }

        /// Wakes the sleeper; the caller holds the lock.
        pub(crate) fn notify(&self) {
            self.wake.notify_one();
        }

        /// Whether the sleeper is to stop for good: never, in this instance.
        pub(crate) fn stopped(&self, _guard: &MutexGuard<'_, ()>) -> bool {
            false
        }
    }

    pub(crate) use super::locks::std_locks::{Condvar, Mutex, MutexGuard};

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

    /// Makes the next `count` thread starts fail (`testing::refuse_thread_starts`).
    #[cfg(feature = "test-util")]
    pub(crate) fn refuse_thread_starts(count: usize) {
        super::REFUSED_SPAWNS.store(count, Ordering::Relaxed);
    }

    /// Starts a named background thread; fails only if the operating system
    /// cannot create one (or a test said to act as if it could not).
    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(name: &str, f: F) -> std::io::Result<()> {
        #[cfg(feature = "test-util")]
        super::refuse_spawn(&super::REFUSED_SPAWNS)?;
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
    use std::time::{Duration, Instant};

    /// Reference counts are std's in this instance too: loom's `Arc` has no
    /// `Weak`, which the tree's downward links need, and the counts are
    /// std's own proven code. Every lock and flag that orders the tree is
    /// loom's, so the interleavings that matter are still explored.
    pub(crate) use std::sync::{Arc, Weak};

    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};

    /// See the std instance's: false here, so tests that need the real
    /// clock and thread skip themselves (loom's primitives need a model).
    #[cfg(test)]
    pub(crate) const TIMER_THREAD: bool = false;

    /// What a model controls, fresh for each loom execution: the logical
    /// clock, the timer thread and refused thread starts.
    ///
    /// The clock and the flags are std atomics, which loom does not see: they
    /// stand for the world outside the crate (time passing, the operating
    /// system), and loom runs one thread at a time, so each is read as last
    /// written. What orders the crate's threads around them is loom's: the
    /// alarm's lock and condition variable.
    struct Model {
        /// Nanoseconds the logical clock has moved since [`epoch`].
        elapsed: std::sync::atomic::AtomicU64,
        /// Whether the first deadline starts the timer thread.
        timer_thread: std::sync::atomic::AtomicBool,
        /// Whether the timer thread is to stop for good.
        stopped: std::sync::atomic::AtomicBool,
        /// Whether the timer thread has been started and has not ended.
        timer_running: std::sync::atomic::AtomicBool,
        /// Whether the alarm was notified while its sleeper slept.
        notified: std::sync::atomic::AtomicBool,
        /// Thread starts still to refuse (`testing::refuse_thread_starts`).
        #[cfg(feature = "test-util")]
        refused: std::sync::atomic::AtomicUsize,
        /// The next shard hint to hand a thread.
        next_hint: std::sync::atomic::AtomicUsize,
        /// The alarm's lock, which the timer thread sleeps on.
        lock: Mutex<()>,
        /// The alarm's condition variable: notified by an earlier deadline,
        /// by the clock moving on, and by the stop.
        wake: Condvar,
    }

    static MODEL: Global<Model> = Global::new(|| Model {
        elapsed: Default::default(),
        timer_thread: Default::default(),
        stopped: Default::default(),
        timer_running: Default::default(),
        notified: Default::default(),
        #[cfg(feature = "test-util")]
        refused: Default::default(),
        next_hint: Default::default(),
        lock: Mutex::new(()),
        wake: Condvar::new(),
    });

    /// Tick 0 of the logical clock: the same instant in every execution.
    fn epoch() -> Instant {
        static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        *EPOCH.get_or_init(Instant::now)
    }

    /// The logical clock: it stands still until a model moves it on.
    pub fn now() -> Instant {
        let elapsed = MODEL.get().elapsed.load(Ordering::Relaxed);
        epoch() + Duration::from_nanos(elapsed)
    }

    /// Moves the logical clock on by `by`, and wakes the timer thread if it
    /// sleeps (it looks whether its tick has come).
    pub fn advance(by: Duration) {
        let model = MODEL.get();
        let _lock = model.lock.lock();
        let by =
            u64::try_from(by.as_nanos()).expect("a model's clock moves by less than 584 years");
        model.elapsed.fetch_add(by, Ordering::Relaxed);
        model.wake.notify_all();
    }

    /// Lets the first deadline of this execution start the timer thread.
    /// Until then (and in every model that does not ask), no thread fires
    /// deadlines: only `testing::expire` does.
    pub fn start_timer_thread() {
        MODEL.get().timer_thread.store(true, Ordering::Relaxed);
    }

    /// Tells the timer thread to end once it next looks at its alarm, and
    /// waits until it has: a model must call this before it returns, since
    /// loom then drops the execution's statics, the timer queue among them.
    pub fn stop_timer_thread() {
        let model = MODEL.get();
        {
            let _lock = model.lock.lock();
            model.stopped.store(true, Ordering::Relaxed);
            model.wake.notify_all();
        }
        while model.timer_running.load(Ordering::Relaxed) {
            loom::thread::yield_now();
        }
    }

    /// Whether the first deadline starts the timer thread: only once a model
    /// asked for it ([`start_timer_thread`]).
    pub(crate) fn timer_thread_enabled() -> bool {
        MODEL.get().timer_thread.load(Ordering::Relaxed)
    }

    /// Where the timer thread sleeps, on the logical clock. There is one
    /// queue per execution, so its alarm is the execution's own.
    #[derive(Debug)]
    pub(crate) struct Alarm(());

    impl Alarm {
        pub(crate) fn new() -> Self {
            Self(())
        }

        pub(crate) fn lock(&self) -> MutexGuard<'static, ()> {
            MODEL.get().lock.lock()
        }

        /// Gives the lock back and sleeps until notified, until the logical
        /// clock reaches `until` (never, for `None`), or until stopped. A
        /// clock that moves on but not that far does not end the sleep. As
        /// with a condition variable, only a notify that comes while this
        /// sleeps wakes it: one sent before is lost.
        pub(crate) fn sleep<'a>(
            &self,
            mut guard: MutexGuard<'a, ()>,
            until: Option<Instant>,
        ) -> MutexGuard<'a, ()> {
            let model = MODEL.get();
            let over =
                || model.stopped.load(Ordering::Relaxed) || until.is_some_and(|at| now() >= at);
            model.notified.store(false, Ordering::Relaxed);
            while !over() {
                guard = model.wake.wait(guard);
                if model.notified.swap(false, Ordering::Relaxed) {
                    break;
                }
            }
            guard
        }

        /// Wakes the sleeper; the caller holds the lock.
        pub(crate) fn notify(&self) {
            let model = MODEL.get();
            model.notified.store(true, Ordering::Relaxed);
            model.wake.notify_all();
        }

        /// Whether the sleeper is to stop for good ([`stop_timer_thread`]).
        pub(crate) fn stopped(&self, _guard: &MutexGuard<'_, ()>) -> bool {
            MODEL.get().stopped.load(Ordering::Relaxed)
        }
    }

    pub(crate) use super::locks::loom_locks::{Condvar, Mutex, MutexGuard};

    /// See the std instance's: the locks here are boxed.
    pub(crate) const PRIMITIVES_OWN_NOTHING: bool = false;

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

    /// Two cores, as far as the timer queue knows: enough for its timers to
    /// land on several shards, so that models see them race across shards.
    pub(crate) fn available_parallelism() -> usize {
        2
    }

    /// As std's: threads get consecutive values in the order they first ask.
    pub(crate) fn shard_hint() -> usize {
        loom::thread_local! {
            static HINT: usize = MODEL.get().next_hint.fetch_add(1, Ordering::Relaxed);
        }
        HINT.with(|hint| *hint)
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
    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(name: &str, f: F) -> std::io::Result<()> {
        #[cfg(feature = "test-util")]
        super::refuse_spawn(&MODEL.get().refused)?;
        if name == "context-timer" {
            // Tracked for `stop_timer_thread`.
            let model = MODEL.get();
            model.timer_running.store(true, Ordering::Relaxed);
            loom::thread::spawn(move || {
                f();
                model.timer_running.store(false, Ordering::Relaxed);
            });
        } else {
            loom::thread::spawn(f);
        }
        Ok(())
    }

    /// Makes the next `count` thread starts of this execution fail.
    #[cfg(feature = "test-util")]
    pub(crate) fn refuse_thread_starts(count: usize) {
        MODEL.get().refused.store(count, Ordering::Relaxed);
    }

    flag_channel!();

    /// A cell written once, read without a lock. std's: it is written only
    /// under a canceler's (loom) lock, which is what orders its readers
    /// against the cancel, and what the models explore.
    pub(crate) use std::sync::OnceLock as OnceCell;
}

/// Primitives for the randomly scheduled instance: shuttle's, behind the
/// same names. As in the loom instance, deadlines run on a logical clock that
/// a test moves on, and the timer thread starts only when a test asks.
#[cfg(feature = "shuttle")]
pub(crate) mod shuttle_prims {
    use std::marker::PhantomData;
    use std::sync::atomic::{AtomicBool as StdBool, AtomicU64 as StdU64, AtomicUsize as StdUsize};
    use std::time::{Duration, Instant};

    /// std's, as in the loom instance: the tree's downward links are `Weak`.
    pub(crate) use std::sync::{Arc, Weak};

    pub(crate) use shuttle::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};

    #[cfg(test)]
    pub(crate) const TIMER_THREAD: bool = false;

    pub(crate) use super::locks::shuttle_locks::{Condvar, Mutex, MutexGuard};

    /// See the std instance's: the locks here are boxed.
    pub(crate) const PRIMITIVES_OWN_NOTHING: bool = false;

    /// A value global to one shuttle execution (shuttle drops it at the end).
    pub(crate) struct Global<T: Sync + 'static>(shuttle::lazy_static::Lazy<T>);

    impl<T: Sync + 'static> Global<T> {
        pub(crate) const fn new(init: fn() -> T) -> Self {
            Self(shuttle::lazy_static::Lazy::new(init))
        }

        pub(crate) fn get(&'static self) -> &'static T {
            self.0.get()
        }
    }

    /// What a test controls, fresh for each execution: see the loom
    /// instance's `Model`. Shuttle, too, runs one thread at a time.
    struct Model {
        elapsed: StdU64,
        timer_thread: StdBool,
        stopped: StdBool,
        timer_running: StdBool,
        notified: StdBool,
        #[cfg(feature = "test-util")]
        refused: StdUsize,
        next_hint: StdUsize,
        lock: Mutex<()>,
        wake: Condvar,
    }

    static MODEL: Global<Model> = Global::new(|| Model {
        elapsed: StdU64::new(0),
        timer_thread: StdBool::new(false),
        stopped: StdBool::new(false),
        timer_running: StdBool::new(false),
        notified: StdBool::new(false),
        #[cfg(feature = "test-util")]
        refused: StdUsize::new(0),
        next_hint: StdUsize::new(0),
        lock: Mutex::new(()),
        wake: Condvar::new(),
    });

    /// Tick 0 of the logical clock: the same instant in every execution.
    fn epoch() -> Instant {
        static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
        *EPOCH.get_or_init(Instant::now)
    }

    /// The logical clock: it stands still until a test moves it on.
    pub fn now() -> Instant {
        epoch() + Duration::from_nanos(MODEL.get().elapsed.load(Ordering::Relaxed))
    }

    /// Moves the logical clock on by `by`, and wakes the timer thread if it
    /// sleeps.
    pub fn advance(by: Duration) {
        let model = MODEL.get();
        let _lock = model.lock.lock();
        let by = u64::try_from(by.as_nanos()).expect("a test's clock moves by less than 584 years");
        model.elapsed.fetch_add(by, Ordering::Relaxed);
        model.wake.notify_all();
    }

    /// Lets the first deadline of this execution start the timer thread.
    pub fn start_timer_thread() {
        MODEL.get().timer_thread.store(true, Ordering::Relaxed);
    }

    /// Tells the timer thread to end, and waits until it has: a test must
    /// call this before it returns, since shuttle then drops the
    /// execution's statics, the timer queue among them.
    pub fn stop_timer_thread() {
        let model = MODEL.get();
        {
            let _lock = model.lock.lock();
            model.stopped.store(true, Ordering::Relaxed);
            model.wake.notify_all();
        }
        while model.timer_running.load(Ordering::Relaxed) {
            shuttle::thread::yield_now();
        }
    }

    pub(crate) fn timer_thread_enabled() -> bool {
        MODEL.get().timer_thread.load(Ordering::Relaxed)
    }

    /// Where the timer thread sleeps, on the logical clock: the loom
    /// instance's alarm, over shuttle's primitives.
    #[derive(Debug)]
    pub(crate) struct Alarm(());

    impl Alarm {
        pub(crate) fn new() -> Self {
            Self(())
        }

        pub(crate) fn lock(&self) -> MutexGuard<'static, ()> {
            MODEL.get().lock.lock()
        }

        pub(crate) fn sleep<'a>(
            &self,
            mut guard: MutexGuard<'a, ()>,
            until: Option<Instant>,
        ) -> MutexGuard<'a, ()> {
            let model = MODEL.get();
            let over =
                || model.stopped.load(Ordering::Relaxed) || until.is_some_and(|at| now() >= at);
            model.notified.store(false, Ordering::Relaxed);
            while !over() {
                guard = model.wake.wait(guard);
                if model.notified.swap(false, Ordering::Relaxed) {
                    break;
                }
            }
            guard
        }

        pub(crate) fn notify(&self) {
            let model = MODEL.get();
            model.notified.store(true, Ordering::Relaxed);
            model.wake.notify_all();
        }

        pub(crate) fn stopped(&self, _guard: &MutexGuard<'_, ()>) -> bool {
            MODEL.get().stopped.load(Ordering::Relaxed)
        }
    }

    /// Four cores, as far as the timer queue knows: sixteen shards.
    pub(crate) fn available_parallelism() -> usize {
        4
    }

    /// As std's: threads get consecutive values in the order they first ask.
    pub(crate) fn shard_hint() -> usize {
        shuttle::thread_local! {
            static HINT: usize = MODEL.get().next_hint.fetch_add(1, Ordering::Relaxed);
        }
        HINT.with(|hint| *hint)
    }

    #[cfg(test)]
    pub(crate) fn fail_next_spawn() {}

    pub(crate) use shuttle::thread::Thread;

    pub(crate) fn current_thread() -> Thread {
        shuttle::thread::current()
    }

    /// Shuttle has no clock: a timeout parks like no timeout.
    pub(crate) fn park(_timeout: Option<Duration>) {
        shuttle::thread::park();
    }

    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(name: &str, f: F) -> std::io::Result<()> {
        #[cfg(feature = "test-util")]
        super::refuse_spawn(&MODEL.get().refused)?;
        if name == "context-timer" {
            let model = MODEL.get();
            model.timer_running.store(true, Ordering::Relaxed);
            shuttle::thread::spawn(move || {
                f();
                model.timer_running.store(false, Ordering::Relaxed);
            });
        } else {
            shuttle::thread::spawn(f);
        }
        Ok(())
    }

    #[cfg(feature = "test-util")]
    pub(crate) fn refuse_thread_starts(count: usize) {
        MODEL.get().refused.store(count, Ordering::Relaxed);
    }

    flag_channel!();

    /// A cell written once, read without a lock; std's, as in the loom
    /// instance: it is written only under a canceler's (shuttle) lock.
    pub(crate) use std::sync::OnceLock as OnceCell;
}
