//! The children of one node: in place while there is one, a vector beyond.
//!
//! Most cancelable contexts have one child or none: a chain, where each call
//! re-wraps `ctx`, is the common shape. Storing that one child in place
//! saves an allocation and a free per link; a second child moves both into a
//! `Vec`, boxed so that the one-child case stays two words wide.
//!
//! A child's key is its position. Removing one moves the last child into its
//! place ([`Children::swap_remove`]), which hands the moved child back so
//! that its owner can record its new key: an entry is one pointer, with no
//! free list beside it, and a cancel takes the whole table as it is.

/// A keyed collection, allocation-free for zero or one entry.
#[derive(Default)]
pub(crate) enum Children<T> {
    #[default]
    None,
    One(T),
    // Boxed on purpose: the table stays two words wide, in every node.
    #[allow(clippy::box_collection)]
    Many(Box<Vec<T>>),
}

impl<T> Children<T> {
    /// Stores `value` and returns its key.
    #[inline]
    pub(crate) fn insert(&mut self, value: T) -> usize {
        match self {
            Children::Many(many) => {
                many.push(value);
                many.len() - 1
            }
            Children::None => {
                *self = Children::One(value);
                0
            }
            Children::One(_) => {
                let Children::One(first) = std::mem::take(self) else {
                    unreachable!("matched One above")
                };
                let mut many = Box::new(Vec::with_capacity(4));
                many.push(first); // key 0, as it had
                many.push(value);
                *self = Children::Many(many);
                1
            }
        }
    }

    /// The entry at `key`, if any.
    #[inline]
    pub(crate) fn get(&self, key: usize) -> Option<&T> {
        match self {
            Children::None => None,
            Children::One(value) => (key == 0).then_some(value),
            Children::Many(many) => many.get(key),
        }
    }

    /// The key of the first entry for which `is` holds (a linear search).
    pub(crate) fn position(&self, mut is: impl FnMut(&T) -> bool) -> Option<usize> {
        match self {
            Children::None => None,
            Children::One(value) => is(value).then_some(0),
            Children::Many(many) => many.iter().position(is),
        }
    }

    /// Removes and returns the entry at `key`, if any, moving the last entry
    /// into its place; that entry, now at `key`, is returned too.
    pub(crate) fn swap_remove(&mut self, key: usize) -> Option<(T, Option<&T>)> {
        let removed = match self {
            Children::None => return None,
            Children::One(_) if key != 0 => return None,
            Children::One(_) => match std::mem::take(self) {
                Children::One(value) => return Some((value, None)),
                _ => unreachable!("matched One above"),
            },
            Children::Many(many) if key >= many.len() => return None,
            Children::Many(many) => {
                let removed = many.swap_remove(key);
                if many.is_empty() {
                    *self = Children::None;
                } else if many.capacity() > 64 && many.len() * 4 <= many.capacity() {
                    // A burst of children must not pin its memory forever.
                    many.shrink_to(many.len() * 2);
                }
                removed
            }
        };
        // The entry moved into the hole, if the removed one was not last.
        Some((removed, self.get(key)))
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Children::None => 0,
            Children::One(_) => 1,
            Children::Many(many) => many.len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Children::None) || self.len() == 0
    }
}

/// Every entry, in no particular order, by value.
pub(crate) enum IntoIter<T> {
    One(Option<T>),
    Many(std::vec::IntoIter<T>),
}

impl<T> IntoIterator for Children<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        match self {
            Children::None => IntoIter::One(None),
            Children::One(value) => IntoIter::One(Some(value)),
            Children::Many(many) => IntoIter::Many((*many).into_iter()),
        }
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        match self {
            IntoIter::One(value) => value.take(),
            IntoIter::Many(many) => many.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.len();
        (len, Some(len))
    }
}

impl<T> ExactSizeIterator for IntoIter<T> {
    fn len(&self) -> usize {
        match self {
            IntoIter::One(value) => usize::from(value.is_some()),
            IntoIter::Many(many) => many.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_child_keeps_its_key_as_the_vector_takes_over() {
        let mut children = Children::default();
        assert_eq!(children.insert("a"), 0);
        assert!(matches!(children, Children::One(_)));
        let b = children.insert("b");
        assert!(matches!(children, Children::Many(_)));
        assert_eq!(children.get(0), Some(&"a"));
        assert_eq!(children.get(b), Some(&"b"));
        // "b" moves into the hole "a" leaves, and is handed back.
        assert_eq!(children.swap_remove(0), Some(("a", Some(&"b"))));
        assert_eq!(children.get(0), Some(&"b"));
        assert_eq!(children.len(), 1);
        assert_eq!(children.into_iter().collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn removing_the_last_entry_moves_nothing() {
        let mut children = Children::default();
        children.insert(1);
        children.insert(2);
        assert_eq!(children.swap_remove(1), Some((2, None)));
        assert_eq!(children.swap_remove(1), None);
        assert_eq!(children.position(|&v| v == 1), Some(0));
    }

    #[test]
    fn a_single_child_is_removed_only_by_its_key() {
        let mut children = Children::default();
        children.insert(7);
        assert_eq!(children.swap_remove(1), None);
        assert_eq!(children.swap_remove(0), Some((7, None)));
        assert!(children.is_empty());
        assert_eq!(children.swap_remove(0), None);
        assert_eq!(children.insert(8), 0);
    }

    #[test]
    fn an_emptied_large_table_lets_go_of_its_memory() {
        let mut children = Children::default();
        for i in 0..100 {
            children.insert(i);
        }
        while !children.is_empty() {
            let last = children.len() - 1;
            assert!(children.swap_remove(last).is_some());
        }
        assert!(matches!(children, Children::None));
    }

    #[test]
    fn into_iter_knows_its_length() {
        let mut children = Children::default();
        assert_eq!(children.len(), 0);
        children.insert('x');
        children.insert('y');
        let mut iter = children.into_iter();
        assert_eq!(iter.len(), 2);
        iter.next();
        assert_eq!(iter.len(), 1);
    }
}
