//! The articles' opening scene as a running program.
//!
//! > 在 Go http包的Server中，每一个请求在都有一个对应的 goroutine 去处理。
//! > 请求处理函数通常会启动额外的 goroutine 用来访问后端服务，比如数据库和RPC服务。
//!
//! *In Go's HTTP server every request is handled by a goroutine of its own;
//! the handler starts more goroutines to reach backends such as a database
//! and RPC services.* When the request is canceled or times out, all of them
//! must stop at once, in this process and in the next.
//!
//! This crate is that service: two small HTTP/1.1 servers on loopback, built
//! on [hyper](https://docs.rs/hyper) and the tokio runtime, each run as a
//! process of its own from the same binary. The **profile service** answers
//! `GET /profile` by asking a slow database (simulated in its process, a
//! blocking call) and the **recommendation service** (the RPC backend,
//! another process, called with hyper's client) at once, each on a thread
//! of its own, under one [`go_context::Context`] that carries the request's
//! deadline, the user, their token and the trace. The deadline goes to the
//! other process as the time left (`grpc-timeout`), the trace as W3C
//! `traceparent`, and a canceled call closes its connection, which the other
//! process turns into a canceled context of its own. The deadline, a
//! backend's failure, the client hanging up, or a shutdown stops every task
//! and thread of the request, on both sides.
//!
//! # The API
//!
//! Running it:
//! - [`Server::start`] binds the port and returns the running [`Server`]:
//!   [`addr`](Server::addr), [`shutdown`](Server::shutdown),
//!   [`shutdown_now`](Server::shutdown_now),
//!   [`wait`](Server::wait), [`wait_timeout`](Server::wait_timeout).
//! - [`Config`]: [`Role`], port, the recommendation service it calls,
//!   deadlines, grace period, [`Log`]; [`Config::from_args`] reads the
//!   command line ([`USAGE`], [`ArgsError`]).
//! - [`Gauge`]: live counts of backend calls, watchers, requests and tasks
//!   ([`Server::live_backends`], [`Server::live_watchers`],
//!   [`Server::in_flight`], [`Server::live_tasks`]), which tests
//!   wait on.
//!
//! What a request's threads share through its context:
//! - [`USER`] ([`User`]), [`TOKEN`] ([`Token`]), and the trace,
//!   [`propagation::TRACE`] ([`propagation::TraceContext`]).
//! - The causes it may be canceled with: [`ClientDisconnected`],
//!   [`ShuttingDown`].
//!
//! Across the process boundary, the module a reader can copy:
//! - [`propagation`]: [`derive()`](fn@propagation::derive) a request's context
//!   from its headers, [`stamp`](propagation::stamp) an outgoing request's;
//!   `grpc-timeout` ([`encode_timeout`](propagation::encode_timeout),
//!   [`decode_timeout`](propagation::decode_timeout)) and `traceparent`
//!   ([`TraceContext::parse`](propagation::TraceContext::parse)).
//!
//! # The HTTP interface
//!
//! | Request | Response |
//! |---|---|
//! | `GET /profile` with `Authorization: Bearer <token>` | `200 OK`: both backends' results |
//! | ... that outlives its deadline (`X-Timeout` or `grpc-timeout`, default 2 s) | `504 Gateway Timeout`; the recommendation service stops too |
//! | ... with `?rpc=fail` (or `?db=fail`) | `502 Bad Gateway`, with the error; the other call is canceled |
//! | ... whose client hangs up | the backends are canceled, in both processes (`499`, which nobody reads) |
//! | ... still running when shutdown's grace period ends | `503 Service Unavailable` |
//! | ... with a malformed `grpc-timeout` or `X-Timeout` | `400 Bad Request`, which says what is wrong |
//! | `GET /recommendations` (the recommendation service) | `200 OK` with `recommendations:`; `?ms=` its delay, `?fail=true` |
//! | `POST /shutdown` | `202 Accepted`; the server drains and stops |
//! | a malformed head | `400 Bad Request` (from hyper, with an empty body) |
//! | a head over 16 KiB, or with more than 32 headers | `431 Request Header Fields Too Large` (from hyper) |
//! | a body over 64 KiB | `413 Content Too Large` |
//! | no whole head within `Config::header_timeout` | the connection is closed |
//!
//! Other inputs: `X-User` (default `anonymous`), `traceparent` (else a new
//! trace begins), `?db_ms=` and `?rpc_ms=` (the backends' delays, default 50
//! and 20). Every response is plain text with `status:` and `trace:` lines,
//! and carries the trace id in `X-Trace-Id`.
//!
//! # Example
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use request_service::{Config, Log, Role, Server};
//!
//! // The RPC backend, then the service that calls it.
//! let rpc = Server::start(Config {
//!     role: Role::Recommendations,
//!     rpc: None,
//!     port: 0,
//!     log: Log::off(),
//!     ..Config::default()
//! })?;
//! let server = Server::start(Config {
//!     rpc: Some(rpc.addr()),
//!     port: 0,
//!     log: Log::off(),
//!     ..Config::default()
//! })?;
//!
//! let mut client = TcpStream::connect(server.addr())?;
//! client.write_all(
//!     b"GET /profile?rpc_ms=5000 HTTP/1.1\r\n\
//!       Authorization: Bearer t0k3n\r\nX-Timeout: 50ms\r\n\r\n",
//! )?;
//! let mut response = String::new();
//! client.read_to_string(&mut response)?;
//! assert!(response.starts_with("HTTP/1.1 504 Gateway Timeout"));
//! assert!(response.contains("rpc: stopped after"));
//! assert_eq!(server.live_backends().get(), 0); // both calls are over
//! // The other process saw the call dropped, and stopped its work.
//! assert!(rpc.live_backends().wait_until(std::time::Duration::from_secs(10), |n| n == 0));
//! for server in [server, rpc] {
//!     server.shutdown();
//!     server.wait();
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
#![doc(test(attr(deny(warnings))))]

mod backends;
mod causes;
mod config;
mod connection;
mod duration;
mod gauge;
mod handler;
mod http;
mod log;
mod profile;
pub mod propagation;
mod recommendations;
mod rpc_client;
mod server;
mod state;
mod values;
mod watcher;

pub use causes::{ClientDisconnected, ShuttingDown};
pub use config::{ArgsError, Config, Role, USAGE};
pub use duration::parse_duration;
pub use gauge::{Entered, Gauge};
pub use log::Log;
pub use server::Server;
pub use values::{TOKEN, Token, USER, User};
