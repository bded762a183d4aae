//! English narration and the English words of every view: the mirror of
//! [`super::ko`]. Every state, structure and rule is named once, in
//! [`WORDS`] and [`rule_label`]; every event has its sentence in [`fired`]
//! (an exhaustive match, so a new event does not compile without one).

use super::words::{WhatIfWords, Words};
use crate::model::{
    Action, Event, FailWhy, Fired, Names, NoPacketWhy, NoTakeWhy, Packet, PortId, QueueWhy, Rule,
    Timeout,
};

/// The English label of a rule: `"rule 2 (insert)"`, `"activate"`.
pub fn rule_label(rule: Rule) -> String {
    rule.label()
}

/// The English words of every view.
pub const WORDS: Words = Words {
    device_list: "Device List",
    iocq: ("IOCQ", "IO Completion Queue"),
    wtq: ("WTQ", "Waiting Thread Queue"),
    rtl: ("RTL", "Released Thread List"),
    ptl: ("PTL", "Paused Thread List"),
    next: "next",
    head: "head",
    over_limit: "OVER LIMIT",
    empty: "(empty)",
    step: "step",
    before: "before step 1",
    check_only: "(no action: a check)",
    note: "note",
    result: "result",
    rejected: "REJECTED",
    mismatch: "EXPECTATION FAILED",
    differs: ("differs from the expectation written for ", ""),
    narration: "What happened and why",
    threads: "Threads",
    closed: "closed",
    not_associated: "not associated",
    port: "port",
    key: "key",
    pending: "pending",
    flavor: "flavour",
    states: ["free", "running", "waiting", "paused", "exited"],
    stopped: "the run stopped here",
    help: "←/→ step  0-9 go  f flavour  Tab port  a what-if  x goal  s save  q quit",
    goto: "go to step",
    legend: "Legend",
    more: "more: PgDn",
    delivered: "packet delivered (its key)",
    mark: (
        "mark",
        "queue-wait mark: its last get returned without sleeping, so a packet it posts to its port is queued, not handed to a waiter (rule 2)",
    ),
    mark_name: "queue-wait mark",
    unchanged: "(nothing changed)",
    expected: "expected",
    actual: "actual",
    failed: "failed",
    port_title: "Port",
    stranded: "closed; still asleep in its WTQ",
    concurrency: "concurrency",
    header: ("flavor", "cpus", "ports", "threads"),
    cpus: "CPUs",
    summary: "summary",
    peak: ("largest RTL", "limit", "went over the limit"),
    counters: (
        "steps",
        "packets delivered",
        "lost",
        "steps ending over a limit",
    ),
};

/// The English words of the terminal player's what-if.
pub const WHATIF: WhatIfWords = WhatIfWords {
    actions: " What if... (actions the model allows now; grey: refused, with the reason) ",
    goals: " Ask the explorer: the shortest way from here to... ",
    keys: " ↑/↓ choose  Enter pick  Esc close ",
    goal_names: [
        "over_limit: the RTL over the concurrency limit",
        "idle_with_work: a packet queued while a thread waits and the port has room",
        "lost > 0: a packet lost",
    ],
    refused: "refused",
    chosen: "What-if: a move chosen by hand.",
    already: "the goal already holds here",
    found: (
        "the explorer's shortest way: ",
        " move(s), now step by step",
    ),
    not_within: ("not reachable within ", " moves (", " states searched)"),
    too_many: ("no answer within the bound of ", " states"),
    saved: ("branch saved as ", " (iocp-sim check accepts it)"),
    save_failed: "cannot save the branch",
    status: ("goal ", " · moves ", "/", " · a move  ? hint  x answer"),
    solved: ("solved in ", " move(s); the explorer's shortest: "),
    none: "none",
    over_budget: " (over the budget: try again with fewer)",
    used_up: "budget used up: step back (←) and branch again, or ? for a hint",
    before_start: "the challenge starts at a later step",
    hint: "hint",
};

/// An action in words: `get T1 on P (timeout infinite)`.
pub fn action(action: &Action, names: &Names) -> String {
    let timeout = |t: Timeout| match t {
        Timeout::Infinite => "infinite".to_owned(),
        Timeout::Ms(ms) => format!("{ms} ms"),
    };
    let by = match *action {
        Action::Post { by: Some(t), .. } | Action::Issue { by: Some(t), .. } => {
            format!(" by {}", names.thread(t))
        }
        _ => String::new(),
    };
    let text = match *action {
        Action::Associate { device, port, key } => format!(
            "associate {} with {} (key {key})",
            names.device(device),
            names.port(port)
        ),
        Action::Issue {
            device,
            overlapped,
            inline,
            ..
        } => match inline {
            None => format!(
                "issue a request on {} with OVERLAPPED {}",
                names.device(device),
                names.overlapped(overlapped)
            ),
            Some(bytes) => format!(
                "issue a request on {} with OVERLAPPED {} that completes at once ({bytes} bytes)",
                names.device(device),
                names.overlapped(overlapped)
            ),
        },
        Action::Complete {
            overlapped,
            bytes,
            status,
        } => format!(
            "complete OVERLAPPED {} ({bytes} bytes, {})",
            names.overlapped(overlapped),
            names.status(status)
        ),
        Action::Post {
            port,
            key,
            bytes,
            overlapped,
            ..
        } => format!(
            "post to {} (key {key}, {bytes} bytes, {})",
            names.port(port),
            overlapped
                .map(|o| format!("OVERLAPPED {}", names.overlapped(o)))
                .unwrap_or_else(|| "no OVERLAPPED".into())
        ),
        Action::Get {
            thread,
            port,
            timeout: t,
        } => format!(
            "{} calls get on {} (timeout {})",
            names.thread(thread),
            names.port(port),
            timeout(t)
        ),
        Action::GetEx {
            thread,
            port,
            max,
            timeout: t,
        } => format!(
            "{} calls get_ex on {} (up to {max} entries, timeout {})",
            names.thread(thread),
            names.port(port),
            timeout(t)
        ),
        Action::Block { thread, on } => match on {
            Some(l) => format!("{} blocks on {}", names.thread(thread), names.label(l)),
            None => format!("{} blocks", names.thread(thread)),
        },
        Action::Unblock { thread } => format!("{} unblocks", names.thread(thread)),
        Action::Timeout { thread } => format!("{}'s get times out", names.thread(thread)),
        Action::Exit { thread } => format!("{} exits", names.thread(thread)),
        Action::CloseDevice { device } => format!("close {}", names.device(device)),
        Action::ClosePort { port } => format!("close {}", names.port(port)),
    };
    text + &by
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

/// One English sentence (or two) for one fired rule.
pub fn fired(f: &Fired, n: &Names) -> String {
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
