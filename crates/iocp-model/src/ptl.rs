//! The **Paused Thread List (PTL)**: threads associated with a port that
//! entered some other wait (Sleep, WaitForSingleObject, a synchronous read)
//! while running. They no longer count in `current`; when their wait ends
//! they go back to the RTL (rule 4).

use std::ops::Deref;

use super::thread_set::ThreadSet;

/// A port's paused threads.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct Ptl(pub(crate) ThreadSet);

impl Deref for Ptl {
    type Target = ThreadSet;
    #[inline]
    fn deref(&self) -> &ThreadSet {
        &self.0
    }
}

impl Clone for Ptl {
    fn clone(&self) -> Ptl {
        Ptl(self.0.clone())
    }

    /// Reuses `self`'s buffer (no allocation once it has grown).
    #[inline]
    fn clone_from(&mut self, source: &Ptl) {
        self.0.clone_from(&source.0);
    }
}
