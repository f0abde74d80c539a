//! The Markdown of `RESULTS.md`.

use std::collections::HashMap;
use std::fmt::Write;
use std::fs;
use std::process::Command;

use benches::go_baseline::{GO_1_19, PROVENANCE};

use crate::estimates::Estimate;
use crate::go_here::GoRun;
use crate::svg::{self, format_ns};

/// Each pattern group and its alternatives, for reading a page back.
pub(crate) fn pattern_groups() -> Vec<(&'static str, &'static [&'static str])> {
    PATTERN_GROUPS
        .iter()
        .map(|(group, _, _, order)| (*group, *order))
        .collect()
}

/// The pattern groups, in page order: group id, title, what it asks, and the
/// alternatives in the order the columns should show them.
const PATTERN_GROUPS: &[(&str, &str, &str, &[&str])] = &[
    (
        "stop_workers",
        "Stopping N idle workers",
        "Time from the stop signal until all N workers, started and idle before timing, have exited (counted out on a `WaitGroup`). \
         `stop_channel` and `context` workers block in `select!` on the stop signal; an `AtomicBool` cannot wake anyone, so `flag_waitgroup` workers poll it, yielding the CPU between polls.",
        &["stop_channel", "context", "flag_waitgroup"],
    ),
    (
        "stop_check",
        "Checking for stop in a hot loop",
        "Cost per iteration of a loop that does a trivial step and then checks whether it should stop (it never should). `none` is the loop without a check.",
        &[
            "none",
            "atomic_bool",
            "context_is_done",
            "stop_channel_is_closed",
            "stop_channel_try_recv",
            "select_default",
        ],
    ),
    (
        "fanout_cancel",
        "Canceling a whole tree (nobody watching)",
        "Canceling the root of a tree of `width`×`depth` nodes until every node is marked done: a context tree versus one crossbeam channel per node whose sender the parent holds, dropped level by level.",
        &["context", "channel_tree"],
    ),
    (
        "fanout_cancel_watched",
        "Canceling a whole tree, a thread watching every node",
        "The same trees with one thread blocked on every node's signal; time until every thread has seen it. Context: every watcher waits on its own context, all woken by the one cancel. Channels: every watcher forwards the close to its children by dropping their senders, one thread hop per level.",
        &["context", "channel_forwarding"],
    ),
    (
        "fork_join",
        "Fork-join of N small tasks",
        "Start N tasks of ~100 divisions each and wait for all of them. The first three start an OS thread per task; rayon reuses a pool of one thread per core.",
        &[
            "waitgroup_threads",
            "std_thread_scope",
            "crossbeam_scope",
            "rayon_scope",
            "rayon_par_iter",
        ],
    ),
    (
        "value_lookup",
        "A request-scoped value: context lookup versus an explicit parameter",
        "Reading a value bound `depth` layers above the context, versus reading it from a parameter.",
        &["context_value", "explicit_parameter"],
    ),
];

/// Why a Go-shape row is slower than Go, by id prefix; shown on slower rows.
/// From profiling (`perf record`) on the machine the figures come from.
const SLOWER_BECAUSE: &[(&str, &str)] = &[
    (
        "CommonParentCancel",
        "every derive and cancel takes the shared parent's lock from both cores (as Go's does), and each child is a 288-byte allocation (Go's `cancelCtx` is about 80 bytes), freed inside the loop",
    ),
    (
        "WithTimeout",
        "one process-wide timer queue (a B-tree behind one mutex) that every create and cancel takes, so two cores run this no faster than one; Go 1.19 keeps a timer heap per core",
    ),
    (
        "CancelTree",
        "each cancel node is a 288-byte allocation (lock, condvar, done channel, waiter and timer slots; Go's `cancelCtx` is about 80 bytes) built, moved into place and freed inside the loop, where Go's garbage collector frees later, on the other core",
    ),
    (
        "CheckCanceled/Done",
        "a non-blocking receive on a closed crossbeam channel costs ~20 ns whatever its flavour, a zero-capacity one (as here) the most; `is_done()` (row `CheckCanceled/IsDone` below) is the Rust form of Go's `select` with `default`",
    ),
    (
        "ContextCancelDone",
        "both sides are one atomic load per check; `is_done` adds the walk from the handle to its cancel node",
    ),
    (
        "WaitGroup",
        "`add`, `done` and `wait` are two nested calls each, not inlined across the crate boundary (on `wait`'s zero fast path: a six-register prologue and an enum returned through memory), and each `add`/`done` is a locked read-modify-write, ~10 ns on this virtual machine",
    ),
];

/// Notes shown on a row whatever its ratio, by exact id.
const ALWAYS: &[(&str, &str)] = &[
    (
        "WaitGroupAddDoneWork",
        "LLVM folds the hundred `x *= 2; x /= 2` steps of local work into almost nothing; Go's compiler executes them, so this row carries less work than Go's",
    ),
    (
        "WaitGroupWaitWork",
        "LLVM folds the hundred `x *= 2; x /= 2` steps of local work into almost nothing; Go's compiler executes them, so this row carries less work than Go's",
    ),
];

const SPAWNS: &str =
    "starts an OS thread per operation (tens of µs) where Go starts a goroutine (well under 1 µs)";

/// Renders the page and its charts (file name, SVG).
pub(crate) fn render(
    estimates: &[Estimate],
    go_here: Option<&GoRun>,
    run_info: &str,
) -> (String, Vec<(String, String)>) {
    let by_id: HashMap<&str, &Estimate> =
        estimates.iter().map(|e| (e.full_id.as_str(), e)).collect();
    let mut md = String::new();
    let mut images = Vec::new();

    md.push_str(
        "<!-- Generated by `cargo run -p benches --bin results` from criterion's estimates; \
         do not edit by hand (see benches/README.md). -->\n\n",
    );
    md.push_str(
        "Every figure below comes from one full run of `bash benches/run.sh full` on the machine \
         described here; times are criterion's estimate of one iteration (the middle of its 95% \
         interval).\n\n",
    );
    machine(&mut md, run_info, go_here);
    go_shapes(&mut md, &mut images, &by_id, estimates, go_here);
    patterns(&mut md, &mut images, estimates);
    (md, images)
}

fn read_first(path: &str, key: &str) -> Option<String> {
    fs::read_to_string(path)
        .ok()?
        .lines()
        .find(|line| line.starts_with(key))
        .and_then(|line| line.split_once(':'))
        .map(|(_, value)| value.trim().to_owned())
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn machine(md: &mut String, run_info: &str, go_here: Option<&GoRun>) {
    md.push_str("## Machine and run\n\n| | |\n|---|---|\n");
    // A page re-rendered from an older one (`--from-page`) keeps the machine
    // it recorded, rather than describing the one it is re-rendered on.
    let recorded = |key: &str| run_info.lines().any(|l| l.starts_with(&format!("{key}: ")));
    if !recorded("CPU") {
        let cpu = read_first("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let _ = writeln!(md, "| CPU | {cpu}, {cores} cores (`nproc`) |");
    }
    if !recorded("Memory")
        && let Some(mem) = read_first("/proc/meminfo", "MemTotal")
    {
        let _ = writeln!(md, "| Memory | {mem} |");
    }
    if !recorded("Kernel")
        && let Ok(kernel) = fs::read_to_string("/proc/sys/kernel/osrelease")
    {
        let _ = writeln!(md, "| Kernel | Linux {} |", kernel.trim());
    }
    if !run_info.contains("rustc:")
        && let Some(rustc) = command_output("rustc", &["--version"])
    {
        let _ = writeln!(md, "| rustc | {rustc} |");
    }
    for line in run_info.lines() {
        if let Some((key, value)) = line.split_once(": ") {
            let _ = writeln!(md, "| {key} | {value} |");
        }
    }
    if let Some(go) = go_here {
        let _ = writeln!(
            md,
            "| Go baseline (this machine) | {} |",
            go.header.join("; ")
        );
    }
    let _ = writeln!(md, "| Go reference figures | {PROVENANCE} |\n");
}

/// A benchmark id as code that may wrap after each `/`, so that long ids
/// do not widen the table past the page.
fn breakable(id: &str) -> String {
    format!("<code>{}</code>", id.replace('/', "/<wbr>"))
}

/// The estimate and the half-width of its 95% interval: "1.20 µs ±4%".
fn with_interval(e: &Estimate) -> String {
    let spread = (e.upper - e.lower) / 2.0 / e.ns * 100.0;
    format!("{} ±{spread:.0}%", format_ns(e.ns))
}

/// "2.4× faster" / "1.3× slower" / "about the same", for `theirs / ours`.
fn verdict(ratio: f64) -> String {
    if ratio >= 1.05 {
        format!("**{ratio:.1}× faster**")
    } else if ratio <= 1.0 / 1.05 {
        format!("{:.1}× slower", 1.0 / ratio)
    } else {
        "about the same".into()
    }
}

fn go_shapes(
    md: &mut String,
    images: &mut Vec<(String, String)>,
    by_id: &HashMap<&str, &Estimate>,
    estimates: &[Estimate],
    go_here: Option<&GoRun>,
) {
    md.push_str("## Go's benchmarks, ported\n\n");
    md.push_str(
        "Go's own benchmarks of `context` and `sync.WaitGroup`, ported shape for shape (same names, same \
         work; see `benches/README.md`). Ratios are Go's time divided by ours: above 1 we are faster. \
         The main comparison is with Go 1.19 run on **this machine** (`benches/go-baseline.sh`, the \
         benchmark sources shipped with Go); the reference figures, from another 2-core machine, are \
         shown for scale. Parallel rows (`CommonParentCancel`, `WithTimeout/*`, `ContextCancelDone` and \
         every `WaitGroup*`) report wall time per operation with every core busy, as Go's \
         `RunParallel` does.\n\n",
    );
    let mut chart = Vec::new();
    // Each explanation is written once, as a numbered note under the table;
    // a row carries only its note's number.
    let mut notes: Vec<&str> = Vec::new();
    md.push_str(
        "| Benchmark | Rust | Go here | Rust vs Go here | Go reference | Rust vs reference |\n",
    );
    md.push_str("|---|---:|---:|---|---:|---|\n");
    for fig in GO_1_19 {
        let Some(ours) = by_id.get(fig.id) else {
            let _ = writeln!(md, "| {} | not run | | | | |", breakable(fig.id));
            continue;
        };
        let here = go_here.and_then(|go| go.ns_per_op.get(fig.go_name).copied());
        let main_ratio = here.unwrap_or(fig.ns_per_op) / ours.ns;
        let note = if fig.spawns_thread {
            Some(SPAWNS)
        } else if let Some((_, always)) = ALWAYS.iter().find(|(id, _)| *id == fig.id) {
            Some(*always)
        } else if main_ratio <= 1.0 / 1.05 {
            SLOWER_BECAUSE
                .iter()
                .find(|(prefix, _)| fig.id.starts_with(prefix))
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
            format!(" <sup>[{number}](#go-note-{number})</sup>")
        });
        let _ = writeln!(
            md,
            "| {}{marker} | {} | {} | {} | {} | {} |",
            breakable(fig.id),
            with_interval(ours),
            here.map_or("–".into(), format_ns),
            here.map_or("–".into(), |go| verdict(go / ours.ns)),
            format_ns(fig.ns_per_op),
            verdict(fig.ns_per_op / ours.ns),
        );
        chart.push((fig.id.to_owned(), main_ratio));
    }
    if !notes.is_empty() {
        md.push_str("\nNotes on the rows marked with a number:\n\n");
        for (at, note) in notes.iter().enumerate() {
            let _ = writeln!(md, "{}. <a id=\"go-note-{}\"></a>{note}", at + 1, at + 1);
        }
    }
    let against = if go_here.is_some() {
        "Go 1.19 on this machine"
    } else {
        "Go's reference figures"
    };
    images.push((
        "go_ratio.svg".into(),
        svg::ratio_bars(
            &format!("Go's time ÷ ours, against {against} (right of 1×: Rust faster)"),
            &chart,
        ),
    ));
    md.push_str("\n![Go's time divided by ours, per benchmark](img/go_ratio.svg)\n\n");

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
        .filter(|e| go_groups.contains(&e.group.as_str()))
        .collect();
    if !extra.is_empty() {
        md.push_str("### Rust-only rows\n\n");
        md.push_str(
            "Variants with no Go counterpart: `Root=Background+drop` builds the chain *and* frees it \
             (Go's garbage collector does that outside the benchmark loop); `IsDone` is the \
             idiomatic check; `DoneEachCall` fetches the done channel on every check, which the \
             crate's documentation advises against.\n\n| Benchmark | Rust |\n|---|---:|\n",
        );
        for e in extra {
            let _ = writeln!(md, "| {} | {} |", breakable(&e.full_id), with_interval(e));
        }
        md.push('\n');
    }
}

/// Sorts parameter values by their leading number (`4x3` < `16x2`).
fn leading_number(value: &str) -> u64 {
    value
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

fn patterns(md: &mut String, images: &mut Vec<(String, String)>, estimates: &[Estimate]) {
    md.push_str("## The patterns against each other\n\n");
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
            "### {title}\n\n{question} The fastest in each column is in bold.\n"
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
        let _ = writeln!(md, "\n![{title}](img/{name})\n");
    }
}
