//! W3C Trace Context's `traceparent` header: which trace a request belongs
//! to, and which span of it sent the request.
//!
//! ```text
//! traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
//!              |  |                                |                |
//!              |  trace-id: 16 bytes, the same on  parent-id: the   trace-flags:
//!              |  every hop of the request         caller's span    01 = sampled
//!              version
//! ```
//!
//! Each hop keeps the trace id, makes a span id of its own, and sends that
//! span id as the next hop's parent-id. A request that arrives without the
//! header starts a new trace; one whose header is malformed starts a new
//! trace too, because an id that cannot be read cannot be trusted (W3C Trace
//! Context, §4.3: "If the vendor failed to parse traceparent, it MUST NOT
//! attempt to parse tracestate", and restarts the trace).
//!
//! `tracestate`, the companion header for vendors' own data, is not read
//! or forwarded here; a service that uses it passes it on unchanged.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use go_context::Key;

/// The header's name.
///
/// # Examples
///
/// ```
/// use request_service::propagation::{TRACEPARENT, TraceContext};
///
/// let trace = TraceContext::new_root();
/// let mut headers = http::HeaderMap::new();
/// headers.insert(TRACEPARENT, trace.to_string().parse().unwrap());
/// assert!(headers[TRACEPARENT].to_str().unwrap().starts_with("00-"));
/// ```
pub const TRACEPARENT: &str = "traceparent";

/// The key of this hop's [`TraceContext`] in a request's context.
///
/// [`derive()`](fn@super::derive) puts it there; [`stamp`](super::stamp) sends it
/// on; a log reads its trace id.
///
/// # Examples
///
/// ```
/// use request_service::propagation::{TRACE, TraceContext};
///
/// let trace = TraceContext::new_root();
/// let ctx = go_context::with_value(&go_context::background(), &TRACE, trace);
/// assert_eq!(ctx.value(&TRACE), Some(&trace));
/// ```
pub static TRACE: Key<TraceContext> = Key::new("trace");

/// A trace's id: 16 bytes, written as 32 lowercase hex digits, never all
/// zeros.
///
/// # Examples
///
/// ```
/// use request_service::propagation::TraceContext;
///
/// let caller = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?;
/// assert_eq!(caller.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// # Ok::<(), request_service::propagation::TraceParentError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceId([u8; 16]);

/// A span's id: 8 bytes, written as 16 lowercase hex digits, never all
/// zeros.
///
/// # Examples
///
/// ```
/// use request_service::propagation::TraceContext;
///
/// let caller = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?;
/// assert_eq!(caller.span_id().to_string(), "00f067aa0ba902b7");
/// # Ok::<(), request_service::propagation::TraceParentError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpanId([u8; 8]);

/// One hop's place in a trace: the trace's id, the span id of the hop, and
/// whether the trace is sampled.
///
/// Its [`Display`](fmt::Display) form is the `traceparent` value that names
/// this span as the parent of the next hop.
///
/// # Examples
///
/// ```
/// use request_service::propagation::TraceContext;
///
/// // The caller's traceparent, as it arrives:
/// let caller = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?;
/// // This hop: the same trace, a span of its own.
/// let here = caller.child();
/// assert_eq!(here.trace_id(), caller.trace_id());
/// assert_ne!(here.span_id(), caller.span_id());
/// // What the next hop gets:
/// let sent = here.to_string();
/// assert!(sent.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
/// assert!(sent.ends_with("-01"));
/// # Ok::<(), request_service::propagation::TraceParentError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceContext {
    trace_id: TraceId,
    span_id: SpanId,
    sampled: bool,
}

/// The one flag of version 00: the caller may have recorded this trace.
const SAMPLED: u8 = 0x01;

impl TraceContext {
    /// The first span of a new trace, with fresh random ids, sampled.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::propagation::TraceContext;
    ///
    /// let (a, b) = (TraceContext::new_root(), TraceContext::new_root());
    /// assert_ne!(a.trace_id(), b.trace_id());
    /// assert!(a.sampled());
    /// ```
    pub fn new_root() -> TraceContext {
        TraceContext {
            trace_id: TraceId::random(),
            span_id: SpanId::random(),
            sampled: true,
        }
    }

