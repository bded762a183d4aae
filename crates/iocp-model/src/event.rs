//! What a step did, as data: the call's result, the packets handed to
//! threads, the threads whose calls failed, and every rule that fired with
//! the numbers that made it fire. Front ends narrate these; tests assert them.

use super::ids::{DeviceId, LabelId, OvId, PortId, ThreadId};
use super::packet::Packet;

/// The rules of `docs/model.md`.
///
/// ```
/// use iocp_model::Rule;
///
/// assert_eq!((Rule::Unblock.number(), Rule::Unblock.name()), (Some(4), "unblock"));
/// assert_eq!(Rule::Unblock.label(), "rule 4 (unblock)");
/// assert_eq!(Rule::Activate.number(), None);
/// assert_eq!(Rule::ALL.len(), 13);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// activate(P): a counted thread left; the port may release a waiter.
    Activate,
    /// Rule 1: GetQueuedCompletionStatus.
    Get,
    /// Rule 2: a packet is inserted (post or I/O completion).
    Insert,
    /// Rule 3: a running thread blocks on something else.
    Block,
    /// Rule 4: a paused thread's wait ends.
    Unblock,
    /// Rule 5: a waiter's timeout expires.
    Timeout,
    /// Rule 6: a thread exits.
    Exit,
    /// Rule 7: GetQueuedCompletionStatusEx.
    GetEx,
    /// Rule 8: the port is closed.
    ClosePort,
    /// Rule 9: a device is associated with a port.
    Associate,
    /// Rule 10: an overlapped request is issued.
    Issue,
    /// Rule 11: a pending request completes.
    Complete,
    /// Rule 12: a device is closed.
    CloseDevice,
}

impl Rule {
    /// Every rule, in the order of model.md.
    pub const ALL: [Rule; 13] = [
        Rule::Activate,
        Rule::Get,
        Rule::Insert,
        Rule::Block,
        Rule::Unblock,
        Rule::Timeout,
        Rule::Exit,
        Rule::GetEx,
        Rule::ClosePort,
        Rule::Associate,
        Rule::Issue,
        Rule::Complete,
        Rule::CloseDevice,
    ];

    /// The rule's number in model.md (`None` for activate, which has none).
    #[inline]
    pub fn number(self) -> Option<u8> {
        match self {
            Rule::Activate => None,
            Rule::Get => Some(1),
            Rule::Insert => Some(2),
            Rule::Block => Some(3),
            Rule::Unblock => Some(4),
            Rule::Timeout => Some(5),
            Rule::Exit => Some(6),
            Rule::GetEx => Some(7),
            Rule::ClosePort => Some(8),
            Rule::Associate => Some(9),
            Rule::Issue => Some(10),
            Rule::Complete => Some(11),
            Rule::CloseDevice => Some(12),
        }
    }

    /// The rule's short name (`"get"`, `"activate"`, ...).
    #[inline]
    pub fn name(self) -> &'static str {
        match self {
            Rule::Activate => "activate",
            Rule::Get => "get",
            Rule::Insert => "insert",
            Rule::Block => "block",
            Rule::Unblock => "unblock",
            Rule::Timeout => "timeout",
            Rule::Exit => "exit",
            Rule::GetEx => "get_ex",
            Rule::ClosePort => "close_port",
            Rule::Associate => "associate",
            Rule::Issue => "issue",
            Rule::Complete => "complete",
            Rule::CloseDevice => "close_device",
        }
    }

    /// `"rule 4 (unblock)"`, or `"activate"`.
    #[inline]
    pub fn label(self) -> String {
        match self.number() {
            Some(n) => format!("rule {n} ({})", self.name()),
            None => "activate".to_owned(),
        }
    }
}

