//! The binary itself, as `cargo run -p request-service` starts it: a child
//! process on a free port, its log read line by line, signals sent with
//! `kill`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::LogLines;

/// The service, started as a process of its own.
pub(crate) struct Process {
    child: Child,
    pub(crate) addr: SocketAddr,
    log: LogLines,
}

impl Process {
    /// Starts the binary with `args` on a free port, and waits until it
    /// listens.
    pub(crate) fn start(args: &[&str]) -> Process {
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
        Process {
            child,
            addr,
            log: LogLines::new(stderr),
        }
    }

    /// The recommendation service, answering itself.
    pub(crate) fn recommendations(args: &[&str]) -> Process {
        Process::start(&[&["--role", "recommendations"], args].concat())
    }

    /// The profile service, calling `rpc`.
    pub(crate) fn profile(rpc: &Process, args: &[&str]) -> Process {
        let rpc = rpc.addr.to_string();
        Process::start(&[&["--rpc", rpc.as_str()], args].concat())
    }

    /// Waits (at most [`WAIT`](super::WAIT)) for a line of the log that
    /// contains every one of `parts`, and returns it.
    pub(crate) fn expect(&mut self, parts: &[&str]) -> String {
        self.log.expect(parts)
    }

    /// Sends `signal` (`INT`, `TERM`) to the process.
    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Waits (at most `limit`) for the process to exit.
    pub(crate) fn exits_within(&mut self, limit: Duration) -> ExitStatus {
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

impl Drop for Process {
    /// A failed test leaves no process behind.
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
