//! The concurrent core: the wait group and the error group built on it. It is
//! compiled twice (see `threads.rs` and `loom.rs`), each time over the
//! primitives its parent calls `sync` and the context crate it calls
//! `ctx_impl`.

use super::{ctx_impl, sync};

pub mod errgroup;
pub(crate) mod wait_group;

pub use self::wait_group::WaitGroup;
