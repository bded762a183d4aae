//! Goals: what a student, a challenge or the explorer aims for. A
//! [`Condition`] is what a state must show (`iocp-sim explore --find`,
//! the players' `x`); a [`Goal`] is a condition or a fact of one move
//! (`wake_oldest`, `aborted_dequeued`) or of the whole run
//! (`clean_shutdown`). Plain data over the model, read by the explorer,
//! the lessons and the narration alike.
//!
//! Conditions:
//!
//! | condition | holds when, on some port |
//! |---|---|
//! | `over_limit` | `current > max` |
//! | `idle_with_work` | a thread waits in the WTQ, a packet waits in the IOCQ, and `current < max` (property 3 says never, in Windows) |
//! | `held` | a thread waits in the WTQ while a packet waits in the IOCQ (whatever `current` is) |
//! | `held_at_limit` | a thread waits in the WTQ while a packet waits in the IOCQ because `current >= max` (the lazy correction of an over-subscribed port) |
//! | `current OP N`, `iocq OP N`, `wtq OP N`, `rtl OP N`, `ptl OP N` | the count compares so (`OP`: `>`, `>=`, `<`, `<=`, `==`) |
//! | `lost OP N` | packets lost so far (whole run, not per port) |
//!
//! Conditions on ports ignore closed ports.

use crate::model::Outcome;
use crate::model::{Kernel, Port, PortId, StatusId, ThreadStatus};

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
}

impl Cmp {
    /// True if `a OP b`.
    pub fn holds(self, a: u64, b: u64) -> bool {
        match self {
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Eq => a == b,
        }
    }

    /// `>`, `>=`, `<`, `<=` or `==`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Eq => "==",
        }
    }
}

/// A per-port count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// `current` (CurrentCount).
    Current,
    /// Packets in the IOCQ.
    Iocq,
    /// Threads in the WTQ.
    Wtq,
    /// Threads in the RTL.
    Rtl,
    /// Threads in the PTL.
    Ptl,
}

impl Metric {
    /// The count on port `p`.
    pub fn of(self, p: &Port) -> u64 {
        (match self {
            Metric::Current => p.current() as usize,
            Metric::Iocq => p.iocq().len(),
            Metric::Wtq => p.wtq().len(),
            Metric::Rtl => p.rtl().len(),
            Metric::Ptl => p.ptl().len(),
        }) as u64
    }

    /// `current`, `iocq`, `wtq`, `rtl` or `ptl`.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Current => "current",
            Metric::Iocq => "iocq",
            Metric::Wtq => "wtq",
            Metric::Rtl => "rtl",
            Metric::Ptl => "ptl",
        }
    }
}

/// What `--find` looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Some port has `current > max`.
    OverLimit,
    /// Some port has a waiter and a queued packet while `current < max`.
    IdleWithWork,
    /// Some port has a waiter and a queued packet.
    Held,
    /// Some port has a waiter and a queued packet while `current >= max`:
    /// the port holds work back because it is full (the lazy correction).
    HeldAtLimit,
    /// Some port's count compares so.
    Port(Metric, Cmp, u64),
    /// The run's lost packets compare so.
    Lost(Cmp, u64),
}

/// The words `--find` understands, for error messages.
pub const HELP: &str = "over_limit, idle_with_work, held, held_at_limit, lost OP N, or current|iocq|wtq|rtl|ptl OP N (OP: > >= < <= ==)";

/// A condition that could not be read; its message lists the words
/// understood ([`HELP`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionError {
    /// The text as given.
    pub text: String,
}

impl std::fmt::Display for ConditionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read condition {:?}; use {HELP}", self.text)
    }
}

impl std::error::Error for ConditionError {}

