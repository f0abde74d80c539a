//! The table of Go's own benchmarks, ported: ours beside each Go run on
//! this machine, the Rust peers and Go's reference figures.

use std::collections::HashMap;
use std::fmt::Write;

use benches::go_baseline::GO_1_19;

use crate::estimates::Estimate;
use crate::format::{
    SAME, breakable, fastest, go_cell, verdict, verdict_over_rounds, with_interval,
};
use crate::go_here::GoRun;
use crate::prose::{self, ALWAYS, ON_POOL, PEER_FASTER_BECAUSE, PEERS, SLOWER_BECAUSE, SPAWNS};
use crate::svg::{self, format_ns};

/// A label as a file name: `Go 1.19.8` → `go-1.19.8`.
pub(crate) fn slug(label: &str) -> String {
    label
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

pub(crate) fn go_shapes(
    md: &mut String,
    images: &mut Vec<(String, String)>,
    page_dir: &str,
    by_id: &HashMap<&str, &Estimate>,
    estimates: &[Estimate],
    rounds: &HashMap<String, Vec<f64>>,
    go_runs: &[GoRun],
) {
    md.push_str("### Go's benchmarks, ported\n\n");
    md.push_str(&prose::go_intro(go_runs));
    // Each explanation is written once, as a numbered note under the table;
    // a row carries only its note's number.
    let mut notes: Vec<&str> = Vec::new();
    // Two tables with the same rows, so that each fits the page: ours
    // against Go here, then against the Rust peers and Go's reference.
    let go_heads: String = go_runs
        .iter()
        .map(|go| format!(" {0} | Rust vs {0} |", go.label))
        .collect();
    let _ = writeln!(md, "| Benchmark | Rust |{go_heads} Fastest |");
    let _ = writeln!(md, "|---|---:|{}---|", "---:|---|".repeat(go_runs.len()));
    let mut charts: Vec<Vec<(String, f64)>> = vec![Vec::new(); go_runs.len().max(1)];
    let mut others = String::from(
        "| Benchmark | tokio-util | crossbeam | Go reference | Rust vs reference |\n\
         |---|---:|---:|---:|---|\n",
    );
    for fig in GO_1_19 {
        let Some(ours) = by_id.get(fig.id) else {
            let blanks = " |".repeat(2 * go_runs.len() + 1);
            let _ = writeln!(md, "| {} | not run |{blanks}", breakable(fig.id));
            let _ = writeln!(others, "| {} | | | | |", breakable(fig.id));
            continue;
        };
        // Go's figure on this machine, per Go version: only the versions
        // that compile the benchmark to the port's work.
        let here: Vec<Option<f64>> = go_runs
            .iter()
            .map(|go| {
                let same_work = fig.compiled_by.includes(go.minor);
                same_work.then(|| go.ns_per_op.get(fig.go_name).copied())?
            })
            .collect();
        // Go's reference figures are Go 1.19's.
        let reference = fig.compiled_by.includes(19).then_some(fig.ns_per_op);
        // The least favourable ratio: a row slower than any Go gets its note.
        let main_ratio = here
            .iter()
            .flatten()
            .chain(reference.iter().filter(|_| go_runs.is_empty()))
            .map(|go| go / ours.ns)
            .min_by(f64::total_cmp)
            .unwrap_or(1.0);
        let peers: Vec<(&str, Option<&Estimate>)> = PEERS
            .iter()
            .map(|(name, prefix)| {
                (
                    *name,
                    by_id.get(format!("{prefix}/{}", fig.id).as_str()).copied(),
                )
            })
            .collect();
        let mut contenders = vec![("ours", ours.ns)];
        contenders.extend(
            go_runs
                .iter()
                .zip(&here)
                .filter_map(|(go, ns)| Some((go.label.as_str(), (*ns)?))),
        );
        contenders.extend(
            peers
                .iter()
                .filter_map(|(name, e)| e.map(|e| (*name, e.ns))),
        );
        let quickest = fastest(&contenders);
        let fastest = quickest
            .iter()
            .map(|name| match *name {
                "ours" => "**ours**",
                name => name,
            })
            .collect::<Vec<_>>()
            .join(" ≈ ");
        // A peer is faster only if ours is not about the same.
        let peer_fastest = !quickest.contains(&"ours")
            && quickest
                .first()
                .is_some_and(|name| PEERS.iter().any(|(peer, _)| peer == name));
        let note = if fig.spawns_thread {
            Some(SPAWNS)
        } else if let Some((_, why)) = ON_POOL
            .iter()
            .filter(|_| fig.on_pool)
            .find(|(prefix, _)| fig.id.starts_with(prefix))
        {
            Some(*why)
        } else if let Some((_, always)) = ALWAYS.iter().find(|(id, _)| *id == fig.id) {
            Some(*always)
        } else if main_ratio <= 1.0 / SAME {
            SLOWER_BECAUSE
                .iter()
                .find(|(prefix, _)| fig.id.starts_with(prefix))
                .map(|(_, why)| *why)
        } else if peer_fastest {
            PEER_FASTER_BECAUSE
                .iter()
                .find(|(part, _)| fig.id.contains(part))
                .map(|(_, why)| *why)
        } else {
            None
        };
        let marker = note.map_or(String::new(), |note| {
            let number = match notes.iter().position(|n| *n == note) {
                Some(at) => at + 1,
                None => {
                    notes.push(note);
                    notes.len()
                }
            };
            // Each page's notes have their own anchors: the book shows every
            // page in one chapter.
            format!(" <sup>[{number}](#go-note-{page_dir}-{number})</sup>")
        });
        let no_rounds = Vec::new();
        let our_rounds = rounds.get(fig.id).unwrap_or(&no_rounds);
        let peer_cells: Vec<String> = peers
            .iter()
            .map(|(_, e)| e.map_or("–".into(), with_interval))
            .collect();
        let go_cells: String = go_runs
            .iter()
            .zip(&here)
            .map(|(go, ns)| {
                let go_rounds = go.rounds.get(fig.go_name).unwrap_or(&no_rounds);
                match ns {
                    Some(ns) => format!(
                        " {} | {} |",
                        go_cell(*ns, go_rounds),
                        verdict_over_rounds(*ns, ours.ns, go_rounds, our_rounds)
                    ),
                    None => " – | – |".to_owned(),
                }
            })
            .collect();
        let _ = writeln!(
            md,
            "| {}{marker} | {} |{go_cells} {fastest} |",
            breakable(fig.id),
            with_interval(ours),
        );
        let _ = writeln!(
            others,
            "| {} | {} | {} | {} |",
            breakable(fig.id),
            peer_cells.join(" | "),
            reference.map_or("–".into(), format_ns),
            reference.map_or("–".into(), |go| verdict(go / ours.ns)),
        );
        let per_chart = here.iter().copied().chain(std::iter::repeat(reference));
        for (chart, go) in charts.iter_mut().zip(per_chart) {
            if let Some(go) = go {
                chart.push((fig.id.to_owned(), go / ours.ns));
            }
        }
    }
    if !notes.is_empty() {
        md.push_str("\nNotes on the rows marked with a number:\n\n");
        for (at, note) in notes.iter().enumerate() {
            let _ = writeln!(
                md,
                "{}. <a id=\"go-note-{page_dir}-{}\"></a>{note}",
                at + 1,
                at + 1
            );
        }
    }
    md.push_str(prose::PEERS_TABLE);
    md.push_str(&others);
    let labels: Vec<&str> = match go_runs {
        [] => vec!["Go's reference figures"],
        runs => runs.iter().map(|go| go.label.as_str()).collect(),
    };
    for (label, chart) in labels.iter().zip(&charts) {
        let name = format!("go_ratio_{}.svg", slug(label));
        images.push((
            name.clone(),
            svg::ratio_bars(
                &format!("Go's time ÷ ours, against {label} (right of 1×: Rust faster)"),
                chart,
            ),
        ));
        let _ = writeln!(
            md,
            "\n![{label}'s time divided by ours, per benchmark](img/{}/{name})",
            page_dir
        );
    }
    md.push('\n');

    let ported: Vec<&str> = GO_1_19.iter().map(|fig| fig.id).collect();
    let go_groups = [
        "CommonParentCancel",
        "WithTimeout",
        "CancelTree",
        "CheckCanceled",
        "ContextCancelDone",
    ];
    let extra: Vec<&Estimate> = estimates
        .iter()
        .filter(|e| !ported.contains(&e.full_id.as_str()))
        // A function named with a slash (`CommonParentCancel/own_parent`)
        // is a group of its own to criterion: match the first part.
        .filter(|e| go_groups.contains(&e.full_id.split('/').next().unwrap_or_default()))
        .collect();
    if !extra.is_empty() {
        md.push_str("#### Rust-only rows\n\n");
        md.push_str(prose::RUST_ONLY);
        md.push_str("| Benchmark | Rust |\n|---|---:|\n");
        for e in extra {
            let _ = writeln!(md, "| {} | {} |", breakable(&e.full_id), with_interval(e));
        }
        md.push('\n');
    }
}
