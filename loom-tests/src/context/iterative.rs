//! Races on the iterative cancel: the walk that claims one node at a time,
//! with no lock held across nodes, and the links that leave the tree when
//! their last reference is dropped.
//!
//! These models need only the tree ([`Trees`]): they run against the real
//! crate, the iterative textbook
//! ([`IterativeTextbook`](crate::context::iterative_textbook::IterativeTextbook)) and its twins.
//! Those that hold for Go's design too run against the Go textbook as well;
//! the two about dropping check a promise Go does not make (a context nobody
//! refers to any more leaves its parent at once).
//!
//! The `ANCHOR` comments mark the listings the book includes.

use loom::thread;

use crate::context::{Error, Trees};
use crate::support::{CONTEXT_BOUND, check};

// ANCHOR: assert_done
/// Asserts that every context in `subtree` is done: what a cancel of their
/// ancestor promises once it has returned, whichever cancel won.
fn assert_done<T: Trees>(subtree: &[&T::Context]) {
    for ctx in subtree {
        assert_eq!(
            T::err(ctx),
            Some(Error::Canceled),
            "a cancel returned while a descendant was still open"
        );
    }
}
// ANCHOR_END: assert_done

// ANCHOR: overlapping_cancels_wait_for_the_subtree
/// Two cancels of overlapping subtrees: root → a → b → c, the root canceled
/// on one thread and `a` on another. Each cancel, winner or loser, returns
/// only once every descendant of the node it canceled is done, and the
/// subtree below `a` is canceled by one of them, not partly by each.
///
/// This model found a bug in the crate's first iterative cancel, which took
/// a node out of its parent's list right after claiming it, before walking
/// its subtree: the root's cancel could then find no child and return while
/// `b` was still open. A cancel now leaves its parent only once its subtree
/// has settled, as the iterative textbook does (and as Go's `removeChild`
/// comes after the cascade).
pub fn overlapping_cancels_wait_for_the_subtree<T: Trees>() {
    check(CONTEXT_BOUND, || {
        let (root, cancel_root) = T::root();
        let (a, cancel_a) = T::with_cancel(&root);
        let (b, _cancel_b) = T::with_cancel(&a);
        let (c, _cancel_c) = T::with_cancel(&b);
        let inner = thread::spawn({
            let (a, b, c) = (a.clone(), b.clone(), c.clone());
            move || {
                T::cancel(&cancel_a, Some("a"));
                assert_done::<T>(&[&a, &b, &c]);
            }
        });
        T::cancel(&cancel_root, Some("root"));
        assert_done::<T>(&[&root, &a, &b, &c]);
        inner.join().unwrap();

        let cause = T::cause(&a);
        assert!(matches!(cause.as_deref(), Some("root" | "a")));
        for below in [&b, &c] {
            assert_eq!(
                T::cause(below),
                cause,
                "a subtree was canceled partly by each cancel"
            );
        }
        for parent in [&root, &a, &b] {
            assert_eq!(T::child_count(parent), 0, "a canceled node lists a child");
        }
    });
}
// ANCHOR_END: overlapping_cancels_wait_for_the_subtree

// ANCHOR: child_detach_races_parent_cancel
/// A child detaching while its parent cancels: the parent has two children,
/// and one thread drops the last context and the disarmed handle of one of
/// them while the main thread cancels the parent. The freed child is gone
/// from the parent's list once its drop returns; the other child is done
/// once the cancel returns; nothing stays listed.
///
/// The freed child is registered last, so that a walk taking the children
/// from the end of the list meets it first, possibly half-freed.
pub fn child_detach_races_parent_cancel<T: Trees>() {
    check(CONTEXT_BOUND, || {
        let (parent, cancel) = T::root();
        let (kept, _cancel_kept) = T::with_cancel(&parent);
        let (freed, cancel_freed) = T::with_cancel(&parent);
        let dropper = thread::spawn({
            let parent = parent.clone();
            move || {
                T::disarm(cancel_freed);
                drop(freed); // the last reference
                assert!(
                    T::child_count(&parent) <= 1,
                    "a freed child is still registered with its parent"
                );
            }
        });
        T::cancel(&cancel, Some("parent"));
        assert_eq!(
            T::err(&kept),
            Some(Error::Canceled),
            "a live child missed its parent's cancel"
        );
        dropper.join().unwrap();
        assert_eq!(
            T::child_count(&parent),
            0,
            "a canceled parent lists a child"
        );
    });
}
// ANCHOR_END: child_detach_races_parent_cancel

