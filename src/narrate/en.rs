//! English narration and the English words of every view: the mirror of
//! [`super::ko`]. Every state, structure and rule is named once, in
//! [`WORDS`] and [`rule_label`]; every event has its sentence in [`fired`]
//! (an exhaustive match, so a new event does not compile without one).

use super::facts::Facts;
use super::words::{GoalWords, LessonWords, PageWords, WhatIfWords, Words};
use crate::goal::{Condition, Goal};
use crate::model::{
    Action, Event, FailWhy, Fired, Flavor, Kernel, MarkChange, Names, NoPacketWhy, NoTakeWhy,
    Outcome, Packet, QueueWhy, Rule, ThreadId, ThreadState,
};
use crate::moves::{
    mark_cause, Check, Line, MarkCause, Miss, Mode, Move, NoMark, Quantity, Refusal,
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
    success: "success",
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
    goal: GoalWords {
        solve: (
            "goal: ",
            "budget: ",
            "flavour: ",
            "explorer's shortest: ",
            "the file says: ",
        ),
    },
    refused: "refused",
    chosen: "What-if: a move chosen by hand.",
    already: "the goal already holds here",
    found: (
        "the explorer's shortest way: ",
        " move(s), now step by step",
    ),
    not_within: ("not reachable within ", " moves (", " states searched)"),
    too_many: (
        "no answer within the bound of ",
        " states: the shortest answer is unknown",
    ),
    saved: ("branch saved as ", " (iocp-sim check accepts it)"),
    save_failed: "cannot save the branch",
    solved: ("solved in ", " move(s); the explorer's shortest: "),
    none: "none",
    over_budget: " (over the budget: try again with fewer)",
    used_up: "budget used up: step back (←) and branch again, or ? for a hint",
    before_start: "the challenge starts at a later step",
    hint: "hint",
};

/// The English words of the classroom page's controls.
pub const PAGE: PageWords = PageWords {
    switch_lang: "한국어",
    index: "Lessons",
    lessons: "Lessons",
    challenges: "Challenges",
    modes: ["the scheduler: run the threads", "every call"],
    download: "download this branch as a scenario",
    explorer: "ask the explorer",
    reset: "start again",
};

/// An action in words: `get T1 on P (timeout infinite)`.
pub fn action(action: &Action, names: &Names) -> String {
    let x = Facts::of_action(action, names);
    let timeout = match x.timeout {
        None => "infinite".to_owned(),
        Some(ms) => format!("{ms} ms"),
    };
    let text = match *action {
        Action::Associate { .. } => {
            format!("associate {} with {} (key {})", x.device, x.port, x.key)
        }
        Action::Issue { inline: None, .. } => {
            format!("issue a request on {} with OVERLAPPED {}", x.device, x.ov())
        }
        Action::Issue { .. } => format!(
            "issue a request on {} with OVERLAPPED {} that completes at once ({} bytes)",
            x.device,
            x.ov(),
            x.bytes
        ),
        Action::Complete { .. } => format!(
            "complete OVERLAPPED {} ({} bytes, {})",
            x.ov(),
            x.bytes,
            x.status
        ),
        Action::Post { .. } => format!(
            "post to {} (key {}, {} bytes, {})",
            x.port,
            x.key,
            x.bytes,
            overlapped(x.overlapped)
        ),
        Action::Get { .. } => format!("{} calls get on {} (timeout {timeout})", x.thread, x.port),
        Action::GetEx { .. } => format!(
            "{} calls get_ex on {} (up to {} entries, timeout {timeout})",
            x.thread, x.port, x.max
        ),
        Action::Block { .. } => match x.on {
            Some(l) => format!("{} blocks on {l}", x.thread),
            None => format!("{} blocks", x.thread),
        },
        Action::Unblock { .. } => format!("{} unblocks", x.thread),
        Action::Timeout { .. } => format!("{}'s get times out", x.thread),
        Action::Exit { .. } => format!("{} exits", x.thread),
        Action::CloseDevice { .. } => format!("close {}", x.device),
        Action::ClosePort { .. } => format!("close {}", x.port),
    };
    match x.by {
        Some(t) => format!("{text} by {t}"),
        None => text,
    }
}

