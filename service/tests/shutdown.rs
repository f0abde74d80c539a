//! Shutdown: the accept loop stops, the requests in flight finish within the
//! grace period or are canceled when it ends, the server waits for them all
//! with its wait group, and the port closes.

mod common;

use std::thread;
use std::time::Duration;

use common::{
    FOREVER_MS, Trace, WAIT, get, logged, port_closed, quiet, receive, send_get, send_raw, start,
};
use request_service::Config;

#[test]
fn shutdown_lets_a_request_in_flight_finish() {
    let (config, mut log) = logged();
    let server = start(Config {
        grace: WAIT,
        ..config
    });
    let addr = server.addr();
    let in_flight = thread::spawn(move || {
        get(
            addr,
            "/profile?db_ms=200&rpc_ms=200",
            &[Trace::new("last-one").header()],
        )
    });
    assert!(server.live_backends().wait_until(WAIT, |n| n == 2));

    server.shutdown();

    let reply = in_flight.join().unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(server.wait_timeout(WAIT), "the server drains and stops");
    assert!(port_closed(addr));
    assert_eq!(server.in_flight().get(), 0);
    assert_eq!(server.live_backends().get(), 0);
    log.expect(&["server: stopped accepting; waiting up to 10s for 1 request(s)"]);
    log.expect(&["server: stopped: every request is done"]);
}

#[test]
fn post_shutdown_cancels_what_outlasts_the_grace_period() {
    let server = start(Config {
        grace: Duration::ZERO,
        ..quiet()
    });
    let addr = server.addr();
    let slow = send_get(
        addr,
        &format!("/profile?db_ms={FOREVER_MS}&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s")],
    );
    assert!(server.live_backends().wait_until(WAIT, |n| n == 2));

    let accepted = receive(send_raw(
        addr,
        "POST /shutdown HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
    ));
    assert_eq!(accepted.status, 202, "{accepted:?}");

    let reply = receive(slow);
    assert_eq!(reply.status, 503, "{reply:?}");
    assert_eq!(reply.field("error"), Some("canceled: server shutting down"));
    assert!(server.wait_timeout(WAIT));
    assert!(port_closed(addr));
    assert_eq!(server.live_backends().get(), 0);
    assert_eq!(server.live_watchers().get(), 0);
}

#[test]
fn shutdown_now_cancels_at_once() {
    let server = start(Config {
        grace: WAIT,
        ..quiet()
    });
    let slow = send_get(
        server.addr(),
        &format!("/profile?db_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s")],
    );
    assert!(server.live_backends().wait_until(WAIT, |n| n >= 1));

    server.shutdown_now();

    assert_eq!(receive(slow).status, 503);
    assert!(server.wait_timeout(WAIT));
    assert!(port_closed(server.addr()));
}

#[test]
fn an_idle_server_stops_at_once() {
    let server = start(quiet());
    let waiter = thread::spawn({
        let server = server.clone();
        move || server.wait_timeout(WAIT)
    });
    server.shutdown();
    server.shutdown(); // a second call changes nothing
    assert!(waiter.join().unwrap());
    assert!(port_closed(server.addr()));
}
