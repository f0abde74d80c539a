//! Where the server narrates what it does: one line per event, each request's
//! lines tagged with its trace id.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use go_context::Context;

use crate::propagation::TRACE;

/// Where the server's log lines go: standard error, a function of yours, or
/// nowhere.
///
/// Every line about a request starts with its trace id in brackets, read from
/// the request's context ([`TRACE`]), so the lines of one request's
/// threads can be picked out of many, in this process and in the next hop's:
/// `[4bf92f3577b34da6a3ce929d0e0e4736] db: stopped after 250ms: context
/// deadline exceeded`. Lines about the server as a whole start with
/// `server:`.
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
    /// Writes each line to standard error after the time of day (UTC, to the
    /// millisecond: `14:03:07.250`), so that the logs of two processes on one
    /// machine can be read against each other.
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
        Log::to(|line| eprintln!("{} {line}", time_of_day()))
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
            match ctx.value(&TRACE) {
                Some(trace) => sink(&format!("[{}] {message}", trace.trace_id())),
                None => sink(&format!("[-] {message}")),
            }
        }
    }
}

/// The time of day in UTC: `HH:MM:SS.mmm`.
fn time_of_day() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = now.as_secs() % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        now.subsec_millis()
    )
}

impl fmt::Debug for Log {
    /// `Log(on)` or `Log(off)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.sink.is_some() { "on" } else { "off" };
        write!(f, "Log({state})")
    }
}
