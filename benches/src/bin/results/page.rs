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
        "Canceling the root of a tree of `width`×`depth` nodes until every node is marked done: a context tree, tokio-util's `CancellationToken` tree, and one crossbeam channel per node whose sender the parent holds, dropped level by level.",
        &["context", "tokio_util", "channel_tree"],
    ),
    (
        "fanout_cancel_watched",
        "Canceling a whole tree, a thread watching every node",
        "The same trees with one thread blocked on every node's signal; time until every thread has seen it. Context: every watcher waits on its own context; the one cancel marks every node done, then wakes the watchers by relay (it unparks one and hands it half of the rest, and so on), so the wake-ups spread over both cores. Channels: every watcher forwards the close to its children by dropping their senders, one thread hop per level.",
        &["context", "channel_forwarding"],
    ),
    (
        "async_wake",
        "Waking N async tasks with one cancel",
        "N tasks on tokio's multi-threaded runtime (two workers), each awaiting the same signal with its waker registered before timing; time from the cancel, made on a plain thread, until the last task has finished its await. `context_wait_async` awaits `ctx.wait_async()`, `tokio_util_cancelled` awaits tokio-util's `token.cancelled_owned()` (`benches/async_wake.rs`).",
        &["context_wait_async", "tokio_util_cancelled"],
    ),
    (
        "fork_join",
        "Fork-join of N small tasks",
        "Start N tasks of ~100 divisions each and wait for all of them. The first three start an OS thread per task; the others reuse rayon's pool of one thread per core: `waitgroup_pool` hands each task to it with `pool.spawn(wg.task(f))`, `crossbeam_waitgroup_pool` with a crossbeam `WaitGroup` handle moved into each task. On the pool the time is rayon's: waking a worker takes microseconds, while a group's own operations take tens of nanoseconds, so these two differ by this machine's noise from run to run (this table is run once); the two groups themselves are compared on Go's shapes above (`WaitGroupAddDone`, `WaitGroupActuallyWait*`).",
        &[
            "waitgroup_threads",
            "std_thread_scope",
            "crossbeam_scope",
            "rayon_scope",
            "rayon_par_iter",
            "waitgroup_pool",
            "crossbeam_waitgroup_pool",
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
        "every derive and cancel takes the shared parent's lock from both cores (as Go's does), and each child is a 120-byte allocation (Go's `cancelCtx` is about 80 bytes), freed inside the loop",
    ),
    (
        "WithTimeout",
        "each create and cancel arms and stops a timer in the thread's own shard of the timing wheels (O(1), no shared lock), and takes the shared parent's lock, as Go's does; `Instant::now()` alone is about 40 ns of it",
    ),
    (
        "CancelTree",
        "each cancel node is a 120-byte allocation (lock, state, first child in place, timer slot, deadline; the cause, the done channel and waiters are out of line; Go's `cancelCtx` is about 80 bytes) built and freed inside the loop, where Go's garbage collector frees later, on the other core",
    ),
    (
        "CheckCanceled/Done",
        "a non-blocking receive on a disconnected crossbeam channel is ~70 instructions whatever its flavour, with a lock (zero capacity, as here) or a `SeqCst` fence (bounded, unbounded) on the way, and `select!` with `default` costs the same (callgrind); Go's is two plain loads. `is_done()` (row `CheckCanceled/IsDone` below) is the Rust form of Go's `select` with `default`",
    ),
    (
        "ContextCancelDone",
        "both sides are one atomic load per check; `is_done` adds the walk from the handle to its cancel node",
    ),
    (
        "WaitGroup",
        "`add`, `done` and `wait` inline into the caller as one atomic operation and one test each (29 instructions for add, done and wait together); each `add`/`done` is a locked read-modify-write, ~10 ns on this virtual machine, as Go's is",
    ),
];

