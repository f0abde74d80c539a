//! Twin of model 6: a firing timer that cleans up only when it wins.
//!
//! **The bug.** When the deadline passes, the timer first disarms the node
//! (so that the node's cancel will not try to stop a timer that is already
//! firing), then cancels it, and removes its queue entry only if that
//! cancel won: "whoever cancels, cleans up".
//!
//! **The interleaving.** The timer disarms the node and is preempted. An
//! explicit cancel wins; it finds the node disarmed, so it stops no timer.
//! The timer's cancel then loses, so it removes nothing either. The queue
//! keeps the entry, and with it the node, for as long as the process lives.
//!
//! **Caught by** `deadline_expiry_races_cancel`: "the timer entry outlived
//! its context".

use loom::sync::Arc;

use super::textbook::{DEADLINE_CAUSE, Node, Steps, timers};
use crate::api::Error;

/// The textbook context whose [`Steps::fire`] removes its entry only when
/// its cancel won.
#[derive(Debug)]
pub struct FiredTimerLeaks;

impl Steps for FiredTimerLeaks {
    fn fire(node: &Arc<Node>) -> bool {
        let Some(key) = node.lock().timer.take() else {
            return false;
        };
        let won = Self::cancel(node, Error::DeadlineExceeded, Some(DEADLINE_CAUSE));
        if won {
            drop(timers::remove(key)); // BUG: nobody removes it if the cancel lost
        }
        won
    }
}
