//! The hot shapes, written once for ours and for each Rust peer, so that the
//! instruction counts (`benches/instructions.rs`, under callgrind) and the
//! byte counts (`src/bin/bytes.rs`, under a counting allocator) measure the
//! same code.
//!
//! Each function does `ops()` operations of its shape and frees everything it
//! made, so that a count divided by `ops()` is the cost of one operation,
//! freeing included. A shape's peers do the same work in their own API:
//! tokio-util's `CancellationToken` for the cancellation tree (no values, no
//! deadlines), crossbeam-utils' `WaitGroup` for the wait group (a handle per
//! participant: `clone` is `add(1)`, `drop` is `done()`).

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context as TaskContext, Waker};
use std::time::Duration;

use go_context::{Context, Key};
pub use tokio_util::sync::CancellationToken;

/// Derive + cancel + drop, done checks, values, timeouts: repeated this many
/// times per run.
pub const REPEAT: usize = 100;
/// Children of one parent in the wide tree.
pub const WIDE: usize = 1_000;
/// Children of one parent in the large wide tree.
pub const WIDE_LARGE: usize = 100_000;
/// Links in the chain.
pub const CHAIN: usize = 100;

/// Who implements a shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// This workspace's crates.
    Ours,
    /// tokio-util's `CancellationToken`.
    TokioUtil,
    /// crossbeam-utils' `WaitGroup`.
    Crossbeam,
}

impl Side {
    /// The column name on the results page and in the counts file.
    pub fn name(self) -> &'static str {
        match self {
            Side::Ours => "ours",
            Side::TokioUtil => "tokio_util",
            Side::Crossbeam => "crossbeam",
        }
    }
}

/// One hot shape: its name, how many operations a run does, and who can
/// express it.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// The id in the counts file and on the page.
    pub name: &'static str,
    /// What one operation is, for the page.
    pub what: &'static str,
    /// Operations per run: a run's count divided by this is per operation.
    pub ops: usize,
    /// Whether every operation's memory is held at once (a tree's nodes),
    /// rather than one operation's at a time.
    pub live_together: bool,
    /// The sides that can express it, ours first.
    pub sides: &'static [Side],
    /// Our instructions per operation must stay below this fraction of
    /// every peer's (`counts check` fails otherwise): [`FEWER`] for every
    /// shape, [`WIDE_TARGET`] for the wide trees.
    pub below_peers: f64,
    /// Whether our allocations, bytes allocated and bytes live must be no
    /// more than every peer's (`counts check` fails otherwise): so for the
    /// cancellation tree against tokio-util's. Not for the wait group, which
    /// holds what Go's does (a lock and a condition variable for timed and
    /// context-bound waits, a panic to pass on) where crossbeam-utils' holds a
    /// count and a condition variable.
    pub bytes_within_peers: bool,
}

/// Fewer instructions than every peer.
pub const FEWER: f64 = 1.0;
/// A wide tree's child: at most four fifths of a peer's instructions, where
/// malloc and free, the same for both, are nearly half of either.
pub const WIDE_TARGET: f64 = 0.8;

const CANCEL_SIDES: &[Side] = &[Side::Ours, Side::TokioUtil];
const OURS_ONLY: &[Side] = &[Side::Ours];
const WAIT_GROUP_SIDES: &[Side] = &[Side::Ours, Side::Crossbeam];