/// `OVERLAPPED ovA`, or `no OVERLAPPED`.
fn overlapped(o: Option<&str>) -> String {
    match o {
        Some(o) => format!("OVERLAPPED {o}"),
        None => "no OVERLAPPED".to_owned(),
    }
}

/// A packet in words: `key 7, 0 bytes, OVERLAPPED ovA, success`.
pub fn packet(p: &Packet, names: &Names) -> String {
    format!(
        "key {}, {} bytes, {}, {}",
        p.key,
        p.bytes,
        overlapped(p.overlapped.map(|o| names.overlapped(o))),
        names.status(p.status)
    )
}

/// One English sentence (or two) for one fired rule, in a kernel of
/// `flavor`. Every clause that depends on the situation is chosen from the
/// event's facts (`tests/integration/narration_facts.rs` holds it there).
pub fn fired(f: &Fired, n: &Names, flavor: Flavor) -> String {
    let x = Facts::of_fired(f, n, flavor);
    let (t, p, d, call, system) = (x.thread, x.port, x.device, x.call, x.flavor);
    let (current, before, max) = (x.current, x.before, x.max);
    let pk = || x.packet.map(|pk| packet(&pk, n)).unwrap_or_default();
    let over = if x.over { ", over the limit" } else { "" };
    let oldest = if x.lifo { "most recent" } else { "oldest" };
    let closed = |what| {
        format!("{what} is closed: the call fails with ERROR_INVALID_HANDLE and changes nothing.")
    };
    match f.event {
        Event::Returned { .. } => if x.had_packet {
            format!(
                "{t} calls {call} on {p} again: it is done with its last packet, so {p} stops counting it (current is now {current})."
            )
        } else {
            format!(
                "{t} calls {call} on {p} again. Its last call returned no packet (WAIT_TIMEOUT), yet it was counted as running since; now {p} stops counting it (current is now {current})."
            )
        },
        Event::LeftPort { .. } => format!(
            "{t} calls {call} on another port, so it leaves {p}: {p}'s current drops to {current}."
        ),
        Event::Joined { .. } => format!(
            "{t} calls {call} on {p} and becomes associated with it."
        ),
        Event::Took { count, .. } => format!(
            "{t} finds {} queued on {p} and takes {} at once, {}; it counts as running (current {current}).",
            if count == 1 { "a packet".to_owned() } else { format!("{count} packets") },
            if count == 1 { "it" } else { "them" },
            if x.gated {
                format!("because current {before} < max {max}")
            } else {
                format!("as {system} does not check the limit (max {max})")
            },
        ),
        Event::Waits { why, depth, .. } => {
            let place = if x.lifo {
                format!("on top of the WTQ ({depth} waiting): being the most recent waiter, it will be the first one woken")
            } else {
                format!("at the back of the WTQ ({depth} waiting): {system} wakes the oldest waiter first")
            };
            match why {
                NoTakeWhy::IocqEmpty => format!(
                    "{p}'s IOCQ is empty, so {t} goes to sleep {place}."
                ),
                NoTakeWhy::AtLimit { .. } => format!(
                    "{p} has {} packet(s) queued, but current {current} >= max {max}: the port is {}, so {t} must wait although work is queued, {place}.{}",
                    x.queued,
                    if x.over { "still over its limit" } else { "full" },
                    if x.at_call > max {
                        format!(" The port was over its limit when the call began (current {} > max {max}): this is how an over-subscribed port corrects itself, by giving no new work until enough threads have called get.", x.at_call)
                    } else {
                        String::new()
                    }
                ),
            }
        }
        Event::PollFailed { why, .. } => {
            let reason = match why {
                NoTakeWhy::IocqEmpty => format!("{p}'s IOCQ is empty"),
                NoTakeWhy::AtLimit { current: c, max: m, .. } => format!(
                    "{} packet(s) are queued but the port is {} its limit",
                    x.queued,
                    if c > m { "over" } else { "at" }
                ),
            };
            format!(
                "{t} polls with a zero timeout: {reason}, so the call fails with WAIT_TIMEOUT at once. {t} keeps running and counts (current {current}/{max}{over})."
            )
        }
        Event::HandedOff { extra, .. } => {
            let gate = if x.gated {
                format!("current {before} < max {max}")
            } else if x.lifo {
                format!("{system} does not check the limit but, like Windows, wakes the most recent caller of get first,")
            } else {
                format!("{system} does not check the limit")
            };
            format!(
                "A packet ({}) arrives at {p}; {gate} and {t} is the {oldest} waiter, so it gets the packet directly: the packet never touches the IOCQ. {t} runs (current {current}){}.",
                pk(),
                if extra > 0 { format!(" and also takes {extra} more queued packet(s)") } else { String::new() }
            )
        }
        Event::Queued { why, depth, .. } => match why {
            QueueWhy::NoWaiter => format!(
                "A packet ({}) arrives at {p}; no thread is waiting, so it is appended to the IOCQ ({depth} queued).",
                pk()
            ),
            QueueWhy::AtLimit { .. } => format!(
                "A packet ({}) arrives at {p}; threads are waiting, but current {current} >= max {max}, so none may be released: the packet is appended to the IOCQ ({depth} queued).",
                pk()
            ),
            QueueWhy::MarkedInserter { .. } => format!(
                "A packet ({}) arrives at {p}; a thread is waiting and current {current} < max {max}, but it was inserted by {t}, a thread of {p} that still carries the queue-wait mark (its last get returned without sleeping). Rule 2 wakes no waiter for such an insert: the packet is appended to the IOCQ ({depth} queued) while a waiter sleeps. This rule is read from NT's source (KiInsertQueue: Windows Research Kernel queueobj.c, ReactOS ntoskrnl/ke/queue.c); Wine has no such rule, and it is not yet measured on Windows.",
                pk()
            ),
        },
        Event::Woke { extra, .. } => format!(
            "{p} wakes {t}: current {before} < max {max}, a packet is queued, and {t} is the {oldest} waiter. It takes the head packet{} (current {current}).",
            if extra > 0 { format!(" and {extra} more") } else { String::new() }
        ),
        Event::Held { queued, waiting, .. } => format!(
            "{p} has {queued} queued packet(s) and {waiting} waiting thread(s), but current {current} >= max {max}, so nobody is woken."
        ),
        Event::Blocked { port, .. } => {
            let on = x.on.map(|l| format!(" on {l}")).unwrap_or_default();
            match port {
                Some(_) => format!(
                    "{t} blocks{on}: it moves from {p}'s RTL to its PTL and stops counting (current {current})."
                ),
                None => format!("{t} blocks{on}; it is associated with no port, so no count changes."),
            }
        }
        Event::Unblocked { port, .. } => match port {
            Some(_) => format!(
                "{t}'s wait ends: it moves from {p}'s PTL back to its RTL and counts again, with no check against the limit (current {current}/{max}{}).",
                if x.over {
                    ": the RTL is now over the limit, and nobody is preempted to fix it"
                } else {
                    ""
                }
            ),
            None => format!("{t}'s wait ends; it runs again, associated with no port."),
        },
        Event::TimedOut { .. } => format!(
            "{t}'s wait on {p} times out: it leaves the WTQ, its call fails with WAIT_TIMEOUT, and it counts as running without any check (current {current}/{max}{over})."
        ),
        Event::Exited { port, .. } => match port {
            Some(_) => format!("{t} exits: it leaves {p}'s RTL (current {current})."),
            None => format!("{t} exits."),
        },
        Event::Associated { key, .. } => format!(
            "{d} is associated with {p} under completion key {key}: a new Device List entry. From now on its completed requests make packets for {p}."
        ),
        Event::Issued { inline, .. } => if inline {
            format!(
                "A request on {d} with OVERLAPPED {} completes at once, successfully.",
                x.ov()
            )
        } else {
            format!(
                "A request on {d} with OVERLAPPED {} is pending; the thread that issued it goes on with other work.",
                x.ov()
            )
        },
        Event::Completed { .. } => format!(
            "The driver completes the request on {d} with OVERLAPPED {} (requests complete in any order).",
            x.ov()
        ),
        Event::NoPacket { why, .. } => match why {
            NoPacketWhy::NotAssociated => format!(
                "{d} is not in the Device List, so no packet is made for OVERLAPPED {} (its event would be signalled instead).",
                x.ov()
            ),
            NoPacketWhy::SkipOnSuccess => format!(
                "{d} skips the port on success, so the request that succeeded at once makes no packet: the caller handles the result itself."
            ),
            NoPacketWhy::PortClosed => format!(
                "{d}'s port is closed, so the completion of OVERLAPPED {} makes no packet: it is lost.",
                x.ov()
            ),
        },
        Event::Aborted { .. } => format!(
            "Closing {d} cancels its pending request with OVERLAPPED {}: it completes with ERROR_OPERATION_ABORTED and 0 bytes.",
            x.ov()
        ),
        Event::DeviceClosed { .. } => {
            let then = if x.aborted == 0 {
                "No request was pending on it, so nothing was aborted.".to_owned()
            } else if x.packets == 0 {
                format!(
                    "Its {} aborted request(s) made no packet (see above), so no thread will see them.",
                    x.aborted
                )
            } else {
                format!(
                    "Its {} aborted packet(s) still reach the port's threads: a server that frees its per-socket data now crashes when GetQueuedCompletionStatus returns one of them and the worker touches that data.",
                    x.packets
                )
            };
            format!("{d} is closed and its Device List entry removed. {then}")
        }
        Event::Abandoned { .. } => format!(
            "{t} was waiting on {p}; its call fails with ERROR_ABANDONED_WAIT_0 and it is free again."
        ),
        Event::Stranded { .. } => format!(
            "{t} was waiting on {p}, and {system} does not wake waiters when a port is closed: it stays asleep on the closed port."
        ),
        Event::StrandedWoken { .. } => format!(
            "The completion meant for the closed {p} wakes {t}, which was still asleep there ({system}'s behaviour): its call fails with ERROR_INVALID_HANDLE and the packet is lost."
        ),
        Event::Unassociated { .. } => format!("{t} is no longer associated with {p}."),
        Event::Discarded { .. } => format!(
            "A packet ({}) still queued on {p} is discarded: lost.",
            pk()
        ),
        Event::PortClosed { .. } => format!(
            "{p}'s last handle is closed; every later use of it fails with ERROR_INVALID_HANDLE."
        ),
        Event::Failed { why } => match why {
            FailWhy::PortClosed(_) => closed(p),
            FailWhy::DeviceClosed(_) => closed(d),
            FailWhy::AlreadyAssociated(..) => format!(
                "{d} is already associated with {p}; a device can be associated once, so the call fails with ERROR_INVALID_PARAMETER."
            ),
        },
    }
}

