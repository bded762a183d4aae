//! A [`Kernel`] taken apart into plain data, and the one checked way back:
//! [`Kernel::from_parts`] (or [`Kernel::set_from_parts`], which reuses a
//! kernel's buffers). Programs that store states in their own form (the
//! explorer packs them into bits) rebuild kernels through it, so the
//! model's invariants are checked here and kept nowhere else.
//!
//! The invariants checked are those every reachable state of every flavour
//! keeps (docs/model.md):
//!
//! * `current == |RTL|` for each port (property 2);
//! * each RTL and PTL sorted by id without duplicates, each id in range;
//! * each thread is in the one list its state says, and in no other:
//!   running and associated with P: P's RTL; waiting: its port's WTQ (a
//!   closed one too, in Wine 8); paused and associated with P: P's PTL;
//!   free, paused without a port, or exited: no list;
//! * the OVERLAPPED table is canonical (no trailing free entries) and each
//!   OVERLAPPED pending on a device is in that device's pending list, and
//!   each entry of a pending list is an OVERLAPPED pending on that device;
//! * Device List entries name existing ports;
//! * `made == queued + delivered + lost` (property 1).

use std::collections::VecDeque;

use super::device_list::{Device, DeviceList};
use super::ids::{DeviceId, OvId, PortId, ThreadId};
use super::kernel::{Counters, Flavor, Kernel, OvUse};
use super::packet::Packet;
use super::port::Port;
use super::thread::{Thread, ThreadState};
use super::wtq::WakeOrder;

/// One port as plain data (see [`Port`] for the meaning of each field).
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, PortId, PortParts, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// k.step(Action::get(ThreadId(0), PortId(0)))?;
/// let port: &PortParts = &k.parts().ports[0];
/// assert_eq!((port.current, port.wtq.as_slice()), (0, &[ThreadId(0)][..]));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortParts {
    /// NumberOfConcurrentThreads as declared (`max` is derived from it).
    pub concurrency: u32,
    /// KQUEUE.CurrentCount; must equal `rtl.len()`.
    pub current: u32,
    /// The last handle was closed.
    pub closed: bool,
    /// The IOCQ, head first.
    pub iocq: VecDeque<Packet>,
    /// The WTQ in arrival order (oldest first).
    pub wtq: Vec<ThreadId>,
    /// The RTL, sorted ascending.
    pub rtl: Vec<ThreadId>,
    /// The PTL, sorted ascending.
    pub ptl: Vec<ThreadId>,
}

/// One device as plain data (see [`super::Device`]).
///
/// ```
/// use iocp_model::{Action, DeviceId, DeviceParts, Flavor, Kernel, KernelConfig, PortId};
///
/// let mut k = Kernel::new(&KernelConfig { devices: vec![false], ..KernelConfig::new(Flavor::Windows, &[1], 1) });
/// k.step(Action::associate(DeviceId(0), PortId(0), 3))?;
/// let d: &DeviceParts = &k.parts().devices[0];
/// assert_eq!((d.entry, d.closed), (Some((PortId(0), 3)), false));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceParts {
    /// The Device List entry `(port, key)`, if associated and not closed.
    pub entry: Option<(PortId, u64)>,
    /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
    pub skip_on_success: bool,
    /// The handle was closed.
    pub closed: bool,
    /// OVERLAPPEDs pending on it, in issue order.
    pub pending: Vec<OvId>,
}

