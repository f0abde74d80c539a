//! Go's `context` package for Rust: cancellation trees, deadlines, causes and
//! request-scoped values, for threads, `crossbeam_channel::select!` and async
//! code alike.
//!
//! The crate is `go-context` (imported as `go_context`) because the name
//! `context` on crates.io belongs to an unrelated coroutine library.
//!
//! A [`Context`] carries a deadline, a cancellation signal and values across
//! API boundaries and threads. Contexts form a tree: canceling one cancels
//! every context derived from it, synchronously, and removes it from its
//! parent.
//!
//! # The API
//!
//! Roots:
//! - [`background`]: the root of a tree; never canceled, no values, no deadline.
//! - [`todo()`]: the same, for "not sure which context yet".
//!
//! Derived contexts:
//! - [`with_cancel`], [`with_cancel_cause`]: canceled by a handle or by the parent.
//! - [`with_deadline`], [`with_deadline_cause`]: canceled when an instant passes.
//! - [`with_timeout`], [`with_timeout_cause`]: canceled after a duration.
//! - [`with_value`]: carries a value under a typed [`Key`].
//! - [`without_cancel`]: keeps values, drops cancellation.
//!
//! Handles and callbacks:
//! - [`CancelFunc`], [`CancelCauseFunc`]: cancel explicitly or on drop.
//! - [`after_func`] and [`AfterFunc`]: run a callback once a context is done.
//!
//! Reading a context: [`Context::deadline`], [`Context::done`],
//! [`Context::err`], [`Context::value`] (Go's four methods), plus
//! [`Context::cause`] (and [`cause`]), [`Context::is_done`],
//! [`Context::wait`], [`Context::wait_timeout`], [`Context::wait_deadline`]
//! and [`Context::wait_async`] ([`WaitAsync`]).
//!
//! Errors: [`Error`] (`Canceled`, `DeadlineExceeded`) and [`Cause`].
//!
//! Async code: [`Context::wait_async`] is tested on tokio (multi-threaded, in
//! `select!`), futures' `LocalPool` and async-executor; the crate itself
//! depends on no runtime. To go between a context and tokio-util's
//! `CancellationToken`, copy the bridge in `examples/tokio_bridge.rs`: it is
//! an example, not a feature, because each direction needs a task on your
//! runtime, and naming tokio-util's 0.x type here would tie this crate's
//! semver to it.
//! Tests: with the `test-util` feature, the `testing` module fires deadlines
//! on demand and counts what the tree holds (see [Features](#features)).
//!
//! # Go → Rust
//!
//! | Go | Rust |
//! |---|---|
//! | `context.Context` | [`Context`] (a cheap `Clone + Send + Sync` handle) |
//! | `context.Background()`, `context.TODO()` | [`background()`], [`todo()`] |
//! | `ctx, cancel := context.WithCancel(p)` | `let (ctx, cancel) = go_context::with_cancel(&p);` |
//! | `defer cancel()` | nothing: dropping [`CancelFunc`] cancels; [`CancelFunc::disarm`] opts out |
//! | `context.WithDeadline(p, t)`, `WithTimeout(p, d)` | [`with_deadline(&p, instant)`](with_deadline), [`with_timeout(&p, duration)`](with_timeout) |
//! | `context.WithCancelCause(p)`, `cancel(err)` | [`with_cancel_cause`], `cancel.cancel(Some(Arc::new(err)))` |
//! | `context.WithDeadlineCause`, `WithTimeoutCause` | [`with_deadline_cause`], [`with_timeout_cause`] |
//! | `context.Cause(ctx)` | [`ctx.cause()`](Context::cause) or [`cause(&ctx)`](cause) |
//! | `context.WithValue(p, k, v)`, `ctx.Value(k).(T)` | [`with_value(&p, &KEY, v)`](with_value), [`ctx.value(&KEY)`](Context::value) → `Option<&T>` |
//! | `type key int` (unexported key type) | `static KEY: Key<T> = Key::new("name");` |
//! | `context.WithoutCancel(p)` | [`without_cancel(&p)`](without_cancel) |
//! | `stop := context.AfterFunc(ctx, f)`, `stop()` | [`let link = after_func(&ctx, f)`](after_func), [`link.stop()`](AfterFunc::stop) |
//! | `ctx.Deadline()` | [`ctx.deadline()`](Context::deadline) → `Option<Instant>` |
//! | `ctx.Err()` | [`ctx.err()`](Context::err) → `Option<Error>` |
//! | `<-ctx.Done()` | [`ctx.wait()`](Context::wait), or [`ctx.wait_async().await`](Context::wait_async) |
//! | `select { case <-ctx.Done(): … default: }` | [`ctx.is_done()`](Context::is_done) |
//! | `select { case <-ctx.Done(): … case v := <-ch: … }` | `select! { recv(ctx.done()) -> _ => …, recv(ch) -> v => … }` |
//! | `context.Canceled`, `context.DeadlineExceeded` | [`Error::Canceled`], [`Error::DeadlineExceeded`] |
//! | passing a `nil` context (a runtime panic) | impossible: there is no null `Context` |
//!
//! # Cancellation
//!
//! Canceling a context cancels its whole subtree before the call returns,
//! removes it from its parent (so a long-lived parent does not grow with its
//! short-lived children), and stops its timer. It does not wait for the work
//! watching those contexts; pair it with a wait group for that.
//!
//! ```
//! let (root, cancel) = go_context::with_cancel(&go_context::background());
//! let (a, _cancel_a) = go_context::with_cancel(&root);
//! let (b, _cancel_b) = go_context::with_cancel(&a);
//!
//! cancel.cancel();
//! assert!(a.is_done() && b.is_done());
//! ```
//!
//! # Deadlines
//!
//! A deadline cancels with [`Error::DeadlineExceeded`]; a child never outlives
//! its parent's deadline.
//!
//! ```
//! use std::time::Duration;
//!
//! let (parent, _cancel) = go_context::with_timeout(&go_context::background(), Duration::from_millis(10));
//! let (child, _cancel) = go_context::with_timeout(&parent, Duration::from_secs(3600));
//! assert_eq!(child.deadline(), parent.deadline()); // the earlier one wins
//! assert_eq!(child.wait(), go_context::Error::DeadlineExceeded);
//! ```
//!
//! # Values
//!
//! ```
//! use go_context::Key;
//!
//! static REQUEST_ID: Key<u64> = Key::new("request_id");
//!
//! let (ctx, _cancel) = go_context::with_cancel(&go_context::background());
//! let ctx = go_context::with_value(&ctx, &REQUEST_ID, 42);
//! assert_eq!(ctx.value(&REQUEST_ID), Some(&42));
//! assert_eq!(ctx.to_string(), "context.Background.WithCancel.WithValue(request_id, 42)");
//! ```
//!
//! # Misuse
//!
//! Go's context panics on a nil parent and a nil or non-comparable key; none
//! of those can be written in Rust. The crate's only panic is a failure of the
//! operating system to start a thread (the timer thread, or an
//! [`after_func`] callback's); the crate stays usable after it, and the next
//! deadline starts the timer thread again. Everything else is a value: an
//! error, `None`, or `false`.
//!
//! # Memory and ownership
//!
//! A context owns its parent, never the other way round: a parent refers to
//! its cancelable children weakly. So when the last clone of a context, its
//! cancel handle and every context derived from it are gone, the context
//! leaves its parent and is freed at once, canceled or not, disarmed or not,
//! and its timer goes with it. (Go keeps such a context registered with its
//! parent until the parent is canceled, and relies on its garbage collector
//! for the rest.) Callbacks registered with [`after_func`] are owned by the
//! context they wait on and go with it; the [`AfterFunc`] link keeps that
//! context alive.
//!
//! # Limits
//!
//! None that depends on the shape of a tree. Canceling walks the subtree with
//! an explicit work list, holding one node's lock at a time; dropping a chain
//! and printing it are loops too. So a chain a million contexts deep is
//! canceled, expired, printed and dropped on a thread with a 2 MiB stack, and
//! a parent with a hundred thousand children cancels them all, in time and
//! memory proportional to the tree (the crate's `deep` and `churn` tests).
//!
//! A plain cancelable context ([`with_cancel`]) is one allocation of 96
//! bytes, reference counts included; what few contexts use (a cause,
//! blocked threads, the done channel, wakers, a deadline's timer) lives out
//! of line, allocated on first use. Its first child is kept in place, so a
//! chain costs one allocation per link; further children of one parent cost
//! a pointer each in its table.
//!
//! A [`with_value`] context keeps its value in place, as Go's `valueCtx`
//! does: with a value of one word, one allocation of 56 bytes, where Go's is
//! 48 bytes before the reference counts.
//!
//! # Threads the crate starts
//!
//! One timer thread, `context-timer`, started by the first deadline and kept
//! for the life of the process; and one short-lived thread per [`after_func`]
//! callback that runs. Nothing else: a context never needs a watcher thread.
//!
//! Deadlines are kept in sharded timing wheels of one-millisecond slots:
//! arming and stopping one costs the same with forty or four hundred thousand
//! live, and a deadline fires at or after its instant, never before, and
//! within about a millisecond of it on a machine that is not overloaded.
//!
//! # How it is built
//!
//! ```text
//! src/
//! ├── lib.rs           these docs and the public names
//! ├── error.rs, key.rs Error, Cause and Key: plain values
//! ├── children.rs      a node's table of children (no synchronisation)
//! ├── sync.rs          the one place primitives come from (std or loom)
//! ├── threads.rs       the core over std: what you run
//! ├── loom.rs          the same core over loom, for the model checks
//! └── concurrent/      the core, compiled by both, in dependency order:
//!     ├── deadline.rs, after_func.rs, cancel.rs, context.rs, wait.rs
//!     │                the API: constructors, handles, the Context type
//!     ├── link.rs      the chain of links behind every context
//!     ├── value.rs     a value link, the value in place
//!     ├── tree.rs      how a cancel reaches every descendant
//!     ├── canceler.rs  one node of the cancellation tree
//!     ├── sleeper.rs   threads blocked on a node, woken by relay
//!     └── timer.rs     the process-wide deadline queue
//! ```
//!
//! Each module depends only on the ones listed below it, and each file's own
//! docs state the invariants it keeps. The only `unsafe` code is the chain's
//! pointer, which tells a value link from the others by its low bit
//! (`link.rs`), and the value link's table of what depends on its value's
//! type (`value.rs`): so that a value lives in its link's allocation while a
//! context stays one pointer wide. One more line in `link.rs` drops a link's
//! layer by hand, and skips it when its canceler owns no memory, as every
//! plain link does once canceled (its drop glue was a quarter of that
//! link's drop). The rest of the crate denies `unsafe`.
//!
//! # Features
//!
//! None is on by default, and the API above needs none.
//!
//! - `test-util`: the `testing` module, hooks for your own tests: fire a
//!   context's deadline now, count armed timers, registered children and
//!   wakers, and make the crate's next thread starts fail as if the operating
//!   system had refused them. They reach process-wide state, so they exist
//!   only when asked for, as a dev-dependency:
//!   `go-context = { version = "0.1", features = ["test-util"] }`.
//! - `loom`: for the model checks of this crate's own repository, not for
//!   users. It builds a second copy of the concurrent core over
//!   [loom](https://docs.rs/loom)'s primitives, hidden from these docs, and
//!   turns on `test-util`.
//! - `shuttle`: the same, over [shuttle](https://docs.rs/shuttle)'s
//!   primitives, for the repository's randomized checks of configurations
//!   too large for loom.
#![doc(test(attr(deny(warnings))))]
#![cfg_attr(docsrs, feature(doc_cfg))]
// The chain's pointer, the layer's drop and the value link
// (`concurrent/link.rs`, `concurrent/value.rs`) are the only `unsafe` code,
// allowed there alone.
#![deny(unsafe_code)]

