//! Reading the figures back from a `RESULTS.md` this generator wrote, so the
//! page can be re-rendered in a new layout without re-running the suite.
//!
//! The figures are the page's, rounded to three significant digits and the
//! interval to a whole percent; rendering them again prints the same
//! numbers. The charts are not redrawn from them.

use crate::estimates::Estimate;

/// The machine rows the page does not keep: they come from the Go runs of
/// the page's CPU family (`benches/go-baseline/`) and from
/// `benches::go_baseline` again.
fn recomputed(key: &str) -> bool {
    key.ends_with("(this machine)") || key == "Go reference figures"
}

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
                        && !recomputed(key)
                    {
                        // A cell's escaped `|` is a plain one again.
                        run_info.push_str(&format!("{key}: {}\n", value.replace("\\|", "|")));
                    }
                }
            }
            // The table against Go here, the one against the peers and Go's
            // reference ("Benchmark, against the others"), or both in one.
            Some(first) if first == "Benchmark" || first.starts_with("Benchmark,") => {
                let has_ours = header.get(1).is_some_and(|h| plain(h) == "Rust");
                // The peers' columns, if the page has them: `<prefix>/<id>`.
                let peers: Vec<(usize, &str)> =
                    [("tokio-util", "tokio_util"), ("crossbeam", "crossbeam")]
                        .into_iter()
                        .filter_map(|(title, prefix)| {
                            Some((header.iter().position(|h| plain(h) == title)?, prefix))
                        })
                        .collect();
                for row in &rows {
                    let id = plain(&row[0]);
                    if let Some(e) = row
                        .get(1)
                        .filter(|_| has_ours)
                        .and_then(|rust| one(&id, rust))
                    {
                        estimates.push(e);
                    }
                    for (column, prefix) in &peers {
                        if let Some(e) = row
                            .get(*column)
                            .and_then(|cell| one(&format!("{prefix}/{id}"), cell))
                        {
                            estimates.push(e);
                        }
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
    // A `\|` is part of a cell, not the end of one.
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in inner.chars() {
        match c {
            '|' if !escaped => cells.push(String::new()),
            c => cells.last_mut().expect("one cell at least").push(c),
        }
        escaped = c == '\\';
    }
    cells.iter().map(|c| c.trim().to_owned()).collect()
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