// ---- The lesson API's data in words (moves, refusals, program lines,
// goals and their checks, near misses, the queue-wait mark). ----------

/// A move offered in a lesson (in state `k`): scheduler mode names what
/// happens in the world or which thread runs to which call; every-call
/// mode the call.
pub fn lesson_move(mv: &Move, a: &Action, k: &Kernel, n: &Names) -> String {
    let x = Facts::of_action(a, n);
    match *mv {
        Move::Run { thread } => format!("{} runs: {}", n.thread(thread), call(a, n)),
        Move::Unblock { thread } => match blocked_on(k, thread, n) {
            Some(on) => format!("{on} returns: {}'s wait ends", x.thread),
            None => format!("{}'s wait ends", x.thread),
        },
        Move::Timeout { .. } => format!("{}'s wait times out", x.thread),
        Move::Complete { .. } => format!("the device completes request {}", x.ov()),
        Move::Post { .. } => format!("the teacher posts a packet to {} (key {})", x.port, x.key),
        Move::ClosePort { .. } => format!("close port {}", x.port),
        Move::CloseDevice { .. } => format!("close device {}", x.device),
        Move::Call { .. } => action(a, n),
    }
}

/// The label thread `t` is blocked on in `k`, if it is blocked on one.
fn blocked_on<'a>(k: &Kernel, t: ThreadId, n: &'a Names) -> Option<&'a str> {
    match k.thread(t).state() {
        ThreadState::Paused(Some(l)) => Some(n.label(l)),
        _ => None,
    }
}

