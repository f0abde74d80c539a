//! The `waitgroup` models against the real crate (`go_waitgroup::loom`) and
//! against the textbook the twins are made from: all must pass.
#![cfg(feature = "loom")]

use loom_tests::real::Real;
use loom_tests::wait_group::models;
use loom_tests::wait_group::twins::Textbook;

/// One `#[test]` per model for the real crate, and the same models again in
/// `mod textbook`.
macro_rules! models {
    ($($name:ident),* $(,)?) => {
        mod real {
            use super::*;
            $(
                #[test]
                fn $name() {
                    models::$name::<Real>();
                }
            )*
        }
        mod textbook {
            use super::*;
            $(
                #[test]
                fn $name() {
                    models::$name::<Textbook>();
                }
            )*
        }
    };
}

models! {
    wait_returns_after_every_done,
    every_waiter_released,
    done_races_wait_then_reuse,
    first_error_wins_and_cancels,
}
