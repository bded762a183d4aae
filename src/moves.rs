//! What a student does in a lesson, and what the lesson says back, as data
//! (no words, no view): the moves ([`Move`]) in the two modes ([`Mode`]),
//! why a move is refused ([`Refusal`]), the calls a challenge allows
//! ([`Restrictions`]), a goal's conditions checked on a state ([`Check`])
//! and why the last move missed it ([`Miss`]). The lesson API
//! ([`crate::lesson`]) makes them; [`crate::narrate`] puts them in words;
//! every type serialises to JSON with ids as numbers (a thread, port,
//! device or OVERLAPPED is its index in the lesson's names), for a page
//! that draws them.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::goal::Cmp;
use crate::model::{
    Action, DeviceId, Event, LabelId, NoTakeWhy, Outcome, OvId, PortId, Rejection, ThreadId,
    Timeout,
};
use crate::program::{caller, Pc, Program};

/// Which moves a lesson offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The student is the scheduler: each thread runs its program to its
    /// next call into the port, and the world outside the threads makes
    /// its moves (a device completes, a named wait ends, a wait times
    /// out, the teacher posts, a handle is closed). Offered where the
    /// threads have programs.
    Scheduler,
    /// Any call by any thread, and any call from outside (the raw API).
    EveryCall,
}

/// One move a student can make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Move {
    /// Scheduler mode: the thread runs its program to its next call into
    /// the port and makes it.
    Run {
        /// The thread.
        #[serde(serialize_with = "thread_id")]
        thread: ThreadId,
    },
    /// The world: what a thread blocked on (its named wait, such as
    /// `WaitForSingleObject(db)`) ends: the database answers.
    Unblock {
        /// The thread.
        #[serde(serialize_with = "thread_id")]
        thread: ThreadId,
    },
    /// The world: a thread's finite wait in a get times out.
    Timeout {
        /// The thread.
        #[serde(serialize_with = "thread_id")]
        thread: ThreadId,
    },
    /// The world: a device completes a pending request.
    Complete {
        /// The request's OVERLAPPED.
        #[serde(serialize_with = "ov_id")]
        overlapped: OvId,
    },
    /// The world: someone outside the threads (the teacher) posts a packet.
    Post {
        /// The port.
        #[serde(serialize_with = "port_id")]
        port: PortId,
        /// Its completion key.
        key: u64,
    },
    /// The world: a port's last handle is closed.
    ClosePort {
        /// The port.
        #[serde(serialize_with = "port_id")]
        port: PortId,
    },
    /// The world: a device's handle is closed.
    CloseDevice {
        /// The device.
        #[serde(serialize_with = "device_id")]
        device: DeviceId,
    },
    /// Every-call mode: any call, by any thread or from outside.
    Call {
        /// The call (written as its op and the thread that makes it or
        /// that it is about).
        #[serde(serialize_with = "ser_call")]
        action: Action,
    },
}

impl Move {
    /// The mode the move belongs to.
    pub fn mode(&self) -> Mode {
        match self {
            Move::Call { .. } => Mode::EveryCall,
            _ => Mode::Scheduler,
        }
    }

    /// The thread the move is about, if one (the one that runs, whose
    /// wait ends or times out, or that makes the call).
    pub fn thread(&self) -> Option<ThreadId> {
        match *self {
            Move::Run { thread } | Move::Unblock { thread } | Move::Timeout { thread } => {
                Some(thread)
            }
            Move::Call { action } => about(&action),
            _ => None,
        }
    }
}

/// The thread a call is about: its caller, or the thread an unblock or a
/// timeout ends the wait of.
pub fn about(a: &Action) -> Option<ThreadId> {
    match *a {
        Action::Unblock { thread } | Action::Timeout { thread } => Some(thread),
        _ => caller(a),
    }
}

/// A kind of call a challenge allows or forbids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct MoveRule {
    /// An op of the scenario format (`"get"`, `"timeout"`, ...), or
    /// `"poll"`: a get or get_ex with a zero timeout (an op `"get"` covers
    /// polls too).
    pub op: &'static str,
    /// Only the calls of this thread (the caller, or the thread an unblock
    /// or a timeout is about); `None`: every thread's and the world's.
    #[serde(serialize_with = "opt_thread_id")]
    pub thread: Option<ThreadId>,
}

