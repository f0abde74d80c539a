//! A client that hangs up cancels its request: the watcher sees the
//! connection close and cancels the request's context, and every backend
//! thread stops, long before its work or the deadline would have ended it.

mod common;

use std::thread;

use common::{FOREVER_MS, Trace, WAIT, get, logged, quiet, send_get, start};

#[test]
fn a_client_that_hangs_up_cancels_its_backends() {
    let (config, mut log) = logged();
    let server = start(config);
    let trace = Trace::new("hang-up");
    let client = send_get(
        server.addr(),
        &format!("/profile?db_ms={FOREVER_MS}&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s"), trace.header()],
    );
    assert!(
        server.live_backends().wait_until(WAIT, |n| n == 2),
        "both backends started"
    );

    drop(client); // the client goes away

    assert!(server.live_backends().wait_until(WAIT, |n| n == 0));
    assert!(server.live_watchers().wait_until(WAIT, |n| n == 0));
    assert!(server.in_flight().wait_until(WAIT, |n| n == 0));
    log.expect(&[&trace.line("client disconnected: canceling the request")]);
    for backend in ["db", "rpc"] {
        log.expect(&[
            &trace.line(&format!("{backend}: stopped after")),
            "context canceled (client disconnected)",
        ]);
    }
    log.expect(&[&trace.line("499 Client Closed Request")]);
    server.shutdown();
    assert!(server.wait_timeout(WAIT));
}

#[test]
fn a_hang_up_cancels_only_its_own_request() {
    let server = start(quiet());
    let addr = server.addr();
    let leaving = send_get(
        addr,
        &format!("/profile?db_ms={FOREVER_MS}&rpc_ms={FOREVER_MS}"),
        &[("X-Timeout", "30s")],
    );
    assert!(server.live_backends().wait_until(WAIT, |n| n == 2));
    // A second request that outlasts the first one's hang-up.
    let staying = thread::spawn(move || get(addr, "/profile?db_ms=200&rpc_ms=200", &[]));
    assert!(server.live_backends().wait_until(WAIT, |n| n == 4));
    drop(leaving);
    assert!(server.live_backends().wait_until(WAIT, |n| n <= 2));
    let reply = staying.join().unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(server.live_backends().wait_until(WAIT, |n| n == 0));
    server.shutdown();
    assert!(server.wait_timeout(WAIT));
}

#[test]
fn the_watcher_of_a_finished_request_exits() {
    let server = start(quiet());
    let reply = get(server.addr(), "/profile?db_ms=0&rpc_ms=0", &[]);
    assert_eq!(reply.status, 200);
    // The watcher is stopped and joined before the response is written.
    assert_eq!(server.live_watchers().get(), 0);
    assert!(server.in_flight().wait_until(WAIT, |n| n == 0));
    server.shutdown();
    assert!(server.wait_timeout(WAIT));
}