/// The Win32 errors a call in the model can fail with.
///
/// ```
/// use iocp_model::{Action, CallResult, Flavor, Kernel, KernelConfig, PortId, ThreadId, WinError};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let out = k.step(Action::poll(ThreadId(0), PortId(0)))?;
/// assert_eq!(out.result, CallResult::Failed(WinError::WaitTimeout));
/// assert_eq!((WinError::WaitTimeout.name(), WinError::WaitTimeout.code()), ("WAIT_TIMEOUT", 258));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WinError {
    /// WAIT_TIMEOUT (258): a poll found nothing, or a finite wait expired.
    WaitTimeout,
    /// ERROR_INVALID_HANDLE (6): the port or device handle is closed.
    InvalidHandle,
    /// ERROR_INVALID_PARAMETER (87): the device is already associated.
    InvalidParameter,
    /// ERROR_ABANDONED_WAIT_0 (735): the port closed under a waiting thread.
    AbandonedWait0,
}

impl WinError {
    /// The error's name, as scenarios write it.
    #[inline]
    pub fn name(self) -> &'static str {
        match self {
            WinError::WaitTimeout => "WAIT_TIMEOUT",
            WinError::InvalidHandle => "ERROR_INVALID_HANDLE",
            WinError::InvalidParameter => "ERROR_INVALID_PARAMETER",
            WinError::AbandonedWait0 => "ERROR_ABANDONED_WAIT_0",
        }
    }

    /// The numeric code GetLastError returns.
    #[inline]
    pub fn code(self) -> u32 {
        match self {
            WinError::WaitTimeout => 258,
            WinError::InvalidHandle => 6,
            WinError::InvalidParameter => 87,
            WinError::AbandonedWait0 => 735,
        }
    }
}

/// What the step's own call returned.
///
/// ```
/// use iocp_model::{Action, CallResult, Flavor, Kernel, KernelConfig, PortId, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let waits = k.step(Action::get(ThreadId(0), PortId(0)))?;
/// assert_eq!(waits.result, CallResult::Pending);
/// k.step(Action::close_port(PortId(0)))?;
/// let closed = k.step(Action::post(PortId(0), 1))?;
/// assert_eq!(closed.result.as_str(), "ERROR_INVALID_HANDLE");
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallResult {
    /// The call succeeded (also the result of steps that make no call).
    Success,
    /// A get whose thread now waits, or an issue left pending.
    Pending,
    /// The call failed with this error.
    Failed(WinError),
}

impl CallResult {
    /// `"success"`, `"pending"` or the error name.
    #[inline]
    pub fn as_str(self) -> &'static str {
        match self {
            CallResult::Success => "success",
            CallResult::Pending => "pending",
            CallResult::Failed(e) => e.name(),
        }
    }
}

/// Why a get did not take a packet.
///
/// ```
/// use iocp_model::{Action, Event, Flavor, Kernel, KernelConfig, NoTakeWhy, PortId, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 2));
/// let (p, t0, t1) = (PortId(0), ThreadId(0), ThreadId(1));
/// k.step(Action::post(p, 1))?;
/// k.step(Action::post(p, 2))?;
/// k.step(Action::get(t0, p))?; // takes packet 1: the port is at its limit
/// let out = k.step(Action::get(t1, p))?; // packet 2 is queued, but current 1 >= max 1
/// let why = out.fired.iter().find_map(|f| match f.event {
///     Event::Waits { why, .. } => Some(why),
///     _ => None,
/// });
/// assert_eq!(why, Some(NoTakeWhy::AtLimit { current: 1, max: 1, queued: 1, at_call: 1 }));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // variant fields are named after the scenario keys and model.md
pub enum NoTakeWhy {
    /// The IOCQ was empty.
    IocqEmpty,
    /// Packets were queued, but `current >= max` (the port is at or over
    /// its limit). `current` is the count the limit was checked against
    /// (the caller no longer counted); `at_call` is the port's count when
    /// the call began (the caller still counted, if it was in the RTL), so
    /// `at_call > max` says the port was over its limit before this call.
    AtLimit {
        current: u32,
        max: u32,
        queued: u32,
        at_call: u32,
    },
}

