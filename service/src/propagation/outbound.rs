//! A request goes out: stamp it with what is left of the caller's context.

use std::time::{Duration, Instant};

use go_context::Context;
use http::{HeaderMap, HeaderName, HeaderValue};

use super::grpc_timeout::{GRPC_TIMEOUT, encode_timeout};
use super::traceparent::{TRACE, TRACEPARENT};

/// Stamps an outgoing request's headers from `ctx`: `grpc-timeout` with the
/// time `ctx` has left (if it has a deadline), and `traceparent` naming this
/// hop's span (if `ctx` carries a [`TraceContext`](super::TraceContext)).
/// Returns the budget it sent.
///
/// Stamp just before sending, after connecting: the budget is read from the
/// clock here, and whatever time passes after this is the callee's loss.
///
/// # Errors
///
/// The context's error if it is done, or [`DeadlineExceeded`] if its
/// deadline has passed but its timer has not fired yet. Then there is no
/// budget to send, and the request must not be sent at all; `headers` is
/// left as it was.
///
/// [`DeadlineExceeded`]: go_context::Error::DeadlineExceeded
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use request_service::propagation::{TRACE, TraceContext, stamp};
///
/// let (ctx, _cancel) = go_context::with_timeout(&go_context::background(), Duration::from_millis(250));
/// let ctx = go_context::with_value(&ctx, &TRACE, TraceContext::new_root());
///
/// let mut headers = http::HeaderMap::new();
/// let budget = stamp(&ctx, &mut headers)?.unwrap();
/// assert!(budget <= Duration::from_millis(250));
/// assert!(headers["grpc-timeout"].to_str().unwrap().ends_with('u')); // 249xxxu
/// assert!(headers["traceparent"].to_str().unwrap().starts_with("00-"));
///
/// let (spent, cancel) = go_context::with_cancel(&go_context::background());
/// cancel.cancel();
/// assert_eq!(stamp(&spent, &mut http::HeaderMap::new()), Err(go_context::Error::Canceled));
/// # Ok::<(), go_context::Error>(())
/// ```
// ANCHOR: stamp
pub fn stamp(
    ctx: &Context,
    headers: &mut HeaderMap,
) -> Result<Option<Duration>, go_context::Error> {
    if let Some(err) = ctx.err() {
        return Err(err);
    }
    let budget = match ctx.deadline() {
        None => None,
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            let text = encode_timeout(left).ok_or(go_context::Error::DeadlineExceeded)?;
            Some((left, text))
        }
    };
    if let Some((_, text)) = &budget {
        insert(headers, GRPC_TIMEOUT, text.clone());
    }
    if let Some(trace) = ctx.value(&TRACE) {
        insert(headers, TRACEPARENT, trace.to_string());
    }
    Ok(budget.map(|(left, _)| left))
}
// ANCHOR_END: stamp

/// Both values are ASCII digits, letters and dashes, always valid in a
/// header.
fn insert(headers: &mut HeaderMap, name: &'static str, value: String) {
    if let Ok(value) = HeaderValue::try_from(value) {
        headers.insert(HeaderName::from_static(name), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::propagation::{TraceContext, decode_timeout, derive};

    #[test]
    fn no_deadline_and_no_trace_stamp_nothing() {
        let mut headers = HeaderMap::new();
        assert_eq!(stamp(&go_context::background(), &mut headers), Ok(None));
        assert!(headers.is_empty());
    }

    #[test]
    fn the_budget_sent_is_what_is_left_never_more() {
        let (ctx, _cancel) =
            go_context::with_timeout(&go_context::background(), Duration::from_secs(30));
        let mut headers = HeaderMap::new();
        let sent = stamp(&ctx, &mut headers).unwrap().unwrap();
        let written = decode_timeout(headers[GRPC_TIMEOUT].to_str().unwrap()).unwrap();
        assert!(written <= sent && sent <= Duration::from_secs(30));
        assert!(written > Duration::from_secs(29), "{written:?}");
    }

    #[test]
    fn a_done_context_sends_nothing() {
        let (ctx, _cancel) = go_context::with_deadline(&go_context::background(), Instant::now());
        let mut headers = HeaderMap::new();
        assert_eq!(
            stamp(&ctx, &mut headers),
            Err(go_context::Error::DeadlineExceeded)
        );
        assert!(headers.is_empty());
    }

    #[test]
    fn a_hop_passes_on_the_trace_with_its_own_span_and_a_smaller_budget() {
        // The caller stamps; the callee derives; the callee stamps again.
        let (ctx, _cancel) =
            go_context::with_timeout(&go_context::background(), Duration::from_secs(5));
        let caller = TraceContext::new_root();
        let ctx = go_context::with_value(&ctx, &TRACE, caller);
        let mut first = HeaderMap::new();
        let first_budget = stamp(&ctx, &mut first).unwrap().unwrap();

        let hop = derive(&go_context::background(), &first, Duration::from_secs(60)).unwrap();
        let mut second = HeaderMap::new();
        let second_budget = stamp(&hop.ctx, &mut second).unwrap().unwrap();

        assert!(second_budget < first_budget);
        let sent_on = TraceContext::parse(second[TRACEPARENT].to_str().unwrap()).unwrap();
        assert_eq!(sent_on.trace_id(), caller.trace_id());
        assert_eq!(sent_on.span_id(), hop.ctx.value(&TRACE).unwrap().span_id());
        assert_ne!(sent_on.span_id(), caller.span_id());
    }
}
