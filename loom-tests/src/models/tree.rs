//! Races on the shape of the tree: deriving, canceling, dropping handles.

use loom::sync::Arc;
use loom::thread;

use crate::api::{Contexts, Error};
use crate::support::{CONTEXT_BOUND, check};

/// The child of a canceled parent has the parent's error and cause, and the
/// parent no longer lists it.
fn assert_inherited<T: Contexts>(parent: &T::Context, child: &T::Context) {
    assert_eq!(
        T::err(child),
        Some(Error::Canceled),
        "child missed its parent's cancel"
    );
    assert_eq!(
        T::cause(child).as_deref(),
        Some("parent"),
        "child's cause is not its parent's"
    );
    assert_eq!(
        T::child_count(parent),
        0,
        "a canceled parent still lists a child"
    );
}

/// Model 1: a child derived while its parent is being canceled ends up done,
/// with the parent's error and cause, and is not left in the parent's list.
pub fn parent_cancel_races_child_derivation<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (parent, cancel) = T::root();
        let canceler = thread::spawn(move || T::cancel(&cancel, Some("parent")));
        let (child, _cancel_child) = T::with_cancel(&parent);
        canceler.join().unwrap();
        assert_inherited::<T>(&parent, &child);
    });
}

/// Model 1, through a value layer: deriving from `with_value(parent)` links
/// the child to the parent's cancel node just the same.
pub fn parent_cancel_races_derivation_through_value_layer<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (parent, cancel) = T::root();
        let layer = T::with_value(&parent);
        let canceler = thread::spawn(move || T::cancel(&cancel, Some("parent")));
        let (child, _cancel_child) = T::with_cancel(&layer);
        canceler.join().unwrap();
        assert_inherited::<T>(&parent, &child);
    });
}

/// Model 1, two levels down: a grandchild derived (through a child) while
/// the root is being canceled ends up done with the root's error and cause.
pub fn root_cancel_races_grandchild_derivation<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (parent, cancel) = T::root();
        let (child, _cancel_child) = T::with_cancel(&parent);
        let canceler = thread::spawn(move || T::cancel(&cancel, Some("parent")));
        let (grandchild, _cancel_grandchild) = T::with_cancel(&child);
        canceler.join().unwrap();
        assert_inherited::<T>(&child, &grandchild);
        assert_eq!(
            T::child_count(&parent),
            0,
            "a canceled root still lists a child"
        );
    });
}

/// Model 2: parent and child canceled at once, with different causes. Both
/// end done, nothing deadlocks, the child leaves the parent's list, and the
/// child's cause, once readable, never changes (whichever cancel won).
pub fn parent_cancel_races_child_cancel<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (parent, cancel_parent) = T::root();
        let (child, cancel_child) = T::with_cancel(&parent);
        let a = thread::spawn({
            let child = child.clone();
            move || {
                T::cancel(&cancel_parent, Some("parent"));
                // Cancel is synchronous for the whole subtree.
                assert!(
                    T::is_done(&child),
                    "cancel returned before its subtree was done"
                );
            }
        });
        let b = thread::spawn(move || T::cancel(&cancel_child, Some("child")));

        let first = T::cause(&child);
        let second = T::cause(&child);
        a.join().unwrap();
        b.join().unwrap();

        let last = T::cause(&child);
        for seen in [first, second].into_iter().flatten() {
            assert_eq!(
                Some(&seen),
                last.as_ref(),
                "the child's cause changed after it was read"
            );
        }
        assert!(
            matches!(last.as_deref(), Some("parent" | "child")),
            "the child's cause is {last:?}"
        );
        assert_eq!(T::err(&child), Some(Error::Canceled));
        assert_eq!(T::err(&parent), Some(Error::Canceled));
        assert_eq!(T::cause(&parent).as_deref(), Some("parent"));
        assert_eq!(
            T::child_count(&parent),
            0,
            "a canceled child is still listed"
        );
    });
}

/// Model 3: two cancels of one context with different causes. Exactly one
/// wins: both cancelers, once their call returns, read the same cause, and a
/// reader that saw an error saw that cause too, never a changing one.
pub fn two_cancels_race_on_one_context<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (ctx, cancel) = T::root();
        let cancel = Arc::new(cancel);
        let cancelers = ["first", "second"].map(|why| {
            let (ctx, cancel) = (ctx.clone(), cancel.clone());
            thread::spawn(move || {
                T::cancel(&cancel, Some(why));
                T::cause(&ctx).expect("done once cancel returned")
            })
        });

        let err = T::err(&ctx);
        let seen = T::cause(&ctx);
        let [first, second] = cancelers.map(|t| t.join().unwrap());

        assert_eq!(first, second, "the two cancels disagree on the winner");
        assert!(
            first == "first" || first == "second",
            "the cause is {first:?}"
        );
        if err.is_some() {
            assert_eq!(
                seen.as_ref(),
                Some(&first),
                "the cause changed after it was read"
            );
        }
        assert_eq!(T::err(&ctx), Some(Error::Canceled));
    });
}

/// Model 8: a child's cancel handle is dropped while its parent is being
/// canceled. Once the drop returns the child is done and no longer listed
/// (it left, or the parent's cancel took it); the child is canceled once;
/// and nothing leaks (loom checks every `Arc` is freed: a parent↔child
/// cycle left behind would be reported).
pub fn handle_drop_races_parent_cancel<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (parent, cancel_parent) = T::root();
        let (child, cancel_child) = T::with_cancel(&parent);
        let dropper = thread::spawn({
            let (parent, child) = (parent.clone(), child.clone());
            move || {
                drop(cancel_child);
                assert!(T::is_done(&child), "dropping the handle did not cancel");
                assert_eq!(
                    T::child_count(&parent),
                    0,
                    "a dropped handle left its context registered with the parent"
                );
                T::cause(&child)
            }
        });
        T::cancel(&cancel_parent, Some("parent"));
        let seen = dropper.join().unwrap();

        assert_eq!(
            T::cause(&child),
            seen,
            "the child was canceled twice: its cause changed"
        );
        assert_eq!(T::err(&child), Some(Error::Canceled));
        assert_eq!(T::child_count(&parent), 0);
    });
}

/// Model 9: a `without_cancel` context, and a child derived from it, never
/// become done, whatever their ancestor's cancel is doing meanwhile.
pub fn without_cancel_ignores_parent_cancel<T: Contexts>() {
    check(CONTEXT_BOUND, || {
        let (parent, cancel) = T::root();
        let detached = T::without_cancel(&parent);
        // The cancel runs on this thread, first: see `done.rs` for why.
        let observer = thread::spawn({
            let detached = detached.clone();
            move || {
                let (child, cancel_child) = T::with_cancel(&detached);
                let seen = T::is_done(&detached) || T::is_done(&child);
                (child, cancel_child, seen)
            }
        });
        T::cancel(&cancel, Some("parent"));
        let (child, _cancel_child, seen) = observer.join().unwrap();

        assert!(T::is_done(&parent));
        assert!(
            !seen && T::err(&detached).is_none(),
            "a without_cancel context became done with its parent"
        );
        assert_eq!(
            T::err(&child),
            None,
            "the child of a without_cancel context was canceled from above"
        );
    });
}
