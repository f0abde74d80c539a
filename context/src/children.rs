//! The children of one node: in place while there is one, a table beyond.
//!
//! Most cancelable contexts have one child or none: a chain, where each call
//! re-wraps `ctx`, is the common shape. Storing that one child in place
//! saves an allocation and a free per link; a second child moves both into a
//! [`Table`], boxed so that the one-child case stays two words wide.
//!
//! A child's key is its position in the table, and never changes: removing a
//! child leaves a hole that the next insert fills. So an entry is one
//! pointer (a hole is `None`), removing a child touches no other child (on a
//! parent shared by every core, no core reaches into another's child), and
//! a cancel takes the whole table as it is.

/// A keyed collection, allocation-free for zero or one entry.
#[derive(Default)]
pub(crate) enum Children<T> {
    #[default]
    None,
    One(T),
    Many(Box<Table<T>>),
}

/// Two or more children: the entries, and the holes removals left.
pub(crate) struct Table<T> {
    entries: Vec<Option<T>>,
    /// Keys of the `None` entries, the most recent last.
    holes: Vec<u32>,
}

impl<T> Children<T> {
    /// Stores `value` and returns its key.
    #[inline]
    pub(crate) fn insert(&mut self, value: T) -> usize {
        match self {
            Children::Many(table) => match table.holes.pop() {
                Some(key) => {
                    table.entries[key as usize] = Some(value);
                    key as usize
                }
                None => {
                    table.entries.push(Some(value));
                    table.entries.len() - 1
                }
            },
            Children::None => {
                *self = Children::One(value);
                0
            }
            Children::One(_) => {
                let Children::One(first) = std::mem::take(self) else {
                    unreachable!("matched One above")
                };
                let mut entries = Vec::with_capacity(4);
                entries.push(Some(first)); // key 0, as it had
                entries.push(Some(value));
                *self = Children::Many(Box::new(Table {
                    entries,
                    holes: Vec::new(),
                }));
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
            Children::Many(table) => table.entries.get(key)?.as_ref(),
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
            Children::Many(table) => {
                let removed = table.entries.get_mut(key)?.take()?;
                table.holes.push(key as u32);
                // The last child gone, the table goes with it: a burst of
                // children does not pin its memory.
                if table.holes.len() == table.entries.len() {
                    *self = Children::None;
                }
                Some(removed)
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Children::None => 0,
            Children::One(_) => 1,
            Children::Many(table) => table.entries.len() - table.holes.len(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Every entry by value, the newest first (the order a cancel's walk has
/// always taken: the child registered last is claimed first).
pub(crate) enum IntoIter<T> {
    One(Option<T>),
    Many {
        entries: std::vec::IntoIter<Option<T>>,
        left: usize,
    },
}

impl<T> IntoIterator for Children<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        match self {
            Children::None => IntoIter::One(None),
            Children::One(value) => IntoIter::One(Some(value)),
            Children::Many(table) => {
                let left = table.entries.len() - table.holes.len();
                IntoIter::Many {
                    entries: table.entries.into_iter(),
                    left,
                }
            }
        }
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        match self {
            IntoIter::One(value) => value.take(),
            IntoIter::Many { entries, left } => loop {
                if let Some(value) = entries.next_back()? {
                    *left -= 1;
                    return Some(value);
                } // else a hole
            },
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
            IntoIter::Many { left, .. } => *left,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_stable_as_the_table_takes_over() {
        let mut children = Children::default();
        assert_eq!(children.insert("a"), 0);
        assert!(matches!(children, Children::One(_)));
        let b = children.insert("b");
        assert!(matches!(children, Children::Many(_)));
        assert_eq!(children.get(0), Some(&"a"));
        assert_eq!(children.get(b), Some(&"b"));
        assert_eq!(children.remove(0), Some("a"));
        assert_eq!(children.get(0), None);
        assert_eq!(children.get(b), Some(&"b"), "b keeps its key");
        assert_eq!(children.len(), 1);
        assert_eq!(children.into_iter().collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn a_hole_is_filled_by_the_next_insert() {
        let mut children = Children::default();
        for value in 0..4 {
            children.insert(value);
        }
        assert_eq!(children.remove(1), Some(1));
        assert_eq!(children.remove(1), None, "removed once");
        assert_eq!(children.insert(9), 1);
        assert_eq!(children.len(), 4);
        let mut all: Vec<_> = children.into_iter().collect();
        all.sort_unstable();
        assert_eq!(all, [0, 2, 3, 9]);
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
    fn an_emptied_table_lets_go_of_its_memory() {
        let mut children = Children::default();
        let keys: Vec<usize> = (0..100).map(|i| children.insert(i)).collect();
        for key in keys {
            assert!(children.remove(key).is_some());
        }
        assert!(matches!(children, Children::None));
    }

    #[test]
    fn into_iter_knows_its_length() {
        let mut children = Children::default();
        for value in ['x', 'y', 'z'] {
            children.insert(value);
        }
        children.remove(1);
        let mut iter = children.into_iter();
        assert_eq!(iter.len(), 2);
        assert_eq!(iter.next(), Some('z'), "the newest first");
        assert_eq!(iter.len(), 1);
        assert_eq!(iter.next(), Some('x'));
        assert_eq!(iter.len(), 0);
        assert_eq!(iter.next(), None);
    }
}
