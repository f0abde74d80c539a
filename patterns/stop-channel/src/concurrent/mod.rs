//! The stop pair: the closing side, the watching side, and the state they
//! share. It is compiled twice (see `threads.rs` and `loom.rs`), each time
//! over the primitives its parent calls `sync`.
//!
//! The modules, read top to bottom: each depends only on the ones after it.

use super::sync;

// `stop_channel()` and the closing side.
pub(crate) mod source;
// The watching side.
pub(crate) mod signal;
// What both sides share.
mod state;

pub use self::signal::StopSignal;
pub use self::source::{StopSource, stop_channel};