impl MoveRule {
    /// True if `a` is a call of this kind.
    pub fn matches(&self, a: &Action) -> bool {
        let op = match self.op {
            "poll" => matches!(
                a,
                Action::Get { timeout, .. } | Action::GetEx { timeout, .. } if timeout.is_poll()
            ),
            op => a.op() == op,
        };
        op && self.thread.is_none_or(|t| about(a) == Some(t))
    }
}

/// The calls a challenge lets a move make.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Restrictions {
    /// Only calls of these kinds (`None`: every kind).
    pub allow: Option<Vec<MoveRule>>,
    /// Never calls of these kinds.
    pub forbid: Vec<MoveRule>,
}

impl Restrictions {
    /// `Ok` when `a` may be made; else the refusal: the first `forbid`
    /// entry it matches, or, when `allow` is given and `a` matches none
    /// of it, [`Refusal::Forbidden`] with no rule.
    pub fn check(&self, a: &Action) -> Result<(), Refusal> {
        if let Some(r) = self.forbid.iter().find(|r| r.matches(a)) {
            return Err(Refusal::Forbidden { rule: Some(*r) });
        }
        match &self.allow {
            Some(allow) if !allow.iter().any(|r| r.matches(a)) => {
                Err(Refusal::Forbidden { rule: None })
            }
            _ => Ok(()),
        }
    }

    /// True when the challenge restricts nothing.
    pub fn is_empty(&self) -> bool {
        self.allow.is_none() && self.forbid.is_empty()
    }
}

/// Why a move cannot be made here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Refusal {
    /// The model refuses the call: a rule's precondition does not hold
    /// (a refused call changes nothing, property 7).
    Model {
        /// The rule and why, as the model says it.
        #[serde(serialize_with = "ser_rejection")]
        rejection: Rejection,
    },
    /// The challenge does not let a move make this call: it forbids
    /// `rule`, or (`None`) allows only other calls.
    Forbidden {
        /// The entry of `forbid` the call matches, if one.
        rule: Option<MoveRule>,
    },
    /// The challenge's moves start at its start step: a branch before it
    /// would change the question.
    BeforeStart {
        /// The first step a move may follow.
        start: usize,
    },
    /// The lesson does not offer this mode's moves here (a challenge
    /// whose threads have programs is played as the scheduler; a lesson
    /// without programs has no scheduler mode).
    NotOffered {
        /// The mode of the move.
        mode: Mode,
    },
    /// There is no state `at` in the lesson (it has `last` steps).
    NoSuchStep {
        /// The index asked for.
        at: usize,
        /// The last index.
        last: usize,
    },
}

impl std::fmt::Display for Refusal {
    /// The refusal as data (`model: rule 4 (unblock): NotPaused { .. }`);
    /// [`crate::narrate::refusal`] words it for people.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Model { rejection } => write!(f, "model: {rejection}"),
            Refusal::Forbidden { rule: Some(r) } => write!(f, "forbidden: {}", r.op),
            Refusal::Forbidden { rule: None } => f.write_str("not allowed"),
            Refusal::BeforeStart { start } => write!(f, "before the start (step {start})"),
            Refusal::NotOffered { mode } => write!(f, "{mode:?} moves are not offered"),
            Refusal::NoSuchStep { at, last } => write!(f, "no step {at} (last: {last})"),
        }
    }
}

impl std::error::Error for Refusal {}

/// One move offered at a state: what it is, the call it makes there, and
/// why it cannot be made, if it cannot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// The move.
    #[serde(rename = "move")]
    pub mv: Move,
    /// The model action it makes at this state.
    #[serde(skip)]
    pub action: Action,
    /// Why not (grey in a menu), or `None`: it can be made.
    pub refusal: Option<Refusal>,
}

