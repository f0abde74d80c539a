//! The concurrent core over std's primitives and `go_context`: what users
//! run.

use crate::sync::std_prims as sync;
use go_context as ctx_impl;

#[path = "concurrent/mod.rs"]
mod concurrent;

pub use self::concurrent::*;