/// Every shape, in page order.
pub const SHAPES: &[Shape] = &[
    Shape {
        name: "derive_cancel_drop",
        what: "derive a child of a live parent, cancel it, drop it",
        ops: REPEAT,
        live_together: false,
        sides: CANCEL_SIDES,
        bytes_within_peers: true,
        below_peers: FEWER,
    },
    Shape {
        name: "derive_from_done",
        what: "derive a child of a canceled parent, read its error, drop it (tokio-util: `child_token` of a cancelled token, `is_cancelled`)",
        ops: REPEAT,
        live_together: false,
        sides: CANCEL_SIDES,
        bytes_within_peers: true,
        below_peers: FEWER,
    },
    Shape {
        name: "wide_tree",
        what: "1,000 children of one parent: build, cancel the parent, drop (per child)",
        ops: WIDE,
        live_together: true,
        sides: CANCEL_SIDES,
        bytes_within_peers: true,
        below_peers: WIDE_TARGET,
    },
    Shape {
        name: "wide_tree_100k",
        what: "100,000 children of one parent: build, cancel the parent, drop (per child)",
        ops: WIDE_LARGE,
        live_together: true,
        sides: CANCEL_SIDES,
        bytes_within_peers: true,
        below_peers: WIDE_TARGET,
    },
    Shape {
        name: "chain",
        what: "chain of 100: build, cancel the root, drop (per link)",
        ops: CHAIN,
        live_together: true,
        sides: CANCEL_SIDES,
        bytes_within_peers: true,
        below_peers: FEWER,
    },
    Shape {
        name: "is_done",
        what: "done check on a live context (`is_done`, `is_cancelled`)",
        ops: REPEAT,
        live_together: false,
        sides: CANCEL_SIDES,
        bytes_within_peers: true,
        below_peers: FEWER,
    },
    Shape {
        name: "done_each_call",
        what: "Go's `select` on `ctx.Done()` with `default`, `done()` fetched each time (tokio-util: one poll of `cancelled()`)",
        ops: REPEAT,
        live_together: false,
        sides: CANCEL_SIDES,
        bytes_within_peers: true,
        below_peers: FEWER,
    },
    Shape {
        name: "with_timeout",
        what: "`with_timeout` of one hour, cancel, drop",
        ops: REPEAT,
        live_together: false,
        sides: OURS_ONLY,
        bytes_within_peers: true,
        below_peers: FEWER,
    },
    Shape {
        name: "with_value",
        what: "`with_value` on a cancelable parent, one lookup, drop",
        ops: REPEAT,
        live_together: false,
        sides: OURS_ONLY,
        bytes_within_peers: true,
        below_peers: FEWER,
    },
    Shape {
        name: "wait_group",
        what: "a new wait group: `add(1)`, `done()`, `wait()` (crossbeam: `new`, `clone`, `drop`, `wait`)",
        ops: REPEAT,
        live_together: false,
        sides: WAIT_GROUP_SIDES,
        bytes_within_peers: false,
        below_peers: FEWER,
    },
    Shape {
        name: "wait_group_add_done",
        what: "`add(1)` and `done()` on a live group (crossbeam: `clone` and `drop`)",
        ops: REPEAT,
        live_together: false,
        sides: WAIT_GROUP_SIDES,
        bytes_within_peers: false,
        below_peers: FEWER,
    },
];

/// The shape named `name`.
pub fn shape(name: &str) -> &'static Shape {
    SHAPES
        .iter()
        .find(|shape| shape.name == name)
        .unwrap_or_else(|| panic!("no shape {name}"))
}

static VALUE: Key<u64> = Key::new("value");

/// Our side of each shape.
pub mod ours {
    use super::*;

    /// A live cancelable parent, and the handle that keeps it live.
    pub fn parent() -> (Context, go_context::CancelFunc) {
        go_context::with_cancel(&go_context::background())
    }

    /// Starts the timer thread, a one-time cost no operation should carry.
    pub fn start_timer() {
        drop(go_context::with_timeout(
            &go_context::background(),
            Duration::from_secs(3600),
        ));
    }

    /// `REPEAT` times: derive a child of `parent`, cancel it, drop it.
    pub fn derive_cancel_drop(parent: &Context) {
        for _ in 0..REPEAT {
            let (child, cancel) = go_context::with_cancel(black_box(parent));
            cancel.cancel();
            drop(black_box(child));
        }
    }

    /// A canceled parent.
    pub fn canceled_parent() -> Context {
        let (ctx, cancel) = go_context::with_cancel(&go_context::background());
        cancel.cancel();
        ctx
    }

    /// `REPEAT` times: derive a child of the canceled `parent`, read its
    /// error, drop it.
    pub fn derive_from_done(parent: &Context) {
        for _ in 0..REPEAT {
            let (child, cancel) = go_context::with_cancel(black_box(parent));
            black_box(black_box(&child).err());
            drop(cancel);
            drop(black_box(child));
        }
    }

    /// `WIDE` children of one parent: build, cancel the parent, drop.
    pub fn wide_tree() {
        wide(WIDE);
    }

    /// `WIDE_LARGE` children of one parent: build, cancel the parent, drop.
    pub fn wide_tree_100k() {
        wide(WIDE_LARGE);
    }

