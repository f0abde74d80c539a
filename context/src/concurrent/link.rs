//! The chain behind every context: each derived context is one [`Link`] that
//! owns its parent, up to a root.
//!
//! Ownership runs one way only. A link owns its parent (for values, the
//! deadline and `Display`); a parent's canceler refers to its children weakly
//! (see `canceler.rs`). So when the last context, handle or `WaitAsync` of a
//! link is gone, the link is freed, canceled or not: nothing can observe it
//! any more, and its drop takes it out of its parent's children and stops
//! its timer. Dropping a long chain unlinks it iteratively, in constant stack.

use std::any::Any;
use std::fmt;
use std::time::Instant;

use std::sync::OnceLock;

use super::canceler::{Canceler, TreeNode};
use super::sync::Arc;
use super::timer::Expire;
use super::tree;
use crate::error::{Cause, Error};

/// What a context is: `Background` (`None`), or a link of a chain, whose
/// top may be the `TODO` root. One pointer wide.
#[derive(Clone, Default)]
pub(crate) struct Chain(pub(crate) Option<Arc<Link>>);

/// One derived context, or the `TODO` root.
pub(crate) struct Link {
    pub(crate) parent: Chain,
    pub(crate) layer: Layer,
}

/// What a link adds to its parent.
pub(crate) enum Layer {
    /// `with_cancel` or `with_deadline`: a node of the cancellation tree.
    Cancel(CancelLayer),
    /// `with_value`.
    Value(ValueLayer),
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

/// A value bound to a key.
pub(crate) struct ValueLayer {
    pub(crate) key: usize,
    pub(crate) name: &'static str,
    pub(crate) value: Box<dyn DebugAny>,
    /// The nearest cancelable link above, cached so that a done check on a
    /// value layer costs the same as on its cancelable ancestor.
    pub(crate) reports_to: Option<Arc<Link>>,
}

/// A value that can be printed (for `Display`) and downcast (for lookups).
pub(crate) trait DebugAny: Any + Send + Sync + fmt::Debug {}
impl<T: Any + Send + Sync + fmt::Debug> DebugAny for T {}

impl Chain {
    /// The link this context reports cancellation for: itself if cancelable,
    /// else the nearest cancelable link above; `None` if it can never be
    /// canceled.
    #[inline]
    pub(crate) fn reports_to(&self) -> Option<&Arc<Link>> {
        self.reporter().map(|(link, _)| link)
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
    fn reporter(&self) -> Option<(&Arc<Link>, &CancelLayer)> {
        let link = self.0.as_ref()?;
        match &link.layer {
            Layer::Cancel(layer) => Some((link, layer)),
            Layer::Value(value) => {
                let link = value.reports_to.as_ref()?;
                Some((link, link.cancel_layer()?))
            }
            Layer::WithoutCancel => None,
            Layer::Todo => None,
        }
    }

    /// The `TODO` root, made once.
    pub(crate) fn todo() -> Chain {
        static TODO: OnceLock<Arc<Link>> = OnceLock::new();
        let todo = TODO.get_or_init(|| {
            Arc::new(Link {
                parent: Chain::default(),
                layer: Layer::Todo,
            })
        });
        Chain(Some(todo.clone()))
    }

    /// The links from this context up to its root, nearest first (the
    /// `TODO` root included).
    pub(crate) fn links(&self) -> impl Iterator<Item = &Link> {
        let mut next = self;
        std::iter::from_fn(move || {
            let link = next.0.as_deref()?;
            next = &link.parent;
            Some(link)
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
        self.links()
            .last()
            .is_some_and(|top| matches!(top.layer, Layer::Todo))
    }
}

impl Link {
    /// A new cancelable link below `parent`, not yet registered, reporting
    /// `deadline` (`own`, or its parent's), with the cause to report if its
    /// own deadline passes.
    #[inline]
    pub(crate) fn cancelable(
        parent: &Chain,
        deadline: Option<Instant>,
        own: bool,
        deadline_cause: Option<Cause>,
    ) -> Arc<Link> {
        Self::with_canceler(parent, deadline, Canceler::new(own, deadline_cause))
    }

    /// A new cancelable link below a parent that is already done: born done
    /// with the parent's outcome, and never registered.
    pub(crate) fn born_done(
        parent: &Chain,
        deadline: Option<Instant>,
        own: bool,
        (err, cause): (Error, Option<Cause>),
    ) -> Arc<Link> {
        Self::with_canceler(parent, deadline, Canceler::new_done(err, cause, own))
    }

    #[inline]
    fn with_canceler(
        parent: &Chain,
        deadline: Option<Instant>,
        canceler: Canceler<Link>,
    ) -> Arc<Link> {
        Arc::new(Link {
            parent: parent.clone(),
            layer: Layer::Cancel(CancelLayer { canceler, deadline }),
        })
    }

    #[inline]
    pub(crate) fn cancel_layer(&self) -> Option<&CancelLayer> {
        match &self.layer {
            Layer::Cancel(layer) => Some(layer),
            _ => None,
        }
    }

    /// Takes this link out of the tree if nothing canceled it, and hands back
    /// its parent, so that the caller can drop the chain one link at a time.
    ///
    /// `addr` is where the link lived in its `Arc`, which its parent's weak
    /// reference names (the link may have been moved out since).
    #[inline(always)]
    fn unlink(&mut self, addr: *const Link) -> Chain {
        match &mut self.layer {
            Layer::Cancel(layer) if layer.canceler.is_open() => {
                // Nobody holds this link any more, so nobody can cancel it:
                // leave the parent's children and stop the timer.
                if let Some(parent) = self.parent.cancel_layer() {
                    drop(parent.canceler.remove_node(&layer.canceler, addr));
                }
                layer.canceler.abandon();
            }
            Layer::Cancel(_) | Layer::WithoutCancel | Layer::Todo => {}
            // A second reference to an ancestor: release it first, so that the
            // chain's own is the last one.
            Layer::Value(value) => drop(value.reports_to.take()),
        }
        std::mem::take(&mut self.parent)
    }
}

/// Dropping a long chain would otherwise recurse once per link; unlink it
/// iteratively instead, as far as this drop owns it.
impl Drop for Link {
    fn drop(&mut self) {
        let mut next = self.unlink(self as *const Link);
        while let Chain(Some(mut link)) = next {
            let addr = Arc::as_ptr(&link);
            // The usual case, a canceled link that nothing else refers to:
            // unlink it in place rather than move it out. (The count is
            // read first: a link still shared, such as a parent someone
            // holds, is let go with one atomic operation, not two.)
            if Arc::strong_count(&link) == 1
                && let Some(only) = Arc::get_mut(&mut link)
            {
                next = only.unlink(addr);
                continue; // its own drop, here, finds nothing left
            }
            // `into_inner`, not `try_unwrap`: of two threads dropping the last
            // two references, exactly one gets the link.
            match Arc::into_inner(link) {
                // Its own drop, at the end of this arm, finds nothing left.
                Some(mut link) => next = link.unlink(addr),
                None => break, // someone else still holds the rest
            }
        }
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
        self.parent.reports_to().map(|link| &**link)
    }
}

/// The timer's call when this link's deadline passes.
impl Expire for Link {
    fn expire(self: Arc<Self>) -> bool {
        let cause = self.canceler().deadline_cause();
        tree::cancel(&self, Error::DeadlineExceeded, cause)
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
