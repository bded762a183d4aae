//! The language-neutral part of a sentence: which names, which numbers and
//! which flags an event or an action speaks of, read out of the model's data
//! once. Each language ([`super::en`], [`super::ko`]) matches only on the
//! case (the variant and its reason) and puts these facts in its own words
//! and word order; the JSON view writes the same facts as fields.

use crate::model::{
    Action, Event, FailWhy, Fired, Flavor, Names, NoTakeWhy, Packet, QueueWhy, RejectKind, Rule,
    Timeout,
};

/// The facts of one event or action, every id already named. A fact the
/// event or action does not have is empty (`""`, `None`, `0`, `false`).
#[derive(Default)]
pub(crate) struct Facts<'a> {
    /// The thread it is about (for a packet queued by a marked thread, the
    /// inserter; for an action, the calling thread).
    pub thread: &'a str,
    /// The port it is about (for a device already associated, that
    /// device's port).
    pub port: &'a str,
    /// The device it is about.
    pub device: &'a str,
    /// The OVERLAPPED it is about (`None`: a post without one).
    pub overlapped: Option<&'a str>,
    /// The label of what a thread blocks on.
    pub on: Option<&'a str>,
    /// The thread that made the call of a post or issue (`by`).
    pub by: Option<&'a str>,
    /// The completion status of a completed request.
    pub status: &'a str,
    /// The packet it is about.
    pub packet: Option<Packet>,
    /// The port's count of running threads after the step (or the count a
    /// reason reports).
    pub current: u32,
    /// `current` less the thread just counted: the count the limit was
    /// checked against.
    pub before: u32,
    /// The port's concurrency limit (or, for `get_ex`, the most entries).
    pub max: u32,
    /// Whether `current` is over `max`.
    pub over: bool,
    /// Packets taken at once.
    pub count: u32,
    /// The length of the WTQ or IOCQ after the step.
    pub depth: u32,
    /// Further packets taken with the first.
    pub extra: u32,
    /// Packets queued.
    pub queued: u32,
    /// Threads waiting.
    pub waiting: u32,
    /// A completion key.
    pub key: u64,
    /// A byte count.
    pub bytes: u64,
    /// A get's timeout in milliseconds (`None`: infinite).
    pub timeout: Option<u64>,
    /// The most recent waiter is woken first.
    pub lifo: bool,
    /// The limit was checked before a hand-off.
    pub gated: bool,
    /// A request completed at once.
    pub inline: bool,
    /// The API a get calls: `GetQueuedCompletionStatus(Ex)`.
    pub call: &'static str,
    /// The number of an id the world does not have.
    pub unknown: u32,
    /// A thread calling get again had a packet from its previous get.
    pub had_packet: bool,
    /// The port's count when a get that found no room began (the caller
    /// still counted): above `max`, the port was over its limit.
    pub at_call: u32,
    /// Requests a device close cancelled.
    pub aborted: u32,
    /// Of those, the ones that made a packet.
    pub packets: u32,
    /// The system the step ran in (`"Windows"`, `"Wine 8"`, `"Wine 10"`),
    /// for the sentences of a fired rule.
    pub flavor: &'static str,
}

