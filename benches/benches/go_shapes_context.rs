//! Go's `context/benchmark_test.go`, ported one to one: same names, same
//! shapes. `benches/README.md` describes each; the results pages set our figures
//! beside Go's.
//!
//! Two differences from Go are forced by the languages, and handled the same
//! way everywhere:
//!
//! - **Parallel benchmarks.** Go's `b.RunParallel` runs one goroutine per core
//!   and reports wall time per operation; `benches::parallel::run` does the same
//!   with one pinned thread per core.
//! - **Discarded cancel functions.** Go code such as `root, _ = WithCancel(root)`
//!   throws the cancel function away and lets the garbage collector reclaim the
//!   context later. Here dropping a `CancelFunc` cancels, so a discarded
//!   handle is written `cancel.disarm()` (Go's "never called") where the tree
//!   is canceled from its root anyway. Under a `Background` root nothing ever
//!   cancels the chain, and a disarmed chain would never be freed (a parent
//!   holds its children and each child its parent), so that benchmark keeps
//!   the handles and drops them after timing: it measures what Go measures,
//!   construction, with cleanup outside the clock as Go's garbage collection
//!   mostly is. The Rust-only `Root=Background+drop` rows time the cleanup
//!   too.

use std::hint::black_box;
use std::thread;
use std::time::Instant;

use benches::{parallel, timeouts, work};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use go_context::{CancelFunc, Context, Key};

/// Go's `WithValue(Background(), "key", "value")`.
static KEY: Key<&str> = Key::new("key");

/// Go's `BenchmarkCommonParentCancel`: many threads derive, use and cancel
/// short-lived children of one shared parent, contending on its child set.
///
/// Two rows, one per Go compiler (see `benches::work`): `CommonParentCancel`
/// executes the 200 divisions between the operations, as Go 1.19 does;
/// `CommonParentCancel/folded` only counts through the loops, as Go 1.21
/// and later do, which fold the divisions away.
///
/// Each has a Rust-only twin, `…/own_parent`, where every thread derives
/// from a parent of its own: what the shared parent costs (see "A shared
/// parent" in `benches/README.md`).
fn common_parent_cancel(c: &mut Criterion) {
    let root = go_context::with_value(&go_context::background(), &KEY, "value");
    let (shared, _shared_cancel) = go_context::with_cancel(&root);
    for (suffix, busy) in work::COMMON_PARENT_CANCEL_LOOPS {
        c.bench_function(&format!("CommonParentCancel{suffix}"), |b| {
            b.iter_custom(|iters| {
                parallel::run(
                    iters,
                    |_| 0_i64,
                    |x, _, n| derive_use_cancel(&shared, x, busy, n),
                )
            });
        });
        c.bench_function(&format!("CommonParentCancel{suffix}/own_parent"), |b| {
            b.iter_custom(|iters| {
                parallel::run(
                    iters,
                    |_| (0_i64, go_context::with_cancel(&root)),
                    |(x, (own, _)), _, n| derive_use_cancel(own, x, busy, n),
                )
            });
        });
    }
}

/// `CommonParentCancel`'s loop body, `n` times: derive a child of `parent`,
/// look the value up, cancel, with Go's busy work between.
fn derive_use_cancel(parent: &Context, x: &mut i64, busy: work::BusyLoop, n: u64) {
    for _ in 0..n {
        let (ctx, cancel) = go_context::with_cancel(parent);
        assert_eq!(ctx.value(&KEY), Some(&"value"), "should not be reached");
        *x = busy(*x);
        drop(cancel); // Go's cancel()
        *x = busy(*x);
    }
}

/// Go's `BenchmarkWithTimeout`: create and cancel ten one-hour timeouts per
/// operation on every core, while `concurrency` others stay armed.
fn with_timeout(c: &mut Criterion) {
    let mut group = c.benchmark_group("WithTimeout");
    for concurrency in [40, 4_000, 400_000] {
        // As in Go, the long-lived timeouts are made on every core.
        let live = timeouts::arm_on_every_core(concurrency);
        group.bench_function(format!("concurrency={concurrency}"), |b| {
            b.iter_custom(timeouts::create_and_cancel_ten);
        });
        drop(live);
    }
    group.finish();
}

/// Go's `buildContextTree`: a chain of `depth` `WithCancel`s under `root`
/// whose cancel functions are discarded (see the file comment).
fn build_context_tree(root: &Context, depth: usize) -> Context {
    let mut ctx = root.clone();
    for _ in 0..depth {
        let (child, cancel) = go_context::with_cancel(&ctx);
        cancel.disarm();
        ctx = child;
    }
    ctx
}

/// The same chain, keeping the handles so that dropping them frees it.
fn build_context_tree_keeping(
    root: &Context,
    depth: usize,
    mut handles: Vec<CancelFunc>,
) -> (Context, Vec<CancelFunc>) {
    let mut ctx = root.clone();
    for _ in 0..depth {
        let (child, cancel) = go_context::with_cancel(&ctx);
        handles.push(cancel);
        ctx = child;
    }
    (ctx, handles)
}