/// Why a Rust peer is faster than us on a row, by a part of its id; shown
/// on rows whose fastest is a peer. From profiling on the machine the figures come
/// from.
const PEER_FASTER_BECAUSE: &[(&str, &str)] = &[(
    "Root=ClosedCanceler",
    "a tokio-util child of a cancelled token is born detached: one allocation that refers to nothing and is dropped alone. A context must keep its parent (for values, the deadline and `Display`), so each link also takes a reference to its parent and gives it back when the chain is freed, link by link",
)];

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

/// Notes on the rows that run Go's goroutine-per-operation shapes on rayon's
/// pool, by id prefix.
const ON_POOL: &[(&str, &str)] = &[
    (
        "DeepValueNewTask",
        "the lookup runs as a task on rayon's pool, Rust's goroutine: spawned in a `rayon::scope` from a pool worker, whose end runs it on the same worker unless another stole it, as Go runs a new goroutine next on the same P",
    ),
    (
        "WaitGroupActuallyWaitPool",
        "the task goes to rayon's pool with `rayon::spawn(wg.task(f))` from a waiter outside the pool, which blocks in `wait` until a worker has run it: two thread wake-ups per operation, where Go switches goroutines on one thread",
    ),
    (
        "WaitGroupActuallyWaitInPool",
        "waiter and task both on rayon's pool, one worker per core as `RunParallel` has one goroutine per P; the task (`wg.task(f)`) is spawned in a `rayon::scope`, which runs it on the same worker unless another steals it, so `wait` finds the counter at zero",
    ),
];

/// The Rust peers measured on Go's shapes: column title, and the prefix of
/// their benchmark ids (`<prefix>/<Go id>`).
const PEERS: &[(&str, &str)] = &[("tokio-util", "tokio_util"), ("crossbeam", "crossbeam")];

const SPAWNS: &str =
    "starts an OS thread per operation (tens of µs) where Go starts a goroutine (well under 1 µs)";

/// Renders the page and its charts (file name, SVG).
///
/// `rounds` holds every round of the rows that `run.sh full` repeats (empty
/// when the page is re-rendered from an older one).
pub(crate) fn render(
    estimates: &[Estimate],
    rounds: &HashMap<String, Vec<f64>>,
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
         described here; times are criterion's estimate of one iteration. The machine is shared, \
         so the rows compared with Go and with the Rust peers, growth curves included, are \
         measured in several rounds, each round running Go's benchmarks and then ours: such a \
         figure is the **median** of its rounds and its ± is half the range between the fastest \
         and the slowest round; a ratio \
         is the median of the rounds' ratios (each round's Go figure over the same round's Rust \
         figure), with the lowest and highest in brackets. A row run once shows criterion's own \
         95% interval after its ±.\n\n",
    );
    machine(&mut md, run_info, go_here);
    go_shapes(&mut md, &mut images, &by_id, estimates, rounds, go_here);
    patterns(&mut md, &mut images, estimates);
    growth(&mut md, &mut images, estimates, go_here);
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
    with_spread(e.ns, e)
}

/// `ns` (the estimate, or the estimate scaled) with `e`'s relative
/// half-width: the interval, or the rounds' range.
fn with_spread(ns: f64, e: &Estimate) -> String {
    let spread = (e.upper - e.lower) / 2.0 / e.ns * 100.0;
    format!("{} ±{spread:.0}%", format_ns(ns))
}

/// The quickest of `contenders` (name, time), then every other one that is
/// "about the same" as it (within [`SAME`]), quickest first.
fn fastest<'a>(contenders: &[(&'a str, f64)]) -> Vec<&'a str> {
    let Some(best) = contenders.iter().map(|c| c.1).min_by(f64::total_cmp) else {
        return Vec::new();
    };
    let mut tied: Vec<(&str, f64)> = contenders
        .iter()
        .copied()
        .filter(|(_, ns)| *ns <= best * SAME)
        .collect();
    tied.sort_by(|a, b| a.1.total_cmp(&b.1));
    tied.into_iter().map(|(name, _)| name).collect()
}

