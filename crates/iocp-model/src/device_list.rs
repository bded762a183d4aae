//! The **Device List**: which device handle completes to which port, with
//! which completion key (rule 9 adds an entry, rule 12 removes it).

use super::ids::{DeviceId, OvId, PortId};

/// One device handle and its association.
///
/// ```
/// use iocp_model::{Action, DeviceId, Flavor, Kernel, KernelConfig, OvId, PortId};
///
/// let mut k = Kernel::new(&KernelConfig { devices: vec![true], ..KernelConfig::new(Flavor::Windows, &[1], 1) });
/// let d = DeviceId(0);
/// k.step(Action::associate(d, PortId(0), 5))?;
/// k.step(Action::issue(d, OvId(1)))?;
/// let dev = k.devices().get(d).unwrap();
/// assert_eq!((dev.entry(), dev.pending(), dev.skip_on_success()), (Some((PortId(0), 5)), &[OvId(1)][..], true));
/// assert_eq!(k.devices().len(), 1);
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Device {
    /// The Device List entry: `(port, completion key)`, once associated.
    pub(crate) entry: Option<(PortId, u64)>,
    /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: a request that succeeds at once
    /// makes no packet.
    pub(crate) skip_on_success: bool,
    /// The handle was closed; every later use fails with ERROR_INVALID_HANDLE.
    pub(crate) closed: bool,
    /// Requests pending on this device, in the order they were issued.
    pub(crate) pending: Vec<OvId>,
}

impl Device {
    /// A device never associated, open, with nothing pending.
    pub(crate) fn new(skip_on_success: bool) -> Device {
        Device {
            entry: None,
            skip_on_success,
            closed: false,
            pending: Vec::new(),
        }
    }

    /// The Device List entry: `(port, completion key)`, once associated
    /// (kept after the handle is closed; [`DeviceList::entry`] hides it then).
    #[inline]
    pub fn entry(&self) -> Option<(PortId, u64)> {
        self.entry
    }
    /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
    #[inline]
    pub fn skip_on_success(&self) -> bool {
        self.skip_on_success
    }
    /// The handle was closed.
    #[inline]
    pub fn closed(&self) -> bool {
        self.closed
    }
    /// Requests pending on this device, in the order they were issued.
    #[inline]
    pub fn pending(&self) -> &[OvId] {
        &self.pending
    }
}

impl Clone for Device {
    fn clone(&self) -> Device {
        Device {
            entry: self.entry,
            skip_on_success: self.skip_on_success,
            closed: self.closed,
            pending: self.pending.clone(),
        }
    }

    /// Reuses `self`'s buffer (no allocation once it has grown).
    #[inline]
    fn clone_from(&mut self, source: &Device) {
        self.entry = source.entry;
        self.skip_on_success = source.skip_on_success;
        self.closed = source.closed;
        self.pending.clone_from(&source.pending);
    }
}

impl Clone for DeviceList {
    fn clone(&self) -> DeviceList {
        DeviceList {
            devices: self.devices.clone(),
        }
    }

    /// Reuses `self`'s buffers (no allocation once they have grown).
    #[inline]
    fn clone_from(&mut self, source: &DeviceList) {
        self.devices.clone_from(&source.devices);
    }
}

/// The Device List: every device of the world, indexed by [`DeviceId`].
///
/// In the kernel the association lives in each file object's completion
/// context; the class draws it as one table, and so do we.
///
/// ```
/// use iocp_model::{Action, DeviceId, Flavor, Kernel, KernelConfig, PortId};
///
/// let mut k = Kernel::new(&KernelConfig { devices: vec![false, false], ..KernelConfig::new(Flavor::Windows, &[1], 1) });
/// k.step(Action::associate(DeviceId(1), PortId(0), 42))?;
/// let list = k.devices();
/// assert_eq!(list.entry(DeviceId(0)), None);
/// assert_eq!(list.entries_for(PortId(0)).collect::<Vec<_>>(), [(DeviceId(1), 42)]);
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Debug, Default, PartialEq, Eq, Hash)]
pub struct DeviceList {
    pub(crate) devices: Vec<Device>,
}

impl DeviceList {
    /// A list of devices, none associated yet.
    #[inline]
    pub fn new(skip_on_success: impl IntoIterator<Item = bool>) -> DeviceList {
        DeviceList {
            devices: skip_on_success.into_iter().map(Device::new).collect(),
        }
    }

    /// The device with this id, if it exists.
    #[inline]
    pub fn get(&self, id: DeviceId) -> Option<&Device> {
        self.devices.get(id.index())
    }

    /// The device with this id, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, id: DeviceId) -> Option<&mut Device> {
        self.devices.get_mut(id.index())
    }

    /// The Device List entry of a device: `(port, key)`, or `None` if it was
    /// never associated or has been closed.
    #[inline]
    pub fn entry(&self, id: DeviceId) -> Option<(PortId, u64)> {
        self.get(id)
            .and_then(|d| if d.closed { None } else { d.entry })
    }

    /// Every device, in id order.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = (DeviceId, &Device)> {
        self.devices
            .iter()
            .enumerate()
            .map(|(i, d)| (DeviceId::from_index(i), d))
    }

    /// The devices whose entry points at `port`, with their keys.
    #[inline]
    pub fn entries_for(&self, port: PortId) -> impl Iterator<Item = (DeviceId, u64)> + '_ {
        self.iter().filter_map(move |(id, d)| match d.entry {
            Some((p, key)) if p == port && !d.closed => Some((id, key)),
            _ => None,
        })
    }

    /// How many devices there are.
    #[inline]
    pub fn len(&self) -> usize {
        self.devices.len()
    }

    /// True when the world has no devices.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }
}
