//! The textbook stop channel and its broken twins.
//!
//! | twin | step | the bug | caught by |
//! |---|---|---|---|
//! | [`CheckThenSubscribe`] | `subscribe` | check for a close, register the new channel in a second critical section | `close_races_watchers` |
//! | [`CheckThenSleep`] | `wait` | check for a close, then sleep without checking again | `close_races_watchers` |

mod check_then_sleep;
mod check_then_subscribe;
pub mod textbook;

pub use check_then_sleep::CheckThenSleep;
pub use check_then_subscribe::CheckThenSubscribe;
pub use textbook::{StopSteps, Textbook};
