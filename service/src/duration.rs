//! Durations as people type them in a header or on the command line:
//! `250ms`, `2s`, `1.5s`.

use std::time::Duration;

/// Parses a duration written as a number followed by `ms` or `s`, such as
/// `250ms`, `2s` or `1.5s`; `None` for anything else.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use request_service::parse_duration;
///
/// assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
/// assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
/// assert_eq!(parse_duration("soon"), None);
/// assert_eq!(parse_duration("250"), None); // a unit is required
/// ```
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Some(millis) = text.strip_suffix("ms") {
        return millis.parse().ok().map(Duration::from_millis);
    }
    let seconds: f64 = text.strip_suffix('s')?.parse().ok()?;
    Duration::try_from_secs_f64(seconds).ok()
}

/// Shows a duration the way [`parse_duration`] reads it: whole seconds as
/// `5s`, anything else in milliseconds.
pub(crate) fn show(duration: Duration) -> String {
    if duration.as_secs() > 0 && duration.subsec_nanos() == 0 {
        format!("{}s", duration.as_secs())
    } else {
        format!("{}ms", duration.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_milliseconds_and_seconds() {
        assert_eq!(parse_duration("0ms"), Some(Duration::ZERO));
        assert_eq!(parse_duration(" 2s "), Some(Duration::from_secs(2)));
        assert_eq!(parse_duration("0.25s"), Some(Duration::from_millis(250)));
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for text in [
            "", "ms", "s", "-1s", "-5ms", "1.5ms", "2m", "2 h", "NaNs", "infs",
        ] {
            assert_eq!(parse_duration(text), None, "{text:?}");
        }
    }

    #[test]
    fn shows_what_it_reads() {
        for text in ["5s", "250ms", "1500ms", "0ms"] {
            assert_eq!(show(parse_duration(text).unwrap()), text);
        }
    }
}
