//! Go's `sync.WaitGroup`: a counter of unfinished tasks that threads can wait
//! to reach zero.
//!
//! # Design
//!
//! As in Go, the whole fast path is one `AtomicU64`, `state`:
//!
//! - the high 32 bits are the counter, a signed 32-bit number;
//! - the low 32 bits count the waiters blocked until the counter reaches zero.
//!
//! `add` is one atomic add; `wait` on a zero counter is one atomic load. Only
//! a waiter that must block, and the `add` that brings the counter to zero
//! while waiters are registered, take the mutex. Where Go releases its
//! semaphore once per waiter, the releaser here posts that many `permits`
//! under the mutex and notifies the condition variable; each woken waiter
//! consumes one permit, so a wake-up can be neither lost nor spurious.
//!
//! # Invariants
//!
//! 1. A waiter registers (adds one to the low bits) only while the counter is
//!    not zero, and never blocks without being registered.
//! 2. The `add` that moves the counter to zero while `w` waiters are
//!    registered resets `state` to zero and posts `w` permits in **one**
//!    critical section of the mutex. So, under the mutex, "counter zero and no
//!    permit for me" means that release is in flight and will post my permit.
//! 3. A waiter that stops early (timeout, context, task panic) either takes
//!    its permit, if a release already counted it, or unregisters itself with
//!    a CAS while the counter is not zero, so no release ever counts it; it
//!    never leaves a permit behind.
//! 4. Every permit posted is consumed by a waiter of the same release (by 2
//!    and 3), unless the group is misused; misuse is detected as Go does.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context as TaskContext, Wake, Waker};
use std::time::{Duration, Instant};

use super::ctx_impl::{Context, Error};
use super::sync::{Arc, AtomicU64, Condvar, Mutex, MutexGuard, Ordering, StdArc, spawn};

/// Go's panic when `add` or `done` drives the counter below zero.
const NEGATIVE_COUNTER: &str = "sync: negative WaitGroup counter";
/// Go's panic when an `add` races with the release of waiters.
const ADD_DURING_WAIT: &str = "sync: WaitGroup misuse: Add called concurrently with Wait";
/// Go's panic when a woken waiter finds the group already counting again.
const REUSED: &str = "sync: WaitGroup is reused before previous Wait has returned";

/// The payload recorded for a task dropped before it ran.
const DROPPED: &str = "task dropped before it ran";

/// The bits of `state` that send `add` off its fast path: the counter's
/// sign (a negative counter is misuse) and every waiter bit.
const FAST_PATH_MASK: u64 = 0x8000_0000_FFFF_FFFF;

#[inline]
fn counter(state: u64) -> i32 {
    (state >> 32) as i32
}

#[inline]
fn waiters(state: u64) -> u32 {
    state as u32
}

