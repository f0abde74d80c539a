//! Models of the `go-context` crate, one file per kind of race: in each,
//! the models (one generic `pub fn` per race, with its preemption bound) and,
//! in its `twins` module, the broken twins those models must reject.
//!
//! Every model is written once, generic over [`Contexts`] (the slice of the
//! context API the models drive, with causes simplified to strings so that
//! assertions can compare them), and run against the real crate
//! ([`Real`](crate::Real), in [`real`]), against a textbook implementation
//! and against that textbook's broken twins:
//!
//! - [`textbook`]: [`Textbook`](textbook::Textbook), Go's design written
//!   plainly over loom's primitives, every step a default method of
//!   [`Steps`](textbook::Steps); it passes every model of Go's promises.
//! - [`iterative_textbook`]: the crate's own design (weak links to children,
//!   a cancel that walks the subtree one node lock at a time), every step a
//!   default method of [`WalkSteps`](iterative_textbook::WalkSteps); it
//!   passes the models of the iterative cancel, which ask only for the tree,
//!   [`Trees`], the first part of [`Contexts`].
//!
//! Each twin is a textbook with one step replaced by the naive version a
//! reasonable person writes first, and one model rejects it. Because a twin
//! differs from a passing implementation in that one step, its failure is
//! that step's fault.
//!
//! | race file | models | twins |
//! |---|---|---|
//! | [`tree`] | deriving, canceling and dropping handles | `CheckThenRegister`, `CascadeOverwrites`, `TornCause`, `DropSkipsDetach`, `SharedCancel` |
//! | [`done`] | done observed, and the error | `SignalBeforeErr`, `ErrSkipsDone`, `DoneFastPath` |
//! | [`wakeup`] | waiters woken by a cancel | `LostWakeup`, `StaleWakerSlot` |
//! | [`deadline`] | a deadline fired while canceled | `FiredTimerLeaks` |
//! | [`after_func`] | `AfterFunc`'s `stop`, and its context dropped | `StopCheckThenSet` |
//! | [`iterative`] | the iterative cancel | `LoserReturnsEarly`, `SplitClaim`, `WalkStopsAtDeadChild`, `UnlinkWholeChain` |
//! | [`timer`] | the timer queue and its thread, on the logical clock (the real crate only; seeded bugs check them) | none |
//!
//! Every thread a model spawns is joined, except the threads the
//! implementation itself starts (`after_func` callbacks, the timer thread),
//! which the models wait for in a bounded loop (or stop, for the timer).

#[macro_use]
pub mod iterative_textbook;
pub mod textbook;

pub mod after_func;
pub mod deadline;
pub mod done;
pub mod iterative;
pub mod real;
pub mod timer;
pub mod tree;
pub mod wakeup;

use std::future::Future;
use std::pin::Pin;

pub use go_context::Error;

/// A future completing with the error a waiter sees once it is woken.
pub type WaitFuture = Pin<Box<dyn Future<Output = Option<Error>> + Send>>;

/// The part of the context API the tree's models drive: deriving, canceling,
/// letting go, and reading what a cancel left behind.
///
/// Every [`Contexts`] implementation provides it. The iterative textbook
/// ([`iterative_textbook`]), which has only a tree,
/// provides just this, and the models of the iterative cancel
/// ([`iterative`]) ask for no more.
pub trait Trees: 'static {
    /// A context handle, Go's `context.Context`.
    type Context: Clone + Send + Sync + 'static;
    /// A cancel handle; dropping it cancels, as `CancelCauseFunc` does.
    type Cancel: Send + Sync + 'static;

    /// A cancelable root: `with_cancel_cause(&background())`.
    fn root() -> (Self::Context, Self::Cancel);
    /// `with_cancel_cause(parent)`.
    fn with_cancel(parent: &Self::Context) -> (Self::Context, Self::Cancel);
    /// `cancel.cancel(cause)`, where `None` is Go's `cancel(nil)`. A handle
    /// from [`with_timeout`](Contexts::with_timeout) takes no cause.
    fn cancel(cancel: &Self::Cancel, cause: Option<&'static str>);
    /// `cancel.disarm()`: lets go of the handle without canceling.
    fn disarm(cancel: Self::Cancel);
    /// `ctx.err()`.
    fn err(ctx: &Self::Context) -> Option<Error>;
    /// `ctx.cause()`, as its `Display` text.
    fn cause(ctx: &Self::Context) -> Option<String>;
    /// `testing::child_count(ctx)`.
    fn child_count(ctx: &Self::Context) -> usize;
}

/// The part of Go's context API the models exercise: the tree ([`Trees`])
/// and everything else.
///
/// Each method names the `context` item it stands for.
pub trait Contexts: Trees {
    /// The link returned by `after_func`.
    type AfterFunc: Send + Sync + 'static;
    /// The channel returned by `done()`.
    type Done: Send + Sync + 'static;

    /// `with_value(parent, &KEY, 1)`: a layer with no cancel state of its own.
    fn with_value(parent: &Self::Context) -> Self::Context;
    /// `without_cancel(parent)`.
    fn without_cancel(parent: &Self::Context) -> Self::Context;
    /// `with_timeout_cause(parent, one hour, Some("deadline"))`. The deadline
    /// never passes by itself inside a model: fire it with [`expire`].
    ///
    /// [`expire`]: Contexts::expire
    fn with_timeout(parent: &Self::Context) -> (Self::Context, Self::Cancel);
    /// `after_func(ctx, f)`.
    fn after_func(ctx: &Self::Context, f: impl FnOnce() + Send + 'static) -> Self::AfterFunc;
    /// `link.stop()`.
    fn stop(link: &Self::AfterFunc) -> bool;

    /// `ctx.is_done()`.
    fn is_done(ctx: &Self::Context) -> bool;
    /// `ctx.wait()`: blocks until done; returns the error it reports.
    fn wait(ctx: &Self::Context) -> Option<Error>;
    /// `ctx.wait_async()`.
    fn wait_async(ctx: &Self::Context) -> WaitFuture;
    /// `ctx.done()`.
    fn done(ctx: &Self::Context) -> Self::Done;
    /// Whether `done` is closed, by `try_recv` (the only way to look at a
    /// done channel inside a model: a blocking receive would hang it).
    fn is_closed(done: &Self::Done) -> bool;

    /// `testing::expire(ctx)`: fires the deadline now; whether it canceled.
    fn expire(ctx: &Self::Context) -> bool;
    /// `testing::pending_timers()`.
    fn pending_timers() -> usize;
}
