//! gRPC's `grpc-timeout` header: the time a call has left, as at most eight
//! digits and a unit.
//!
//! From gRPC's wire protocol (`PROTOCOL-HTTP2.md`):
//!
//! ```text
//! Timeout      → "grpc-timeout" TimeoutValue TimeoutUnit
//! TimeoutValue → {positive integer as ASCII string of at most 8 digits}
//! TimeoutUnit  → Hour / Minute / Second / Millisecond / Microsecond / Nanosecond
//! Hour → "H"   Minute → "M"   Second → "S"   Millisecond → "m"
//! Microsecond → "u"   Nanosecond → "n"
//! ```
//!
//! The header carries a duration, not a clock time, so the two machines'
//! clocks need not agree: each hop starts its own deadline from the moment
//! it reads the header, and the time the request spent on the wire is lost
//! to it, never gained.

use std::fmt;
use std::time::Duration;

/// The header's name, as HTTP/1.1 and HTTP/2 both write it (lower case).
///
/// # Examples
///
/// ```
/// use request_service::propagation::GRPC_TIMEOUT;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert(GRPC_TIMEOUT, http::HeaderValue::from_static("250m"));
/// assert_eq!(headers["grpc-timeout"], "250m");
/// ```
pub const GRPC_TIMEOUT: &str = "grpc-timeout";

/// The most digits a value may have.
const MAX_DIGITS: usize = 8;

/// The largest value: eight nines.
const MAX_VALUE: u64 = 99_999_999;

/// The units, finest first, with their length in nanoseconds.
const UNITS: [(char, u128); 6] = [
    ('n', 1),
    ('u', 1_000),
    ('m', 1_000_000),
    ('S', 1_000_000_000),
    ('M', 60 * 1_000_000_000),
    ('H', 3_600 * 1_000_000_000),
];

/// Writes `budget` as a `grpc-timeout` value, in the finest unit that holds
/// it in eight digits; `None` for a budget that is spent (zero), which is
/// not to be sent at all.
///
/// The value is rounded down, so the callee is never promised more time than
/// the caller has. Below 100 ms it is exact to the nanosecond; below 100 s,
/// to the microsecond; and so on. A budget longer than the header can say
/// (99999999 hours, over 11,000 years) is sent as that.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use request_service::propagation::encode_timeout;
///
/// assert_eq!(encode_timeout(Duration::from_millis(250)).as_deref(), Some("250000u"));
/// assert_eq!(encode_timeout(Duration::from_micros(99_999)).as_deref(), Some("99999000n"));
/// assert_eq!(encode_timeout(Duration::from_secs(30)).as_deref(), Some("30000000u"));
/// assert_eq!(encode_timeout(Duration::from_secs(3600)).as_deref(), Some("3600000m"));
/// assert_eq!(encode_timeout(Duration::ZERO), None); // spent: send nothing
/// ```
pub fn encode_timeout(budget: Duration) -> Option<String> {
    if budget.is_zero() {
        return None;
    }
    let nanos = budget.as_nanos();
    // A finer unit overflowed only if the value is at least 10⁸ of that
    // unit, so the first that fits is never rounded down to zero.
    let encoded = UNITS.iter().find_map(|&(unit, length)| {
        let value = nanos / length;
        (value <= u128::from(MAX_VALUE)).then(|| format!("{value}{unit}"))
    });
    Some(encoded.unwrap_or_else(|| format!("{MAX_VALUE}H")))
}

/// Reads a `grpc-timeout` value strictly: one to eight ASCII digits, then one
/// of the units `H`, `M`, `S`, `m`, `u`, `n`, and nothing else (no sign, no
/// space, no fraction).
///
/// `0n` (or zero of any unit) is a valid, already spent budget: a server
/// that reads it should answer at once that the deadline has passed. No value
/// of eight digits overflows a [`Duration`]: the largest, `99999999H`, is a
/// little over 11,400 years, which a server caps at its own limit anyway.
///
/// # Errors
///
/// A [`TimeoutError`] that says what is wrong with `text`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use request_service::propagation::{TimeoutError, decode_timeout};
///
/// assert_eq!(decode_timeout("250m"), Ok(Duration::from_millis(250)));
/// assert_eq!(decode_timeout("2S"), Ok(Duration::from_secs(2)));
/// assert_eq!(decode_timeout("250ms"), Err(TimeoutError::UnknownUnit('s')));
/// assert_eq!(decode_timeout("123456789n"), Err(TimeoutError::TooManyDigits(9)));
/// assert_eq!(decode_timeout("-5S"), Err(TimeoutError::NotDigits));
/// ```
pub fn decode_timeout(text: &str) -> Result<Duration, TimeoutError> {
    let Some(last) = text.chars().next_back() else {
        return Err(TimeoutError::Empty);
    };
    let digits = &text[..text.len() - last.len_utf8()];
    let length = match UNITS.iter().find(|&&(unit, _)| unit == last) {
        Some(&(_, length)) => length,
        None if last.is_ascii_digit() => return Err(TimeoutError::MissingUnit),
        None => return Err(TimeoutError::UnknownUnit(last)),
    };
    if digits.is_empty() {
        return Err(TimeoutError::MissingValue);
    }
    if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(TimeoutError::NotDigits);
    }
    if digits.len() > MAX_DIGITS {
        return Err(TimeoutError::TooManyDigits(digits.len()));
    }
    let value = digits
        .bytes()
        .fold(0, |value, digit| value * 10 + u128::from(digit - b'0'));
    // At most 99999999 hours: 3.6 × 10²⁰ ns, 3.6 × 10¹¹ s, so neither cast
    // below loses anything.
    let nanos = value * length;
    Ok(Duration::new(
        (nanos / 1_000_000_000) as u64,
        (nanos % 1_000_000_000) as u32,
    ))
}

