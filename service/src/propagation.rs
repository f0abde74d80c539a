//! A request's deadline and trace across a process boundary, the way gRPC
//! and W3C Trace Context carry them over HTTP.
//!
//! A [`go_context::Context`] ends at the edge of its process. What crosses
//! to the next one is what the request's headers say:
//!
//! | What | Header | On the way out ([`stamp`]) | On the way in ([`derive()`]) |
//! |---|---|---|---|
//! | the deadline | `grpc-timeout: 249734u` | the time the context has left, not a clock time; nothing at all if none is left | a deadline that far from now, or this server's limit if that is earlier; a malformed value is refused (`400`), never read as "no deadline" |
//! | the trace | `traceparent: 00-<trace>-<span>-01` | the trace id and this hop's span id | the same trace with a new span, under [`TRACE`]; none, or a malformed one, starts a new trace |
//! | cancellation | the connection itself | drop the call's future when the context is done: its connection closes | a server that sees its client's connection close cancels the request's context |
//!
//! Cancellation needs no header because HTTP/1.1 has one signal for it, the
//! connection closing, and the rest of this crate already turns that into a
//! canceled context on the server's side (its disconnect watcher). The
//! deadline is sent anyway, so that a callee stops on time even when no
//! close reaches it (behind a proxy that keeps connections open, say).
//!
//! # Compared with Go
//!
//! Go's `net/http` client ties an outgoing request to a context
//! (`http.NewRequestWithContext`) and closes the connection when the context
//! ends, but sends neither the deadline nor a trace; gRPC-Go sends
//! `grpc-timeout` from the context's deadline and derives the server's
//! context from it, as [`stamp`] and [`derive()`] do here; OpenTelemetry's
//! propagators carry `traceparent`. The context itself carries no HTTP: like
//! Go's `context` package, the `go-context` crate knows nothing of headers.
//!
//! # Copying it
//!
//! This module is meant to be copied into your own service: the folder
//! `propagation/` and this file, tests included, declared as `mod
//! propagation;` at your crate's root (its doc examples name this crate,
//! `request_service`: rename it to yours). It depends only on `go-context`
//! and `http`, whose `HeaderMap` hyper, axum, reqwest and tonic all share.
//!
//! # Examples
//!
//! A caller with 250 ms left stamps its request; the callee, whose own limit
//! is 2 s, derives a context that ends with the caller's:
//!
//! ```
//! use std::time::Duration;
//! use request_service::propagation::{TRACE, TraceContext, derive, stamp};
//!
//! // The caller's side.
//! let (ctx, _cancel) = go_context::with_timeout(&go_context::background(), Duration::from_millis(250));
//! let ctx = go_context::with_value(&ctx, &TRACE, TraceContext::new_root());
//! let mut outgoing = http::HeaderMap::new();
//! stamp(&ctx, &mut outgoing)?;
//!
//! // The callee's side, in another process.
//! let incoming = outgoing;
//! let request = derive(&go_context::background(), &incoming, Duration::from_secs(2)).unwrap();
//! assert!(request.budget <= Duration::from_millis(250));
//! assert_eq!(
//!     request.ctx.value(&TRACE).unwrap().trace_id(),
//!     ctx.value(&TRACE).unwrap().trace_id(),
//! );
//! # Ok::<(), go_context::Error>(())
//! ```

mod grpc_timeout;
mod inbound;
mod outbound;
mod traceparent;

pub use grpc_timeout::{GRPC_TIMEOUT, TimeoutError, decode_timeout, encode_timeout};
pub use inbound::{BadHeader, Derived, TraceOrigin, derive, trace_of};
pub use outbound::stamp;
pub use traceparent::{SpanId, TRACE, TRACEPARENT, TraceContext, TraceId, TraceParentError};
