//! Reading criterion's results: `<criterion dir>/**/new/{benchmark,estimates}.json`.

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

fn walk(dir: &Path, found: &mut Vec<Estimate>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
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