/// Go's median figure, with the half range of its rounds when it has several.
fn go_cell(median: f64, rounds: &[f64]) -> String {
    if rounds.len() < 2 {
        return format_ns(median);
    }
    let (lo, hi) = rounds
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    format!(
        "{} ±{:.0}%",
        format_ns(median),
        (hi - lo) / 2.0 / median * 100.0
    )
}

/// Two times closer than this factor are "about the same": less than this
/// machine's spread between rounds.
const SAME: f64 = 1.05;

/// "2.4× faster" / "1.3× slower" / "about the same", for `theirs / ours`.
fn verdict(ratio: f64) -> String {
    if ratio >= SAME {
        format!("**{ratio:.1}× faster**")
    } else if ratio <= 1.0 / SAME {
        format!("{:.1}× slower", 1.0 / ratio)
    } else {
        "about the same".into()
    }
}

/// The verdict for Go's time over ours, with the range of the rounds'
/// ratios when both sides were measured in the same rounds: "**1.6× faster**
/// (1.5–1.7)", the bracket in the verdict's own direction.
fn verdict_over_rounds(go: f64, ours: f64, go_rounds: &[f64], our_rounds: &[f64]) -> String {
    if go_rounds.len() < 2 || go_rounds.len() != our_rounds.len() {
        return verdict(go / ours);
    }
    let ratios: Vec<f64> = go_rounds
        .iter()
        .zip(our_rounds)
        .map(|(g, r)| g / r)
        .collect();
    let middle = crate::estimates::median(&ratios);
    let (lo, hi) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), r| (lo.min(*r), hi.max(*r)));
    let (lo, hi) = if middle <= 1.0 / SAME {
        (1.0 / hi, 1.0 / lo)
    } else {
        (lo, hi)
    };
    format!(
        "{} ({}–{})",
        verdict(middle),
        two_digits(lo),
        two_digits(hi)
    )
}

/// A ratio with two significant digits: 0.042, 0.61, 1.7, 12.
fn two_digits(ratio: f64) -> String {
    let decimals = (1.0 - ratio.log10().floor()).clamp(0.0, 6.0) as usize;
    format!("{ratio:.decimals$}")
}

