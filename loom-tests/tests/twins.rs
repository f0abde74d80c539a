//! Every broken twin, rejected by the model written for its race.
//!
//! Each test runs a model against a twin from the same race file
//! (`loom_tests::<crate>::<race>`, the model and its `twins` module) and
//! expects the model's own assertion message. None
//! of these can end in a hang: the wake-up models bound their waits (see
//! `support::yield_until`), and nothing else blocks on the twins' behalf.
//!
//! `cargo test -p loom-tests --features loom --test twins -- --nocapture`
//! prints each twin's failure; `REPORTS.md` records them, with the trace of
//! the failing execution (see `README.md` for how to replay one).
#![cfg(feature = "loom")]

use loom_tests::context::after_func::{self, twins::StopCheckThenSet};
use loom_tests::context::deadline::{self, twins::FiredTimerLeaks};
use loom_tests::context::done::{
    self,
    twins::{DoneFastPath, ErrSkipsDone, SignalBeforeErr},
};
use loom_tests::context::iterative::{
    self,
    twins::{LoserReturnsEarly, SplitClaim, UnlinkWholeChain, WalkStopsAtDeadChild},
};
use loom_tests::context::tree::{
    self,
    twins::{CascadeOverwrites, CheckThenRegister, DropSkipsDetach, SharedCancel, TornCause},
};
use loom_tests::context::wakeup::{
    self,
    twins::{LostWakeup, StaleWakerSlot},
};

#[test]
#[should_panic(expected = "child missed its parent's cancel")]
fn check_then_register() {
    tree::parent_cancel_races_child_derivation::<CheckThenRegister>();
}

#[test]
#[should_panic(expected = "child missed its parent's cancel")]
fn check_then_register_through_value_layer() {
    tree::parent_cancel_races_derivation_through_value_layer::<CheckThenRegister>();
}

#[test]
#[should_panic(expected = "child missed its parent's cancel")]
fn check_then_register_below_a_child() {
    tree::root_cancel_races_grandchild_derivation::<CheckThenRegister>();
}

#[test]
#[should_panic(expected = "the child's cause changed after it was read")]
fn cascade_overwrites() {
    tree::parent_cancel_races_child_cancel::<CascadeOverwrites>();
}

#[test]
#[should_panic(expected = "the two cancels disagree on the winner")]
fn torn_cause() {
    tree::two_cancels_race_on_one_context::<TornCause>();
}

#[test]
#[should_panic(expected = "a dropped handle left its context registered with the parent")]
fn drop_skips_detach() {
    tree::handle_drop_races_parent_cancel::<DropSkipsDetach>();
}

#[test]
#[should_panic(expected = "a without_cancel context became done with its parent")]
fn shared_cancel() {
    tree::without_cancel_ignores_parent_cancel::<SharedCancel>();
}

#[test]
#[should_panic(expected = "done observed but err() is not Canceled")]
fn signal_before_err() {
    done::done_seen_on_channel_implies_err::<SignalBeforeErr>();
}

#[test]
#[should_panic(expected = "err() reported an error while done() was still open")]
fn err_skips_done() {
    done::err_implies_done_observable::<ErrSkipsDone>();
}

#[test]
#[should_panic(expected = "a done() channel created during the cancel never closes")]
fn done_fast_path() {
    done::done_channel_created_during_cancel_closes::<DoneFastPath>();
}

#[test]
#[should_panic(expected = "lost wake-up: the waiter still sleeps after cancel returned")]
fn lost_wakeup_in_wait() {
    wakeup::cancel_wakes_blocked_wait::<LostWakeup>();
}

#[test]
#[should_panic(expected = "lost wake-up: a waiter still sleeps after cancel returned")]
fn lost_wakeup_in_wait_of_two() {
    wakeup::cancel_wakes_every_blocked_wait::<LostWakeup>();
}

