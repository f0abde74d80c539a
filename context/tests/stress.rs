//! Stress: a large random tree under concurrent cancels, with many threads
//! and futures blocked on it; every waiter must wake, every descendant must be
//! done, and nothing may deadlock.
//!
//! Every blocking step is bounded by [`BOUND`]: a regression fails with a
//! message naming what did not wake, instead of hanging the run. The heavier
//! `soak_*` variant is ignored in the normal run; run it with
//!
//! ```text
//! cargo test --release -p go-context --test stress -- --ignored soak
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{RecvTimeoutError, Sender, select};
use go_context::{CancelCauseFunc, CancelFunc, Cause, Context, Error, Key, WaitAsync, testing};

/// How long anything that must happen may take; only a failing run waits
/// this long.
const BOUND: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

static NODE: Key<usize> = Key::new("node");

/// The sizes of one run.
#[derive(Clone, Copy)]
struct Shape {
    nodes: usize,
    waiting_threads: usize,
    futures: usize,
    executors: usize,
    cancelers: usize,
    cancels_each: usize,
    derivers: usize,
    callbacks: usize,
    seed: u64,
}

#[test]
fn ten_thousand_contexts_under_concurrent_cancels() {
    for round in 0..3 {
        run(Shape {
            nodes: 10_000,
            waiting_threads: 72,
            futures: 1_000,
            executors: 2,
            cancelers: 4,
            cancels_each: 40,
            derivers: 2,
            callbacks: 100,
            seed: 0x5eed_0001 + round,
        });
    }
}

#[test]
#[ignore = "soak: minutes in a debug build; run in release (see the file header)"]
fn soak_hundred_thousand_contexts_many_rounds() {
    for round in 0..10 {
        run(Shape {
            nodes: 100_000,
            waiting_threads: 256,
            futures: 20_000,
            executors: 4,
            cancelers: 8,
            cancels_each: 400,
            derivers: 4,
            callbacks: 1_000,
            seed: 0x5eed_1000 + round,
        });
    }
}

// ---------------------------------------------------------------------------
// The tree
// ---------------------------------------------------------------------------

/// A small deterministic generator (SplitMix64), one per thread.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

enum Handle {
    Plain(CancelFunc),
    Cause(CancelCauseFunc),
}

#[derive(Debug)]
struct Why(usize);

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "canceled by canceler {}", self.0)
    }
}

impl std::error::Error for Why {}

struct Tree {
    contexts: Vec<Context>,
    handles: Vec<Option<Handle>>,
    /// Whether the node has a cancel node above it at all.
    cancelable: Vec<bool>,
    /// Whether canceling the root reaches it (no `without_cancel` between).
    under_root: Vec<bool>,
}

impl Tree {
    /// A random recursive tree: each node's parent is a uniformly chosen
    /// earlier node, which keeps the depth logarithmic (tens of levels).
    fn build(size: usize, rng: &mut Rng) -> Tree {
        let (root, cancel_root) = go_context::with_cancel(&go_context::background());
        let mut tree = Tree {
            contexts: vec![root],
            handles: vec![Some(Handle::Plain(cancel_root))],
            cancelable: vec![true],
            under_root: vec![true],
        };
        for node in 1..size {
            let parent = rng.below(node);
            let p = &tree.contexts[parent];
            let (ctx, handle, cancelable, under_root) = match rng.below(100) {
                0..45 => {
                    let (ctx, cancel) = go_context::with_cancel(p);
                    (ctx, Some(Handle::Plain(cancel)), true, true)
                }
                45..55 => {
                    let (ctx, cancel) = go_context::with_cancel_cause(p);
                    (ctx, Some(Handle::Cause(cancel)), true, true)
                }
                55..75 => {
                    let (ctx, cancel) = go_context::with_timeout(p, HOUR);
                    (ctx, Some(Handle::Plain(cancel)), true, true)
                }
                75..98 => {
                    let ctx = go_context::with_value(p, &NODE, node);
                    (ctx, None, tree.cancelable[parent], true)
                }
                _ => (go_context::without_cancel(p), None, false, false),
            };
            let under_root = under_root && tree.under_root[parent];
            tree.contexts.push(ctx);
            tree.handles.push(handle);
            tree.cancelable.push(cancelable);
            tree.under_root.push(under_root);
        }
        tree
    }

