//! The chain behind every context: each derived context is one link that
//! owns its parent, up to a root.
//!
//! Ownership runs one way only. A link owns its parent (for values, the
//! deadline and `Display`); a parent's canceler refers to its children weakly
//! (see `canceler.rs`). So when the last context, handle or `WaitAsync` of a
//! link is gone, the link is freed, canceled or not: nothing can observe it
//! any more, and its drop takes it out of its parent's children and stops
//! its timer. Dropping a long chain unlinks it iteratively, in constant stack.
//!
//! A link is a [`Link`] (cancelable, `without_cancel`, the `TODO` root), or a
//! value link (`value.rs`), which is generic over its value so as to hold it
//! in the same allocation. A [`Chain`] refers to either with one pointer,
//! whose low bit says which.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::time::Instant;

use std::sync::OnceLock;

use super::canceler::{Canceler, TreeNode};
use super::sync::Arc;
use super::timer::Expire;
use super::tree;
use super::value::{self, ValueHeader, ValueRef};
use crate::error::{Cause, Error};

/// What a context is: `Background` (no link), or the newest link of a chain,
/// whose top may be the `TODO` root. One pointer wide: a [`Link`]'s `Arc`,
/// or a value link's with the low bit set (both are aligned to 8).
pub(crate) struct Chain(Option<NonNull<u8>>);

/// The low bit of a [`Chain`]'s pointer: set for a value link.
const VALUE: usize = 1;

// SAFETY: a chain owns references to links, which are shared between
// threads: a `Link` is `Send + Sync`, and so is a value link, whose value
// `with_value` requires to be.
unsafe impl Send for Chain {}
// SAFETY: as above.
unsafe impl Sync for Chain {}

