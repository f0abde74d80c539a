//! A `with_value` link: the value in the same allocation as the link, as Go's
//! `valueCtx` keeps it.
//!
//! A [`ValueLink<T>`] is generic over its value, so that the value needs no
//! box of its own; the chain refers to it through its [`ValueHeader`], the
//! part every value link shares, which names a table of the few operations
//! that need `T` (a reference count's increment, the last reference's
//! release, `Debug`). A lookup needs no table: the key fixes the value's type
//! (`Key<T>`), so a link whose key matches holds a `T`.

use std::fmt;
use std::ptr::NonNull;

use super::link::{Chain, Link};
use super::sync::Arc;
use crate::key::KeyId;

/// One `with_value` link: what every value link has, then the value.
///
/// `repr(C)` puts the header first, so that a pointer to the link is a
/// pointer to its header.
#[repr(C)]
pub(crate) struct ValueLink<T> {
    header: ValueHeader,
    value: T,
}

/// The part of a value link that does not depend on the value's type.
pub(crate) struct ValueHeader {
    /// The nearest cancelable link above, cached so that a done check on a
    /// value link costs the same as on its cancelable ancestor. (A second
    /// reference to an ancestor: declared first, so that it is let go of
    /// before `parent`, whose reference is then the last.)
    pub(crate) reports_to: Option<Arc<Link>>,
    pub(crate) parent: Chain,
    /// The key: its address is its identity.
    pub(crate) key: &'static KeyId,
    vtable: &'static VTable,
}

/// What the chain needs to do with a value link of unknown `T`.
struct VTable {
    /// Adds a reference.
    retain: unsafe fn(NonNull<ValueHeader>),
    /// Lets go of a reference; the last frees the link and hands back its
    /// parent.
    release: unsafe fn(NonNull<ValueHeader>) -> Option<Chain>,
    debug: unsafe fn(NonNull<ValueHeader>, &mut fmt::Formatter<'_>) -> fmt::Result,
}

impl<T: Send + Sync + fmt::Debug + 'static> ValueLink<T> {
    const VTABLE: VTable = VTable {
        retain: Self::retain,
        release: Self::release,
        debug: Self::debug,
    };

    /// The chain of a new value link below `parent`: one allocation.
    pub(crate) fn derive(parent: &Chain, key: &'static KeyId, value: T) -> Chain {
        let link = Arc::new(ValueLink {
            header: ValueHeader {
                reports_to: parent.reports_to_arc(),
                parent: parent.clone(),
                key,
                vtable: &Self::VTABLE,
            },
            value,
        });
        // `repr(C)`: the link starts with its header.
        let raw = Arc::into_raw(link).cast::<ValueHeader>().cast_mut();
        // SAFETY: `Arc::into_raw` is never null.
        Chain::from_value(unsafe { NonNull::new_unchecked(raw) })
    }

    /// # Safety
    ///
    /// `header` is a live `ValueLink<T>`'s, from [`ValueLink::derive`].
    unsafe fn retain(header: NonNull<ValueHeader>) {
        // SAFETY: the caller's, and the pointer came from `Arc::into_raw`.
        unsafe { Arc::increment_strong_count(header.cast::<Self>().as_ptr()) }
    }

    /// # Safety
    ///
    /// As for `retain`, and the caller gives up its reference.
    unsafe fn release(header: NonNull<ValueHeader>) -> Option<Chain> {
        // SAFETY: the caller's reference, given back to its `Arc`.
        let link = unsafe { Arc::from_raw(header.cast::<Self>().as_ptr()) };
        // `into_inner`, not `try_unwrap`: of two threads dropping the last
        // two references, exactly one gets the link.
        let mut link = Arc::into_inner(link)?;
        // The cached reference first (see `reports_to`); the value drops
        // with the rest of the link, here.
        drop(link.header.reports_to.take());
        Some(std::mem::take(&mut link.header.parent))
    }

    /// # Safety
    ///
    /// As for `retain`.
    unsafe fn debug(header: NonNull<ValueHeader>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: the caller's.
        let link = unsafe { header.cast::<Self>().as_ref() };
        fmt::Debug::fmt(&link.value, f)
    }
}

/// A value link the chain refers to, borrowed for `'a`.
///
/// It keeps the pointer the link was made with rather than a reference to
/// the header, so that it may reach the value beyond the header.
#[derive(Clone, Copy)]
pub(crate) struct ValueRef<'a> {
    header: NonNull<ValueHeader>,
    _chain: std::marker::PhantomData<&'a Chain>,
}