/// Why an inserted packet went to the IOCQ instead of a thread.
///
/// ```
/// use iocp_model::{Action, Event, Flavor, Kernel, KernelConfig, PortId, QueueWhy, ThreadId};
///
/// // A worker still in its get loop posts to its own port: the packet is
/// // queued for it although a thread waits (rule 2's queue-wait mark).
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[2], 2));
/// let (p, t0, t1) = (PortId(0), ThreadId(0), ThreadId(1));
/// k.step(Action::get(t1, p))?; // T1 waits
/// k.step(Action::poll(t0, p))?; // T0's poll fails at once: it keeps the mark
/// let out = k.step(Action::post_by(t0, p, 9))?;
/// assert!(matches!(
///     out.fired[0].event,
///     Event::Queued { why: QueueWhy::MarkedInserter { thread, current: 1, max: 2 }, .. } if thread == t0
/// ));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // variant fields are named after the scenario keys and model.md
pub enum QueueWhy {
    /// No thread was waiting.
    NoWaiter,
    /// Threads were waiting, but `current >= max`.
    AtLimit { current: u32, max: u32 },
    /// Threads were waiting and `current < max`, but the inserting thread
    /// is a thread of this port carrying the queue-wait mark: NT's
    /// `KiInsertQueue` keeps the packet for it instead of waking a second
    /// thread (Windows flavour only).
    MarkedInserter {
        thread: ThreadId,
        current: u32,
        max: u32,
    },
}

/// Why a completion made no packet.
///
/// ```
/// use iocp_model::{Action, DeviceId, Event, Flavor, Kernel, KernelConfig, NoPacketWhy, OvId};
///
/// // A device that is not associated completes without a packet.
/// let mut k = Kernel::new(&KernelConfig { devices: vec![false], ..KernelConfig::new(Flavor::Windows, &[1], 1) });
/// k.step(Action::issue(DeviceId(0), OvId(0)))?;
/// let out = k.step(Action::complete(OvId(0), 0))?;
/// assert!(out.fired.iter().any(|f| matches!(f.event, Event::NoPacket { why: NoPacketWhy::NotAssociated, .. })));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NoPacketWhy {
    /// The device is not associated with a port (the OVERLAPPED's event would be signalled).
    NotAssociated,
    /// The request succeeded at once and the device skips the port on success.
    SkipOnSuccess,
    /// The device's port is closed: the packet is lost.
    PortClosed,
}

/// Why a call failed at once.
///
/// ```
/// use iocp_model::{Action, DeviceId, Event, FailWhy, Flavor, Kernel, KernelConfig, PortId};
///
/// let mut k = Kernel::new(&KernelConfig { devices: vec![false], ..KernelConfig::new(Flavor::Windows, &[1, 1], 1) });
/// let d = DeviceId(0);
/// k.step(Action::associate(d, PortId(0), 1))?;
/// let out = k.step(Action::associate(d, PortId(1), 1))?;
/// assert!(matches!(out.fired[0].event, Event::Failed { why: FailWhy::AlreadyAssociated(dev, PortId(0)) } if dev == d));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailWhy {
    /// The port's handle is closed.
    PortClosed(PortId),
    /// The device's handle is closed.
    DeviceClosed(DeviceId),
    /// The device already has a Device List entry.
    AlreadyAssociated(DeviceId, PortId),
}