fn go_shapes(
    md: &mut String,
    images: &mut Vec<(String, String)>,
    by_id: &HashMap<&str, &Estimate>,
    estimates: &[Estimate],
    rounds: &HashMap<String, Vec<f64>>,
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
         `RunParallel` does.\n\n\
         Rows that start a goroutine per operation in Go start an OS thread here; each is followed \
         by its variants on rayon's pool (`DeepValueNewTask`, `WaitGroupActuallyWaitPool`, \
         `WaitGroupActuallyWaitInPool`), which a Rust programmer would write instead, compared \
         with the same Go row.\n\n\
         The **tokio-util** column is `tokio_util::sync::CancellationToken` and the **crossbeam** \
         column `crossbeam::sync::WaitGroup` (crossbeam-utils), each on every shape it can express \
         (`benches/peers_cancel.rs`, `benches/peers_waitgroup.rs`): a token has no values, no \
         deadlines and no done channel, so its `CommonParentCancel` skips the value lookup and its \
         `CheckCanceled/Done` polls `cancelled()` once; crossbeam's group serves a single wait, so \
         its `WaitGroupUncontended` makes a new group per operation and it has no `WaitGroupWait` \
         rows. **Fastest** names the quickest of ours, Go here and the peers, followed by any \
         within 5% of it (\"≈\"), which this machine's spread between rounds cannot tell \
         apart.\n\n",
    );
    let mut chart = Vec::new();
    // Each explanation is written once, as a numbered note under the table;
    // a row carries only its note's number.
    let mut notes: Vec<&str> = Vec::new();
    // Two tables with the same rows, so that each fits the page: ours
    // against Go here, then against the Rust peers and Go's reference.
    md.push_str("| Benchmark | Rust | Go here | Rust vs Go here | Fastest |\n");
    md.push_str("|---|---:|---:|---|---|\n");
    let mut others = String::from(
        "| Benchmark | tokio-util | crossbeam | Go reference | Rust vs reference |\n\
         |---|---:|---:|---:|---|\n",
    );
    for fig in GO_1_19 {
        let Some(ours) = by_id.get(fig.id) else {
            let _ = writeln!(md, "| {} | not run | | | |", breakable(fig.id));
            let _ = writeln!(others, "| {} | | | | |", breakable(fig.id));
            continue;
        };
        let here = go_here.and_then(|go| go.ns_per_op.get(fig.go_name).copied());
        let main_ratio = here.unwrap_or(fig.ns_per_op) / ours.ns;
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
        contenders.extend(here.map(|go| ("Go", go)));
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
            format!(" <sup>[{number}](#go-note-{number})</sup>")
        });
        let no_rounds = Vec::new();
        let our_rounds = rounds.get(fig.id).unwrap_or(&no_rounds);
        let go_rounds = go_here
            .and_then(|go| go.rounds.get(fig.go_name))
            .unwrap_or(&no_rounds);
        let peer_cells: Vec<String> = peers
            .iter()
            .map(|(_, e)| e.map_or("–".into(), with_interval))
            .collect();
        let _ = writeln!(
            md,
            "| {}{marker} | {} | {} | {} | {fastest} |",
            breakable(fig.id),
            with_interval(ours),
            here.map_or("–".into(), |go| go_cell(go, go_rounds)),
            here.map_or("–".into(), |go| verdict_over_rounds(
                go, ours.ns, go_rounds, our_rounds
            )),
        );
        let _ = writeln!(
            others,
            "| {} | {} | {} | {} |",
            breakable(fig.id),
            peer_cells.join(" | "),
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
    md.push_str(
        "\nThe same rows against the Rust peers (where they can express the shape), and \
         against Go's reference figures from another 2-core machine, for scale:\n\n",
    );
    md.push_str(&others);
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

fn growth(
    md: &mut String,
    images: &mut Vec<(String, String)>,
    estimates: &[Estimate],
    go_here: Option<&GoRun>,
) {
    let present = GROWTH
        .iter()
        .any(|(group, ..)| estimates.iter().any(|e| e.group == *group));
    if !present {
        return;
    }
    md.push_str("## Growth curves\n\n");
    md.push_str(
        "The cost of one operation as the work around it grows (`benches/growth.rs`), on \
         logarithmic axes: where the crate promises a cost that does not depend on the size, the \
         line should be flat. Go's figures are drawn where Go has the shape. Each figure is the \
         median of the rounds, ± half their range; **Fastest** names the quickest at each \
         size, followed by any within 5% of it (\"≈\").\n\n",
    );
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
        let go_points: Vec<(f64, f64)> = sizes
            .iter()
            .chain(&[40, 4_000, 400_000, 1, 10, 100, 1_000])
            .filter(|size| **size >= sizes[0] && **size <= sizes[sizes.len() - 1])
            .filter_map(|&size| Some((size, go_growth(group, size, go_here)? / scale(size))))
            .collect::<std::collections::BTreeMap<u64, f64>>()
            .into_iter()
            .map(|(x, y)| (x as f64, y))
            .collect();
        if !go_points.is_empty() {
            series.push(("Go".to_owned(), go_points));
        }
        let unit = if *per_size {
            " per link"
        } else {
            " per operation"
        };
        let _ = writeln!(md, "### {title}\n\n{what}\n");
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
        let _ = writeln!(md, "\n![{title}](img/{file})\n");
    }
}

#[cfg(test)]
mod tests {
    use super::fastest;

    #[test]
    fn fastest_names_the_quickest_then_those_about_the_same() {
        let rows = [("ours", 105.0), ("Go", 100.0), ("tokio-util", 140.0)];
        assert_eq!(fastest(&rows), ["Go", "ours"]);
        let rows = [("ours", 106.0), ("Go", 100.0)];
        assert_eq!(fastest(&rows), ["Go"]);
        assert!(fastest(&[]).is_empty());
    }
}
