//! Writes the results pages and their SVG charts:
//!
//! - `benches/RESULTS-<cpu family>.md`, the timings of one full run on this
//!   machine, from criterion's estimates (`target/criterion/**/new/`) and Go's
//!   benchmarks run in the same rounds (`benches/go-baseline/<cpu family>/`);
//! - `benches/RESULTS.md`, the instruction and byte counts
//!   (`benches/counts/*.tsv`, the same on every machine) and the list of
//!   timing pages.
//!
//! ```console
//! $ cargo run -p benches --bin results            # after `bash benches/run.sh full`
//! $ cargo run -p benches --bin results -- <criterion dir>
//! $ cargo run -p benches --bin results -- --counts                 # RESULTS.md only
//! $ cargo run -p benches --bin results -- --from-page <page>       # a page's own figures, new layout
//! ```
//!
//! The book includes every page (`book/src/benchmarks/results.md`). Charts
//! are referenced as `img/<cpu family>/<name>.svg`, so they are written both
//! to `benches/img/` and to `book/src/benchmarks/img/`, where that relative
//! path resolves from either page.

mod counts;
mod estimates;
mod format;
mod from_page;
mod go_here;
mod go_table;
mod growth;
mod machine;
mod page;
mod patterns;
mod prose;
mod svg;

use std::collections::HashMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};

use go_here::GoRun;

fn main() {
    let benches_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = benches_dir
        .parent()
        .expect("benches/ sits in the workspace");
    let mut args = env::args_os().skip(1);
    let first = args.next();

    if first.as_deref() == Some("--counts".as_ref()) {
        write_index(benches_dir);
        return;
    }

    // `--from-page PAGE`: the figures of an earlier page, in the current
    // layout; the charts are left as the run drew them.
    if first.as_deref() == Some("--from-page".as_ref()) {
        let page = PathBuf::from(args.next().expect("--from-page needs a page"));
        let text =
            fs::read_to_string(&page).unwrap_or_else(|e| panic!("read {}: {e}", page.display()));
        let (estimates, run_info) = from_page::read(&text, &prose::pattern_groups());
        let family = machine::family(&machine::cpu_of(&run_info));
        let go_runs = go_runs(benches_dir, &family);
        let (markdown, _charts) =
            page::render(&estimates, &HashMap::new(), &go_runs, &run_info, &family);
        let out = benches_dir.join(format!("RESULTS-{family}.md"));
        fs::write(&out, markdown).expect("write the page");
        write_index(benches_dir);
        println!(
            "results: {} figures from {} -> {} (charts unchanged)",
            estimates.len(),
            page.display(),
            out.display()
        );
        return;
    }

    let criterion_dir = first.map(PathBuf::from).unwrap_or_else(|| {
        env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace.join("target"))
            .join("criterion")
    });
    let mut estimates = estimates::read_all(&criterion_dir);
    let rounds = estimates::read_rounds(&criterion_dir);
    estimates::apply_rounds(&mut estimates, &rounds);
    if estimates.is_empty() {
        eprintln!(
            "results: no estimates under {}; run `bash benches/run.sh full` first",
            criterion_dir.display()
        );
        std::process::exit(1);
    }
    let run_info = fs::read_to_string(criterion_dir.join("run-info.txt")).unwrap_or_default();
    let family = machine::family(&machine::this_cpu());
    let go_runs = go_runs(benches_dir, &family);
    let (markdown, images) = page::render(&estimates, &rounds, &go_runs, &run_info, &family);
    let out = benches_dir.join(format!("RESULTS-{family}.md"));
    fs::write(&out, markdown).expect("write the page");
    for dir in [
        benches_dir.join("img").join(&family),
        workspace.join("book/src/benchmarks/img").join(&family),
    ] {
        fs::create_dir_all(&dir).expect("create an image directory");
        for (name, svg) in &images {
            fs::write(dir.join(name), svg).expect("write an SVG chart");
        }
    }
    write_index(benches_dir);
    println!(
        "results: {} estimates -> {}, {} charts -> benches/img/{family}/ and book/src/benchmarks/img/{family}/",
        estimates.len(),
        out.display(),
        images.len()
    );
}

/// Go's runs on a machine of `family`, oldest Go first:
/// `benches/go-baseline/<family>/go*.txt`, written by `go-baseline.sh`.
fn go_runs(benches_dir: &Path, family: &str) -> Vec<GoRun> {
    let dir = benches_dir.join("go-baseline").join(family);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    files
        .iter()
        .filter_map(|path| go_here::read(path))
        .collect()
}

/// Writes `RESULTS.md`: the counts, and the timing pages beside it.
fn write_index(benches_dir: &Path) {
    let mut pages: Vec<(String, String)> = fs::read_dir(benches_dir)
        .expect("read benches/")
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            name.strip_prefix("RESULTS-")?.strip_suffix(".md")?;
            let text = fs::read_to_string(entry.path()).ok()?;
            let cpu = text
                .lines()
                .find_map(|line| line.strip_prefix("| CPU | ")?.strip_suffix(" |"))
                .unwrap_or("unknown CPU")
                .to_owned();
            let started = text
                .lines()
                .find_map(|line| line.strip_prefix("| Started | ")?.strip_suffix(" |"))
                .map_or(String::new(), |when| format!(", run started {when}"));
            Some((name, format!("{cpu}{started}")))
        })
        .collect();
    pages.sort();
    let markdown = counts::render(&benches_dir.join("counts"), &pages);
    fs::write(benches_dir.join("RESULTS.md"), markdown).expect("write benches/RESULTS.md");
}