/// Waits for a group of threads or tasks to finish, as Go's `sync.WaitGroup`.
///
/// Start each task with [`go`](WaitGroup::go) (or count it yourself with
/// [`add`](WaitGroup::add) and [`done`](WaitGroup::done)), then block in
/// [`wait`](WaitGroup::wait) until every task has finished. [`wait_timeout`]
/// and [`wait_context`] give up early on a timeout or a done
/// [`go_context::Context`].
///
/// `WaitGroup` is a cheap handle: [`Clone`] gives another handle to the
/// **same** group, like copying a Go `*sync.WaitGroup` pointer, and does not
/// add to the counter. Move a clone into a thread, share one by reference
/// (it is `Sync`, so scoped threads can borrow it), or put it in an `Arc`.
///
/// [`wait_timeout`]: WaitGroup::wait_timeout
/// [`wait_context`]: WaitGroup::wait_context
///
/// # Examples
///
/// Go 1.25's style, one call per task:
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// let wg = go_waitgroup::WaitGroup::new();
/// let finished = Arc::new(AtomicUsize::new(0));
/// for _ in 0..4 {
///     let finished = Arc::clone(&finished);
///     wg.go(move || {
///         finished.fetch_add(1, Ordering::Relaxed);
///     });
/// }
/// wg.wait();
/// assert_eq!(finished.load(Ordering::Relaxed), 4);
/// ```
///
/// The older style, counting by hand, here with scoped threads borrowing the
/// group:
///
/// ```
/// use std::thread;
///
/// let wg = go_waitgroup::WaitGroup::new();
/// let mut parts = [0u64; 3];
/// thread::scope(|s| {
///     for (i, part) in parts.iter_mut().enumerate() {
///         wg.add(1);
///         let wg = &wg;
///         s.spawn(move || {
///             *part = (i as u64 + 1) * 100;
///             wg.done();
///         });
///     }
///     wg.wait();
/// });
/// assert_eq!(parts, [100, 200, 300]);
/// ```
///
/// # Compared with Go
///
/// | Go | Rust |
/// |---|---|
/// | `var wg sync.WaitGroup` | `let wg = WaitGroup::new();` |
/// | `wg.Add(n)`, `wg.Done()`, `wg.Wait()` | [`wg.add(n)`](WaitGroup::add), [`wg.done()`](WaitGroup::done), [`wg.wait()`](WaitGroup::wait) |
/// | `wg.Go(f)` (Go 1.25) | [`wg.go(f)`](WaitGroup::go); [`wg.go_scoped(s, f)`](WaitGroup::go_scoped) for borrowing closures; [`pool.spawn(wg.task(f))`](WaitGroup::task) on a thread pool |
/// | passing `&wg` to goroutines | `wg.clone()` (same group) or `&wg` |
/// | copying a `WaitGroup` value (a vet error) | impossible: `Clone` shares the group |
/// | `select` on a helper goroutine's `Wait` and `time.After` or `ctx.Done()` | [`wait_timeout`](WaitGroup::wait_timeout), [`wait_context`](WaitGroup::wait_context), with no helper thread |
/// | `panic` in `wg.Go`'s f crashes the process | the panic is caught and re-raised by every wait; see [`go`](WaitGroup::go) |
///
/// Go's three misuse panics are raised with Go's exact messages: see
/// [`add`](WaitGroup::add) and [`wait`](WaitGroup::wait). Like Go's, the
/// detection of the two racy ones is best effort.
///
/// # Compared with `crossbeam_utils::sync::WaitGroup`
///
/// crossbeam's group counts *handles*: it starts at one, `clone` is Go's
/// `Add(1)`, dropping a handle is `Done()`, and `wait(self)` consumes the
/// waiter's own handle. It cannot go negative and cannot be reused, but a
/// thread that panics drops its handle and so counts as done. This type
/// keeps Go's explicit counter instead: it starts at zero, handles are free
/// to clone, any number of threads may wait, the group is reusable once every
/// wait has returned, and a task panic is never mistaken for completion.
///
/// # Memory ordering
///
/// Everything a task did before its [`done`](WaitGroup::done) (or before its
/// [`go`](WaitGroup::go) closure returned) happens before the return of any
/// wait it unblocks: Go's "synchronizes before".
#[derive(Clone)]
pub struct WaitGroup {
    inner: Arc<Inner>,
}

struct Inner {
    /// Counter in the high 32 bits, waiters in the low 32 bits (Go's state).
    state: AtomicU64,
    slow: Mutex<Slow>,
    /// Notified, under `slow`, when permits are posted, when a task panics,
    /// and when a context being waited on is done.
    wake: Condvar,
}

#[derive(Default)]
struct Slow {
    /// Waiters released but not yet woken: Go's semaphore count.
    permits: u32,
    /// The payload of the first task started by `go` that panicked.
    panicked: Option<String>,
}

/// What a blocked wait gives up on, besides the counter reaching zero.
pub(crate) enum Until<'a> {
    Never,
    Deadline(Instant),
    Done(&'a Context),
}

/// How a wait ended.
pub(crate) enum Outcome {
    /// The counter reached zero.
    Zero,
    /// The deadline passed or the context is done.
    GaveUp,
    /// A task started by `go` panicked; the payload's text.
    TaskPanicked(String),
}

