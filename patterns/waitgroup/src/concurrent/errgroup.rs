//! Go's `golang.org/x/sync/errgroup`: a group of tasks working on parts of one
//! job, where the first error wins and can cancel the rest.
//!
//! [`Group`] is a [`WaitGroup`](crate::WaitGroup) whose tasks return
//! `Result<(), E>`: [`wait`](Group::wait) returns the first error, in order
//! of completion. A group made by [`Group::with_context`] also derives a
//! [`go_context::Context`] that the first error cancels (with the error as its
//! cause), so sibling tasks that watch it stop early. [`set_limit`]
//! bounds how many tasks run at once; [`try_go`](Group::try_go) starts one
//! only if a slot is free.
//!
//! [`set_limit`]: Group::set_limit
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use go_waitgroup::errgroup::Group;
//!
//! let g: Group<Arc<std::io::Error>> = Group::new();
//! for part in 0..3 {
//!     g.go(move || {
//!         if part == 1 {
//!             return Err(Arc::new(std::io::Error::other("part 1 failed")));
//!         }
//!         Ok(())
//!     });
//! }
//! assert_eq!(g.wait().unwrap_err().to_string(), "part 1 failed");
//! ```
//!
//! # Compared with Go
//!
//! | Go | Rust |
//! |---|---|
//! | `var g errgroup.Group` | [`Group::new()`](Group::new) |
//! | `g, ctx := errgroup.WithContext(ctx)` | [`let (g, ctx) = Group::with_context(&ctx);`](Group::with_context) |
//! | `g.Go(func() error { … })` | [`g.go(move \|\| { …; Ok(()) })`](Group::go) |
//! | `g.TryGo(f)` | [`g.try_go(f)`](Group::try_go) |
//! | `g.SetLimit(n)`, `g.SetLimit(-1)` | [`g.set_limit(Some(n))`](Group::set_limit), `g.set_limit(None)` |
//! | `err := g.Wait()` | [`g.wait()`](Group::wait) → `Result<(), E>` |
//! | `context.Cause(ctx)` after an error | that error, as a [`go_context::Cause`] you can downcast to `E` |
//! | a panic in f crashes the process | caught; [`wait`](Group::wait) panics (see [`go`](Group::go)) |
//!
//! The error type is a parameter: `E` must be `Clone` because `wait` may be
//! called more than once and returns the first error each time (wrap a
//! non-`Clone` error in an `Arc`), and, for a group with a context, an
//! [`Error`](std::error::Error) that can be shared across threads, because it
//! becomes the context's cause.

use std::fmt;

use super::ctx_impl::{self, Cause, Context};
use super::sync::{Arc, Condvar, Mutex, StdArc};
use super::wait_group::{Outcome, WaitGroup};

/// A group of tasks working on parts of one job, Go's `errgroup.Group`.
///
/// A group is a cheap handle: [`Clone`] gives another handle to the same
/// group, so a task can start more tasks. Tasks run on their own threads.
///
/// # Examples
///
/// ```
/// use std::sync::mpsc;
/// use go_waitgroup::errgroup::Group;
///
/// #[derive(Debug, Clone, PartialEq)]
/// struct TooBig(u32);
///
/// let g = Group::new();
/// let (tx, rx) = mpsc::channel();
/// for n in [3, 40, 5] {
///     let tx = tx.clone();
///     g.go(move || {
///         if n > 10 {
///             return Err(TooBig(n));
///         }
///         tx.send(n * 2).unwrap();
///         Ok(())
///     });
/// }
/// assert_eq!(g.wait(), Err(TooBig(40)));
/// drop(tx);
/// assert_eq!(rx.iter().sum::<u32>(), 16);
/// ```
///
/// # Compared with Go
///
/// The zero `errgroup.Group` is [`Group::new`]: no limit, no context.
/// Everything Go documents holds, with these differences:
///
/// - A task that panics is caught instead of crashing the process; see
///   [`go`](Group::go).
/// - [`set_limit`](Group::set_limit) takes an `Option<usize>` where Go takes
///   an `int` with negative meaning "no limit", and refuses a new limit while
///   *any* task is active, where Go only counts tasks started under a limit.
/// - Dropping the last handle of a group made by
///   [`with_context`](Group::with_context) (once its tasks have finished)
///   cancels the derived context, as dropping a [`go_context::CancelFunc`] does.
pub struct Group<E> {
    shared: Arc<Shared<E>>,
}

