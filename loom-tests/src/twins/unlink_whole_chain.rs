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

use super::iterative::{Node, WalkSteps, leave_parent};

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
