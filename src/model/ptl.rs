//! The **Paused Thread List (PTL)**: threads associated with a port that
//! entered some other wait (Sleep, WaitForSingleObject, a synchronous read)
//! while running. They no longer count in `current`; when their wait ends
//! they go back to the RTL (rule 4).

use std::ops::Deref;

use super::thread_set::ThreadSet;

/// A port's paused threads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ptl(pub(crate) ThreadSet);

impl Deref for Ptl {
    type Target = ThreadSet;
    fn deref(&self) -> &ThreadSet {
        &self.0
    }
}