mod children;
mod error;
mod key;
mod sync;
mod wheel;

pub use error::{Cause, Error};
pub use key::Key;

// The concurrent core (`concurrent/`) is compiled twice from the same files:
// once over std's primitives (`threads`, what users run) and, under the
// `loom` feature, once over loom's (`loom`, what the models check). Each
// instance is a plain module file that picks its primitives and declares the
// core with `#[path]`, so every tool that follows `mod` items sees it.
mod threads;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub use threads::testing;
pub use threads::{
    AfterFunc, CancelCauseFunc, CancelFunc, Context, WaitAsync, after_func, background, todo,
    with_cancel, with_cancel_cause, with_deadline, with_deadline_cause, with_timeout,
    with_timeout_cause, with_value, without_cancel,
};

#[cfg(feature = "loom")]
#[doc(hidden)]
pub mod loom;

// A third instance, over shuttle's primitives, for randomized checks of
// configurations too large for loom.
#[cfg(feature = "shuttle")]
#[doc(hidden)]
pub mod shuttle;

/// Returns why `ctx` was canceled, Go's `context.Cause(ctx)`; the same as
/// [`Context::cause`].
///
/// # Examples
///
/// ```
/// let (ctx, cancel) = go_context::with_cancel(&go_context::background());
/// assert!(go_context::cause(&ctx).is_none());
/// cancel.cancel();
/// assert_eq!(go_context::cause(&ctx).unwrap().to_string(), "context canceled");
/// ```
pub fn cause(ctx: &Context) -> Option<Cause> {
    ctx.cause()
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
