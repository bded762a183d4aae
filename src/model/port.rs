//! A completion port: the kernel queue object that owns one IOCQ, one WTQ,
//! one RTL and one PTL, and the concurrency value that caps releases.

use super::iocq::Iocq;
use super::ptl::Ptl;
use super::rtl::Rtl;
use super::wtq::Wtq;

/// One I/O completion port.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Port {
    /// NumberOfConcurrentThreads as declared (0 means "number of CPUs").
    pub concurrency: u32,
    /// The effective limit (KQUEUE.MaximumCount): `concurrency`, or `cpus` when it is 0.
    pub max: u32,
    /// KQUEUE.CurrentCount: how many associated threads the port counts as running.
    /// Kept as its own counter, as the kernel does; property 2 checks it equals `rtl.len()`.
    pub current: u32,
    /// Queued completion packets.
    pub iocq: Iocq,
    /// Threads waiting for a packet.
    pub wtq: Wtq,
    /// Associated threads that are running.
    pub rtl: Rtl,
    /// Associated threads blocked on something else.
    pub ptl: Ptl,
    /// The last handle was closed (rule 8): every later use fails.
    pub closed: bool,
}

impl Port {
    /// A new open port.
    pub fn new(concurrency: u32, cpus: u32) -> Port {
        Port {
            concurrency,
            max: if concurrency == 0 { cpus } else { concurrency },
            current: 0,
            iocq: Iocq::default(),
            wtq: Wtq::default(),
            rtl: Rtl::default(),
            ptl: Ptl::default(),
            closed: false,
        }
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

    /// The port releases thread `t`: it joins the RTL and `current += 1`.
    /// Returns `(current, max)` after the release, computed in registers
    /// (re-reading them from memory right after the narrower store stalls
    /// store forwarding on the hot path).
    #[inline]
    pub(crate) fn count_in(&mut self, t: super::ids::ThreadId) -> (u32, u32) {
        let (current, max) = (self.current + 1, self.max);
        self.current = current;
        self.rtl.0.insert(t);
        (current, max)
    }
}
