//! The disconnect watcher: the guard that cancels a request's context when
//! the client hangs up.
//!
//! Go's `net/http` notices a hang-up with a background read on the
//! connection once a request's head is in, and cancels the request's
//! context. hyper does the same read itself: while a handler runs, it keeps
//! reading the connection, and when the read returns end of file it ends the
//! connection and drops the future it was waiting on, which is the one that
//! holds this guard. So the watcher needs no thread and no task of its own:
//! being dropped before it is [`finish`](Watcher::finish)ed *is* the
//! hang-up.

use std::sync::Arc;

use go_context::{CancelCauseFunc, Context};

use crate::causes::ClientDisconnected;
use crate::gauge::{Entered, Gauge};
use crate::log::Log;

/// Cancels its request's connection context with [`ClientDisconnected`]
/// if it is dropped before the response is ready.
#[derive(Debug)]
pub(crate) struct Watcher {
    /// Taken by `finish`: once the response is ready, a drop is not a
    /// hang-up.
    hang_up: Option<CancelCauseFunc>,
    ctx: Context,
    log: Log,
    _live: Entered,
}

impl Watcher {
    // ANCHOR: start
    /// Starts watching for the hang-up of the client of `ctx`'s request:
    /// `hang_up` cancels the connection's node.
    pub(crate) fn start(
        ctx: &Context,
        hang_up: CancelCauseFunc,
        live: &Gauge,
        log: &Log,
    ) -> Watcher {
        Watcher {
            hang_up: Some(hang_up),
            ctx: ctx.clone(),
            log: log.clone(),
            _live: live.enter(),
        }
    }
    // ANCHOR_END: start

    /// The response is ready: the client did not hang up. The connection's
    /// node is canceled all the same (without a cause: the request is
    /// over), as Go cancels a request's context when its handler returns.
    pub(crate) fn finish(mut self) {
        drop(self.hang_up.take());
    }
}

// ANCHOR: stop
impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(hang_up) = self.hang_up.take() {
            // hyper dropped the future waiting for the response: the client
            // has gone.
            self.log.request(
                &self.ctx,
                format_args!("client disconnected: canceling the request"),
            );
            hang_up.cancel(Some(Arc::new(ClientDisconnected)));
        }
    }
}
// ANCHOR_END: stop