/// Go's `BenchmarkCancelTree`: build a chain of `depth` cancelable contexts
/// under a root that is never canceled, canceled afterwards, or canceled
/// before.
fn cancel_tree(c: &mut Criterion) {
    let mut group = c.benchmark_group("CancelTree");
    for depth in [1, 10, 100, 1000] {
        let id = |root: &str| BenchmarkId::new(format!("depth={depth}"), format!("Root={root}"));
        group.bench_function(id("Background"), |b| {
            b.iter_batched(
                || Vec::with_capacity(depth),
                |handles| build_context_tree_keeping(&go_context::background(), depth, handles),
                BatchSize::SmallInput,
            );
        });
        group.bench_function(id("OpenCanceler"), |b| {
            b.iter(|| {
                let (ctx, cancel) = go_context::with_cancel(&go_context::background());
                let leaf = build_context_tree(&ctx, depth);
                drop(cancel); // Go's cancel(): the whole chain is canceled
                leaf
            });
        });
        group.bench_function(id("ClosedCanceler"), |b| {
            b.iter(|| {
                let (ctx, cancel) = go_context::with_cancel(&go_context::background());
                drop(cancel);
                build_context_tree(&ctx, depth)
            });
        });
        // Rust only: construction and cleanup, the full cost of the
        // Background shape without a garbage collector.
        group.bench_function(id("Background+drop"), |b| {
            b.iter_batched(
                || Vec::with_capacity(depth),
                |handles| {
                    drop(build_context_tree_keeping(
                        &go_context::background(),
                        depth,
                        handles,
                    ))
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

/// Go's `BenchmarkCheckCanceled`: is a canceled context done?
fn check_canceled(c: &mut Criterion) {
    let (ctx, cancel) = go_context::with_cancel(&go_context::background());
    drop(cancel);
    let mut group = c.benchmark_group("CheckCanceled");
    group.bench_function("Err", |b| b.iter(|| black_box(&ctx).err()));
    // Go's `select { case <-ctx.Done(): default: }`, as a non-blocking receive
    // on the done channel. The channel is fetched once, as the crate advises.
    let done = ctx.done();
    group.bench_function("Done", |b| b.iter(|| black_box(&done).try_recv()));
    // Rust only: the idiomatic check, and the channel fetched every time.
    group.bench_function("IsDone", |b| b.iter(|| black_box(&ctx).is_done()));
    group.bench_function("DoneEachCall", |b| {
        b.iter(|| black_box(&ctx).done().try_recv())
    });
    group.finish();
}

/// Go's `BenchmarkContextCancelDone`: every core checks a live context's
/// done signal (`select` with `default`), here `is_done`.
fn context_cancel_done(c: &mut Criterion) {
    let (ctx, _cancel) = go_context::with_cancel(&go_context::background());
    c.bench_function("ContextCancelDone", |b| {
        b.iter_custom(|iters| {
            parallel::run(
                iters,
                |_| (),
                |_, _, n| {
                    for _ in 0..n {
                        black_box(black_box(&ctx).is_done());
                    }
                },
            )
        });
    });
}

/// One key per layer, as Go's `WithValue(ctx, i, i)`.
static LAYER: [Key<usize>; 100] = [const { Key::new("layer") }; 100];
/// Go's key `-1`: bound nowhere, so the lookup walks the whole chain.
static MISSING: Key<usize> = Key::new("missing");

fn value_chain(depth: usize) -> Context {
    let mut ctx = go_context::background();
    for (i, key) in LAYER.iter().enumerate().take(depth) {
        ctx = go_context::with_value(&ctx, key, i);
    }
    ctx
}

/// Go's `BenchmarkDeepValueSameGoRoutine`: a missed lookup through `depth`
/// value layers.
fn deep_value_same_thread(c: &mut Criterion) {
    let mut group = c.benchmark_group("DeepValueSameThread");
    for depth in [10, 20, 30, 50, 100] {
        let ctx = value_chain(depth);
        group.bench_function(format!("depth={depth}"), |b| {
            b.iter(|| black_box(&ctx).value(&MISSING).copied())
        });
    }
    group.finish();
}

/// Go's `BenchmarkDeepValueNewGoRoutine`: the same miss in a new thread,
/// joined every operation. A thread costs far more to start than a goroutine,
/// and that start dominates here.
fn deep_value_new_thread(c: &mut Criterion) {
    let mut group = c.benchmark_group("DeepValueNewThread");
    for depth in [10, 20, 30, 50, 100] {
        let ctx = value_chain(depth);
        group.bench_function(format!("depth={depth}"), |b| {
            b.iter(|| {
                thread::scope(|scope| {
                    scope.spawn(|| black_box(black_box(&ctx).value(&MISSING).copied()));
                })
            })
        });
    }
    group.finish();
}

/// `DeepValueNewThread` with the task spawned on rayon's pool, which is
/// how Rust starts a goroutine-sized task: the timed loop runs on a pool
/// worker, and each lookup is spawned in a `rayon::scope` whose end waits
/// for it (running it itself unless another worker stole it).
fn deep_value_new_task(c: &mut Criterion) {
    let mut group = c.benchmark_group("DeepValueNewTask");
    for depth in [10, 20, 30, 50, 100] {
        let ctx = value_chain(depth);
        group.bench_function(format!("depth={depth}"), |b| {
            b.iter_custom(|iters| {
                rayon::scope(|_| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        rayon::scope(|s| {
                            s.spawn(|_| {
                                black_box(black_box(&ctx).value(&MISSING).copied());
                            })
                        });
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    common_parent_cancel,
    with_timeout,
    cancel_tree,
    check_canceled,
    context_cancel_done,
    deep_value_same_thread,
    deep_value_new_thread,
    deep_value_new_task
);
criterion_main!(benches);
