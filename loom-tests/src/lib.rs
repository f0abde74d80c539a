//! Loom model checks of the workspace's concurrent code.
//!
//! Everything here is built only with the `loom` feature; without it this
//! crate is empty. Run the models with `cargo test --features loom`.
//!
//! One folder per crate, each laid out the same way: a trait for the slice
//! of the API the models drive (the folder's `mod.rs`), the real crate's
//! implementation of it (`real.rs`, on [`Real`]), a textbook implementation
//! (`textbook.rs`), and one file per kind of race with its models and, in a
//! `twins` module, the textbook's broken twins those models reject:
//!
//! - [`context`]: the `go-context` crate (with a second textbook, the
//!   crate's own iterative design, and the timer on a logical clock);
//! - [`wait_group`]: the `go-waitgroup` crate, `WaitGroup` and `errgroup`;
//! - [`stop_channel`]: the `go-stop-channel` crate.
//!
//! What the textbooks do not have (the timer, `wait_context`, the error
//! group's limit, ...) is modelled against the real crates alone, and seeded
//! bugs (`scripts/seed-bugs.py`) check those models. [`support`]: the
//! checker and small helpers.
//!
//! The tests live in `tests/context.rs`, `tests/waitgroup.rs` and
//! `tests/stop_channel.rs` (the real crates and the textbooks: everything
//! passes) and `tests/twins.rs` (every twin fails, by assertion). See
//! `README.md` for what each model checks and `REPORTS.md` for what loom
//! reports on each twin.

// Without the feature the modules above do not exist, so these links cannot
// resolve; with it (`cargo doc -p loom-tests --features loom`) they do.
#![cfg_attr(not(feature = "loom"), allow(rustdoc::broken_intra_doc_links))]

#[cfg(feature = "loom")]
pub mod context;
#[cfg(feature = "loom")]
pub mod shuttle;
#[cfg(feature = "loom")]
pub mod stop_channel;
#[cfg(feature = "loom")]
pub mod support;
#[cfg(feature = "loom")]
pub mod wait_group;

/// The real crates: every folder's trait implemented over the crate's loom
/// instance (`go_context::loom`, `go_waitgroup::loom`,
/// `go_stop_channel::loom`), in the folder's `real.rs`.
#[cfg(feature = "loom")]
#[derive(Debug)]
pub struct Real;
