//! The two simulated backends a profile request fans out to: a slow database
//! and an RPC service that can fail.
//!
//! Their "work" is a wait on the request's context, `ctx.wait_timeout(delay)`,
//! which is exactly what a real client library does with a deadline and a
//! cancel signal: it gives up the moment the context is done, whatever the
//! reason, and says why.

use std::fmt;
use std::time::{Duration, Instant};

use go_context::Context;

use crate::duration::show;
use crate::gauge::Gauge;
use crate::log::Log;
use crate::values::{TOKEN, USER};

/// The backends, and what they need that is not request-scoped: the log and
/// the gauge of live calls. (The request-scoped data comes in the context.)
#[derive(Debug, Clone)]
pub(crate) struct Backends {
    pub(crate) live: Gauge,
    pub(crate) log: Log,
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
    /// Looks up the user's profile; takes `delay`.
    pub(crate) fn database(&self, ctx: &Context, delay: Duration) -> Result<String, BackendError> {
        let _live = self.live.enter();
        let user = ctx.value(&USER).map_or("nobody", |user| user.as_str());
        self.log.request(
            ctx,
            format_args!("db: querying the profile of {user}, takes {}", show(delay)),
        );
        self.work(ctx, "db", delay)?;
        Ok(format!("profile of {user}"))
    }
    // ANCHOR_END: database

    /// Asks the recommendation service for the user's recommendations; takes
    /// `delay`, then fails if `fail` is set.
    pub(crate) fn rpc(
        &self,
        ctx: &Context,
        delay: Duration,
        fail: bool,
    ) -> Result<String, BackendError> {
        let _live = self.live.enter();
        let user = ctx.value(&USER).map_or("nobody", |user| user.as_str());
        // The token travels with the request; the RPC would send it on.
        let Some(token) = ctx.value(&TOKEN) else {
            return Err(BackendError::Failed {
                backend: "rpc",
                message: "no token to authenticate with".to_owned(),
            });
        };
        self.log.request(
            ctx,
            format_args!(
                "rpc: asking for recommendations for {user} with a {}-byte token, takes {}",
                token.secret().len(),
                show(delay)
            ),
        );
        self.work(ctx, "rpc", delay)?;
        if fail {
            let message = "recommendation service unavailable".to_owned();
            self.log
                .request(ctx, format_args!("rpc: failed: {message}"));
            return Err(BackendError::Failed {
                backend: "rpc",
                message,
            });
        }
        Ok(format!("3 recommendations for {user}"))
    }

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
        let Some(err) = ctx.wait_timeout(delay) else {
            self.log.request(
                ctx,
                format_args!("{backend}: answered after {}", show(started.elapsed())),
            );
            return Ok(());
        };
        let cause = ctx
            .cause()
            .map(|cause| cause.to_string())
            .filter(|cause| *cause != err.to_string());
        let error = BackendError::Stopped {
            backend,
            err,
            cause,
        };
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
