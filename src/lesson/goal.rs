//! A goal's conditions checked on a state ([`checks`]), and why a move
//! missed the goal ([`miss`]), read from the goal's definition and from
//! what the move did (the rules' events and the queue-wait marks the
//! model reports), never from a second copy of a rule.

use super::Lesson;
use crate::goal::{Cmp, Condition, Goal, Metric};
use crate::model::{Action, Event, Kernel, Port, PortId, ThreadId, ThreadStatus};
use crate::moves::{mark_cause, Check, Miss, NoMark, Quantity};

/// A check of a per-port count.
fn port_check(p: PortId, port: &Port, q: Quantity, cmp: Cmp, target: Option<u64>) -> Check {
    let value = match q {
        Quantity::Current => port.current() as u64,
        Quantity::Iocq => port.iocq().len() as u64,
        Quantity::Wtq | Quantity::Waiters => port.wtq().len() as u64,
        Quantity::Rtl => port.rtl().len() as u64,
        Quantity::Ptl => port.ptl().len() as u64,
        _ => 0,
    };
    let target_is_max = target.is_none();
    let target = target.unwrap_or(port.max() as u64);
    Check {
        port: Some(p),
        quantity: q,
        value,
        cmp,
        target,
        target_is_max,
        holds: cmp.holds(value, target),
    }
}

/// A check of a whole-run count.
fn run_check(q: Quantity, value: u64, cmp: Cmp, target: u64) -> Check {
    Check {
        port: None,
        quantity: q,
        value,
        cmp,
        target,
        target_is_max: false,
        holds: cmp.holds(value, target),
    }
}

fn quantity(m: Metric) -> Quantity {
    match m {
        Metric::Current => Quantity::Current,
        Metric::Iocq => Quantity::Iocq,
        Metric::Wtq => Quantity::Wtq,
        Metric::Rtl => Quantity::Rtl,
        Metric::Ptl => Quantity::Ptl,
    }
}

/// The checks of a goal on ports, on one port: `None` when the goal is
/// not about ports.
fn on_port(goal: Goal, p: PortId, port: &Port) -> Option<Vec<Check>> {
    let c = |q, cmp, target| port_check(p, port, q, cmp, target);
    Some(match goal {
        Goal::State(Condition::OverLimit) => vec![c(Quantity::Current, Cmp::Gt, None)],
        Goal::State(Condition::IdleWithWork) => vec![
            c(Quantity::Wtq, Cmp::Gt, Some(0)),
            c(Quantity::Iocq, Cmp::Gt, Some(0)),
            c(Quantity::Current, Cmp::Lt, None),
        ],
        Goal::State(Condition::Held) => vec![
            c(Quantity::Wtq, Cmp::Gt, Some(0)),
            c(Quantity::Iocq, Cmp::Gt, Some(0)),
        ],
        Goal::State(Condition::HeldAtLimit) => vec![
            c(Quantity::Wtq, Cmp::Gt, Some(0)),
            c(Quantity::Iocq, Cmp::Gt, Some(0)),
            c(Quantity::Current, Cmp::Ge, None),
        ],
        Goal::State(Condition::Port(m, cmp, n)) => vec![c(quantity(m), cmp, Some(n))],
        Goal::WakeOldest => vec![c(Quantity::Waiters, Cmp::Ge, Some(2))],
        Goal::State(Condition::Lost(..)) | Goal::CleanShutdown | Goal::AbortedDequeued => {
            return None
        }
    })
}

/// The goal's conditions checked on `k`. For a goal on ports, those of
/// the open port closest to it (the most conditions holding; the first
/// such port).
pub fn checks(k: &Kernel, goal: Goal) -> Vec<Check> {
    let lost = k.counters().lost;
    match goal {
        Goal::State(Condition::Lost(cmp, n)) => vec![run_check(Quantity::Lost, lost, cmp, n)],
        Goal::CleanShutdown => {
            let alive = k
                .threads()
                .iter()
                .filter(|t| t.status() != ThreadStatus::Exited)
                .count();
            let open = k.ports().iter().filter(|p| !p.closed()).count();
            vec![
                run_check(Quantity::Alive, alive as u64, Cmp::Eq, 0),
                run_check(Quantity::OpenPorts, open as u64, Cmp::Eq, 0),
                run_check(Quantity::Lost, lost, Cmp::Eq, 0),
            ]
        }
        Goal::AbortedDequeued => vec![run_check(
            Quantity::QueuedAborted,
            crate::goal::queued_aborted(k) as u64,
            Cmp::Eq,
            0,
        )],
        _ => {
            let mut best: Option<Vec<Check>> = None;
            for (i, port) in k.ports().iter().enumerate() {
                if port.closed() {
                    continue;
                }
                let Some(c) = on_port(goal, PortId::from_index(i), port) else {
                    continue;
                };
                let score = |v: &[Check]| v.iter().filter(|c| c.holds).count();
                if best.as_ref().is_none_or(|b| score(&c) > score(b)) {
                    best = Some(c);
                }
            }
            best.unwrap_or_default()
        }
    }
}

