//! Canceling a whole tree: a context tree versus hand-built channel plumbing
//! for the same tree.
//!
//! The tree has a root and `depth` levels below it, each node with `width`
//! children (4×3 is 4 + 16 + 64 = 84 nodes below the root). Two questions,
//! one group each, for the shapes 4×3, 8×3 and 16×2:
//!
//! `fanout_cancel`: how long does the signal take to reach every node, with
//! nobody watching? The tree is built before timing and freed after.
//! - `context`: one `with_cancel` per node; timed: canceling the root, which
//!   marks every descendant done before it returns.
//! - `channel_tree`: one zero-capacity crossbeam channel per node, the
//!   sender held by the parent node and the receiver by whoever watches the
//!   node; timed: dropping the root, which drops every sender level by
//!   level and disconnects every receiver. This is the hand-built version of
//!   the same synchronous cascade.
//!
//! `fanout_cancel_watched`: how long until a thread per node has *seen* the
//! signal? Every node has a thread blocked on its signal, started before
//! timing; timed: from the root's signal until every thread has counted
//! itself out on a `WaitGroup`.
//! - `context`: each thread blocks in `ctx.wait()`; the cancel marks every
//!   node done, then wakes the threads by relay (each woken thread wakes
//!   half of those handed to it), so the wake-ups spread over the cores.
//! - `channel_forwarding`: each thread blocks in `recv` on its node's
//!   channel and, when it disconnects, drops the senders of its children:
//!   the cascade goes through one thread wake-up per level, the way such
//!   plumbing is written by hand in Go (a goroutine per node forwarding the
//!   close).

use std::thread;
use std::time::{Duration, Instant};

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use crossbeam_channel::{Receiver, Sender};
use go_context::{CancelFunc, Context};
use go_waitgroup::WaitGroup;

const SHAPES: [(usize, usize); 3] = [(4, 3), (8, 3), (16, 2)];

fn shape_id(width: usize, depth: usize) -> String {
    format!("{width}x{depth}")
}

/// Every node below the root of a context tree, with its cancel handle
/// (kept so that the node lives until the root cancels it).
fn context_tree(
    root: &Context,
    width: usize,
    depth: usize,
    nodes: &mut Vec<(Context, CancelFunc)>,
) {
    if depth == 0 {
        return;
    }
    for _ in 0..width {
        let (child, cancel) = go_context::with_cancel(root);
        context_tree(&child, width, depth - 1, nodes);
        nodes.push((child, cancel));
    }
}

/// A node of the hand-built plumbing: the senders of its children's
/// channels, and the children themselves.
struct Plumbing {
    #[expect(dead_code, reason = "never read: dropping it is the signal")]
    children: Vec<(Sender<()>, Plumbing)>,
}

/// Builds plumbing below one node; the receivers go to `watched`.
fn channel_tree(width: usize, depth: usize, watched: &mut Vec<Receiver<()>>) -> Plumbing {
    let children = if depth == 0 {
        Vec::new()
    } else {
        (0..width)
            .map(|_| {
                let (tx, rx) = crossbeam_channel::bounded(0);
                watched.push(rx);
                (tx, channel_tree(width, depth - 1, watched))
            })
            .collect()
    };
    Plumbing { children }
}

fn fanout_cancel(c: &mut Criterion) {
    let mut group = c.benchmark_group("fanout_cancel");
    for (width, depth) in SHAPES {
        let id = shape_id(width, depth);
        group.bench_function(BenchmarkId::new("context", &id), |b| {
            b.iter_batched(
                || {
                    let (root, cancel) = go_context::with_cancel(&go_context::background());
                    let mut nodes = Vec::new();
                    context_tree(&root, width, depth, &mut nodes);
                    (cancel, nodes)
                },
                |(cancel, nodes)| {
                    cancel.cancel();
                    (cancel, nodes)
                },
                BatchSize::NumIterations(16),
            );
        });
        group.bench_function(BenchmarkId::new("channel_tree", &id), |b| {
            b.iter_batched(
                || {
                    let mut watched = Vec::new();
                    let root = channel_tree(width, depth, &mut watched);
                    (root, watched)
                },
                |(root, watched)| {
                    drop(root);
                    watched
                },
                BatchSize::NumIterations(16),
            );
        });
    }
    group.finish();
}

/// How many nodes a tree has below its root.
fn node_count(width: usize, depth: usize) -> usize {
    (1..=depth).map(|level| width.pow(level as u32)).sum()
}

/// Starts watcher threads with `spawn_all` (each counts itself in on `ready`
/// before it blocks, and out on `exited` once it has seen the signal), then
/// times `signal` until all `nodes` have counted out.
fn time_watched<T>(
    nodes: usize,
    spawn_all: impl FnOnce(&WaitGroup, &WaitGroup) -> T,
    signal: impl FnOnce(T),
) -> Duration {
    let (ready, exited) = (WaitGroup::new(), WaitGroup::new());
    ready.add(nodes as isize);
    exited.add(nodes as isize);
    let root = spawn_all(&ready, &exited);
    ready.wait();
    let start = Instant::now();
    signal(root);
    exited.wait();
    start.elapsed()
}

/// Starts one forwarding thread per node in the `depth` levels below a node,
/// and returns the senders that node drops to signal its children.
fn spawn_forwarders<'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    (width, depth): (usize, usize),
    ready: &WaitGroup,
    exited: &WaitGroup,
) -> Vec<Sender<()>> {
    if depth == 0 {
        return Vec::new();
    }
    (0..width)
        .map(|_| {
            let (tx, rx) = crossbeam_channel::bounded::<()>(0);
            let children = spawn_forwarders(scope, (width, depth - 1), ready, exited);
            let (ready, exited) = (ready.clone(), exited.clone());
            scope.spawn(move || {
                ready.done();
                let _ = rx.recv(); // returns when the parent drops our sender
                drop(children); // forward the close one level down
                exited.done();
            });
            tx
        })
        .collect()
}

fn fanout_cancel_watched(c: &mut Criterion) {
    let mut group = c.benchmark_group("fanout_cancel_watched");
    // Each iteration starts a thread per node (up to 584) outside the timing,
    // and a thread wake-up is the noisiest thing measured here: enough
    // samples to tell two designs apart, at a few seconds per row.
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for (width, depth) in SHAPES {
        let id = shape_id(width, depth);
        let nodes = node_count(width, depth);
        group.bench_function(BenchmarkId::new("context", &id), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let (root, cancel) = go_context::with_cancel(&go_context::background());
                        let mut tree = Vec::new();
                        context_tree(&root, width, depth, &mut tree);
                        thread::scope(|scope| {
                            time_watched(
                                nodes,
                                |ready, exited| {
                                    for (ctx, _) in &tree {
                                        let (ready, exited) = (ready.clone(), exited.clone());
                                        scope.spawn(move || {
                                            ready.done();
                                            ctx.wait();
                                            exited.done();
                                        });
                                    }
                                },
                                |()| cancel.cancel(),
                            )
                        })
                    })
                    .sum()
            });
        });
        group.bench_function(BenchmarkId::new("channel_forwarding", &id), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        thread::scope(|scope| {
                            time_watched(
                                nodes,
                                |ready, exited| {
                                    spawn_forwarders(scope, (width, depth), ready, exited)
                                },
                                drop,
                            )
                        })
                    })
                    .sum()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, fanout_cancel, fanout_cancel_watched);
criterion_main!(benches);