impl WaitGroup {
    /// Creates a group with a counter of zero, Go's `var wg sync.WaitGroup`.
    ///
    /// # Examples
    ///
    /// ```
    /// let wg = go_waitgroup::WaitGroup::new();
    /// wg.wait(); // a zero counter: returns at once
    /// ```
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                state: AtomicU64::new(0),
                slow: Mutex::new(Slow::default()),
                wake: Condvar::new(),
            }),
        }
    }

    /// Adds `delta`, which may be negative, to the counter, Go's `Add`.
    ///
    /// When the counter reaches zero, every blocked wait is released. Without
    /// blocked waiters this is one atomic add.
    ///
    /// Go's rules apply: an `add` with a positive delta while the counter is
    /// zero must happen before the waits it is meant to hold (typically: call
    /// `add` before starting the thread, not inside it); and to reuse the
    /// group for a new batch, call `add` only after every wait of the
    /// previous batch has returned. Prefer [`go`](WaitGroup::go), which
    /// follows them for you.
    ///
    /// # Panics
    ///
    /// - `sync: negative WaitGroup counter` if the counter would go below
    ///   zero (the counter is left negative: the group is broken, as in Go);
    /// - `sync: WaitGroup misuse: Add called concurrently with Wait` if this
    ///   call is seen to race with the release of blocked waiters (detected
    ///   opportunistically, as in Go);
    /// - `sync: WaitGroup delta out of range` if `delta` does not fit the
    ///   32-bit counter (Go silently truncates it).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::thread;
    ///
    /// let wg = go_waitgroup::WaitGroup::new();
    /// wg.add(2);
    /// for _ in 0..2 {
    ///     let wg = wg.clone();
    ///     thread::spawn(move || wg.done());
    /// }
    /// wg.wait();
    /// ```
    ///
    /// ```should_panic
    /// let wg = go_waitgroup::WaitGroup::new();
    /// wg.add(-1); // panics: sync: negative WaitGroup counter
    /// ```
    #[inline]
    #[track_caller]
    pub fn add(&self, delta: isize) {
        let Ok(delta) = i32::try_from(delta) else {
            delta_out_of_range();
        };
        self.inner.add(delta);
    }

    /// Decrements the counter by one, Go's `Done`; the same as `add(-1)`.
    ///
    /// # Panics
    ///
    /// As [`add`](WaitGroup::add): `sync: negative WaitGroup counter` if the
    /// counter is already zero.
    ///
    /// # Examples
    ///
    /// ```
    /// let wg = go_waitgroup::WaitGroup::new();
    /// wg.add(1);
    /// wg.done();
    /// wg.wait();
    /// ```
    #[inline]
    #[track_caller]
    pub fn done(&self) {
        self.inner.add(-1);
    }

    /// Blocks until the counter is zero, Go's `Wait`.
    ///
    /// On a zero counter this returns at once, after one atomic load and
    /// without locking.
    ///
    /// # Panics
    ///
    /// - `sync: WaitGroup task panicked: <payload>` if a task started with
    ///   [`go`](WaitGroup::go) or [`go_scoped`](WaitGroup::go_scoped)
    ///   panicked, whether before or during this wait. Such a task never
    ///   counts as done, so without this panic the wait would never return;
    ///   with it, the wait never returns *normally*. Every later wait on the
    ///   group panics the same way (the group is poisoned).
    /// - `sync: WaitGroup is reused before previous Wait has returned` if,
    ///   when this wait is released, the counter has already been raised
    ///   again (detected opportunistically, as in Go).
    ///
    /// # Examples
    ///
    /// ```
    /// let wg = go_waitgroup::WaitGroup::new();
    /// wg.go(|| { /* a task */ });
    /// wg.wait();
    /// ```
    #[inline]
    #[track_caller]
    pub fn wait(&self) {
        // The fast path, inlined into the caller: one load.
        if !self.inner.is_zero() {
            self.wait_slow();
        }
    }

    /// [`wait`](WaitGroup::wait) once the counter was seen not zero.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn wait_slow(&self) {
        match self.inner.wait(&Until::Never) {
            Outcome::Zero | Outcome::GaveUp => {}
            Outcome::TaskPanicked(payload) => panic_task(&payload),
        }
    }

    /// Blocks until the counter is zero or `timeout` has passed; returns
    /// whether the counter reached zero.
    ///
    /// Go has no such method; its idiom is a helper goroutine that calls
    /// `Wait` and closes a channel, raced against `time.After` in a `select`,
    /// which leaks the helper when the timeout wins. This method needs no
    /// helper thread. A timed-out wait withdraws cleanly: the group stays
    /// usable and other waiters are unaffected.
    ///
    /// # Panics
    ///
    /// As [`wait`](WaitGroup::wait).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let wg = go_waitgroup::WaitGroup::new();
    /// wg.add(1);
    /// assert!(!wg.wait_timeout(Duration::from_millis(1)));
    /// wg.done();
    /// assert!(wg.wait_timeout(Duration::from_secs(1)));
    /// ```
    #[track_caller]
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let until = match Instant::now().checked_add(timeout) {
            Some(deadline) => Until::Deadline(deadline),
            None => Until::Never,
        };
        match self.inner.wait(&until) {
            Outcome::Zero => true,
            Outcome::GaveUp => false,
            Outcome::TaskPanicked(payload) => panic_task(&payload),
        }
    }

    /// Blocks until the counter is zero or `ctx` is done; returns `Ok(())`
    /// once the counter is zero, or the context's error.
    ///
    /// When both have happened by the time this call looks, the counter wins:
    /// the work is finished, so it reports success. On a context that can
    /// never be canceled ([`go_context::background`]) this is
    /// [`wait`](WaitGroup::wait).
    ///
    /// No helper thread is started: the wait registers a waker with the
    /// context, and canceling the context wakes it. Giving up withdraws
    /// cleanly, as for [`wait_timeout`](WaitGroup::wait_timeout).
    ///
    /// # Errors
    ///
    /// [`go_context::Error::Canceled`] or [`go_context::Error::DeadlineExceeded`]
    /// if `ctx` is done while the counter is not zero.
    ///
    /// # Panics
    ///
    /// As [`wait`](WaitGroup::wait).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let wg = go_waitgroup::WaitGroup::new();
    /// wg.add(1); // a task that never finishes
    /// let (ctx, _cancel) = go_context::with_timeout(&go_context::background(), Duration::from_millis(10));
    /// assert_eq!(wg.wait_context(&ctx), Err(go_context::Error::DeadlineExceeded));
    /// wg.done();
    /// assert_eq!(wg.wait_context(&ctx), Ok(()));
    /// ```
    #[track_caller]
    pub fn wait_context(&self, ctx: &Context) -> Result<(), Error> {
        if self.inner.is_zero() {
            return Ok(());
        }
        if let Some(err) = ctx.err() {
            return Err(err);
        }
        // Poll the context's future once, with a waker that notifies our
        // condition variable; then wait on that condition variable for
        // either event.
        let mut done = ctx.wait_async();
        let waker = Waker::from(StdArc::new(GroupWaker(Arc::clone(&self.inner))));
        let _ = Pin::new(&mut done).poll(&mut TaskContext::from_waker(&waker));
        let outcome = self.inner.wait(&Until::Done(ctx));
        drop(done); // withdraws the waker if the context is still live
        match outcome {
            Outcome::Zero => Ok(()),
            Outcome::GaveUp => Err(ctx.err().expect("gave up only once ctx is done")),
            Outcome::TaskPanicked(payload) => panic_task(&payload),
        }
    }

    /// Runs `f` on a new thread as a task of this group, Go 1.25's `wg.Go(f)`:
    /// adds one to the counter, starts the thread, and calls
    /// [`done`](WaitGroup::done) when `f` returns.
    ///
    /// A task may itself call `go` on the same group (the counter is not
    /// zero while it runs). Everything `f` did happens before the return of
    /// the wait it unblocks.
    ///
    /// # Panics
    ///
    /// A panic in `f` is caught on the task's thread, after the panic hook
    /// has printed it as usual. The task is **not** counted as done: it is
    /// recorded in the group, every blocked wait is woken, and every wait on
    /// the group then panics with `sync: WaitGroup task panicked: <payload>`
    /// (the payload's text if it is a string, else `Box<dyn Any>`). So a wait
    /// can never return as though the task had finished. Go's answer to the
    /// same bug (#76126) is to crash the process before `Wait` returns; a
    /// group nobody waits on swallows the panic here, as a detached Rust
    /// thread does.
    ///
    /// `go` itself panics as [`add`](WaitGroup::add) does, and with
    /// `waitgroup: failed to spawn a thread: <error>` if the operating system
    /// cannot start a thread (the counter is restored first).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    ///
    /// let wg = go_waitgroup::WaitGroup::new();
    /// let (tx, rx) = mpsc::channel();
    /// for id in 0..3 {
    ///     let tx = tx.clone();
    ///     wg.go(move || tx.send(id * id).unwrap());
    /// }
    /// wg.wait();
    /// drop(tx);
    /// let mut squares: Vec<i32> = rx.iter().collect();
    /// squares.sort();
    /// assert_eq!(squares, [0, 1, 4]);
    /// ```
    #[track_caller]
    pub fn go<F>(&self, f: F)
    where
        F: FnOnce() + Send + 'static,
    {
        self.add(1);
        let group = self.clone();
        if let Err(err) = spawn(move || {
            let _ = group.run_task(f);
        }) {
            self.done();
            panic!("waitgroup: failed to spawn a thread: {err}");
        }
    }

    /// Counts a task and hands it back as a closure for any spawner: a thread
    /// pool, an executor's blocking pool, `std::thread::spawn`. Go 1.25's
    /// `wg.Go(f)`, with the `go` statement left to the caller.
    ///
    /// `wg.task(f)` adds one to the counter at once, so a wait that starts
    /// after this call waits for the task however long the pool takes to
    /// start it. The returned closure runs `f` and then calls
    /// [`done`](WaitGroup::done), as a task started by [`go`](WaitGroup::go)
    /// does. Use it to run a group's tasks on a pool instead of a thread
    /// each: `go` starts an operating-system thread per task (tens of
    /// microseconds), while a pool such as rayon's only queues a closure
    /// (well under one; the results pages, `benches/RESULTS-*.md`, have the figures).
    ///
    /// # Panics
    ///
    /// A panic in `f` is caught and recorded as in [`go`](WaitGroup::go):
    /// the task is not counted as done, every wait on the group panics with
    /// `sync: WaitGroup task panicked: <payload>`, and the closure then
    /// returns normally, so the pool's worker lives on (rayon, for one,
    /// aborts the process when a spawned closure panics).
    ///
    /// A closure dropped without being called (say, by a pool shut down with
    /// the task still queued) is a task that never finished: it is recorded
    /// the same way, with the payload `task dropped before it ran`, so that
    /// no wait hangs on it or mistakes it for done.
    ///
    /// `task` itself panics as [`add`](WaitGroup::add) does.
    ///
    /// # Deadlocks
    ///
    /// [`wait`](WaitGroup::wait) blocks its thread. Waiting from inside a
    /// pool's own workers for tasks queued on that same pool can leave no
    /// worker free to run them; wait from outside the pool, as below.
    ///
    /// # Examples
    ///
    /// On rayon's global pool:
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// let wg = go_waitgroup::WaitGroup::new();
    /// let finished = Arc::new(AtomicUsize::new(0));
    /// for _ in 0..100 {
    ///     let finished = Arc::clone(&finished);
    ///     rayon::spawn(wg.task(move || {
    ///         finished.fetch_add(1, Ordering::Relaxed);
    ///     }));
    /// }
    /// wg.wait();
    /// assert_eq!(finished.load(Ordering::Relaxed), 100);
    /// ```
    ///
    /// On a thread, which is what [`go`](WaitGroup::go) does:
    ///
    /// ```
    /// let wg = go_waitgroup::WaitGroup::new();
    /// std::thread::spawn(wg.task(|| println!("hello from a task")));
    /// wg.wait();
    /// ```
    ///
    /// A task that never runs fails every wait instead of hanging it:
    ///
    /// ```
    /// use std::panic::{AssertUnwindSafe, catch_unwind};
    ///
    /// let wg = go_waitgroup::WaitGroup::new();
    /// drop(wg.task(|| unreachable!()));
    /// let err = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
    /// assert_eq!(
    ///     err.downcast_ref::<String>().unwrap(),
    ///     "sync: WaitGroup task panicked: task dropped before it ran"
    /// );
    /// ```
    #[track_caller]
    pub fn task<F>(&self, f: F) -> impl FnOnce() + Send + use<F>
    where
        F: FnOnce() + Send,
    {
        self.add(1);
        let pending = PendingTask {
            group: self.clone(),
            f: Some(f),
        };
        move || pending.run()
    }

    /// Runs one task's body: `done` when it returns, recorded as a task panic
    /// (and handed back) when it panics.
    pub(crate) fn run_task(&self, f: impl FnOnce()) -> Result<(), Box<dyn Any + Send>> {
        match catch_unwind(AssertUnwindSafe(f)) {
            Ok(()) => {
                self.done();
                Ok(())
            }
            Err(payload) => {
                self.inner.task_panicked(payload_text(&*payload));
                Err(payload)
            }
        }
    }

    /// [`wait`](WaitGroup::wait) without the panic: for callers that report a
    /// task panic in their own words.
    pub(crate) fn wait_outcome(&self) -> Outcome {
        self.inner.wait(&Until::Never)
    }
}

