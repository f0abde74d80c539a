//! One connection, one request: the thread that reads it, builds its context
//! tree, runs the handler and writes the response.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use context::Context;

use crate::duration::{parse_duration, show};
use crate::handler;
use crate::http::{self, ReadError, Request, Response, reason};
use crate::server::Shared;
use crate::values::{TRACE_ID, TraceId};
use crate::watcher::Watcher;

/// Serves the one request `stream` carries. Runs on the connection's own
/// thread: Go's goroutine per request.
pub(crate) fn serve(mut stream: TcpStream, server: &Shared) {
    let _in_flight = server.in_flight.enter();
    let started = Instant::now();
    let _ = stream.set_read_timeout(Some(server.config.header_timeout));
    let (ctx, response) = match http::read_request(&mut stream) {
        Ok(request) => handle(&stream, &request, server),
        Err(ReadError::Closed) => return, // nobody to answer
        Err(err) => {
            let ctx = context::with_value(&server.root, &TRACE_ID, TraceId::generate());
            let response = handler::reply(&ctx, err.status(), [format!("error: {err}")]);
            (ctx, response)
        }
    };
    let status = response.status();
    server.log.request(
        &ctx,
        format_args!("{status} {} in {}", reason(status), show(started.elapsed())),
    );
    if let Err(err) = response.write_to(&mut stream) {
        server
            .log
            .request(&ctx, format_args!("response not delivered: {err}"));
    }
}

/// Builds the request's context tree, watches the connection while the
/// handler runs, and returns the context (for its trace id) and the response.
fn handle(stream: &TcpStream, request: &Request, server: &Shared) -> (Context, Response) {
    // Once the head is in, the watcher's read waits for as long as it takes.
    let _ = stream.set_read_timeout(None);
    let trace = request
        .header("x-trace-id")
        .and_then(TraceId::parse)
        .unwrap_or_else(TraceId::generate);
    let timeout = match request_timeout(request, server) {
        Ok(timeout) => timeout,
        Err(message) => {
            let ctx = context::with_value(&server.root, &TRACE_ID, trace);
            let response = handler::reply(&ctx, 400, [format!("error: {message}")]);
            return (ctx, response);
        }
    };

    // ANCHOR: request_tree
    // The connection's node, canceled by the watcher if the client hangs up
    // (and with the server's root if shutdown runs out of patience).
    let (conn_ctx, hang_up) = context::with_cancel_cause(&server.root);
    // The request's deadline: from X-Timeout, or the server's default.
    let (ctx, _deadline) = context::with_timeout(&conn_ctx, timeout);
    let ctx = context::with_value(&ctx, &TRACE_ID, trace);
    server.log.request(
        &ctx,
        format_args!(
            "{} {}, deadline in {}",
            request.method(),
            request.target(),
            show(timeout)
        ),
    );
    let response = match Watcher::start(stream, &ctx, hang_up, &server.watchers, &server.log) {
        Ok(watcher) => {
            let response = handler::route(&ctx, request, server);
            watcher.stop(); // before the response: it never outlives the request
            response
        }
        Err(err) => handler::reply(
            &ctx,
            503,
            [format!("error: cannot watch the connection: {err}")],
        ),
    };
    // ANCHOR_END: request_tree
    // Returning drops `_deadline`: Go's `defer cancel()`, which cancels the
    // request's node and stops its timer. The watcher's `hang_up` did the
    // same for the connection's node when its thread ended.
    (ctx, response)
}

/// The request's timeout: `X-Timeout` if sent (at most the server's maximum),
/// else the server's default.
fn request_timeout(request: &Request, server: &Shared) -> Result<Duration, String> {
    match request.header("x-timeout") {
        None => Ok(server.config.default_timeout),
        Some(text) => parse_duration(text)
            .map(|timeout| timeout.min(server.config.max_timeout))
            .ok_or_else(|| format!("X-Timeout: {text}: not a duration like 250ms or 2s")),
    }
}
