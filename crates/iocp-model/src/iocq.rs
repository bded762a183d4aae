//! The **IO Completion Queue (IOCQ)**: completion packets waiting for a
//! thread, first in, first out (KQUEUE.EntryListHead).

use std::collections::VecDeque;

use super::packet::Packet;

/// A port's queue of completion packets, in dequeue order.
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct Iocq {
    pub(crate) packets: VecDeque<Packet>,
}

impl Iocq {
    /// Appends a packet at the tail.
    #[inline]
    pub(crate) fn push(&mut self, packet: Packet) {
        self.packets.push_back(packet);
    }

    /// Removes the head packet (the oldest).
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<Packet> {
        self.packets.pop_front()
    }

    /// Removes every packet, oldest first.
    #[inline]
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = Packet> + '_ {
        self.packets.drain(..)
    }

    /// Number of queued packets (what NtQueryIoCompletion reports as depth).
    #[inline]
    pub fn len(&self) -> usize {
        self.packets.len()
    }

    /// True when no packet is queued.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.packets.is_empty()
    }

    /// The packets in dequeue order (head first).
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = &Packet> {
        self.packets.iter()
    }

    /// True if the queue starts with `packets` (in order; the queue may hold more).
    #[inline]
    pub fn head_is<'a>(&self, packets: impl Iterator<Item = &'a Packet>) -> bool {
        let mut queued = self.packets.iter();
        packets.into_iter().all(|p| queued.next() == Some(p))
    }

    /// True if the queue without its first `skip` packets equals `other`.
    #[inline]
    pub fn tail_equals(&self, skip: usize, other: &Iocq) -> bool {
        match self.packets.len().checked_sub(skip) {
            Some(n) if n == other.packets.len() => {
                if skip == 0 {
                    // Compared slice by slice: the common case in a search.
                    self.packets == other.packets
                } else {
                    self.packets.range(skip..).eq(other.packets.iter())
                }
            }
            _ => false,
        }
    }
}

impl Clone for Iocq {
    fn clone(&self) -> Iocq {
        Iocq {
            packets: self.packets.clone(),
        }
    }

    /// Reuses `self`'s buffer (no allocation once it has grown).
    #[inline]
    fn clone_from(&mut self, source: &Iocq) {
        self.packets.clone_from(&source.packets);
    }
}
