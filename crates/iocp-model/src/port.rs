//! A completion port: the kernel queue object that owns one IOCQ, one WTQ,
//! one RTL and one PTL, and the concurrency value that caps releases.

use super::ids::ThreadId;
use super::iocq::Iocq;
use super::ptl::Ptl;
use super::rtl::Rtl;
use super::wtq::Wtq;

/// One I/O completion port.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, PortId, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 3));
/// let (p, t) = (PortId(0), ThreadId::first(3).collect::<Vec<_>>());
/// k.step(Action::get(t[0], p))?;
/// k.step(Action::get(t[1], p))?;
/// k.step(Action::post(p, 1))?; // to T1, the most recent waiter
/// k.step(Action::post(p, 2))?; // queued: the port is full
/// k.step(Action::block(t[2]))?; // T2 was never associated: no port counts it
/// let port = k.port(p);
/// assert_eq!((port.concurrency(), port.max(), port.current()), (1, 1, 1));
/// assert_eq!(port.iocq().iter().map(|pk| pk.key).collect::<Vec<_>>(), [2]);
/// assert_eq!(port.wtq().arrival_order(), [t[0]]);
/// assert_eq!(port.rtl().as_slice(), [t[1]]);
/// assert!(port.ptl().is_empty() && !port.has_room() && !port.over_limit());
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Port {
    /// NumberOfConcurrentThreads as declared (0 means "number of CPUs").
    pub(crate) concurrency: u32,
    /// The effective limit (KQUEUE.MaximumCount): `concurrency`, or `cpus` when it is 0.
    pub(crate) max: u32,
    /// KQUEUE.CurrentCount: how many associated threads the port counts as running.
    /// Kept as its own counter, as the kernel does; property 2 checks it equals `rtl.len()`.
    pub(crate) current: u32,
    /// Queued completion packets.
    pub(crate) iocq: Iocq,
    /// Threads waiting for a packet.
    pub(crate) wtq: Wtq,
    /// Associated threads that are running.
    pub(crate) rtl: Rtl,
    /// Associated threads blocked on something else.
    pub(crate) ptl: Ptl,
    /// The last handle was closed (rule 8): every later use fails.
    pub(crate) closed: bool,
}

impl Port {
    /// A new open port.
    #[inline]
    pub fn new(concurrency: u32, cpus: u32) -> Port {
        Port {
            concurrency,
            max: Port::limit(concurrency, cpus),
            current: 0,
            iocq: Iocq::default(),
            wtq: Wtq::default(),
            rtl: Rtl::default(),
            ptl: Ptl::default(),
            closed: false,
        }
    }

    /// The effective limit of a port declared with `concurrency`.
    #[inline]
    pub(crate) fn limit(concurrency: u32, cpus: u32) -> u32 {
        if concurrency == 0 {
            cpus
        } else {
            concurrency
        }
    }

    /// NumberOfConcurrentThreads as declared (0 means "number of CPUs").
    #[inline]
    pub fn concurrency(&self) -> u32 {
        self.concurrency
    }
    /// The effective limit (KQUEUE.MaximumCount): `concurrency`, or `cpus` when it is 0.
    #[inline]
    pub fn max(&self) -> u32 {
        self.max
    }
    /// KQUEUE.CurrentCount: how many associated threads the port counts as
    /// running. Always equals `rtl().len()` (property 2).
    #[inline]
    pub fn current(&self) -> u32 {
        self.current
    }
    /// Queued completion packets.
    #[inline]
    pub fn iocq(&self) -> &Iocq {
        &self.iocq
    }
    /// Threads waiting for a packet.
    #[inline]
    pub fn wtq(&self) -> &Wtq {
        &self.wtq
    }
    /// Associated threads that are running.
    #[inline]
    pub fn rtl(&self) -> &Rtl {
        &self.rtl
    }
    /// Associated threads blocked on something else.
    #[inline]
    pub fn ptl(&self) -> &Ptl {
        &self.ptl
    }
    /// The last handle was closed (rule 8): every later use fails.
    #[inline]
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// `current > max`: more threads run than the concurrency value allows.
    #[inline]
    pub fn over_limit(&self) -> bool {
        self.current > self.max
    }

    /// `current < max`: the port may release one more thread.
    #[inline]
    pub fn has_room(&self) -> bool {
        self.current < self.max
    }

    /// Idle work: `current < max`, a packet queued and a thread waiting,
    /// the situation the Windows rules never leave behind (property 3),
    /// except after a post by a worker carrying the queue-wait mark.
    #[inline]
    pub fn idle_with_work(&self) -> bool {
        self.has_room() && !self.iocq.is_empty() && !self.wtq.is_empty()
    }

    /// The port counts thread `t` in: it joins the RTL and `current += 1`
    /// (a release, or an unchecked return: rules 4 and 5). Returns
    /// `(current, max)` after, computed in registers (re-reading them
    /// from memory right after the narrower store stalls store forwarding
    /// on the hot path).
    #[inline]
    pub(crate) fn count_in(&mut self, t: ThreadId) -> (u32, u32) {
        let (current, max) = (self.current + 1, self.max);
        self.current = current;
        self.rtl.0.insert(t);
        (current, max)
    }

    /// The port counts thread `t` out (it stopped running for the port: it
    /// called get again, blocked, exited or left): out of the RTL and
    /// `current -= 1`. Returns `current` after.
    #[inline]
    pub(crate) fn count_out(&mut self, t: ThreadId) -> u32 {
        let current = self.current - 1;
        self.current = current;
        self.rtl.0.remove(t);
        current
    }
}

impl Port {
    /// Makes `self` equal to `source` when they differ at most in their
    /// counters, flags, RTL and PTL, and in their IOCQ if `iocq` and their
    /// WTQ if `wtq` (see `Kernel::restore_from`).
    #[inline]
    pub(crate) fn restore_from(&mut self, source: &Port, iocq: bool, wtq: bool) {
        self.concurrency = source.concurrency;
        self.max = source.max;
        self.current = source.current;
        self.closed = source.closed;
        if iocq {
            self.iocq.clone_from(&source.iocq);
        }
        if wtq {
            self.wtq.clone_from(&source.wtq);
        }
        self.rtl.clone_from(&source.rtl);
        self.ptl.clone_from(&source.ptl);
    }
}

impl Clone for Port {
    fn clone(&self) -> Port {
        Port {
            concurrency: self.concurrency,
            max: self.max,
            current: self.current,
            iocq: self.iocq.clone(),
            wtq: self.wtq.clone(),
            rtl: self.rtl.clone(),
            ptl: self.ptl.clone(),
            closed: self.closed,
        }
    }

    /// Reuses `self`'s buffers (no allocation once they have grown).
    #[inline]
    fn clone_from(&mut self, source: &Port) {
        self.concurrency = source.concurrency;
        self.max = source.max;
        self.current = source.current;
        self.iocq.clone_from(&source.iocq);
        self.wtq.clone_from(&source.wtq);
        self.rtl.clone_from(&source.rtl);
        self.ptl.clone_from(&source.ptl);
        self.closed = source.closed;
    }
}
