//! The server: a listener, an accept loop that gives each connection a
//! thread, a root context every request hangs from, and a wait group that
//! lets shutdown wait for them all.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use context::{CancelCauseFunc, CancelFunc, Context};
use waitgroup::WaitGroup;

use crate::backends::Backends;
use crate::causes::ShuttingDown;
use crate::config::Config;
use crate::connection;
use crate::duration::show;
use crate::gauge::Gauge;
use crate::log::Log;

/// The service: `Server::start` binds the port and serves until shut down.
///
/// # Examples
///
/// ```
/// use std::io::{Read, Write};
/// use std::net::TcpStream;
/// use request_service::{Config, Log, Server};
///
/// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
///
/// let mut client = TcpStream::connect(server.addr())?;
/// client.write_all(b"GET /profile HTTP/1.1\r\nAuthorization: Bearer t0k3n\r\nX-User: alice\r\n\r\n")?;
/// let mut response = String::new();
/// client.read_to_string(&mut response)?;
/// assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(response.contains("db: ok after"));
///
/// server.shutdown();
/// server.wait();
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Compared with Go
///
/// Go's `http.Server` runs each request's handler on a goroutine of its own;
/// this server runs each connection on a thread of its own and serves one
/// request per connection. Go's request context is canceled when the client
/// goes away and when the handler returns; so is this one's. Go's
/// `Server.Shutdown` stops listening and waits for active requests;
/// [`ServerHandle::shutdown`] does too, for at most [`Config::grace`], then
/// cancels what is left (Go's `Server.Close`, also
/// [`ServerHandle::shutdown_now`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct Server;

/// A handle to a running server: its address, its shutdown, and gauges of
/// what it is running.
///
/// Clones are handles to the same server. Dropping every handle does not
/// stop the server; [`shutdown`](ServerHandle::shutdown) does.
#[derive(Clone)]
pub struct ServerHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    /// Canceled once the server has stopped: port closed, requests done.
    stopped: Context,
}

/// What the accept loop, every connection thread and the handles share.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) log: Log,
    /// The root of every request's context.
    pub(crate) root: Context,
    cancel_root: CancelCauseFunc,
    /// A child of `root` that shutdown cancels: the accept loop runs until it
    /// is done.
    accepting: Context,
    stop_accepting: CancelCauseFunc,
    /// One task per connection being served.
    connections: WaitGroup,
    pub(crate) backends: Backends,
    pub(crate) watchers: Gauge,
    pub(crate) in_flight: Gauge,
}

impl Server {
    /// Binds `127.0.0.1:<config.port>` and starts serving on a thread of its
    /// own; returns at once.
    ///
    /// # Errors
    ///
    /// If the port cannot be bound (it is taken, say) or the accept thread
    /// cannot be started.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::{Config, Log, Server};
    ///
    /// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
    /// assert!(server.addr().ip().is_loopback());
    /// assert_ne!(server.addr().port(), 0);
    /// # server.shutdown();
    /// # server.wait();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start(config: Config) -> io::Result<ServerHandle> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        let addr = listener.local_addr()?;
        // ANCHOR: roots
        let (root, cancel_root) = context::with_cancel_cause(&context::background());
        let (accepting, stop_accepting) = context::with_cancel_cause(&root);
        let (stopped, mark_stopped) = context::with_cancel(&context::background());
        // ANCHOR_END: roots
        let shared = Arc::new(Shared {
            log: config.log.clone(),
            backends: Backends {
                live: Gauge::new(),
                log: config.log.clone(),
            },
            config,
            root,
            cancel_root,
            accepting,
            stop_accepting,
            connections: WaitGroup::new(),
            watchers: Gauge::new(),
            in_flight: Gauge::new(),
        });
        shared
            .log
            .server(format_args!("listening on http://{addr}"));
        thread::Builder::new().name("accept".to_owned()).spawn({
            let shared = Arc::clone(&shared);
            move || serve(listener, &shared, mark_stopped)
        })?;
        Ok(ServerHandle {
            shared,
            addr,
            stopped,
        })
    }
}

// ANCHOR: serve
/// The accept loop, then the drain. `mark_stopped` is dropped (and so
/// cancels `stopped`) when this returns, or if it panics.
fn serve(listener: TcpListener, server: &Arc<Shared>, mark_stopped: CancelFunc) {
    let addr = listener.local_addr();
    // A blocked `accept` does not watch a context: once shutdown cancels
    // `accepting`, wake it with a connection of our own.
    let _wake = context::after_func(&server.accepting, move || {
        if let Ok(addr) = addr {
            let _ = TcpStream::connect(addr);
        }
    });
    for stream in listener.incoming() {
        if server.accepting.is_done() {
            break;
        }
        match stream {
            Ok(stream) => {
                // A thread per connection, counted by the wait group.
                let shared = Arc::clone(server);
                server
                    .connections
                    .go(move || connection::serve(stream, &shared));
            }
            Err(err) => {
                server.log.server(format_args!("accept failed: {err}"));
                // Out of file descriptors, say: back off a little, unless
                // shutdown comes first.
                server.accepting.wait_timeout(Duration::from_millis(50));
            }
        }
    }
    drop(listener); // the port is closed: new clients are refused
    drain(server);
    drop(mark_stopped);
}
// ANCHOR_END: serve

