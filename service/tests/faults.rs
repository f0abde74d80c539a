//! Bad input and faults: malformed heads, oversized heads and bodies, a head
//! that never finishes, clients that leave mid-request, and a backend that
//! never answers. Each gets a clear response or a clean close, and each
//! leaves nothing behind: no task, no watcher, no backend call.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use common::{Trace, WAIT, get, logged, quiet, receive, send_get, send_raw, start};
use request_service::{Config, Server};

/// Reads until the server closes the connection; `Err` if it resets it.
fn read_to_close(mut stream: TcpStream) -> std::io::Result<String> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    Ok(String::from_utf8_lossy(&raw).into_owned())
}

/// The status in a raw response's first line.
fn status_of(raw: &str) -> Option<u16> {
    raw.split(' ').nth(1)?.parse().ok()
}

/// Every gauge back at zero: nothing of any request is left running.
fn nothing_left(server: &Server) {
    assert!(server.in_flight().wait_until(WAIT, |n| n == 0), "requests");
    assert!(
        server.live_backends().wait_until(WAIT, |n| n == 0),
        "backends"
    );
    assert!(
        server.live_watchers().wait_until(WAIT, |n| n == 0),
        "watchers"
    );
    assert!(server.live_tasks().wait_until(WAIT, |n| n == 0), "tasks");
}

fn stop(server: &Server) {
    server.shutdown();
    assert!(server.wait_timeout(WAIT), "the server stops");
    assert_eq!(server.live_tasks().get(), 0);
}

#[test]
fn malformed_heads_get_400_and_reach_no_handler() {
    let server = start(quiet());
    for raw in [
        "NOT HTTP\r\n\r\n",
        "GET /profile HTTP/1.1\r\nNo colon here\r\n\r\n",
        "GET /profile HTTP/1.1\r\nX-Bad\0Name: 1\r\n\r\n",
        "GET\r\n\r\n",
        "\u{1}\u{2}\u{3}\r\n\r\n",
    ] {
        let reply = read_to_close(send_raw(server.addr(), raw)).unwrap();
        assert_eq!(status_of(&reply), Some(400), "{raw:?} got {reply:?}");
    }
    assert_eq!(server.in_flight().get(), 0);
    nothing_left(&server);
    stop(&server);
}

#[test]
fn oversized_heads_get_431() {
    let server = start(quiet());
    let long_header = format!(
        "GET /profile HTTP/1.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20 * 1024)
    );
    let many_headers = format!(
        "GET /profile HTTP/1.1\r\n{}\r\n",
        (0..40)
            .map(|i| format!("X-H{i}: {i}\r\n"))
            .collect::<String>()
    );
    for raw in [long_header, many_headers] {
        let reply = read_to_close(send_raw(server.addr(), &raw)).unwrap();
        assert_eq!(status_of(&reply), Some(431), "got {reply:?}");
    }
    nothing_left(&server);
    stop(&server);
}

