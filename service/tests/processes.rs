//! The deadline, the cancellation and the trace across a real process
//! boundary: the profile service and the recommendation service as two
//! processes of the binary, as the README starts them, talking over
//! loopback. What each process logs is what the tests read.

mod common;

use std::time::Duration;

use common::process::Process;
use common::{FOREVER_MS, Trace, WAIT, get, send_get};
use request_service::propagation::decode_timeout;

/// The duration after `marker` in `line`: `… stopped after 251ms: …` → 251 ms.
fn duration_after(line: &str, marker: &str) -> Duration {
    let rest = &line[line
        .find(marker)
        .unwrap_or_else(|| panic!("{marker:?} in {line:?}"))
        + marker.len()..];
    let text: String = rest
        .chars()
        .take_while(|c| !matches!(c, ' ' | ':' | ')' | ','))
        .collect();
    request_service::parse_duration(&text)
        .or_else(|| decode_timeout(&text).ok())
        .unwrap_or_else(|| panic!("a duration after {marker:?} in {line:?}"))
}

/// Far below the minute the slow backend would take, far above a few
/// milliseconds of scheduling on a loaded machine.
const PROMPTLY: Duration = Duration::from_secs(3);

#[test]
fn the_deadline_stops_the_other_process_with_the_request() {
    let mut rpc = Process::recommendations(&[]);
    let mut front = Process::profile(&rpc, &[]);
    let trace = Trace::new("slow-rpc");

    let reply = get(
        front.addr,
        &format!("/profile?db_ms=0&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "250ms"), trace.header()],
    );

    assert_eq!(reply.status, 504, "{reply:?}");
    let line = reply.field("rpc").unwrap();
    assert!(line.ends_with(": context deadline exceeded"), "{line}");
    // What the front sent, and what the backend made of it.
    let sent = front.expect(&[&trace.line("rpc: GET http://"), "grpc-timeout: "]);
    let arrived = rpc.expect(&[&trace.line("GET /recommendations"), "grpc-timeout: "]);
    let budget = duration_after(&sent, "grpc-timeout: ");
    assert!(budget <= Duration::from_millis(250), "{sent}");
    assert_eq!(duration_after(&arrived, "grpc-timeout: "), budget);
    // The backend stopped with the request: its own copy of the deadline
    // and the closed connection race, and either may win.
    let stopped = rpc.expect(&[&trace.line("recommendations: stopped after")]);
    assert!(
        stopped.ends_with("context deadline exceeded")
            || stopped.ends_with("context canceled (client disconnected)"),
        "{stopped}"
    );
    let took = duration_after(&stopped, "stopped after ");
    assert!(took < budget + PROMPTLY, "{stopped}");
}

#[test]
fn a_hang_up_stops_the_other_process() {
    let mut rpc = Process::recommendations(&[]);
    let mut front = Process::profile(&rpc, &[]);
    let trace = Trace::new("gone-rpc");
    let client = send_get(
        front.addr,
        &format!("/profile?db_ms={FOREVER_MS}&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s"), trace.header()],
    );
    rpc.expect(&[&trace.line("recommendations: searching")]);

    drop(client);

    front.expect(&[&trace.line("client disconnected: canceling the request")]);
    front.expect(&[
        &trace.line("rpc: stopped after"),
        "context canceled (client disconnected); hanging up",
    ]);
    rpc.expect(&[&trace.line("client disconnected: canceling the request")]);
    let stopped = rpc.expect(&[
        &trace.line("recommendations: stopped after"),
        "context canceled (client disconnected)",
    ]);
    assert!(
        duration_after(&stopped, "stopped after ") < WAIT,
        "{stopped}"
    );
    rpc.expect(&[&trace.line("499 Client Closed Request")]);
}

#[test]
fn both_processes_log_one_trace_id() {
    let mut rpc = Process::recommendations(&[]);
    let mut front = Process::profile(&rpc, &[]);

    // No traceparent: the front starts a trace, and the backend continues it.
    let reply = get(front.addr, "/profile?db_ms=0&rpc_ms=0", &[]);
    assert_eq!(reply.status, 200, "{reply:?}");
    let id = reply.header("X-Trace-Id").unwrap();
    assert_eq!(id.len(), 32, "{id}");
    front.expect(&[&format!("[{id}] 200 OK")]);
    rpc.expect(&[&format!("[{id}] 200 OK")]);

    // A malformed one: replaced, in both, by the same new one.
    let reply = get(
        front.addr,
        "/profile?db_ms=0&rpc_ms=0",
        &[("traceparent", "00-xyz")],
    );
    let id = reply.header("X-Trace-Id").unwrap();
    front.expect(&[&format!("[{id}] traceparent \"00-xyz\" not trusted")]);
    rpc.expect(&[&format!("[{id}] 200 OK")]);
}
