//! The request's deadline, cancellation and trace on the wire between two
//! (and three) servers over loopback: the budget each hop sends and gets,
//! every way a caller's context can end reaching the callee as a closed
//! connection, the trace on every hop, and every malformed header answered
//! and logged.

mod common;

use std::time::{Duration, Instant};

use common::{
    FOREVER_MS, LogLines, Stack, Trace, WAIT, get, logged, quiet, recommendations, send_get, serve,
    start_with,
};
use request_service::Config;
use request_service::propagation::decode_timeout;

/// The `grpc-timeout` a log line reports: `… (grpc-timeout: 249734u)`.
fn budget_in(line: &str) -> Duration {
    let value = line
        .split("grpc-timeout: ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("a grpc-timeout in {line:?}"));
    decode_timeout(value).unwrap_or_else(|err| panic!("{value:?}: {err}"))
}

/// A profile service and its recommendation service, both logging.
fn two_hops(front: Config, rpc: Config) -> (Stack, LogLines, LogLines) {
    let (logging, front_lines) = logged();
    let front = Config {
        log: logging.log,
        ..front
    };
    let (logging, rpc_lines) = logged();
    let rpc = Config {
        log: logging.log,
        ..rpc
    };
    (
        start_with(front, recommendations(rpc)),
        front_lines,
        rpc_lines,
    )
}

#[test]
fn the_deadline_goes_out_as_the_time_left() {
    let (stack, _, mut rpc_log) = two_hops(quiet(), quiet());
    let trace = Trace::new("budget-1");
    let reply = get(
        stack.addr(),
        "/profile?db_ms=0&rpc_ms=0",
        &[("X-Timeout", "1s"), trace.header()],
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    let arrived = rpc_log.expect(&[&trace.line("GET /recommendations?ms=0, deadline in")]);
    let budget = budget_in(&arrived);
    assert!(
        Duration::ZERO < budget && budget < Duration::from_secs(1),
        "{arrived}"
    );
}

#[test]
fn a_callers_grpc_timeout_shortens_the_deadline() {
    let (stack, mut front_log, _) = two_hops(quiet(), quiet());
    let trace = Trace::new("short-1");
    let started = Instant::now();
    let reply = get(
        stack.addr(),
        &format!("/profile?db_ms={FOREVER_MS}"),
        &[("grpc-timeout", "100m"), trace.header()],
    );
    assert_eq!(reply.status, 504, "{reply:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "before the default"
    );
    front_log
        .expect(&[&trace.line("GET /profile?db_ms=60000, deadline in 100ms (grpc-timeout: 100m)")]);
}

#[test]
fn a_longer_grpc_timeout_is_cut_to_the_servers_limit() {
    let front = Config {
        default_timeout: Duration::from_millis(200),
        ..quiet()
    };
    let (stack, mut front_log, _) = two_hops(front, quiet());
    let trace = Trace::new("long-1");
    let reply = get(
        stack.addr(),
        &format!("/profile?db_ms={FOREVER_MS}"),
        &[("grpc-timeout", "99999999H"), trace.header()],
    );
    assert_eq!(reply.status, 504, "{reply:?}");
    front_log.expect(&[
        &trace.line("GET /profile"),
        "deadline in 200ms (this server's limit; grpc-timeout: 99999999H)",
    ]);
}

#[test]
fn the_callees_own_limit_wins_when_it_is_shorter() {
    let rpc = Config {
        default_timeout: Duration::from_millis(100),
        ..quiet()
    };
    let (stack, _, mut rpc_log) = two_hops(quiet(), rpc);
    let trace = Trace::new("own-limit");
    let reply = get(
        stack.addr(),
        &format!("/profile?db_ms=0&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s"), trace.header()],
    );
    assert_eq!(reply.status, 502, "{reply:?}");
    assert_eq!(
        reply.field("error"),
        Some("rpc: the recommendation service's own limit ran out first")
    );
    rpc_log.expect(&[
        &trace.line("GET /recommendations"),
        "deadline in 100ms (this server's limit; grpc-timeout: ",
    ]);
    rpc_log.expect(&[
        &trace.line("recommendations: stopped after"),
        "context deadline exceeded",
    ]);
}

/// The callee saw its caller hang up, and stopped.
fn stopped_by_a_hang_up(stack: &Stack, rpc_log: &mut LogLines, trace: &Trace) {
    rpc_log.expect(&[&trace.line("client disconnected: canceling the request")]);
    rpc_log.expect(&[
        &trace.line("recommendations: stopped after"),
        "context canceled (client disconnected)",
    ]);
    assert!(stack.rpc.live_backends().wait_until(WAIT, |n| n == 0));
}

#[test]
fn the_callers_deadline_drops_the_call() {
    let (stack, mut front_log, mut rpc_log) = two_hops(quiet(), quiet());
    let trace = Trace::new("deadline");
    let reply = get(
        stack.addr(),
        &format!("/profile?db_ms=0&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "200ms"), trace.header()],
    );
    assert_eq!(reply.status, 504, "{reply:?}");
    front_log.expect(&[
        &trace.line("rpc: stopped after"),
        "context deadline exceeded; hanging up",
    ]);
    // Its own copy of the deadline and the closed connection race.
    let stopped = rpc_log.expect(&[&trace.line("recommendations: stopped after")]);
    assert!(
        stopped.ends_with("context deadline exceeded")
            || stopped.ends_with("context canceled (client disconnected)"),
        "{stopped}"
    );
    assert!(stack.rpc.live_backends().wait_until(WAIT, |n| n == 0));
}

#[test]
fn a_client_hang_up_drops_the_call() {
    let (stack, mut front_log, mut rpc_log) = two_hops(quiet(), quiet());
    let trace = Trace::new("hang-up");
    let client = send_get(
        stack.addr(),
        &format!("/profile?db_ms={FOREVER_MS}&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s"), trace.header()],
    );
    rpc_log.expect(&[&trace.line("recommendations: searching")]);
    drop(client);
    front_log.expect(&[
        &trace.line("rpc: stopped after"),
        "(client disconnected); hanging up",
    ]);
    stopped_by_a_hang_up(&stack, &mut rpc_log, &trace);
}

#[test]
fn a_siblings_error_drops_the_call() {
    let (stack, mut front_log, mut rpc_log) = two_hops(quiet(), quiet());
    let trace = Trace::new("sibling");
    let reply = get(
        stack.addr(),
        &format!("/profile?db_ms=50&db=fail&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s"), trace.header()],
    );
    assert_eq!(reply.status, 502, "{reply:?}");
    assert_eq!(
        reply.field("error"),
        Some("db: profile database unavailable")
    );
    front_log.expect(&[
        &trace.line("rpc: stopped after"),
        "context canceled (db: profile database unavailable); hanging up",
    ]);
    stopped_by_a_hang_up(&stack, &mut rpc_log, &trace);
}

