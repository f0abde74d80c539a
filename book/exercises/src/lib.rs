//! The book's exercises, one module per exercise.
//!
//! Each exercise has two versions of the same module:
//!
//! - `src/NAME.rs`, the starting file: it compiles, does nothing useful, and
//!   fails the exercise's tests. It is yours to edit.
//! - `solutions/NAME.rs`, a solution.
//!
//! The tests, in `tests/NAME.rs`, are the same for both. `cargo test` runs
//! them against the solutions (so CI knows the tests can be passed); the
//! `starter` feature switches every module to its starting file:
//!
//! ```console
//! $ cargo test -p book-exercises --features starter                       # your files
//! $ cargo test -p book-exercises --features starter --test count_nodes    # one exercise
//! $ cargo test -p book-exercises --features loom,starter --test mailbox_twin -- --nocapture
//! ```
//!
//! | Exercise | Part of the book | Module |
//! |---|---|---|
//! | Count a tree, one thread per node | WaitGroup | [`count_nodes`] |
//! | The first replica to answer wins | select + channel | [`first_reply`] |
//! | A handler that gathers its backends | Context | [`gather`] |
//! | Break the mailbox's twin | Model checking | `mailbox_twin` (with `loom`) |

#[cfg(feature = "starter")]
pub mod count_nodes;
#[cfg(not(feature = "starter"))]
#[path = "../solutions/count_nodes.rs"]
pub mod count_nodes;

#[cfg(feature = "starter")]
pub mod first_reply;
#[cfg(not(feature = "starter"))]
#[path = "../solutions/first_reply.rs"]
pub mod first_reply;

#[cfg(feature = "starter")]
pub mod gather;
#[cfg(not(feature = "starter"))]
#[path = "../solutions/gather.rs"]
pub mod gather;

#[cfg(feature = "loom")]
pub mod mailbox;

#[cfg(all(feature = "loom", feature = "starter"))]
pub mod mailbox_twin;
#[cfg(all(feature = "loom", not(feature = "starter")))]
#[path = "../solutions/mailbox_twin.rs"]
pub mod mailbox_twin;
