//! Go's `select` + `close(stop)` pattern on
//! [crossbeam-channel](https://docs.rs/crossbeam-channel): one close tells
//! every worker to stop.
//!
//! The second of Go's three ways to control goroutines: each background
//! goroutine keeps watching a channel in its `select`, and the controlling
//! goroutine closes it to tell them all, at once, to finish. This crate gives
//! the pattern a small, misuse-proof type pair; the examples show the shapes
//! the workers take and where the pattern stops scaling.
//!
//! # The API
//!
//! - [`stop_channel()`]: make a stop channel, Go's `make(chan struct{})`.
//! - [`StopSource`]: the closing side; [`close`](StopSource::close) (or drop)
//!   is Go's `close(stop)`, idempotent; [`signal`](StopSource::signal) makes
//!   watchers; [`is_closed`](StopSource::is_closed).
//! - [`StopSignal`]: the watching side, cheap to clone; it dereferences to a
//!   [`crossbeam_channel::Receiver<()>`] for `select!` arms
//!   ([`receiver`](StopSignal::receiver)), and can be polled
//!   ([`is_closed`](StopSignal::is_closed)) or blocked on
//!   ([`wait`](StopSignal::wait), [`wait_timeout`](StopSignal::wait_timeout)).
//!
//! # Go → Rust
//!
//! | Go | Rust |
//! |---|---|
//! | `stop := make(chan struct{})` | `let (stop, stopped) = stop_channel();` |
//! | `go worker(stop)` | `let stopped = stopped.clone(); thread::spawn(move \|\| worker(stopped));` |
//! | `case <-stop: return` | `recv(stopped) -> _ => return,` in [`crossbeam_channel::select!`] |
//! | `select { case <-stop: …; default: … }` | `select! { recv(stopped) -> _ => …, default => … }`, or [`stopped.is_closed()`](StopSignal::is_closed) |
//! | `close(stop)` | [`stop.close()`](StopSource::close), or `drop(stop)` |
//! | `case <-time.After(d):` | `recv(crossbeam_channel::after(d)) -> _ =>` |
//! | a `nil` channel in a `select` (never ready) | [`crossbeam_channel::never()`] |
//!
//! # Go's channel semantics, by name
//!
//! - **Closing a channel is disconnecting it.** A crossbeam channel is
//!   disconnected when every `Sender` is dropped: that is Go's `close(ch)`.
//!   A [`StopSource`] holds the only sender of its channel and drops it on
//!   [`close`](StopSource::close), so one call closes the channel for good.
//! - **A closed channel is always ready.** In `select!`, "an operation is
//!   considered to be ready if it doesn't have to block. Note that it is
//!   ready even when it will simply return an error because the channel is
//!   disconnected." So `recv(stopped) -> _` fires at once, every time, after
//!   the close: Go's receive from a closed channel, with `Err(RecvError)` in
//!   place of the zero value.
//! - **A nil channel is [`never()`](crossbeam_channel::never).** Go disables
//!   a `select` case by setting its channel to `nil`; put `never()` in the
//!   arm instead (see the `nil_channel` example).
//! - **`time.After` is [`after()`](crossbeam_channel::after)** and a
//!   `time.Ticker` is [`tick()`](crossbeam_channel::tick).
//! - **Random choice.** When several arms are ready, `select!` picks one at
//!   random, as Go does; a job and the stop may both be ready, and either
//!   may win. Use `select_biased!` to prefer one.
//!
//! # Stopping workers
//!
//! ```
//! use std::thread;
//! use crossbeam_channel::{select, unbounded};
//!
//! let (stop, stopped) = go_stop_channel::stop_channel();
//! let (jobs_tx, jobs) = unbounded::<u64>();
//! let workers: Vec<_> = (0..3)
//!     .map(|_| {
//!         let (stopped, jobs) = (stopped.clone(), jobs.clone());
//!         thread::spawn(move || {
//!             let mut handled = 0;
//!             loop {
//!                 select! {
//!                     recv(stopped) -> _ => return handled,
//!                     recv(jobs) -> job => handled += job.unwrap(),
//!                 }
//!             }
//!         })
//!     })
//!     .collect();
//! jobs_tx.send(5).unwrap();
//! stop.close(); // one close reaches all three
//! let handled: u64 = workers.into_iter().map(|w| w.join().unwrap()).sum();
//! assert!(handled <= 5);
//! ```
//!
//! # Misuse
//!
//! Go's misuses of a stop channel cannot be written here. Closing twice does
//! nothing (Go panics: "close of closed channel"). A watcher cannot close or
//! send (in Go, anyone holding the channel can). Forgetting to close is
//! covered by closing on drop. Nothing in this crate panics.
//!
//! # The limit
//!
//! One stop channel stops one flat set of workers. When workers start
//! workers of their own, and one subtree must be stopped without the rest,
//! every level needs its own stop pair, every supervisor must select on its
//! parent's stop *and* its own, and must close its children's source by hand:
//! the plumbing the articles ask about ("what if these goroutines spawn more
//! goroutines?"). The `spawn_tree_limit` example builds it; the `context`
//! crate replaces it with one `with_cancel` per level.
//!
//! # How it is built
//!
//! ```text
//! src/
//! ├── lib.rs         these docs and the public names
//! ├── sync.rs        the one place primitives come from (std or loom)
//! ├── threads.rs     the pair over std: what you run
//! ├── loom.rs        the same pair over loom, for the model checks
//! └── concurrent/    the pair, compiled by both, in dependency order:
//!     ├── source.rs  stop_channel() and StopSource, the closing side
//!     ├── signal.rs  StopSignal, the watching side
//!     └── state.rs   what both sides share, and the close's invariants
//! ```
//!
//! # Model checking
//!
//! With the `loom` feature the crate also builds a second copy of its types
//! whose own synchronisation (the sender slot, the closed flag and the
//! blocking waits) runs on [loom](https://docs.rs/loom)'s primitives, for the
//! workspace's model checks, and with the `shuttle` feature a third over
//! [shuttle](https://docs.rs/shuttle)'s, for its randomized checks. Neither
//! is part of the API.
#![doc(test(attr(deny(warnings))))]
#![forbid(unsafe_code)]

mod sync;

// The stop pair (`concurrent/`) is compiled twice from the same files: once
// over std's primitives (`threads`, what users run) and, under the `loom`
// feature, once over loom's (`loom`, what the models check). Each instance is
// a plain module file that picks its primitives and declares the pair with
// `#[path]`, so every tool that follows `mod` items sees it.
mod threads;

pub use threads::{StopSignal, StopSource, stop_channel};

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
