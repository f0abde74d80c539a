//! A request arrives: derive its context from the caller's headers.

use std::fmt;
use std::time::Duration;

use go_context::{CancelFunc, Context};
use http::HeaderMap;

use super::grpc_timeout::{GRPC_TIMEOUT, TimeoutError, decode_timeout};
use super::traceparent::{TRACE, TRACEPARENT, TraceContext, TraceParentError};

/// A request's context, derived from its headers by [`derive()`], with what
/// went into it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use request_service::propagation::{TraceOrigin, derive};
///
/// let derived = derive(&go_context::background(), &http::HeaderMap::new(), Duration::from_secs(2))?;
/// assert_eq!(derived.budget, Duration::from_secs(2));
/// assert_eq!(derived.caller_budget, None);
/// assert_eq!(derived.trace, TraceOrigin::Started);
/// # Ok::<(), request_service::propagation::BadHeader>(())
/// ```
#[derive(Debug)]
#[must_use = "dropping `cancel` cancels the request's context at once"]
pub struct Derived {
    /// The request's context: the deadline, and the hop's
    /// [`TraceContext`] under [`TRACE`].
    pub ctx: Context,
    /// Cancels `ctx` (and stops its timer) when dropped: hold it until the
    /// request is answered, as Go's `defer cancel()`.
    pub cancel: CancelFunc,
    /// The time the request was given: the caller's budget or this server's
    /// limit, whichever is shorter.
    pub budget: Duration,
    /// What the caller's `grpc-timeout` said, if it sent one.
    pub caller_budget: Option<Duration>,
    /// Where the hop's trace came from.
    pub trace: TraceOrigin,
}

/// Where a request's trace came from.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use request_service::propagation::{TraceOrigin, TraceParentError, derive};
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("traceparent", "garbage".parse().unwrap());
/// let derived = derive(&go_context::background(), &headers, Duration::from_secs(1))?;
/// assert_eq!(derived.trace, TraceOrigin::Replaced(TraceParentError::Format));
/// # Ok::<(), request_service::propagation::BadHeader>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceOrigin {
    /// The caller's `traceparent`: the same trace, a new span.
    Continued,
    /// No `traceparent`: a new trace.
    Started,
    /// A malformed `traceparent`, not trusted: a new trace.
    Replaced(TraceParentError),
}

/// A header [`derive()`] refuses: a deadline it cannot read must not become no
/// deadline at all, so the request is answered `400 Bad Request` with this.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use request_service::propagation::{TimeoutError, derive};
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("grpc-timeout", "2s".parse().unwrap());
/// let refused = derive(&go_context::background(), &headers, Duration::from_secs(1)).unwrap_err();
/// assert_eq!(refused.reason(), TimeoutError::UnknownUnit('s'));
/// assert_eq!(
///     refused.to_string(),
///     r#"grpc-timeout "2s": unknown unit 's' (expected H, M, S, m, u or n)"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadHeader {
    /// The value as sent, escaped and cut short, fit for a log line.
    value: String,
    reason: TimeoutError,
}

/// How much of a refused value is shown.
const SHOWN: usize = 40;

impl BadHeader {
    fn new(value: &[u8], reason: TimeoutError) -> BadHeader {
        let mut shown: String = value
            .escape_ascii()
            .to_string()
            .chars()
            .take(SHOWN)
            .collect();
        if value.len() > SHOWN {
            shown.push('…');
        }
        BadHeader {
            value: shown,
            reason,
        }
    }

    /// What is wrong with the header.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use request_service::propagation::{TimeoutError, derive};
    ///
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("grpc-timeout", "123456789n".parse().unwrap());
    /// let refused = derive(&go_context::background(), &headers, Duration::from_secs(1)).unwrap_err();
    /// assert_eq!(refused.reason(), TimeoutError::TooManyDigits(9));
    /// ```
    pub fn reason(&self) -> TimeoutError {
        self.reason
    }
}

impl fmt::Display for BadHeader {
    /// `grpc-timeout "2s": unknown unit 's' (expected H, M, S, m, u or n)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{GRPC_TIMEOUT} \"{}\": {}", self.value, self.reason)
    }
}

impl std::error::Error for BadHeader {}

