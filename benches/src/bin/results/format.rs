//! How a figure, a ratio or a table cell is written on the page.

use crate::estimates::Estimate;
use crate::svg::format_ns;

/// Two times closer than this factor are "about the same": less than this
/// machine's spread between rounds.
pub(crate) const SAME: f64 = 1.05;

/// Text for a table cell: a `|` would end the cell, so it is escaped.
pub(crate) fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// A benchmark id as code that may wrap after each `/`, so that long ids
/// do not widen the table past the page.
pub(crate) fn breakable(id: &str) -> String {
    format!("<code>{}</code>", id.replace('/', "/<wbr>"))
}

/// The estimate and the half-width of its 95% interval: "1.20 µs ±4%".
pub(crate) fn with_interval(e: &Estimate) -> String {
    with_spread(e.ns, e)
}

/// `ns` (the estimate, or the estimate scaled) with `e`'s relative
/// half-width: the interval, or the rounds' range.
pub(crate) fn with_spread(ns: f64, e: &Estimate) -> String {
    let spread = (e.upper - e.lower) / 2.0 / e.ns * 100.0;
    format!("{} ±{spread:.0}%", format_ns(ns))
}

/// The quickest of `contenders` (name, time), then every other one that is
/// "about the same" as it (within [`SAME`]), quickest first.
pub(crate) fn fastest<'a>(contenders: &[(&'a str, f64)]) -> Vec<&'a str> {
    let Some(best) = contenders.iter().map(|c| c.1).min_by(f64::total_cmp) else {
        return Vec::new();
    };
    let mut tied: Vec<(&str, f64)> = contenders
        .iter()
        .copied()
        .filter(|(_, ns)| *ns <= best * SAME)
        .collect();
    tied.sort_by(|a, b| a.1.total_cmp(&b.1));
    tied.into_iter().map(|(name, _)| name).collect()
}

/// Go's median figure, with the half range of its rounds when it has several.
pub(crate) fn go_cell(median: f64, rounds: &[f64]) -> String {
    if rounds.len() < 2 {
        return format_ns(median);
    }
    let (lo, hi) = range(rounds);
    format!(
        "{} ±{:.0}%",
        format_ns(median),
        (hi - lo) / 2.0 / median * 100.0
    )
}

fn range(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)))
}

/// "2.4× faster" / "1.3× slower" / "about the same", for `theirs / ours`.
pub(crate) fn verdict(ratio: f64) -> String {
    if ratio >= SAME {
        format!("**{ratio:.1}× faster**")
    } else if ratio <= 1.0 / SAME {
        format!("{:.1}× slower", 1.0 / ratio)
    } else {
        "about the same".into()
    }
}

/// The verdict for Go's time over ours, with the range of the rounds'
/// ratios when both sides were measured in the same rounds: "**1.6× faster**
/// (1.5–1.7)", the bracket in the verdict's own direction.
pub(crate) fn verdict_over_rounds(
    go: f64,
    ours: f64,
    go_rounds: &[f64],
    our_rounds: &[f64],
) -> String {
    if go_rounds.len() < 2 || go_rounds.len() != our_rounds.len() {
        return verdict(go / ours);
    }
    let ratios: Vec<f64> = go_rounds
        .iter()
        .zip(our_rounds)
        .map(|(g, r)| g / r)
        .collect();
    let middle = crate::estimates::median(&ratios);
    let (lo, hi) = range(&ratios);
    let (lo, hi) = if middle <= 1.0 / SAME {
        (1.0 / hi, 1.0 / lo)
    } else {
        (lo, hi)
    };
    format!(
        "{} ({}–{})",
        verdict(middle),
        two_digits(lo),
        two_digits(hi)
    )
}

/// A ratio with two significant digits: 0.042, 0.61, 1.7, 12.
pub(crate) fn two_digits(ratio: f64) -> String {
    let decimals = (1.0 - ratio.log10().floor()).clamp(0.0, 6.0) as usize;
    format!("{ratio:.decimals$}")
}

/// A count with thousands separators and at most one decimal: 1,184 or 43.5.
pub(crate) fn count(value: f64) -> String {
    let whole = value.trunc() as u64;
    let mut digits = whole.to_string();
    let mut at = digits.len();
    while at > 3 {
        at -= 3;
        digits.insert(at, ',');
    }
    let tenths = ((value - value.trunc()) * 10.0).round() as u64;
    match tenths {
        0 => digits,
        10 => count(value.round()),
        _ => format!("{digits}.{tenths}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fastest_names_the_quickest_then_those_about_the_same() {
        let rows = [("ours", 105.0), ("Go", 100.0), ("tokio-util", 140.0)];
        assert_eq!(fastest(&rows), ["Go", "ours"]);
        let rows = [("ours", 106.0), ("Go", 100.0)];
        assert_eq!(fastest(&rows), ["Go"]);
        assert!(fastest(&[]).is_empty());
    }

    #[test]
    fn a_bar_in_a_cell_does_not_end_it() {
        assert_eq!(cell("-bench 'A|B'"), "-bench 'A\\|B'");
    }

    #[test]
    fn counts_read_as_written() {
        assert_eq!(count(1184.0), "1,184");
        assert_eq!(count(43.46), "43.5");
        assert_eq!(count(999.96), "1,000");
        assert_eq!(count(0.0), "0");
    }
}