/// A whole [`Kernel`] as plain data: [`Kernel::to_parts`] makes it,
/// [`Kernel::from_parts`] checks it and builds the kernel.
///
/// ```
/// use iocp_model::{Flavor, Kernel, KernelParts, PartsError, PortId, PortParts, Thread, ThreadId, ThreadState};
///
/// // A port of concurrency 1 with T0 running in its RTL, built directly.
/// let mut parts = KernelParts::empty(Flavor::Windows, 4);
/// parts.ports.push(PortParts { concurrency: 1, current: 1, rtl: vec![ThreadId(0)], ..PortParts::default() });
/// parts.threads.push(Thread::new(ThreadState::Running, Some(PortId(0)), false));
/// let k = Kernel::from_parts(parts.clone()).unwrap();
/// assert_eq!(k.port(PortId(0)).rtl().as_slice(), [ThreadId(0)]);
/// assert_eq!(k.parts(), parts);
/// // `current` out of step with the RTL is refused, with the numbers.
/// parts.ports[0].current = 2;
/// assert_eq!(
///     Kernel::from_parts(parts).unwrap_err(),
///     PartsError::CurrentNotRtl { port: PortId(0), current: 2, rtl: 1 }
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelParts {
    /// The flavour simulated.
    pub flavor: Flavor,
    /// Which waiter the ports wake ([`Kernel::wake_order`]); `empty`
    /// gives the flavour's.
    pub wake_order: WakeOrder,
    /// Number of processors (the limit of ports with concurrency 0).
    pub cpus: u32,
    /// Every port, in id order.
    pub ports: Vec<PortParts>,
    /// Every thread, in id order.
    pub threads: Vec<Thread>,
    /// Every device, in id order.
    pub devices: Vec<DeviceParts>,
    /// Each OVERLAPPED's use, by id, with no trailing [`OvUse::Free`].
    pub ovs: Vec<OvUse>,
    /// Run totals.
    pub counters: Counters,
}

/// Why [`Kernel::from_parts`] refused its parts: the first invariant broken.
///
/// ```
/// use iocp_model::{Flavor, Kernel, KernelParts, PartsError, PortId, PortParts};
/// use iocp_model::{Thread, ThreadId, ThreadState, Timeout, Wait};
///
/// // A thread waiting on a port whose WTQ does not hold it.
/// let mut parts = KernelParts::empty(Flavor::Windows, 4);
/// parts.ports.push(PortParts { concurrency: 1, ..PortParts::default() });
/// let waiting = ThreadState::Waiting(Wait { timeout: Timeout::Infinite, batch: None });
/// parts.threads.push(Thread::new(waiting, Some(PortId(0)), false));
/// assert_eq!(Kernel::from_parts(parts).unwrap_err(), PartsError::Misplaced { thread: ThreadId(0) });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // variant fields are the ids and numbers involved
pub enum PartsError {
    /// A port's `current` differs from the length of its RTL.
    CurrentNotRtl {
        port: PortId,
        current: u32,
        rtl: usize,
    },
    /// A port's RTL (`ptl == false`) or PTL is not sorted ascending
    /// without duplicates.
    Unsorted { port: PortId, ptl: bool },
    /// A thread id in a WTQ, RTL or PTL, or a port id in a thread or a
    /// Device List entry, is out of range.
    OutOfRange,
    /// A thread is not in the list its state says, or some list holds a
    /// thread that does not belong there.
    Misplaced { thread: ThreadId },
    /// The WTQs, RTLs or PTLs hold more entries than the threads placed in them.
    StrayEntries,
    /// The OVERLAPPED table ends with a free entry.
    TrailingFree,
    /// An OVERLAPPED's use and the devices' pending lists disagree.
    Pending { overlapped: OvId },
    /// A device's pending list names an OVERLAPPED that is not pending on it.
    NotPendingOn { device: DeviceId, overlapped: OvId },
    /// `made != queued + delivered + lost`.
    Counters,
    /// [`Kernel::swap_parts`]: the parts have another number of ports or
    /// devices than the kernel.
    Shape,
}

impl std::fmt::Display for PartsError {
    /// The variant and its numbers (`CurrentNotRtl { .. }`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "kernel parts: {self:?}")
    }
}

impl std::error::Error for PartsError {}

