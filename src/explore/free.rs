//! The explorer over free moves, for the players' what-if: from any state
//! of the model (a lesson stopped at some step), every action a student
//! may try next ([`candidates`]), each tried on a copy of the state with
//! [`Kernel::apply`] ([`try_action`]), and the shortest sequence of valid
//! actions to a [`Condition`] ([`shortest`]), found breadth first with
//! equal states merged and a bound on the states kept.
//!
//! Unlike [`super::search`], which follows the loops of thread programs,
//! every thread here may make any call at any time: that is what a student
//! picking moves by hand can do.

use std::collections::{HashMap, VecDeque};

use super::condition::Condition;
use crate::model::{
    Action, DeviceId, Kernel, Names, Outcome, OvId, OvUse, PortId, Rejection, StatusId, ThreadId,
    ThreadStatus, Timeout,
};

/// The finite timeout offered for a get (a get that can then time out).
pub const FINITE_MS: u64 = 100;

/// An OVERLAPPED free in `k` for a new request: the first label already
/// named that is free, else a new label `ovN`.
fn free_overlapped(k: &Kernel, names: &mut Names) -> OvId {
    for i in 0..names.overlapped_count() {
        let id = OvId(i as u32);
        if k.overlapped(id) == OvUse::Free {
            return id;
        }
    }
    let mut n = names.overlapped_count() + 1;
    loop {
        let label = format!("ov{n}");
        if names.find_overlapped(&label).is_none() {
            return names.intern_overlapped(&label);
        }
        n += 1;
    }
}

/// Every action offered in state `k`, valid or not, in a fixed order:
/// per thread (that has not exited) a get on each open port (infinite,
/// finite, poll), block, unblock, timeout and exit; per open port a post
/// with `key` and a close; per open device an association with each open
/// port (key: the device's number), a new request and a close; a
/// completion for every pending request. Interns a new OVERLAPPED label
/// in `names` when every known one is in use.
pub fn candidates(k: &Kernel, names: &mut Names, key: u64) -> Vec<Action> {
    let mut out = Vec::new();
    let open_ports: Vec<PortId> = (0..k.ports().len())
        .map(|i| PortId(i as u32))
        .filter(|p| !k.port(*p).closed)
        .collect();
    for (i, t) in k.threads().iter().enumerate() {
        if t.status() == ThreadStatus::Exited {
            continue;
        }
        let thread = ThreadId(i as u32);
        for &port in &open_ports {
            for timeout in [Timeout::Infinite, Timeout::Ms(FINITE_MS), Timeout::Ms(0)] {
                out.push(Action::Get {
                    thread,
                    port,
                    timeout,
                });
            }
        }
        out.push(Action::Block { thread, on: None });
        out.push(Action::Unblock { thread });
        out.push(Action::Timeout { thread });
        out.push(Action::Exit { thread });
    }
    for &port in &open_ports {
        out.push(Action::Post {
            port,
            key,
            bytes: 0,
            overlapped: None,
        });
        out.push(Action::ClosePort { port });
    }
    let devices = names.devices().len();
    if devices > 0 {
        let ov = free_overlapped(k, names);
        for d in 0..devices {
            let device = DeviceId(d as u32);
            if k.devices().get(device).is_none_or(|d| d.closed) {
                continue;
            }
            for &port in &open_ports {
                out.push(Action::Associate {
                    device,
                    port,
                    key: d as u64 + 1,
                });
            }
            out.push(Action::Issue {
                device,
                overlapped: ov,
                inline: None,
            });
            out.push(Action::CloseDevice { device });
        }
    }
    for i in 0..names.overlapped_count() {
        let overlapped = OvId(i as u32);
        if let OvUse::Pending(_) = k.overlapped(overlapped) {
            out.push(Action::Complete {
                overlapped,
                bytes: 0,
                status: StatusId::SUCCESS,
            });
        }
    }
    out
}

/// Tries `action` on a copy of `k`: the state after it and what it did, or
/// the model's refusal (and `k` is untouched either way).
pub fn try_action(k: &Kernel, action: Action) -> Result<(Kernel, Outcome), Rejection> {
    let mut next = k.clone();
    let mut out = Outcome::default();
    next.apply(action, &mut out)?;
    Ok((next, out))
}