/// One fact of a step, with the numbers that made it happen.
///
/// `current` fields hold the port's count *after* the fact.
///
/// ```
/// use iocp_model::{Action, Event, Flavor, Kernel, KernelConfig, PortId, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let (p, t) = (PortId(0), ThreadId(0));
/// k.step(Action::get(t, p))?;
/// let out = k.step(Action::post(p, 7))?;
/// for f in &out.fired {
///     match f.event {
///         Event::HandedOff { thread, packet, current, max, lifo, .. } => {
///             assert_eq!((thread, packet.key, current, max, lifo), (t, 7, 1, 1, true));
///         }
///         Event::Queued { .. } => unreachable!("T0 waited and the port had room"),
///         _ => {}
///     }
/// }
/// assert_eq!(out.fired[0].event.name(), "handed_off");
/// assert!(Event::NAMES.contains(&"handed_off"));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // variant fields are named after the scenario keys and model.md
pub enum Event {
    /// A thread in the port's RTL called get again, so it stops counting.
    /// `had_packet`: its previous get/get_ex returned a packet (it is done
    /// with it); false when that call returned none (a timeout, a failed
    /// poll) or the thread has had no packet since it joined.
    Returned {
        thread: ThreadId,
        port: PortId,
        current: u32,
        had_packet: bool,
    },
    /// A thread left the port it was associated with, to call get on another.
    LeftPort {
        thread: ThreadId,
        port: PortId,
        current: u32,
    },
    /// A thread became associated with a port by calling get on it.
    Joined { thread: ThreadId, port: PortId },
    /// A get took `count` queued packets at once: `current` was below
    /// `max`, or the flavour ignores the limit (`gated` false, Wine).
    Took {
        thread: ThreadId,
        port: PortId,
        count: u32,
        current: u32,
        max: u32,
        /// False in the flavours that ignore `max` (Wine): no gate was checked.
        gated: bool,
    },
    /// A get found nothing it may take and the thread now waits in the WTQ.
    Waits {
        thread: ThreadId,
        port: PortId,
        why: NoTakeWhy,
        depth: u32,
        lifo: bool,
    },
    /// A zero-timeout get found nothing it may take: it fails with
    /// WAIT_TIMEOUT and the thread counts as running.
    PollFailed {
        thread: ThreadId,
        port: PortId,
        why: NoTakeWhy,
        current: u32,
        max: u32,
    },
    /// An inserted packet went straight to a waiting thread, never touching the IOCQ.
    HandedOff {
        thread: ThreadId,
        port: PortId,
        packet: Packet,
        extra: u32,
        current: u32,
        max: u32,
        lifo: bool,
        /// False in the flavours that ignore `max` (Wine): no gate was checked.
        gated: bool,
    },
    /// An inserted packet was appended to the IOCQ.
    Queued {
        port: PortId,
        packet: Packet,
        why: QueueWhy,
        depth: u32,
    },
    /// activate woke a waiter and handed it the head packet (and `extra` more for get_ex).
    Woke {
        thread: ThreadId,
        port: PortId,
        extra: u32,
        current: u32,
        max: u32,
        lifo: bool,
    },
    /// activate found packets and waiters but no room: nobody woke.
    Held {
        port: PortId,
        current: u32,
        max: u32,
        queued: u32,
        waiting: u32,
    },
    /// A running thread blocked on something else.
    Blocked {
        thread: ThreadId,
        port: Option<PortId>,
        on: Option<LabelId>,
        current: u32,
    },
    /// A paused thread's wait ended; it runs again, counted without any check.
    Unblocked {
        thread: ThreadId,
        port: Option<PortId>,
        current: u32,
        max: u32,
    },
    /// A waiter's finite timeout expired; it runs again, counted without any check.
    TimedOut {
        thread: ThreadId,
        port: PortId,
        current: u32,
        max: u32,
    },
    /// A thread exited.
    Exited {
        thread: ThreadId,
        port: Option<PortId>,
        current: u32,
    },
    /// A device got its Device List entry.
    Associated {
        device: DeviceId,
        port: PortId,
        key: u64,
    },
    /// An overlapped request was issued (`inline`: it completed at once with success).
    Issued {
        device: DeviceId,
        overlapped: OvId,
        inline: bool,
    },
    /// A pending request completed.
    Completed { device: DeviceId, overlapped: OvId },
    /// A completion made no packet.
    NoPacket {
        device: DeviceId,
        overlapped: OvId,
        why: NoPacketWhy,
    },
    /// A pending request was cancelled by closing its device.
    Aborted { device: DeviceId, overlapped: OvId },
    /// A device handle was closed and its Device List entry removed.
    /// `aborted` requests were pending on it (each fired
    /// [`Event::Aborted`] before); `packets` of them made a packet for a
    /// port's threads (the rest made none: the device was not associated,
    /// or its port is closed).
    DeviceClosed {
        device: DeviceId,
        aborted: u32,
        packets: u32,
    },
    /// A waiter was released by the port's closing with ERROR_ABANDONED_WAIT_0.
    Abandoned { thread: ThreadId, port: PortId },
    /// Wine: a waiter of the port being closed is not woken; it stays
    /// asleep on the closed port.
    Stranded { thread: ThreadId, port: PortId },
    /// Wine: a completion for a device of the closed port woke a stranded
    /// waiter; its call fails with ERROR_INVALID_HANDLE and the packet is lost.
    StrandedWoken { thread: ThreadId, port: PortId },
    /// A thread in the closed port's RTL or PTL is no longer associated.
    Unassociated { thread: ThreadId, port: PortId },
    /// A queued packet was discarded by the port's closing.
    Discarded { port: PortId, packet: Packet },
    /// The port's last handle was closed.
    PortClosed { port: PortId },
    /// The step's call failed at once.
    Failed { why: FailWhy },
}

