//! Loom model checks of the workspace's concurrent code.
//!
//! Everything here is built only with the `loom` feature; without it this
//! crate is empty. Run the models with `cargo test --features loom`.
//!
//! The `context` models:
//!
//! - [`api`]: the slice of the context API the models drive, as a trait
//!   (and its first part, the tree alone).
//! - [`real`]: [`Real`](real::Real), that trait over `go_context::loom`, the
//!   `go-context` crate's own source compiled over loom's primitives.
//! - [`models`]: one generic function per race, with its preemption bound.
//! - [`twins`]: two textbook implementations, Go's design and the crate's
//!   iterative one, that pass their models, and the broken twins, each a
//!   textbook with one step written naively, that the models must reject.
//!
//! The `waitgroup` and `stop-channel` models, organised the same way inside
//! [`wait_group`] and [`stop_channel`] (their real-crate implementations are
//! on the same [`Real`](real::Real)). [`support`]: the checker and small
//! helpers.
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
pub mod api;
#[cfg(feature = "loom")]
pub mod models;
#[cfg(feature = "loom")]
pub mod real;
#[cfg(feature = "loom")]
pub mod stop_channel;
#[cfg(feature = "loom")]
pub mod support;
#[cfg(feature = "loom")]
pub mod twins;
#[cfg(feature = "loom")]
pub mod wait_group;
