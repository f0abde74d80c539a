//! Requests that end on their own: success, the deadline, a failing backend,
//! and the requests the service refuses. Each over a real loopback socket.

mod common;

use std::time::{Duration, Instant};

use common::{FOREVER_MS, Trace, WAIT, get, quiet, receive, send_raw, start};
use request_service::Config;

#[test]
fn a_fast_request_gets_both_backends_results() {
    let server = start(quiet());
    let trace = Trace::new("fast-1");
    let reply = get(
        server.addr(),
        "/profile?db_ms=5&rpc_ms=5",
        &[("X-User", "alice"), trace.header()],
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("X-Trace-Id"), Some(trace.id()));
    assert_eq!(reply.field("trace"), Some(trace.id()));
    assert_eq!(reply.field("user"), Some("alice"));
    // Each backend read the user from the request's context.
    let db = reply.field("db").unwrap();
    assert!(
        db.starts_with("ok after") && db.ends_with("profile of alice"),
        "{db}"
    );
    let rpc = reply.field("rpc").unwrap();
    assert!(rpc.ends_with("3 recommendations for alice"), "{rpc}");
    assert_eq!(reply.field("error"), None);
    server.shutdown();
    assert!(server.wait_timeout(WAIT));
}

#[test]
fn a_request_without_a_trace_id_gets_a_fresh_one() {
    let server = start(quiet());
    let first = get(server.addr(), "/profile?db_ms=0&rpc_ms=0", &[]);
    let second = get(server.addr(), "/profile?db_ms=0&rpc_ms=0", &[]);
    let trace = first.header("X-Trace-Id").unwrap();
    assert_eq!(trace.len(), 32);
    assert!(trace.chars().all(|c| c.is_ascii_hexdigit()), "{trace}");
    assert_eq!(first.field("trace"), Some(trace));
    assert_ne!(second.header("X-Trace-Id"), Some(trace));
    assert_eq!(first.field("user"), Some("anonymous"));
    server.shutdown();
    assert!(server.wait_timeout(WAIT));
}

#[test]
fn a_slow_request_times_out_and_leaves_no_backend_running() {
    let server = start(quiet());
    let trace = Trace::new("slow-1");
    let reply = get(
        server.addr(),
        &format!("/profile?db_ms={FOREVER_MS}&rpc_ms=0"),
        &[("X-Timeout", "100ms"), trace.header()],
    );
    assert_eq!(reply.status, 504, "{reply:?}");
    assert_eq!(reply.header("X-Trace-Id"), Some(trace.id()));
    assert_eq!(reply.field("error"), Some("context deadline exceeded"));
    let db = reply.field("db").unwrap();
    assert!(
        db.starts_with("stopped after") && db.ends_with(": context deadline exceeded"),
        "{db}"
    );
    assert!(reply.field("rpc").unwrap().starts_with("ok after"));
    // The handler waits for its backends before it answers.
    assert_eq!(server.live_backends().get(), 0);
    assert!(server.live_backends().wait_until(WAIT, |n| n == 0));
    server.shutdown();
    assert!(server.wait_timeout(WAIT));
}

#[test]
fn the_server_default_deadline_applies_without_x_timeout() {
    let server = start(Config {
        default_timeout: Duration::from_millis(50),
        ..quiet()
    });
    let reply = get(server.addr(), &format!("/profile?db_ms={FOREVER_MS}"), &[]);
    assert_eq!(reply.status, 504, "{reply:?}");
    server.shutdown();
    assert!(server.wait_timeout(WAIT));
}

#[test]
fn a_failing_rpc_cancels_the_slow_database() {
    let server = start(quiet());
    let started = Instant::now();
    let reply = get(
        server.addr(),
        &format!("/profile?db_ms={FOREVER_MS}&rpc_ms=10&rpc=fail"),
        &[("X-Timeout", "30s")],
    );
    let took = started.elapsed();
    assert_eq!(reply.status, 502, "{reply:?}");
    assert_eq!(
        reply.field("error"),
        Some("rpc: recommendation service unavailable")
    );
    assert_eq!(
        reply
            .field("rpc")
            .map(|rpc| rpc.ends_with(": recommendation service unavailable")),
        Some(true)
    );
    // The group's context carried the RPC's error to the database call.
    let db = reply.field("db").unwrap();
    assert!(
        db.ends_with(": context canceled (rpc: recommendation service unavailable)"),
        "{db}"
    );
    assert!(
        took < Duration::from_millis(FOREVER_MS / 2),
        "took {took:?}"
    );
    assert_eq!(server.live_backends().get(), 0);
    server.shutdown();
    assert!(server.wait_timeout(WAIT));
}

#[test]
fn refused_requests_say_why() {
    let server = start(quiet());
    let addr = server.addr();

    let no_token = receive(send_raw(
        addr,
        "GET /profile HTTP/1.1\r\nX-User: eve\r\n\r\n",
    ));
    assert_eq!(no_token.status, 401, "{no_token:?}");
    assert_eq!(
        no_token.field("error"),
        Some("missing Authorization: Bearer <token>")
    );

    let trace = Trace::new("t-400");
    let bad_timeout = get(addr, "/profile", &[("X-Timeout", "soon"), trace.header()]);
    assert_eq!(bad_timeout.status, 400, "{bad_timeout:?}");
    assert_eq!(bad_timeout.header("X-Trace-Id"), Some(trace.id()));
    assert_eq!(
        bad_timeout.field("error"),
        Some("X-Timeout \"soon\": not a duration like 250ms or 2s")
    );

    let bad_delay = get(addr, "/profile?db_ms=lots", &[]);
    assert_eq!(bad_delay.status, 400, "{bad_delay:?}");
    assert_eq!(
        bad_delay.field("error"),
        Some("db_ms=lots: not a number of milliseconds")
    );

    assert_eq!(get(addr, "/nowhere", &[]).status, 404);
    assert_eq!(
        receive(send_raw(addr, "DELETE /profile HTTP/1.1\r\n\r\n")).status,
        405
    );
    assert_eq!(receive(send_raw(addr, "NOT HTTP\r\n\r\n")).status, 400);
    let help = get(addr, "/", &[]);
    assert_eq!(help.status, 200);
    assert!(help.body.contains("GET /profile"));

    assert_eq!(
        server.live_backends().get(),
        0,
        "no refused request reached a backend"
    );
    server.shutdown();
    assert!(server.wait_timeout(WAIT));
}