struct Shared<E> {
    wg: WaitGroup,
    /// The first error, in order of completion (Go's `errOnce` and `err`).
    first_err: Mutex<Option<E>>,
    /// Cancels the derived context, with the error as its cause.
    cancel: Option<Box<dyn Fn(Option<E>) + Send + Sync>>,
    slots: Mutex<Slots>,
    /// Notified, under `slots`, when a slot is freed or the limit changes.
    slot_freed: Condvar,
}

/// Go's `sem` channel: its capacity and how many tokens are out.
struct Slots {
    limit: Option<usize>,
    /// Tasks started and not yet finished, counted with or without a limit.
    active: usize,
}

impl Slots {
    fn full(&self) -> bool {
        self.limit.is_some_and(|limit| self.active >= limit)
    }
}

/// One running task's slot; freed when the task ends, normally or not.
struct Slot<E> {
    shared: Arc<Shared<E>>,
}

impl<E> Group<E> {
    /// Creates a group with no limit and no context, Go's zero `Group`.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = go_waitgroup::errgroup::Group::<String>::new();
    /// g.go(|| Ok(()));
    /// assert_eq!(g.wait(), Ok(()));
    /// ```
    pub fn new() -> Self {
        Self::with_cancel(None)
    }

    fn with_cancel(cancel: Option<Box<dyn Fn(Option<E>) + Send + Sync>>) -> Self {
        Self {
            shared: Arc::new(Shared {
                wg: WaitGroup::new(),
                first_err: Mutex::new(None),
                cancel,
                slots: Mutex::new(Slots {
                    limit: None,
                    active: 0,
                }),
                slot_freed: Condvar::new(),
            }),
        }
    }

    /// Limits the number of tasks running at once to `limit`, Go's
    /// `SetLimit`; `None` removes the limit.
    ///
    /// Later calls to [`go`](Group::go) block until a slot is free, and
    /// [`try_go`](Group::try_go) fails while none is. `Some(0)` blocks every
    /// new task: `go` blocks (forever, unless the limit is changed from
    /// another thread) and `try_go` returns `false`.
    ///
    /// # Panics
    ///
    /// With `errgroup: modify limit while <k> goroutines in the group are
    /// still active` if `limit` is `Some` while `k > 0` tasks are running
    /// (Go's panic; the limit must be set while the group is idle). Removing
    /// the limit never panics, as in Go.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = go_waitgroup::errgroup::Group::<String>::new();
    /// g.set_limit(Some(0));
    /// assert!(!g.try_go(|| Ok(())));
    /// g.set_limit(Some(1));
    /// assert!(g.try_go(|| Ok(())));
    /// g.wait().unwrap();
    /// ```
    #[track_caller]
    pub fn set_limit(&self, limit: Option<usize>) {
        let mut slots = self.shared.slots.lock();
        if limit.is_some() && slots.active != 0 {
            let active = slots.active;
            drop(slots);
            panic!(
                "errgroup: modify limit while {active} goroutines in the group are still active"
            );
        }
        slots.limit = limit;
        // A larger limit, or none, may admit blocked `go` calls.
        self.shared.slot_freed.notify_all();
    }
}

