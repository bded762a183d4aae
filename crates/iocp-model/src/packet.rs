//! The completion packet: what an IOCQ holds and what a get returns.

use super::ids::{OvId, StatusId};

/// Where a packet came from. Only packets made by an I/O completion own
/// their OVERLAPPED (rule 10: it stays in use until the packet is dequeued);
/// the OVERLAPPED of a post is only a label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// PostQueuedCompletionStatus.
    Post,
    /// An overlapped request on an associated device completed.
    Io,
}

/// A completion packet, the four fields of an IOCQ entry in the lecture
/// diagram: bytes transferred, completion key, OVERLAPPED, status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Packet {
    /// lpNumberOfBytesTransferred.
    pub bytes: u64,
    /// lpCompletionKey: the key of the device's Device List entry, or the
    /// key given to a post.
    pub key: u64,
    /// lpOverlapped; `None` is a null OVERLAPPED (a post used as a signal).
    pub overlapped: Option<OvId>,
    /// The I/O status: success or an error.
    pub status: StatusId,
    /// Who made it.
    pub origin: Origin,
}