/// What [`shortest`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shortest {
    /// The condition already holds: no move is needed.
    Already,
    /// The shortest sequence of valid actions that makes it hold.
    Found(Vec<Action>),
    /// Every state reachable in at most `depth` moves was visited
    /// (`states` of them) and none shows the condition.
    NotWithin {
        /// The depth searched.
        depth: usize,
        /// States visited.
        states: usize,
    },
    /// The bound on states kept was reached before an answer.
    TooMany {
        /// States visited.
        states: usize,
    },
}

/// The shortest way from `start` to a state where `goal` holds, trying
/// [`candidates`] in every state (posts use `key`), at most `max_depth`
/// moves and `max_states` states kept.
pub fn shortest(
    start: &Kernel,
    names: &mut Names,
    goal: Condition,
    key: u64,
    max_depth: usize,
    max_states: usize,
) -> Shortest {
    if goal.holds(start).is_some() {
        return Shortest::Already;
    }
    // Each state once, with how it was first reached: (parent, action, depth).
    let mut seen: HashMap<Kernel, usize> = HashMap::new();
    let mut how: Vec<(usize, Option<Action>, usize)> = vec![(0, None, 0)];
    let mut states: Vec<Kernel> = vec![start.clone()];
    seen.insert(start.clone(), 0);
    let mut queue = VecDeque::from([0usize]);
    while let Some(at) = queue.pop_front() {
        let depth = how[at].2;
        if depth >= max_depth {
            continue;
        }
        let here = states[at].clone();
        for action in candidates(&here, names, key) {
            let Ok((next, _)) = try_action(&here, action) else {
                continue;
            };
            if seen.contains_key(&next) {
                continue;
            }
            let id = states.len();
            how.push((at, Some(action), depth + 1));
            if goal.holds(&next).is_some() {
                let mut path = Vec::new();
                let mut i = id;
                while let (parent, Some(a), _) = how[i] {
                    path.push(a);
                    i = parent;
                }
                path.reverse();
                return Shortest::Found(path);
            }
            if states.len() >= max_states {
                return Shortest::TooMany {
                    states: states.len(),
                };
            }
            seen.insert(next.clone(), id);
            states.push(next);
            queue.push_back(id);
        }
    }
    Shortest::NotWithin {
        depth: max_depth,
        states: states.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::condition::Cmp;
    use crate::model::{Flavor, KernelConfig};

    fn start(flavor: Flavor) -> (Kernel, Names) {
        let k = Kernel::new(&KernelConfig {
            flavor,
            cpus: 4,
            ports: vec![1],
            threads: 2,
            devices: vec![],
        });
        let n = Names::new(vec!["P".into()], vec!["T1".into(), "T2".into()], vec![]);
        (k, n)
    }

    #[test]
    fn over_limit_takes_two_polls_and_lost_takes_a_post_and_a_close() {
        let (k, mut n) = start(Flavor::Windows);
        let Shortest::Found(path) = shortest(&k, &mut n, Condition::OverLimit, 1, 6, 10_000) else {
            panic!("over_limit is reachable")
        };
        assert_eq!(path.len(), 2, "{path:?}");
        let lost = Condition::Lost(Cmp::Gt, 0);
        let Shortest::Found(path) = shortest(&k, &mut n, lost, 1, 6, 10_000) else {
            panic!("a lost packet is reachable")
        };
        assert_eq!(
            path,
            vec![
                Action::Post {
                    port: PortId(0),
                    key: 1,
                    bytes: 0,
                    overlapped: None
                },
                Action::ClosePort { port: PortId(0) }
            ]
        );
    }

    #[test]
    fn idle_with_work_is_never_reached_in_windows_and_the_bounds_hold() {
        let (k, mut n) = start(Flavor::Windows);
        match shortest(&k, &mut n, Condition::IdleWithWork, 1, 5, 100_000) {
            Shortest::NotWithin { depth: 5, states } => assert!(states > 10),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            shortest(&k, &mut n, Condition::IdleWithWork, 1, 50, 50),
            Shortest::TooMany { states: 50 }
        ));
    }

    #[test]
    fn refused_candidates_leave_the_state_alone() {
        let (k, mut n) = start(Flavor::Windows);
        let all = candidates(&k, &mut n, 1);
        let refused: Vec<_> = all
            .iter()
            .filter(|a| try_action(&k, **a).is_err())
            .collect();
        // A free thread cannot unblock or time out.
        assert!(refused.contains(&&Action::Unblock {
            thread: ThreadId(0)
        }));
        assert!(refused.contains(&&Action::Timeout {
            thread: ThreadId(1)
        }));
        assert!(all.len() > refused.len());
    }
}