// ANCHOR: half_way_cancel_races_grandchild_derivation
/// A child derived while its parent's cancel is half-way: the root has two
/// children, so its cancel is a walk of several steps, and the main thread
/// derives a grandchild under the child the walk reaches last. Once the
/// cancel has returned the grandchild is done, with the root's cause: it was
/// born done or the walk reached it, and was never left open under a
/// canceled parent.
pub fn half_way_cancel_races_grandchild_derivation<T: Trees>() {
    check(CONTEXT_BOUND, || {
        let (root, cancel) = T::root();
        let (first, _cancel_first) = T::with_cancel(&root);
        let (second, _cancel_second) = T::with_cancel(&root);
        let canceler = thread::spawn(move || T::cancel(&cancel, Some("root")));
        let (grandchild, _cancel_grandchild) = T::with_cancel(&first);
        canceler.join().unwrap();

        assert_eq!(
            T::err(&grandchild),
            Some(Error::Canceled),
            "a context derived during the cancel was left open"
        );
        assert_eq!(T::cause(&grandchild).as_deref(), Some("root"));
        assert_done::<T>(&[&first, &second]);
        for parent in [&root, &first] {
            assert_eq!(T::child_count(parent), 0, "a canceled node lists a child");
        }
    });
}
// ANCHOR_END: half_way_cancel_races_grandchild_derivation

/// The order in which [`chain_drop_races_root_cancel`] drops the chain.
#[derive(Clone, Copy, Debug)]
pub enum DropOrder {
    /// `c`, then `b`: each drop frees one link.
    LeafFirst,
    /// `b`, then `c`: the first drop frees nothing (`c` holds `b`), the
    /// second frees both, one link after the other.
    RootFirst,
}

// ANCHOR: chain_drop_races_root_cancel
/// Drop of a chain racing a cancel: root → a → b → c, every handle but the
/// root's disarmed. One thread drops the last contexts of `b` and `c` (in
/// `order`) while the main thread cancels the root. `a`, still referenced,
/// is done once the cancel returns; the freed links are gone from the tree
/// once their drops return; nothing panics or deadlocks.
pub fn chain_drop_races_root_cancel<T: Trees>(order: DropOrder) {
    check(CONTEXT_BOUND, move || {
        let (root, cancel) = T::root();
        let (a, cancel_a) = T::with_cancel(&root);
        let (b, cancel_b) = T::with_cancel(&a);
        let (c, cancel_c) = T::with_cancel(&b);
        for handle in [cancel_a, cancel_b, cancel_c] {
            T::disarm(handle);
        }
        let dropper = thread::spawn({
            let a = a.clone();
            move || {
                match order {
                    DropOrder::LeafFirst => drop((c, b)),
                    DropOrder::RootFirst => drop((b, c)),
                }
                assert_eq!(
                    T::child_count(&a),
                    0,
                    "a freed link is still registered with its parent"
                );
            }
        });
        T::cancel(&cancel, Some("root"));
        assert_eq!(
            T::err(&a),
            Some(Error::Canceled),
            "a context still referenced missed the root's cancel"
        );
        dropper.join().unwrap();
        assert_eq!(T::child_count(&root), 0, "a canceled root lists a child");
    });
}
// ANCHOR_END: chain_drop_races_root_cancel

/// [`chain_drop_races_root_cancel`], the leaf dropped first.
pub fn chain_dropped_leaf_first_races_root_cancel<T: Trees>() {
    chain_drop_races_root_cancel::<T>(DropOrder::LeafFirst);
}

/// [`chain_drop_races_root_cancel`], the link nearest the root dropped
/// first.
pub fn chain_dropped_root_first_races_root_cancel<T: Trees>() {
    chain_drop_races_root_cancel::<T>(DropOrder::RootFirst);
}

/// The broken twins of these models: each is a textbook with one step
/// written the naive way, and `tests/twins.rs` runs it against the model
/// that must reject it.
pub mod twins {
    pub use self::loser_returns_early::LoserReturnsEarly;
    pub use self::split_claim::SplitClaim;
    pub use self::unlink_whole_chain::UnlinkWholeChain;
    pub use self::walk_stops_at_dead_child::WalkStopsAtDeadChild;

    walk_trees!(
        LoserReturnsEarly,
        SplitClaim,
        WalkStopsAtDeadChild,
        UnlinkWholeChain
    );

    mod loser_returns_early {
        //! Twin of `overlapping_cancels_wait_for_the_subtree`: a losing cancel
        //! returns at once.
        //!
        //! **The bug.** A cancel that finds its node already claimed returns
        //! straight away ("another cancel is taking care of it"), and the walk moves
        //! past a child another cancel claimed without waiting for it. Only the
        //! winner of a node then waits for its subtree: a weaker promise, in which a
        //! cancel may return while a descendant is still open.
        //!
        //! **The interleaving.** One thread cancels `a` and claims it; before it
        //! claims `b`, the other thread cancels the root, claims it, finds `a`
        //! claimed and does not wait: it returns with `b` and `c` still open. (Or
        //! the root's walk claims `a` first, and `a`'s own cancel, losing, returns
        //! at once.)
        //!
        //! **Caught by** `overlapping_cancels_wait_for_the_subtree`: "a cancel
        //! returned while a descendant was still open".

        use crate::context::iterative_textbook::{Node, WalkSteps};