/// Why the move that made step `at` left `goal` unreached, when its data
/// says: the packet a queue-based goal needs went straight to a waiter
/// (and why its poster had no queue-wait mark), the port woke a waiter
/// other than the oldest, a get put a thread to sleep, closing a port
/// discarded packets or stranded a waiter.
pub fn miss(lesson: &Lesson, at: usize, goal: Goal) -> Option<Miss> {
    let ts = lesson.step(at)?;
    let action = ts.step.action?;
    let fired = || ts.outcome.fired.iter().map(|f| f.event);
    let needs_queue = matches!(
        goal,
        Goal::State(
            Condition::IdleWithWork
                | Condition::Held
                | Condition::HeldAtLimit
                | Condition::Port(Metric::Iocq, ..)
        )
    );
    let needs_count = matches!(
        goal,
        Goal::State(
            Condition::OverLimit
                | Condition::Port(Metric::Current | Metric::Rtl, Cmp::Gt | Cmp::Ge, _)
        )
    );
    let shutdown = matches!(goal, Goal::CleanShutdown | Goal::AbortedDequeued);
    for e in fired() {
        match e {
            Event::HandedOff { thread, port, .. } if needs_queue => {
                let by = match action {
                    Action::Post { by, .. } | Action::Issue { by, .. } => by,
                    _ => None,
                };
                let before = lesson.state(at - 1);
                let no_mark = by
                    .filter(|t| !before.thread(*t).queue_mark())
                    .map(|t| no_mark(lesson, at, t));
                return Some(Miss::HandedOff {
                    thread,
                    port,
                    by,
                    no_mark,
                });
            }
            Event::Waits {
                thread, port, why, ..
            } if needs_count => return Some(Miss::Slept { thread, port, why }),
            Event::Stranded { thread, port } if shutdown => {
                return Some(Miss::Stranded { thread, port })
            }
            _ => {}
        }
    }
    if shutdown {
        let mut discarded: Option<(PortId, u32)> = None;
        for e in fired() {
            if let Event::Discarded { port, .. } = e {
                let n = discarded.map_or(0, |(_, n)| n);
                discarded = Some((port, n + 1));
            }
        }
        if let Some((port, count)) = discarded {
            return Some(Miss::Discarded { port, count });
        }
    }
    if goal == Goal::WakeOldest {
        let before = lesson.state(at - 1);
        for d in &ts.outcome.deliveries {
            let order = before.port(d.port).wtq().arrival_order();
            if order.len() >= 2 && order[0] != d.thread {
                return Some(Miss::NotOldest {
                    woken: d.thread,
                    oldest: order[0],
                    port: d.port,
                });
            }
        }
    }
    None
}

/// Why `t` carried no queue-wait mark before step `at`: the flavour has
/// no such rule, the thread never called get, or the last step where it
/// went to sleep in a get, blocked or exited (which clears the mark, or
/// keeps a thread from getting it), read from the steps' events and
/// marks.
fn no_mark(lesson: &Lesson, at: usize, t: ThreadId) -> NoMark {
    if !lesson.flavor().keeps_for_marked_inserter() {
        return NoMark::NoSuchRule;
    }
    for i in (1..at).rev() {
        let Some(ts) = lesson.step(i) else { continue };
        if ts.outcome.marks.iter().any(|m| m.thread == t && m.set) {
            break;
        }
        let cause = ts.outcome.fired.iter().any(|f| {
            matches!(f.event,
                Event::Waits { thread, .. } | Event::Blocked { thread, .. } | Event::Exited { thread, .. }
                    if thread == t)
        });
        if cause {
            return NoMark::Since {
                step: i,
                cause: mark_cause(t, &ts.outcome),
            };
        }
    }
    NoMark::Never
}
