//! The server: a tokio runtime, a listener, an accept loop that gives each
//! connection a task, a root context every request hangs from, and a wait
//! group that lets shutdown wait for every task it started.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use go_context::{CancelCauseFunc, CancelFunc, Context};
use go_waitgroup::WaitGroup;
use tokio::net::{TcpListener, TcpSocket};
use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

use crate::backends::Backends;
use crate::causes::ShuttingDown;
use crate::config::Config;
use crate::connection;
use crate::duration::show;
use crate::gauge::{Entered, Gauge};
use crate::log::Log;

/// How many connections may wait to be accepted: enough for a burst of a
/// thousand clients at once.
const BACKLOG: u32 = 1024;

/// How long the runtime's shutdown may take once every task is over: only
/// its idle threads are left to end, so this bound is never waited out.
const RUNTIME_SHUTDOWN: Duration = Duration::from_secs(10);

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
/// this server runs each connection on a tokio task, each request's handler
/// on a task of its own, and each backend call on a thread of tokio's
/// blocking pool. It serves one request per connection. Go's request context
/// is canceled when the client goes away and when the handler returns; so is
/// this one's. Go's `Server.Shutdown` stops listening and waits for active
/// requests; [`ServerHandle::shutdown`] does too, for at most
/// [`Config::grace`], then cancels what is left (Go's `Server.Close`, also
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
    /// Canceled once the server has stopped: port closed, requests done,
    /// runtime shut down.
    stopped: Context,
}

/// What the accept loop, every task and the handles share.
pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) log: Log,
    /// The runtime every task of the server runs on.
    runtime: Handle,
    /// The root of every request's context.
    pub(crate) root: Context,
    cancel_root: CancelCauseFunc,
    /// A child of `root` that shutdown cancels: the accept loop runs until it
    /// is done.
    accepting: Context,
    stop_accepting: CancelCauseFunc,
    /// One count per task the server has spawned: connections and handlers.
    tasks_running: WaitGroup,
    tasks: Gauge,
    pub(crate) backends: Backends,
    pub(crate) watchers: Gauge,
    pub(crate) in_flight: Gauge,
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
    pub fn start(config: Config) -> io::Result<ServerHandle> {
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
        let shared = Arc::new(Shared {
            log: config.log.clone(),
            backends: Backends {
                live: Gauge::new(),
                log: config.log.clone(),
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
        shared
            .log
            .server(format_args!("listening on http://{addr}"));
        thread::Builder::new().name("server".to_owned()).spawn({
            let shared = Arc::clone(&shared);
            move || run(runtime, listener, &shared, mark_stopped)
        })?;
        Ok(ServerHandle {
            shared,
            addr,
            stopped,
        })
    }
}

// ANCHOR: serve
/// The server's own thread: the accept loop on the runtime, then the drain,
/// then the runtime's shutdown. `mark_stopped` is dropped (and so cancels
/// `stopped`) when this returns, or if it panics.
fn run(runtime: Runtime, listener: TcpListener, server: &Arc<Shared>, mark_stopped: CancelFunc) {
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
async fn accept(listener: TcpListener, server: &Arc<Shared>) {
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
fn drain(server: &Shared) {
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
        server.cancel_root.cancel(Some(Arc::new(ShuttingDown)));
        server.tasks_running.wait();
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
            server: Arc::clone(self),
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
    server: Arc<Shared>,
    _live: Entered,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.server.tasks_running.done();
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
        &self.shared.watchers
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
        &self.shared.in_flight
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
        &self.shared.tasks
    }
}

impl fmt::Debug for ServerHandle {
    /// The address and what is running: `ServerHandle { addr: 127.0.0.1:8080,
    /// in_flight: 1, live_backends: 2, live_watchers: 1, live_tasks: 2,
    /// stopped: false }`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerHandle")
            .field("addr", &self.addr)
            .field("in_flight", &self.shared.in_flight.get())
            .field("live_backends", &self.shared.backends.live.get())
            .field("live_watchers", &self.shared.watchers.get())
            .field("live_tasks", &self.shared.tasks.get())
            .field("stopped", &self.stopped.is_done())
            .finish()
    }
}