/// The newest link of a chain, borrowed.
#[derive(Clone, Copy)]
pub(crate) enum Node<'a> {
    Link(&'a Link),
    Value(ValueRef<'a>),
}

/// One derived context other than a value, or the `TODO` root.
pub(crate) struct Link {
    pub(crate) parent: Chain,
    /// Dropped by `Drop for Link`, and only if it owns something: a plain
    /// canceler, once canceled, owns nothing, and skipping its drop glue
    /// saves a plain link's drop about a quarter of its instructions.
    layer: ManuallyDrop<Layer>,
}

/// What a link adds to its parent.
pub(crate) enum Layer {
    /// `with_cancel` or `with_deadline`: a node of the cancellation tree.
    Cancel(CancelLayer),
    /// `without_cancel`.
    WithoutCancel,
    /// The root `todo()` returns: `Background` under another name. One per
    /// process, so that a root is told apart from `Background` by a link of
    /// its own, and a context stays one pointer wide.
    Todo,
}

/// A cancelable link.
pub(crate) struct CancelLayer {
    pub(crate) canceler: Canceler<Link>,
    /// The deadline this context reports: its own (its canceler says which),
    /// or the one inherited from its parent, cached so that reading it walks
    /// nothing. (A deadline's timer, and the cause
    /// to report when it fires, are few links' and live out of line, with
    /// the canceler's other rarely used fields.)
    pub(crate) deadline: Option<Instant>,
}

impl Chain {
    /// `Background`: no link.
    pub(crate) const fn background() -> Chain {
        Chain(None)
    }

    /// A chain whose newest link is `link`, taking its reference.
    #[inline]
    pub(crate) fn from_link(link: Arc<Link>) -> Chain {
        // `Arc::into_raw` is never null.
        Chain(NonNull::new(Arc::into_raw(link).cast::<u8>().cast_mut()))
    }

    /// A chain whose newest link is the value link `header`, taking its
    /// reference (`ValueLink::derive`).
    #[inline]
    pub(crate) fn from_value(header: NonNull<ValueHeader>) -> Chain {
        Chain(Some(header.cast::<u8>().map_addr(|addr| addr | VALUE)))
    }

    /// The newest link, if any.
    #[inline]
    pub(crate) fn node(&self) -> Option<Node<'_>> {
        let ptr = self.0?;
        Some(if ptr.addr().get() & VALUE == 0 {
            // SAFETY: from `from_link`, alive while we hold its reference.
            Node::Link(unsafe { ptr.cast::<Link>().as_ref() })
        } else {
            // SAFETY: from `from_value` (the bit cleared), alive likewise.
            Node::Value(unsafe { ValueRef::new(Self::untag(ptr)) })
        })
    }

    fn untag(ptr: NonNull<u8>) -> NonNull<ValueHeader> {
        // SAFETY: a value link's address with its low bit set; cleared, it
        // is that link's again, not zero.
        unsafe { NonNull::new_unchecked(ptr.as_ptr().map_addr(|addr| addr & !VALUE)) }.cast()
    }

    /// The link this context reports cancellation for: itself if cancelable,
    /// else the nearest cancelable link above; `None` if it can never be
    /// canceled.
    #[inline]
    pub(crate) fn reports_to(&self) -> Option<&Link> {
        self.reporter().map(|(link, _)| link)
    }

    /// Like [`Chain::reports_to`], with a reference of its own.
    pub(crate) fn reports_to_arc(&self) -> Option<Arc<Link>> {
        let ptr = self.0?;
        if ptr.addr().get() & VALUE != 0 {
            // SAFETY: from `from_value`, alive while we hold its reference.
            let value = unsafe { ValueRef::new(Self::untag(ptr)) };
            return value.header().reports_to.clone();
        }
        let link = ptr.cast::<Link>().as_ptr().cast_const();
        // SAFETY: from `from_link` (the pointer `Arc::into_raw` gave), alive
        // while we hold our reference; the new one is counted before it is
        // made.
        unsafe {
            (*link).cancel_layer()?;
            Arc::increment_strong_count(link);
            Some(Arc::from_raw(link))
        }
    }

    /// The cancelable layer this context reports: every `err()` and
    /// `is_done()` starts here.
    #[inline]
    pub(crate) fn cancel_layer(&self) -> Option<&CancelLayer> {
        self.reporter().map(|(_, layer)| layer)
    }

    /// The link this context reports, with its cancelable layer: the link's
    /// layer matched once.
    #[inline]
    fn reporter(&self) -> Option<(&Link, &CancelLayer)> {
        // The tag tested directly, not through `node`: this is every done
        // check's first step.
        let ptr = self.0?;
        let link = if ptr.addr().get() & VALUE == 0 {
            // SAFETY: from `from_link`, alive while we hold its reference.
            unsafe { ptr.cast::<Link>().as_ref() }
        } else {
            // SAFETY: from `from_value`, alive likewise.
            let value = unsafe { ValueRef::new(Self::untag(ptr)) };
            value.header().reports_to.as_deref()?
        };
        Some((link, link.cancel_layer()?))
    }

    /// The `TODO` root, made once.
    pub(crate) fn todo() -> Chain {
        static TODO: OnceLock<Arc<Link>> = OnceLock::new();
        let todo = TODO.get_or_init(|| Arc::new(Link::new(Chain::background(), Layer::Todo)));
        Chain::from_link(todo.clone())
    }

    /// The links from this context up to its root, nearest first (the
    /// `TODO` root included).
    pub(crate) fn links(&self) -> impl Iterator<Item = Node<'_>> {
        let mut next = self;
        std::iter::from_fn(move || {
            let node = next.node()?;
            next = node.parent();
            Some(node)
        })
    }

    /// The deadline this context reports: its cancelable layer's, if any
    /// (`without_cancel` and the roots have none).
    #[inline]
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.cancel_layer()?.deadline
    }

    /// Whether this chain starts from the `TODO` root.
    pub(crate) fn is_todo(&self) -> bool {
        self.links().last().is_some_and(
            |top| matches!(top, Node::Link(link) if matches!(link.layer(), Layer::Todo)),
        )
    }

    /// Lets go of this reference to the newest link, if it is a [`Link`]
    /// that others refer to too: one decrement, inlined where a link is
    /// freed. Anything else is handed back, for [`Chain::release`].
    #[inline(always)]
    fn release_shared(self) -> Option<Chain> {
        let ptr = self.0?;
        if ptr.addr().get() & VALUE != 0 {
            return Some(self);
        }
        let addr = ptr.cast::<Link>().as_ptr().cast_const();
        // SAFETY: from `from_link`: our reference, which `self` gives up
        // below unless it keeps it.
        let link = unsafe { Arc::from_raw(addr) };
        if Arc::strong_count(&link) == 1 {
            // Likely ours alone: `release` unlinks it in place.
            std::mem::forget(link);
            return Some(self);
        }
        std::mem::forget(self);
        let_go(link, addr)
    }

    /// Lets go of this reference to the newest link. If it was the last,
    /// the link is freed here, and its parent handed back to be let go of
    /// in turn: so a chain is dropped by a loop, not by recursion.
    #[inline(always)]
    fn release(self) -> Option<Chain> {
        let this = ManuallyDrop::new(self);
        let ptr = this.0?;
        if ptr.addr().get() & VALUE != 0 {
            // SAFETY: a value link's, whose reference we give up.
            return unsafe { value::release(Self::untag(ptr)) };
        }
        let addr = ptr.cast::<Link>().as_ptr().cast_const();
        // SAFETY: from `from_link`: our reference, given back to its `Arc`.
        let mut link = unsafe { Arc::from_raw(addr) };
        // The usual case, a canceled link that nothing else refers to:
        // unlink it in place rather than move it out. (The count is read
        // first: a link still shared, such as a parent someone holds, is let
        // go with one atomic operation, not two.)
        if Arc::strong_count(&link) == 1
            && let Some(only) = Arc::get_mut(&mut link)
        {
            return Some(only.detach(addr)); // its own drop finds nothing left
        }
        let_go(link, addr)
    }
}

