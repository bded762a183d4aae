//! Narration: what a step did, in sentences for students, naming the rule
//! of the kernel that made it happen. Pure functions from model events to
//! text; every event has a sentence in every language (the match is
//! exhaustive, so a missing one does not compile).

pub mod ko;
mod reasons;

pub use reasons::{rejection_reason, violation};

use crate::model::{
    Action, Event, FailWhy, Fired, Names, NoPacketWhy, NoTakeWhy, Packet, PortId, QueueWhy,
    Rejection, Rule,
};

/// A narration language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Korean (한국어), in the terms of the Korean lecture notes.
    Ko,
}

impl Lang {
    /// Every language, in the order of `--lang`'s help.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// Parses a language code (`"en"`, `"ko"`).
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }

    /// The language code (`"en"`, `"ko"`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }
}

/// The name of the rule that fired, as shown before its sentence:
/// `"rule 2 (insert)"`, `"activate"`.
pub fn rule_label(rule: Rule, lang: Lang) -> String {
    match lang {
        Lang::En => rule.label(),
        Lang::Ko => ko::rule_label(rule),
    }
}

/// One sentence for one fired rule.
pub fn fired(f: &Fired, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en(f, names),
        Lang::Ko => ko::fired(f, names),
    }
}

/// The explanation of a rejected action.
pub fn rejection(r: &Rejection, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{} refuses this: {}.",
            r.rule.label(),
            rejection_reason(r, names)
        ),
        Lang::Ko => ko::rejection(r, names),
    }
}

/// A step's action in words: `"T1 calls get on P (timeout infinite)"`.
pub fn action(a: &Action, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => crate::render::describe_action(a, names),
        Lang::Ko => ko::action(a, names),
    }
}

/// A packet in words in `lang` (see [`packet`] for English).
pub fn packet_in(p: &Packet, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => packet(p, names),
        Lang::Ko => ko::packet(p, names),
    }
}

/// A packet in words: `key 7, 0 bytes, OVERLAPPED ovA, success`.
pub fn packet(p: &Packet, names: &Names) -> String {
    let ov = match p.overlapped {
        Some(o) => format!("OVERLAPPED {}", names.overlapped(o)),
        None => "no OVERLAPPED".to_owned(),
    };
    format!(
        "key {}, {} bytes, {ov}, {}",
        p.key,
        p.bytes,
        names.status(p.status)
    )
}

fn port_of(p: Option<PortId>, names: &Names) -> String {
    match p {
        Some(p) => names.port(p).to_owned(),
        None => String::new(),
    }
}

