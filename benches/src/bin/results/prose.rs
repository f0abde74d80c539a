//! The page's prose: what each table and note says. No sentence here
//! states a measured figure; the tables do, so that a new run can never
//! leave the text behind.

use crate::format::SAME;
use crate::go_here::GoRun;

/// The top of a timing page: what its figures are, and what they are not.
pub(crate) const PAGE_INTRO: &str = "Every figure below comes from one full run of \
`bash benches/run.sh full` on the machine described here; times are criterion's estimate of \
one iteration. They are this machine's: another CPU, other neighbours on a shared virtual \
machine, or another allocator state move them, sometimes past a ratio's verdict. The \
instruction and byte counts on the results page, the same on every machine, are the \
comparison that does not move. The machine is shared, so the rows compared with Go and with \
the Rust peers, growth curves included, are measured in several rounds, each round running \
Go's benchmarks and then ours: such a figure is the **median** of its rounds and its ± is half \
the range between the fastest and the slowest round; a ratio is the median of the rounds' \
ratios (each round's Go figure over the same round's Rust figure), with the lowest and highest \
in brackets. A row run once shows criterion's own 95% interval after its ±.\n\n";

/// The opening of the table of Go's benchmarks.
pub(crate) fn go_intro(go_runs: &[GoRun]) -> String {
    let against = match go_runs {
        [] => "Go's reference figures, from another 2-core machine (no Go ran here)".to_owned(),
        runs => {
            let labels: Vec<&str> = runs.iter().map(|go| go.label.as_str()).collect();
            format!(
                "{} run on **this machine** (`benches/go-baseline.sh`, the benchmark sources \
                 shipped with each Go, in the same rounds as ours); Go's reference figures, from \
                 another 2-core machine, follow for scale",
                labels.join(" and ")
            )
        }
    };
    format!(
        "Go's own benchmarks of `context` and `sync.WaitGroup`, ported shape for shape (same \
         names, same work; see `benches/README.md`). Ratios are Go's time divided by ours: above \
         1 we are faster. The comparison is with {against}. Parallel rows \
         (`CommonParentCancel`, `WithTimeout/*`, `ContextCancelDone` and every `WaitGroup*`) \
         report wall time per operation with every core busy, as Go's `RunParallel` does.\n\n\
         Rows that start a goroutine per operation in Go start an OS thread here; each is \
         followed by its variants on rayon's pool (`DeepValueNewTask`, \
         `WaitGroupActuallyWaitPool`, `WaitGroupActuallyWaitInPool`), which a Rust programmer \
         would write instead, compared with the same Go row.\n\n\
         **Fastest** names the quickest of ours, each Go and the Rust peers (next table), \
         followed by any within {:.0}% of it (\"≈\"), which this machine's spread between \
         rounds cannot tell apart.\n\n",
        (SAME - 1.0) * 100.0
    )
}

/// Before the table of the Rust peers on Go's shapes.
pub(crate) const PEERS_TABLE: &str = "\nThe same rows against the Rust peers, where they can \
express the shape, and against Go's reference figures from another 2-core machine, for scale. \
The **tokio-util** column is `tokio_util::sync::CancellationToken` and the **crossbeam** column \
`crossbeam::sync::WaitGroup` (crossbeam-utils) (`benches/peers_cancel.rs`, \
`benches/peers_waitgroup.rs`): a token has no values, no deadlines and no done channel, so its \
`CommonParentCancel` skips the value lookup and its `CheckCanceled/Done` polls `cancelled()` \
once; crossbeam's group serves a single wait, so its `WaitGroupUncontended` makes a new group \
per operation and it has no `WaitGroupWait` rows.\n\n";

/// Before the Rust-only rows of Go's groups.
pub(crate) const RUST_ONLY: &str = "Variants with no Go counterpart: `Root=Background+drop` \
builds the chain *and* frees it (Go's garbage collector does that outside the benchmark loop); \
`IsDone` is the idiomatic check; `DoneEachCall` is Go's `CheckCanceled/Done` written as Go \
writes it, with `ctx.done()` called in each iteration (`CheckCanceled/Done` fetches the channel \
once); `CommonParentCancel/own_parent` and `CommonParentCancel/folded/own_parent` run their \
row's loop with each core deriving from a parent of its own, so that the cores share nothing: the \
gap to their row is what the shared parent costs, the most that spreading one parent's children \
over the cores could win.\n\n";

/// The opening of the growth curves.
pub(crate) fn growth_intro() -> String {
    format!(
        "The cost of one operation as the work around it grows (`benches/growth.rs`), on \
         logarithmic axes: where the crate promises a cost that does not depend on the size, the \
         line should be flat. Go's figures are drawn where Go has the shape. Each figure is the \
         median of the rounds, ± half their range; **Fastest** names the quickest at each size, \
         followed by any within {:.0}% of it (\"≈\").\n\n",
        (SAME - 1.0) * 100.0
    )
}

