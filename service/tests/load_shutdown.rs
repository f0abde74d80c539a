//! A thousand slow requests in flight when shutdown begins: every one gets
//! its answer (`503`, its backends canceled, its calls to the
//! recommendation service dropped), every context is canceled, and once
//! `wait` returns no task, backend call or thread of the server is left.
//! Alone in its file, so that its thread count is the servers' alone.

mod common;

use std::fs;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{FOREVER_MS, WAIT, quiet, receive, recommendations, send_get, start_with};
use request_service::{Config, Log};

const REQUESTS: usize = 1000;

/// The threads of this process, from Linux's `/proc`.
fn threads() -> usize {
    fs::read_dir("/proc/self/task").map_or(0, |tasks| tasks.count())
}

#[test]
fn a_thousand_slow_requests_are_all_answered_and_canceled_at_shutdown() {
    // The context crate's timer thread lives as long as the process; start
    // it before counting.
    let (_ctx, _cancel) =
        go_context::with_timeout(&go_context::background(), Duration::from_secs(3600));
    let before = threads();

    let (answered, stopped_backends) =
        (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let log = Log::to({
        let (answered, stopped_backends) = (Arc::clone(&answered), Arc::clone(&stopped_backends));
        move |line| {
            if line.contains("503 Service Unavailable in") {
                answered.fetch_add(1, Ordering::SeqCst);
            }
            if line.contains(": stopped after") && line.contains("(server shutting down)") {
                stopped_backends.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let grace = Duration::from_millis(300);
    // The recommendation service's own limit is longer than the test: only
    // the shutdown ends these requests.
    let server = start_with(
        Config {
            port: 0,
            grace,
            log,
            ..Config::default()
        },
        recommendations(Config {
            default_timeout: Duration::from_secs(3600),
            ..quiet()
        }),
    );

    let target = format!("/profile?db_ms={FOREVER_MS}&rpc_ms={FOREVER_MS}");
    let clients: Vec<_> = (0..REQUESTS)
        .map(|_| send_get(server.addr(), &target, &[("X-Timeout", "30s")]))
        .collect();
    assert!(
        server.in_flight().wait_until(WAIT * 3, |n| n == REQUESTS),
        "every request reached its handler: {server:?}"
    );

    let shutdown_at = Instant::now();
    server.shutdown();

    for client in clients {
        let reply = receive(client);
        assert_eq!(reply.status, 503, "{reply:?}");
        assert_eq!(reply.field("error"), Some("canceled: server shutting down"));
    }
    assert!(server.wait_timeout(WAIT * 3), "the server stops");
    let took = shutdown_at.elapsed();
    // Every call to it was dropped: the recommendation service is idle.
    assert!(server.rpc.in_flight().wait_until(WAIT, |n| n == 0));
    server.rpc.shutdown();
    assert!(
        server.rpc.wait_timeout(WAIT),
        "the recommendation service stops"
    );
    assert!(took >= grace, "the grace period was given: {took:?}");

    assert_eq!(answered.load(Ordering::SeqCst), REQUESTS);
    assert_eq!(stopped_backends.load(Ordering::SeqCst), 2 * REQUESTS);
    assert_eq!(server.in_flight().get(), 0);
    assert_eq!(server.live_backends().get(), 0);
    assert_eq!(server.live_watchers().get(), 0);
    assert_eq!(server.live_tasks().get(), 0);
    // The runtime's workers and blocking threads are joined before `wait`
    // returns; the server's own thread ends right after.
    let deadline = Instant::now() + WAIT;
    while threads() > before && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(threads(), before, "a thread of the server outlived it");
}