    /// Reads a `traceparent` value: the caller's trace and span.
    ///
    /// Strict, as W3C Trace Context level 1 asks: version `00` is exactly
    /// 55 characters; a later version may append fields after a `-`, which
    /// are ignored; version `ff` is invalid; every field is lowercase hex of
    /// its exact length; neither id may be all zeros. Of the flags only
    /// "sampled" is kept, as version 00 defines no other.
    ///
    /// # Errors
    ///
    /// A [`TraceParentError`] that says what is wrong. The caller should then
    /// start a new trace ([`TraceContext::new_root`]), not half-trust this
    /// one.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::propagation::{TraceContext, TraceParentError};
    ///
    /// let caller = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")?;
    /// assert!(!caller.sampled());
    /// assert_eq!(
    ///     TraceContext::parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
    ///     Err(TraceParentError::AllZero("trace-id")),
    /// );
    /// assert_eq!(
    ///     TraceContext::parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
    ///     Err(TraceParentError::NotHex("trace-id")),
    /// );
    /// # Ok::<(), TraceParentError>(())
    /// ```
    pub fn parse(traceparent: &str) -> Result<TraceContext, TraceParentError> {
        let text = traceparent.as_bytes();
        if text.len() < 55 {
            return Err(TraceParentError::Format);
        }
        let version = hex::<1>(&text[0..2]).ok_or(TraceParentError::NotHex("version"))?[0];
        if version == 0xff {
            return Err(TraceParentError::InvalidVersion);
        }
        // Version 00 has exactly four fields; a later one may add more.
        let ends_right = match version {
            0 => text.len() == 55,
            _ => text.len() == 55 || text[55] == b'-',
        };
        if !ends_right || text[2] != b'-' || text[35] != b'-' || text[52] != b'-' {
            return Err(TraceParentError::Format);
        }
        let trace_id = hex::<16>(&text[3..35]).ok_or(TraceParentError::NotHex("trace-id"))?;
        let span_id = hex::<8>(&text[36..52]).ok_or(TraceParentError::NotHex("parent-id"))?;
        let flags = hex::<1>(&text[53..55]).ok_or(TraceParentError::NotHex("trace-flags"))?[0];
        if trace_id == [0; 16] {
            return Err(TraceParentError::AllZero("trace-id"));
        }
        if span_id == [0; 8] {
            return Err(TraceParentError::AllZero("parent-id"));
        }
        Ok(TraceContext {
            trace_id: TraceId(trace_id),
            span_id: SpanId(span_id),
            sampled: flags & SAMPLED != 0,
        })
    }

    /// The next span of the same trace: this hop's own, when `self` is the
    /// caller's.
    ///
    /// # Examples
    ///
    /// ```
    /// use request_service::propagation::TraceContext;
    ///
    /// let root = TraceContext::new_root();
    /// assert_eq!(root.child().trace_id(), root.trace_id());
    /// ```
    pub fn child(&self) -> TraceContext {
        TraceContext {
            span_id: SpanId::random(),
            ..*self
        }
    }

    /// The trace's id, the same on every hop.
    ///
    /// # Examples
    ///
    /// ```
    /// let trace = request_service::propagation::TraceContext::new_root();
    /// assert_eq!(trace.trace_id().to_string().len(), 32);
    /// ```
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// This span's id.
    ///
    /// # Examples
    ///
    /// ```
    /// let trace = request_service::propagation::TraceContext::new_root();
    /// assert_eq!(trace.span_id().to_string().len(), 16);
    /// ```
    pub fn span_id(&self) -> SpanId {
        self.span_id
    }

    /// Whether the trace is sampled (flag `01`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(request_service::propagation::TraceContext::new_root().sampled());
    /// ```
    pub fn sampled(&self) -> bool {
        self.sampled
    }
}

impl fmt::Display for TraceContext {
    /// The `traceparent` value naming this span as the parent:
    /// `00-<trace-id>-<span-id>-<flags>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flags = if self.sampled { SAMPLED } else { 0 };
        write!(f, "00-{}-{}-{flags:02x}", self.trace_id, self.span_id)
    }
}

impl fmt::Debug for TraceContext {
    /// `TraceContext(00-<trace-id>-<span-id>-<flags>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceContext({self})")
    }
}

impl TraceId {
    fn random() -> TraceId {
        let [a, b] = [random_u64(), random_u64()];
        let mut id = [0; 16];
        id[..8].copy_from_slice(&a.to_be_bytes());
        id[8..].copy_from_slice(&b.to_be_bytes());
        id[15] |= u8::from(id == [0; 16]); // never all zeros
        TraceId(id)
    }
}

impl SpanId {
    fn random() -> SpanId {
        let mut id = random_u64().to_be_bytes();
        id[7] |= u8::from(id == [0; 8]); // never all zeros
        SpanId(id)
    }
}

impl fmt::Display for TraceId {
    /// 32 lowercase hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

impl fmt::Display for SpanId {
    /// 16 lowercase hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for SpanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpanId({self})")
    }
}

