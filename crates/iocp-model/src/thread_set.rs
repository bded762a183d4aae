//! A small set of threads kept sorted by id, so that two equal sets are
//! equal values (the explorer merges states by value). Shared by the RTL and
//! the PTL, which the kernel keeps as one thread list but the class draws as
//! two.

use super::ids::ThreadId;

/// A set of thread ids, sorted ascending.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct ThreadSet {
    pub(crate) sorted: Vec<ThreadId>,
}

impl ThreadSet {
    /// Adds a thread; returns false if it was already there.
    #[inline]
    pub(crate) fn insert(&mut self, t: ThreadId) -> bool {
        // Fast path: the new id sorts last (always true for a set of one).
        if !matches!(self.sorted.last(), Some(&last) if last >= t) {
            self.sorted.push(t);
            return true;
        }
        match self.sorted.binary_search(&t) {
            Ok(_) => false,
            Err(i) => {
                self.sorted.insert(i, t);
                true
            }
        }
    }

    /// Removes a thread; returns false if it was not there.
    #[inline]
    pub(crate) fn remove(&mut self, t: ThreadId) -> bool {
        // Fast path: the last member (always the case for a set of one).
        if self.sorted.last() == Some(&t) {
            self.sorted.pop();
            return true;
        }
        match self.sorted.binary_search(&t) {
            Ok(i) => {
                self.sorted.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// Removes every thread.
    #[inline]
    pub(crate) fn take_all(&mut self) -> Vec<ThreadId> {
        std::mem::take(&mut self.sorted)
    }

    /// True if `t` is a member.
    #[inline]
    pub fn contains(&self, t: ThreadId) -> bool {
        self.sorted.binary_search(&t).is_ok()
    }

    /// The members, by id.
    #[inline]
    pub fn as_slice(&self) -> &[ThreadId] {
        &self.sorted
    }

    /// Number of members.
    #[inline]
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// True when empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }
}

impl Clone for ThreadSet {
    fn clone(&self) -> ThreadSet {
        ThreadSet {
            sorted: self.sorted.clone(),
        }
    }

    /// Reuses `self`'s buffer (no allocation once it has grown).
    #[inline]
    fn clone_from(&mut self, source: &ThreadSet) {
        self.sorted.clone_from(&source.sorted);
    }
}