/// A task counted by [`WaitGroup::task`] and not yet run.
struct PendingTask<F> {
    group: WaitGroup,
    /// `None` once taken to run.
    f: Option<F>,
}

impl<F: FnOnce()> PendingTask<F> {
    fn run(mut self) {
        let f = self.f.take().expect("a pending task runs once");
        // A panic is recorded in the group; the pool's worker carries on.
        let _ = self.group.run_task(f);
    }
}

impl<F> Drop for PendingTask<F> {
    fn drop(&mut self) {
        if self.f.is_some() {
            // Never ran: never done. Fail the waits rather than hang them.
            self.group.inner.task_panicked(DROPPED.to_owned());
        }
    }
}

impl Inner {
    #[inline]
    fn is_zero(&self) -> bool {
        // Acquire: pairs with the Release half of every `add`, so whatever
        // the tasks did is visible once we see zero.
        counter(self.state.load(Ordering::Acquire)) == 0
    }

    /// The fast path of `add`, inlined into callers: one atomic add and one
    /// test. Everything else (misuse, releasing waiters) is out of line.
    #[inline]
    #[track_caller]
    fn add(&self, delta: i32) {
        // Go's `uint64(delta) << 32`: two's complement does the subtraction.
        let bits = (i64::from(delta) as u64) << 32;
        // AcqRel: Release publishes this task's work to whoever sees the
        // counter reach zero (the Acquire in `is_zero`, or the releaser in
        // `add_slow`, which passes it on through the mutex); Acquire lets the
        // releaser receive every earlier task's work.
        let state = self
            .state
            .fetch_add(bits, Ordering::AcqRel)
            .wrapping_add(bits);
        // No waiters and a counter that is not negative: nothing to check,
        // nobody to release. One test covers both: the counter's sign bit
        // and the 32 waiter bits.
        if state & FAST_PATH_MASK != 0 {
            self.add_slow(state, delta);
        }
    }

