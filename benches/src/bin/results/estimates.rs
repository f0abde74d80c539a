//! Reading criterion's results: `<criterion dir>/**/new/{benchmark,estimates}.json`.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use serde_json::Value;

/// One benchmark's latest estimate.
#[derive(Debug, Clone)]
pub(crate) struct Estimate {
    /// criterion's full id, `group/function/value`.
    pub(crate) full_id: String,
    pub(crate) group: String,
    /// The alternative, or `None` for a lone `bench_function` id.
    pub(crate) function: Option<String>,
    /// The parameter, if any.
    pub(crate) value: Option<String>,
    /// Time per iteration in ns: the slope estimate where criterion has one
    /// (what it prints as `time:`), else the mean.
    pub(crate) ns: f64,
    /// The 95% confidence interval of `ns`.
    pub(crate) lower: f64,
    pub(crate) upper: f64,
}

/// Every estimate under `dir`, sorted by id.
pub(crate) fn read_all(dir: &Path) -> Vec<Estimate> {
    let mut found = Vec::new();
    walk(dir, &mut found);
    found.sort_by(|a, b| a.full_id.cmp(&b.full_id));
    found
}

/// Each benchmark's estimate (ns) in every round `run.sh full` kept, in
/// round order: `<dir>/rounds/<n>/**/new/*.json`, one copy of criterion's
/// files per round of the comparison rows.
pub(crate) fn read_rounds(dir: &Path) -> HashMap<String, Vec<f64>> {
    let mut numbered: Vec<(u32, std::path::PathBuf)> = fs::read_dir(dir.join("rounds"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let n = entry.file_name().to_str()?.parse().ok()?;
            Some((n, entry.path()))
        })
        .collect();
    numbered.sort();
    let mut rounds: HashMap<String, Vec<f64>> = HashMap::new();
    for (_, path) in numbered {
        for e in read_all(&path) {
            rounds.entry(e.full_id).or_default().push(e.ns);
        }
    }
    rounds
}

/// Gives every estimate measured in more than one round the median of its
/// rounds, with the lowest and highest round as its interval.
pub(crate) fn apply_rounds(estimates: &mut [Estimate], rounds: &HashMap<String, Vec<f64>>) {
    for e in estimates {
        if let Some(values) = rounds.get(&e.full_id).filter(|v| v.len() > 1) {
            e.ns = median(values);
            e.lower = values.iter().copied().fold(f64::INFINITY, f64::min);
            e.upper = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        }
    }
}

/// The median of some figures (the mean of the middle two for an even
/// count); `NaN` for none.
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn walk(dir: &Path, found: &mut Vec<Estimate>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.file_name().is_some_and(|name| name == "rounds") {
            continue; // read by `read_rounds`
        }
        if path.file_name().is_some_and(|name| name == "new") {
            if let Some(estimate) = read_one(&path) {
                found.push(estimate);
            }
        } else {
            walk(&path, found);
        }
    }
}

fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_str(&fs::read_to_string(path).ok()?).ok()
}

fn read_one(new_dir: &Path) -> Option<Estimate> {
    let id = read_json(&new_dir.join("benchmark.json"))?;
    let estimates = read_json(&new_dir.join("estimates.json"))?;
    let chosen = estimates
        .get("slope")
        .filter(|slope| !slope.is_null())
        .or_else(|| estimates.get("mean"))?;
    let interval = chosen.get("confidence_interval")?;
    let text = |key: &str| id.get(key).and_then(Value::as_str).map(str::to_owned);
    Some(Estimate {
        full_id: text("full_id")?,
        group: text("group_id")?,
        function: text("function_id"),
        value: text("value_str"),
        ns: chosen.get("point_estimate")?.as_f64()?,
        lower: interval.get("lower_bound")?.as_f64()?,
        upper: interval.get("upper_bound")?.as_f64()?,
    })
}