/// Derives a request's context from `parent` and the caller's headers.
///
/// - **Deadline**: the earlier of this server's `limit` and the caller's
///   `grpc-timeout` budget, counted from now. Without the header, `limit`.
/// - **Trace**: the caller's `traceparent`, continued with a new span id;
///   without one, or with a malformed one, a new trace
///   ([`TraceOrigin`] says which). It goes in the context under [`TRACE`].
///
/// `parent` is what else may end the request: the connection's context, say,
/// which a hang-up cancels.
///
/// # Errors
///
/// [`BadHeader`] if `grpc-timeout` is malformed or sent more than once:
/// answer `400 Bad Request` with it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use request_service::propagation::{TRACE, TraceOrigin, derive};
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("grpc-timeout", "250m".parse().unwrap());
/// headers.insert(
///     "traceparent",
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".parse().unwrap(),
/// );
/// let derived = derive(&go_context::background(), &headers, Duration::from_secs(2))?;
/// assert_eq!(derived.budget, Duration::from_millis(250)); // the caller's, shorter
/// assert!(derived.ctx.deadline().is_some());
/// assert_eq!(derived.trace, TraceOrigin::Continued);
/// let trace = derived.ctx.value(&TRACE).unwrap();
/// assert_eq!(trace.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// # Ok::<(), request_service::propagation::BadHeader>(())
/// ```
// ANCHOR: derive
pub fn derive(
    parent: &Context,
    headers: &HeaderMap,
    limit: Duration,
) -> Result<Derived, BadHeader> {
    let caller_budget = caller_budget(headers)?;
    let budget = caller_budget.map_or(limit, |caller| caller.min(limit));
    let (trace, origin) = trace_of(headers);
    let (ctx, cancel) = go_context::with_timeout(parent, budget);
    Ok(Derived {
        ctx: go_context::with_value(&ctx, &TRACE, trace),
        cancel,
        budget,
        caller_budget,
        trace: origin,
    })
}
// ANCHOR_END: derive

