//! Twin of model 7: `stop` decides from the context's state.
//!
//! **The bug.** `stop` reasons: "if the context is done, the cancel has
//! started `f`: return false. Otherwise `f` has not started: throw it away,
//! unregister, return true." Check, then act, in two steps.
//!
//! **The interleaving.** `stop` finds the context open and is preempted. The
//! cancel takes `f` and starts it. `stop` then throws away a callback that
//! is no longer there and returns true: the caller believes `f` will never
//! run while it is running. Go's `AfterFunc` makes one `sync.Once` the
//! arbiter; the textbook takes `f` under the lock the cancel takes it under.
//!
//! **Caught by** `after_func_races_stop_and_cancel`: "f ran although stop()
//! returned true".

use loom::sync::Arc;

use super::textbook::{Node, Steps};
use crate::api::Error;

/// The textbook context whose [`Steps::stop`] checks, then sets.
#[derive(Debug)]
pub struct StopCheckThenSet;

impl Steps for StopCheckThenSet {
    fn stop(node: &Arc<Node>) -> bool {
        if Self::err(node).is_some() {
            return false;
        }
        node.lock().after_func = None; // BUG: the cancel may have taken f since
        Self::cancel(node, Error::Canceled, None);
        true
    }
}
