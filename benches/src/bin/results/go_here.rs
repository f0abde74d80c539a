//! Reading `benches/go-baseline/<cpu family>/go<version>.txt`: Go's own benchmarks run on this machine
//! by `benches/go-baseline.sh`.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// Go's figures from one run of `go-baseline.sh`, for one Go version.
#[derive(Debug, Default)]
pub(crate) struct GoRun {
    /// Which Go: `Go 1.19.8`, from the `go version` the script recorded.
    pub(crate) label: String,
    /// The minor version: 19 for Go 1.19.8.
    pub(crate) minor: u32,
    /// The `#` lines the script writes: Go version, machine, date, load.
    pub(crate) header: Vec<String>,
    /// ns/op by Go's benchmark name without `Benchmark` and the `-N` suffix:
    /// the median of its rounds.
    pub(crate) ns_per_op: HashMap<String, f64>,
    /// Every round's ns/op, in the order `run.sh full` ran them (one round
    /// per line of the benchmark in the file).
    pub(crate) rounds: HashMap<String, Vec<f64>>,
}

/// Reads the file; `None` if it does not exist.
pub(crate) fn read(path: &Path) -> Option<GoRun> {
    let text = fs::read_to_string(path).ok()?;
    let mut run = GoRun::default();
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            // `# round N` separates the rounds of one `run.sh full`.
            if !comment.starts_with("round ") {
                run.header.push(comment.to_owned());
            }
            continue;
        }
        // BenchmarkCancelTree/depth=1/Root=Background-2   3140396   554.3 ns/op
        let fields: Vec<&str> = line.split_whitespace().collect();
        let Some(name) = fields.first().and_then(|f| f.strip_prefix("Benchmark")) else {
            continue;
        };
        let Some(at) = fields.iter().position(|f| *f == "ns/op") else {
            continue;
        };
        let name = name.rsplit_once('-').map_or(name, |(name, _procs)| name);
        if let Some(ns) = fields.get(at - 1).and_then(|f| f.parse().ok()) {
            run.rounds.entry(name.to_owned()).or_default().push(ns);
        }
    }
    // "go version go1.19.8 linux/amd64; 2 cores; …"
    run.label = run
        .header
        .iter()
        .find_map(|line| {
            let version = line.split("go version go").nth(1)?;
            Some(format!("Go {}", version.split_whitespace().next()?))
        })
        .unwrap_or_else(|| "Go".to_owned());
    run.minor = run
        .label
        .strip_prefix("Go 1.")
        .and_then(|rest| rest.split('.').next()?.parse().ok())
        .unwrap_or(0);
    run.ns_per_op = run
        .rounds
        .iter()
        .map(|(name, values)| (name.clone(), crate::estimates::median(values)))
        .collect();
    Some(run)
}
