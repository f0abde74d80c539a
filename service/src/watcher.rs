//! The disconnect watcher: a thread per request that notices when the client
//! hangs up and cancels the request's context.
//!
//! Go's `net/http` does the same with a background read on the connection:
//! once a request's head has been read, nothing more is expected from the
//! client, so a read that returns end-of-file (or an error) means the client
//! has gone, and every thread still working for it can stop.

use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};

use context::{CancelCauseFunc, Context};

use crate::causes::ClientDisconnected;
use crate::gauge::Gauge;
use crate::log::Log;

/// A running watcher. Stopping it (or dropping it) ends its thread and waits
/// for it, so a request never leaves a watcher behind.
#[derive(Debug)]
pub(crate) struct Watcher {
    stream: TcpStream,
    /// Set before the watcher is woken on purpose, so that it does not
    /// mistake its own wake-up for a hang-up.
    finished: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    // ANCHOR: start
    /// Starts watching `stream`: if the client hangs up before the watcher is
    /// stopped, `hang_up` cancels the request with [`ClientDisconnected`].
    pub(crate) fn start(
        stream: &TcpStream,
        ctx: &Context,
        hang_up: CancelCauseFunc,
        live: &Gauge,
        log: &Log,
    ) -> io::Result<Watcher> {
        let mut reader = stream.try_clone()?;
        let waker = stream.try_clone()?;
        let finished = Arc::new(AtomicBool::new(false));
        let thread = thread::Builder::new().name("watcher".to_owned()).spawn({
            let (ctx, live, log, finished) = (
                ctx.clone(),
                live.clone(),
                log.clone(),
                Arc::clone(&finished),
            );
            move || {
                let _live = live.enter();
                let mut scraps = [0u8; 256];
                loop {
                    match reader.read(&mut scraps) {
                        // Pipelined bytes: this server answers one request
                        // per connection, so they are ignored.
                        Ok(n) if n > 0 => continue,
                        Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                        _ => break, // end of file, or the connection failed
                    }
                }
                // Pairs with the store in `stop`: a wake-up we caused.
                if finished.load(Ordering::Acquire) {
                    return;
                }
                log.request(
                    &ctx,
                    format_args!("client disconnected: canceling the request"),
                );
                hang_up.cancel(Some(Arc::new(ClientDisconnected)));
            }
        })?;
        Ok(Watcher {
            stream: waker,
            finished,
            thread: Some(thread),
        })
    }
    // ANCHOR_END: start

    /// Stops the watcher and waits for its thread to end.
    pub(crate) fn stop(self) {
        drop(self);
    }
}

// ANCHOR: stop
impl Drop for Watcher {
    fn drop(&mut self) {
        self.finished.store(true, Ordering::Release);
        // Shutting down the read half ends the watcher's blocked read with
        // end-of-file (on Linux), while the write half stays open for the
        // response.
        let _ = self.stream.shutdown(Shutdown::Read);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
// ANCHOR_END: stop
