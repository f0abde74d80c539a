//! The models' races at sizes loom cannot exhaust, under shuttle's
//! randomized schedules: five threads, trees of a hundred contexts, hundreds
//! of wakers, a hundred deadlines due at once.
//!
//! Each scenario runs against the crates' third instance, built over
//! shuttle's primitives (`go_context::shuttle`, `go_waitgroup::shuttle`,
//! `go_stop_channel::shuttle`). Shuttle explores random schedules rather
//! than all of them, so a pass is evidence, not proof; what it buys is size.
//! It treats every atomic as sequentially consistent, so weak-memory bugs
//! stay loom's to find.
//!
//! A failing scenario prints the schedule that failed; run it again with
//! `SHUTTLE_SCHEDULE='<schedule>'` to replay exactly that execution (see
//! [`check`]). `SHUTTLE_SEED=<n>` picks another sequence of random schedules.

use std::sync::Arc as StdArc;
use std::time::Duration;

use shuttle::scheduler::PctScheduler;
use shuttle::sync::Arc;
use shuttle::sync::atomic::{AtomicUsize, Ordering};
use shuttle::{Config, Runner, thread};

use go_context::shuttle::{self as ctx, CancelCauseFunc, Context, Error, clock, testing};
use go_stop_channel::shuttle::stop_channel;
use go_waitgroup::shuttle::WaitGroup;
use go_waitgroup::shuttle::errgroup::Group;

use crate::wait_group::TaskError;

/// The schedules each scenario tries by default: enough to catch the
/// seeded bug below in every run tried, few enough for seconds per scenario.
pub const ITERATIONS: usize = 300;

/// Runs `scenario` under `iterations` schedules of shuttle's PCT scheduler
/// (random priorities, with three priority changes per execution: it finds
/// bugs that need a few preemptions at a chosen point, in large programs),
/// from a fixed seed so that a run is reproducible; or replays one schedule.
///
/// - `SHUTTLE_SCHEDULE=<schedule>`: replay the schedule a failure printed.
/// - `SHUTTLE_SEED=<n>`: another seed (the default is 0).
/// - `SHUTTLE_ITERATIONS=<n>`: more (or fewer) schedules.
pub fn check<F>(iterations: usize, scenario: F)
where
    F: Fn() + Send + Sync + 'static,
{
    if let Ok(schedule) = std::env::var("SHUTTLE_SCHEDULE") {
        return shuttle::replay(scenario, &schedule);
    }
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    };
    let seed = env("SHUTTLE_SEED", 0) as u64;
    let iterations = env("SHUTTLE_ITERATIONS", iterations);
    let mut config = Config::new();
    // The crates' loom-style statics (the timer queue, the logical clock)
    // are meant to go at the end of each execution.
    config.silence_warnings = true;
    let scheduler = PctScheduler::new_from_seed(seed, 3, iterations);
    Runner::new(scheduler, config).run(scenario);
}

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

fn cause(text: &'static str) -> go_context::Cause {
    StdArc::new(std::io::Error::other(text))
}