impl<'a> Facts<'a> {
    /// The facts of one fired rule, in a kernel of `flavor`.
    pub fn of_fired(f: &Fired, n: &'a Names, flavor: Flavor) -> Facts<'a> {
        Facts {
            flavor: super::flavor_name(flavor),
            call: if f.rule == Rule::GetEx {
                "GetQueuedCompletionStatusEx"
            } else {
                "GetQueuedCompletionStatus"
            },
            ..Facts::of_event(&f.event, n)
        }
    }

    /// The facts of one event (all but [`Facts::call`], which depends on
    /// the rule).
    pub fn of_event(e: &Event, n: &'a Names) -> Facts<'a> {
        let mut x = Facts::default();
        let (thread, port, device, overlapped);
        match *e {
            Event::Returned {
                thread: t,
                port: p,
                current,
                had_packet,
            } => {
                (thread, port, device, overlapped) = (Some(t), Some(p), None, None);
                (x.current, x.had_packet) = (current, had_packet);
            }
            Event::LeftPort {
                thread: t,
                port: p,
                current,
            } => {
                (thread, port, device, overlapped) = (Some(t), Some(p), None, None);
                x.current = current;
            }
            Event::Joined { thread: t, port: p }
            | Event::Abandoned { thread: t, port: p }
            | Event::Stranded { thread: t, port: p }
            | Event::StrandedWoken { thread: t, port: p }
            | Event::Unassociated { thread: t, port: p } => {
                (thread, port, device, overlapped) = (Some(t), Some(p), None, None);
            }
            Event::Took {
                thread: t,
                port: p,
                count,
                current,
                max,
                gated,
            } => {
                (thread, port, device, overlapped) = (Some(t), Some(p), None, None);
                (x.count, x.current, x.max, x.gated) = (count, current, max, gated);
            }
            Event::Waits {
                thread: t,
                port: p,
                why,
                depth,
                lifo,
            } => {
                (thread, port, device, overlapped) = (Some(t), Some(p), None, None);
                (x.depth, x.lifo) = (depth, lifo);
                if let NoTakeWhy::AtLimit {
                    current,
                    max,
                    queued,
                    at_call,
                } = why
                {
                    (x.current, x.max, x.queued, x.at_call) = (current, max, queued, at_call);
                }
            }
            Event::PollFailed {
                thread: t,
                port: p,
                why,
                current,
                max,
            } => {
                (thread, port, device, overlapped) = (Some(t), Some(p), None, None);
                (x.current, x.max) = (current, max);
                if let NoTakeWhy::AtLimit {
                    queued, at_call, ..
                } = why
                {
                    (x.queued, x.at_call) = (queued, at_call);
                }
            }
            Event::HandedOff {
                thread: t,
                port: p,
                packet,
                extra,
                current,
                max,
                lifo,
                gated,
            } => {
                (thread, port, device, overlapped) = (Some(t), Some(p), None, None);
                x.packet = Some(packet);
                (x.extra, x.current, x.max, x.lifo, x.gated) = (extra, current, max, lifo, gated);
            }
            Event::Queued {
                port: p,
                packet,
                why,
                depth,
            } => {
                (thread, port, device, overlapped) = (None, Some(p), None, None);
                (x.packet, x.depth) = (Some(packet), depth);
                match why {
                    QueueWhy::NoWaiter => {}
                    QueueWhy::AtLimit { current, max } => (x.current, x.max) = (current, max),
                    QueueWhy::MarkedInserter {
                        thread: t,
                        current,
                        max,
                    } => {
                        x.thread = n.thread(t);
                        (x.current, x.max) = (current, max);
                    }
                }
            }
            Event::Woke {
                thread: t,
                port: p,
                extra,
                current,
                max,
                lifo,
            } => {
                (thread, port, device, overlapped) = (Some(t), Some(p), None, None);
                (x.extra, x.current, x.max, x.lifo) = (extra, current, max, lifo);
            }
            Event::Held {
                port: p,
                current,
                max,
                queued,
                waiting,
            } => {
                (thread, port, device, overlapped) = (None, Some(p), None, None);
                (x.current, x.max, x.queued, x.waiting) = (current, max, queued, waiting);
            }
            Event::Blocked {
                thread: t,
                port: p,
                on,
                current,
            } => {
                (thread, port, device, overlapped) = (Some(t), p, None, None);
                x.on = on.map(|l| n.label(l));
                x.current = current;
            }
            Event::Unblocked {
                thread: t,
                port: p,
                current,
                max,
            } => {
                (thread, port, device, overlapped) = (Some(t), p, None, None);
                (x.current, x.max) = (current, max);
            }
            Event::TimedOut {
                thread: t,
                port: p,
                current,
                max,
            } => {
                (thread, port, device, overlapped) = (Some(t), Some(p), None, None);
                (x.current, x.max) = (current, max);
            }
            Event::Exited {
                thread: t,
                port: p,
                current,
            } => {
                (thread, port, device, overlapped) = (Some(t), p, None, None);
                x.current = current;
            }
            Event::Associated {
                device: d,
                port: p,
                key,
            } => {
                (thread, port, device, overlapped) = (None, Some(p), Some(d), None);
                x.key = key;
            }
            Event::Issued {
                device: d,
                overlapped: o,
                inline,
            } => {
                (thread, port, device, overlapped) = (None, None, Some(d), Some(o));
                x.inline = inline;
            }
            Event::Completed {
                device: d,
                overlapped: o,
            }
            | Event::NoPacket {
                device: d,
                overlapped: o,
                ..
            }
            | Event::Aborted {
                device: d,
                overlapped: o,
            } => (thread, port, device, overlapped) = (None, None, Some(d), Some(o)),
            Event::DeviceClosed {
                device: d,
                aborted,
                packets,
            } => {
                (thread, port, device, overlapped) = (None, None, Some(d), None);
                (x.aborted, x.packets) = (aborted, packets);
            }
            Event::Discarded { port: p, packet } => {
                (thread, port, device, overlapped) = (None, Some(p), None, None);
                x.packet = Some(packet);
            }
            Event::PortClosed { port: p }
            | Event::Failed {
                why: FailWhy::PortClosed(p),
            } => (thread, port, device, overlapped) = (None, Some(p), None, None),
            Event::Failed {
                why: FailWhy::DeviceClosed(d),
            } => (thread, port, device, overlapped) = (None, None, Some(d), None),
            Event::Failed {
                why: FailWhy::AlreadyAssociated(d, p),
            } => (thread, port, device, overlapped) = (None, Some(p), Some(d), None),
        }
        x.name(n, thread, port, device);
        x.overlapped = overlapped.map(|o| n.overlapped(o));
        x.before = x.current.saturating_sub(1);
        x.over = x.current > x.max;
        x
    }

    /// The facts of one action.
    pub fn of_action(a: &Action, n: &'a Names) -> Facts<'a> {
        let mut x = Facts::default();
        let (thread, port, device);
        let timeout = |t: Timeout| match t {
            Timeout::Infinite => None,
            Timeout::Ms(ms) => Some(ms),
        };
        match *a {
            Action::Associate {
                device: d,
                port: p,
                key,
            } => {
                (thread, port, device) = (None, Some(p), Some(d));
                x.key = key;
            }
            Action::Issue {
                device: d,
                overlapped,
                inline,
                by,
            } => {
                (thread, port, device) = (None, None, Some(d));
                x.overlapped = Some(n.overlapped(overlapped));
                (x.inline, x.bytes) = (inline.is_some(), inline.unwrap_or(0));
                x.by = by.map(|t| n.thread(t));
            }
            Action::Complete {
                overlapped,
                bytes,
                status,
            } => {
                (thread, port, device) = (None, None, None);
                x.overlapped = Some(n.overlapped(overlapped));
                (x.bytes, x.status) = (bytes, n.status(status));
            }
            Action::Post {
                port: p,
                key,
                bytes,
                overlapped,
                by,
            } => {
                (thread, port, device) = (None, Some(p), None);
                x.overlapped = overlapped.map(|o| n.overlapped(o));
                (x.key, x.bytes) = (key, bytes);
                x.by = by.map(|t| n.thread(t));
            }
            Action::Get {
                thread: t,
                port: p,
                timeout: tm,
            } => {
                (thread, port, device) = (Some(t), Some(p), None);
                x.timeout = timeout(tm);
            }
            Action::GetEx {
                thread: t,
                port: p,
                max,
                timeout: tm,
            } => {
                (thread, port, device) = (Some(t), Some(p), None);
                (x.max, x.timeout) = (max, timeout(tm));
            }
            Action::Block { thread: t, on } => {
                (thread, port, device) = (Some(t), None, None);
                x.on = on.map(|l| n.label(l));
            }
            Action::Unblock { thread: t }
            | Action::Timeout { thread: t }
            | Action::Exit { thread: t } => (thread, port, device) = (Some(t), None, None),
            Action::CloseDevice { device: d } => (thread, port, device) = (None, None, Some(d)),
            Action::ClosePort { port: p } => (thread, port, device) = (None, Some(p), None),
        }
        x.name(n, thread, port, device);
        x
    }

    /// The facts of the reason an action was refused.
    pub fn of_rejection(kind: &RejectKind, n: &'a Names) -> Facts<'a> {
        let mut x = Facts::default();
        let (thread, port, device);
        match *kind {
            RejectKind::UnknownThread(id) => {
                (thread, port, device) = (None, None, None);
                x.unknown = id.0;
            }
            RejectKind::UnknownPort(id) => {
                (thread, port, device) = (None, None, None);
                x.unknown = id.0;
            }
            RejectKind::UnknownDevice(id) => {
                (thread, port, device) = (None, None, None);
                x.unknown = id.0;
            }
            RejectKind::ThreadWaiting { thread: t, port: p }
            | RejectKind::InfiniteWait { thread: t, port: p } => {
                (thread, port, device) = (Some(t), Some(p), None);
            }
            RejectKind::ThreadPaused {
                thread: t,
                port: p,
                on,
            } => {
                (thread, port, device) = (Some(t), p, None);
                x.on = on.map(|l| n.label(l));
            }
            RejectKind::ThreadExited { thread: t }
            | RejectKind::NotPaused { thread: t }
            | RejectKind::NotWaiting { thread: t }
            | RejectKind::ZeroBatch { thread: t } => (thread, port, device) = (Some(t), None, None),
            RejectKind::OverlappedInUse {
                overlapped,
                pending_on,
            } => {
                (thread, port, device) = (None, None, pending_on);
                x.overlapped = Some(n.overlapped(overlapped));
            }
            RejectKind::NotPending { overlapped } => {
                (thread, port, device) = (None, None, None);
                x.overlapped = Some(n.overlapped(overlapped));
            }
        }
        x.name(n, thread, port, device);
        x
    }

    /// Names the thread, port and device given (a thread named already, the
    /// inserter of a queued packet, is kept).
    fn name(
        &mut self,
        n: &'a Names,
        thread: Option<crate::model::ThreadId>,
        port: Option<crate::model::PortId>,
        device: Option<crate::model::DeviceId>,
    ) {
        if let Some(t) = thread {
            self.thread = n.thread(t);
        }
        self.port = port.map_or("", |p| n.port(p));
        self.device = device.map_or("", |d| n.device(d));
    }

    /// The OVERLAPPED's name (`""` when there is none).
    pub fn ov(&self) -> &'a str {
        self.overlapped.unwrap_or("")
    }
}