fn en(f: &Fired, n: &Names) -> String {
    let t = |id| n.thread(id);
    let p = |id| n.port(id);
    let call = if f.rule == Rule::GetEx {
        "GetQueuedCompletionStatusEx"
    } else {
        "GetQueuedCompletionStatus"
    };
    match f.event {
        Event::Returned {
            thread,
            port,
            current,
        } => format!(
            "{} calls {call} on {} again: it is done with its last packet, so {} stops counting it (current is now {current}).",
            t(thread), p(port), p(port)
        ),
        Event::LeftPort {
            thread,
            port,
            current,
        } => format!(
            "{} leaves {} to wait on another port: {}'s current drops to {current}.",
            t(thread), p(port), p(port)
        ),
        Event::Joined { thread, port } => format!(
            "{} calls {call} on {} and becomes associated with it.",
            t(thread), p(port)
        ),
        Event::Took {
            thread,
            port,
            count,
            current,
            max,
        } => format!(
            "{} finds {} queued on {} and takes {} at once, because current {} < max {max}; it counts as running (current {current}).",
            t(thread),
            if count == 1 { "a packet".to_owned() } else { format!("{count} packets") },
            p(port),
            if count == 1 { "it" } else { "them" },
            current - 1,
        ),
        Event::Waits {
            thread,
            port,
            why,
            depth,
            lifo,
        } => {
            let place = if lifo {
                format!("on top of the WTQ ({depth} waiting): being the most recent waiter, it will be the first one woken")
            } else {
                format!("at the back of the WTQ ({depth} waiting): Wine wakes the oldest waiter first")
            };
            match why {
                NoTakeWhy::IocqEmpty => format!(
                    "{}'s IOCQ is empty, so {} goes to sleep {place}.",
                    p(port), t(thread)
                ),
                NoTakeWhy::AtLimit { current, max, queued } => format!(
                    "{} has {queued} packet(s) queued, but current {current} >= max {max}: the port is full, so {} must wait although work is queued, {place}. This is how an over-subscribed port corrects itself.",
                    p(port), t(thread)
                ),
            }
        }
        Event::PollFailed {
            thread,
            port,
            why,
            current,
            max,
        } => {
            let reason = match why {
                NoTakeWhy::IocqEmpty => format!("{}'s IOCQ is empty", p(port)),
                NoTakeWhy::AtLimit { queued, .. } => format!(
                    "{queued} packet(s) are queued but the port is at its limit"
                ),
            };
            format!(
                "{} polls with a zero timeout: {reason}, so the call fails with WAIT_TIMEOUT at once. {} keeps running and counts (current {current}/{max}{}).",
                t(thread), t(thread),
                if current > max { ", over the limit" } else { "" }
            )
        }
        Event::HandedOff {
            thread,
            port,
            packet: pk,
            extra,
            current,
            max,
            lifo,
            gated,
        } => {
            let gate = if gated {
                format!("current {} < max {max}", current - 1)
            } else if lifo {
                "Wine 10 does not check the limit but, like Windows, wakes the most recent caller of get first,".to_owned()
            } else {
                "Wine does not check the limit".to_owned()
            };
            format!(
                "A packet ({}) arrives at {}; {gate} and {} is the {} waiter, so it gets the packet directly: the packet never touches the IOCQ. {} runs (current {current}){}.",
                packet(&pk, n),
                p(port),
                t(thread),
                if lifo { "most recent" } else { "oldest" },
                t(thread),
                if extra > 0 { format!(" and also takes {extra} more queued packet(s)") } else { String::new() }
            )
        }
        Event::Queued {
            port,
            packet: pk,
            why,
            depth,
        } => match why {
            QueueWhy::NoWaiter => format!(
                "A packet ({}) arrives at {}; no thread is waiting, so it is appended to the IOCQ ({depth} queued).",
                packet(&pk, n), p(port)
            ),
            QueueWhy::AtLimit { current, max } => format!(
                "A packet ({}) arrives at {}; threads are waiting, but current {current} >= max {max}, so none may be released: the packet is appended to the IOCQ ({depth} queued).",
                packet(&pk, n), p(port)
            ),
            QueueWhy::MarkedInserter { thread, current, max } => format!(
                "A packet ({}) arrives at {}; a thread is waiting and current {current} < max {max}, but it was inserted by {}, a thread of {} that still carries the queue-wait mark (its last get returned without sleeping). The kernel bets that {} will call get again and take the packet itself, so it does not wake a second thread: the packet is appended to the IOCQ ({depth} queued) while a waiter sleeps. (NT's KiInsertQueue: Windows Research Kernel queueobj.c, ReactOS ntoskrnl/ke/queue.c.)",
                packet(&pk, n), p(port), t(thread), p(port), t(thread)
            ),
        },
        Event::Woke {
            thread,
            port,
            extra,
            current,
            max,
            lifo,
        } => format!(
            "{} wakes {}: current {} < max {max}, a packet is queued, and {} is the {} waiter. It takes the head packet{} (current {current}).",
            p(port),
            t(thread),
            current - 1,
            t(thread),
            if lifo { "most recent" } else { "oldest" },
            if extra > 0 { format!(" and {extra} more") } else { String::new() }
        ),
        Event::Held {
            port,
            current,
            max,
            queued,
            waiting,
        } => format!(
            "{} has {queued} queued packet(s) and {waiting} waiting thread(s), but current {current} >= max {max}, so nobody is woken.",
            p(port)
        ),
        Event::Blocked {
            thread,
            port,
            on,
            current,
        } => {
            let on = on.map(|l| format!(" on {}", n.label(l))).unwrap_or_default();
            match port {
                Some(pid) => format!(
                    "{} blocks{on}: it moves from {}'s RTL to its PTL and stops counting (current {current}).",
                    t(thread), p(pid)
                ),
                None => format!("{} blocks{on}; it is associated with no port, so no count changes.", t(thread)),
            }
        }
        Event::Unblocked {
            thread,
            port,
            current,
            max,
        } => match port {
            Some(pid) => format!(
                "{}'s wait ends: it moves from {}'s PTL back to its RTL and counts again, with no check against the limit (current {current}/{max}{}).",
                t(thread),
                p(pid),
                if current > max {
                    ": the RTL is now over the limit, and nobody is preempted to fix it"
                } else {
                    ""
                }
            ),
            None => format!("{}'s wait ends; it runs again, associated with no port.", t(thread)),
        },
        Event::TimedOut {
            thread,
            port,
            current,
            max,
        } => format!(
            "{}'s wait on {} times out: it leaves the WTQ, its call fails with WAIT_TIMEOUT, and it counts as running without any check (current {current}/{max}{}).",
            t(thread),
            p(port),
            if current > max { ", over the limit" } else { "" }
        ),
        Event::Exited {
            thread,
            port,
            current,
        } => match port {
            Some(pid) => format!(
                "{} exits: it leaves {}'s RTL (current {current}).",
                t(thread), p(pid)
            ),
            None => format!("{} exits.", t(thread)),
        },
        Event::Associated { device, port, key } => format!(
            "{} is associated with {} under completion key {key}: a new Device List entry. Its completed I/O will now queue packets there.",
            n.device(device), p(port)
        ),
        Event::Issued {
            device,
            overlapped,
            inline,
        } => if inline {
            format!(
                "A request on {} with OVERLAPPED {} completes at once, successfully.",
                n.device(device), n.overlapped(overlapped)
            )
        } else {
            format!(
                "A request on {} with OVERLAPPED {} is pending; the thread that issued it goes on with other work.",
                n.device(device), n.overlapped(overlapped)
            )
        },
        Event::Completed { device, overlapped } => format!(
            "The driver completes the request on {} with OVERLAPPED {} (requests complete in any order).",
            n.device(device), n.overlapped(overlapped)
        ),
        Event::NoPacket {
            device,
            overlapped,
            why,
        } => match why {
            NoPacketWhy::NotAssociated => format!(
                "{} is not in the Device List, so no packet is made for OVERLAPPED {} (its event would be signalled instead).",
                n.device(device), n.overlapped(overlapped)
            ),
            NoPacketWhy::SkipOnSuccess => format!(
                "{} skips the port on success, so the request that succeeded at once makes no packet: the caller handles the result itself.",
                n.device(device)
            ),
            NoPacketWhy::PortClosed => format!(
                "{}'s port is closed, so the completion of OVERLAPPED {} makes no packet: it is lost.",
                n.device(device), n.overlapped(overlapped)
            ),
        },
        Event::Aborted { device, overlapped } => format!(
            "Closing {} cancels its pending request with OVERLAPPED {}: it completes with ERROR_OPERATION_ABORTED and 0 bytes.",
            n.device(device), n.overlapped(overlapped)
        ),
        Event::DeviceClosed { device } => format!(
            "{} is closed and its Device List entry removed. A server that frees its per-socket data now, before the aborted packets are dequeued, will crash when they arrive.",
            n.device(device)
        ),
        Event::Abandoned { thread, port } => format!(
            "{} was waiting on {}; its call fails with ERROR_ABANDONED_WAIT_0 and it is free again.",
            t(thread), p(port)
        ),
        Event::Stranded { thread, port } => format!(
            "{} was waiting on {}, and Wine does not wake waiters when a port is closed: it stays asleep on the closed port.",
            t(thread), p(port)
        ),
        Event::StrandedWoken { thread, port } => format!(
            "The completion meant for the closed {} wakes {}, which was still asleep there (Wine's behaviour): its call fails with ERROR_INVALID_HANDLE and the packet is lost.",
            p(port), t(thread)
        ),
        Event::Unassociated { thread, port } => format!(
            "{} is no longer associated with {}.",
            t(thread), p(port)
        ),
        Event::Discarded { port, packet: pk } => format!(
            "A packet ({}) still queued on {} is discarded: lost.",
            packet(&pk, n), p(port)
        ),
        Event::PortClosed { port } => format!(
            "{}'s last handle is closed; every later use of it fails with ERROR_INVALID_HANDLE.",
            p(port)
        ),
        Event::Failed { why } => match why {
            FailWhy::PortClosed(pid) => format!(
                "{} is closed: the call fails with ERROR_INVALID_HANDLE and changes nothing.",
                p(pid)
            ),
            FailWhy::DeviceClosed(d) => format!(
                "{} is closed: the call fails with ERROR_INVALID_HANDLE and changes nothing.",
                n.device(d)
            ),
            FailWhy::AlreadyAssociated(d, old) => format!(
                "{} is already associated with {}; a device can be associated once, so the call fails with ERROR_INVALID_PARAMETER.",
                n.device(d), port_of(Some(old), n)
            ),
        },
    }
}
