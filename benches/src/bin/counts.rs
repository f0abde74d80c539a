//! The instruction and byte counts of the hot shapes: collected from
//! gungraun's output, and checked against the committed baseline. Run by
//! `benches/counts.sh`, which says how.
//!
//! ```console
//! $ counts collect GUNGRAUN_JSON_LINES OUT.tsv   # instructions per operation
//! $ counts check BASELINE.tsv FRESH.tsv          # fails on a regression, or
//!                                                # where ours misses its target
//!                                                # against a peer
//! ```
//!
//! A count file is tab-separated: `shape`, `side`, then figures per
//! operation (the first is the one checked), one row per shape and side.

use std::collections::BTreeMap;
use std::process::ExitCode;

use benches::shapes::{SHAPES, Side};
use serde_json::Value;

/// How much a count of ours may grow before `check` fails, in percent.
///
/// Counts are deterministic for one build: the same binary counts the same
/// instructions and bytes on every machine, run after run. A change in the
/// compiler moves them by a fraction of a percent; a real regression in a
/// hot path (one more atomic operation, lock or allocation per operation)
/// moves them by several percent. 2% lies between.
const THRESHOLD_PERCENT: f64 = 2.0;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["collect", json, out] => collect(json, out),
        ["check", baseline, fresh] => check(baseline, fresh),
        _ => {
            eprintln!(
                "usage: counts collect JSON_LINES OUT.tsv | counts check BASELINE.tsv FRESH.tsv"
            );
            ExitCode::from(2)
        }
    }
}

/// The total `Ir` (instructions executed) of one benchmark's summary:
/// `profiles[0].data.total.metrics.Ir.values.new` (`old` is the run before,
/// when gungraun kept one).
fn instructions(summary: &Value) -> Option<f64> {
    summary.get("profiles")?.as_array()?.first()?["data"]["total"]["metrics"]["Ir"]["values"]["new"]
        .as_f64()
}

fn collect(json: &str, out: &str) -> ExitCode {
    let text = std::fs::read_to_string(json).expect("reading gungraun's output");
    let mut rows = BTreeMap::new();
    for line in text.lines().filter(|line| line.starts_with('{')) {
        let summary: Value = serde_json::from_str(line).expect("a JSON summary per line");
        let function = summary["function_name"].as_str().expect("function_name");
        // `<shape>_<side>`: the side is a known suffix, the shape the rest.
        let Some((shape, side)) = [Side::Ours, Side::TokioUtil, Side::Crossbeam]
            .into_iter()
            .find_map(|side| {
                let name = function.strip_suffix(side.name())?.strip_suffix('_')?;
                Some((SHAPES.iter().find(|shape| shape.name == name)?, side.name()))
            })
        else {
            eprintln!("counts: {function} is no shape's benchmark");
            return ExitCode::FAILURE;
        };
        let total = instructions(&summary).expect("an Ir count");
        rows.insert((shape.name, side.to_owned()), total / shape.ops as f64);
    }
    let mut table = String::from("# shape\tside\tinstructions\n");
    for shape in SHAPES {
        for side in shape.sides {
            match rows.get(&(shape.name, side.name().to_owned())) {
                Some(per_op) => {
                    table.push_str(&format!("{}\t{}\t{per_op:.1}\n", shape.name, side.name()))
                }
                None => {
                    eprintln!("counts: no count for {} on {}", shape.name, side.name());
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    std::fs::write(out, table).expect("writing the counts");
    ExitCode::SUCCESS
}

/// A count file: the names of its figures, and (shape, side) to the figures.
struct Table {
    columns: Vec<String>,
    rows: BTreeMap<(String, String), Vec<f64>>,
}

fn read(path: &str) -> Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|err| panic!("reading {path}: {err}"));
    let mut lines = text.lines();
    let header = lines.next().expect("a header line");
    let columns = header.split('\t').skip(2).map(str::to_owned).collect();
    let rows = lines
        .filter(|line| !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let figures = fields[2..]
                .iter()
                .map(|figure| figure.parse().expect("a figure"))
                .collect();
            ((fields[0].to_owned(), fields[1].to_owned()), figures)
        })
        .collect();
    Table { columns, rows }
}

/// Whether ours beats every peer on every shape, as each shape asks
/// ([`Shape::below_peers`](benches::shapes::Shape::below_peers)):
/// instructions below that fraction of the peer's, bytes no more than its
/// where [`Shape::bytes_within_peers`](benches::shapes::Shape) says so.
/// Says so for each pair.
fn against_peers(now: &Table) -> bool {
    let instructions = now.columns == ["instructions"];
    let mut all_met = true;
    for shape in SHAPES {
        let ours_key = (shape.name.to_owned(), Side::Ours.name().to_owned());
        let Some(ours) = now.rows.get(&ours_key) else {
            continue; // reported missing by the caller
        };
        if !instructions && !shape.bytes_within_peers {
            continue;
        }
        for peer in shape.sides.iter().filter(|side| **side != Side::Ours) {
            let Some(theirs) = now
                .rows
                .get(&(shape.name.to_owned(), peer.name().to_owned()))
            else {
                continue;
            };
            for ((column, &ours), &theirs) in now.columns.iter().zip(ours).zip(theirs) {
                let met = if instructions {
                    ours < shape.below_peers * theirs
                } else {
                    ours <= theirs
                };
                let target = if instructions {
                    format!("below {}x", shape.below_peers)
                } else {
                    "at most 1x".to_owned()
                };
                let ratio = if theirs == 0.0 { 1.0 } else { ours / theirs };
                println!(
                    "{:>10} {} ours vs {} {column}: {ratio:.3}x ({target})",
                    if met { "beats" } else { "MISSED" },
                    shape.name,
                    peer.name(),
                );
                all_met &= met;
            }
        }
    }
    if !all_met {
        eprintln!("counts: ours misses its target against a peer (benches/src/shapes.rs)");
    }
    all_met
}

fn check(baseline: &str, fresh: &str) -> ExitCode {
    let (before, now) = (read(baseline), read(fresh));
    let mut failed = before.columns != now.columns;
    if failed {
        eprintln!("counts: {fresh} has other columns than {baseline}");
    }
    for ((shape, side), counts) in &now.rows {
        let ours = side == Side::Ours.name();
        let Some(was) = before.rows.get(&(shape.clone(), side.clone())) else {
            eprintln!("counts: {shape} on {side} has no baseline in {baseline}");
            failed = true;
            continue;
        };
        for ((column, &count), &was) in now.columns.iter().zip(counts).zip(was) {
            let change = if was == 0.0 {
                if count == 0.0 { 0.0 } else { f64::INFINITY }
            } else {
                (count - was) / was * 100.0
            };
            let verdict = if ours && change > THRESHOLD_PERCENT {
                failed = true;
                "REGRESSION"
            } else if change.abs() > THRESHOLD_PERCENT {
                "changed"
            } else {
                "ok"
            };
            println!("{verdict:>10} {shape} {side} {column}: {was} -> {count} ({change:+.1}%)");
        }
    }
    let missed = !against_peers(&now);
    for key in before
        .rows
        .keys()
        .filter(|key| !now.rows.contains_key(*key))
    {
        eprintln!(
            "counts: {} on {} is in {baseline} but was not measured",
            key.0, key.1
        );
        failed = true;
    }
    if failed {
        eprintln!(
            "counts: {fresh} differs from {baseline} beyond {THRESHOLD_PERCENT}%; \
             if the change is meant, rebaseline: bash benches/counts.sh --bless"
        );
    }
    if failed || missed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
