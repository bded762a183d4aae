//! The **Device List**: which device handle completes to which port, with
//! which completion key (rule 9 adds an entry, rule 12 removes it).

use super::ids::{DeviceId, OvId, PortId};

/// One device handle and its association.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Device {
    /// The Device List entry: `(port, completion key)`, once associated.
    pub entry: Option<(PortId, u64)>,
    /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS: a request that succeeds at once
    /// makes no packet.
    pub skip_on_success: bool,
    /// The handle was closed; every later use fails with ERROR_INVALID_HANDLE.
    pub closed: bool,
    /// Requests pending on this device, in the order they were issued.
    pub pending: Vec<OvId>,
}

/// The Device List: every device of the world, indexed by [`DeviceId`].
///
/// In the kernel the association lives in each file object's completion
/// context; the class draws it as one table, and so do we.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DeviceList {
    devices: Vec<Device>,
}

impl DeviceList {
    /// A list of devices, none associated yet.
    pub fn new(skip_on_success: impl IntoIterator<Item = bool>) -> DeviceList {
        DeviceList {
            devices: skip_on_success
                .into_iter()
                .map(|skip| Device {
                    entry: None,
                    skip_on_success: skip,
                    closed: false,
                    pending: Vec::new(),
                })
                .collect(),
        }
    }

    /// The device with this id, if it exists.
    pub fn get(&self, id: DeviceId) -> Option<&Device> {
        self.devices.get(id.index())
    }

    /// The device with this id, mutably.
    pub(crate) fn get_mut(&mut self, id: DeviceId) -> Option<&mut Device> {
        self.devices.get_mut(id.index())
    }

    /// The Device List entry of a device: `(port, key)`, or `None` if it was
    /// never associated or has been closed.
    pub fn entry(&self, id: DeviceId) -> Option<(PortId, u64)> {
        self.get(id)
            .and_then(|d| if d.closed { None } else { d.entry })
    }

    /// Every device, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (DeviceId, &Device)> {
        self.devices
            .iter()
            .enumerate()
            .map(|(i, d)| (DeviceId(i as u32), d))
    }

    /// The devices whose entry points at `port`, with their keys.
    pub fn entries_for(&self, port: PortId) -> impl Iterator<Item = (DeviceId, u64)> + '_ {
        self.iter().filter_map(move |(id, d)| match d.entry {
            Some((p, key)) if p == port && !d.closed => Some((id, key)),
            _ => None,
        })
    }

    /// How many devices there are.
    pub fn len(&self) -> usize {
        self.devices.len()
    }

    /// True when the world has no devices.
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }
}
