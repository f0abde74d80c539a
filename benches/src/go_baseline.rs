//! Go's own figures for the benchmarks ported from Go, in one place.
//!
//! Source: Go 1.19's `context/benchmark_test.go` and `sync/waitgroup_test.go`,
//! run with `go test -bench` on a 2-core x86-64 machine (`GOMAXPROCS=2`), in
//! ns/op as Go prints them. Parallel benchmarks (`b.RunParallel`) report wall
//! time divided by the total operation count over both cores; so do ours (see
//! [`crate::parallel`]).
//!
//! The results generator (`src/bin/results.rs`) reads this table to print
//! the Go comparison in the results pages.

/// One Go benchmark and its figure.
#[derive(Debug, Clone, Copy)]
pub struct GoFigure {
    /// The id of our port: criterion's full benchmark id.
    pub id: &'static str,
    /// Go's name for the benchmark, without the `Benchmark` prefix.
    pub go_name: &'static str,
    /// Go's ns/op.
    pub ns_per_op: f64,
    /// Whether each operation starts a thread here where Go starts a
    /// goroutine (a goroutine costs a few hundred nanoseconds; an OS thread
    /// costs tens of microseconds).
    pub spawns_thread: bool,
    /// Whether this row is the variant of a thread-per-operation row that
    /// hands each operation's task to rayon's pool instead: compared with
    /// the same Go goroutine row.
    pub on_pool: bool,
    /// Which Go compilers leave the busy work this port runs between the
    /// operations (see [`crate::work`]): the row is compared with those Go
    /// versions only.
    pub compiled_by: Compilers,
}

/// The Go versions whose compiled benchmark runs the same busy work as a
/// port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compilers {
    /// Every Go: no busy work, or busy work every Go compiles alike.
    Every,
    /// Go 1.20 and earlier, which execute `CommonParentCancel`'s divisions.
    BeforeGo121,
    /// Go 1.21 and later, whose constant propagation folds them away.
    Go121On,
}

impl Compilers {
    /// Whether Go `1.minor` compiles the benchmark to the port's work.
    ///
    /// # Examples
    ///
    /// ```
    /// use benches::go_baseline::Compilers;
    ///
    /// assert!(Compilers::BeforeGo121.includes(19));
    /// assert!(!Compilers::BeforeGo121.includes(23));
    /// assert!(Compilers::Go121On.includes(23));
    /// assert!(Compilers::Every.includes(23));
    /// ```
    pub fn includes(self, minor: u32) -> bool {
        match self {
            Compilers::Every => true,
            Compilers::BeforeGo121 => minor < 21,
            Compilers::Go121On => minor >= 21,
        }
    }
}

const fn fig(id: &'static str, go_name: &'static str, ns_per_op: f64) -> GoFigure {
    GoFigure {
        id,
        go_name,
        ns_per_op,
        spawns_thread: false,
        on_pool: false,
        compiled_by: Compilers::Every,
    }
}

const fn spawning(id: &'static str, go_name: &'static str, ns_per_op: f64) -> GoFigure {
    GoFigure {
        spawns_thread: true,
        ..fig(id, go_name, ns_per_op)
    }
}

const fn pooled(id: &'static str, go_name: &'static str, ns_per_op: f64) -> GoFigure {
    GoFigure {
        on_pool: true,
        ..fig(id, go_name, ns_per_op)
    }
}

const fn compiled_by(compilers: Compilers, figure: GoFigure) -> GoFigure {
    GoFigure {
        compiled_by: compilers,
        ..figure
    }
}

/// Where the figures come from, for the results page.
pub const PROVENANCE: &str = "Go 1.19, `go test -bench`, 2-core x86-64, GOMAXPROCS=2";