/// Why a `grpc-timeout` header was refused.
///
/// A server that gets one answers `400 Bad Request` and says which of these
/// it is: a deadline it cannot read must not become no deadline at all.
///
/// # Examples
///
/// ```
/// use request_service::propagation::{TimeoutError, decode_timeout};
///
/// let err = decode_timeout("1.5S").unwrap_err();
/// assert_eq!(err, TimeoutError::NotDigits);
/// assert_eq!(err.to_string(), "the value is not plain digits");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutError {
    /// The value is empty.
    Empty,
    /// Digits, but no unit after them.
    MissingUnit,
    /// A unit that is not one of `H`, `M`, `S`, `m`, `u`, `n`.
    UnknownUnit(char),
    /// A unit with no digits before it.
    MissingValue,
    /// Something other than ASCII digits before the unit: a sign, a space, a
    /// decimal point.
    NotDigits,
    /// More than eight digits (how many there were).
    TooManyDigits(usize),
    /// The header's bytes are not visible ASCII (reading an
    /// [`http::HeaderMap`] only).
    NotText,
    /// The header was sent more than once (reading an [`http::HeaderMap`]
    /// only): which one would be meant?
    Repeated,
}

impl fmt::Display for TimeoutError {
    /// `unknown unit 's' (expected H, M, S, m, u or n)`, and so on.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeoutError::Empty => f.write_str("empty"),
            TimeoutError::MissingUnit => f.write_str("no unit after the digits"),
            TimeoutError::UnknownUnit(unit) => {
                write!(f, "unknown unit {unit:?} (expected H, M, S, m, u or n)")
            }
            TimeoutError::MissingValue => f.write_str("no digits before the unit"),
            TimeoutError::NotDigits => f.write_str("the value is not plain digits"),
            TimeoutError::TooManyDigits(digits) => {
                write!(f, "{digits} digits, more than the {MAX_DIGITS} allowed")
            }
            TimeoutError::NotText => f.write_str("not visible ASCII"),
            TimeoutError::Repeated => f.write_str("sent more than once"),
        }
    }
}

impl std::error::Error for TimeoutError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    #[test]
    fn every_unit_reads() {
        for (text, expected) in [
            ("1n", Duration::from_nanos(1)),
            ("7u", Duration::from_micros(7)),
            ("250m", ms(250)),
            ("2S", Duration::from_secs(2)),
            ("3M", Duration::from_secs(180)),
            ("1H", Duration::from_secs(3600)),
            ("0n", Duration::ZERO),
            ("00000001S", Duration::from_secs(1)), // eight digits, leading zeros
        ] {
            assert_eq!(decode_timeout(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn the_largest_value_does_not_overflow() {
        assert_eq!(
            decode_timeout("99999999H"),
            Ok(Duration::from_secs(99_999_999 * 3600))
        );
        assert_eq!(
            decode_timeout("99999999n"),
            Ok(Duration::from_nanos(99_999_999))
        );
    }

    #[test]
    fn what_is_not_the_grammar_is_refused_with_its_reason() {
        for (text, expected) in [
            ("", TimeoutError::Empty),
            ("250", TimeoutError::MissingUnit),
            ("250ms", TimeoutError::UnknownUnit('s')),
            ("250x", TimeoutError::UnknownUnit('x')),
            ("250h", TimeoutError::UnknownUnit('h')),
            ("250é", TimeoutError::UnknownUnit('é')),
            ("250 ", TimeoutError::UnknownUnit(' ')),
            ("m", TimeoutError::MissingValue),
            ("-5S", TimeoutError::NotDigits),
            ("+5S", TimeoutError::NotDigits),
            (" 5S", TimeoutError::NotDigits),
            ("1.5S", TimeoutError::NotDigits),
            ("5 S", TimeoutError::NotDigits),
            ("١S", TimeoutError::NotDigits), // an Arabic-Indic one is not ASCII
            ("123456789n", TimeoutError::TooManyDigits(9)),
            ("000000001S", TimeoutError::TooManyDigits(9)),
            (
                "99999999999999999999999999H",
                TimeoutError::TooManyDigits(26),
            ),
        ] {
            assert_eq!(decode_timeout(text), Err(expected), "{text:?}");
        }
    }

    #[test]
    fn writes_the_finest_unit_that_fits_in_eight_digits() {
        for (budget, expected) in [
            (Duration::from_nanos(1), "1n"),
            (Duration::from_nanos(99_999_999), "99999999n"),
            (Duration::from_nanos(100_000_000), "100000u"),
            (Duration::from_nanos(100_000_999), "100000u"), // rounded down
            (ms(250), "250000u"),
            (Duration::from_micros(99_999_999), "99999999u"),
            (Duration::from_secs(100), "100000m"),
            (Duration::from_secs(100_000), "100000S"),
            (Duration::from_secs(100_000_000), "1666666M"),
            (Duration::from_secs(6_000_000_000), "1666666H"),
            (Duration::MAX, "99999999H"),
        ] {
            assert_eq!(
                encode_timeout(budget).as_deref(),
                Some(expected),
                "{budget:?}"
            );
        }
    }

    #[test]
    fn what_is_written_reads_back_no_longer() {
        for nanos in [1, 999, 1_000_001, 99_999_999, 100_000_001, 123_456_789_012] {
            let budget = Duration::from_nanos(nanos);
            let text = encode_timeout(budget).unwrap();
            let read = decode_timeout(&text).unwrap();
            assert!(
                read <= budget && !read.is_zero(),
                "{budget:?} → {text} → {read:?}"
            );
        }
    }

    #[test]
    fn a_spent_budget_is_not_written() {
        assert_eq!(encode_timeout(Duration::ZERO), None);
    }
}