impl KernelParts {
    /// Parts with no port, thread or device (fill them, or use
    /// [`Kernel::to_parts`] to start from a kernel).
    pub fn empty(flavor: Flavor, cpus: u32) -> KernelParts {
        KernelParts {
            flavor,
            wake_order: flavor.wake_order(),
            cpus,
            ports: Vec::new(),
            threads: Vec::new(),
            devices: Vec::new(),
            ovs: Vec::new(),
            counters: Counters::default(),
        }
    }

    /// Checks every invariant listed in the module docs.
    pub fn check(&self) -> Result<(), PartsError> {
        let np = self.ports.len();
        let mut listed = 0usize;
        for (i, p) in self.ports.iter().enumerate() {
            let port = PortId::from_index(i);
            if p.current as usize != p.rtl.len() {
                return Err(PartsError::CurrentNotRtl {
                    port,
                    current: p.current,
                    rtl: p.rtl.len(),
                });
            }
            for (list, ptl) in [(&p.rtl, false), (&p.ptl, true)] {
                if list.windows(2).any(|w| w[0] >= w[1]) {
                    return Err(PartsError::Unsorted { port, ptl });
                }
            }
            listed += p.wtq.len() + p.rtl.len() + p.ptl.len();
        }
        // Each thread is found in the list its state names; if the lists
        // hold exactly as many entries as threads were found, no list holds
        // a duplicate or a thread that does not belong there.
        let mut placed = 0usize;
        for (i, th) in self.threads.iter().enumerate() {
            let t = ThreadId::from_index(i);
            let port = match th.port() {
                Some(p) if p.index() >= np => return Err(PartsError::OutOfRange),
                Some(p) => Some(&self.ports[p.index()]),
                None => None,
            };
            let found = match (th.state(), port) {
                (ThreadState::Running, Some(p)) => p.rtl.binary_search(&t).is_ok(),
                (ThreadState::Waiting(_), Some(p)) => p.wtq.contains(&t),
                (ThreadState::Waiting(_), None) => false,
                (ThreadState::Paused(_), Some(p)) => p.ptl.binary_search(&t).is_ok(),
                (ThreadState::Running | ThreadState::Paused(_), None) => continue,
                (ThreadState::Exited, None) => continue,
                (ThreadState::Exited, Some(_)) => false,
            };
            if !found {
                return Err(PartsError::Misplaced { thread: t });
            }
            placed += 1;
        }
        if listed != placed {
            return Err(PartsError::StrayEntries);
        }
        if self.ovs.last() == Some(&OvUse::Free) {
            return Err(PartsError::TrailingFree);
        }
        let mut pending = 0usize;
        for (i, &u) in self.ovs.iter().enumerate() {
            if let OvUse::Pending(d) = u {
                let overlapped = OvId::from_index(i);
                match self.devices.get(d.index()) {
                    Some(dev) if dev.pending.contains(&overlapped) => pending += 1,
                    _ => return Err(PartsError::Pending { overlapped }),
                }
            }
        }
        let mut listed_pending = 0usize;
        for (i, dev) in self.devices.iter().enumerate() {
            let device = DeviceId::from_index(i);
            if matches!(dev.entry, Some((p, _)) if p.index() >= np) {
                return Err(PartsError::OutOfRange);
            }
            for &overlapped in &dev.pending {
                if self.ovs.get(overlapped.index()) != Some(&OvUse::Pending(device)) {
                    return Err(PartsError::NotPendingOn { device, overlapped });
                }
            }
            listed_pending += dev.pending.len();
        }
        // Every pending OVERLAPPED is listed, every listed one is pending on
        // its device, and there are as many of each: no list repeats one.
        if listed_pending != pending {
            return Err(PartsError::StrayEntries);
        }
        let c = self.counters;
        // Checked sums: parts are arbitrary input, and must not overflow.
        let total = self
            .ports
            .iter()
            .try_fold(0u64, |n, p| n.checked_add(p.iocq.len() as u64))
            .and_then(|queued| queued.checked_add(c.delivered))
            .and_then(|n| n.checked_add(c.lost));
        if total != Some(c.made) {
            return Err(PartsError::Counters);
        }
        Ok(())
    }
}