/// Go's figures, in the order of the results table.
pub const GO_1_19: &[GoFigure] = &[
    // Go 1.19 executes the 200 divisions between the operations; Go 1.21
    // and later fold them away, which the second port does too (the
    // reference figure is Go 1.19's, shown beside the first only).
    compiled_by(
        Compilers::BeforeGo121,
        fig("CommonParentCancel", "CommonParentCancel", 934.0),
    ),
    compiled_by(
        Compilers::Go121On,
        fig("CommonParentCancel/folded", "CommonParentCancel", 934.0),
    ),
    fig(
        "WithTimeout/concurrency=40",
        "WithTimeout/concurrency=40",
        2537.0,
    ),
    fig(
        "WithTimeout/concurrency=4000",
        "WithTimeout/concurrency=4000",
        2604.0,
    ),
    fig(
        "WithTimeout/concurrency=400000",
        "WithTimeout/concurrency=400000",
        4968.0,
    ),
    fig(
        "CancelTree/depth=1/Root=Background",
        "CancelTree/depth=1/Root=Background",
        55.0,
    ),
    fig(
        "CancelTree/depth=1/Root=OpenCanceler",
        "CancelTree/depth=1/Root=OpenCanceler",
        366.0,
    ),
    fig(
        "CancelTree/depth=1/Root=ClosedCanceler",
        "CancelTree/depth=1/Root=ClosedCanceler",
        178.0,
    ),
    fig(
        "CancelTree/depth=10/Root=Background",
        "CancelTree/depth=10/Root=Background",
        2185.0,
    ),
    fig(
        "CancelTree/depth=10/Root=OpenCanceler",
        "CancelTree/depth=10/Root=OpenCanceler",
        2876.0,
    ),
    fig(
        "CancelTree/depth=10/Root=ClosedCanceler",
        "CancelTree/depth=10/Root=ClosedCanceler",
        972.0,
    ),
    fig(
        "CancelTree/depth=100/Root=Background",
        "CancelTree/depth=100/Root=Background",
        21827.0,
    ),
    fig(
        "CancelTree/depth=100/Root=OpenCanceler",
        "CancelTree/depth=100/Root=OpenCanceler",
        28046.0,
    ),
    fig(
        "CancelTree/depth=100/Root=ClosedCanceler",
        "CancelTree/depth=100/Root=ClosedCanceler",
        8729.0,
    ),
    fig(
        "CancelTree/depth=1000/Root=Background",
        "CancelTree/depth=1000/Root=Background",
        221978.0,
    ),
    fig(
        "CancelTree/depth=1000/Root=OpenCanceler",
        "CancelTree/depth=1000/Root=OpenCanceler",
        294562.0,
    ),
    fig(
        "CancelTree/depth=1000/Root=ClosedCanceler",
        "CancelTree/depth=1000/Root=ClosedCanceler",
        89064.0,
    ),
    fig("CheckCanceled/Err", "CheckCanceled/Err", 11.0),
    fig("CheckCanceled/Done", "CheckCanceled/Done", 4.75),
    fig("ContextCancelDone", "ContextCancelDone", 2.0),
    fig(
        "DeepValueSameThread/depth=10",
        "DeepValueSameGoRoutine/depth=10",
        28.0,
    ),
    fig(
        "DeepValueSameThread/depth=20",
        "DeepValueSameGoRoutine/depth=20",
        54.0,
    ),
    fig(
        "DeepValueSameThread/depth=30",
        "DeepValueSameGoRoutine/depth=30",
        85.0,
    ),
    fig(
        "DeepValueSameThread/depth=50",
        "DeepValueSameGoRoutine/depth=50",
        130.0,
    ),
    fig(
        "DeepValueSameThread/depth=100",
        "DeepValueSameGoRoutine/depth=100",
        254.0,
    ),
    spawning(
        "DeepValueNewThread/depth=10",
        "DeepValueNewGoRoutine/depth=10",
        379.0,
    ),
    spawning(
        "DeepValueNewThread/depth=20",
        "DeepValueNewGoRoutine/depth=20",
        399.0,
    ),
    spawning(
        "DeepValueNewThread/depth=30",
        "DeepValueNewGoRoutine/depth=30",
        418.0,
    ),
    spawning(
        "DeepValueNewThread/depth=50",
        "DeepValueNewGoRoutine/depth=50",
        486.0,
    ),
    spawning(
        "DeepValueNewThread/depth=100",
        "DeepValueNewGoRoutine/depth=100",
        638.0,
    ),
    pooled(
        "DeepValueNewTask/depth=10",
        "DeepValueNewGoRoutine/depth=10",
        379.0,
    ),
    pooled(
        "DeepValueNewTask/depth=20",
        "DeepValueNewGoRoutine/depth=20",
        399.0,
    ),
    pooled(
        "DeepValueNewTask/depth=30",
        "DeepValueNewGoRoutine/depth=30",
        418.0,
    ),
    pooled(
        "DeepValueNewTask/depth=50",
        "DeepValueNewGoRoutine/depth=50",
        486.0,
    ),
    pooled(
        "DeepValueNewTask/depth=100",
        "DeepValueNewGoRoutine/depth=100",
        638.0,
    ),
    fig("WaitGroupUncontended", "WaitGroupUncontended", 7.6),
    fig("WaitGroupAddDone", "WaitGroupAddDone", 52.6),
    fig("WaitGroupAddDoneWork", "WaitGroupAddDoneWork", 76.2),
    fig("WaitGroupWait", "WaitGroupWait", 0.64),
    fig("WaitGroupWaitWork", "WaitGroupWaitWork", 13.3),
    spawning("WaitGroupActuallyWait", "WaitGroupActuallyWait", 173.0),
    pooled("WaitGroupActuallyWaitPool", "WaitGroupActuallyWait", 173.0),
    pooled(
        "WaitGroupActuallyWaitInPool",
        "WaitGroupActuallyWait",
        173.0,
    ),
];