/// A thread's call as its code writes it: `GetQueuedCompletionStatus(P,
/// INFINITE)`, `WaitForSingleObject(db)`, `PostQueuedCompletionStatus(P,
/// key 9)`, `ExitThread()`.
pub fn call(a: &Action, n: &Names) -> String {
    let x = Facts::of_action(a, n);
    let timeout = match x.timeout {
        None => "INFINITE".to_owned(),
        Some(ms) => format!("{ms} ms"),
    };
    match *a {
        Action::Get { .. } => format!("GetQueuedCompletionStatus({}, {timeout})", x.port),
        Action::GetEx { .. } => format!(
            "GetQueuedCompletionStatusEx({}, {} entries, {timeout})",
            x.port, x.max
        ),
        Action::Block { .. } => x.on.map_or("a wait".to_owned(), str::to_owned),
        Action::Post { .. } => format!("PostQueuedCompletionStatus({}, key {})", x.port, x.key),
        Action::Exit { .. } => "ExitThread()".to_owned(),
        _ => action(a, n),
    }
}

/// Why a move cannot be made, in one line.
pub fn refusal(r: &Refusal, n: &Names) -> String {
    match r {
        Refusal::Model { rejection } => super::rejection(rejection, n, super::Lang::En),
        Refusal::Forbidden { rule: Some(rule) } => {
            let what = match rule.op {
                "poll" => "polls (a get with timeout 0)".to_owned(),
                op => format!("{op} calls"),
            };
            match rule.thread {
                Some(t) => format!("this challenge forbids {}'s {what}", n.thread(t)),
                None => format!("this challenge forbids {what}"),
            }
        }
        Refusal::Forbidden { rule: None } => "this challenge allows only other calls".to_owned(),
        Refusal::BeforeStart { start } => {
            format!("the challenge starts after step {start}: move from there")
        }
        Refusal::NotOffered {
            mode: Mode::Scheduler,
        } => "this lesson gives its threads no programs to run".to_owned(),
        Refusal::NotOffered {
            mode: Mode::EveryCall,
        } => "this challenge is played as the scheduler: run the threads' code".to_owned(),
        Refusal::NoSuchStep { at, last } => format!("there is no step {at} (the last is {last})"),
    }
}