    /// The rest of `add`, given the state it produced: misuse checks and the
    /// release of waiters.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn add_slow(&self, state: u64, delta: i32) {
        let (count, waiting) = (counter(state), waiters(state));
        if count < 0 {
            panic!("{NEGATIVE_COUNTER}");
        }
        if waiting != 0 && delta > 0 && count == delta {
            // Waiters register only while the counter is not zero, so this
            // Add started from zero while a release was in progress.
            panic!("{ADD_DURING_WAIT}");
        }
        if count > 0 || waiting == 0 {
            return;
        }
        self.release(state);
    }

    /// Releases the waiters counted in `seen`, the state this thread's `add`
    /// brought to zero.
    #[track_caller]
    fn release(&self, seen: u64) {
        let reset = {
            let mut slow = self.slow.lock();
            // Invariant 2: reset and post in one critical section. Nobody
            // may change the state meanwhile: waiters do not register on a
            // zero counter and leavers wait for us (invariant 3), so a
            // change is an Add racing with this release. Then, as Go does,
            // leave the waiters registered for the next zero and panic.
            let reset = self
                .state
                .compare_exchange(seen, 0, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok();
            if reset {
                slow.permits += waiters(seen);
            }
            reset
        };
        // Post under the lock, notify after it: a waiter checks `permits`
        // under this lock before it sleeps (see `wait`), so it either saw the
        // permits or is already asleep and gets this notification. Notifying
        // after the unlock spares each woken waiter finding the lock still
        // held and going back to sleep on it. Leavers waiting for an
        // in-flight release re-check too, even when the reset failed.
        self.wake.notify_all();
        if !reset {
            panic!("{ADD_DURING_WAIT}");
        }
    }

    /// Blocks until the counter is zero, a task has panicked, or `until`.
    fn wait(&self, until: &Until<'_>) -> Outcome {
        // Register as a waiter, Go's CAS to `state + 1`, unless the counter
        // is zero. Acquire on every load that may return: see `is_zero`.
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if counter(state) == 0 {
                return Outcome::Zero;
            }
            match self.state.compare_exchange(
                state,
                state + 1,
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(current) => state = current,
            }
        }
        let mut slow = self.slow.lock();
        loop {
            if let Some(payload) = &slow.panicked {
                let payload = payload.clone();
                self.leave(slow);
                return Outcome::TaskPanicked(payload);
            }
            if slow.permits > 0 {
                slow.permits -= 1;
                drop(slow);
                self.check_not_reused();
                return Outcome::Zero;
            }
            if until.reached() {
                return if self.leave(slow) {
                    self.check_not_reused();
                    Outcome::Zero
                } else {
                    Outcome::GaveUp
                };
            }
            // Pairs with `release`, `task_panicked` and `GroupWaker`: each
            // changes what we just checked only under this lock (or takes it
            // after the change) and notifies after, and we hold the lock
            // until the wait releases it.
            slow = match until {
                Until::Deadline(deadline) => self
                    .wake
                    .wait_timeout(slow, deadline.saturating_duration_since(Instant::now())),
                Until::Never | Until::Done(_) => self.wake.wait(slow),
            };
        }
    }

    /// Withdraws a registered waiter that stops waiting early (invariant 3).
    /// Returns `true` if a release had already counted it: it then took its
    /// permit, and the counter did reach zero.
    fn leave(&self, mut slow: MutexGuard<'_, Slow>) -> bool {
        loop {
            if slow.permits > 0 {
                slow.permits -= 1;
                return true;
            }
            let state = self.state.load(Ordering::Relaxed);
            if counter(state) == 0 {
                // Invariant 2: a release counted us and will post our permit
                // (or find the state changed) under this lock, then notify.
                slow = self.wake.wait(slow);
                continue;
            }
            // Relaxed: unregistering publishes nothing; a racing release's
            // add makes this CAS fail and we look again.
            if self
                .state
                .compare_exchange(state, state - 1, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
            {
                return false;
            }
        }
    }

    /// Go's check after a waiter wakes: the state must still be zero, since
    /// a new batch may only start once every wait has returned.
    #[track_caller]
    fn check_not_reused(&self) {
        if self.state.load(Ordering::Relaxed) != 0 {
            panic!("{REUSED}");
        }
    }

    /// Records the first task panic and wakes every waiter to report it.
    fn task_panicked(&self, payload: String) {
        self.slow.lock().panicked.get_or_insert(payload);
        // Record under the lock, then notify: pairs with the `panicked`
        // check in `wait` (see `release` for why after the unlock).
        self.wake.notify_all();
    }
}

