//! Go's `sync.WaitGroup` (Go 1.25, with its `Go` method and its misuse
//! panics) and `golang.org/x/sync/errgroup`, for Rust threads.
//!
//! The first of Go's three ways to control goroutines: *wait* for a group of
//! goroutines that each do part of one job; the job is done when all of them
//! are.
//!
//! # The API
//!
//! Waiting for a group:
//! - [`WaitGroup`]: a counter of unfinished tasks; a cheap, cloneable handle.
//! - [`WaitGroup::go`], [`WaitGroup::go_scoped`]: run a task on a new thread
//!   and count it (Go 1.25's `wg.Go`).
//! - [`WaitGroup::task`]: count a task and hand it to a thread pool (rayon's,
//!   say) instead: Go 1.25's `wg.Go` at the cost of queuing a closure.
//! - [`WaitGroup::add`], [`WaitGroup::done`]: count tasks by hand.
//! - [`WaitGroup::wait`], [`WaitGroup::wait_timeout`],
//!   [`WaitGroup::wait_context`]: block until the counter is zero, or give up
//!   on a timeout or a done [`go_context::Context`].
//!
//! Tasks that can fail:
//! - [`errgroup`]: the module, Go's `golang.org/x/sync/errgroup`.
//! - [`errgroup::Group`], with [`new`](errgroup::Group::new),
//!   [`with_context`](errgroup::Group::with_context),
//!   [`go`](errgroup::Group::go), [`try_go`](errgroup::Group::try_go),
//!   [`set_limit`](errgroup::Group::set_limit),
//!   [`wait`](errgroup::Group::wait) → the first error.
//!
//! # Go → Rust
//!
//! | Go | Rust |
//! |---|---|
//! | `var wg sync.WaitGroup` | `let wg = WaitGroup::new();` |
//! | `wg.Add(1); go func() { defer wg.Done(); … }()` | `wg.add(1); let wg2 = wg.clone(); thread::spawn(move \|\| { …; wg2.done() });` |
//! | `wg.Go(func() { … })` | [`wg.go(move \|\| { … })`](WaitGroup::go) |
//! | the same, on a thread pool | [`rayon::spawn(wg.task(move \|\| { … }))`](WaitGroup::task) |
//! | `wg.Wait()` | [`wg.wait()`](WaitGroup::wait) |
//! | `go func() { wg.Wait(); close(done) }()` + `select` with a timeout or `ctx.Done()` | [`wg.wait_timeout(d)`](WaitGroup::wait_timeout), [`wg.wait_context(&ctx)`](WaitGroup::wait_context) |
//! | `var g errgroup.Group`, `g.Go(f)`, `g.Wait()` | [`errgroup::Group::new()`], [`g.go(f)`](errgroup::Group::go), [`g.wait()`](errgroup::Group::wait) |
//! | `g, ctx := errgroup.WithContext(ctx)` | [`let (g, ctx) = Group::with_context(&ctx);`](errgroup::Group::with_context) |
//! | `g.SetLimit(n)`, `g.TryGo(f)` | [`g.set_limit(Some(n))`](errgroup::Group::set_limit), [`g.try_go(f)`](errgroup::Group::try_go) |
//!
//! # Waiting for a group
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use go_waitgroup::WaitGroup;
//!
//! let wg = WaitGroup::new();
//! let parts = Arc::new(Mutex::new(Vec::new()));
//! for worker in 1..=3 {
//!     let parts = Arc::clone(&parts);
//!     wg.go(move || parts.lock().unwrap().push(worker * 10));
//! }
//! wg.wait(); // every part is done
//! let mut parts = parts.lock().unwrap().clone();
//! parts.sort();
//! assert_eq!(parts, [10, 20, 30]);
//! ```
//!
//! A `WaitGroup` is reusable: once every wait has returned, start the next
//! batch.
//!
//! # Giving up: timeouts and contexts
//!
//! ```
//! use std::time::Duration;
//! use go_waitgroup::WaitGroup;
//!
//! let wg = WaitGroup::new();
//! wg.add(1); // a task that is late
//! assert!(!wg.wait_timeout(Duration::from_millis(5)));
//!
//! let (ctx, cancel) = go_context::with_cancel(&go_context::background());
//! cancel.cancel();
//! assert_eq!(wg.wait_context(&ctx), Err(go_context::Error::Canceled));
//! wg.done();
//! assert!(wg.wait_timeout(Duration::ZERO));
//! ```
//!
//! # Tasks that fail: errgroup
//!
//! ```
//! use go_waitgroup::errgroup::Group;
//!
//! let (g, ctx) = Group::<std::fmt::Error>::with_context(&go_context::background());
//! g.go(|| Err(std::fmt::Error));
//! let sibling = ctx.clone();
//! g.go(move || {
//!     sibling.wait(); // stops once the first error cancels the context
//!     Ok(())
//! });
//! assert_eq!(g.wait(), Err(std::fmt::Error));
//! ```
//!
//! # Misuse and panics
//!
//! Where Go panics, this crate panics with Go's message; where Go crashes the
//! process on a task panic, a wait panics instead, so the failure can neither
//! hang the waiter nor pass for success.
//!
//! | Misuse | Outcome |
//! |---|---|
//! | counter below zero ([`add`](WaitGroup::add), [`done`](WaitGroup::done)) | panic `sync: negative WaitGroup counter` |
//! | an `add` from zero racing with the release of waiters | panic `sync: WaitGroup misuse: Add called concurrently with Wait` (best effort, as in Go) |
//! | a new batch started before every wait of the last one returned | the released wait panics `sync: WaitGroup is reused before previous Wait has returned` (best effort, as in Go) |
//! | a `delta` that does not fit the 32-bit counter | panic `sync: WaitGroup delta out of range` (Go truncates) |
//! | a task started by [`go`](WaitGroup::go) or [`task`](WaitGroup::task) panics, or a [`task`](WaitGroup::task) is dropped before it ran | every wait on the group panics `sync: WaitGroup task panicked: <payload>` |
//! | an [`errgroup`] task panics | its context is canceled; [`wait`](errgroup::Group::wait) panics `errgroup: task panicked: <payload>` |
//! | a new limit while tasks are running | panic `errgroup: modify limit while <k> goroutines in the group are still active` |
//!
//! ```
//! use std::panic::{AssertUnwindSafe, catch_unwind};
//!
//! let wg = go_waitgroup::WaitGroup::new();
//! let err = catch_unwind(AssertUnwindSafe(|| wg.done())).unwrap_err();
//! assert_eq!(err.downcast_ref::<String>().unwrap(), "sync: negative WaitGroup counter");
//! ```
//!
//! # How it is built
//!
//! ```text
//! src/
//! ├── lib.rs          these docs and the public names
//! ├── sync.rs         the one place primitives come from (std or loom)
//! ├── threads.rs      the core over std and go-context: what you run
//! ├── loom.rs         the same core over loom and go_context::loom
//! ├── scoped.rs       WaitGroup::go_scoped (std only: loom has no scopes)
//! └── concurrent/     the core, compiled by both:
//!     ├── errgroup.rs   the error group, built on the wait group
//!     └── wait_group.rs the counter, its waiters and Go's misuse checks
//! ```
//!
//! # Model checking
//!
//! With the `loom` feature the crate also builds a second copy of
//! [`WaitGroup`] and [`errgroup`] over [loom](https://docs.rs/loom)'s
//! primitives and `go_context::loom`, for the workspace's model checks, and
//! with the `shuttle` feature a third over [shuttle](https://docs.rs/shuttle)'s
//! and `go_context::shuttle`, for its randomized checks. Neither is part of
//! the API.
#![doc(test(attr(deny(warnings))))]
#![forbid(unsafe_code)]

mod sync;

// The concurrent core (`concurrent/`) is compiled twice from the same files:
// once over std's primitives and `go_context` (`threads`, what users run)
// and, under the `loom` feature, once over loom's and `go_context::loom`
// (`loom`, what the models check). Each instance is a plain module file that
// picks its primitives and declares the core with `#[path]`, so every tool
// that follows `mod` items sees it.
mod threads;

pub use threads::{WaitGroup, errgroup};

// Scoped threads: the users' instance only (loom has none).
mod scoped;

#[cfg(feature = "loom")]
#[doc(hidden)]
pub mod loom;

// A third instance, over shuttle's primitives, for randomized checks of
// configurations too large for loom.
#[cfg(feature = "shuttle")]
#[doc(hidden)]
pub mod shuttle;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