/// A count a goal's condition reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// A port's `current`.
    Current,
    /// Packets in a port's IOCQ.
    Iocq,
    /// Threads in a port's WTQ.
    Wtq,
    /// Threads in a port's RTL.
    Rtl,
    /// Threads in a port's PTL.
    Ptl,
    /// Packets lost so far (the whole run).
    Lost,
    /// Threads that have not exited.
    Alive,
    /// Ports still open.
    OpenPorts,
    /// Aborted packets (ERROR_OPERATION_ABORTED) queued on every port.
    QueuedAborted,
    /// Threads waiting in a port's WTQ, for a goal that needs two or more
    /// (one of them the oldest).
    Waiters,
}

/// One condition of a goal, checked on a state: `value cmp target`
/// (`current 1 > max 1` fails).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The port it reads, for a per-port count.
    #[serde(serialize_with = "opt_port_id")]
    pub port: Option<PortId>,
    /// What it reads.
    pub quantity: Quantity,
    /// Its value in the state.
    pub value: u64,
    /// The comparison.
    #[serde(serialize_with = "ser_cmp")]
    pub cmp: Cmp,
    /// What it is compared with.
    pub target: u64,
    /// The target is the port's `max` (its concurrency limit), not a
    /// fixed number.
    pub target_is_max: bool,
    /// Whether it holds.
    pub holds: bool,
}

/// Why a thread carries no queue-wait mark at some step (the mark is what
/// rule 2's exception needs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoMark {
    /// The flavour has no such rule (Wine): no thread is ever marked.
    NoSuchRule,
    /// The thread has not called get in the run so far.
    Never,
    /// Since this step, when the thread `cause` (slept in its get's WTQ,
    /// blocked or exited), it has not returned from a get without
    /// sleeping.
    Since {
        /// The step (1-based).
        step: usize,
        /// What the thread did there.
        cause: MarkCause,
    },
}

/// What takes a thread's queue-wait mark away (or keeps it from getting one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkCause {
    /// It went to sleep in a WTQ (a get that waited).
    Slept,
    /// It blocked on something else.
    Blocked,
    /// It exited.
    Exited,
}

/// What cleared thread `t`'s queue-wait mark in a step that did `out`
/// (a step that reports the mark cleared: [`crate::model::MarkChange`]).
pub fn mark_cause(t: ThreadId, out: &Outcome) -> MarkCause {
    out.fired
        .iter()
        .find_map(|f| match f.event {
            Event::Waits { thread, .. } if thread == t => Some(MarkCause::Slept),
            Event::Blocked { thread, .. } if thread == t => Some(MarkCause::Blocked),
            Event::Exited { thread, .. } if thread == t => Some(MarkCause::Exited),
            _ => None,
        })
        .unwrap_or(MarkCause::Slept)
}

/// Why the last move left the goal unreached, read from what the move did
/// (the rules' data) and what the goal needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Miss {
    /// The goal needs a packet in the IOCQ, but rule 2 handed the packet
    /// to a waiter: it never reached the IOCQ. When a thread posted it
    /// (`by`), why that thread had no queue-wait mark (`no_mark`), which
    /// would have kept the packet queued.
    HandedOff {
        /// The waiter that got it.
        #[serde(serialize_with = "thread_id")]
        thread: ThreadId,
        /// The port.
        #[serde(serialize_with = "port_id")]
        port: PortId,
        /// The thread that posted it, if a thread did.
        #[serde(serialize_with = "opt_thread_id")]
        by: Option<ThreadId>,
        /// Why `by` had no mark.
        no_mark: Option<NoMark>,
    },
    /// The goal needs the oldest waiter woken, but the port woke another
    /// one (the most recent: LIFO).
    NotOldest {
        /// The thread woken.
        #[serde(serialize_with = "thread_id")]
        woken: ThreadId,
        /// The oldest waiter, still waiting.
        #[serde(serialize_with = "thread_id")]
        oldest: ThreadId,
        /// The port.
        #[serde(serialize_with = "port_id")]
        port: PortId,
    },
    /// A get put the thread to sleep in the WTQ, so it is not counted:
    /// the IOCQ was empty, or the port was full.
    Slept {
        /// The thread.
        #[serde(serialize_with = "thread_id")]
        thread: ThreadId,
        /// The port.
        #[serde(serialize_with = "port_id")]
        port: PortId,
        /// Why it took nothing.
        #[serde(serialize_with = "no_take")]
        why: NoTakeWhy,
    },
    /// Closing the port discarded queued packets: they are lost.
    Discarded {
        /// The port.
        #[serde(serialize_with = "port_id")]
        port: PortId,
        /// How many.
        count: u32,
    },
    /// Closing the port left a thread asleep on it (Wine): it never exits.
    Stranded {
        /// The thread.
        #[serde(serialize_with = "thread_id")]
        thread: ThreadId,
        /// The port.
        #[serde(serialize_with = "port_id")]
        port: PortId,
    },
}

