//! The articles' opening scene as a running program.
//!
//! > 在 Go http包的Server中，每一个请求在都有一个对应的 goroutine 去处理。
//! > 请求处理函数通常会启动额外的 goroutine 用来访问后端服务，比如数据库和RPC服务。
//!
//! *In Go's HTTP server every request is handled by a goroutine of its own;
//! the handler starts more goroutines to reach backends such as a database
//! and RPC services.* When the request is canceled or times out, all of them
//! must stop at once.
//!
//! This crate is that server: a small HTTP/1.1 service on loopback, built on
//! [hyper](https://docs.rs/hyper)'s server and the tokio runtime. Each
//! connection is a task, each request's handler is a task of its own, and
//! `GET /profile` fans out to a slow database and an RPC backend, each on a
//! thread of tokio's blocking pool, under one [`go_context::Context`] that
//! carries the request's deadline, the user, their token and a trace id. The
//! same context is awaited by the async code (`ctx.wait_async()`) and waited
//! on by the blocking backends (`ctx.wait_timeout()`). The deadline, a
//! backend's failure, the client hanging up, or the server shutting down
//! stops every task and thread of the request.
//!
//! # The API
//!
//! Running it:
//! - [`Server::start`] binds the port and returns the running [`Server`]:
//!   [`addr`](Server::addr), [`shutdown`](Server::shutdown),
//!   [`shutdown_now`](Server::shutdown_now),
//!   [`wait`](Server::wait), [`wait_timeout`](Server::wait_timeout).
//! - [`Config`]: port, deadlines, grace period, [`Log`];
//!   [`Config::from_args`] reads the command line ([`USAGE`], [`ArgsError`]).
//! - [`Gauge`]: live counts of backend calls, watchers, requests and tasks
//!   ([`Server::live_backends`], [`Server::live_watchers`],
//!   [`Server::in_flight`], [`Server::live_tasks`]), which tests
//!   wait on.
//!
//! What a request's threads share through its context:
//! - [`USER`] ([`User`]), [`TOKEN`] ([`Token`]), [`TRACE_ID`] ([`TraceId`]).
//! - The causes it may be canceled with: [`ClientDisconnected`],
//!   [`ShuttingDown`].
//!
//! # The HTTP interface
//!
//! | Request | Response |
//! |---|---|
//! | `GET /profile` with `Authorization: Bearer <token>` | `200 OK`: both backends' results |
//! | ... that outlives its deadline (`X-Timeout`, default 2 s) | `504 Gateway Timeout` |
//! | ... with `?rpc=fail` | `502 Bad Gateway`, with the RPC's error; the database call is canceled |
//! | ... whose client hangs up | the backends are canceled (`499`, which nobody reads) |
//! | ... still running when shutdown's grace period ends | `503 Service Unavailable` |
//! | `POST /shutdown` | `202 Accepted`; the server drains and stops |
//! | a malformed head | `400 Bad Request` (from hyper, with an empty body) |
//! | a head over 16 KiB, or with more than 32 headers | `431 Request Header Fields Too Large` (from hyper) |
//! | a body over 64 KiB | `413 Content Too Large` |
//! | no whole head within `Config::header_timeout` | the connection is closed |
//!
//! Other inputs: `X-User` (default `anonymous`), `X-Trace-Id` (else one is
//! generated), `?db_ms=` and `?rpc_ms=` (the backends' delays, default 50 and
//! 20). Every response is plain text with `status:` and `trace:` lines, and
//! carries the trace id in `X-Trace-Id`.
//!
//! # Example
//!
//! ```
//! use std::io::{Read, Write};
//! use std::net::TcpStream;
//! use request_service::{Config, Log, Server};
//!
//! let server = Server::start(Config { port: 0, log: Log::off(), ..Config::default() })?;
//! let mut client = TcpStream::connect(server.addr())?;
//! client.write_all(
//!     b"GET /profile?db_ms=5000 HTTP/1.1\r\n\
//!       Authorization: Bearer t0k3n\r\nX-Timeout: 50ms\r\n\r\n",
//! )?;
//! let mut response = String::new();
//! client.read_to_string(&mut response)?;
//! assert!(response.starts_with("HTTP/1.1 504 Gateway Timeout"));
//! assert!(response.contains("db: stopped after"));
//! assert_eq!(server.live_backends().get(), 0); // the database call is over
//! server.shutdown();
//! server.wait();
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
pub mod propagation;
mod server;
mod state;
mod values;
mod watcher;

pub use causes::{ClientDisconnected, ShuttingDown};
pub use config::{ArgsError, Config, USAGE};
pub use duration::parse_duration;
pub use gauge::{Entered, Gauge};
pub use log::Log;
pub use server::Server;
pub use values::{TOKEN, TRACE_ID, Token, TraceId, USER, User};
