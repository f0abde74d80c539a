//! The server: a tokio runtime, a listener, an accept loop that gives each
//! connection a task, a root context every request hangs from, and a wait
//! group that lets shutdown wait for every task it started.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use go_context::{CancelFunc, Context};
use go_waitgroup::WaitGroup;
use tokio::net::{TcpListener, TcpSocket};
use tokio::runtime::Runtime;

use crate::backends::Backends;
use crate::config::Config;
use crate::connection;
use crate::duration::show;
use crate::gauge::Gauge;
use crate::rpc_client::RpcClient;
use crate::state::State;

/// How many connections may wait to be accepted: enough for a burst of a
/// thousand clients at once.
const BACKLOG: u32 = 1024;

/// How long the runtime's shutdown may take once every task is over: only
/// its idle threads are left to end, so this bound is never waited out.
const RUNTIME_SHUTDOWN: Duration = Duration::from_secs(10);

/// A running server: [`Server::start`] binds the port and serves until
/// [`shutdown`](Server::shutdown); the value is the handle to it, with its
/// address and gauges of what it is running.
///
/// Clones are handles to the same server. Dropping every handle does not
/// stop the server; [`shutdown`](Server::shutdown) does.
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
/// client.write_all(b"GET / HTTP/1.1\r\n\r\n")?;
/// let mut response = String::new();
/// client.read_to_string(&mut response)?;
/// assert!(response.starts_with("HTTP/1.1 200 OK\r\n"));
/// assert!(response.contains("GET /profile"));
///
/// server.shutdown();
/// server.wait();
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Compared with Go
///
/// Go's `http.Server` runs each request's handler on a goroutine of its own;
/// this server runs each connection on a tokio task, each request's handler
/// on a task of its own, and each backend call on a thread of its own. It
/// serves one request per connection. Go's request context is canceled when
/// the client goes away and when the handler returns; so is this one's. Go's
/// `Server.Shutdown` stops listening and waits for active requests;
/// [`Server::shutdown`] does too, for at most [`Config::grace`], then
/// cancels what is left (Go's `Server.Close`, also
/// [`Server::shutdown_now`]).
#[derive(Clone)]
pub struct Server {
    state: Arc<State>,
    addr: SocketAddr,
    /// Canceled once the server has stopped: port closed, requests done,
    /// runtime shut down.
    stopped: Context,
}

impl Server {
    /// Binds `127.0.0.1:<config.port>` and starts serving on a runtime and a
    /// thread of its own; returns at once.
    ///
    /// # Errors
    ///
    /// If the port cannot be bound (it is taken, say), or the runtime or its
    /// thread cannot be started.
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
    pub fn start(config: Config) -> io::Result<Server> {
        // The backends run on the runtime's blocking pool; its default
        // limit, 512 threads, is plenty for a teaching server.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .thread_name("request-service")
            .enable_all()
            .build()?;
        let listener = {
            let _in_runtime = runtime.enter();
            let socket = TcpSocket::new_v4()?;
            socket.set_reuseaddr(true)?;
            socket.bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, config.port).into())?;
            socket.listen(BACKLOG)?
        };
        let addr = listener.local_addr()?;
        // ANCHOR: roots
        let (root, cancel_root) = go_context::with_cancel_cause(&go_context::background());
        let (accepting, stop_accepting) = go_context::with_cancel_cause(&root);
        let (stopped, mark_stopped) = go_context::with_cancel(&go_context::background());
        // ANCHOR_END: roots
        let state = Arc::new(State {
            log: config.log.clone(),
            backends: {
                let live = Gauge::new();
                let rpc = RpcClient::new(config.rpc, live.clone(), config.log.clone());
                Backends {
                    live,
                    log: config.log.clone(),
                    rpc,
                }
            },
            config,
            runtime: runtime.handle().clone(),
            root,
            cancel_root,
            accepting,
            stop_accepting,
            tasks_running: WaitGroup::new(),
            tasks: Gauge::new(),
            watchers: Gauge::new(),
            in_flight: Gauge::new(),
        });
        let calls = match state.config.rpc {
            Some(rpc) => format!(", calling the recommendation service at {rpc}"),
            None => String::new(),
        };
        state.log.server(format_args!(
            "listening on http://{addr}: the {} service{calls}",
            state.config.role
        ));
        thread::Builder::new().name("server".to_owned()).spawn({
            let state = Arc::clone(&state);
            move || run(runtime, listener, &state, mark_stopped)
        })?;
        Ok(Server {
            state,
            addr,
            stopped,
        })
    }

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
    /// `503 Service Unavailable`). [`wait`](Server::wait) tells when it
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
        self.state.begin_shutdown();
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
        self.state.begin_shutdown();
        self.state.cancel_requests();
    }

    /// Blocks until the server has stopped: the port is closed, every
    /// request is done with every task and backend call it started, and the
    /// server's runtime has shut down.
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

    /// As [`wait`](Server::wait), for at most `timeout`; returns whether
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
        &self.state.backends.live
    }

    /// The disconnect watchers armed now: one per request whose response is
    /// not ready yet.
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
        &self.state.watchers
    }

    /// The requests being handled now: from the handler's start until its
    /// response is ready, whether or not the client is still there to read
    /// it.
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
        &self.state.in_flight
    }

    /// The tasks the server is running now: one per open connection, and
    /// one per request being handled. Zero once the server has stopped.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::{Config, Log, Server};
    ///
    /// let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
    /// server.shutdown();
    /// server.wait();
    /// assert_eq!(server.live_tasks().get(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn live_tasks(&self) -> &Gauge {
        &self.state.tasks
    }
}