    /// A node that can be canceled, chosen at random.
    fn cancelable_node(&self, rng: &mut Rng) -> usize {
        loop {
            let node = rng.below(self.contexts.len());
            if self.cancelable[node] {
                return node;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Waiters
// ---------------------------------------------------------------------------

/// What a woken waiter reports: who it was, which node, what it saw.
type Woken = (String, usize, Option<Error>);

/// Blocks a thread on `node` in one of four ways, then reports.
fn spawn_waiting_thread(
    id: usize,
    node: usize,
    ctx: Context,
    start: Arc<Barrier>,
    woken: Sender<Woken>,
) {
    let how = ["wait", "wait_timeout", "wait_deadline", "select on done"][id % 4];
    thread::spawn(move || {
        let done = ctx.done();
        start.wait();
        let err = match id % 4 {
            0 => Some(ctx.wait()),
            1 => ctx.wait_timeout(BOUND),
            2 => ctx.wait_deadline(Instant::now() + BOUND),
            _ => select! {
                recv(done) -> _ => ctx.err(),
                default(BOUND) => None,
            },
        };
        let _ = woken.send((format!("thread {id} ({how})"), node, err));
    });
}

/// A future for the executor: its name, the node it waits on, the future.
type Task = (usize, usize, WaitAsync);

/// Wakes a task by queueing its index on its executor.
struct TaskWaker {
    index: usize,
    queue: Sender<usize>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        let _ = self.queue.send(self.index);
    }
}

/// A minimal executor on its own thread: polls every task once, then each
/// task whose waker fires, until all are complete or nothing is woken for
/// [`BOUND`].
fn spawn_executor(mut tasks: Vec<Option<Task>>, woken: Sender<Woken>) {
    thread::spawn(move || {
        let (queue, ready) = crossbeam_channel::unbounded();
        let wakers: Vec<Waker> = (0..tasks.len())
            .map(|index| {
                let queue = queue.clone();
                Waker::from(Arc::new(TaskWaker { index, queue }))
            })
            .collect();
        for index in 0..tasks.len() {
            queue.send(index).unwrap();
        }
        let mut pending = tasks.len();
        while pending > 0 {
            let Ok(index) = ready.recv_timeout(BOUND) else {
                return; // the main thread reports who never woke
            };
            let Some((name, node, future)) = &mut tasks[index] else {
                continue; // a stale wake of a finished task
            };
            let mut cx = TaskContext::from_waker(&wakers[index]);
            if let Poll::Ready(err) = Pin::new(future).poll(&mut cx) {
                let _ = woken.send((format!("future {name}"), *node, Some(err)));
                tasks[index] = None;
                pending -= 1;
            }
        }
    });
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

fn run(shape: Shape) {
    let mut rng = Rng(shape.seed);
    let tree = Arc::new(Tree::build(shape.nodes, &mut rng));
    let (woken_tx, woken) = crossbeam_channel::unbounded();

    // Threads blocked on random cancelable nodes.
    let start = Arc::new(Barrier::new(shape.waiting_threads + 1));
    for id in 0..shape.waiting_threads {
        let node = tree.cancelable_node(&mut rng);
        let ctx = tree.contexts[node].clone();
        spawn_waiting_thread(id, node, ctx, Arc::clone(&start), woken_tx.clone());
    }
    // Futures on a few executor threads.
    let mut queues: Vec<Vec<Option<Task>>> = (0..shape.executors).map(|_| Vec::new()).collect();
    for name in 0..shape.futures {
        let node = tree.cancelable_node(&mut rng);
        let future = tree.contexts[node].wait_async();
        queues[name % shape.executors].push(Some((name, node, future)));
    }
    for tasks in queues {
        spawn_executor(tasks, woken_tx.clone());
    }
    // Callbacks on random cancelable nodes.
    let (ran_tx, ran) = crossbeam_channel::unbounded();
    let links: Vec<_> = (0..shape.callbacks)
        .map(|_| {
            let ran_tx = ran_tx.clone();
            let node = tree.cancelable_node(&mut rng);
            go_context::after_func(&tree.contexts[node], move || ran_tx.send(node).unwrap())
        })
        .collect();
    start.wait();

    // Cancelers and derivers, all at once.
    let (finished_tx, finished) = crossbeam_channel::unbounded();
    let stop_deriving = Arc::new(AtomicUsize::new(0));
    let mut helpers = Vec::new();
    for canceler in 0..shape.cancelers {
        let (tree, finished_tx) = (Arc::clone(&tree), finished_tx.clone());
        let mut rng = Rng(shape.seed ^ ((canceler as u64 + 1) << 32));
        helpers.push(thread::spawn(move || {
            for _ in 0..shape.cancels_each {
                cancel_one(&tree, canceler, &mut rng);
            }
            finished_tx.send(format!("canceler {canceler}")).unwrap();
        }));
    }
    let derived = Arc::new(Mutex::new(Vec::new()));
    for deriver in 0..shape.derivers {
        let (tree, finished_tx) = (Arc::clone(&tree), finished_tx.clone());
        let (stop, derived) = (Arc::clone(&stop_deriving), Arc::clone(&derived));
        let mut rng = Rng(shape.seed ^ ((deriver as u64 + 100) << 32));
        helpers.push(thread::spawn(move || {
            let mut mine = Vec::new();
            while stop.load(Ordering::Relaxed) == 0 {
                let parent = tree.cancelable_node(&mut rng);
                mine.push(derive_one(&tree, parent, &mut rng));
            }
            derived.lock().unwrap().extend(mine);
            finished_tx.send(format!("deriver {deriver}")).unwrap();
        }));
    }
    drop(finished_tx);
    for _ in 0..shape.cancelers {
        let who = finished
            .recv_timeout(BOUND)
            .expect("a canceler is stuck (deadlock?)");
        assert!(who.starts_with("canceler"), "{who} finished early");
    }
    // Cancel the root while the derivers are still deriving.
    match &tree.handles[0] {
        Some(Handle::Plain(cancel)) => cancel.cancel(),
        _ => unreachable!("the root has a plain handle"),
    }
    for (node, ctx) in tree.contexts.iter().enumerate() {
        if tree.under_root[node] {
            assert!(
                ctx.is_done(),
                "n{node} is not done after the root's cancel returned"
            );
        }
    }
    stop_deriving.store(1, Ordering::Relaxed);
    for _ in 0..shape.derivers {
        finished
            .recv_timeout(BOUND)
            .expect("a deriver is stuck (deadlock?)");
    }
    let derived = std::mem::take(&mut *derived.lock().unwrap());
    for (ctx, under_root) in &derived {
        assert!(
            !under_root || ctx.is_done(),
            "a derived {ctx} missed the root's cancel"
        );
    }

    // A helper drops its clone of the tree only after reporting "finished":
    // join them all, so that none still holds it, however loaded the machine.
    for helper in helpers {
        helper.join().expect("a helper thread panicked");
    }
    // Drop every handle: now every cancelable node is done.
    let mut tree = Arc::into_inner(tree).expect("every helper thread has let go of the tree");
    let final_errors: Vec<Option<Error>> = {
        tree.handles.clear();
        tree.contexts.iter().map(Context::err).collect()
    };
    for (node, ctx) in tree.contexts.iter().enumerate() {
        assert_eq!(
            final_errors[node].is_some(),
            tree.cancelable[node],
            "n{node}: {ctx}"
        );
        if tree.cancelable[node] {
            assert_eq!(
                testing::child_count(ctx),
                0,
                "n{node} is done but has children"
            );
            assert!(
                ctx.done().try_recv().is_err(),
                "n{node}'s done channel is open"
            );
        }
    }
    for (ctx, _) in &derived {
        assert!(
            ctx.is_done(),
            "a derived {ctx} outlived every handle above it"
        );
    }

    // Every waiter woke, and saw the node's final error.
    let waiters = shape.waiting_threads + shape.futures;
    let mut seen = 0;
    while seen < waiters {
        let (who, node, err) = match woken.recv_timeout(BOUND) {
            Ok(report) => report,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                panic!("{} of {waiters} waiters never woke", waiters - seen)
            }
        };
        assert_eq!(
            err, final_errors[node],
            "{who} on n{node} saw another error"
        );
        seen += 1;
    }
    // Every callback ran once.
    for _ in 0..shape.callbacks {
        ran.recv_timeout(BOUND)
            .expect("an after_func callback never ran");
    }
    for link in &links {
        assert!(
            !link.stop(),
            "a callback was still linked after everything was canceled"
        );
    }
}

/// Cancels a random cancelable node's handle, or fires its deadline.
fn cancel_one(tree: &Tree, canceler: usize, rng: &mut Rng) {
    let node = tree.cancelable_node(rng);
    match &tree.handles[node] {
        Some(Handle::Plain(cancel)) => {
            if rng.below(3) == 0 {
                testing::expire(&tree.contexts[node]);
            } else {
                cancel.cancel();
            }
        }
        Some(Handle::Cause(cancel)) => cancel.cancel(Some(Arc::new(Why(canceler)) as Cause)),
        None => {} // a value layer: nothing of its own to cancel
    }
}

/// Derives a child of `parent` while others cancel; a child derived from a
/// parent already done must be born done. Returns the child, and whether
/// the root's cancel must reach it.
fn derive_one(tree: &Tree, parent: usize, rng: &mut Rng) -> (Context, bool) {
    let p = &tree.contexts[parent];
    let parent_done = p.is_done();
    let (child, cancel) = if rng.below(2) == 0 {
        go_context::with_cancel(p)
    } else {
        go_context::with_timeout(p, HOUR)
    };
    if parent_done {
        assert!(child.is_done(), "a child of done n{parent} was born live");
        assert_eq!(
            child.err(),
            p.err(),
            "a child of n{parent} has another error"
        );
    }
    cancel.disarm(); // leave it to the root's cancel
    (child, tree.under_root[parent])
}