    fn wide(width: usize) {
        let (parent, cancel) = go_context::with_cancel(&go_context::background());
        let children: Vec<_> = (0..width)
            .map(|_| go_context::with_cancel(black_box(&parent)))
            .collect();
        cancel.cancel();
        drop(black_box(children));
    }

    /// A chain of `CHAIN` below a root: build, cancel the root, drop.
    pub fn chain() {
        let (root, cancel) = go_context::with_cancel(&go_context::background());
        let mut ctx = root;
        let mut handles = Vec::with_capacity(CHAIN);
        for _ in 0..CHAIN {
            let (child, child_cancel) = go_context::with_cancel(black_box(&ctx));
            handles.push(child_cancel);
            ctx = child;
        }
        cancel.cancel();
        drop(black_box(ctx));
        drop(handles);
    }

    /// `REPEAT` done checks on a live context.
    pub fn is_done(ctx: &Context) {
        for _ in 0..REPEAT {
            black_box(black_box(ctx).is_done());
        }
    }

    /// `REPEAT` times Go's `select { case <-ctx.Done(): default: }`, the
    /// channel fetched each time.
    pub fn done_each_call(ctx: &Context) {
        for _ in 0..REPEAT {
            black_box(black_box(ctx).done().try_recv().is_err());
        }
    }

    /// `REPEAT` times: a one-hour `with_timeout`, canceled and dropped.
    pub fn with_timeout() {
        for _ in 0..REPEAT {
            let (ctx, cancel) = go_context::with_timeout(
                black_box(&go_context::background()),
                Duration::from_secs(3600),
            );
            cancel.cancel();
            drop(black_box(ctx));
        }
    }

    /// `REPEAT` times: a value below `parent`, looked up once, dropped.
    pub fn with_value(parent: &Context) {
        for i in 0..REPEAT as u64 {
            let ctx = go_context::with_value(black_box(parent), &VALUE, i);
            black_box(black_box(&ctx).value(&VALUE));
            drop(ctx);
        }
    }

    /// `REPEAT` new groups, each counting one task and waited on.
    pub fn wait_group() {
        for _ in 0..REPEAT {
            let wg = go_waitgroup::WaitGroup::new();
            black_box(&wg).add(1);
            black_box(&wg).done();
            black_box(&wg).wait();
        }
    }

    /// `REPEAT` times one task counted in and out of a live group.
    pub fn wait_group_add_done(wg: &go_waitgroup::WaitGroup) {
        for _ in 0..REPEAT {
            black_box(wg).add(1);
            black_box(wg).done();
        }
    }
}

/// tokio-util's `CancellationToken` on each shape it can express.
pub mod token {
    use super::*;

    /// `REPEAT` times: derive a child of `parent`, cancel it, drop it.
    pub fn derive_cancel_drop(parent: &CancellationToken) {
        for _ in 0..REPEAT {
            let child = black_box(parent).child_token();
            child.cancel();
            drop(black_box(child));
        }
    }

    /// A cancelled token.
    pub fn cancelled_parent() -> CancellationToken {
        let token = CancellationToken::new();
        token.cancel();
        token
    }

    /// `REPEAT` times: a child of the cancelled `parent`, checked, dropped.
    pub fn derive_from_done(parent: &CancellationToken) {
        for _ in 0..REPEAT {
            let child = black_box(parent).child_token();
            black_box(black_box(&child).is_cancelled());
            drop(black_box(child));
        }
    }

    /// `WIDE` children of one parent: build, cancel the parent, drop.
    pub fn wide_tree() {
        wide(WIDE);
    }

    /// `WIDE_LARGE` children of one parent: build, cancel the parent, drop.
    pub fn wide_tree_100k() {
        wide(WIDE_LARGE);
    }

    fn wide(width: usize) {
        let parent = CancellationToken::new();
        let children: Vec<_> = (0..width)
            .map(|_| black_box(&parent).child_token())
            .collect();
        parent.cancel();
        drop(black_box(children));
    }

    /// A chain of `CHAIN` below a root: build, cancel the root, drop.
    pub fn chain() {
        let root = CancellationToken::new();
        let mut kept = Vec::with_capacity(CHAIN);
        let mut token = root.clone();
        for _ in 0..CHAIN {
            token = black_box(&token).child_token();
            kept.push(token.clone());
        }
        root.cancel();
        drop(black_box(token));
        drop(kept);
    }