/// 64 random-looking bits: std's randomly keyed hasher over a counter, so no
/// two calls in a process hash the same input and the keys differ between
/// processes. Good for ids, not for secrets.
fn random_u64() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(NEXT.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

/// `N` bytes from `2 * N` lowercase hex digits; `None` for anything else.
fn hex<const N: usize>(digits: &[u8]) -> Option<[u8; N]> {
    fn nibble(digit: u8) -> Option<u8> {
        match digit {
            b'0'..=b'9' => Some(digit - b'0'),
            b'a'..=b'f' => Some(digit - b'a' + 10),
            _ => None,
        }
    }
    if digits.len() != 2 * N {
        return None;
    }
    let mut bytes = [0; N];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(bytes)
}

/// Why a `traceparent` header was not trusted.
///
/// A server that gets one starts a new trace and logs this; the request is
/// still served.
///
/// # Examples
///
/// ```
/// use request_service::propagation::{TraceContext, TraceParentError};
///
/// let err = TraceContext::parse("not a trace").unwrap_err();
/// assert_eq!(err, TraceParentError::Format);
/// assert_eq!(
///     err.to_string(),
///     "not version-traceid-parentid-flags (00-<32 hex>-<16 hex>-<2 hex>)",
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TraceParentError {
    /// The wrong length, or a dash missing between the fields.
    Format,
    /// A field (named) that is not lowercase hex.
    NotHex(&'static str),
    /// Version `ff`, which the standard forbids.
    InvalidVersion,
    /// An id (named) that is all zeros.
    AllZero(&'static str),
    /// The header's bytes are not visible ASCII (reading an
    /// [`http::HeaderMap`] only).
    NotText,
    /// The header was sent more than once (reading an [`http::HeaderMap`]
    /// only).
    Repeated,
}

impl fmt::Display for TraceParentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceParentError::Format => {
                f.write_str("not version-traceid-parentid-flags (00-<32 hex>-<16 hex>-<2 hex>)")
            }
            TraceParentError::NotHex(field) => write!(f, "the {field} is not lowercase hex"),
            TraceParentError::InvalidVersion => f.write_str("version ff is invalid"),
            TraceParentError::AllZero(field) => write!(f, "the {field} is all zeros"),
            TraceParentError::NotText => f.write_str("not visible ASCII"),
            TraceParentError::Repeated => f.write_str("sent more than once"),
        }
    }
}

impl std::error::Error for TraceParentError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of W3C Trace Context, §3.2.
    const EXAMPLE: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn reads_the_standards_example_and_writes_it_back() {
        let caller = TraceContext::parse(EXAMPLE).unwrap();
        assert_eq!(
            caller.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(caller.span_id().to_string(), "00f067aa0ba902b7");
        assert!(caller.sampled());
        assert_eq!(caller.to_string(), EXAMPLE);
    }

    #[test]
    fn a_later_version_may_append_fields_and_keeps_only_the_sampled_flag() {
        let later = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff-whatever";
        let caller = TraceContext::parse(later).unwrap();
        assert!(caller.sampled());
        // Sent on as version 00, with the one flag 00 defines.
        assert_eq!(caller.to_string(), EXAMPLE);
    }

    #[test]
    fn malformed_values_are_refused_with_their_reason() {
        use TraceParentError::*;
        for (text, expected) in [
            ("", Format),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
                Format,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
                Format,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
                Format,
            ),
            (
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
                Format,
            ),
            (
                "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Format,
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
                Format,
            ),
            (
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                InvalidVersion,
            ),
            (
                "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                NotHex("version"),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01",
                NotHex("trace-id"),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
                NotHex("parent-id"),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
                NotHex("trace-flags"),
            ),
            (
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                AllZero("trace-id"),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                AllZero("parent-id"),
            ),
        ] {
            assert_eq!(TraceContext::parse(text), Err(expected), "{text:?}");
        }
    }

    #[test]
    fn a_value_with_multibyte_characters_is_refused_not_sliced() {
        let text = "00-4bf92f3577b34da6a3ce929d0e0e47é-00f067aa0ba902b7-01";
        assert!(TraceContext::parse(text).is_err());
    }

    #[test]
    fn new_ids_are_never_zero_and_differ() {
        let ids: std::collections::HashSet<_> = (0..1000)
            .map(|_| TraceContext::new_root().trace_id())
            .collect();
        assert_eq!(ids.len(), 1000);
        assert!(!ids.contains(&TraceId([0; 16])));
    }
}
