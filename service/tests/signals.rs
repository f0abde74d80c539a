//! Both processes as they are stopped: Ctrl-C (SIGINT) and SIGTERM, what
//! systemd, Docker and Kubernetes send, each stop accepting and let the
//! requests in flight finish within the grace period; what outlasts it is
//! canceled; a second signal cancels at once. Every process exits in time,
//! with every response it had accepted delivered.

mod common;

use std::time::{Duration, Instant};

use common::process::Process;
use common::{FOREVER_MS, Trace, WAIT, port_closed, receive, send_get};

/// The profile service, with `args`, calling a recommendation service.
fn profile(args: &[&str]) -> (Process, Process) {
    let rpc = Process::recommendations(&[]);
    let front = Process::profile(&rpc, args);
    (front, rpc)
}

/// `signal` lets a profile request in flight finish, then the process exits.
fn drains_the_profile_service_on(signal: &str) {
    let (mut front, _rpc) = profile(&["--grace", "10s"]);
    let trace = Trace::new(&format!("last-{signal}"));
    let client = send_get(front.addr, "/profile?db_ms=300&rpc_ms=0", &[trace.header()]);
    front.expect(&[&trace.line("db: querying")]);

    front.signal(signal);

    let reply = receive(client);
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(front.exits_within(WAIT).success());
    assert!(port_closed(front.addr));
    front.expect(&["SIGINT or SIGTERM: shutting down"]);
    front.expect(&["server: stopped: every request is done"]);
}

#[test]
fn ctrl_c_lets_the_request_in_flight_finish_then_exits() {
    drains_the_profile_service_on("INT");
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_exits() {
    drains_the_profile_service_on("TERM");
}

#[test]
fn sigterm_drains_the_recommendation_service_too() {
    let mut rpc = Process::recommendations(&["--grace", "10s"]);
    let trace = Trace::new("rpc-term");
    let client = send_get(rpc.addr, "/recommendations?ms=300", &[trace.header()]);
    rpc.expect(&[&trace.line("recommendations: searching")]);

    rpc.signal("TERM");

    let reply = receive(client);
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.field("recommendations"),
        Some("3 recommendations for anonymous")
    );
    assert!(rpc.exits_within(WAIT).success());
    assert!(port_closed(rpc.addr));
    rpc.expect(&["server: stopped: every request is done"]);
}

#[test]
fn sigterm_cancels_what_outlasts_the_grace_period_and_exits_in_time() {
    let grace = Duration::from_millis(200);
    let (mut front, mut rpc) = profile(&["--grace", "200ms"]);
    let trace = Trace::new("cut-1");
    let client = send_get(
        front.addr,
        &format!("/profile?db_ms={FOREVER_MS}&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s"), trace.header()],
    );
    front.expect(&[&trace.line("db: querying")]);
    rpc.expect(&[&trace.line("recommendations: searching")]);

    let signaled = Instant::now();
    front.signal("TERM");

    let reply = receive(client);
    assert_eq!(reply.status, 503, "{reply:?}");
    assert_eq!(reply.field("error"), Some("canceled: server shutting down"));
    assert!(front.exits_within(grace + WAIT).success());
    assert!(signaled.elapsed() >= grace, "the grace period was given");
    front.expect(&["server: grace period over: canceling 1 request(s)"]);
    front.expect(&[&trace.line("db: stopped after"), "(server shutting down)"]);
    // The shutdown reached the other process as a closed connection.
    rpc.expect(&[
        &trace.line("recommendations: stopped after"),
        "context canceled (client disconnected)",
    ]);
}

#[test]
fn a_second_signal_cancels_at_once() {
    let (mut front, _rpc) = profile(&["--grace", "60s"]);
    let trace = Trace::new("twice-1");
    let client = send_get(
        front.addr,
        &format!("/profile?db_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s"), trace.header()],
    );
    front.expect(&[&trace.line("db: querying")]);

    front.signal("INT");
    front.expect(&["SIGINT or SIGTERM: shutting down"]);
    front.signal("TERM");

    let reply = receive(client);
    assert_eq!(reply.status, 503, "{reply:?}");
    // Long before the minute of grace.
    assert!(front.exits_within(WAIT).success());
    front.expect(&["SIGINT or SIGTERM again: canceling the requests in flight"]);
}