    /// `REPEAT` done checks on a live token.
    pub fn is_done(token: &CancellationToken) {
        for _ in 0..REPEAT {
            black_box(black_box(token).is_cancelled());
        }
    }

    /// `REPEAT` polls of a fresh `cancelled()` future, the async form of
    /// that `select`.
    pub fn done_each_call(token: &CancellationToken) {
        let mut cx = TaskContext::from_waker(Waker::noop());
        for _ in 0..REPEAT {
            black_box(pin!(black_box(token).cancelled()).poll(&mut cx).is_ready());
        }
    }
}

/// crossbeam-utils' `WaitGroup` on the wait group shapes.
pub mod crossbeam_wg {
    use super::*;
    use crossbeam::sync::WaitGroup;

    /// `REPEAT` new groups, each counting one task and waited on.
    pub fn wait_group() {
        for _ in 0..REPEAT {
            let wg = WaitGroup::new();
            drop(black_box(black_box(&wg).clone()));
            wg.wait();
        }
    }

    /// `REPEAT` times one task counted in and out of a live group.
    pub fn wait_group_add_done(wg: &WaitGroup) {
        for _ in 0..REPEAT {
            drop(black_box(black_box(wg).clone()));
        }
    }
}

/// Runs `shape` on `side` once, setup included (for the byte counts, which
/// measure around the call).
pub fn run(shape: &str, side: Side) -> Box<dyn FnMut()> {
    match (shape, side) {
        ("derive_cancel_drop", Side::Ours) => {
            let (parent, cancel) = ours::parent();
            Box::new(move || {
                let _ = &cancel;
                ours::derive_cancel_drop(&parent)
            })
        }
        ("derive_cancel_drop", Side::TokioUtil) => {
            let parent = CancellationToken::new();
            Box::new(move || token::derive_cancel_drop(&parent))
        }
        ("derive_from_done", Side::Ours) => {
            let parent = ours::canceled_parent();
            Box::new(move || ours::derive_from_done(&parent))
        }
        ("derive_from_done", Side::TokioUtil) => {
            let parent = token::cancelled_parent();
            Box::new(move || token::derive_from_done(&parent))
        }
        ("wide_tree", Side::Ours) => Box::new(ours::wide_tree),
        ("wide_tree", Side::TokioUtil) => Box::new(token::wide_tree),
        ("wide_tree_100k", Side::Ours) => Box::new(ours::wide_tree_100k),
        ("wide_tree_100k", Side::TokioUtil) => Box::new(token::wide_tree_100k),
        ("chain", Side::Ours) => Box::new(ours::chain),
        ("chain", Side::TokioUtil) => Box::new(token::chain),
        ("is_done", Side::Ours) => {
            let (ctx, cancel) = ours::parent();
            Box::new(move || {
                let _ = &cancel;
                ours::is_done(&ctx)
            })
        }
        ("is_done", Side::TokioUtil) => {
            let token = CancellationToken::new();
            Box::new(move || token::is_done(&token))
        }
        ("done_each_call", Side::Ours) => {
            let (ctx, cancel) = ours::parent();
            Box::new(move || {
                let _ = &cancel;
                ours::done_each_call(&ctx)
            })
        }
        ("done_each_call", Side::TokioUtil) => {
            let token = CancellationToken::new();
            Box::new(move || token::done_each_call(&token))
        }
        ("with_timeout", Side::Ours) => {
            ours::start_timer();
            Box::new(ours::with_timeout)
        }
        ("with_value", Side::Ours) => {
            let (parent, cancel) = ours::parent();
            Box::new(move || {
                let _ = &cancel;
                ours::with_value(&parent)
            })
        }
        ("wait_group", Side::Ours) => Box::new(ours::wait_group),
        ("wait_group", Side::Crossbeam) => Box::new(crossbeam_wg::wait_group),
        ("wait_group_add_done", Side::Ours) => {
            let wg = go_waitgroup::WaitGroup::new();
            Box::new(move || ours::wait_group_add_done(&wg))
        }
        ("wait_group_add_done", Side::Crossbeam) => {
            let wg = crossbeam::sync::WaitGroup::new();
            Box::new(move || crossbeam_wg::wait_group_add_done(&wg))
        }
        (shape, side) => panic!("{shape} has no {side:?} side"),
    }
}