// ANCHOR: drain
/// Waits for the requests in flight: for the grace period, then cancels the
/// rest through the root context and waits for them to stop.
fn drain(server: &Shared) {
    let grace = server.config.grace;
    server.log.server(format_args!(
        "stopped accepting; waiting up to {} for {} request(s)",
        show(grace),
        server.in_flight.get()
    ));
    if !server.connections.wait_timeout(grace) {
        server.log.server(format_args!(
            "grace period over: canceling {} request(s)",
            server.in_flight.get()
        ));
        server.cancel_root.cancel(Some(Arc::new(ShuttingDown)));
        server.connections.wait();
    }
    server
        .log
        .server(format_args!("stopped: every request is done"));
}
// ANCHOR_END: drain

impl Shared {
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
}

impl ServerHandle {
    /// The address the server listens on.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::{Config, Log, Server};
    ///
    /// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
    /// println!("listening on http://{}", server.addr());
    /// # server.shutdown();
    /// # server.wait();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Starts a graceful shutdown and returns at once: the server stops
    /// accepting connections, lets the requests in flight run for up to
    /// [`Config::grace`], then cancels those still running (their clients get
    /// `503 Service Unavailable`). [`wait`](ServerHandle::wait) tells when it
    /// is over. Calling it again does nothing more.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::TcpStream;
    /// use request_service::{Config, Log, Server};
    ///
    /// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
    /// server.shutdown();
    /// server.wait();
    /// assert!(TcpStream::connect(server.addr()).is_err()); // the port is closed
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self) {
        self.shared.begin_shutdown();
    }

    /// Shuts down without a grace period: stops accepting and cancels every
    /// request in flight at once, Go's `Server.Close`. Returns at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::{Config, Log, Server};
    ///
    /// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
    /// server.shutdown_now();
    /// server.wait();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown_now(&self) {
        self.shared.begin_shutdown();
        self.shared.cancel_root.cancel(Some(Arc::new(ShuttingDown)));
    }

    /// Blocks until the server has stopped: the port is closed and every
    /// request, with every thread it started, is done.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::{Config, Log, Server};
    ///
    /// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
    /// let waiter = std::thread::spawn({
    ///     let server = server.clone();
    ///     move || server.wait()
    /// });
    /// server.shutdown();
    /// waiter.join().unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn wait(&self) {
        self.stopped.wait();
    }

    /// As [`wait`](ServerHandle::wait), for at most `timeout`; returns whether
    /// the server has stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use request_service::{Config, Log, Server};
    ///
    /// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
    /// assert!(!server.wait_timeout(Duration::from_millis(1))); // still serving
    /// server.shutdown();
    /// assert!(server.wait_timeout(Duration::from_secs(10)));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.stopped.wait_timeout(timeout).is_some()
    }

    /// The backend calls running now, across all requests.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::{Config, Log, Server};
    ///
    /// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
    /// assert_eq!(server.live_backends().get(), 0);
    /// # server.shutdown();
    /// # server.wait();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn live_backends(&self) -> &Gauge {
        &self.shared.backends.live
    }

    /// The disconnect watchers running now: one per request being handled.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::{Config, Log, Server};
    ///
    /// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
    /// assert_eq!(server.live_watchers().get(), 0);
    /// # server.shutdown();
    /// # server.wait();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn live_watchers(&self) -> &Gauge {
        &self.shared.watchers
    }

    /// The connections being served now (one request each).
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::{Config, Log, Server};
    ///
    /// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
    /// assert_eq!(server.in_flight().get(), 0);
    /// # server.shutdown();
    /// # server.wait();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn in_flight(&self) -> &Gauge {
        &self.shared.in_flight
    }
}

impl fmt::Debug for ServerHandle {
    /// The address and what is running: `ServerHandle { addr: 127.0.0.1:8080,
    /// in_flight: 1, live_backends: 2, live_watchers: 1, stopped: false }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .field("in_flight", &self.shared.in_flight.get())
            .field("live_backends", &self.shared.backends.live.get())
            .field("live_watchers", &self.shared.watchers.get())
            .field("stopped", &self.stopped.is_done())
            .finish()
    }
}