impl<E> Group<E>
where
    E: std::error::Error + Clone + Send + Sync + 'static,
{
    /// Creates a group and a context derived from `parent`, Go's
    /// `errgroup.WithContext`.
    ///
    /// The context is canceled the first time a task returns an error (its
    /// [cause](go_context::Context::cause) is that error), the first time
    /// [`wait`](Group::wait) returns, or when a task panics, whichever comes
    /// first; and, like every derived context, when `parent` is.
    ///
    /// # Examples
    ///
    /// ```
    /// use go_waitgroup::errgroup::Group;
    ///
    /// let (g, ctx) = Group::<std::fmt::Error>::with_context(&go_context::background());
    /// for task in 0..3 {
    ///     let ctx = ctx.clone();
    ///     g.go(move || {
    ///         if task == 0 {
    ///             return Err(std::fmt::Error);
    ///         }
    ///         ctx.wait(); // the others run until the first error cancels them
    ///         Ok(())
    ///     });
    /// }
    /// assert_eq!(g.wait(), Err(std::fmt::Error));
    /// let cause = ctx.cause().unwrap();
    /// assert!(cause.downcast_ref::<std::fmt::Error>().is_some());
    /// ```
    pub fn with_context(parent: &Context) -> (Group<E>, Context) {
        let (ctx, cancel) = ctx_impl::with_cancel_cause(parent);
        let cancel = move |err: Option<E>| {
            // A cause is a std `Arc`, in the loom instance too.
            cancel.cancel(err.map(|err| StdArc::new(err) as Cause));
        };
        (Self::with_cancel(Some(Box::new(cancel))), ctx)
    }
}

impl<E> Group<E>
where
    E: Clone + Send + 'static,
{
    /// Runs `f` on a new thread as a task of this group, Go's `Go`.
    ///
    /// With a limit set, this first blocks until a slot is free; the slot is
    /// taken before the task is counted, as in Go. The first task to return
    /// an error, in order of completion, sets the error [`wait`](Group::wait)
    /// returns and cancels the group's context, if it has one; later errors
    /// are dropped.
    ///
    /// # Panics
    ///
    /// A panic in `f` is caught on the task's thread (after the panic hook
    /// has printed it), frees the task's slot, cancels the group's context
    /// (if any, with no cause), and is never counted as completion:
    /// [`wait`](Group::wait) then panics with `errgroup: task panicked:
    /// <payload>`, on every call. So neither `wait` nor a blocked `go` can
    /// hang on a panicked task, and the failure cannot go unnoticed by
    /// whoever waits. (Go's errgroup lets the panic crash the process.)
    ///
    /// `go` itself panics with `waitgroup: failed to spawn a thread: <error>`
    /// if the operating system cannot start a thread.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = go_waitgroup::errgroup::Group::new();
    /// g.go(|| Err("first"));
    /// g.wait().unwrap_err();
    /// g.go(|| Err("second")); // dropped: the first error stays
    /// assert_eq!(g.wait(), Err("first"));
    /// ```
    #[track_caller]
    pub fn go<F>(&self, f: F)
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
    {
        let slot = Shared::acquire(&self.shared);
        self.start(slot, f);
    }

    /// Runs `f` as [`go`](Group::go) does, but only if a slot is free right
    /// now, Go's `TryGo`; returns whether the task was started.
    ///
    /// # Panics
    ///
    /// As [`go`](Group::go).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    ///
    /// let g = go_waitgroup::errgroup::Group::<String>::new();
    /// g.set_limit(Some(1));
    /// let (release, hold) = mpsc::channel::<()>();
    /// assert!(g.try_go(move || {
    ///     hold.recv().unwrap();
    ///     Ok(())
    /// }));
    /// assert!(!g.try_go(|| Ok(()))); // the only slot is taken
    /// release.send(()).unwrap();
    /// g.wait().unwrap();
    /// assert!(g.try_go(|| Ok(())));
    /// # g.wait().unwrap();
    /// ```
    #[track_caller]
    pub fn try_go<F>(&self, f: F) -> bool
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
    {
        match Shared::try_acquire(&self.shared) {
            Some(slot) => {
                self.start(slot, f);
                true
            }
            None => false,
        }
    }

    #[track_caller]
    fn start<F>(&self, slot: Slot<E>, f: F)
    where
        F: FnOnce() -> Result<(), E> + Send + 'static,
    {
        // If the thread cannot start, the closure and its slot are dropped.
        self.shared.wg.go(move || {
            if let Err(err) = f() {
                slot.shared.record(err);
            }
            // Go's `g.done()`: the slot is freed before the task is counted
            // done, so after `wait` no slot is taken.
            drop(slot);
        });
    }

    /// Blocks until every task has finished, then returns the first error,
    /// Go's `Wait`.
    ///
    /// It always cancels the group's context, if it has one (with cause
    /// [`go_context::Error::Canceled`] when no task failed). It may be called
    /// again, after more tasks: it returns the first error of the group's
    /// whole life.
    ///
    /// # Errors
    ///
    /// The first error returned by a task, in order of completion.
    ///
    /// # Panics
    ///
    /// With `errgroup: task panicked: <payload>` if a task panicked (see
    /// [`go`](Group::go)), after canceling the context.
    ///
    /// # Examples
    ///
    /// ```
    /// let (g, ctx) = go_waitgroup::errgroup::Group::<std::fmt::Error>::with_context(&go_context::background());
    /// g.go(|| Ok(()));
    /// assert_eq!(g.wait(), Ok(()));
    /// assert_eq!(ctx.err(), Some(go_context::Error::Canceled)); // Wait cancels
    /// ```
    #[track_caller]
    pub fn wait(&self) -> Result<(), E> {
        let outcome = self.shared.wg.wait_outcome();
        if let Some(cancel) = &self.shared.cancel {
            // A first error has already canceled with itself as the cause
            // (the task did so before it was counted done); otherwise Go's
            // `cancel(nil)`.
            cancel(None);
        }
        if let Outcome::TaskPanicked(payload) = outcome {
            panic!("errgroup: task panicked: {payload}");
        }
        match self.shared.first_err.lock().clone() {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }
}

impl<E> Shared<E> {
    /// Takes a slot, blocking while the group is at its limit (Go's
    /// `g.sem <- token{}`).
    fn acquire(shared: &Arc<Self>) -> Slot<E> {
        let mut slots = shared.slots.lock();
        while slots.full() {
            // Pairs with the lock-then-notify in `Slot::drop` and `set_limit`.
            slots = shared.slot_freed.wait(slots);
        }
        slots.active += 1;
        Slot {
            shared: Arc::clone(shared),
        }
    }

    fn try_acquire(shared: &Arc<Self>) -> Option<Slot<E>> {
        let mut slots = shared.slots.lock();
        if slots.full() {
            return None;
        }
        slots.active += 1;
        Some(Slot {
            shared: Arc::clone(shared),
        })
    }

    /// Keeps the first error and cancels the context with it (Go's
    /// `errOnce.Do`).
    fn record(&self, err: E)
    where
        E: Clone,
    {
        {
            let mut first = self.first_err.lock();
            if first.is_some() {
                return;
            }
            *first = Some(err.clone());
        }
        // Only the first error gets here, so the context's cause is always
        // the error `wait` returns. Canceling runs the context's wakers:
        // never under our lock.
        if let Some(cancel) = &self.cancel {
            cancel(Some(err));
        }
    }
}

impl<E> Drop for Slot<E> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The task is panicking: tell its siblings to stop.
            if let Some(cancel) = &self.shared.cancel {
                cancel(None);
            }
        }
        let mut slots = self.shared.slots.lock();
        slots.active -= 1;
        // Lock, then notify: pairs with the `full` check in `acquire`.
        self.shared.slot_freed.notify_one();
    }
}