/// One line of a thread's program, as short code (op names as the
/// scenario format writes them): `get(P)`, `if key 1: WaitForSingleObject(db)`.
pub fn line(l: &Line, n: &Names) -> String {
    match l {
        Line::Loop => "loop {".to_owned(),
        Line::Get {
            port,
            timeout,
            batch,
        } => {
            let t = timeout.map_or(String::new(), |ms| format!(", {ms} ms"));
            match batch {
                None => format!("get({}{t})", n.port(*port)),
                Some(b) => format!("get_ex({}, {b} entries{t})", n.port(*port)),
            }
        }
        Line::Handle => "handle the packet".to_owned(),
        Line::ExitOnKey { key } => format!("if key {key}: exit"),
        Line::Block { on, keys: None } => n.label(*on).to_owned(),
        Line::Block { on, keys: Some(k) } => {
            let keys: Vec<String> = k.iter().map(u64::to_string).collect();
            format!("if key {}: {}", keys.join(" or "), n.label(*on))
        }
        Line::Post { port, key } => format!("post({}, key {key})", n.port(*port)),
        Line::ExitAfter { packets } => format!("after {packets} packet(s): exit"),
        Line::End => "}".to_owned(),
        Line::Exit => "exit".to_owned(),
    }
}

/// A goal in words.
pub fn goal(g: &Goal) -> String {
    match g {
        Goal::State(Condition::OverLimit) => {
            "the RTL over the concurrency value (current > max)".to_owned()
        }
        Goal::State(Condition::IdleWithWork) => {
            "a packet queued while a thread waits and the port has room".to_owned()
        }
        Goal::State(Condition::Held) => {
            "a packet queued while a thread waits in the WTQ".to_owned()
        }
        Goal::State(Condition::HeldAtLimit) => {
            "a thread asleep in the WTQ while packets wait, because current >= max".to_owned()
        }
        Goal::State(Condition::Lost(cmp, k)) => format!("packets lost {} {k}", cmp.as_str()),
        Goal::State(Condition::Port(m, cmp, k)) => {
            format!("{} {} {k}", metric(*m), cmp.as_str())
        }
        Goal::WakeOldest => "the oldest of two or more waiters woken".to_owned(),
        Goal::CleanShutdown => "every thread exited and the port closed, no packet lost".to_owned(),
        Goal::AbortedDequeued => "every aborted packet of the closed device dequeued".to_owned(),
    }
}

