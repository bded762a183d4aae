//! The **Waiting Thread Queue (WTQ)**: threads blocked inside
//! GetQueuedCompletionStatus(Ex) on a port (KQUEUE.Header.WaitListHead).
//!
//! It is called a queue but Windows wakes the most recent waiter (LIFO): that
//! thread's stack and cache are still warm, and the same few threads keep
//! doing all the work. Wine wakes the oldest (FIFO).

use super::ids::ThreadId;

/// Which end of the WTQ a port wakes from.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, PortId, ThreadId, WakeOrder};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 3));
/// for t in k.thread_ids() {
///     k.step(Action::get(t, PortId(0)))?;
/// }
/// let wtq = k.port(PortId(0)).wtq();
/// assert_eq!(wtq.next(WakeOrder::Lifo), Some(ThreadId(2)));
/// assert_eq!(wtq.wake_order(WakeOrder::Fifo), [ThreadId(0), ThreadId(1), ThreadId(2)]);
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WakeOrder {
    /// Most recent waiter first (Windows).
    Lifo,
    /// Oldest waiter first (Wine).
    Fifo,
}

/// A port's waiting threads, stored in the order they started waiting.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct Wtq {
    pub(crate) arrival: Vec<ThreadId>,
}

impl Wtq {
    /// A thread starts waiting.
    #[inline]
    pub(crate) fn push(&mut self, thread: ThreadId) {
        self.arrival.push(thread);
    }

    /// Takes the thread that `order` wakes next.
    #[inline]
    pub(crate) fn pop(&mut self, order: WakeOrder) -> Option<ThreadId> {
        match order {
            WakeOrder::Lifo => self.arrival.pop(),
            WakeOrder::Fifo => {
                if self.arrival.is_empty() {
                    None
                } else {
                    Some(self.arrival.remove(0))
                }
            }
        }
    }

    /// Takes a given thread out (its wait timed out). Returns whether it was there.
    #[inline]
    pub(crate) fn remove(&mut self, thread: ThreadId) -> bool {
        match self.arrival.iter().position(|&t| t == thread) {
            Some(i) => {
                self.arrival.remove(i);
                true
            }
            None => false,
        }
    }

    /// Removes every waiter, in arrival order.
    #[inline]
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = ThreadId> + '_ {
        self.arrival.drain(..)
    }

    /// The thread that would be woken next under `order`.
    #[inline]
    pub fn next(&self, order: WakeOrder) -> Option<ThreadId> {
        match order {
            WakeOrder::Lifo => self.arrival.last().copied(),
            WakeOrder::Fifo => self.arrival.first().copied(),
        }
    }

    /// The waiters in the order `order` would wake them.
    #[inline]
    pub fn wake_order(&self, order: WakeOrder) -> Vec<ThreadId> {
        match order {
            WakeOrder::Lifo => self.arrival.iter().rev().copied().collect(),
            WakeOrder::Fifo => self.arrival.clone(),
        }
    }

    /// The waiters in the order they started waiting (oldest first).
    #[inline]
    pub fn arrival_order(&self) -> &[ThreadId] {
        &self.arrival
    }

    /// True if `thread` waits here.
    #[inline]
    pub fn contains(&self, thread: ThreadId) -> bool {
        self.arrival.contains(&thread)
    }

    /// Number of waiting threads.
    #[inline]
    pub fn len(&self) -> usize {
        self.arrival.len()
    }

    /// True when no thread waits.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.arrival.is_empty()
    }
}

impl Clone for Wtq {
    fn clone(&self) -> Wtq {
        Wtq {
            arrival: self.arrival.clone(),
        }
    }

    /// Reuses `self`'s buffer (no allocation once it has grown). The
    /// lists are a few ids and often already equal (the explorer copies a
    /// state before each move): comparing first is cheaper than a copy.
    #[inline]
    fn clone_from(&mut self, source: &Wtq) {
        if self.arrival != source.arrival {
            self.arrival.clear();
            self.arrival.extend_from_slice(&source.arrival);
        }
    }
}