        /// The iterative textbook whose [`WalkSteps::wait_settled`] does not wait.
        #[derive(Debug)]
        pub struct LoserReturnsEarly;

        impl WalkSteps for LoserReturnsEarly {
            fn wait_settled(_node: &Node<Self>) {
                // BUG: the node's claimer may still be walking its subtree
            }
        }
    }

    mod split_claim {
        //! Twin of `half_way_cancel_races_grandchild_derivation`: a claim in two
        //! critical sections.
        //!
        //! **The bug.** The claim takes the node's children under its lock,
        //! releases it, and stores the error under the lock again: two small
        //! critical sections instead of one, each doing one thing.
        //!
        //! **The interleaving.** The walk reaches a child, takes its (empty) list of
        //! children and releases the lock. A grandchild being derived under that
        //! child takes the lock, finds the child still open, and joins a list the
        //! walk has already taken. The walk then stores the child's error and moves
        //! on: the grandchild is never canceled, left open under a canceled parent.
        //!
        //! **Caught by** `half_way_cancel_races_grandchild_derivation`: "a context
        //! derived during the cancel was left open".

        use std::mem;

        use loom::sync::atomic::Ordering;

        use crate::context::Error;
        use crate::context::iterative_textbook::{ChildRef, Node, OPEN, WalkSteps, publish};

        /// The iterative textbook whose [`WalkSteps::claim`] is split in two.
        #[derive(Debug)]
        pub struct SplitClaim;

        impl WalkSteps for SplitClaim {
            fn claim(
                node: &Node<Self>,
                err: Error,
                cause: Option<&'static str>,
            ) -> Option<Vec<ChildRef<Self>>> {
                let children = {
                    let mut inner = node.lock();
                    if node.state.load(Ordering::Relaxed) != OPEN {
                        return None;
                    }
                    mem::take(&mut inner.children)
                }; // BUG: the lock is released between taking the children and publishing
                let mut inner = node.lock();
                publish(node, &mut inner, err, cause, children.is_empty());
                Some(children)
            }
        }
    }

    mod walk_stops_at_dead_child {
        //! Twin of `child_detach_races_parent_cancel`: the walk ends at a child
        //! being freed.
        //!
        //! **The bug.** The walk takes the next child with
        //! `work.pop().and_then(|child| child.upgrade())`: a child whose weak
        //! reference no longer upgrades ends the loop, as an empty list does,
        //! instead of being skipped.
        //!
        //! **The interleaving.** The parent's cancel takes its two children. The
        //! other thread drops the last references of one of them, which is now
        //! being freed but has not yet left the list the walk holds. The walk meets
        //! it first, stops, and returns: the other child, alive and referenced, is
        //! never canceled.
        //!
        //! **Caught by** `child_detach_races_parent_cancel`: "a live child missed
        //! its parent's cancel".

        use std::sync::Arc;

        use crate::context::iterative_textbook::{ChildRef, Node, WalkSteps};

        /// The iterative textbook whose [`WalkSteps::next_child`] stops at the
        /// first child that is gone.
        #[derive(Debug)]
        pub struct WalkStopsAtDeadChild;

        impl WalkSteps for WalkStopsAtDeadChild {
            fn next_child(work: &mut Vec<ChildRef<Self>>) -> Option<Arc<Node<Self>>> {
                work.pop().and_then(|child| child.upgrade()) // BUG: a dead child ends the walk
            }
        }
    }

    mod unlink_whole_chain {
        //! Twin of `chain_drop_races_root_cancel`: a dropped link unlinks the whole
        //! chain above it.
        //!
        //! **The bug.** When a link's last reference goes, it leaves its parent's
        //! list, and so does every open link above it, up to the root: as if the
        //! chain above were this drop's alone. The textbook (like the crate) lets a
        //! link go only when its own last reference does, which for the links above
        //! is only as far as nobody else holds them.
        //!
        //! **The interleaving.** One thread drops the last reference of `c` while
        //! `a` is still referenced. The drop takes `c` out of `b`'s list, `b` out of
        //! `a`'s and `a` out of the root's. The root's cancel then finds no child:
        //! `a`, still referenced, is never canceled.
        //!
        //! **Caught by** `chain_drop_races_root_cancel`, in either drop order: "a
        //! context still referenced missed the root's cancel".

        use crate::context::iterative_textbook::{Node, WalkSteps, leave_parent};

        /// The iterative textbook whose [`WalkSteps::unlink`] unlinks every
        /// ancestor.
        #[derive(Debug)]
        pub struct UnlinkWholeChain;

        impl WalkSteps for UnlinkWholeChain {
            fn unlink(node: &Node<Self>) {
                // BUG: the links above are unlinked whoever else still holds them
                let mut link = Some(node);
                while let Some(node) = link {
                    if node.is_open() {
                        leave_parent(node);
                    }
                    link = node.parent.as_deref();
                }
            }
        }
    }
}