impl Event {
    /// Every event's [`Event::name`], in declaration order: the one list of
    /// event names (the `run --json` schema and the tests read it).
    pub const NAMES: [&'static str; 27] = [
        "returned",
        "left_port",
        "joined",
        "took",
        "waits",
        "poll_failed",
        "handed_off",
        "queued",
        "woke",
        "held",
        "blocked",
        "unblocked",
        "timed_out",
        "exited",
        "associated",
        "issued",
        "completed",
        "no_packet",
        "aborted",
        "device_closed",
        "abandoned",
        "stranded",
        "stranded_woken",
        "unassociated",
        "discarded",
        "port_closed",
        "failed",
    ];

    /// The event's name as programs see it (`"left_port"`): the `event`
    /// field of `run --json`.
    pub fn name(&self) -> &'static str {
        match self {
            Event::Returned { .. } => "returned",
            Event::LeftPort { .. } => "left_port",
            Event::Joined { .. } => "joined",
            Event::Took { .. } => "took",
            Event::Waits { .. } => "waits",
            Event::PollFailed { .. } => "poll_failed",
            Event::HandedOff { .. } => "handed_off",
            Event::Queued { .. } => "queued",
            Event::Woke { .. } => "woke",
            Event::Held { .. } => "held",
            Event::Blocked { .. } => "blocked",
            Event::Unblocked { .. } => "unblocked",
            Event::TimedOut { .. } => "timed_out",
            Event::Exited { .. } => "exited",
            Event::Associated { .. } => "associated",
            Event::Issued { .. } => "issued",
            Event::Completed { .. } => "completed",
            Event::NoPacket { .. } => "no_packet",
            Event::Aborted { .. } => "aborted",
            Event::DeviceClosed { .. } => "device_closed",
            Event::Abandoned { .. } => "abandoned",
            Event::Stranded { .. } => "stranded",
            Event::StrandedWoken { .. } => "stranded_woken",
            Event::Unassociated { .. } => "unassociated",
            Event::Discarded { .. } => "discarded",
            Event::PortClosed { .. } => "port_closed",
            Event::Failed { .. } => "failed",
        }
    }
}

/// A rule that fired, and what it did.
///
/// ```
/// use iocp_model::{Action, Event, Fired, Flavor, Kernel, KernelConfig, PortId, Rule, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let out = k.step(Action::get(ThreadId(0), PortId(0)))?;
/// let rules: Vec<Rule> = out.fired.iter().map(|f: &Fired| f.rule).collect();
/// assert_eq!(rules, [Rule::Get, Rule::Get]); // it joins the port, then waits
/// assert!(matches!(out.fired[1].event, Event::Waits { depth: 1, .. }));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fired {
    /// The rule.
    pub rule: Rule,
    /// What it did.
    pub event: Event,
}

/// A packet handed to a thread.
///
/// ```
/// use iocp_model::{Action, Delivery, Flavor, Kernel, KernelConfig, PortId, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let (p, t) = (PortId(0), ThreadId(0));
/// k.step(Action::post(p, 1))?;
/// k.step(Action::post(p, 2))?;
/// // GetQueuedCompletionStatusEx with room for 8 takes both, head first.
/// let out = k.step(Action::get_ex(t, p, 8))?;
/// let got: Vec<(ThreadId, u64)> = out.deliveries.iter().map(|d: &Delivery| (d.thread, d.packet.key)).collect();
/// assert_eq!(got, [(t, 1), (t, 2)]);
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Delivery {
    /// The thread whose get returned it.
    pub thread: ThreadId,
    /// The port it came from.
    pub port: PortId,
    /// The packet.
    pub packet: Packet,
}

