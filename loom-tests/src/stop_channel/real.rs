//! The real crate: [`StopChannels`] over `go_stop_channel::loom`.

use ::go_stop_channel::loom::{StopSignal, StopSource, stop_channel};
use crossbeam_channel::TryRecvError;

use super::StopChannels;
use crate::Real;

impl StopChannels for Real {
    type Source = StopSource;
    type Signal = StopSignal;
    type Watcher = StopSignal;

    fn channel() -> (StopSource, StopSignal) {
        stop_channel()
    }

    fn close(source: &StopSource) {
        source.close();
    }

    fn subscribe(signal: &StopSignal) -> StopSignal {
        signal.clone()
    }

    fn is_closed(watcher: &StopSignal) -> bool {
        watcher.is_closed()
    }

    fn channel_closed(watcher: &StopSignal) -> bool {
        matches!(watcher.try_recv(), Err(TryRecvError::Disconnected))
    }

    fn wait(watcher: &StopSignal) {
        watcher.wait();
    }
}
