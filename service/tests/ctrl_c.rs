//! The program itself, as `cargo run -p request-service` starts it: Ctrl-C
//! (SIGINT) stops accepting and lets the requests in flight finish within
//! the grace period, cancels those that outlast it, and a second Ctrl-C
//! cancels at once. The process exits in time, with every response it had
//! accepted delivered.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use common::{FOREVER_MS, WAIT, port_closed, receive, send_get};

/// The service, started with `args` on a free port.
struct Service {
    child: Child,
    addr: SocketAddr,
    stderr: Receiver<String>,
    seen: Vec<String>,
}

impl Service {
    fn start(args: &[&str]) -> Service {
        let mut child = Command::new(env!("CARGO_BIN_EXE_request-service"))
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the service");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("the first line names the address: {first:?}"));
        let (tx, stderr) = mpsc::channel();
        let lines = BufReader::new(child.stderr.take().unwrap());
        thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Service {
            child,
            addr,
            stderr,
            seen: Vec::new(),
        }
    }

    /// Waits (at most [`WAIT`]) for a line of the log that contains `part`.
    fn expect(&mut self, part: &str) {
        if self.seen.iter().any(|line| line.contains(part)) {
            return;
        }
        let deadline = Instant::now() + WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = self.stderr.recv_timeout(left) else {
                break;
            };
            let found = line.contains(part);
            self.seen.push(line);
            if found {
                return;
            }
        }
        panic!("no log line with {part:?}; saw:\n{}", self.seen.join("\n"));
    }

    fn ctrl_c(&self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Waits (at most `limit`) for the process to exit.
    fn exits_within(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("the service did not exit within {limit:?}");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Service {
    /// A failed test leaves no process behind.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn ctrl_c_lets_the_request_in_flight_finish_then_exits() {
    let mut service = Service::start(&["--grace", "10s"]);
    let client = send_get(
        service.addr,
        "/profile?db_ms=300&rpc_ms=0",
        &[("X-Trace-Id", "last-1")],
    );
    service.expect("[last-1] db: querying");

    service.ctrl_c();

    let reply = receive(client);
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(service.exits_within(WAIT).success());
    assert!(port_closed(service.addr));
    service.expect("server: stopped: every request is done");
}

#[test]
fn ctrl_c_cancels_what_outlasts_the_grace_period_and_exits_in_time() {
    let grace = Duration::from_millis(200);
    let mut service = Service::start(&["--grace", "200ms"]);
    let client = send_get(
        service.addr,
        &format!("/profile?db_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s"), ("X-Trace-Id", "cut-1")],
    );
    service.expect("[cut-1] db: querying");

    let signaled = Instant::now();
    service.ctrl_c();

    let reply = receive(client);
    assert_eq!(reply.status, 503, "{reply:?}");
    assert_eq!(reply.field("error"), Some("canceled: server shutting down"));
    assert!(service.exits_within(grace + WAIT).success());
    assert!(signaled.elapsed() >= grace, "the grace period was given");
    service.expect("server: grace period over: canceling 1 request(s)");
    service.expect("[cut-1] db: stopped after");
}

#[test]
fn a_second_ctrl_c_cancels_at_once() {
    let mut service = Service::start(&["--grace", "60s"]);
    let client = send_get(
        service.addr,
        &format!("/profile?db_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s"), ("X-Trace-Id", "twice-1")],
    );
    service.expect("[twice-1] db: querying");

    service.ctrl_c();
    service.expect("Ctrl-C: shutting down");
    service.ctrl_c();

    let reply = receive(client);
    assert_eq!(reply.status, 503, "{reply:?}");
    // Long before the minute of grace.
    assert!(service.exits_within(WAIT).success());
}
