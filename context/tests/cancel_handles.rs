//! `CancelFunc` and `CancelCauseFunc`: cancel on call or on drop (Go's
//! `defer cancel()`), `disarm` to opt out, first cancel wins.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use go_context::testing::child_count;
use go_context::{Cause, Error, background, with_cancel, with_cancel_cause, with_timeout};

const THREADS: usize = 8;
/// A failure timeout: only a failing test waits this long.
const QUIESCENT: Duration = Duration::from_secs(10);

fn cause(msg: &str) -> Cause {
    Arc::new(std::io::Error::other(msg.to_owned()))
}

#[test]
fn dropping_the_handle_cancels() {
    let (parent, _cancel) = with_cancel(&background());
    let ctx = {
        let (ctx, _cancel) = with_cancel(&parent); // Go: defer cancel()
        assert!(!ctx.is_done());
        assert_eq!(child_count(&parent), 1);
        ctx
    };
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert_eq!(
        child_count(&parent),
        0,
        "the drop removed it from its parent"
    );
}

#[test]
fn dropping_a_cause_handle_cancels_without_a_cause() {
    let (ctx, cancel) = with_cancel_cause(&background());
    drop(cancel);
    assert_eq!(ctx.err(), Some(Error::Canceled));
    let cause = ctx.cause().unwrap();
    assert_eq!(cause.downcast_ref::<Error>(), Some(&Error::Canceled));
}

#[test]
fn a_handle_dropped_on_another_thread_cancels() {
    let (ctx, cancel) = with_cancel(&background());
    thread::spawn(move || drop(cancel)).join().unwrap();
    assert_eq!(ctx.err(), Some(Error::Canceled));
}

#[test]
fn disarm_keeps_the_context_until_its_parent_is_canceled() {
    let (parent, cancel_parent) = with_cancel(&background());
    let (child, cancel_child) = with_cancel(&parent);
    cancel_child.disarm();
    assert!(!child.is_done());
    assert_eq!(child_count(&parent), 1, "still registered, as in Go");
    cancel_parent.cancel();
    assert_eq!(child.err(), Some(Error::Canceled));
    assert_eq!(child_count(&parent), 0);
}

#[test]
fn disarm_keeps_the_deadline() {
    let (ctx, cancel) = with_timeout(&background(), Duration::from_millis(5));
    cancel.disarm();
    assert_eq!(ctx.wait_timeout(QUIESCENT), Some(Error::DeadlineExceeded));
}

#[test]
fn disarm_on_a_cause_handle() {
    let (ctx, cancel) = with_cancel_cause(&background());
    cancel.disarm();
    assert!(!ctx.is_done());
}

#[test]
fn the_first_cancel_wins_error_and_cause() {
    let (ctx, cancel) = with_cancel_cause(&background());
    let first = cause("first");
    cancel.cancel(Some(first.clone()));
    cancel.cancel(Some(cause("second")));
    cancel.cancel(None);
    assert_eq!(ctx.err(), Some(Error::Canceled));
    assert!(Arc::ptr_eq(&ctx.cause().unwrap(), &first));
    drop(cancel); // and the drop changes nothing either
    assert!(Arc::ptr_eq(&ctx.cause().unwrap(), &first));
}

#[test]
fn a_child_canceled_by_its_parent_keeps_the_parents_cause() {
    let (parent, cancel_parent) = with_cancel_cause(&background());
    let (child, cancel_child) = with_cancel_cause(&parent);
    let why = cause("parent done");
    cancel_parent.cancel(Some(why.clone()));
    cancel_child.cancel(Some(cause("too late")));
    drop(cancel_child);
    assert!(Arc::ptr_eq(&child.cause().unwrap(), &why));
}

#[test]
fn many_threads_may_cancel_through_one_shared_handle() {
    let (ctx, cancel) = with_cancel_cause(&background());
    let causes: Vec<Cause> = (0..THREADS)
        .map(|i| cause(&format!("thread {i}")))
        .collect();
    thread::scope(|s| {
        for why in &causes {
            let (ctx, cancel) = (&ctx, &cancel);
            s.spawn(move || {
                cancel.cancel(Some(why.clone()));
                // Whoever won, the context is done when `cancel` returns.
                assert_eq!(ctx.err(), Some(Error::Canceled));
            });
        }
    });
    let winner = ctx.cause().unwrap();
    assert_eq!(
        causes.iter().filter(|c| Arc::ptr_eq(c, &winner)).count(),
        1,
        "exactly one cause won: {winner}"
    );
}

#[test]
fn cancel_reaches_the_whole_subtree_before_returning() {
    let (root, cancel) = with_cancel(&background());
    let mut leaves = Vec::new();
    let mut handles = Vec::new();
    for _ in 0..THREADS {
        let (mid, h1) = with_cancel(&root);
        let (leaf, h2) = with_timeout(&mid, Duration::from_secs(3600));
        leaves.push(leaf);
        handles.extend([h1, h2]);
    }
    cancel.cancel();
    assert!(
        leaves
            .iter()
            .all(|leaf| leaf.err() == Some(Error::Canceled))
    );
    assert_eq!(child_count(&root), 0);
}