/// Each pattern group and its alternatives, for reading a page back.
pub(crate) fn pattern_groups() -> Vec<(&'static str, &'static [&'static str])> {
    PATTERN_GROUPS
        .iter()
        .map(|(group, _, _, order)| (*group, *order))
        .collect()
}

/// The pattern groups, in page order: group id, title, what it asks, and the
/// alternatives in the order the columns should show them.
pub(crate) const PATTERN_GROUPS: &[(&str, &str, &str, &[&str])] = &[
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
        "Start N tasks of ~100 divisions each and wait for all of them. The first three start an OS thread per task; the others reuse rayon's pool of one thread per core: `waitgroup_pool` hands each task to it with `pool.spawn(wg.task(f))`, `crossbeam_waitgroup_pool` with a crossbeam `WaitGroup` handle moved into each task. On the pool the time is rayon's: waking a worker costs far more than a group's own operations, so these two differ by this machine's noise from run to run (this table is run once); the two groups themselves are compared on Go's shapes above (`WaitGroupAddDone`, `WaitGroupActuallyWait*`).",
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
pub(crate) const SLOWER_BECAUSE: &[(&str, &str)] = &[
    (
        "CommonParentCancel",
        "every derive and cancel takes the shared parent's lock from both cores (as Go's does), and each child is an allocation freed inside the loop, where Go's garbage collector frees later",
    ),
    (
        "WithTimeout",
        "each create and cancel reads the clock, arms and stops a timer in the thread's own shard of the timing wheels (no shared lock), and takes the shared parent's lock, as Go's does",
    ),
    (
        "CancelTree",
        "each cancel node is an allocation built and freed inside the loop, where Go's garbage collector frees later, on the other core (the bytes per node are in the counts table)",
    ),
    (
        "CheckCanceled/Done",
        "a non-blocking receive on a disconnected crossbeam channel takes a lock (zero capacity, as here) or a `SeqCst` fence (bounded, unbounded) whatever its flavour, and `select!` with `default` costs the same; Go's is two plain loads. `is_done()` (row `CheckCanceled/IsDone` below) is the Rust form of Go's `select` with `default`",
    ),
    (
        "ContextCancelDone",
        "both sides are one atomic load per check; `is_done` adds the walk from the handle to its cancel node",
    ),
    (
        "WaitGroup",
        "`add`, `done` and `wait` inline into the caller as one atomic operation and one test each (their instructions are in the counts table); each `add`/`done` is a locked read-modify-write, as Go's is",
    ),
];

/// Why a Rust peer is faster than us on a row, by a part of its id; shown
/// on rows whose fastest is a peer. From profiling on the machine the figures come
/// from.
pub(crate) const PEER_FASTER_BECAUSE: &[(&str, &str)] = &[(
    "Root=ClosedCanceler",
    "a tokio-util child of a cancelled token is born detached: one allocation that refers to nothing and is dropped alone. A context must keep its parent (for values, the deadline and `Display`), so each link also takes a reference to its parent and gives it back when the chain is freed, link by link",
)];

/// Notes shown on a row whatever its ratio, by exact id.
pub(crate) const ALWAYS: &[(&str, &str)] = &[
    (
        "CommonParentCancel",
        "the 200 `x /= x + 1` between the operations are executed, as Go 1.19 executes them; Go 1.21 and later fold them away (`x` starts at zero and stays there), so this row is compared with the earlier Go only, and `CommonParentCancel/folded` with the later",
    ),
    (
        "CommonParentCancel/folded",
        "the loops between the operations only count, as Go 1.21 and later compile them: their constant propagation folds `x /= x + 1` from zero away; compared with those Go versions only",
    ),
    (
        "WaitGroupAddDoneWork",
        "Go folds the hundred `foo *= 2; foo /= 2` away (`foo` starts at zero), leaving a loop that only counts; the port runs that loop (`work::count`)",
    ),
    (
        "WaitGroupWaitWork",
        "Go folds the hundred `foo *= 2; foo /= 2` away (`foo` starts at zero), leaving a loop that only counts; the port runs that loop (`work::count`)",
    ),
];

/// Notes on the rows that run Go's goroutine-per-operation shapes on rayon's
/// pool, by id prefix.
pub(crate) const ON_POOL: &[(&str, &str)] = &[
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
pub(crate) const PEERS: &[(&str, &str)] =
    &[("tokio-util", "tokio_util"), ("crossbeam", "crossbeam")];

pub(crate) const SPAWNS: &str =
    "starts an OS thread per operation where Go starts a goroutine, which costs far less";
