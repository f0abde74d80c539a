//! The models' races at sizes loom cannot exhaust, under shuttle's randomized
//! schedules (`loom_tests::shuttle`): all must pass. A failure prints the
//! schedule that failed; `SHUTTLE_SCHEDULE='<it>'` replays it.
#![cfg(feature = "loom")]

use loom_tests::shuttle;

#[test]
fn hundred_node_tree_canceled_from_five_threads() {
    shuttle::hundred_node_tree_canceled_from_five_threads();
}

#[test]
fn one_cancel_wakes_hundreds_of_waiters() {
    shuttle::one_cancel_wakes_hundreds_of_waiters();
}

#[test]
fn wait_group_of_eight_tasks_and_three_waiters() {
    shuttle::wait_group_of_eight_tasks_and_three_waiters();
}

#[test]
fn error_group_limit_under_three_spawners() {
    shuttle::error_group_limit_under_three_spawners();
}

#[test]
fn six_watchers_see_the_close() {
    shuttle::six_watchers_see_the_close();
}

#[test]
fn a_hundred_deadlines_due_at_once_on_four_shards() {
    shuttle::a_hundred_deadlines_due_at_once_on_four_shards();
}