// ANCHOR: serve
/// The server's own thread: the accept loop on the runtime, then the drain,
/// then the runtime's shutdown. `mark_stopped` is dropped (and so cancels
/// `stopped`) when this returns, or if it panics.
fn run(runtime: Runtime, listener: TcpListener, server: &Arc<State>, mark_stopped: CancelFunc) {
    runtime.block_on(accept(listener, server));
    // The listener is gone: the port is closed, new clients are refused.
    drain(server);
    // Every task is over; this ends the runtime's idle threads.
    runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
    drop(mark_stopped);
}

/// Accepts connections until shutdown cancels `accepting`: a task per
/// connection. Unlike a blocked `accept` on a thread, this one waits for the
/// context too.
async fn accept(listener: TcpListener, server: &Arc<State>) {
    loop {
        tokio::select! {
            biased;
            _ = server.accepting.wait_async() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    server.spawn(connection::serve(stream, peer, Arc::clone(server)));
                }
                Err(err) => {
                    server.log.server(format_args!("accept failed: {err}"));
                    // Out of file descriptors, say: back off a little,
                    // unless shutdown comes first.
                    tokio::select! {
                        _ = server.accepting.wait_async() => return,
                        () = tokio::time::sleep(Duration::from_millis(50)) => {}
                    }
                }
            },
        }
    }
}
// ANCHOR_END: serve

// ANCHOR: drain
/// Waits for the requests in flight: for the grace period, then cancels the
/// rest through the root context and waits for them to stop.
fn drain(server: &State) {
    let grace = server.config.grace;
    server.log.server(format_args!(
        "stopped accepting; waiting up to {} for {} request(s)",
        show(grace),
        server.in_flight.get()
    ));
    if !server.tasks_running.wait_timeout(grace) {
        server.log.server(format_args!(
            "grace period over: canceling {} request(s)",
            server.in_flight.get()
        ));
        server.cancel_requests();
        server.tasks_running.wait();
    }
    server
        .log
        .server(format_args!("stopped: every request is done"));
}
// ANCHOR_END: drain

impl fmt::Debug for Server {
    /// The address and what is running: `Server { addr: 127.0.0.1:8080,
    /// in_flight: 1, live_backends: 2, live_watchers: 1, live_tasks: 2,
    /// stopped: false }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("in_flight", &self.state.in_flight.get())
            .field("live_backends", &self.state.backends.live.get())
            .field("live_watchers", &self.state.watchers.get())
            .field("live_tasks", &self.state.tasks.get())
            .field("stopped", &self.stopped.is_done())
            .finish()
    }
}