/// This hop's trace, from the caller's `traceparent`, and where it came from:
/// what [`derive()`] puts in the context, for a request it refuses too.
///
/// # Examples
///
/// ```
/// use request_service::propagation::{TraceOrigin, trace_of};
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert(
///     "traceparent",
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".parse().unwrap(),
/// );
/// let (trace, origin) = trace_of(&headers);
/// assert_eq!(origin, TraceOrigin::Continued);
/// assert_eq!(trace.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// ```
pub fn trace_of(headers: &HeaderMap) -> (TraceContext, TraceOrigin) {
    match caller_trace(headers) {
        None => (TraceContext::new_root(), TraceOrigin::Started),
        Some(Ok(caller)) => (caller.child(), TraceOrigin::Continued),
        Some(Err(err)) => (TraceContext::new_root(), TraceOrigin::Replaced(err)),
    }
}

/// The caller's `grpc-timeout`, if it sent exactly one that reads.
fn caller_budget(headers: &HeaderMap) -> Result<Option<Duration>, BadHeader> {
    let mut values = headers.get_all(GRPC_TIMEOUT).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let refuse = |reason| BadHeader::new(value.as_bytes(), reason);
    if values.next().is_some() {
        return Err(refuse(TimeoutError::Repeated));
    }
    let text = value.to_str().map_err(|_| refuse(TimeoutError::NotText))?;
    decode_timeout(text).map(Some).map_err(refuse)
}

/// The caller's `traceparent`: `None` if it sent none.
fn caller_trace(headers: &HeaderMap) -> Option<Result<TraceContext, TraceParentError>> {
    let mut values = headers.get_all(TRACEPARENT).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return Some(Err(TraceParentError::Repeated));
    }
    Some(match value.to_str() {
        Ok(text) => TraceContext::parse(text),
        Err(_) => Err(TraceParentError::NotText),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use http::HeaderValue;

    use super::*;

    const CALLER: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    fn headers(pairs: &[(&'static str, &[u8])]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for &(name, value) in pairs {
            map.append(name, HeaderValue::from_bytes(value).unwrap());
        }
        map
    }

    fn derive_from(pairs: &[(&'static str, &[u8])], limit: Duration) -> Result<Derived, BadHeader> {
        derive(&go_context::background(), &headers(pairs), limit)
    }

    #[test]
    fn the_earlier_of_the_callers_budget_and_the_limit_wins() {
        let short = derive_from(&[("grpc-timeout", b"100m")], Duration::from_secs(2)).unwrap();
        assert_eq!(short.budget, Duration::from_millis(100));
        assert_eq!(short.caller_budget, Some(Duration::from_millis(100)));
        let long = derive_from(&[("grpc-timeout", b"99999999H")], Duration::from_secs(2)).unwrap();
        assert_eq!(long.budget, Duration::from_secs(2));
        let left = long.ctx.deadline().unwrap() - Instant::now();
        assert!(left <= Duration::from_secs(2), "{left:?}");
    }

    #[test]
    fn no_header_means_the_servers_limit() {
        let derived = derive_from(&[], Duration::from_millis(500)).unwrap();
        assert_eq!(derived.budget, Duration::from_millis(500));
        assert_eq!(derived.caller_budget, None);
        assert!(derived.ctx.deadline().is_some());
    }

    #[test]
    fn a_spent_budget_is_a_deadline_already_passed() {
        let derived = derive_from(&[("grpc-timeout", b"0n")], Duration::from_secs(2)).unwrap();
        assert_eq!(derived.ctx.err(), Some(go_context::Error::DeadlineExceeded));
    }

    #[test]
    fn a_bad_or_repeated_timeout_is_refused_never_ignored() {
        for (pairs, reason) in [
            (
                &[("grpc-timeout", &b"250ms"[..])][..],
                TimeoutError::UnknownUnit('s'),
            ),
            (&[("grpc-timeout", b"")], TimeoutError::Empty),
            (
                &[("grpc-timeout", b"1000000000n")],
                TimeoutError::TooManyDigits(10),
            ),
            (&[("grpc-timeout", b"caf\xe9S")], TimeoutError::NotText),
            (
                &[("grpc-timeout", b"1S"), ("grpc-timeout", b"1S")],
                TimeoutError::Repeated,
            ),
        ] {
            let refused = derive_from(pairs, Duration::from_secs(1)).unwrap_err();
            assert_eq!(refused.reason(), reason, "{pairs:?}");
        }
    }

    #[test]
    fn a_refused_value_is_shown_escaped_and_short() {
        let long = [b'9'; 100];
        let refused = derive_from(&[("grpc-timeout", &long)], Duration::from_secs(1)).unwrap_err();
        let shown = refused.to_string();
        assert!(shown.starts_with("grpc-timeout \"9999"), "{shown}");
        assert!(shown.contains("…\": no unit after the digits"), "{shown}");
        let binary = derive_from(&[("grpc-timeout", b"\xff\xfeS")], Duration::from_secs(1));
        assert!(binary.unwrap_err().to_string().contains(r#""\xff\xfeS""#));
    }

    #[test]
    fn the_callers_trace_continues_with_a_span_of_our_own() {
        let derived = derive_from(
            &[("traceparent", CALLER.as_bytes())],
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(derived.trace, TraceOrigin::Continued);
        let trace = derived.ctx.value(&TRACE).unwrap();
        let caller = TraceContext::parse(CALLER).unwrap();
        assert_eq!(trace.trace_id(), caller.trace_id());
        assert_ne!(trace.span_id(), caller.span_id());
    }

    #[test]
    fn a_missing_or_malformed_trace_starts_a_new_one() {
        let caller = TraceContext::parse(CALLER).unwrap();
        for (pairs, origin) in [
            (&[][..], TraceOrigin::Started),
            (
                &[("traceparent", &b"garbage"[..])],
                TraceOrigin::Replaced(TraceParentError::Format),
            ),
            (
                &[(
                    "traceparent",
                    b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\xff",
                )],
                TraceOrigin::Replaced(TraceParentError::NotText),
            ),
            (
                &[
                    ("traceparent", CALLER.as_bytes()),
                    ("traceparent", CALLER.as_bytes()),
                ],
                TraceOrigin::Replaced(TraceParentError::Repeated),
            ),
        ] {
            let derived = derive_from(pairs, Duration::from_secs(1)).unwrap();
            assert_eq!(derived.trace, origin);
            let trace = derived.ctx.value(&TRACE).unwrap();
            assert_ne!(trace.trace_id(), caller.trace_id(), "{pairs:?}");
        }
    }

    #[test]
    fn the_parent_still_cancels() {
        let (parent, hang_up) = go_context::with_cancel(&go_context::background());
        let derived = derive(&parent, &HeaderMap::new(), Duration::from_secs(60)).unwrap();
        hang_up.cancel();
        assert_eq!(derived.ctx.err(), Some(go_context::Error::Canceled));
    }
}