/// One line of a thread's program as a view draws it (the scheduler
/// mode's code pane; its words come from [`crate::narrate`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    /// The loop starts.
    Loop,
    /// `GetQueuedCompletionStatus(port, timeout)` (or the Ex form).
    Get {
        /// The port.
        #[serde(serialize_with = "port_id")]
        port: PortId,
        /// The timeout in milliseconds (`None`: INFINITE).
        timeout: Option<u64>,
        /// Room for this many entries (GetQueuedCompletionStatusEx).
        batch: Option<u32>,
    },
    /// The thread handles its packet (no call into the port).
    Handle,
    /// A packet with this key ends the loop.
    ExitOnKey {
        /// The key.
        key: u64,
    },
    /// The named wait (`WaitForSingleObject(db)`), after packets with
    /// one of `keys` (all if `None`).
    Block {
        /// The label's id in the lesson's names.
        #[serde(serialize_with = "label_id")]
        on: LabelId,
        /// Only after these keys.
        keys: Option<Vec<u64>>,
    },
    /// `PostQueuedCompletionStatus(port, key)` by the thread itself.
    Post {
        /// The port.
        #[serde(serialize_with = "port_id")]
        port: PortId,
        /// The key.
        key: u64,
    },
    /// After this many packets the loop ends.
    ExitAfter {
        /// The number of packets.
        packets: u32,
    },
    /// The loop's end: back to the get.
    End,
    /// The thread exits (`ExitThread`).
    Exit,
}

/// A program's lines, in order ([`Line`]): the loop, its get, the
/// handling, then the exit on a key, the block, the post and the packet
/// count it has, the loop's end and the exit.
pub fn lines(p: &Program) -> Vec<Line> {
    let mut out = vec![
        Line::Loop,
        Line::Get {
            port: p.port,
            timeout: match p.timeout {
                Timeout::Infinite => None,
                Timeout::Ms(ms) => Some(ms),
            },
            batch: p.batch,
        },
        Line::Handle,
    ];
    if let Some(key) = p.exit_on_key {
        out.push(Line::ExitOnKey { key });
    }
    if let Some(on) = p.block {
        out.push(Line::Block {
            on,
            keys: p.block_keys.clone(),
        });
    }
    if let Some((port, key)) = p.post {
        out.push(Line::Post { port, key });
    }
    if let Some(packets) = p.packets {
        out.push(Line::ExitAfter { packets });
    }
    out.extend([Line::End, Line::Exit]);
    out
}

/// The line of [`lines`] holding a thread's next call at `pc` (the get
/// also while it waits in it, the block while it is blocked), or `None`
/// once it has exited.
pub fn current_line(p: &Program, pc: Pc) -> Option<usize> {
    let at = |want: fn(&Line) -> bool| lines(p).iter().position(want);
    match pc {
        Pc::Get => Some(1),
        Pc::Block | Pc::Paused => at(|l| matches!(l, Line::Block { .. })),
        Pc::Post => at(|l| matches!(l, Line::Post { .. })),
        Pc::Exit => at(|l| matches!(l, Line::Exit)),
        Pc::Done => None,
    }
}

fn label_id<S: Serializer>(l: &LabelId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u32(l.0)
}