impl<E> Clone for Group<E> {
    /// Another handle to the same group.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = go_waitgroup::errgroup::Group::<String>::new();
    /// let spawner = g.clone();
    /// g.go(move || {
    ///     spawner.go(|| Ok(())); // a task starting a task
    ///     Ok(())
    /// });
    /// g.wait().unwrap();
    /// ```
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<E> Default for Group<E> {
    /// The same as [`Group::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// let g = go_waitgroup::errgroup::Group::<String>::default();
    /// assert_eq!(g.wait(), Ok(()));
    /// ```
    fn default() -> Self {
        Self::new()
    }
}

impl<E> fmt::Debug for Group<E> {
    /// Shows the running tasks, the limit, and whether a task has failed.
    ///
    /// # Examples
    ///
    /// ```
    /// let g = go_waitgroup::errgroup::Group::<String>::new();
    /// g.set_limit(Some(4));
    /// assert_eq!(format!("{g:?}"), "Group { active: 0, limit: Some(4), failed: false }");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (active, limit) = {
            let slots = self.shared.slots.lock();
            (slots.active, slots.limit)
        };
        let failed = self.shared.first_err.lock().is_some();
        f.debug_struct("Group")
            .field("active", &active)
            .field("limit", &limit)
            .field("failed", &failed)
            .finish()
    }
}
