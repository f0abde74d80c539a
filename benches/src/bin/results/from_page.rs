//! Reading the figures back from a `RESULTS.md` this generator wrote, so the
//! page can be re-rendered in a new layout without re-running the suite.
//!
//! The figures are the page's, rounded to three significant digits and the
//! interval to a whole percent; rendering them again prints the same
//! numbers. The charts are not redrawn from them.

use crate::estimates::Estimate;

/// The machine rows the page records; the rest of the run's facts come from
/// `go-baseline.txt` and `benches::go_baseline` again.
const MACHINE_KEYS_RECOMPUTED: &[&str] = &["Go baseline (this machine)", "Go reference figures"];

/// The estimates and the run's facts (`key: value` lines, the machine first)
/// recorded in `page`. `groups` names each pattern group and its
/// alternatives, to tell the two orientations of a pattern table apart.
pub(crate) fn read(page: &str, groups: &[(&str, &[&str])]) -> (Vec<Estimate>, String) {
    let mut estimates = Vec::new();
    let mut run_info = String::new();
    let mut lines = page.lines().peekable();
    while let Some(line) = lines.next() {
        if !line.starts_with('|') {
            continue;
        }
        let header = cells(line);
        // Skip the delimiter row; then read rows until the table ends.
        lines.next();
        let mut rows = Vec::new();
        while let Some(row) = lines.next_if(|l| l.starts_with('|')) {
            rows.push(cells(row));
        }
        match header.first().map(String::as_str) {
            Some("") => {
                for row in &rows {
                    if let [key, value] = row.as_slice()
                        && !MACHINE_KEYS_RECOMPUTED.contains(&key.as_str())
                    {
                        run_info.push_str(&format!("{key}: {value}\n"));
                    }
                }
            }
            Some("Benchmark") => {
                for row in &rows {
                    if let Some(e) = row.get(1).and_then(|rust| one(&plain(&row[0]), rust)) {
                        estimates.push(e);
                    }
                }
            }
            Some(first) => {
                let group = plain(first);
                let Some((_, functions)) = groups.iter().find(|(g, _)| *g == group) else {
                    continue;
                };
                let columns: Vec<String> = header[1..].iter().map(|c| plain(c)).collect();
                // Written with the alternatives across (and a last "Fastest"
                // column), or the alternatives down.
                let across = columns.iter().any(|c| functions.contains(&c.as_str()));
                for row in &rows {
                    let label = plain(&row[0]);
                    for (column, value) in columns.iter().zip(&row[1..]) {
                        let (function, param) = if across {
                            (column.as_str(), label.as_str())
                        } else {
                            (label.as_str(), column.as_str())
                        };
                        if !functions.contains(&function) {
                            continue;
                        }
                        let param = if param == "time" { "" } else { param };
                        let id = if param.is_empty() {
                            format!("{group}/{function}")
                        } else {
                            format!("{group}/{function}/{param}")
                        };
                        if let Some(e) = one(&id, value) {
                            estimates.push(e);
                        }
                    }
                }
            }
            None => {}
        }
    }
    estimates.sort_by(|a, b| a.full_id.cmp(&b.full_id));
    (estimates, run_info)
}

/// The cells of a table row, trimmed.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

/// A cell without its Markdown and HTML: code marks, bold, tags, note
/// markers (`<sup>…</sup>`).
fn plain(cell: &str) -> String {
    let mut text = cell.to_owned();
    if let Some(at) = text.find("<sup>") {
        text.truncate(at);
    }
    let mut out = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            '`' | '*' => {}
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// An estimate from a cell such as `13.1 µs ±1%` or `**2.83 µs**`.
fn one(id: &str, cell: &str) -> Option<Estimate> {
    let text = plain(cell);
    let mut words = text.split_whitespace();
    let value: f64 = words.next()?.parse().ok()?;
    let scale = match words.next()? {
        "ns" => 1.0,
        "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    };
    let ns = value * scale;
    let spread = words
        .next()
        .and_then(|w| w.strip_prefix('±')?.strip_suffix('%')?.parse::<f64>().ok())
        .unwrap_or(0.0);
    let mut parts = id.splitn(3, '/');
    let group = parts.next()?.to_owned();
    Some(Estimate {
        full_id: id.to_owned(),
        group,
        function: parts.next().map(str::to_owned),
        value: parts.next().map(str::to_owned),
        ns,
        lower: ns * (1.0 - spread / 100.0),
        upper: ns * (1.0 + spread / 100.0),
    })
}