impl Condition {
    /// Parses `over_limit`, `current > 2`, `lost>0`, ...
    pub fn parse(s: &str) -> Result<Condition, ConditionError> {
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        match t.as_str() {
            "over_limit" => return Ok(Condition::OverLimit),
            "idle_with_work" => return Ok(Condition::IdleWithWork),
            "held" => return Ok(Condition::Held),
            "held_at_limit" => return Ok(Condition::HeldAtLimit),
            _ => {}
        }
        let bad = || ConditionError { text: s.to_owned() };
        let i = t.find(['>', '<', '=']).ok_or_else(bad)?;
        let (name, rest) = t.split_at(i);
        let (cmp, num) = if let Some(n) = rest.strip_prefix(">=") {
            (Cmp::Ge, n)
        } else if let Some(n) = rest.strip_prefix("<=") {
            (Cmp::Le, n)
        } else if let Some(n) = rest.strip_prefix("==") {
            (Cmp::Eq, n)
        } else if let Some(n) = rest.strip_prefix('>') {
            (Cmp::Gt, n)
        } else if let Some(n) = rest.strip_prefix('<') {
            (Cmp::Lt, n)
        } else {
            return Err(bad());
        };
        let n: u64 = num.parse().map_err(|_| bad())?;
        let metric = match name {
            "lost" => return Ok(Condition::Lost(cmp, n)),
            "current" => Metric::Current,
            "iocq" => Metric::Iocq,
            "wtq" => Metric::Wtq,
            "rtl" => Metric::Rtl,
            "ptl" => Metric::Ptl,
            _ => return Err(bad()),
        };
        Ok(Condition::Port(metric, cmp, n))
    }

    /// Whether the condition can tell threads apart, so that it may hold in
    /// a state and not in the same state with interchangeable threads
    /// renamed. None does: each one reads ports' counts and queues' sizes,
    /// or the run's `lost`, never which thread is where. A condition that
    /// named a thread would have to say so here, and the symmetry reduction
    /// would then stay off for it ([`super::symmetry::Symmetry::sound_for`]).
    pub fn names_a_thread(&self) -> bool {
        match self {
            Condition::OverLimit
            | Condition::IdleWithWork
            | Condition::Held
            | Condition::HeldAtLimit
            | Condition::Port(..)
            | Condition::Lost(..) => false,
        }
    }

    /// The first open port on which the condition holds (for port
    /// conditions), or `Some(None)` when a whole-run condition holds.
    pub fn holds(&self, k: &Kernel) -> Option<Option<PortId>> {
        if let Condition::Lost(cmp, n) = *self {
            return cmp.holds(k.counters().lost, n).then_some(None);
        }
        for (i, p) in k.ports().iter().enumerate() {
            if p.closed() {
                continue;
            }
            let ok = match *self {
                Condition::OverLimit => p.over_limit(),
                Condition::IdleWithWork => p.idle_with_work(),
                Condition::Held => !p.wtq().is_empty() && !p.iocq().is_empty(),
                Condition::HeldAtLimit => {
                    !p.wtq().is_empty() && !p.iocq().is_empty() && p.current() >= p.max()
                }
                Condition::Port(m, cmp, n) => cmp.holds(m.of(p), n),
                Condition::Lost(..) => unreachable!(),
            };
            if ok {
                return Some(Some(PortId::from_index(i)));
            }
        }
        None
    }
}

impl std::fmt::Display for Condition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Condition::OverLimit => f.write_str("over_limit"),
            Condition::IdleWithWork => f.write_str("idle_with_work"),
            Condition::Held => f.write_str("held"),
            Condition::HeldAtLimit => f.write_str("held_at_limit"),
            Condition::Port(m, c, n) => write!(f, "{} {} {n}", m.as_str(), c.as_str()),
            Condition::Lost(c, n) => write!(f, "lost {} {n}", c.as_str()),
        }
    }
}

/// What a what-if search or a challenge aims for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// A state where the condition holds.
    State(Condition),
    /// A move by which a port hands a packet to the oldest of two or more
    /// threads waiting in its WTQ (`wake_oldest`). Windows wakes the most
    /// recent waiter (property 4), so there it never happens.
    WakeOldest,
    /// A clean shutdown (`clean_shutdown`): every thread has exited and
    /// every port is closed, and no packet was lost on the way (so no
    /// thread was left waiting on a closed port either: it would not have
    /// exited).
    CleanShutdown,
    /// A move by which a thread dequeues the last aborted packet
    /// (ERROR_OPERATION_ABORTED) still queued on any port
    /// (`aborted_dequeued`): a server must take every packet of a closed
    /// socket's cancelled requests before it frees the socket's data.
    AbortedDequeued,
}