fn thread_id<S: Serializer>(t: &ThreadId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u32(t.0)
}

fn port_id<S: Serializer>(p: &PortId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u32(p.0)
}

fn device_id<S: Serializer>(d: &DeviceId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u32(d.0)
}

fn ov_id<S: Serializer>(o: &OvId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u32(o.0)
}

fn opt_thread_id<S: Serializer>(t: &Option<ThreadId>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_some(&t.0),
        None => s.serialize_none(),
    }
}

fn opt_port_id<S: Serializer>(p: &Option<PortId>, s: S) -> Result<S::Ok, S::Error> {
    match p {
        Some(p) => s.serialize_some(&p.0),
        None => s.serialize_none(),
    }
}

/// `{ "op": "get", "thread": 0 }`: the op and the thread it is about.
fn ser_call<S: Serializer>(a: &Action, s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(2))?;
    m.serialize_entry("op", a.op())?;
    m.serialize_entry("thread", &about(a).map(|t| t.0))?;
    if let Action::Get { timeout, .. } | Action::GetEx { timeout, .. } = a {
        match timeout {
            Timeout::Infinite => m.serialize_entry("timeout", "infinite")?,
            Timeout::Ms(ms) => m.serialize_entry("timeout", ms)?,
        }
    }
    m.end()
}

/// `{ "rule": "unblock", "number": 4, "reason": "not_paused" }`.
fn ser_rejection<S: Serializer>(r: &Rejection, s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(3))?;
    m.serialize_entry("rule", r.rule.name())?;
    m.serialize_entry("number", &r.rule.number())?;
    m.serialize_entry("reason", r.kind.name())?;
    m.end()
}

fn ser_cmp<S: Serializer>(c: &Cmp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(c.as_str())
}

fn no_take<S: Serializer>(w: &NoTakeWhy, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match w {
        NoTakeWhy::IocqEmpty => "iocq_empty",
        NoTakeWhy::AtLimit { .. } => "at_limit",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_and_refusals_are_json_with_ids_as_numbers() {
        let mv = Move::Post {
            port: PortId(1),
            key: 7,
        };
        assert_eq!(
            serde_json::to_string(&mv).unwrap(),
            r#"{"kind":"post","port":1,"key":7}"#
        );
        let call = Move::Call {
            action: Action::Get {
                thread: ThreadId(2),
                port: PortId(0),
                timeout: Timeout::Ms(0),
            },
        };
        assert_eq!(
            serde_json::to_string(&call).unwrap(),
            r#"{"kind":"call","action":{"op":"get","thread":2,"timeout":0}}"#
        );
        let r = Refusal::Model {
            rejection: Rejection {
                rule: crate::model::Rule::Unblock,
                kind: crate::model::RejectKind::NotPaused {
                    thread: ThreadId(0),
                },
            },
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"kind":"model","rejection":{"rule":"unblock","number":4,"reason":"not_paused"}}"#
        );
    }

    #[test]
    fn a_poll_rule_matches_zero_timeouts_and_a_get_rule_every_get() {
        let get = |ms| Action::Get {
            thread: ThreadId(0),
            port: PortId(0),
            timeout: Timeout::Ms(ms),
        };
        let poll = MoveRule {
            op: "poll",
            thread: None,
        };
        assert!(poll.matches(&get(0)) && !poll.matches(&get(100)));
        let t1 = MoveRule {
            op: "get",
            thread: Some(ThreadId(1)),
        };
        assert!(!t1.matches(&get(0)), "T1's rule does not cover T0");
        let r = Restrictions {
            allow: None,
            forbid: vec![poll],
        };
        assert_eq!(r.check(&get(100)), Ok(()));
        assert_eq!(
            r.check(&get(0)),
            Err(Refusal::Forbidden { rule: Some(poll) })
        );
        let only_posts = Restrictions {
            allow: Some(vec![MoveRule {
                op: "post",
                thread: None,
            }]),
            forbid: Vec::new(),
        };
        assert_eq!(
            only_posts.check(&get(100)),
            Err(Refusal::Forbidden { rule: None })
        );
    }
}
