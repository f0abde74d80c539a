//! The models, each generic over [`Contexts`](crate::api::Contexts) (those
//! of the iterative cancel, in [`iterative`], over its tree part,
//! [`Trees`](crate::api::Trees)) so that one body runs against the real
//! crate, the textbooks and the twins.
//!
//! A model is one `pub fn` named for its race, checked with the bound
//! [`CONTEXT_BOUND`](crate::support::CONTEXT_BOUND) (exhaustive for these
//! models, as measured there); the assertions carry the messages the twins'
//! tests expect. Every thread a model spawns is joined, except the threads the
//! implementation itself starts for `after_func` callbacks, which loom runs
//! to completion before an execution ends.

pub mod after_func;
pub mod deadline;
pub mod done;
pub mod iterative;
pub mod timer;
pub mod tree;
pub mod wakeup;
