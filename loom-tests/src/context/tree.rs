//! Races on the shape of the tree: deriving, canceling, dropping handles.

use loom::sync::Arc;
use loom::thread;

use crate::context::{Contexts, Error};
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

/// The broken twins of these models: each is a textbook with one step
/// written the naive way, and `tests/twins.rs` runs it against the model
/// that must reject it.
pub mod twins {
    pub use self::cascade_overwrites::CascadeOverwrites;
    pub use self::check_then_register::CheckThenRegister;
    pub use self::drop_skips_detach::DropSkipsDetach;
    pub use self::shared_cancel::SharedCancel;
    pub use self::torn_cause::TornCause;

    mod check_then_register {
        //! Twin of model 1: a child registered in a second critical section.
        //!
        //! **The bug.** Deriving a child looks at the parent's state under its lock,
        //! releases the lock, and then registers the child under a second one.
        //!
        //! **The interleaving.** The deriving thread sees the parent open and
        //! releases its lock; the parent's cancel runs to completion, taking (and
        //! canceling) the children it has, which do not include the new one; the
        //! deriving thread then adds the child to a parent that is already done.
        //! The child is never canceled, and it stays listed by a dead parent.
        //!
        //! **Caught by** `parent_cancel_races_child_derivation` (and its value-layer
        //! variant): "child missed its parent's cancel".

        use loom::sync::Arc;

        use crate::context::textbook::{Node, Steps};

        /// The textbook context with [`Steps::register`] split in two.
        #[derive(Debug)]
        pub struct CheckThenRegister;

        impl Steps for CheckThenRegister {
            fn register(parent: &Arc<Node>, child: &Arc<Node>) {
                let (parent_err, parent_cause) = {
                    let inner = parent.lock();
                    (parent.err_locked(), inner.cause)
                }; // BUG: the lock is released between the check and the insert
                match parent_err {
                    Some(err) => {
                        Self::cancel_subtree(child, err, parent_cause);
                    }
                    None => parent.lock().children.push(child.clone()),
                }
            }
        }
    }

    mod cascade_overwrites {
        //! Twin of model 2: a cascade that stamps its error over a canceled child.
        //!
        //! **The bug.** The "first cancel wins" check is left out of the cascade:
        //! the parent's cancel is taken to be final, so every node below gets the
        //! parent's error and cause, whatever it had already.
        //!
        //! **The interleaving.** The child is canceled on its own with cause
        //! "child", and a reader sees that cause. Before the child has left the
        //! parent's list, the parent's cancel takes the list and re-publishes the
        //! child with cause "parent". The reader's next look shows another cause:
        //! the child was canceled twice.
        //!
        //! **Caught by** `parent_cancel_races_child_cancel`: "the child's cause
        //! changed after it was read".

        use std::mem;

        use loom::sync::Arc;

        use crate::context::Error;
        use crate::context::textbook::{Node, Steps, release};

        /// The textbook context whose cascade has no first-wins check.
        #[derive(Debug)]
        pub struct CascadeOverwrites;

        impl Steps for CascadeOverwrites {
            fn cancel_subtree(node: &Arc<Node>, err: Error, cause: Option<&'static str>) -> bool {
                let inner = node.lock();
                if node.err_locked().is_some() {
                    return false; // the first direct cancel wins…
                }
                let mut inner = Self::publish(node, inner, err, cause);
                release(&mut inner);
                for child in mem::take(&mut inner.children) {
                    stamp(&child, err, cause);
                }
                true
            }
        }

        /// Cancels a descendant with its ancestor's error and cause.
        fn stamp(node: &Arc<Node>, err: Error, cause: Option<&'static str>) {
            let inner = node.lock();
            // BUG: …but not in the cascade: no `if node.err_locked().is_some()`.
            let mut inner = CascadeOverwrites::publish(node, inner, err, cause);
            release(&mut inner);
            for child in mem::take(&mut inner.children) {
                stamp(&child, err, cause);
            }
        }
    }