impl Kernel {
    /// Builds a kernel from parts, after checking every invariant the rules
    /// keep (see [`KernelParts::check`]). The one way to make a kernel in an
    /// arbitrary state.
    pub fn from_parts(parts: KernelParts) -> Result<Kernel, PartsError> {
        parts.check()?;
        Ok(Kernel::build(parts))
    }

    /// [`Kernel::from_parts`] without the check, for tests of checkers that
    /// must be shown a broken state (a counter out of step with its RTL).
    /// Only with the `unchecked` feature, which no library build enables:
    /// a kernel built so may break the rules' invariants, and the rules
    /// then give meaningless (but memory-safe) results.
    #[cfg(feature = "unchecked")]
    pub fn from_parts_unchecked(parts: KernelParts) -> Kernel {
        Kernel::build(parts)
    }

    fn build(parts: KernelParts) -> Kernel {
        let KernelParts {
            flavor,
            wake_order,
            cpus,
            ports,
            threads,
            devices,
            ovs,
            counters,
        } = parts;
        let ports = ports
            .into_iter()
            .map(|p| {
                let mut port = Port::new(p.concurrency, cpus);
                port.current = p.current;
                port.closed = p.closed;
                port.iocq.packets = p.iocq;
                port.wtq.arrival = p.wtq;
                port.rtl.0.sorted = p.rtl;
                port.ptl.0.sorted = p.ptl;
                port
            })
            .collect();
        let mut list = DeviceList::new(devices.iter().map(|d| d.skip_on_success));
        for (d, p) in list.devices.iter_mut().zip(devices) {
            d.entry = p.entry;
            d.closed = p.closed;
            d.pending = p.pending;
        }
        Kernel {
            flavor,
            wake: wake_order,
            cpus,
            ports,
            threads,
            devices: list,
            ovs,
            counters,
        }
    }

    /// [`Kernel::from_parts`] into an existing kernel, reusing its buffers
    /// (no allocation once they have grown). On error `self` is unchanged.
    pub fn set_from_parts(&mut self, parts: &KernelParts) -> Result<(), PartsError> {
        parts.check()?;
        self.flavor = parts.flavor;
        self.wake = parts.wake_order;
        self.cpus = parts.cpus;
        self.ports.truncate(parts.ports.len());
        self.ports
            .resize_with(parts.ports.len(), || Port::new(0, 0));
        for (port, p) in self.ports.iter_mut().zip(&parts.ports) {
            port.concurrency = p.concurrency;
            port.max = Port::limit(p.concurrency, parts.cpus);
            port.current = p.current;
            port.closed = p.closed;
            port.iocq.packets.clone_from(&p.iocq);
            copy_into(&mut port.wtq.arrival, &p.wtq);
            copy_into(&mut port.rtl.0.sorted, &p.rtl);
            copy_into(&mut port.ptl.0.sorted, &p.ptl);
        }
        self.threads.clone_from(&parts.threads);
        let devices = &mut self.devices.devices;
        devices.truncate(parts.devices.len());
        devices.resize_with(parts.devices.len(), || Device::new(false));
        for (d, p) in devices.iter_mut().zip(&parts.devices) {
            d.entry = p.entry;
            d.skip_on_success = p.skip_on_success;
            d.closed = p.closed;
            d.pending.clone_from(&p.pending);
        }
        self.ovs.clone_from(&parts.ovs);
        self.counters = parts.counters;
        Ok(())
    }

