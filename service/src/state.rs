//! What a running server's parts share: its settings and log, the root
//! context every request hangs from, the wait group and gauges of what it
//! runs. The server, each connection and each handler hold it through an
//! `Arc`; it knows none of them, so the modules' imports go one way.

use std::future::Future;
use std::sync::Arc;

use go_context::{CancelCauseFunc, Context};
use go_waitgroup::WaitGroup;
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::backends::Backends;
use crate::causes::ShuttingDown;
use crate::config::Config;
use crate::duration::show;
use crate::gauge::{Entered, Gauge};
use crate::log::Log;

/// The state of one running server, shared by its accept loop, its tasks
/// and every handle to it.
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) log: Log,
    /// The runtime every task of the server runs on.
    pub(crate) runtime: Handle,
    /// The root of every request's context.
    pub(crate) root: Context,
    pub(crate) cancel_root: CancelCauseFunc,
    /// A child of `root` that shutdown cancels: the accept loop runs until it
    /// is done.
    pub(crate) accepting: Context,
    pub(crate) stop_accepting: CancelCauseFunc,
    /// One count per task the server has spawned: connections and handlers.
    pub(crate) tasks_running: WaitGroup,
    pub(crate) tasks: Gauge,
    pub(crate) backends: Backends,
    pub(crate) watchers: Gauge,
    pub(crate) in_flight: Gauge,
}

impl State {
    /// Stops accepting; the accept loop then drains the requests in flight.
    pub(crate) fn begin_shutdown(&self) {
        if !self.accepting.is_done() {
            self.log.server(format_args!(
                "shutting down: no new connections, {} to finish",
                show(self.config.grace)
            ));
        }
        self.stop_accepting.cancel(Some(Arc::new(ShuttingDown)));
    }

    /// Cancels every request in flight, through the root context.
    pub(crate) fn cancel_requests(&self) {
        self.cancel_root.cancel(Some(Arc::new(ShuttingDown)));
    }

    // ANCHOR: spawn
    /// Spawns `task` on the server's runtime, counted by the wait group that
    /// shutdown waits on and by the task gauge, until it ends or is dropped.
    pub(crate) fn spawn<F>(self: &Arc<Self>, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.tasks_running.add(1);
        let counted = Counted {
            state: Arc::clone(self),
            _live: self.tasks.enter(),
        };
        self.runtime.spawn(async move {
            let _counted = counted;
            task.await
        })
    }
    // ANCHOR_END: spawn
}

/// One task's place in the wait group and the gauge, given back on drop.
struct Counted {
    state: Arc<State>,
    _live: Entered,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.state.tasks_running.done();
    }
}
