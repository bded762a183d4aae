//! The **Released Thread List (RTL)**: threads associated with a port that
//! are running. The port's `current` (KQUEUE.CurrentCount) counts them.
//!
//! The concurrency value caps how many threads the *port* releases, not how
//! many are in this list: a paused thread that returns (rule 4) or a wait
//! that times out (rule 5) re-enters unchecked, which is how the RTL comes to
//! exceed the limit.

use std::ops::Deref;

use super::thread_set::ThreadSet;

/// A port's running threads.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct Rtl(pub(crate) ThreadSet);

impl Deref for Rtl {
    type Target = ThreadSet;
    #[inline]
    fn deref(&self) -> &ThreadSet {
        &self.0
    }
}

impl Clone for Rtl {
    fn clone(&self) -> Rtl {
        Rtl(self.0.clone())
    }

    /// Reuses `self`'s buffer (no allocation once it has grown).
    #[inline]
    fn clone_from(&mut self, source: &Rtl) {
        self.0.clone_from(&source.0);
    }
}