impl Until<'_> {
    fn reached(&self) -> bool {
        match self {
            Until::Never => false,
            Until::Deadline(deadline) => Instant::now() >= *deadline,
            Until::Done(ctx) => ctx.is_done(),
        }
    }
}

/// Wakes a `wait_context` when its context is done.
///
/// The context runs wakers after releasing its own locks, and the waiter
/// calls `ctx.is_done()` (which may briefly take the context's lock) while
/// holding ours: the only order between the two locks is ours, then the
/// context's, so they cannot deadlock.
struct GroupWaker(Arc<Inner>);

impl Wake for GroupWaker {
    fn wake(self: StdArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &StdArc<Self>) {
        // Take the lock between the context becoming done and the notify:
        // the waiter checks `ctx.is_done()` under this lock before it
        // sleeps, so it either saw it done or is asleep by the time we
        // notify (after the unlock, as in `release`).
        drop(self.0.slow.lock());
        self.0.wake.notify_all();
    }
}

/// The text of a panic payload, as the default panic hook prints it.
fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn delta_out_of_range() -> ! {
    panic!("sync: WaitGroup delta out of range")
}

#[cold]
#[track_caller]
fn panic_task(payload: &str) -> ! {
    panic!("sync: WaitGroup task panicked: {payload}")
}

impl Default for WaitGroup {
    /// The same as [`WaitGroup::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// let wg = go_waitgroup::WaitGroup::default();
    /// wg.wait();
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for WaitGroup {
    /// Shows the counter and the number of blocked waiters.
    ///
    /// # Examples
    ///
    /// ```
    /// let wg = go_waitgroup::WaitGroup::new();
    /// wg.add(2);
    /// assert_eq!(format!("{wg:?}"), "WaitGroup { count: 2, waiters: 0 }");
    /// # wg.add(-2);
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state.load(Ordering::Relaxed);
        f.debug_struct("WaitGroup")
            .field("count", &counter(state))
            .field("waiters", &waiters(state))
            .finish()
    }
}
