//! The concurrent core over std's primitives: what users run.

use crate::sync::std_prims as sync;

#[path = "concurrent/mod.rs"]
mod concurrent;

pub use self::concurrent::*;