/// A thread's queue-wait mark set or cleared by a step (NT: `WaitReason`
/// left at `WrQueue` by a get that returned without sleeping). The mark is
/// hidden state that only rule 2 reads; a step reports each change of it
/// here so that views can say when it appears and when it goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MarkChange {
    /// The thread.
    pub thread: ThreadId,
    /// True: the mark was set (a get or get_ex returned without the thread
    /// sleeping, Windows flavour); false: it was cleared (the thread slept
    /// in a WTQ, blocked or exited).
    pub set: bool,
}

/// The parts of a kernel a step may have written: which threads, which
/// ports (and of those, which IOCQs and WTQs), and whether any device or OVERLAPPED (the Device List, the
/// pending lists, the OVERLAPPED table). The run totals ([`Counters`]) are
/// not tracked: any step may change them.
///
/// The rules mark what they write as they write it, so a thread, port or
/// device a step did not mark is exactly as it was before the step (a
/// mark does not say that anything changed). Programs that copy states
/// use it to copy only what a step touched (the explorer packs and
/// restores kernels so). Ids from 64 up share one mark.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, Outcome, PortId, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1, 1], 2));
/// let mut out = Outcome::default();
/// k.apply(Action::post(PortId(1), 7), &mut out).unwrap();
/// let touched = out.touched;
/// // The post queued its packet on P1: P1 and its IOCQ, nothing else.
/// assert!(touched.port(PortId(1)) && !touched.port(PortId(0)));
/// assert_eq!((touched.iocq_mask(), touched.wtq_mask()), (0b10, 0));
/// assert!(!touched.thread(ThreadId(0)) && !touched.io());
/// ```
///
/// [`Counters`]: super::Counters
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Touched {
    // One word per kind of mark. Marking an IOCQ or a WTQ marks its port
    // too; `ports` is kept apart from `iocqs` and `wtqs` (not next to
    // either), so that the two marks stay two 8-byte writes: merged into
    // one 16-byte read-modify-write, they would read a word the step wrote
    // just before, which stalls store forwarding on the hot path.
    ports: u64,
    threads: u64,
    iocqs: u64,
    wtqs: u64,
    /// Some thread or port with an id of 64 or more.
    far: bool,
    io: bool,
}

impl Touched {
    /// Nothing written.
    pub const NONE: Touched = Touched {
        ports: 0,
        threads: 0,
        iocqs: 0,
        wtqs: 0,
        far: false,
        io: false,
    };

    /// Anything may have been written (what a cleared [`Outcome`] says
    /// before the model fills it, so a step made another way is never taken
    /// for one that changed nothing).
    pub const ALL: Touched = Touched {
        ports: u64::MAX,
        threads: u64::MAX,
        iocqs: u64::MAX,
        wtqs: u64::MAX,
        far: true,
        io: true,
    };

    /// True if thread `t` may have been written.
    #[inline]
    pub fn thread(&self, t: ThreadId) -> bool {
        self.marked(self.threads, t.0 as u64)
    }

    /// True if port `p` may have been written.
    #[inline]
    pub fn port(&self, p: PortId) -> bool {
        self.marked(self.ports, p.0 as u64)
    }

    /// Whether id `i` is marked in `mask` (ids of 64 and more: in `far`).
    #[inline]
    fn marked(&self, mask: u64, i: u64) -> bool {
        if i < 64 {
            mask >> i & 1 != 0
        } else {
            self.far
        }
    }

    /// Bit `i` set if thread `i` (below 64) may have been written.
    #[inline]
    pub fn thread_mask(&self) -> u64 {
        self.threads
    }

    /// Bit `i` set if port `i` (below 64) may have been written.
    #[inline]
    pub fn port_mask(&self) -> u64 {
        self.ports
    }

    /// Bit `i` set if port `i`'s IOCQ (below 64) may have been written
    /// (a subset of [`Touched::port_mask`]).
    #[inline]
    pub fn iocq_mask(&self) -> u64 {
        self.iocqs
    }

    /// Bit `i` set if port `i`'s WTQ (below 64) may have been written
    /// (a subset of [`Touched::port_mask`]).
    #[inline]
    pub fn wtq_mask(&self) -> u64 {
        self.wtqs
    }