    /// [`Kernel::from_parts`] into an existing kernel by exchanging
    /// buffers: on success the kernel holds the parts' state and `parts`
    /// the kernel's previous state (nothing is copied or allocated, which
    /// is what the explorer does for every state it unpacks). The two must
    /// have the same numbers of ports and devices. On error neither changes.
    pub fn swap_parts(&mut self, parts: &mut KernelParts) -> Result<(), PartsError> {
        parts.check()?;
        if parts.ports.len() != self.ports.len() || parts.devices.len() != self.devices.len() {
            return Err(PartsError::Shape);
        }
        std::mem::swap(&mut self.flavor, &mut parts.flavor);
        std::mem::swap(&mut self.wake, &mut parts.wake_order);
        std::mem::swap(&mut self.cpus, &mut parts.cpus);
        for (port, p) in self.ports.iter_mut().zip(&mut parts.ports) {
            std::mem::swap(&mut port.concurrency, &mut p.concurrency);
            std::mem::swap(&mut port.current, &mut p.current);
            std::mem::swap(&mut port.closed, &mut p.closed);
            std::mem::swap(&mut port.iocq.packets, &mut p.iocq);
            std::mem::swap(&mut port.wtq.arrival, &mut p.wtq);
            std::mem::swap(&mut port.rtl.0.sorted, &mut p.rtl);
            std::mem::swap(&mut port.ptl.0.sorted, &mut p.ptl);
        }
        // `max` follows from the (new) concurrency and cpus.
        let cpus = self.cpus;
        for port in &mut self.ports {
            port.max = Port::limit(port.concurrency, cpus);
        }
        std::mem::swap(&mut self.threads, &mut parts.threads);
        for (d, p) in self.devices.devices.iter_mut().zip(&mut parts.devices) {
            std::mem::swap(&mut d.entry, &mut p.entry);
            std::mem::swap(&mut d.skip_on_success, &mut p.skip_on_success);
            std::mem::swap(&mut d.closed, &mut p.closed);
            std::mem::swap(&mut d.pending, &mut p.pending);
        }
        std::mem::swap(&mut self.ovs, &mut parts.ovs);
        std::mem::swap(&mut self.counters, &mut parts.counters);
        Ok(())
    }

    /// Writes this kernel into `parts`, reusing its buffers. The result
    /// passes [`KernelParts::check`], and `from_parts` gives back an equal kernel.
    pub fn to_parts(&self, parts: &mut KernelParts) {
        parts.flavor = self.flavor;
        parts.wake_order = self.wake;
        parts.cpus = self.cpus;
        parts.ports.truncate(self.ports.len());
        parts
            .ports
            .resize_with(self.ports.len(), PortParts::default);
        for (p, port) in parts.ports.iter_mut().zip(&self.ports) {
            p.concurrency = port.concurrency;
            p.current = port.current;
            p.closed = port.closed;
            p.iocq.clear();
            p.iocq.extend(port.iocq.iter().copied());
            copy_into(&mut p.wtq, port.wtq.arrival_order());
            copy_into(&mut p.rtl, port.rtl.as_slice());
            copy_into(&mut p.ptl, port.ptl.as_slice());
        }
        parts.threads.clone_from(&self.threads);
        parts.devices.truncate(self.devices.len());
        parts
            .devices
            .resize_with(self.devices.len(), DeviceParts::default);
        for (p, (_, d)) in parts.devices.iter_mut().zip(self.devices.iter()) {
            p.entry = d.entry;
            p.skip_on_success = d.skip_on_success;
            p.closed = d.closed;
            p.pending.clone_from(&d.pending);
        }
        parts.ovs.clone_from(&self.ovs);
        parts.counters = self.counters;
    }

    /// This kernel as parts.
    pub fn parts(&self) -> KernelParts {
        let mut parts = KernelParts::empty(self.flavor, self.cpus);
        self.to_parts(&mut parts);
        parts
    }
}

/// Makes `dst` equal to `src`, reusing its buffer.
#[inline]
fn copy_into<T: Copy>(dst: &mut Vec<T>, src: &[T]) {
    dst.clear();
    dst.extend_from_slice(src);
}
