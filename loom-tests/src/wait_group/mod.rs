//! Models of the `go-waitgroup` crate: `WaitGroup` and `errgroup`.
//!
//! Laid out as the context models are: a trait for the slice of the API the
//! models drive ([`WaitGroups`], [`ErrGroups`]), implemented by the real
//! crate (`go_waitgroup::loom`, in [`real`]) and by a textbook
//! ([`textbook`]); one file per kind of race, each with its models and the
//! textbook's broken twins that they reject:
//!
//! | race file | models | twins |
//! |---|---|---|
//! | [`wait`] | `wait` and the last `done` (models 10, 11) | `RelaxedCounter`, `NotifyOne`, `CheckThenSleep` |
//! | [`errgroup`] | the first error (model 12); the limit, `try_go`, a sibling stopped by an error or a panic | `CheckThenRecord` |
//! | [`waiting`] | `wait_context`; a task panic failing every wait | none |
//! | [`misuse`] | an `add` racing the release of a waiter | none |
//!
//! The models of what the textbook does not have (`wait_context`, the
//! task-panic path, the error group's limit, Go's misuse panics) run against the real crate
//! alone, and seeded bugs (`scripts/seed-bugs.py`) check them.

use std::fmt;

use ::go_context::loom::Context;

pub mod real;
pub mod textbook;

pub mod errgroup;
pub mod misuse;
pub mod wait;
pub mod waiting;

/// Go's `sync.WaitGroup`, as the models use it.
pub trait WaitGroups: 'static {
    /// A handle to one group; clones share it.
    type Group: Clone + Send + Sync + 'static;

    /// `WaitGroup::new()`.
    fn new() -> Self::Group;
    /// `wg.add(delta)`.
    fn add(wg: &Self::Group, delta: isize);
    /// `wg.done()`.
    fn done(wg: &Self::Group);
    /// `wg.wait()`.
    fn wait(wg: &Self::Group);
}

/// `errgroup` with a context, as the models use it.
pub trait ErrGroups: 'static {
    /// A group whose tasks fail with [`TaskError`].
    type Group: Send + Sync + 'static;

    /// `Group::with_context(parent)`.
    fn with_context(parent: &Context) -> (Self::Group, Context);
    /// `g.go(f)`: runs `f` on a new (loom) thread.
    fn go(g: &Self::Group, f: impl FnOnce() -> Result<(), TaskError> + Send + 'static);
    /// `g.wait()`.
    fn wait(g: &Self::Group) -> Result<(), TaskError>;
}

/// The error the models' tasks fail with: its text is its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskError(pub &'static str);

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TaskError {}