    /// True if some thread or port with an id of 64 or more may have been written.
    #[inline]
    pub fn far(&self) -> bool {
        self.far
    }

    /// True if a device (its Device List entry, pending list or closed
    /// flag) or the OVERLAPPED table may have been written.
    #[inline]
    pub fn io(&self) -> bool {
        self.io
    }

    /// Sets bit `i` of `mask`, or `far` for an id of 64 or more.
    #[inline(always)]
    fn add(mask: &mut u64, far: &mut bool, i: u32) {
        if i < 64 {
            *mask |= 1 << i;
        } else {
            *far = true;
        }
    }

    #[inline(always)]
    pub(crate) fn add_thread(&mut self, t: ThreadId) {
        Touched::add(&mut self.threads, &mut self.far, t.0);
    }

    #[inline(always)]
    pub(crate) fn add_port(&mut self, p: PortId) {
        Touched::add(&mut self.ports, &mut self.far, p.0);
    }

    /// Port `p`'s IOCQ (and so port `p`).
    #[inline(always)]
    pub(crate) fn add_iocq(&mut self, p: PortId) {
        self.add_port(p);
        Touched::add(&mut self.iocqs, &mut self.far, p.0);
    }

    /// Port `p`'s WTQ (and so port `p`).
    #[inline(always)]
    pub(crate) fn add_wtq(&mut self, p: PortId) {
        self.add_port(p);
        Touched::add(&mut self.wtqs, &mut self.far, p.0);
    }

    #[inline(always)]
    pub(crate) fn add_io(&mut self) {
        self.io = true;
    }
}

/// Everything one applied action did. Reused across steps to avoid allocation.
///
/// ```
/// use iocp_model::{Action, CallResult, Flavor, Kernel, KernelConfig, Outcome, PortId, ThreadId, WinError};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 2));
/// let (p, t0, t1) = (PortId(0), ThreadId(0), ThreadId(1));
/// let mut out = Outcome::default(); // reused from step to step
/// k.apply(Action::get(t0, p), &mut out)?;
/// k.apply(Action::get(t1, p), &mut out)?;
/// k.apply(Action::close_port(p), &mut out)?;
/// // The call succeeded; both waiters' calls failed with ERROR_ABANDONED_WAIT_0.
/// assert_eq!(out.result, CallResult::Success);
/// assert_eq!(out.failures, [(t1, WinError::AbandonedWait0), (t0, WinError::AbandonedWait0)]);
/// assert!(out.deliveries.is_empty() && !out.fired.is_empty());
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The step's own call result.
    pub result: CallResult,
    /// Packets handed to threads, in order.
    pub deliveries: Vec<Delivery>,
    /// Threads whose calls ended in failure at this step, with the error.
    pub failures: Vec<(ThreadId, WinError)>,
    /// Rules that fired, in order.
    pub fired: Vec<Fired>,
    /// Queue-wait marks set or cleared, in order (only real changes: a
    /// mark set again on a thread that already carries it is not one).
    pub marks: Vec<MarkChange>,
    /// What the step may have written: [`Touched::NONE`] for a rejected
    /// action and in a default outcome (nothing happened);
    /// [`Touched::ALL`] after [`Outcome::clear`], until
    /// [`super::Kernel::apply`] fills it (so a step made another way, by
    /// code that clears the outcome and builds the kernel itself, is never
    /// taken for one that wrote nothing).
    pub touched: Touched,
}

impl Default for Outcome {
    fn default() -> Outcome {
        Outcome {
            result: CallResult::Success,
            deliveries: Vec::new(),
            failures: Vec::new(),
            fired: Vec::new(),
            marks: Vec::new(),
            touched: Touched::NONE,
        }
    }
}

impl Outcome {
    /// Resets for the next step, keeping the buffers. `touched` becomes
    /// [`Touched::ALL`]: whoever fills the outcome next says what it wrote.
    #[inline]
    pub fn clear(&mut self) {
        self.result = CallResult::Success;
        self.deliveries.clear();
        self.failures.clear();
        self.fired.clear();
        self.marks.clear();
        self.touched = Touched::ALL;
    }
}
