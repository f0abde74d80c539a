//! The textbook contexts and their broken twins.
//!
//! [`Textbook`] is a plain implementation of Go's design over loom's
//! primitives, every step a default method of [`Steps`]; it passes every
//! model written for Go's promises. [`IterativeTextbook`] is the crate's own
//! design written as plainly (weak links to children, a cancel that walks
//! the subtree one node lock at a time), every step a default method of
//! [`WalkSteps`]; it passes the models of the iterative cancel. Each twin is the textbook with one step replaced by the naive
//! version a reasonable person writes first, and one model rejects it.
//! Because a twin differs from a passing implementation in that one step,
//! its failure is that step's fault.
//!
//! | twin | step | the bug | caught by |
//! |---|---|---|---|
//! | [`CheckThenRegister`] | `register` | check the parent, register the child in a second critical section | `parent_cancel_races_child_derivation` |
//! | [`CascadeOverwrites`] | `cancel_subtree` | the cascade has no first-wins check | `parent_cancel_races_child_cancel` |
//! | [`TornCause`] | `cancel_subtree` | the cause is written before the first-wins check | `two_cancels_race_on_one_context` |
//! | [`SignalBeforeErr`] | `publish` | close done before storing the error | `done_seen_on_channel_implies_err` |
//! | [`ErrSkipsDone`] | `err` | `err()` is one load and does not wait for done (Go #75533) | `err_implies_done_observable` |
//! | [`DoneFastPath`] | `done` | `done()` checks the state before taking the lock | `done_channel_created_during_cancel_closes` |
//! | [`LostWakeup`] | `wait`, `poll_wait` | check, then sleep or register, without the lock | `cancel_wakes_blocked_wait`, `cancel_wakes_blocked_wait_async`, `cancel_wakes_registered_waker` |
//! | [`StaleWakerSlot`] | `poll_wait`, `unregister_waker` | a dropped future removes its waker by position | `wait_async_dropped_during_cancel` |
//! | [`FiredTimerLeaks`] | `fire` | a fired timer removes its entry only if its cancel won | `deadline_expiry_races_cancel` |
//! | [`StopCheckThenSet`] | `stop` | `stop` checks done, then throws `f` away | `after_func_races_stop_and_cancel` |
//! | [`DropSkipsDetach`] | `drop_handle` | a dropped handle cancels but stays registered | `handle_drop_races_parent_cancel` |
//! | [`SharedCancel`] | `without_cancel` | `without_cancel` copies the parent's handle | `without_cancel_ignores_parent_cancel` |
//!
//! The iterative textbook's twins:
//!
//! | twin | step | the bug | caught by |
//! |---|---|---|---|
//! | [`LoserReturnsEarly`] | `wait_settled` | a cancel that finds its node claimed returns at once | `overlapping_cancels_wait_for_the_subtree` |
//! | [`SplitClaim`] | `claim` | take the children, then publish the error in a second critical section | `half_way_cancel_races_grandchild_derivation` |
//! | [`WalkStopsAtDeadChild`] | `next_child` | a child whose last reference is gone ends the walk | `child_detach_races_parent_cancel` |
//! | [`UnlinkWholeChain`] | `unlink` | a freed link unlinks every open link above it too | `chain_drop_races_root_cancel` |

mod cascade_overwrites;
mod check_then_register;
mod done_fast_path;
mod drop_skips_detach;
mod err_skips_done;
mod fired_timer_leaks;
#[macro_use]
pub mod iterative;
mod loser_returns_early;
mod lost_wakeup;
mod shared_cancel;
mod signal_before_err;
mod split_claim;
mod stale_waker_slot;
mod stop_check_then_set;
pub mod textbook;
mod torn_cause;
mod unlink_whole_chain;
mod walk_stops_at_dead_child;

pub use cascade_overwrites::CascadeOverwrites;
pub use check_then_register::CheckThenRegister;
pub use done_fast_path::DoneFastPath;
pub use drop_skips_detach::DropSkipsDetach;
pub use err_skips_done::ErrSkipsDone;
pub use fired_timer_leaks::FiredTimerLeaks;
pub use iterative::{IterativeTextbook, WalkSteps};
pub use loser_returns_early::LoserReturnsEarly;
pub use lost_wakeup::LostWakeup;
pub use shared_cancel::SharedCancel;
pub use signal_before_err::SignalBeforeErr;
pub use split_claim::SplitClaim;
pub use stale_waker_slot::StaleWakerSlot;
pub use stop_check_then_set::StopCheckThenSet;
pub use textbook::{Steps, Textbook};
pub use torn_cause::TornCause;
pub use unlink_whole_chain::UnlinkWholeChain;
pub use walk_stops_at_dead_child::WalkStopsAtDeadChild;

walk_trees!(
    IterativeTextbook,
    LoserReturnsEarly,
    SplitClaim,
    WalkStopsAtDeadChild,
    UnlinkWholeChain,
);