#[test]
fn a_shutdown_drops_the_call() {
    let (stack, mut front_log, mut rpc_log) = two_hops(quiet(), quiet());
    let trace = Trace::new("shutdown");
    let client = send_get(
        stack.addr(),
        &format!("/profile?db_ms={FOREVER_MS}&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s"), trace.header()],
    );
    rpc_log.expect(&[&trace.line("recommendations: searching")]);
    stack.shutdown_now();
    assert_eq!(common::receive(client).status, 503);
    front_log.expect(&[
        &trace.line("rpc: stopped after"),
        "(server shutting down); hanging up",
    ]);
    stopped_by_a_hang_up(&stack, &mut rpc_log, &trace);
}

#[test]
fn a_spent_budget_reaches_no_backend() {
    let (stack, mut front_log, mut rpc_log) = two_hops(quiet(), quiet());
    let spent = Trace::new("spent");
    let reply = get(
        stack.addr(),
        "/profile?db_ms=0&rpc_ms=0",
        &[("grpc-timeout", "0n"), spent.header()],
    );
    assert_eq!(reply.status, 504, "{reply:?}");
    front_log.expect(&[&spent.line("504 Gateway Timeout")]);
    // A request after it reaches the backend; the spent one never did.
    let next = Trace::new("next");
    assert_eq!(
        get(stack.addr(), "/profile?db_ms=0&rpc_ms=0", &[next.header()]).status,
        200
    );
    rpc_log.expect(&[&next.line("200 OK")]);
    assert!(!rpc_log.saw(spent.id()));
}