/// Lets go of a reference to the link at `addr`: if it was the last, the
/// link is unlinked and its parent handed back, to be let go of in turn.
#[inline(always)]
fn let_go(link: Arc<Link>, addr: *const Link) -> Option<Chain> {
    // `into_inner`, not `try_unwrap`: of two threads dropping the last two
    // references, exactly one gets the link.
    Arc::into_inner(link).map(|mut link| link.detach(addr))
}

impl<'a> Node<'a> {
    /// The chain this link was derived from.
    pub(crate) fn parent(self) -> &'a Chain {
        match self {
            Node::Link(link) => &link.parent,
            Node::Value(value) => &value.header().parent,
        }
    }
}

impl Clone for Chain {
    #[inline]
    fn clone(&self) -> Chain {
        match self.0 {
            None => {}
            Some(ptr) if ptr.addr().get() & VALUE == 0 => {
                // SAFETY: from `from_link`, alive while we hold our reference.
                unsafe { Arc::increment_strong_count(ptr.cast::<Link>().as_ptr().cast_const()) }
            }
            // SAFETY: from `from_value`, alive likewise.
            Some(ptr) => unsafe { ValueRef::new(Self::untag(ptr)) }.retain(),
        }
        Chain(self.0)
    }
}

impl Default for Chain {
    fn default() -> Chain {
        Chain::background()
    }
}

/// Dropping a long chain would otherwise recurse once per link; it is let go
/// of link by link instead, as far as this drop owns it.
impl Drop for Chain {
    #[inline]
    fn drop(&mut self) {
        match self.0 {
            None => {}
            // The common case, a link's `Arc` let go of as any other: its
            // last reference's drop (`Link`'s) lets go of the rest.
            Some(ptr) if ptr.addr().get() & VALUE == 0 => {
                // SAFETY: from `from_link`: our reference, given back.
                drop(unsafe { Arc::from_raw(ptr.cast::<Link>().as_ptr().cast_const()) })
            }
            Some(_) => unwind(std::mem::take(self)),
        }
    }
}

/// Lets go of `chain`, and of each link above it that it held the last
/// reference to, in a loop.
#[inline(always)]
fn unwind(chain: Chain) {
    // The usual case, a link whose parent others still refer to, is one
    // decrement, made here; the loop is out of line.
    if let Some(rest) = chain.release_shared() {
        unwind_owned(rest);
    }
}

#[inline(never)]
fn unwind_owned(mut chain: Chain) {
    while let Some(parent) = chain.release() {
        chain = parent;
    }
}

impl Link {
    /// A new cancelable link below `parent`, not yet registered, reporting
    /// `deadline` (`own`, or its parent's), with the cause to report if its
    /// own deadline passes.
    #[inline(always)]
    pub(crate) fn cancelable(
        parent: &Chain,
        deadline: Option<Instant>,
        own: bool,
        deadline_cause: Option<Cause>,
    ) -> Arc<Link> {
        Self::with_canceler(parent, deadline, || Canceler::new(own, deadline_cause))
    }

    /// A new cancelable link below a parent that is already done: born done
    /// with the parent's outcome, and never registered.
    #[inline(always)]
    pub(crate) fn born_done(
        parent: &Chain,
        deadline: Option<Instant>,
        own: bool,
        (err, cause): (Error, Option<Cause>),
    ) -> Arc<Link> {
        Self::with_canceler(parent, deadline, || Canceler::new_done(err, cause, own))
    }