/// A per-port count of a goal, in English.
fn metric(m: crate::goal::Metric) -> &'static str {
    use crate::goal::Metric;
    match m {
        Metric::Current => "current",
        Metric::Iocq => "packets in the IOCQ",
        Metric::Wtq => "threads in the WTQ",
        Metric::Rtl => "threads in the RTL",
        Metric::Ptl => "threads in the PTL",
    }
}

/// One condition of a goal, checked: `P: current 1 > max 1: no`.
pub fn check(c: &Check, n: &Names) -> String {
    let what = match c.quantity {
        Quantity::Current => "current",
        Quantity::Iocq => "IOCQ",
        Quantity::Wtq => "WTQ",
        Quantity::Rtl => "RTL",
        Quantity::Ptl => "PTL",
        Quantity::Lost => "packets lost",
        Quantity::Alive => "threads not exited",
        Quantity::OpenPorts => "ports open",
        Quantity::QueuedAborted => "aborted packets queued",
        Quantity::Waiters => "waiters",
    };
    let target = if c.target_is_max {
        format!("max {}", c.target)
    } else {
        c.target.to_string()
    };
    let port = c
        .port
        .map(|p| format!("{}: ", n.port(p)))
        .unwrap_or_default();
    let verdict = if c.holds { "yes" } else { "not yet" };
    format!(
        "{port}{what} {} {} {target}: {verdict}",
        c.value,
        c.cmp.as_str()
    )
}