#[test]
fn every_bad_header_is_answered_400_and_logged_on_either_hop() {
    let (stack, mut front_log, mut rpc_log) = two_hops(quiet(), quiet());
    let cases: [(&[(&str, &str)], &str); 9] = [
        (
            &[("grpc-timeout", "250ms")],
            "grpc-timeout \"250ms\": unknown unit 's'",
        ),
        (
            &[("grpc-timeout", "250")],
            "grpc-timeout \"250\": no unit after the digits",
        ),
        (
            &[("grpc-timeout", "m")],
            "grpc-timeout \"m\": no digits before the unit",
        ),
        (
            &[("grpc-timeout", "-1S")],
            "grpc-timeout \"-1S\": the value is not plain digits",
        ),
        (
            &[("grpc-timeout", "1.5S")],
            "grpc-timeout \"1.5S\": the value is not plain digits",
        ),
        (
            &[("grpc-timeout", "123456789n")],
            "grpc-timeout \"123456789n\": 9 digits, more than the 8 allowed",
        ),
        (
            &[("grpc-timeout", "99999999999999999999999H")],
            "23 digits, more than the 8 allowed",
        ),
        (
            &[("grpc-timeout", "1S"), ("grpc-timeout", "2S")],
            "grpc-timeout \"1S\": sent more than once",
        ),
        (
            &[("X-Timeout", "soon")],
            "X-Timeout \"soon\": not a duration",
        ),
    ];
    for (index, (headers, reason)) in cases.into_iter().enumerate() {
        for (hop, log, path) in [
            (stack.front.addr(), &mut front_log, "/profile"),
            (stack.rpc.addr(), &mut rpc_log, "/recommendations"),
        ] {
            let trace = Trace::new(&format!("bad-{index}"));
            let mut sent = headers.to_vec();
            sent.push(trace.header());
            let reply = get(hop, path, &sent);
            assert_eq!(reply.status, 400, "{headers:?}: {reply:?}");
            let error = reply.field("error").unwrap();
            assert!(error.contains(reason), "{error}");
            // Logged, under the caller's trace, with the reason.
            log.expect(&[&trace.line(&format!("GET {path} refused: ")), reason]);
            log.expect(&[&trace.line("400 Bad Request")]);
        }
    }
    assert_eq!(
        stack.live_backends().get(),
        0,
        "no refused request reached a backend"
    );
}

#[test]
fn a_header_that_is_not_text_is_refused_too() {
    let (stack, mut front_log, _) = two_hops(quiet(), quiet());
    let reply = common::receive(common::send_raw(
        stack.addr(),
        "GET /profile HTTP/1.1\r\ngrpc-timeout: 1\u{e9}S\r\n\r\n",
    ));
    assert_eq!(reply.status, 400, "{reply:?}");
    front_log.expect(&["refused: grpc-timeout \"1\\xc3\\xa9S\": not visible ASCII"]);
}

#[test]
fn a_malformed_traceparent_is_replaced_and_logged() {
    let (stack, mut front_log, mut rpc_log) = two_hops(quiet(), quiet());
    let bad = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01";
    let reply = get(
        stack.addr(),
        "/profile?db_ms=0&rpc_ms=0",
        &[("traceparent", bad)],
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    let id = reply.header("X-Trace-Id").unwrap();
    assert_ne!(id, "4bf92f3577b34da6a3ce929d0e0e4736");
    front_log.expect(&[&format!(
        "[{id}] traceparent \"{bad}\" not trusted (the trace-id is not lowercase hex): a new trace begins"
    )]);
    rpc_log.expect(&[&format!("[{id}] 200 OK")]);
}

#[test]
fn a_chain_of_three_hops_gives_each_less_time_than_the_last() {
    // front → middle → last: the middle hop passes each request on.
    let (last_config, mut last_log) = logged();
    let last = serve(recommendations(last_config));
    let (middle_config, mut middle_log) = logged();
    let middle = serve(Config {
        rpc: Some(last.addr()),
        ..recommendations(middle_config)
    });
    let front = serve(Config {
        rpc: Some(middle.addr()),
        ..quiet()
    });

    let trace = Trace::new("chain-1");
    let reply = get(
        front.addr(),
        "/profile?db_ms=0&rpc_ms=10",
        &[("X-Timeout", "2s"), trace.header()],
    );
    assert_eq!(reply.status, 200, "{reply:?}");
    let at_middle = budget_in(&middle_log.expect(&[&trace.line("GET /recommendations")]));
    let at_last = budget_in(&last_log.expect(&[&trace.line("GET /recommendations")]));
    assert!(at_middle < Duration::from_secs(2), "{at_middle:?}");
    assert!(at_last < at_middle, "{at_last:?} after {at_middle:?}");

    // A slow last hop: the first hop's deadline stops all three.
    let slow = Trace::new("chain-slow");
    let reply = get(
        front.addr(),
        &format!("/profile?db_ms=0&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "1s"), slow.header()],
    );
    assert_eq!(reply.status, 504, "{reply:?}");
    middle_log.expect(&[&slow.line("rpc: stopped after"), "hanging up"]);
    last_log.expect(&[&slow.line("recommendations: stopped after")]);
    for server in [&middle, &last] {
        assert!(server.live_backends().wait_until(WAIT, |n| n == 0));
    }
    for server in [front, middle, last] {
        server.shutdown();
        assert!(server.wait_timeout(WAIT));
    }
}
