//! Writes `benches/RESULTS.md` and its SVG charts from criterion's latest
//! estimates (`target/criterion/**/new/estimates.json`), Go's figures run on
//! this machine (`benches/go-baseline.txt`) and Go's reference figures
//! (`benches::go_baseline`).
//!
//! ```console
//! $ cargo run -p benches --bin results            # after `bash benches/run.sh full`
//! $ cargo run -p benches --bin results -- <criterion dir>
//! $ cargo run -p benches --bin results -- --from-page   # RESULTS.md's own figures, new layout
//! ```
//!
//! `RESULTS.md` is the one source of truth: the book includes it
//! (`book/src/benchmarks/results.md`). Its images are referenced as
//! `img/<name>.svg`, so they are written both to `benches/img/` and to
//! `book/src/benchmarks/img/`, where that relative path resolves from either
//! page.

mod estimates;
mod from_page;
mod go_here;
mod page;
mod svg;

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let benches_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = benches_dir
        .parent()
        .expect("benches/ sits in the workspace");
    let mut args = env::args_os().skip(1);
    let first = args.next();
    let go_here = go_here::read(&benches_dir.join("go-baseline.txt"));

    // `--from-page [RESULTS.md]`: the figures of an earlier page, in the
    // current layout; the charts are left as the run drew them.
    if first.as_deref() == Some("--from-page".as_ref()) {
        let page = args
            .next()
            .map(PathBuf::from)
            .unwrap_or_else(|| benches_dir.join("RESULTS.md"));
        let text =
            fs::read_to_string(&page).unwrap_or_else(|e| panic!("read {}: {e}", page.display()));
        let (estimates, run_info) = from_page::read(&text, &page::pattern_groups());
        let (markdown, _charts) = page::render(&estimates, go_here.as_ref(), &run_info);
        fs::write(benches_dir.join("RESULTS.md"), markdown).expect("write benches/RESULTS.md");
        println!(
            "results: {} figures from {} -> benches/RESULTS.md (charts unchanged)",
            estimates.len(),
            page.display()
        );
        return;
    }

    let criterion_dir = first.map(PathBuf::from).unwrap_or_else(|| {
        env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace.join("target"))
            .join("criterion")
    });

    let estimates = estimates::read_all(&criterion_dir);
    if estimates.is_empty() {
        eprintln!(
            "results: no estimates under {}; run `bash benches/run.sh full` first",
            criterion_dir.display()
        );
        std::process::exit(1);
    }
    let run_info = fs::read_to_string(criterion_dir.join("run-info.txt")).unwrap_or_default();

    let (markdown, images) = page::render(&estimates, go_here.as_ref(), &run_info);
    fs::write(benches_dir.join("RESULTS.md"), markdown).expect("write benches/RESULTS.md");
    for dir in [
        benches_dir.join("img"),
        workspace.join("book/src/benchmarks/img"),
    ] {
        fs::create_dir_all(&dir).expect("create an image directory");
        for (name, svg) in &images {
            fs::write(dir.join(name), svg).expect("write an SVG chart");
        }
    }
    println!(
        "results: {} estimates -> benches/RESULTS.md, {} charts -> benches/img/ and book/src/benchmarks/img/",
        estimates.len(),
        images.len()
    );
}
