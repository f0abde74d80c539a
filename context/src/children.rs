//! The children of one node: in place while there is one, a slab beyond.
//!
//! Most cancelable contexts have one child or none: a chain, where each call
//! re-wraps `ctx`, is the common shape. Storing that one child in place
//! saves an allocation and a free per link; a second child moves both into a
//! [`Slab`], boxed so that the one-child case stays two words wide. Keys are
//! stable as in a slab: the child kept in place has key 0 and keeps it when
//! the slab takes over.

use slab::Slab;

/// A keyed collection, allocation-free for zero or one entry.
#[derive(Default)]
pub(crate) enum Children<T> {
    #[default]
    None,
    One(T),
    Many(Box<Slab<T>>),
}

impl<T> Children<T> {
    /// Stores `value` and returns its key.
    pub(crate) fn insert(&mut self, value: T) -> usize {
        match std::mem::take(self) {
            Children::None => {
                *self = Children::One(value);
                0
            }
            Children::One(first) => {
                let mut slab = Box::new(Slab::with_capacity(4));
                slab.insert(first); // key 0, as it had
                let key = slab.insert(value);
                *self = Children::Many(slab);
                key
            }
            Children::Many(mut slab) => {
                let key = slab.insert(value);
                *self = Children::Many(slab);
                key
            }
        }
    }

    /// The entry at `key`, if any.
    pub(crate) fn get(&self, key: usize) -> Option<&T> {
        match self {
            Children::None => None,
            Children::One(value) => (key == 0).then_some(value),
            Children::Many(slab) => slab.get(key),
        }
    }

    /// Removes and returns the entry at `key`, if any.
    pub(crate) fn remove(&mut self, key: usize) -> Option<T> {
        match self {
            Children::None => None,
            Children::One(_) if key != 0 => None,
            Children::One(_) => match std::mem::take(self) {
                Children::One(value) => Some(value),
                _ => unreachable!("matched One above"),
            },
            Children::Many(slab) => {
                let removed = slab.try_remove(key);
                // A burst of children must not pin its memory forever.
                if slab.is_empty() && slab.capacity() > 64 {
                    *self = Children::None;
                }
                removed
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Children::None => 0,
            Children::One(_) => 1,
            Children::Many(slab) => slab.len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every entry, in no particular order.
    pub(crate) fn into_values(self) -> impl Iterator<Item = T> {
        let (one, many) = match self {
            Children::None => (None, None),
            Children::One(value) => (Some(value), None),
            Children::Many(slab) => (None, Some(*slab)),
        };
        let many = many
            .into_iter()
            .flat_map(|slab| slab.into_iter().map(|(_, value)| value));
        one.into_iter().chain(many)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_stable_as_the_slab_takes_over() {
        let mut children = Children::default();
        assert_eq!(children.insert("a"), 0);
        assert!(matches!(children, Children::One(_)));
        let b = children.insert("b");
        assert!(matches!(children, Children::Many(_)));
        assert_eq!(children.get(0), Some(&"a"));
        assert_eq!(children.get(b), Some(&"b"));
        assert_eq!(children.remove(0), Some("a"));
        assert_eq!(children.get(0), None);
        assert_eq!(children.len(), 1);
        assert_eq!(children.into_values().collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn a_single_child_is_removed_only_by_its_key() {
        let mut children = Children::default();
        children.insert(7);
        assert_eq!(children.remove(1), None);
        assert_eq!(children.remove(0), Some(7));
        assert!(children.is_empty());
        assert_eq!(children.remove(0), None);
        assert_eq!(children.insert(8), 0);
    }

    #[test]
    fn an_emptied_large_slab_lets_go_of_its_memory() {
        let mut children = Children::default();
        let keys: Vec<usize> = (0..100).map(|i| children.insert(i)).collect();
        for key in keys {
            assert!(children.remove(key).is_some());
        }
        assert!(matches!(children, Children::None));
    }
}
