//! The completion packet: what an IOCQ holds and what a get returns.

use super::ids::{OvId, StatusId};

/// Where a packet came from. Only packets made by an I/O completion own
/// their OVERLAPPED (rule 10: it stays in use until the packet is dequeued);
/// the OVERLAPPED of a post is only a label.
///
/// ```
/// use iocp_model::{Action, DeviceId, Flavor, Kernel, KernelConfig, Origin, OvId, PortId};
///
/// let mut k = Kernel::new(&KernelConfig { devices: vec![false], ..KernelConfig::new(Flavor::Windows, &[1], 1) });
/// k.step(Action::associate(DeviceId(0), PortId(0), 1))?;
/// k.step(Action::issue(DeviceId(0), OvId(0)))?;
/// k.step(Action::complete(OvId(0), 100))?;
/// k.step(Action::post(PortId(0), 2))?;
/// let origins: Vec<Origin> = k.port(PortId(0)).iocq().iter().map(|p| p.origin).collect();
/// assert_eq!(origins, [Origin::Io, Origin::Post]);
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
// As wide as a `StatusId`: a packet then has no padding, and copying one
// (into the IOCQ, a delivery, an event) is two 16-byte moves.
#[repr(u32)]
pub enum Origin {
    /// PostQueuedCompletionStatus.
    Post,
    /// An overlapped request on an associated device completed.
    Io,
}

/// A completion packet, the four fields of an IOCQ entry in the lecture
/// diagram: bytes transferred, completion key, OVERLAPPED, status.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, Origin, OvId, Packet, PortId, StatusId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let p = PortId(0);
/// k.step(Action::Post { port: p, key: 7, bytes: 512, overlapped: Some(OvId(0)), by: None })?;
/// let queued: Vec<Packet> = k.port(p).iocq().iter().copied().collect();
/// assert_eq!(
///     queued,
///     [Packet { bytes: 512, key: 7, overlapped: Some(OvId(0)), status: StatusId::SUCCESS, origin: Origin::Post }]
/// );
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
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