    mod torn_cause {
        //! Twin of model 3: every cancel records its cause, only the first one wins.
        //!
        //! **The bug.** The cancel writes its cause first and checks whether the
        //! context is already canceled second. The error stays the first cancel's,
        //! but a later cancel overwrites the cause.
        //!
        //! **The interleaving.** Cancel "first" wins and returns; its caller reads
        //! "first". Cancel "second" then writes "second" before finding the context
        //! done; its caller reads "second". Two callers of one context disagree on
        //! why it was canceled, and a reader saw the cause change.
        //!
        //! **Caught by** `two_cancels_race_on_one_context`: "the two cancels
        //! disagree on the winner" (or "the cause changed after it was read").

        use std::mem;

        use loom::sync::Arc;

        use crate::context::Error;
        use crate::context::textbook::{Node, Steps, release};

        /// The textbook context whose [`Steps::cancel_subtree`] records the cause
        /// before the first-wins check.
        #[derive(Debug)]
        pub struct TornCause;

        impl Steps for TornCause {
            fn cancel_subtree(node: &Arc<Node>, err: Error, cause: Option<&'static str>) -> bool {
                let mut inner = node.lock();
                inner.cause = cause; // BUG: written before the check below
                if node.err_locked().is_some() {
                    return false;
                }
                let mut inner = Self::publish(node, inner, err, cause);
                release(&mut inner);
                for child in mem::take(&mut inner.children) {
                    Self::cancel_subtree(&child, err, cause);
                }
                true
            }
        }
    }

    mod drop_skips_detach {
        //! Twin of model 8: a dropped handle cancels but does not unregister.
        //!
        //! **The bug.** Detaching from the parent takes the parent's lock, and the
        //! parent's cancel may be running, holding that lock while it locks its
        //! children. To stay clear of that, dropping a handle cancels the context
        //! but leaves it in the parent's list: "the parent drops its dead children
        //! when it is canceled".
        //!
        //! **The interleaving.** When the drop comes first, the canceled child stays
        //! listed until the parent's cancel, which may never come: a long-lived
        //! parent grows with every short-lived child (the leak Go's
        //! `removeChild` exists for). The textbook, like Go, detaches after
        //! releasing the child's lock, so there is no lock-order problem to dodge.
        //!
        //! **Caught by** `handle_drop_races_parent_cancel`: "a dropped handle left
        //! its context registered with the parent".

        use loom::sync::Arc;

        use crate::context::Error;
        use crate::context::textbook::{Node, Steps};

        /// The textbook context whose [`Steps::drop_handle`] does not detach.
        #[derive(Debug)]
        pub struct DropSkipsDetach;

        impl Steps for DropSkipsDetach {
            fn drop_handle(node: &Arc<Node>) {
                Self::cancel_subtree(node, Error::Canceled, None); // BUG: no detach
            }
        }
    }

    mod shared_cancel {
        //! Twin of model 9: `without_cancel` that copies its parent.
        //!
        //! **The bug.** `without_cancel` should keep the parent's values and drop
        //! its cancellation. Copying the parent handle keeps the values, and the
        //! parent's cancel node with them.
        //!
        //! **The interleaving.** Any: once the parent's cancel has run, the
        //! detached context reports done, and so does every context derived from
        //! it. The race in the model only shows the cancel can land at any point.
        //!
        //! **Caught by** `without_cancel_ignores_parent_cancel`: "a without_cancel
        //! context became done with its parent".

        use crate::context::textbook::{Context, Steps};

        /// The textbook context whose [`Steps::without_cancel`] shares the parent's
        /// cancel node.
        #[derive(Debug)]
        pub struct SharedCancel;

        impl Steps for SharedCancel {
            fn without_cancel(parent: &Context) -> Context {
                parent.clone() // BUG: the parent's cancel node comes along
            }
        }
    }
}
