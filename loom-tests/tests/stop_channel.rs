//! The `stop-channel` model against the real crate (`go_stop_channel::loom`)
//! and against the textbook the twins are made from: both must pass.
#![cfg(feature = "loom")]

use loom_tests::Real;
use loom_tests::stop_channel::close;
use loom_tests::stop_channel::textbook::Textbook;

#[test]
fn real_close_races_watchers() {
    close::close_races_watchers::<Real>();
}

#[test]
fn textbook_close_races_watchers() {
    close::close_races_watchers::<Textbook>();
}