impl<'a> ValueRef<'a> {
    /// # Safety
    ///
    /// `header` is a live value link's, from [`ValueLink::derive`], kept alive
    /// for `'a` by a reference the caller borrows.
    pub(crate) unsafe fn new(header: NonNull<ValueHeader>) -> Self {
        Self {
            header,
            _chain: std::marker::PhantomData,
        }
    }

    pub(crate) fn header(self) -> &'a ValueHeader {
        // SAFETY: live for `'a` (`new`).
        unsafe { self.header.as_ref() }
    }

    /// The value, if the link's key is `key`: the key's type is the value's.
    #[inline]
    pub(crate) fn value<T: 'static>(self, key: &'static crate::Key<T>) -> Option<&'a T> {
        if !std::ptr::eq(self.header().key, key.id()) {
            return None;
        }
        // SAFETY: live for `'a`, and a `ValueLink<T>`: `with_value` takes a
        // `&'static Key<T>` with a `T`, and a key's `KeyId` is its own
        // (distinct statics never share an address: a key is not
        // zero-sized).
        Some(unsafe { &(*self.header.cast::<ValueLink<T>>().as_ptr()).value })
    }

    /// Adds a reference, for a clone of the chain.
    pub(crate) fn retain(self) {
        // SAFETY: live (`new`), made by `ValueLink::derive`.
        unsafe { (self.header().vtable.retain)(self.header) }
    }

    /// Formats the value with its `Debug`.
    pub(crate) fn fmt_value(self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: live (`new`), made by `ValueLink::derive`.
        unsafe { (self.header().vtable.debug)(self.header, f) }
    }
}

/// Lets go of the reference `header` stands for; if it was the last, frees
/// the link and hands back its parent.
///
/// # Safety
///
/// `header` is from [`ValueLink::derive`] and the caller owns one reference to
/// it, which it gives up.
pub(crate) unsafe fn release(header: NonNull<ValueHeader>) -> Option<Chain> {
    // Read the table before the reference goes: afterwards the link may be
    // freed by another thread.
    // SAFETY: live until the release below (the caller's reference).
    let release = unsafe { header.as_ref() }.vtable.release;
    // SAFETY: the caller's.
    unsafe { release(header) }
}

#[cfg(test)]
mod tests {
    use crate::{Key, background, with_value};

    /// The size the crate docs state, under "Limits": a value of a word is
    /// one allocation no bigger than Go's 48-byte `valueCtx` plus the two
    /// reference counts.
    #[test]
    fn a_value_link_is_one_allocation_of_the_size_the_docs_state() {
        let allocation = std::mem::size_of::<super::ValueLink<u64>>() + 2 * 8;
        let stated = format!("one allocation of {allocation} bytes");
        assert!(
            include_str!("../lib.rs")
                .replace("\n//! ", " ")
                .contains(&stated),
            "the crate docs should say: {stated}"
        );
        assert!(allocation <= 48 + 16);
        static N: Key<u64> = Key::new("n");
        let ctx = with_value(&background(), &N, 7);
        assert_eq!(ctx.value(&N), Some(&7));
    }

    /// The value lives as long as the last context that holds it, wherever
    /// that one is dropped, and is dropped exactly once, after the links
    /// derived from it.
    #[test]
    fn a_value_is_dropped_once_by_whichever_thread_lets_go_last() {
        use std::sync::atomic::{AtomicUsize, Ordering};

        static DROPS: AtomicUsize = AtomicUsize::new(0);
        #[derive(Debug)]
        struct Counted(#[allow(dead_code)] [u64; 3]);
        impl Drop for Counted {
            fn drop(&mut self) {
                DROPS.fetch_add(1, Ordering::Relaxed);
            }
        }
        static KEY: Key<Counted> = Key::new("counted");
        for round in 0..50 {
            let (parent, cancel) = crate::with_cancel(&background());
            let ctx = with_value(&parent, &KEY, Counted([round; 3]));
            drop(parent);
            let threads: Vec<_> = (0..4)
                .map(|_| {
                    let ctx = ctx.clone();
                    std::thread::spawn(move || {
                        let below = crate::with_cancel(&ctx).0;
                        let copies = vec![below.clone(); 100];
                        assert!(copies.iter().all(|c| c.value(&KEY).is_some()));
                    })
                })
                .collect();
            drop(ctx);
            cancel.cancel();
            for thread in threads {
                thread.join().unwrap();
            }
            assert_eq!(DROPS.load(Ordering::Relaxed) as u64, round + 1);
        }
    }
}
