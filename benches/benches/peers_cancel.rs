//! tokio-util's `CancellationToken`, the cancellation tree a Rust user meets
//! first, on every shape of Go's `context` benchmarks it can express. Each
//! benchmark's id is `tokio_util/<the Go benchmark's id>`, so that the
//! results page sets it in the Go table next to our figure for the same
//! shape.
//!
//! A token has no values and no deadlines, and no done channel: so no
//! `DeepValue*` or `WithTimeout` rows; `CommonParentCancel` does the same
//! work without the value lookup (a few nanoseconds on our side);
//! `CheckCanceled/Done`, Go's non-blocking `select` on `Done()`, is one poll
//! of `cancelled()` with a no-op waker, the async form of that select.
//!
//! `fanout_cancel` adds tokio-util to the pattern group of the same name in
//! `patterns_fanout.rs`: canceling the root of a `width`×`depth` tree.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context as TaskContext, Waker};

use benches::{parallel, work};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use tokio_util::sync::CancellationToken;

/// Go's `BenchmarkCommonParentCancel`, without the value lookup, with the
/// busy work of each Go compiler, as `go_shapes_context.rs` runs it.
fn common_parent_cancel(c: &mut Criterion) {
    let shared = CancellationToken::new();
    for (suffix, busy) in work::COMMON_PARENT_CANCEL_LOOPS {
        c.bench_function(&format!("tokio_util/CommonParentCancel{suffix}"), |b| {
            b.iter_custom(|iters| {
                parallel::run(
                    iters,
                    |_| 0_i64,
                    |x, _, n| {
                        for _ in 0..n {
                            let child = shared.child_token();
                            assert!(!child.is_cancelled(), "should not be reached");
                            *x = busy(*x);
                            child.cancel(); // Go's cancel()
                            drop(child);
                            *x = busy(*x);
                        }
                    },
                )
            });
        });
    }
}

/// A chain of `depth` child tokens under `root`, every one kept (a token
/// whose handles are all dropped leaves its parent).
fn chain(
    root: &CancellationToken,
    depth: usize,
    mut kept: Vec<CancellationToken>,
) -> Vec<CancellationToken> {
    let mut token = root.clone();
    for _ in 0..depth {
        token = token.child_token();
        kept.push(token.clone());
    }
    kept
}

/// Go's `BenchmarkCancelTree`, as `go_shapes_context.rs` runs it on contexts.
fn cancel_tree(c: &mut Criterion) {
    let mut group = c.benchmark_group("tokio_util");
    for depth in [1, 10, 100, 1000] {
        let id = |root: &str| format!("CancelTree/depth={depth}/Root={root}");
        // Built under a root that is never canceled; freed after timing, as
        // our `Root=Background` row does.
        group.bench_function(id("Background"), |b| {
            b.iter_batched(
                || Vec::with_capacity(depth),
                |kept| chain(&CancellationToken::new(), depth, kept),
                BatchSize::SmallInput,
            );
        });
        // Freed inside the loop, as our `OpenCanceler` and `ClosedCanceler`
        // rows free their chains: the same work on both sides.
        group.bench_function(id("OpenCanceler"), |b| {
            b.iter_batched(
                || Vec::with_capacity(depth),
                |kept| {
                    let root = CancellationToken::new();
                    let kept = chain(&root, depth, kept);
                    root.cancel();
                    drop(kept);
                },
                BatchSize::SmallInput,
            );
        });
        group.bench_function(id("ClosedCanceler"), |b| {
            b.iter_batched(
                || Vec::with_capacity(depth),
                |kept| {
                    let root = CancellationToken::new();
                    root.cancel();
                    drop(chain(&root, depth, kept));
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

/// Go's `BenchmarkCheckCanceled`, on a canceled token.
fn check_canceled(c: &mut Criterion) {
    let token = CancellationToken::new();
    token.cancel();
    let mut group = c.benchmark_group("tokio_util");
    group.bench_function("CheckCanceled/Err", |b| {
        b.iter(|| black_box(&token).is_cancelled())
    });
    let mut cx = TaskContext::from_waker(Waker::noop());
    group.bench_function("CheckCanceled/Done", |b| {
        b.iter(|| pin!(black_box(&token).cancelled()).poll(&mut cx).is_ready())
    });
    group.finish();
}

/// Go's `BenchmarkContextCancelDone`: every core checks a live token.
fn context_cancel_done(c: &mut Criterion) {
    let token = CancellationToken::new();
    c.bench_function("tokio_util/ContextCancelDone", |b| {
        b.iter_custom(|iters| {
            parallel::run(
                iters,
                |_| (),
                |_, _, n| {
                    for _ in 0..n {
                        black_box(black_box(&token).is_cancelled());
                    }
                },
            )
        });
    });
}

/// Every token of a `width`×`depth` tree below `root`.
fn tree(root: &CancellationToken, width: usize, depth: usize, nodes: &mut Vec<CancellationToken>) {
    if depth == 0 {
        return;
    }
    for _ in 0..width {
        let child = root.child_token();
        tree(&child, width, depth - 1, nodes);
        nodes.push(child);
    }
}

/// `fanout_cancel` (see `patterns_fanout.rs`): canceling the root of a tree.
fn fanout_cancel(c: &mut Criterion) {
    let mut group = c.benchmark_group("fanout_cancel");
    for (width, depth) in [(4, 3), (8, 3), (16, 2)] {
        group.bench_function(
            BenchmarkId::new("tokio_util", format!("{width}x{depth}")),
            |b| {
                b.iter_batched(
                    || {
                        let root = CancellationToken::new();
                        let mut nodes = Vec::new();
                        tree(&root, width, depth, &mut nodes);
                        (root, nodes)
                    },
                    |(root, nodes)| {
                        root.cancel();
                        (root, nodes)
                    },
                    BatchSize::NumIterations(16),
                );
            },
        );
    }
    group.finish();
}

criterion_group!(
    benches,
    common_parent_cancel,
    cancel_tree,
    check_canceled,
    context_cancel_done,
    fanout_cancel
);
criterion_main!(benches);
