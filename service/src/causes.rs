//! Why a request was canceled, beyond "context canceled": the causes this
//! service gives its contexts.

use std::error::Error;
use std::fmt;

/// The client closed its connection before the response was ready.
///
/// The connection's watcher cancels the request's context with this cause, so
/// every thread working on the request can tell a hang-up from a timeout.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use request_service::ClientDisconnected;
///
/// let (ctx, hang_up) = go_context::with_cancel_cause(&go_context::background());
/// hang_up.cancel(Some(Arc::new(ClientDisconnected)));
/// assert!(ctx.cause().unwrap().downcast_ref::<ClientDisconnected>().is_some());
/// assert_eq!(ctx.cause().unwrap().to_string(), "client disconnected");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientDisconnected;

impl fmt::Display for ClientDisconnected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("client disconnected")
    }
}

impl Error for ClientDisconnected {}

/// The server is shutting down and its grace period is over.
///
/// The server's root context is canceled with this cause, which reaches every
/// request still running.
///
/// # Examples
///
/// ```
/// use request_service::ShuttingDown;
///
/// assert_eq!(ShuttingDown.to_string(), "server shutting down");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShuttingDown;

impl fmt::Display for ShuttingDown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("server shutting down")
    }
}

impl Error for ShuttingDown {}
