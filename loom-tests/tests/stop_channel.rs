//! The `stop-channel` model against the real crate (`go_stop_channel::loom`)
//! and against the textbook the twins are made from: both must pass.
#![cfg(feature = "loom")]

use loom_tests::real::Real;
use loom_tests::stop_channel::models;
use loom_tests::stop_channel::twins::Textbook;

#[test]
fn real_close_races_watchers() {
    models::close_races_watchers::<Real>();
}

#[test]
fn textbook_close_races_watchers() {
    models::close_races_watchers::<Textbook>();
}
