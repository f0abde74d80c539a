//! The context models against the real crate (`context::loom`), and against
//! the textbook implementation the twins are made from: all must pass.
//!
//! Some of these models block (`wait`, `block_on`, joins); if one ever found
//! a hang, loom's deadlock report would abort this whole binary. The twins,
//! which are meant to fail, run in `tests/twins.rs` and fail by assertion.
#![cfg(feature = "loom")]

use loom_tests::models::{after_func, deadline, done, tree, wakeup};
use loom_tests::real::Real;
use loom_tests::twins::Textbook;

/// One `#[test]` per model for the real crate, and the same models again in
/// `mod textbook` for the textbook implementation.
macro_rules! models {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod real {
            use super::*;
            $(
                #[test]
                fn $name() {
                    $module::$name::<Real>();
                }
            )*
        }
        mod textbook {
            use super::*;
            $(
                #[test]
                fn $name() {
                    $module::$name::<Textbook>();
                }
            )*
        }
    };
}

models! {
    tree::parent_cancel_races_child_derivation,
    tree::parent_cancel_races_derivation_through_value_layer,
    tree::root_cancel_races_grandchild_derivation,
    tree::parent_cancel_races_child_cancel,
    tree::two_cancels_race_on_one_context,
    tree::handle_drop_races_parent_cancel,
    tree::without_cancel_ignores_parent_cancel,
    done::done_seen_by_is_done_implies_err,
    done::done_seen_by_wait_implies_err,
    done::done_seen_by_wait_async_implies_err,
    done::done_seen_on_channel_implies_err,
    done::err_implies_done_observable,
    done::done_channel_created_during_cancel_closes,
    wakeup::cancel_wakes_blocked_wait,
    wakeup::cancel_wakes_blocked_wait_async,
    wakeup::cancel_wakes_registered_waker,
    wakeup::wait_async_dropped_during_cancel,
    deadline::deadline_expiry_races_cancel,
    after_func::after_func_races_stop_and_cancel,
}
