//! Depth is bounded by memory alone: a chain of contexts as deep as Go code
//! makes when it re-wraps `ctx` on every retry is canceled, expired, printed
//! and dropped in constant stack, on threads with small stacks.
//!
//! Each shape runs at a hundred thousand links in every `cargo test`, and at
//! a million in the ignored `*_million` variants, which `.ci/run` runs in
//! release:
//!
//! ```text
//! cargo test --release -p go-context --test deep -- --include-ignored
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use go_context::{CancelFunc, Context, Error, Key, testing};

const HUNDRED_THOUSAND: usize = 100_000;
const MILLION: usize = 1_000_000;
/// A thread's default stack, and less than a deep recursion would need.
const SMALL_STACK: usize = 2 * 1024 * 1024;
const HOUR: Duration = Duration::from_secs(3600);
/// Only a failing run waits this long.
const BOUND: Duration = Duration::from_secs(120);

static LEVEL: Key<usize> = Key::new("level");

/// One test at a time: each holds up to a million links, and the timer
/// counts are process-wide.
fn serial() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A chain of `depth` links below `root`, cycling through every kind of
/// layer: cancel, deadline, value, and a cancel with `after_func` callbacks
/// registered now and then (each runs on a thread of its own, so a hundred
/// in all).
struct Chain {
    contexts: Vec<Context>,
    handles: Vec<CancelFunc>,
    callbacks: usize,
    ran: Arc<AtomicUsize>,
    links: Vec<go_context::AfterFunc>,
}

impl Chain {
    fn build(root: &Context, depth: usize) -> Chain {
        let ran = Arc::new(AtomicUsize::new(0));
        let mut chain = Chain {
            contexts: Vec::with_capacity(depth),
            handles: Vec::with_capacity(depth),
            callbacks: 0,
            ran: ran.clone(),
            links: Vec::new(),
        };
        // Each deadline a little earlier than the one above it, so that each
        // arms a timer of its own (a later one would defer to its parent's).
        let far = Instant::now() + HOUR;
        let mut ctx = root.clone();
        for level in 0..depth {
            ctx = match level % 4 {
                0 => chain.keep(go_context::with_cancel(&ctx)),
                1 => {
                    let deadline = far - Duration::from_nanos(level as u64);
                    chain.keep(go_context::with_deadline(&ctx, deadline))
                }
                2 => go_context::with_value(&ctx, &LEVEL, level),
                _ => {
                    let ctx = chain.keep(go_context::with_cancel(&ctx));
                    if level % (depth / 100).max(4) == 3 {
                        let ran = ran.clone();
                        let link = go_context::after_func(&ctx, move || {
                            ran.fetch_add(1, Ordering::Relaxed);
                        });
                        chain.links.push(link);
                        chain.callbacks += 1;
                    }
                    ctx
                }
            };
            chain.contexts.push(ctx.clone());
        }
        chain
    }

    fn keep(&mut self, (ctx, cancel): (Context, CancelFunc)) -> Context {
        self.handles.push(cancel);
        ctx
    }

    fn leaf(&self) -> &Context {
        self.contexts.last().expect("a chain has links")
    }

    /// Every link reports `err`, and every callback has run.
    fn assert_done(&self, err: Error) {
        for (level, ctx) in self.contexts.iter().enumerate() {
            assert_eq!(ctx.err(), Some(err), "level {level} is not done");
        }
        let deadline = Instant::now() + BOUND;
        while self.ran.load(Ordering::Relaxed) < self.callbacks && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(self.ran.load(Ordering::Relaxed), self.callbacks);
    }
}

/// Runs `f` on a thread with a small stack and waits for it.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(f)
        .expect("a thread")
        .join()
        .expect("the small-stack thread finished")
}

fn canceled_from_a_small_stack(depth: usize) {
    let _serial = serial();
    let (root, cancel) = go_context::with_cancel(&go_context::background());
    let chain = Chain::build(&root, depth);
    assert!(!chain.leaf().is_done());
    on_small_stack(move || cancel.cancel());
    chain.assert_done(Error::Canceled);
    assert_eq!(testing::child_count(&root), 0);
}