/// A tree of a hundred contexts (each node `i` below node `(i - 1) / 3`).
/// Four threads cancel four subtrees, with causes of their own, while the
/// main thread cancels the root and a fifth derives new children all over
/// the tree. Every cancel returns with its whole subtree done, winner or
/// loser; every context ends done with the cause of one of its ancestors
/// (or its own); nothing stays listed.
pub fn hundred_node_tree_canceled_from_five_threads() {
    const NODES: usize = 100;
    /// The subtrees canceled on their own, and the cause of each.
    const CANCELED: [(usize, &str); 4] = [(1, "c1"), (2, "c2"), (5, "c5"), (13, "c13")];
    check(ITERATIONS, || {
        let mut nodes: Vec<Context> = Vec::with_capacity(NODES);
        let mut cancels: Vec<Arc<CancelCauseFunc>> = Vec::with_capacity(NODES);
        for i in 0..NODES {
            let parent = if i == 0 {
                ctx::background()
            } else {
                nodes[(i - 1) / 3].clone()
            };
            let (node, cancel) = ctx::with_cancel_cause(&parent);
            nodes.push(node);
            cancels.push(Arc::new(cancel));
        }
        let subtree = |root: usize| -> Vec<usize> {
            let mut all = vec![root];
            let mut i = 0;
            while i < all.len() {
                let parent = all[i];
                all.extend((1..NODES).filter(|&c| (c - 1) / 3 == parent));
                i += 1;
            }
            all
        };
        let cancelers: Vec<_> = CANCELED
            .iter()
            .map(|&(node, why)| {
                let (cancel, nodes, below) = (cancels[node].clone(), nodes.clone(), subtree(node));
                thread::spawn(move || {
                    cancel.cancel(Some(cause(why)));
                    for i in below {
                        assert!(
                            nodes[i].is_done(),
                            "a cancel returned while a descendant was still open"
                        );
                    }
                })
            })
            .collect();
        let deriver = thread::spawn({
            let nodes = nodes.clone();
            move || {
                (0..NODES)
                    .step_by(7)
                    .map(|i| ctx::with_cancel(&nodes[i]))
                    .collect::<Vec<_>>()
            }
        });
        cancels[0].cancel(Some(cause("root")));
        for node in &nodes {
            assert!(node.is_done(), "the root's cancel left a context open");
        }
        for canceler in cancelers {
            canceler.join().unwrap();
        }
        for (derived, _cancel) in deriver.join().unwrap() {
            assert_eq!(
                derived.err(),
                Some(Error::Canceled),
                "a context derived during the cancels was left open"
            );
        }
        for (i, node) in nodes.iter().enumerate() {
            let cause = node.cause().unwrap().to_string();
            let mut ancestors = vec![];
            let mut n = i;
            loop {
                ancestors.push(match CANCELED.iter().find(|(node, _)| *node == n) {
                    Some((_, why)) => *why,
                    None if n == 0 => "root",
                    None => "",
                });
                if n == 0 {
                    break;
                }
                n = (n - 1) / 3;
            }
            assert!(
                ancestors.contains(&cause.as_str()),
                "node {i} has cause {cause}, not one of its ancestors'"
            );
            assert_eq!(
                testing::child_count(node),
                0,
                "a canceled context still lists a child"
            );
        }
    });
}

/// Four threads block in `wait` and two hundred futures in `wait_async` on
/// shuttle's executor; one cancel wakes every one of them (the blocked
/// threads by relay, each handing half of the rest to the next).
pub fn one_cancel_wakes_hundreds_of_waiters() {
    const THREADS: usize = 4;
    const FUTURES: usize = 200;
    // A third of the schedules: each wakes two hundred futures.
    check(ITERATIONS / 3, || {
        let (ctx, cancel) = ctx::with_cancel(&ctx::background());
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let ctx = ctx.clone();
                thread::spawn(move || ctx.wait())
            })
            .collect();
        let futures: Vec<_> = (0..FUTURES)
            .map(|_| {
                let wait = ctx.wait_async();
                shuttle::future::spawn(wait)
            })
            .collect();
        cancel.cancel();
        for thread in threads {
            assert_eq!(thread.join().unwrap(), Error::Canceled);
        }
        for future in futures {
            assert_eq!(shuttle::future::block_on(future).unwrap(), Error::Canceled);
        }
        assert_eq!(testing::registered_wakers(&ctx), 0);
    });
}

/// Eight tasks and three waiters on one wait group: every waiter returns
/// after every task, and sees each task's work; then the group is reused.
pub fn wait_group_of_eight_tasks_and_three_waiters() {
    check(ITERATIONS, || {
        let wg = WaitGroup::new();
        let finished = Arc::new(AtomicUsize::new(0));
        for _ in 0..8 {
            let finished = finished.clone();
            wg.go(move || {
                finished.fetch_add(1, Ordering::Relaxed);
            });
        }
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let (wg, finished) = (wg.clone(), finished.clone());
                thread::spawn(move || {
                    wg.wait();
                    assert_eq!(
                        finished.load(Ordering::Relaxed),
                        8,
                        "a wait returned before every task"
                    );
                })
            })
            .collect();
        for waiter in waiters {
            waiter.join().unwrap();
        }
        wg.go(|| {});
        wg.wait();
        assert_eq!(format!("{wg:?}"), "WaitGroup { count: 0, waiters: 0 }");
    });
}

/// Three threads start ten tasks at once on an error group limited to two,
/// with `go` and `try_go`: never more than two run at once, every task `go`
/// started runs, and the first error cancels the siblings that watch the
/// group's context.
pub fn error_group_limit_under_three_spawners() {
    check(ITERATIONS, || {
        let (g, ctx) = Group::<TaskError>::with_context(&ctx::background());
        g.set_limit(Some(2));
        let running = Arc::new(AtomicUsize::new(0));
        let ran = Arc::new(AtomicUsize::new(0));
        let counts = (running.clone(), ran.clone(), ctx.clone());
        let spawners: Vec<_> = (0..2)
            .map(|s| {
                let (g, counts) = (g.clone(), counts.clone());
                thread::spawn(move || {
                    for i in 0..4 {
                        g.go(limited(&counts, s == 0 && i == 2));
                    }
                })
            })
            .collect();
        let tried = (0..2).filter(|_| g.try_go(limited(&counts, false))).count();
        for spawner in spawners {
            spawner.join().unwrap();
        }
        assert_eq!(g.wait(), Err(TaskError("first")));
        assert_eq!(
            ran.load(Ordering::SeqCst),
            8 + tried,
            "a started task never ran"
        );
        assert_eq!(ctx.cause().unwrap().to_string(), "first");
    });
}

