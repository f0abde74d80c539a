//! The textbook `WaitGroup` and `errgroup`, every step a default method.
//!
//! The wait group is a counter in an atomic, plus a mutex and a condition
//! variable for the waiters that must sleep: `add` changes the counter
//! (acquire-release, so the tasks' work travels with it), and the one that
//! brings it to zero notifies under the mutex; `wait` re-checks the counter
//! under that mutex before each sleep, so no wake-up is lost.
//!
//! The error group is Go's: a wait group, the first error under a mutex
//! (Go's `errOnce`), and the context's cancel called by whoever recorded it.

use std::marker::PhantomData;
use std::sync::Arc as StdArc;

use ::go_context::loom::{CancelCauseFunc, Cause, Context, with_cancel_cause};
use ::go_waitgroup::loom::WaitGroup;
use loom::sync::atomic::{AtomicIsize, Ordering};
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;

use super::{ErrGroups, TaskError, WaitGroups};

/// The state of one textbook wait group.
#[derive(Debug)]
pub struct State {
    /// The counter.
    pub count: AtomicIsize,
    /// Held to sleep, and to notify.
    pub lock: Mutex<()>,
    /// Waiters sleeping until the counter is zero.
    pub zero: Condvar,
}

/// The steps of the textbook wait group.
pub trait WaitGroupSteps: Sized + 'static {
    /// `add(delta)`: the add that reaches zero wakes every waiter, under the
    /// lock the waiters check under.
    fn add(state: &State, delta: isize) {
        let count = state.count.fetch_add(delta, Ordering::AcqRel) + delta;
        assert!(count >= 0, "sync: negative WaitGroup counter");
        if count == 0 {
            let _lock = state.lock.lock().unwrap();
            state.zero.notify_all();
        }
    }

    /// `wait()`: check under the lock, sleep, check again.
    fn wait(state: &State) {
        if state.count.load(Ordering::Acquire) == 0 {
            return;
        }
        let mut lock = state.lock.lock().unwrap();
        while state.count.load(Ordering::Acquire) != 0 {
            lock = state.zero.wait(lock).unwrap();
        }
    }
}

/// The correct textbook: every step as written above.
#[derive(Debug)]
pub struct Textbook;

impl WaitGroupSteps for Textbook {}

/// A textbook wait group handle.
#[derive(Debug)]
pub struct Group<S> {
    state: Arc<State>,
    steps: PhantomData<fn() -> S>,
}

impl<S> Clone for Group<S> {
    fn clone(&self) -> Self {
        Group {
            state: self.state.clone(),
            steps: PhantomData,
        }
    }
}

impl<S: WaitGroupSteps> WaitGroups for S {
    type Group = Group<S>;

    fn new() -> Group<S> {
        Group {
            state: Arc::new(State {
                count: AtomicIsize::new(0),
                lock: Mutex::new(()),
                zero: Condvar::new(),
            }),
            steps: PhantomData,
        }
    }

    fn add(wg: &Group<S>, delta: isize) {
        S::add(&wg.state, delta);
    }

    fn done(wg: &Group<S>) {
        S::add(&wg.state, -1);
    }

    fn wait(wg: &Group<S>) {
        S::wait(&wg.state);
    }
}

/// The state of one textbook error group.
pub struct Shared {
    /// Counts the running tasks (the real crate's, checked by its own models).
    pub wg: WaitGroup,
    /// The first error, Go's `errOnce` and `err`.
    pub first: Mutex<Option<TaskError>>,
    /// Cancels the group's context.
    pub cancel: CancelCauseFunc,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

/// The context's cause for an error.
pub fn cause(err: TaskError) -> Cause {
    StdArc::new(err)
}

/// The steps of the textbook error group.
pub trait ErrGroupSteps: Sized + 'static {
    /// A task failed: only the first error is kept, and only whoever kept it
    /// cancels the context with it (after releasing the lock).
    fn record(shared: &Shared, err: TaskError) {
        {
            let mut first = shared.first.lock().unwrap();
            if first.is_some() {
                return;
            }
            *first = Some(err);
        }
        shared.cancel.cancel(Some(cause(err)));
    }
}

impl ErrGroupSteps for Textbook {}

/// A textbook error group.
#[derive(Debug)]
pub struct ErrGroup<S> {
    shared: Arc<Shared>,
    steps: PhantomData<fn() -> S>,
}

impl<S: ErrGroupSteps> ErrGroups for S {
    type Group = ErrGroup<S>;

    fn with_context(parent: &Context) -> (ErrGroup<S>, Context) {
        let (ctx, cancel) = with_cancel_cause(parent);
        let shared = Arc::new(Shared {
            wg: WaitGroup::new(),
            first: Mutex::new(None),
            cancel,
        });
        let steps = PhantomData;
        (ErrGroup { shared, steps }, ctx)
    }

    fn go(g: &ErrGroup<S>, f: impl FnOnce() -> Result<(), TaskError> + Send + 'static) {
        g.shared.wg.add(1);
        let shared = g.shared.clone();
        thread::spawn(move || {
            if let Err(err) = f() {
                S::record(&shared, err);
            }
            shared.wg.done();
        });
    }

    fn wait(g: &ErrGroup<S>) -> Result<(), TaskError> {
        g.shared.wg.wait();
        let first = *g.shared.first.lock().unwrap();
        g.shared.cancel.cancel(first.map(cause)); // Go: cancel(g.err)
        first.map_or(Ok(()), Err)
    }
}