fn expired_by_the_timer_thread(depth: usize) {
    let _serial = serial();
    // The root must expire after the chain below it is built: time a pilot
    // build of a tenth, and give the real one three times its estimate. (Were the machine
    // to stall past that, the links built later are born expired; every
    // assertion below still holds.)
    let pilot = Instant::now();
    drop(Chain::build(&go_context::background(), depth / 10));
    let (root, _cancel) = go_context::with_timeout(
        &go_context::background(),
        pilot.elapsed() * 30 + BOUND / 1000,
    );
    let chain = Chain::build(&root, depth);
    assert_eq!(
        chain.leaf().wait_timeout(BOUND),
        Some(Error::DeadlineExceeded)
    );
    chain.assert_done(Error::DeadlineExceeded);
}

fn printed(depth: usize) {
    let _serial = serial();
    let root = go_context::background();
    let chain = Chain::build(&root, depth);
    let leaf = chain.leaf().clone();
    let (shown, debug) = on_small_stack(move || (leaf.to_string(), format!("{leaf:?}")));
    // (Never print these in a failure: they are megabytes long.)
    let tail = |text: &str| text[text.len() - 60..].to_owned();
    for text in [&shown, &debug] {
        assert!(text.starts_with("context.Background.WithCancel.WithDeadline(in "));
        assert!(text.ends_with(".WithCancel"), "…{}", tail(text));
        // One part per link, root first.
        assert_eq!(text.matches(".With").count(), depth, "…{}", tail(text));
        let last = depth - 1;
        let value = format!(".WithValue(level, {}).WithCancel", last - last % 4 - 2);
        assert!(text.contains(&value), "…{}", tail(text));
    }
}

/// Drops a disarmed chain in the given order on a small stack: nothing is
/// canceled, everything is freed, and the timers go with their contexts.
fn dropped(depth: usize, leaf_first: bool) {
    let _serial = serial();
    let timers = testing::pending_timers();
    let (root, _cancel) = go_context::with_cancel(&go_context::background());
    let mut chain = Chain::build(&root, depth);
    assert!(testing::pending_timers() >= timers + depth / 4);
    assert_eq!(testing::child_count(&root), 1);
    for handle in chain.handles.drain(..) {
        handle.disarm();
    }
    let (mut contexts, links) = (
        std::mem::take(&mut chain.contexts),
        chain.links.split_off(0),
    );
    on_small_stack(move || {
        drop(links);
        if leaf_first {
            while let Some(ctx) = contexts.pop() {
                drop(ctx);
            }
        } else {
            drop(contexts); // a Vec drops root first
        }
    });
    assert_eq!(testing::child_count(&root), 0, "the chain left its parent");
    assert_eq!(testing::pending_timers(), timers, "the timers went with it");
    assert_eq!(chain.ran.load(Ordering::Relaxed), 0, "nothing canceled it");
    assert!(!root.is_done());
}

#[test]
fn a_hundred_thousand_deep_chain_is_canceled_from_a_small_stack() {
    canceled_from_a_small_stack(HUNDRED_THOUSAND);
}

#[test]
fn a_hundred_thousand_deep_chain_is_expired_by_the_timer_thread() {
    expired_by_the_timer_thread(HUNDRED_THOUSAND);
}

#[test]
fn a_hundred_thousand_deep_chain_is_printed() {
    printed(HUNDRED_THOUSAND);
}

#[test]
fn a_hundred_thousand_deep_chain_is_dropped_leaf_first() {
    dropped(HUNDRED_THOUSAND, true);
}

#[test]
fn a_hundred_thousand_deep_chain_is_dropped_root_first() {
    dropped(HUNDRED_THOUSAND, false);
}

#[test]
#[ignore = "a million links: run in release (see the file header)"]
fn a_million_deep_chain_is_canceled_from_a_small_stack() {
    canceled_from_a_small_stack(MILLION);
}

#[test]
#[ignore = "a million links: run in release (see the file header)"]
fn a_million_deep_chain_is_expired_by_the_timer_thread() {
    expired_by_the_timer_thread(MILLION);
}

#[test]
#[ignore = "a million links: run in release (see the file header)"]
fn a_million_deep_chain_is_printed() {
    printed(MILLION);
}

#[test]
#[ignore = "a million links: run in release (see the file header)"]
fn a_million_deep_chain_is_dropped_leaf_first() {
    dropped(MILLION, true);
}

#[test]
#[ignore = "a million links: run in release (see the file header)"]
fn a_million_deep_chain_is_dropped_root_first() {
    dropped(MILLION, false);
}
