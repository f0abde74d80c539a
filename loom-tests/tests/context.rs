//! The context models against the real crate (`go_context::loom`), and against
//! the textbook implementations the twins are made from (the Go textbook and
//! the iterative textbook): all must pass.
//!
//! Some of these models block (`wait`, `block_on`, joins); if one ever found
//! a hang, loom's deadlock report would abort this whole binary. The twins,
//! which are meant to fail, run in `tests/twins.rs` and fail by assertion.
#![cfg(feature = "loom")]

use loom_tests::Real;
use loom_tests::context::iterative_textbook::IterativeTextbook;
use loom_tests::context::textbook::Textbook;
use loom_tests::context::{after_func, deadline, done, iterative, timer, tree, wakeup};

/// One `#[test]` per model and implementation: `mod real` runs every model
/// against the real crate, `mod textbook` those of `go` and `both` against
/// the Go textbook, `mod iterative_textbook` those of `both` and `ours`
/// against the iterative textbook. `ours` are the models of a promise Go
/// does not make (a context nobody refers to any more leaves its parent).
macro_rules! models {
    (
        go: [$($go_module:ident :: $go:ident),* $(,)?],
        // Against the real crate and both textbooks: Go's design keeps these too.
    both: [$($both_module:ident :: $both:ident),* $(,)?],
        // Against the real crate and the iterative textbook only: Go keeps a
    // context nobody refers to registered; here it leaves its parent at once.
    ours: [$($ours_module:ident :: $ours:ident),* $(,)?],
        // Against the real crate alone: there is no textbook of them.
        crate_only: [$($crate_module:ident :: $crate_only:ident),* $(,)?] $(,)?
    ) => {
        mod real {
            use super::*;
            $(
                #[test]
                fn $crate_only() {
                    $crate_module::$crate_only();
                }
            )*
            $(
                #[test]
                fn $go() {
                    $go_module::$go::<Real>();
                }
            )*
            $(
                #[test]
                fn $both() {
                    $both_module::$both::<Real>();
                }
            )*
            $(
                #[test]
                fn $ours() {
                    $ours_module::$ours::<Real>();
                }
            )*
        }
        mod textbook {
            use super::*;
            $(
                #[test]
                fn $go() {
                    $go_module::$go::<Textbook>();
                }
            )*
            $(
                #[test]
                fn $both() {
                    $both_module::$both::<Textbook>();
                }
            )*
        }
        mod iterative_textbook {
            use super::*;
            $(
                #[test]
                fn $both() {
                    $both_module::$both::<IterativeTextbook>();
                }
            )*
            $(
                #[test]
                fn $ours() {
                    $ours_module::$ours::<IterativeTextbook>();
                }
            )*
        }
    };
}

models! {
    // Against the real crate and the Go textbook.
    go: [
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
        wakeup::cancel_wakes_every_blocked_wait,
        wakeup::cancel_wakes_blocked_wait_async,
        wakeup::cancel_wakes_registered_waker,
        wakeup::wait_async_dropped_during_cancel,
        deadline::deadline_expiry_races_cancel,
        after_func::after_func_races_stop_and_cancel,
    ],
    // Against the real crate and both textbooks: Go's design keeps these too.
    both: [
        iterative::overlapping_cancels_wait_for_the_subtree,
        iterative::half_way_cancel_races_grandchild_derivation,
    ],
    // Against the real crate and the iterative textbook only: Go keeps a
    // context nobody refers to registered; here it leaves its parent at once.
    ours: [
        iterative::child_detach_races_parent_cancel,
        iterative::chain_dropped_leaf_first_races_root_cancel,
        iterative::chain_dropped_root_first_races_root_cancel,
    ],
    // The deadline queue and its thread, on the logical clock: the crate's
    // own, with no textbook; seeded bugs check these models.
    crate_only: [
        after_func::after_func_outlives_its_context_handles,
        timer::deadlines_fire_once_the_clock_passes_them,
        timer::refused_timer_thread_start_is_retried,
        timer::context_dropped_while_its_deadline_fires,
    ],
}
