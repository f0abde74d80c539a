//! Where the server narrates what it does: one line per event, each request's
//! lines tagged with its trace id.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use go_context::Context;

use crate::values::TRACE_ID;

/// Where the server's log lines go: standard error, a function of yours, or
/// nowhere.
///
/// Every line about a request starts with its trace id in brackets, read from
/// the request's context ([`TRACE_ID`]), so the lines of one request's
/// threads can be picked out of many: `[5f0c2a9e1b7d3a55] db: stopped after
/// 250ms: context deadline exceeded`. Lines about the server as a whole start
/// with `server:`.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use request_service::{Config, Log, Server};
///
/// let lines = Arc::new(Mutex::new(Vec::new()));
/// let log = Log::to({
///     let lines = Arc::clone(&lines);
///     move |line| lines.lock().unwrap().push(line.to_owned())
/// });
/// let server = Server::start(Config { port: 0, log, ..Config::default() }).unwrap();
/// server.shutdown();
/// server.wait();
/// assert!(lines.lock().unwrap().iter().any(|line| line.starts_with("server: stopped")));
/// ```
#[derive(Clone)]
pub struct Log {
    sink: Option<Arc<Sink>>,
}

/// Receives each line; called from many threads at once.
type Sink = dyn Fn(&str) + Send + Sync;

impl Log {
    /// Writes each line to standard error, after the seconds since this call.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = request_service::Config {
    ///     log: request_service::Log::stderr(),
    ///     ..Default::default()
    /// };
    /// # let _ = config;
    /// ```
    pub fn stderr() -> Log {
        let start = Instant::now();
        Log::to(move |line| eprintln!("{:8.3}s {line}", start.elapsed().as_secs_f64()))
    }

    /// Drops every line.
    ///
    /// # Examples
    ///
    /// ```
    /// let quiet = request_service::Config {
    ///     log: request_service::Log::off(),
    ///     ..Default::default()
    /// };
    /// # let _ = quiet;
    /// ```
    pub fn off() -> Log {
        Log { sink: None }
    }

    /// Hands each line, without a trailing newline, to `sink`. It is called
    /// from many threads at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::mpsc;
    ///
    /// let (tx, lines) = mpsc::channel();
    /// let log = request_service::Log::to(move |line| tx.send(line.to_owned()).unwrap());
    /// # let _ = (log, lines);
    /// ```
    pub fn to(sink: impl Fn(&str) + Send + Sync + 'static) -> Log {
        Log {
            sink: Some(Arc::new(sink)),
        }
    }

    /// A line about the server as a whole.
    pub(crate) fn server(&self, message: fmt::Arguments<'_>) {
        if let Some(sink) = &self.sink {
            sink(&format!("server: {message}"));
        }
    }

    /// A line about the request `ctx` belongs to, tagged with its trace id.
    pub(crate) fn request(&self, ctx: &Context, message: fmt::Arguments<'_>) {
        if let Some(sink) = &self.sink {
            let trace = ctx.value(&TRACE_ID).map_or("-", |trace| trace.as_str());
            sink(&format!("[{trace}] {message}"));
        }
    }
}

impl fmt::Debug for Log {
    /// `Log(on)` or `Log(off)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.sink.is_some() { "on" } else { "off" };
        write!(f, "Log({state})")
    }
}