/// What a task of [`error_group_limit_under_three_spawners`] shares: how
/// many run now, how many ran, the group's context.
type Counts = (Arc<AtomicUsize>, Arc<AtomicUsize>, Context);

/// A task that fails the scenario if more than two run at once, and fails
/// itself if `fail`.
fn limited(counts: &Counts, fail: bool) -> impl FnOnce() -> Result<(), TaskError> + Send + 'static {
    let (running, ran, ctx) = counts.clone();
    move || {
        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
        assert!(now <= 2, "more tasks ran at once than the limit");
        ran.fetch_add(1, Ordering::SeqCst);
        running.fetch_sub(1, Ordering::SeqCst);
        if fail {
            return Err(TaskError("first"));
        }
        if ctx.is_done() {
            ctx.wait(); // a watcher: returns at once, canceled
        }
        Ok(())
    }
}

/// Six watchers subscribe and wait while the stop channel closes: each
/// returns, and finds the stop closed and its channel disconnected.
pub fn six_watchers_see_the_close() {
    check(ITERATIONS, || {
        let (stop, signal) = stop_channel();
        let watchers: Vec<_> = (0..6)
            .map(|_| {
                let signal = signal.clone();
                thread::spawn(move || {
                    let mine = signal.clone();
                    mine.wait();
                    assert!(mine.is_closed());
                    assert!(
                        mine.try_recv().is_err_and(|err| err.is_disconnected()),
                        "a watcher's channel is still open after wait()"
                    );
                })
            })
            .collect();
        stop.close();
        for watcher in watchers {
            watcher.join().unwrap();
        }
    });
}

/// Four threads arm deadlines on their own shards, two of them cancel
/// some, and the main thread moves the clock on while the timer thread
/// fires them; one thread arms a hundred deadlines due at the same tick, on
/// one shard, more than the thread takes from a shard at once (64). Every
/// deadline not canceled fires, none early; nothing is left armed or
/// listed. A deadline the thread forgets is a `wait` that never returns,
/// which shuttle reports as a deadlock.
pub fn a_hundred_deadlines_due_at_once_on_four_shards() {
    check(ITERATIONS / 3, || {
        clock::start_timer_thread();
        let (root, _cancel_root) = ctx::with_cancel(&ctx::background());
        let start = clock::now();
        let armers: Vec<_> = (0..4)
            .map(|t| {
                let root = root.clone();
                thread::spawn(move || {
                    let count = if t == 0 { 100 } else { 5 };
                    let mut armed: Vec<_> = (0..count)
                        .map(|i| {
                            let at = if t == 0 { 40 } else { 5 + 3 * i as u64 };
                            ctx::with_deadline(&root, start + ms(at))
                        })
                        .collect();
                    if t >= 2 {
                        // Cancel the odd ones, perhaps as they fire.
                        for (i, (_, cancel)) in armed.iter_mut().enumerate() {
                            if i % 2 == 1 {
                                cancel.cancel();
                            }
                        }
                    }
                    armed
                })
            })
            .collect();
        for _ in 0..6 {
            clock::advance(ms(4));
            thread::yield_now();
        }
        let armed: Vec<_> = armers
            .into_iter()
            .flat_map(|armer| armer.join().unwrap())
            .collect();
        let now = clock::now();
        for (ctx, _cancel) in &armed {
            let deadline = ctx.deadline().unwrap();
            if deadline <= now {
                ctx.wait(); // canceled, or fired by the thread
            } else {
                assert!(
                    !ctx.is_done(),
                    "a deadline fired before the clock reached it"
                );
            }
        }
        clock::advance(ms(20));
        for (ctx, _cancel) in &armed {
            assert!(
                matches!(ctx.wait(), Error::DeadlineExceeded | Error::Canceled),
                "unreachable: wait returns an error"
            );
        }
        clock::stop_timer_thread();
        drop(armed);
        assert_eq!(testing::pending_timers(), 0, "a timer outlived its context");
        assert_eq!(testing::child_count(&root), 0, "a context is still listed");
    });
}
