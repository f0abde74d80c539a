//! The textbook `WaitGroup` and `errgroup`, and their broken twins.
//!
//! As for the context: each twin is the textbook with one step replaced by
//! the naive version, and one model rejects it.
//!
//! | twin | step | the bug | caught by |
//! |---|---|---|---|
//! | [`RelaxedCounter`] | `add`, `wait` | the counter's atomics are `Relaxed` | `wait_returns_after_every_done` |
//! | [`NotifyOne`] | `add` | the last `done` wakes one waiter | `every_waiter_released` |
//! | [`CheckThenSleep`] | `wait` | check the counter, then sleep without checking again | `done_races_wait_then_reuse` |
//! | [`CheckThenRecord`] | `record` | check for a first error, record in a second critical section | `first_error_wins_and_cancels` |

mod check_then_record;
mod check_then_sleep;
mod notify_one;
mod relaxed_counter;
pub mod textbook;

pub use check_then_record::CheckThenRecord;
pub use check_then_sleep::CheckThenSleep;
pub use notify_one::NotifyOne;
pub use relaxed_counter::RelaxedCounter;
pub use textbook::{ErrGroupSteps, Textbook, WaitGroupSteps};
