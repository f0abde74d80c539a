//! The growth curves: the cost of one operation as the work around it grows.

use std::fmt::Write;

use benches::go_baseline::GO_1_19;

use crate::estimates::Estimate;
use crate::format::{fastest, with_spread};
use crate::go_here::GoRun;
use crate::prose;
use crate::svg::{self, format_ns};

/// The growth curves, in page order: group id, title, the size's name, what
/// the curve measures, and whether the figure is divided by the size (a cost
/// per link).
const GROWTH: &[(&str, &str, &str, &str, bool)] = &[
    (
        "growth_timers",
        "Live timers",
        "timeouts armed",
        "Ten one-hour timeouts created and canceled on each core per operation (Go's `WithTimeout`), with N others armed. A flat line is a timer queue whose cost does not grow with its size.",
        false,
    ),
    (
        "growth_children",
        "Children of one parent",
        "live children of the parent",
        "Deriving and canceling one child of a parent that has N live children.",
        false,
    ),
    (
        "growth_chain",
        "Chain depth",
        "links in the chain",
        "Building a chain of N cancelable contexts under an open root and canceling the root, per link (Go's `CancelTree/Root=OpenCanceler` divided by its depth).",
        true,
    ),
];

/// Go's figure for a growth group at `size`, where Go has the shape: this
/// machine's run if there is one, else the reference figure.
fn go_growth(group: &str, size: u64, go_here: Option<&GoRun>) -> Option<f64> {
    let name = match group {
        "growth_timers" => format!("WithTimeout/concurrency={size}"),
        "growth_chain" => format!("CancelTree/depth={size}/Root=OpenCanceler"),
        _ => return None,
    };
    go_here
        .and_then(|go| go.ns_per_op.get(&name).copied())
        .or_else(|| {
            GO_1_19
                .iter()
                .find(|fig| fig.go_name == name)
                .map(|fig| fig.ns_per_op)
        })
}

pub(crate) fn growth(
    md: &mut String,
    images: &mut Vec<(String, String)>,
    page_dir: &str,
    estimates: &[Estimate],
    go_runs: &[GoRun],
) {
    let present = GROWTH
        .iter()
        .any(|(group, ..)| estimates.iter().any(|e| e.group == *group));
    if !present {
        return;
    }
    md.push_str("### Growth curves\n\n");
    md.push_str(&prose::growth_intro());
    for (group, title, size_name, what, per_size) in GROWTH {
        let rows: Vec<&Estimate> = estimates.iter().filter(|e| e.group == *group).collect();
        if rows.is_empty() {
            continue;
        }
        let mut sizes: Vec<u64> = rows
            .iter()
            .filter_map(|e| e.value.as_deref()?.parse().ok())
            .collect();
        sizes.sort_unstable();
        sizes.dedup();
        let mut names: Vec<&str> = Vec::new();
        for e in &rows {
            if let Some(f) = e.function.as_deref()
                && !names.contains(&f)
            {
                names.push(f);
            }
        }
        let scale = |size: u64| if *per_size { size as f64 } else { 1.0 };
        let estimate = |f: &str, size: u64| {
            rows.iter().copied().find(|e| {
                e.function.as_deref() == Some(f)
                    && e.value.as_deref() == Some(size.to_string().as_str())
            })
        };
        let mut series: Vec<(String, Vec<(f64, f64)>)> = names
            .iter()
            .map(|f| {
                let points = sizes
                    .iter()
                    .filter_map(|&size| Some((size as f64, estimate(f, size)?.ns / scale(size))))
                    .collect();
                ((*f).to_owned(), points)
            })
            .collect();
        // One series per Go run on this machine; Go's reference figures
        // when there is none.
        let go_series: Vec<(String, Option<&GoRun>)> = if go_runs.is_empty() {
            vec![("Go".to_owned(), None)]
        } else {
            go_runs
                .iter()
                .map(|go| (go.label.clone(), Some(go)))
                .collect()
        };
        for (label, go) in go_series {
            let go_points: Vec<(f64, f64)> = sizes
                .iter()
                .chain(&[40, 4_000, 400_000, 1, 10, 100, 1_000])
                .filter(|size| **size >= sizes[0] && **size <= sizes[sizes.len() - 1])
                .filter_map(|&size| Some((size, go_growth(group, size, go)? / scale(size))))
                .collect::<std::collections::BTreeMap<u64, f64>>()
                .into_iter()
                .map(|(x, y)| (x as f64, y))
                .collect();
            if !go_points.is_empty() {
                series.push((label, go_points));
            }
        }
        let unit = if *per_size {
            " per link"
        } else {
            " per operation"
        };
        let _ = writeln!(md, "#### {title}\n\n{what}\n");
        // One row per size, one column per implementation: the sizes are
        // many, the implementations few, so the table fits the page.
        let names: Vec<String> = series.iter().map(|(name, _)| format!("`{name}`")).collect();
        let _ = writeln!(md, "Time{unit}, `{group}`:\n");
        let _ = writeln!(md, "| {size_name} | {} | Fastest |", names.join(" | "));
        let _ = writeln!(md, "|---:|{}---|", "---:|".repeat(series.len()));
        let point = |points: &[(f64, f64)], size: u64| {
            points
                .iter()
                .find(|(x, _)| *x == size as f64)
                .map(|(_, ns)| *ns)
        };
        for &size in &sizes {
            let cells: Vec<String> = series
                .iter()
                .map(|(name, points)| {
                    let Some(ns) = point(points, size) else {
                        return "–".into();
                    };
                    // Go's figure is one number; ours carry their spread.
                    estimate(name, size).map_or_else(|| format_ns(ns), |e| with_spread(ns, e))
                })
                .collect();
            let contenders: Vec<(&str, f64)> = series
                .iter()
                .filter_map(|(name, points)| Some((name.as_str(), point(points, size)?)))
                .collect();
            let quickest: Vec<String> = fastest(&contenders)
                .iter()
                .map(|name| format!("`{name}`"))
                .collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                svg::format_count(size as f64),
                cells.join(" | "),
                quickest.join(" ≈ ")
            );
        }
        let file = format!("{group}.svg");
        images.push((
            file.clone(),
            svg::growth_lines(&format!("{title}: time{unit}"), size_name, &series),
        ));
        let _ = writeln!(md, "\n![{title}](img/{page_dir}/{file})\n");
    }
}