/// Why the last move missed the goal, in a sentence.
pub fn miss(m: &Miss, n: &Names) -> String {
    match *m {
        Miss::HandedOff {
            thread,
            port,
            by,
            no_mark,
        } => {
            let (t, p) = (n.thread(thread), n.port(port));
            let base = format!("Rule 2 handed the packet straight to {t}, waiting on {p}: it never reached the IOCQ.");
            match (by, no_mark) {
                (Some(b), Some(why)) => {
                    let b = n.thread(b);
                    let since = match why {
                        NoMark::NoSuchRule => {
                            "this flavour has no queue-wait mark at all (Wine)".to_owned()
                        }
                        NoMark::Never => "it has not called get yet".to_owned(),
                        NoMark::Since { step, cause } => format!(
                            "it had {} at step {step}",
                            match cause {
                                MarkCause::Slept => "slept in the WTQ in its get",
                                MarkCause::Blocked => "blocked",
                                MarkCause::Exited => "exited",
                            }
                        ),
                    };
                    format!("{base} {b} had no queue-wait mark: {since}.")
                }
                _ => base,
            }
        }
        Miss::NotOldest {
            woken,
            oldest,
            port,
        } => format!(
            "{} woke {}, its most recent waiter; {}, the oldest, still waits.",
            n.port(port),
            n.thread(woken),
            n.thread(oldest)
        ),
        Miss::Slept { thread, port, why } => {
            let because = match why {
                NoTakeWhy::IocqEmpty => "its IOCQ was empty".to_owned(),
                NoTakeWhy::AtLimit { current, max, .. } => {
                    format!("current {current} >= max {max}")
                }
            };
            format!(
                "{} went to sleep in {}'s WTQ ({because}), so it is not counted.",
                n.thread(thread),
                n.port(port)
            )
        }
        Miss::Discarded { port, count } => format!(
            "Closing {} discarded {count} queued packet(s): they are lost.",
            n.port(port)
        ),
        Miss::Stranded { thread, port } => format!(
            "{} stays asleep on the closed {} (Wine wakes nobody): it can never exit.",
            n.thread(thread),
            n.port(port)
        ),
    }
}

/// A thread's queue-wait mark set or cleared by a step, with why (from
/// the same step's events).
pub fn mark(m: &MarkChange, out: &Outcome, n: &Names) -> String {
    let t = n.thread(m.thread);
    if m.set {
        return format!(
            "{t} now carries the queue-wait mark: its get returned without sleeping, so a packet it posts to its own port stays in the IOCQ for it instead of waking a waiter (rule 2)."
        );
    }
    match mark_cause(m.thread, out) {
        MarkCause::Slept => {
            format!("{t}'s queue-wait mark is cleared: it went to sleep in the WTQ.")
        }
        MarkCause::Blocked => format!("{t}'s queue-wait mark is cleared: it blocked."),
        MarkCause::Exited => format!("{t}'s queue-wait mark is cleared: it exited."),
    }
}

/// The note of a step the explorer's answer made: move `j` of `n` to `g`.
pub fn explorer_note(g: &Goal, j: usize, n: usize) -> String {
    format!(
        "The explorer's shortest way to {}: move {j} of {n}.",
        goal(g)
    )
}

/// The title of a saved branch.
pub fn branch_title(title: &str) -> String {
    format!("What-if: {title}")
}

/// The description of a saved branch of `source`.
pub fn branch_description(source: &str) -> String {
    format!(
        "A what-if branch of {source}: the lesson's steps up to the branch, then the moves chosen by hand in the player. Every step's expectations were written from the model's run."
    )
}

/// The English words of the players' lesson controls.
pub const LESSON: LessonWords = LessonWords {
    modes: ("scheduler", "every call"),
    menus: (
        " Be the scheduler: run a thread, or move the world (grey: refused) ",
        " Every call: any call by any thread (grey: refused) ",
    ),
    switched: (
        "scheduler mode: run the threads' code (m: every call)",
        "every-call mode: any call by any thread (m: scheduler)",
    ),
    one_mode: "this lesson offers one mode of moves",
    code: "The threads' code: a loop each (▶ next call)",
    help: "←/→ step  a move  m mode  x goal  w why  f flavour  s save  q quit",
    status: ("moves ", "/", " · a move  ? hint  w why  t task  x answer"),
    task: "Challenge",
    goal: "Goal: ",
    budget: "Moves allowed: ",
    why: "Why not yet?",
    reached: "the goal is reached",
    no_goal: "no goal yet: press x to choose one",
    ask_why: " · w: why not yet",
    close: " any key closes ",
    shortest: "The explorer's shortest answer: ",
};