#[test]
fn oversized_bodies_get_413() {
    let (config, mut log) = logged();
    let server = start(config);

    // Announced: refused before a byte of it is read.
    let declared = receive(send_raw(
        server.addr(),
        "POST /profile HTTP/1.1\r\nContent-Length: 1000000000\r\n\r\n",
    ));
    assert_eq!(declared.status, 413, "{declared:?}");
    assert_eq!(
        declared.field("error"),
        Some("request body larger than 65536 bytes")
    );

    // Not announced: chunked, and refused once the limit is passed. The
    // server closes with the rest unread, so the client may see the 413 or
    // only a reset; the server's log says which it sent.
    let big = Trace::new("big-2");
    let mut chunked = send_raw(
        server.addr(),
        &format!(
            "POST /profile HTTP/1.1\r\ntraceparent: {}\r\nTransfer-Encoding: chunked\r\n\r\n",
            big.header().1
        ),
    );
    let chunk = "b".repeat(70 * 1024);
    let _ = write!(chunked, "{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len());
    if let Ok(reply) = read_to_close(chunked)
        && !reply.is_empty()
    {
        assert_eq!(status_of(&reply), Some(413), "{reply:?}");
    }
    log.expect(&[&big.line("413 Content Too Large")]);

    // A body within the limit is read and thrown away.
    let small = receive(send_raw(
        server.addr(),
        "POST /profile HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
    ));
    assert_eq!(small.status, 405, "{small:?}");
    nothing_left(&server);
    stop(&server);
}

#[test]
fn a_head_that_never_finishes_is_closed_after_the_header_timeout() {
    let (config, mut log) = logged();
    let server = start(Config {
        header_timeout: Duration::from_millis(200),
        ..config
    });
    let mut slow = TcpStream::connect(server.addr()).unwrap();
    slow.set_read_timeout(Some(WAIT)).unwrap();
    slow.write_all(b"GET /profile HTTP/1.1\r\nX-User: sl")
        .unwrap();
    // The server gives up on it: end of file, not a response.
    assert_eq!(read_to_close(slow).unwrap(), "");
    log.expect(&["server: connection from", "timeout"]);
    nothing_left(&server);
    stop(&server);
}

#[test]
fn a_client_that_leaves_mid_head_or_mid_body_leaves_nothing_behind() {
    let (config, mut log) = logged();
    let server = start(config);

    // Mid-head: no request ever reached the handler.
    let mut half_head = TcpStream::connect(server.addr()).unwrap();
    half_head
        .write_all(b"GET /profile HTTP/1.1\r\nX-Us")
        .unwrap();
    drop(half_head);

    // Mid-body: the handler started, and its read of the body failed.
    let half = Trace::new("half-body");
    let mut half_body = send_raw(
        server.addr(),
        &format!(
            "POST /profile HTTP/1.1\r\ntraceparent: {}\r\nContent-Length: 100\r\n\r\n0123456789",
            half.header().1
        ),
    );
    half_body.flush().unwrap();
    half_body.shutdown(Shutdown::Both).unwrap();
    drop(half_body);

    log.expect(&[&half.line("400 Bad Request")]);
    nothing_left(&server);
    assert_eq!(
        get(server.addr(), "/profile?db_ms=0&rpc_ms=0", &[]).status,
        200
    );
    stop(&server);
}

#[test]
fn a_backend_that_never_answers_is_stopped_by_the_deadline() {
    let server = start(quiet());
    // u64::MAX milliseconds: longer than any deadline can be.
    let reply = get(
        server.addr(),
        &format!("/profile?db_ms={}&rpc_ms={}", u64::MAX, u64::MAX),
        &[("X-Timeout", "100ms")],
    );
    assert_eq!(reply.status, 504, "{reply:?}");
    for backend in ["db", "rpc"] {
        let line = reply.field(backend).unwrap();
        assert!(line.ends_with(": context deadline exceeded"), "{line}");
    }
    nothing_left(&server);
    stop(&server);
}

#[test]
fn a_backend_that_never_answers_is_stopped_by_shutdown() {
    let server = start(Config {
        grace: Duration::from_millis(100),
        ..quiet()
    });
    let slow = send_get(
        server.addr(),
        &format!("/profile?db_ms={}", u64::MAX),
        &[("X-Timeout", "30s")],
    );
    assert!(server.live_backends().wait_until(WAIT, |n| n >= 1));
    server.shutdown();
    let reply = receive(slow);
    assert_eq!(reply.status, 503, "{reply:?}");
    assert_eq!(reply.field("error"), Some("canceled: server shutting down"));
    assert!(server.wait_timeout(WAIT));
    nothing_left(&server);
}

#[test]
fn a_connection_that_sent_nothing_does_not_hold_up_shutdown() {
    let server = start(Config {
        grace: Duration::from_millis(100),
        header_timeout: Duration::from_secs(3600),
        ..quiet()
    });
    let idle = TcpStream::connect(server.addr()).unwrap();
    idle.set_read_timeout(Some(WAIT)).unwrap();
    assert!(server.live_tasks().wait_until(WAIT, |n| n == 1));
    server.shutdown();
    // Closed when the grace period ends, not after the hour-long timeout.
    assert!(server.wait_timeout(WAIT));
    assert_eq!(read_to_close(idle).unwrap(), "");
    nothing_left(&server);
}

#[test]
fn fault_after_fault_the_server_still_serves() {
    let server = start(quiet());
    let addr = server.addr();
    for _ in 0..20 {
        drop(send_raw(addr, "GET /profile HTTP/1.1\r\n")); // gone mid-head
        let _ = read_to_close(send_raw(addr, "BAD\r\n\r\n"));
        drop(send_get(addr, "/profile?db_ms=60000", &[])); // gone mid-request
    }
    let reply = get(addr, "/profile?db_ms=0&rpc_ms=0", &[("X-User", "alice")]);
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.field("user"), Some("alice"));
    nothing_left(&server);
    stop(&server);
}