/// The goal words [`Goal::parse`] understands besides the conditions.
pub const GOAL_WORDS: [&str; 3] = ["wake_oldest", "clean_shutdown", "aborted_dequeued"];

/// A goal that could not be read: neither `wake_oldest` nor a condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalError(pub ConditionError);

impl std::fmt::Display for GoalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, or {}", self.0, GOAL_WORDS.join(", "))
    }
}

impl std::error::Error for GoalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl Goal {
    /// Parses one of [`GOAL_WORDS`], or a condition (see [`Condition::parse`]).
    pub fn parse(s: &str) -> Result<Goal, GoalError> {
        match s.trim() {
            "wake_oldest" => return Ok(Goal::WakeOldest),
            "clean_shutdown" => return Ok(Goal::CleanShutdown),
            "aborted_dequeued" => return Ok(Goal::AbortedDequeued),
            _ => {}
        }
        Condition::parse(s).map(Goal::State).map_err(GoalError)
    }

    /// True if the goal holds in `k` already (state goals; a goal reached
    /// by a move, such as [`Goal::WakeOldest`], never holds in a state).
    pub fn holds(&self, k: &Kernel) -> bool {
        match self {
            Goal::State(c) => c.holds(k).is_some(),
            Goal::CleanShutdown => {
                k.threads()
                    .iter()
                    .all(|t| t.status() == ThreadStatus::Exited)
                    && k.ports().iter().all(|p| p.closed())
                    && k.counters().lost == 0
            }
            Goal::WakeOldest | Goal::AbortedDequeued => false,
        }
    }

    /// True if the move from `before` (which did `out`) to `after` reaches
    /// the goal.
    pub fn reached(&self, before: &Kernel, out: &Outcome, after: &Kernel) -> bool {
        match self {
            Goal::State(_) | Goal::CleanShutdown => self.holds(after),
            Goal::WakeOldest => out.deliveries.iter().any(|d| {
                let wtq = &before.port(d.port).wtq();
                let order = wtq.arrival_order();
                order.len() >= 2 && order[0] == d.thread
            }),
            Goal::AbortedDequeued => {
                out.deliveries
                    .iter()
                    .any(|d| d.packet.status == StatusId::OPERATION_ABORTED)
                    && queued_aborted(after) == 0
            }
        }
    }
}

/// Aborted packets (ERROR_OPERATION_ABORTED) queued on every port of `k`.
pub fn queued_aborted(k: &Kernel) -> usize {
    k.ports()
        .iter()
        .map(|p| {
            p.iocq()
                .iter()
                .filter(|pk| pk.status == StatusId::OPERATION_ABORTED)
                .count()
        })
        .sum()
}

impl std::fmt::Display for Goal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Goal::State(c) => c.fmt(f),
            Goal::WakeOldest => f.write_str("wake_oldest"),
            Goal::CleanShutdown => f.write_str("clean_shutdown"),
            Goal::AbortedDequeued => f.write_str("aborted_dequeued"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(Condition::parse("over_limit"), Ok(Condition::OverLimit));
        assert_eq!(
            Condition::parse("current > 2"),
            Ok(Condition::Port(Metric::Current, Cmp::Gt, 2))
        );
        assert_eq!(Condition::parse("lost>=1"), Ok(Condition::Lost(Cmp::Ge, 1)));
        assert_eq!(
            Condition::parse("held_at_limit"),
            Ok(Condition::HeldAtLimit)
        );
        assert_eq!(
            Condition::parse(" iocq == 3 "),
            Ok(Condition::Port(Metric::Iocq, Cmp::Eq, 3))
        );
        assert!(Condition::parse("current >").is_err());
        assert!(Condition::parse("speed > 3").is_err());
        assert_eq!(
            Condition::parse("nonsense").unwrap_err().to_string(),
            format!("cannot read condition \"nonsense\"; use {HELP}")
        );
    }
}
