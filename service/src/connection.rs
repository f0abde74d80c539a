//! One connection, one request: hyper reads it, and this module builds the
//! request's context tree, hands the request to a handler task, and waits
//! for the response while watching for a hang-up.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use go_context::{CancelFunc, Context};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderValue;
use hyper::http::request::Parts;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;

use crate::duration::{parse_duration, show};
use crate::handler;
use crate::http::{self, MAX_HEAD, MAX_HEADERS, Request, Response, reason};
use crate::propagation::{self, Derived, GRPC_TIMEOUT, TRACE, TRACEPARENT, TraceOrigin};
use crate::state::State;
use crate::watcher::Watcher;

// ANCHOR: connection
/// Serves the one request `stream` carries, on the connection's own task.
pub(crate) async fn serve(stream: TcpStream, peer: SocketAddr, server: Arc<State>) {
    // Whether the request has reached the handler: then shutdown lets it
    // answer; before that there is nothing to lose by closing.
    let started = Arc::new(AtomicBool::new(false));
    let service = service_fn({
        let (server, started) = (Arc::clone(&server), Arc::clone(&started));
        move |request| {
            started.store(true, Ordering::Relaxed);
            respond(request, Arc::clone(&server))
        }
    });
    let mut http = http1::Builder::new();
    http.keep_alive(false) // one request per connection
        .max_buf_size(MAX_HEAD) // a larger head gets 431
        .max_headers(MAX_HEADERS) // and so do more headers
        .timer(TokioTimer::new())
        .header_read_timeout(server.config.header_timeout); // then a close
    let mut connection = pin!(http.serve_connection(TokioIo::new(stream), service));
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = server.root.wait_async() => {
            // Shutdown's grace period is over: a request already in the
            // handler gets its (503) answer; a connection still sending its
            // head is closed.
            connection.as_mut().graceful_shutdown();
            if started.load(Ordering::Relaxed) {
                connection.await
            } else {
                Ok(())
            }
        }
    };
    if let Err(err) = result {
        // A malformed or oversized head (hyper has answered it), a head that
        // never came, or a client that hung up.
        server
            .log
            .server(format_args!("connection from {peer}: {err}"));
    }
}
// ANCHOR_END: connection

/// The response to one request; hyper drops this future, and so its
/// watcher, if the client hangs up first.
async fn respond(
    request: hyper::Request<Incoming>,
    server: Arc<State>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let head = Request::from_parts(&parts);

    // ANCHOR: request_tree
    // The connection's node, canceled by the watcher if the client hangs up
    // (and with the server's root if shutdown runs out of patience).
    let (conn_ctx, hang_up) = go_context::with_cancel_cause(&server.root);
    // The request's deadline and trace, from its headers: this server's
    // limit (X-Timeout, or the default) or the caller's grpc-timeout,
    // whichever ends first, and the caller's traceparent.
    let derived = request_limit(&head, &server).and_then(|limit| {
        propagation::derive(&conn_ctx, &parts.headers, limit).map_err(|err| err.to_string())
    });
    let derived = match derived {
        Ok(derived) => derived,
        Err(message) => return Ok(refuse(&conn_ctx, &parts, &head, &message, started, &server)),
    };
    log_arrival(&derived, &parts, &head, &server);
    let ctx = derived.ctx;
    let watcher = Watcher::start(&ctx, hang_up, &server.watchers, &server.log);
    // The handler is a task of its own, Go's goroutine per request: it runs
    // to the end even if the client leaves and hyper drops this future.
    let handler = server.spawn(handle(ctx, derived.cancel, parts, body, head, started, {
        Arc::clone(&server)
    }));
    let response = match handler.await {
        Ok(response) => response,
        Err(err) => Response::new(500, format!("error: the handler failed: {err}\n")),
    };
    watcher.finish(); // the response is ready: not a hang-up
    // ANCHOR_END: request_tree
    Ok(response.into_hyper())
}

// ANCHOR: handle
/// The handler task: reads the body, routes the request, logs the outcome.
/// Returning drops `_deadline`: Go's `defer cancel()`, which cancels the
/// request's node and stops its timer.
async fn handle(
    ctx: Context,
    _deadline: CancelFunc,
    parts: Parts,
    body: Incoming,
    head: Request,
    started: Instant,
    server: Arc<State>,
) -> Response {
    let _in_flight = server.in_flight.enter();
    // The body, too, must arrive before the request's context is done.
    let refused = tokio::select! {
        read = http::discard_body(&parts, body) => read
            .err()
            .map(|err| handler::reply(&ctx, err.status(), [format!("error: {err}")])),
        _ = ctx.wait_async() => Some(handler::stopped(&ctx)),
    };
    let response = match refused {
        Some(response) => response,
        None => handler::route(&ctx, &head, &server).await,
    };
    log_status(&ctx, &response, started, &server);
    response
}
// ANCHOR_END: handle

fn log_status(ctx: &Context, response: &Response, started: Instant, server: &State) {
    let status = response.status();
    server.log.request(
        ctx,
        format_args!("{status} {} in {}", reason(status), show(started.elapsed())),
    );
}

/// This server's limit for the request: `X-Timeout` if sent (at most the
/// server's maximum), else the server's default.
fn request_limit(request: &Request, server: &State) -> Result<Duration, String> {
    match request.header("x-timeout") {
        None => Ok(server.config.default_timeout),
        Some(text) => parse_duration(text)
            .map(|timeout| timeout.min(server.config.max_timeout))
            .ok_or_else(|| format!("X-Timeout \"{text}\": not a duration like 250ms or 2s")),
    }
}

/// The answer to a request whose deadline cannot be read: `400 Bad
/// Request`, and a log line that says why, under the request's trace.
fn refuse(
    parent: &Context,
    parts: &Parts,
    head: &Request,
    message: &str,
    started: Instant,
    server: &State,
) -> hyper::Response<Full<Bytes>> {
    let (trace, _) = propagation::trace_of(&parts.headers);
    let ctx = go_context::with_value(parent, &TRACE, trace);
    server.log.request(
        &ctx,
        format_args!("{} {} refused: {message}", head.method(), head.target()),
    );
    let response = handler::reply(&ctx, 400, [format!("error: {message}")]);
    log_status(&ctx, &response, started, server);
    response.into_hyper()
}

/// The request's first log line: what it asks, how long it has and why, and
/// a caller's trace that was not trusted.
fn log_arrival(derived: &Derived, parts: &Parts, head: &Request, server: &State) {
    let ctx = &derived.ctx;
    let sent = parts.headers.get(GRPC_TIMEOUT).map(shown);
    let source = match (derived.caller_budget, sent) {
        (Some(caller), Some(sent)) if caller > derived.budget => {
            format!(" (this server's limit; grpc-timeout: {sent})")
        }
        (Some(_), Some(sent)) => format!(" (grpc-timeout: {sent})"),
        _ => String::new(),
    };
    server.log.request(
        ctx,
        format_args!(
            "{} {}, deadline in {}{source}",
            head.method(),
            head.target(),
            show(derived.budget)
        ),
    );
    if let TraceOrigin::Replaced(err) = derived.trace {
        let sent = parts
            .headers
            .get(TRACEPARENT)
            .map_or_else(String::new, shown);
        server.log.request(
            ctx,
            format_args!("traceparent \"{sent}\" not trusted ({err}): a new trace begins"),
        );
    }
}

/// A header's value for a log line: escaped, and cut short.
fn shown(value: &HeaderValue) -> String {
    const SHOWN: usize = 60;
    let escaped = value.as_bytes().escape_ascii().to_string();
    match escaped.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}