#[test]
#[should_panic(expected = "lost wake-up: the waiter still sleeps after cancel returned")]
fn lost_wakeup_in_wait_async() {
    wakeup::cancel_wakes_blocked_wait_async::<LostWakeup>();
}

#[test]
#[should_panic(expected = "lost wake-up: the future's waker was never woken")]
fn lost_wakeup_of_registered_waker() {
    wakeup::cancel_wakes_registered_waker::<LostWakeup>();
}

#[test]
#[should_panic(expected = "removal index (is 0) should be < len (is 0)")]
fn stale_waker_slot() {
    wakeup::wait_async_dropped_during_cancel::<StaleWakerSlot>();
}

#[test]
#[should_panic(expected = "the timer entry outlived its context")]
fn fired_timer_leaks() {
    deadline::deadline_expiry_races_cancel::<FiredTimerLeaks>();
}

#[test]
#[should_panic(expected = "f ran although stop() returned true")]
fn stop_check_then_set() {
    after_func::after_func_races_stop_and_cancel::<StopCheckThenSet>();
}

#[test]
#[should_panic(expected = "a cancel returned while a descendant was still open")]
fn loser_returns_early() {
    iterative::overlapping_cancels_wait_for_the_subtree::<LoserReturnsEarly>();
}

#[test]
#[should_panic(expected = "a live child missed its parent's cancel")]
fn walk_stops_at_dead_child() {
    iterative::child_detach_races_parent_cancel::<WalkStopsAtDeadChild>();
}

#[test]
#[should_panic(expected = "a context derived during the cancel was left open")]
fn split_claim() {
    iterative::half_way_cancel_races_grandchild_derivation::<SplitClaim>();
}

/// The Go textbook's twin of model 1 fails the half-way model too.
#[test]
#[should_panic(expected = "a context derived during the cancel was left open")]
fn check_then_register_half_way() {
    iterative::half_way_cancel_races_grandchild_derivation::<CheckThenRegister>();
}

#[test]
#[should_panic(expected = "a context still referenced missed the root's cancel")]
fn unlink_whole_chain() {
    iterative::chain_dropped_leaf_first_races_root_cancel::<UnlinkWholeChain>();
}

#[test]
#[should_panic(expected = "a context still referenced missed the root's cancel")]
fn unlink_whole_chain_root_first() {
    iterative::chain_dropped_root_first_races_root_cancel::<UnlinkWholeChain>();
}

mod wait_group {
    use loom_tests::wait_group::errgroup::{self, twins::CheckThenRecord};
    use loom_tests::wait_group::wait::{
        self,
        twins::{CheckThenSleep, NotifyOne, RelaxedCounter},
    };

    #[test]
    #[should_panic(expected = "Causality violation")]
    fn relaxed_counter() {
        wait::wait_returns_after_every_done::<RelaxedCounter>();
    }

    #[test]
    #[should_panic(expected = "a waiter still sleeps after the counter reached zero")]
    fn notify_one() {
        wait::every_waiter_released::<NotifyOne>();
    }

    #[test]
    #[should_panic(
        expected = "lost wake-up: the waiter still sleeps after the counter reached zero"
    )]
    fn check_then_sleep() {
        wait::done_races_wait_then_reuse::<CheckThenSleep>();
    }

    #[test]
    #[should_panic(expected = "the context's cause is not the error wait returned")]
    fn check_then_record() {
        errgroup::first_error_wins_and_cancels::<CheckThenRecord>();
    }
}

mod stop_channel {
    use loom_tests::stop_channel::close::{
        self,
        twins::{CheckThenSleep, CheckThenSubscribe},
    };

    #[test]
    #[should_panic(expected = "a watcher missed the close")]
    fn check_then_subscribe() {
        close::close_races_watchers::<CheckThenSubscribe>();
    }

    #[test]
    #[should_panic(expected = "a watcher still waits after close returned")]
    fn check_then_sleep() {
        close::close_races_watchers::<CheckThenSleep>();
    }
}