    #[inline(always)]
    fn with_canceler(
        parent: &Chain,
        deadline: Option<Instant>,
        canceler: impl FnOnce() -> Canceler<Link>,
    ) -> Arc<Link> {
        // The parent's count first: the canceler, made after it, is then
        // written once into the new link rather than built aside and moved.
        let parent = parent.clone();
        Arc::new(Link::new(
            parent,
            Layer::Cancel(CancelLayer {
                canceler: canceler(),
                deadline,
            }),
        ))
    }

    /// A link adding `layer` to `parent`.
    #[inline(always)]
    pub(crate) fn new(parent: Chain, layer: Layer) -> Link {
        Link {
            parent,
            layer: ManuallyDrop::new(layer),
        }
    }

    /// What this link adds to its parent.
    #[inline]
    pub(crate) fn layer(&self) -> &Layer {
        &self.layer
    }

    #[inline]
    pub(crate) fn cancel_layer(&self) -> Option<&CancelLayer> {
        match self.layer() {
            Layer::Cancel(layer) => Some(layer),
            _ => None,
        }
    }

    /// Takes this link out of the tree if nothing canceled it: leaves its
    /// parent's children and stops its timer.
    ///
    /// `addr` is where the link lives in its `Arc`, which its parent's weak
    /// reference names.
    #[inline(always)]
    fn unlink(&mut self, addr: *const Link) {
        if let Layer::Cancel(layer) = &mut *self.layer
            && layer.canceler.is_open()
        {
            // Nobody holds this link any more, so nobody can cancel it.
            if let Some(parent) = self.parent.cancel_layer() {
                drop(parent.canceler.remove_node(&layer.canceler, addr));
            }
            layer.canceler.abandon();
        }
    }

    /// Unlinks this link, freed by the caller, and hands back its parent.
    #[inline(always)]
    fn detach(&mut self, addr: *const Link) -> Chain {
        self.unlink(addr);
        std::mem::take(&mut self.parent)
    }
}

impl Drop for Link {
    #[inline(always)]
    fn drop(&mut self) {
        unwind(self.detach(self as *const Link));
        let owns_nothing = match &mut *self.layer {
            Layer::Cancel(layer) => layer.canceler.owns_nothing(),
            Layer::WithoutCancel | Layer::Todo => true,
        };
        if !owns_nothing {
            self.drop_layer();
        }
    }
}

impl Link {
    /// The rest of [`Link`]'s drop, for a layer that owns something: out of
    /// line, so that the drop of a plain link stays small where it is
    /// inlined.
    #[inline(never)]
    fn drop_layer(&mut self) {
        // SAFETY: called once, by the link's own drop, after which the layer
        // is never used.
        unsafe { ManuallyDrop::drop(&mut self.layer) }
    }
}

impl TreeNode for Link {
    #[inline]
    fn canceler(&self) -> &Canceler<Link> {
        &self
            .cancel_layer()
            .expect("only cancelable links join the tree")
            .canceler
    }

    fn parent_node(&self) -> Option<&Link> {
        self.parent.reports_to()
    }
}

/// The timer's call when this link's deadline passes.
impl Expire for Link {
    fn expire(self: Arc<Self>) -> bool {
        let cause = self.canceler().deadline_cause();
        tree::cancel(&self, Error::DeadlineExceeded, &cause)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The size the crate docs state, under "Limits"; a change that grows a
    /// plain cancelable link fails here first.
    #[test]
    fn a_cancelable_link_is_the_size_the_docs_state() {
        if !super::super::sync::TIMER_THREAD {
            return; // loom's primitives are larger: the figure is std's
        }
        // The link plus the two reference counts of its `Arc`: within
        // malloc's fast bins, which a chain allocated and freed link by link
        // depends on.
        let allocation = std::mem::size_of::<Link>() + 2 * std::mem::size_of::<usize>();
        let stated = format!("one allocation of {allocation}\n//! bytes");
        assert!(
            include_str!("../lib.rs").contains(&stated),
            "the crate docs should say: {stated}"
        );
        assert_eq!(allocation, 96);
        // A context and a cancel handle are one pointer each.
        assert_eq!(std::mem::size_of::<Chain>(), 8);
    }
}
