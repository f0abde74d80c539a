//! Helpers shared by the integration tests: start a profile service and the
//! recommendation service it calls, each on a free port, talk raw HTTP/1.1
//! to them over loopback, and read their logs.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

pub(crate) mod process;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::ops::Deref;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use request_service::{Config, Log, Role, Server};

/// The bound on every wait in these tests: long enough for a loaded machine,
/// short enough that a hang fails the test instead of stalling the run.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// A delay no test ever sits out: a backend given it must be stopped.
pub(crate) const FOREVER_MS: u64 = 60_000;

pub(crate) fn quiet() -> Config {
    Config {
        port: 0,
        log: Log::off(),
        ..Config::default()
    }
}

/// A configuration whose log lines arrive on the returned channel.
pub(crate) fn logged() -> (Config, LogLines) {
    let (tx, incoming) = mpsc::channel();
    let log = Log::to(move |line| {
        let _ = tx.send(line.to_owned());
    });
    let lines = LogLines::new(incoming);
    (Config { log, ..quiet() }, lines)
}

/// `config` as the recommendation service's, answering itself.
pub(crate) fn recommendations(config: Config) -> Config {
    Config {
        role: Role::Recommendations,
        rpc: None,
        ..config
    }
}

/// Starts one server.
pub(crate) fn serve(config: Config) -> Server {
    Server::start(config).expect("bind a free port on 127.0.0.1")
}

/// A profile service started with `config`, calling a quiet recommendation
/// service of its own.
pub(crate) fn start(config: Config) -> Stack {
    start_with(config, recommendations(quiet()))
}

/// A profile service started with `front` (its `rpc` set), calling a
/// recommendation service started with `rpc`.
pub(crate) fn start_with(front: Config, rpc: Config) -> Stack {
    let rpc = serve(rpc);
    let front = serve(Config {
        rpc: Some(rpc.addr()),
        ..front
    });
    Stack { front, rpc }
}

/// Two servers, two hops of one request: the profile service, which the
/// tests talk to (and which `Deref` gives), and its recommendation service.
/// Dropping it stops both.
#[derive(Debug)]
pub(crate) struct Stack {
    pub(crate) front: Server,
    pub(crate) rpc: Server,
}

impl Deref for Stack {
    type Target = Server;

    fn deref(&self) -> &Server {
        &self.front
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for server in [&self.front, &self.rpc] {
            server.shutdown_now();
            let stopped = server.wait_timeout(WAIT);
            if !std::thread::panicking() {
                assert!(stopped, "a server did not stop: {server:?}");
            }
        }
    }
}

/// A trace a test sends in `traceparent` and then finds in the logs of
/// every hop: its id spells `label` in hex, padded with zeros.
#[derive(Debug, Clone)]
pub(crate) struct Trace {
    id: String,
    traceparent: String,
}

impl Trace {
    /// The trace named `label` (at most 16 bytes).
    pub(crate) fn new(label: &str) -> Trace {
        let hex: String = label.bytes().map(|byte| format!("{byte:02x}")).collect();
        assert!(hex.len() <= 32, "{label:?} is too long for a trace id");
        let id = format!("{hex:0<32}");
        let traceparent = format!("00-{id}-00f067aa0ba902b7-01");
        Trace { id, traceparent }
    }

    /// The trace id: 32 hex digits.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    /// The header that starts a request in this trace.
    pub(crate) fn header(&self) -> (&'static str, &str) {
        ("traceparent", &self.traceparent)
    }

    /// `[<id>] <message>`: a log line of this trace.
    pub(crate) fn line(&self, message: &str) -> String {
        format!("[{}] {message}", self.id)
    }
}

/// A parsed response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) head: String,
    pub(crate) body: String,
}

impl Reply {
    /// The value of header `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }

    /// The value of body line `name: value`.
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.body
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
    }
}

/// Connects and sends `GET target` with a bearer token and `headers`.
pub(crate) fn send_get(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> TcpStream {
    let mut request =
        format!("GET {target} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer t0k3n\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    send_raw(addr, &request)
}

/// Connects and sends `raw` as it is.
pub(crate) fn send_raw(addr: SocketAddr, raw: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connect to the server");
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.write_all(raw.as_bytes()).expect("send the request");
    stream
}

/// Reads a whole response: the server closes the connection after it.
pub(crate) fn receive(mut stream: TcpStream) -> Reply {
    let mut raw = String::new();
    stream
        .read_to_string(&mut raw)
        .expect("a whole response within the read timeout");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("a status line in {head:?}"));
    Reply {
        status,
        head: head.replace("\r\n", "\n"),
        body: body.to_owned(),
    }
}

pub(crate) fn get(addr: SocketAddr, target: &str, headers: &[(&str, &str)]) -> Reply {
    receive(send_get(addr, target, headers))
}

/// The server's log lines, as a test reads them.
pub(crate) struct LogLines {
    incoming: Receiver<String>,
    seen: Vec<String>,
}

impl LogLines {
    /// Log lines as they arrive on `incoming`.
    pub(crate) fn new(incoming: Receiver<String>) -> Self {
        Self {
            incoming,
            seen: Vec::new(),
        }
    }

    /// Waits (at most [`WAIT`]) until some line, earlier or new, contains
    /// every one of `parts`, and returns it. Lines from different threads
    /// arrive in any order, so the search does not depend on it.
    pub(crate) fn expect(&mut self, parts: &[&str]) -> String {
        let matches = |line: &String| parts.iter().all(|part| line.contains(part));
        if let Some(line) = self.seen.iter().find(|line| matches(line)) {
            return line.clone();
        }
        let deadline = Instant::now() + WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = self.incoming.recv_timeout(left) else {
                break;
            };
            self.seen.push(line.clone());
            if matches(&line) {
                return line;
            }
        }
        panic!("no log line with {parts:?}; saw:\n{}", self.seen.join("\n"));
    }
}

impl LogLines {
    /// Whether any line read so far contains `part` (read more with
    /// [`expect`](LogLines::expect) first).
    pub(crate) fn saw(&self, part: &str) -> bool {
        self.seen.iter().any(|line| line.contains(part))
    }
}

/// Whether nothing listens on `addr` any more.
pub(crate) fn port_closed(addr: SocketAddr) -> bool {
    TcpStream::connect(addr).is_err()
}
