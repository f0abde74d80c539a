//! The patterns against each other: one table and one chart per question.

use std::fmt::Write;

use crate::estimates::Estimate;
use crate::prose::PATTERN_GROUPS;
use crate::svg::{self, format_ns};

/// Sorts parameter values by their leading number (`4x3` < `16x2`).
fn leading_number(value: &str) -> u64 {
    value
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

pub(crate) fn patterns(
    md: &mut String,
    images: &mut Vec<(String, String)>,
    page_dir: &str,
    estimates: &[Estimate],
) {
    md.push_str("### The patterns against each other\n\n");
    for (group, title, question, order) in PATTERN_GROUPS {
        let rows: Vec<&Estimate> = estimates.iter().filter(|e| e.group == *group).collect();
        if rows.is_empty() {
            continue;
        }
        let mut params: Vec<String> = rows
            .iter()
            .map(|e| e.value.clone().unwrap_or_default())
            .collect();
        params.sort_by_key(|p| leading_number(p));
        params.dedup();
        let functions: Vec<&str> = order
            .iter()
            .copied()
            .filter(|f| rows.iter().any(|e| e.function.as_deref() == Some(*f)))
            .collect();
        let cell = |f: &str, p: &str| {
            rows.iter()
                .find(|e| e.function.as_deref() == Some(f) && e.value.as_deref().unwrap_or("") == p)
                .map(|e| e.ns)
        };

        // One row per alternative and one column per parameter: the
        // alternatives' names are long, the parameters short, so the table
        // stays narrow however many alternatives a group compares. The
        // fastest of each column is in bold.
        let _ = writeln!(
            md,
            "#### {title}\n\n{question} The fastest in each column is in bold.\n"
        );
        let labels: Vec<&str> = params
            .iter()
            .map(|p| if p.is_empty() { "time" } else { p.as_str() })
            .collect();
        let _ = writeln!(md, "| `{group}` | {} |", labels.join(" | "));
        let _ = writeln!(md, "|---|{}", "---:|".repeat(params.len()));
        let fastest: Vec<Option<&str>> = params
            .iter()
            .map(|p| {
                functions
                    .iter()
                    .filter_map(|f| cell(f, p).map(|ns| (ns, *f)))
                    .min_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, f)| f)
            })
            .collect();
        for f in &functions {
            let cells: Vec<String> = params
                .iter()
                .zip(&fastest)
                .map(|(p, best)| match cell(f, p) {
                    Some(ns) if *best == Some(*f) => format!("**{}**", format_ns(ns)),
                    Some(ns) => format_ns(ns),
                    None => "–".into(),
                })
                .collect();
            let _ = writeln!(md, "| `{f}` | {} |", cells.join(" | "));
        }
        let series: Vec<(String, Vec<Option<f64>>)> = functions
            .iter()
            .map(|f| (f.to_string(), params.iter().map(|p| cell(f, p)).collect()))
            .collect();
        let name = format!("{group}.svg");
        images.push((name.clone(), svg::grouped_bars(title, &params, &series)));
        let _ = writeln!(md, "\n![{title}](img/{page_dir}/{name})\n");
    }
}
