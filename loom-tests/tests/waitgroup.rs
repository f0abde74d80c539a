//! The `waitgroup` models against the real crate (`go_waitgroup::loom`) and
//! against the textbook the twins are made from: all must pass.
#![cfg(feature = "loom")]

use loom_tests::Real;
use loom_tests::wait_group::textbook::Textbook;
use loom_tests::wait_group::{errgroup, misuse, wait, waiting};

/// One `#[test]` per model for the real crate, and the same models again in
/// `mod textbook`; then, in `mod real` only, the models of what the textbook
/// does not have.
macro_rules! models {
    (
        $($module:ident :: $name:ident),* $(,)?;
        crate_only: [$($crate_module:ident :: $crate_only:ident),* $(,)?]
    ) => {
        mod real {
            use super::*;
            $(
                #[test]
                fn $name() {
                    $module::$name::<Real>();
                }
            )*
            $(
                #[test]
                fn $crate_only() {
                    $crate_module::$crate_only();
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
    wait::wait_returns_after_every_done,
    wait::every_waiter_released,
    wait::done_races_wait_then_reuse,
    errgroup::first_error_wins_and_cancels;
    crate_only: [
        waiting::wait_context_returns_once_canceled,
        waiting::wait_context_races_done_and_cancel,
        waiting::task_panic_fails_every_wait,
        misuse::add_racing_a_release_is_reported_by_the_add,
        errgroup::try_go_races_for_the_last_slot,
        errgroup::go_blocks_until_a_slot_frees,
        errgroup::lifting_the_limit_releases_a_blocked_go,
        errgroup::first_error_stops_a_waiting_sibling,
        errgroup::task_panic_stops_a_waiting_sibling,
    ]
}
