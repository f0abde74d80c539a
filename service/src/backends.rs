//! What a request fans out to: a slow database, simulated in this process,
//! and the recommendation service, another process reached over HTTP (see
//! `rpc_client.rs`).
//!
//! The database's "work" is a wait on the request's context,
//! `ctx.wait_timeout(delay)`, which is exactly what a blocking client library
//! does with a deadline and a cancel signal: it gives up the moment the
//! context is done, whatever the reason, and says why.

use std::fmt;
use std::time::{Duration, Instant};

use go_context::Context;

use crate::duration::show;
use crate::gauge::Gauge;
use crate::log::Log;
use crate::rpc_client::RpcClient;
use crate::values::USER;

/// The backends, and what they need that is not request-scoped: the log, the
/// gauge of live calls, the recommendation service's client. (The
/// request-scoped data comes in the context.)
#[derive(Debug, Clone)]
pub(crate) struct Backends {
    pub(crate) live: Gauge,
    pub(crate) log: Log,
    pub(crate) rpc: RpcClient,
}

/// Why a backend call produced no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BackendError {
    /// The backend answered with an error.
    Failed {
        backend: &'static str,
        message: String,
    },
    /// The call gave up because its context was done.
    Stopped {
        backend: &'static str,
        err: go_context::Error,
        /// The context's cause, when it says more than `err`.
        cause: Option<String>,
    },
}

impl Backends {
    // ANCHOR: database
    /// Looks up the user's profile; takes `delay`, then fails if `fail` is
    /// set.
    pub(crate) fn database(
        &self,
        ctx: &Context,
        delay: Duration,
        fail: bool,
    ) -> Result<String, BackendError> {
        let _live = self.live.enter();
        let user = ctx.value(&USER).map_or("nobody", |user| user.as_str());
        self.log.request(
            ctx,
            format_args!("db: querying the profile of {user}, takes {}", show(delay)),
        );
        self.work(ctx, "db", delay)?;
        if fail {
            let message = "profile database unavailable".to_owned();
            self.log.request(ctx, format_args!("db: failed: {message}"));
            return Err(BackendError::Failed {
                backend: "db",
                message,
            });
        }
        Ok(format!("profile of {user}"))
    }
    // ANCHOR_END: database

    // ANCHOR: work
    /// The simulated work: `delay` of waiting that ends early, with the
    /// reason, the moment `ctx` is done.
    fn work(
        &self,
        ctx: &Context,
        backend: &'static str,
        delay: Duration,
    ) -> Result<(), BackendError> {
        let started = Instant::now();
        if ctx.wait_timeout(delay).is_none() {
            self.log.request(
                ctx,
                format_args!("{backend}: answered after {}", show(started.elapsed())),
            );
            return Ok(());
        }
        let error = BackendError::stopped(backend, ctx);
        self.log.request(
            ctx,
            format_args!(
                "{backend}: stopped after {}: {}",
                show(started.elapsed()),
                error.reason()
            ),
        );
        Err(error)
    }
    // ANCHOR_END: work
}

impl BackendError {
    /// The error of a call that gave up because `ctx` is done: its error, and
    /// its cause when that says more.
    pub(crate) fn stopped(backend: &'static str, ctx: &Context) -> BackendError {
        let err = ctx.err().unwrap_or(go_context::Error::Canceled);
        let cause = ctx
            .cause()
            .map(|cause| cause.to_string())
            .filter(|cause| *cause != err.to_string());
        BackendError::Stopped {
            backend,
            err,
            cause,
        }
    }

    /// The error without the backend's name: `recommendation service
    /// unavailable`, or `context canceled (client disconnected)`.
    pub(crate) fn reason(&self) -> String {
        match self {
            BackendError::Failed { message, .. } => message.clone(),
            BackendError::Stopped {
                err,
                cause: Some(cause),
                ..
            } => format!("{err} ({cause})"),
            BackendError::Stopped {
                err, cause: None, ..
            } => err.to_string(),
        }
    }
}

impl fmt::Display for BackendError {
    /// `rpc: recommendation service unavailable`, or `db: context canceled
    /// (client disconnected)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (BackendError::Failed { backend, .. } | BackendError::Stopped { backend, .. }) = self;
        write!(f, "{backend}: {}", self.reason())
    }
}

impl std::error::Error for BackendError {}
