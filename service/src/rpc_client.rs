//! The RPC hop: a call to the recommendation service, another process, with
//! hyper's HTTP/1.1 client over loopback.
//!
//! The call carries the request's deadline (`grpc-timeout`, the time left)
//! and trace (`traceparent`), stamped by [`propagation::stamp`], and the
//! user's token. It is one future that owns its connection: when the
//! request's context is done first, the future is dropped, the socket
//! closes, and the recommendation service, which watches its client's
//! connection, cancels its own context. That close is HTTP/1.1's only
//! cancel signal, and Go's `net/http` client sends the same one when a
//! request's context ends.

use std::net::SocketAddr;
use std::pin::pin;
use std::time::Instant;

use go_context::Context;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper::header::{AUTHORIZATION, CONNECTION, HOST};
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::backends::BackendError;
use crate::duration::show;
use crate::gauge::Gauge;
use crate::http::{MAX_BODY, field};
use crate::log::Log;
use crate::propagation::{self, GRPC_TIMEOUT};
use crate::values::{TOKEN, USER};

/// The name the log and the replies give this backend.
const RPC: &str = "rpc";

/// A client of the recommendation service at one address; a connection per
/// call, as the service answers one request per connection.
#[derive(Debug, Clone)]
pub(crate) struct RpcClient {
    addr: Option<SocketAddr>,
    live: Gauge,
    log: Log,
}

impl RpcClient {
    /// A client of the service at `addr`; `None` makes every call fail with
    /// a message that says so. Calls are counted in `live`.
    pub(crate) fn new(addr: Option<SocketAddr>, live: Gauge, log: Log) -> RpcClient {
        RpcClient { addr, live, log }
    }

    // ANCHOR: call
    /// Asks the recommendation service for the user's recommendations:
    /// `GET /recommendations?<query>`, under `ctx`.
    pub(crate) async fn recommendations(
        &self,
        ctx: &Context,
        query: &str,
    ) -> Result<String, BackendError> {
        let _live = self.live.enter();
        let started = Instant::now();
        let result = tokio::select! {
            biased;
            // The request's context is done: the call below is dropped, and
            // with it its connection, which is how the other process learns.
            _ = ctx.wait_async() => Err(BackendError::stopped(RPC, ctx)),
            result = self.call(ctx, query) => result,
        };
        let took = show(started.elapsed());
        match &result {
            Ok(answer) => self
                .log
                .request(ctx, format_args!("rpc: answered after {took}: {answer}")),
            Err(err @ BackendError::Failed { .. }) => {
                let reason = err.reason();
                self.log
                    .request(ctx, format_args!("rpc: failed after {took}: {reason}"));
            }
            Err(err) => {
                let reason = err.reason();
                self.log.request(
                    ctx,
                    format_args!("rpc: stopped after {took}: {reason}; hanging up"),
                );
            }
        }
        result
    }
    // ANCHOR_END: call

    /// The call itself: connect, stamp, send, read the answer.
    async fn call(&self, ctx: &Context, query: &str) -> Result<String, BackendError> {
        let failed = |message: String| BackendError::Failed {
            backend: RPC,
            message,
        };
        let addr = self
            .addr
            .ok_or_else(|| failed("no recommendation service to call (see --rpc)".to_owned()))?;
        // The token travels with the request, and is sent on.
        let token = ctx
            .value(&TOKEN)
            .ok_or_else(|| failed("no token to authenticate with".to_owned()))?;
        let user = ctx.value(&USER).map_or("anonymous", |user| user.as_str());
        let unreachable = |err: &dyn std::fmt::Display| {
            failed(format!(
                "cannot reach the recommendation service at {addr}: {err}"
            ))
        };

        let stream = TcpStream::connect(addr)
            .await
            .map_err(|err| unreachable(&err))?;
        let (mut sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|err| unreachable(&err))?;
        let mut request = Request::get(format!("/recommendations?{query}"))
            .header(HOST, addr.to_string())
            .header(CONNECTION, "close")
            .header(AUTHORIZATION, format!("Bearer {}", token.secret()))
            .header("x-user", user)
            .body(Empty::<Bytes>::new())
            .map_err(|err| failed(format!("cannot write the request: {err}")))?;

        // ANCHOR: stamp
        // Connected: stamp last, so the budget sent is what is left now.
        if let Err(err) = propagation::stamp(ctx, request.headers_mut()) {
            // No time left: the request is not sent at all. The context is
            // done, or its deadline has passed and its timer fires within a
            // tick: the request ends with its own error.
            self.log.request(ctx, format_args!("rpc: not sent: {err}"));
            ctx.wait_async().await;
            return Err(BackendError::stopped(RPC, ctx));
        }
        let budget = request
            .headers()
            .get(GRPC_TIMEOUT)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("none");
        self.log.request(
            ctx,
            format_args!("rpc: GET http://{addr}/recommendations?{query}, grpc-timeout: {budget}"),
        );
        // ANCHOR_END: stamp

        // The connection's I/O runs in this future, beside the exchange:
        // dropping the future closes the socket.
        let exchange = async {
            let response = sender.send_request(request).await?;
            let status = response.status();
            let body = Limited::new(response.into_body(), MAX_BODY)
                .collect()
                .await?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, body.to_bytes()))
        };
        let mut connection = pin!(connection);
        let (status, body) = tokio::select! {
            exchanged = exchange => exchanged.map_err(|err| {
                failed(format!("the recommendation service's answer broke off: {err}"))
            })?,
            // Only a failure ends the connection before the exchange.
            Err(err) = &mut connection => {
                let why = format!("the connection to the recommendation service failed: {err}");
                return Err(failed(why));
            }
        };
        let body = String::from_utf8_lossy(&body);

        match status {
            StatusCode::OK => field(&body, "recommendations")
                .map(str::to_owned)
                .ok_or_else(|| failed("an answer without recommendations".to_owned())),
            // It ran out of the budget we sent, which ends no earlier than
            // ours: our own deadline has passed too, and its timer fires
            // within a tick. The request ends with its own deadline, not
            // with a backend's failure.
            StatusCode::GATEWAY_TIMEOUT
                if ctx
                    .deadline()
                    .is_some_and(|deadline| deadline <= Instant::now()) =>
            {
                ctx.wait_async().await;
                Err(BackendError::stopped(RPC, ctx))
            }
            StatusCode::GATEWAY_TIMEOUT => Err(failed(
                "the recommendation service's own limit ran out first".to_owned(),
            )),
            status => Err(failed(field(&body, "error").map_or_else(
                || format!("the recommendation service answered {status}"),
                str::to_owned,
            ))),
        }
    }
}
