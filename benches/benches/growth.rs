//! Growth curves: the cost of one operation as the work around it grows,
//! where the crate promises a flat line. One group per curve; the parameter
//! is the size, and the results page plots every curve on log-log axes with
//! Go's figures where Go has the shape.
//!
//! - `growth_timers`: Go's `WithTimeout` shape (each core creates and
//!   cancels ten one-hour timeouts per operation) with 40 to 400,000 other
//!   timeouts armed. Go measures 40, 4,000 and 400,000.
//! - `growth_children`: deriving and canceling one child of a parent that
//!   already has 1 to 100,000 live children (ours and tokio-util's). Go has
//!   no such benchmark.
//! - `growth_chain`: building a chain of `depth` cancelable contexts under
//!   an open root and canceling the root, Go's `CancelTree/Root=OpenCanceler`;
//!   the page divides by `depth`, giving the cost per link. Go measures
//!   depth 1 to 1,000.

use std::hint::black_box;
use std::time::Duration;

use benches::timeouts;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tokio_util::sync::CancellationToken;

/// The deepest chain `growth_chain` builds: a million links, which the
/// context core cancels and frees iteratively, in constant stack.
const MAX_CHAIN_DEPTH: usize = 1_000_000;

/// Keeps the big sizes to seconds: their setup dominates.
fn short(group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
}

fn timers(c: &mut Criterion) {
    let mut group = c.benchmark_group("growth_timers");
    short(&mut group);
    for live in [40, 400, 4_000, 40_000, 400_000] {
        let armed = timeouts::arm_on_every_core(live);
        group.bench_function(BenchmarkId::new("context", live), |b| {
            b.iter_custom(timeouts::create_and_cancel_ten);
        });
        drop(armed);
    }
    group.finish();
}

fn children(c: &mut Criterion) {
    let mut group = c.benchmark_group("growth_children");
    short(&mut group);
    for live in [1, 10, 100, 1_000, 10_000, 100_000] {
        let (parent, _cancel) = go_context::with_cancel(&go_context::background());
        let siblings: Vec<_> = (0..live)
            .map(|_| go_context::with_cancel(&parent))
            .collect();
        group.bench_function(BenchmarkId::new("context", live), |b| {
            b.iter(|| {
                let (child, cancel) = go_context::with_cancel(black_box(&parent));
                drop(cancel);
                child
            });
        });
        drop(siblings);

        let parent = CancellationToken::new();
        let siblings: Vec<_> = (0..live).map(|_| parent.child_token()).collect();
        group.bench_function(BenchmarkId::new("tokio_util", live), |b| {
            b.iter(|| {
                let child = black_box(&parent).child_token();
                child.cancel();
                child
            });
        });
        drop(siblings);
    }
    group.finish();
}

fn chain(c: &mut Criterion) {
    let mut group = c.benchmark_group("growth_chain");
    short(&mut group);
    let depths = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
    for depth in depths.into_iter().filter(|d| *d <= MAX_CHAIN_DEPTH) {
        group.bench_function(BenchmarkId::new("context", depth), |b| {
            b.iter(|| {
                let (root, cancel) = go_context::with_cancel(&go_context::background());
                let mut ctx = root;
                for _ in 0..depth {
                    let (child, child_cancel) = go_context::with_cancel(&ctx);
                    child_cancel.disarm();
                    ctx = child;
                }
                drop(cancel); // cancels the whole chain
                ctx
            });
        });
        group.bench_function(BenchmarkId::new("tokio_util", depth), |b| {
            b.iter(|| {
                let root = CancellationToken::new();
                let mut kept = Vec::with_capacity(depth);
                let mut token = root.clone();
                for _ in 0..depth {
                    token = token.child_token();
                    kept.push(token.clone());
                }
                root.cancel();
                kept
            });
        });
    }
    group.finish();
}

criterion_group!(benches, timers, children, chain);
criterion_main!(benches);
