//! The explorer over free moves, for the players' what-if: from any state
//! of the model (a lesson stopped at some step), every action a student
//! may try next ([`candidates`]), each tried on a copy of the state with
//! [`Kernel::apply`] ([`try_action`]), and the shortest sequence of valid
//! actions to a [`Goal`] ([`shortest`]), found breadth first with
//! equal states merged and a bound on the states kept.
//!
//! Unlike [`super::search`], which follows the loops of thread programs,
//! every thread here may make any call at any time: that is what a student
//! picking moves by hand can do.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

pub use crate::goal::{queued_aborted, Goal, GoalError, GOAL_WORDS};
use crate::model::{
    Action, DeviceId, Kernel, Names, Outcome, OvId, OvUse, PortId, Rejection, StatusId, ThreadId,
    ThreadStatus, Timeout,
};

/// The finite timeout offered for a get (a get that can then time out).
pub const FINITE_MS: u64 = 100;

/// An OVERLAPPED free in `k` for a new request: the first label already
/// named that is free, else a new label `ovN`.
fn free_overlapped(k: &Kernel, names: &mut Names) -> OvId {
    for id in OvId::first(names.overlapped_count()) {
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
/// with `key` from outside the scenario, the same post by each running
/// thread (`by`: rule 2's exception for a marked worker), and a close; per open device an association with each open
/// port (key: the device's number), a new request and a close; a
/// completion for every pending request. Interns a new OVERLAPPED label
/// in `names` when every known one is in use.
pub fn candidates(k: &Kernel, names: &mut Names, key: u64) -> Vec<Action> {
    let mut out = Vec::new();
    let open_ports: Vec<PortId> = k.port_ids().filter(|p| !k.port(*p).closed()).collect();
    for (i, t) in k.threads().iter().enumerate() {
        if t.status() == ThreadStatus::Exited {
            continue;
        }
        let thread = ThreadId::from_index(i);
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
    let running: Vec<ThreadId> = k
        .thread_ids()
        .filter(|t| k.thread(*t).status() == ThreadStatus::Running)
        .collect();
    for &port in &open_ports {
        for by in std::iter::once(None).chain(running.iter().copied().map(Some)) {
            out.push(Action::Post {
                port,
                key,
                bytes: 0,
                overlapped: None,
                by,
            });
        }
        out.push(Action::ClosePort { port });
    }
    let devices = names.devices().len();
    if devices > 0 {
        let ov = free_overlapped(k, names);
        for d in 0..devices {
            let device = DeviceId::from_index(d);
            if k.devices().get(device).is_none_or(|d| d.closed()) {
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
                by: None,
            });
            out.push(Action::CloseDevice { device });
        }
    }
    for overlapped in OvId::first(names.overlapped_count()) {
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

/// What [`shortest`] (or [`shortest_by`]) found: moves of type `M`
/// (model actions for [`shortest`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shortest<M = Action> {
    /// The condition already holds: no move is needed.
    Already,
    /// The shortest sequence of valid moves that makes it hold.
    Found(Vec<M>),
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
    goal: Goal,
    key: u64,
    max_depth: usize,
    max_states: usize,
) -> Shortest {
    shortest_by(
        start.clone(),
        goal,
        (max_depth, max_states),
        |k| k,
        |here, next| {
            for action in candidates(here, names, key) {
                if let Ok((k, out)) = try_action(here, action) {
                    next.push((action, k, out));
                }
            }
        },
    )
}

/// The breadth-first search under [`shortest`], over any kind of state
/// and move: from `start`, `moves(state, out)` pushes every valid move
/// with the state it leads to and what the model did; `kernel` reads the
/// model's state out of a search state (for the goal). Equal states are
/// merged; at most `bounds.0` moves deep and `bounds.1` states kept. The
/// lessons' scheduler mode searches with it over a kernel and the
/// threads' program positions, moving only as the programs and the world
/// outside the threads may.
pub fn shortest_by<S, M>(
    start: S,
    goal: Goal,
    bounds: (usize, usize),
    kernel: impl Fn(&S) -> &Kernel,
    mut moves: impl FnMut(&S, &mut Vec<(M, S, Outcome)>),
) -> Shortest<M>
where
    S: Clone + Eq + Hash,
    M: Clone,
{
    let (max_depth, max_states) = bounds;
    if goal.holds(kernel(&start)) {
        return Shortest::Already;
    }
    // Each state kept once, with how it was first reached: (parent,
    // move, depth); `seen` maps a state's hash to the states with it.
    let hash = |s: &S| {
        let mut h = DefaultHasher::new();
        s.hash(&mut h);
        h.finish()
    };
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut how: Vec<(usize, Option<M>, usize)> = vec![(0, None, 0)];
    seen.insert(hash(&start), vec![0]);
    let mut states: Vec<S> = vec![start];
    let mut queue = VecDeque::from([0usize]);
    let mut next = Vec::new();
    while let Some(at) = queue.pop_front() {
        let depth = how[at].2;
        if depth >= max_depth {
            continue;
        }
        next.clear();
        moves(&states[at], &mut next);
        for (mv, state, out) in next.drain(..) {
            // A goal on moves is checked on every move, even one into a
            // state seen before.
            if goal.reached(kernel(&states[at]), &out, kernel(&state)) {
                let mut path = vec![mv];
                let mut i = at;
                while let (parent, Some(m), _) = &how[i] {
                    path.push(m.clone());
                    i = *parent;
                }
                path.reverse();
                return Shortest::Found(path);
            }
            let h = hash(&state);
            if seen
                .get(&h)
                .is_some_and(|ids| ids.iter().any(|&i| states[i] == state))
            {
                continue;
            }
            let id = states.len();
            how.push((at, Some(mv), depth + 1));
            if states.len() >= max_states {
                return Shortest::TooMany {
                    states: states.len(),
                };
            }
            seen.entry(h).or_default().push(id);
            states.push(state);
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
    use crate::goal::Condition;
    use crate::model::{Flavor, KernelConfig};

    fn start(flavor: Flavor) -> (Kernel, Names) {
        start_with(flavor, 1)
    }

    fn start_with(flavor: Flavor, concurrency: u32) -> (Kernel, Names) {
        let k = Kernel::new(&KernelConfig {
            flavor,
            cpus: 4,
            ports: vec![concurrency],
            threads: 2,
            devices: vec![],
        });
        let n = Names::new(vec!["P".into()], vec!["T1".into(), "T2".into()], vec![]);
        (k, n)
    }

    #[test]
    fn over_limit_takes_two_polls_and_lost_takes_a_post_and_a_close() {
        let (k, mut n) = start(Flavor::Windows);
        let Shortest::Found(path) =
            shortest(&k, &mut n, Goal::State(Condition::OverLimit), 1, 6, 10_000)
        else {
            panic!("over_limit is reachable")
        };
        assert_eq!(path.len(), 2, "{path:?}");
        let lost = Goal::State(Condition::Lost(Cmp::Gt, 0));
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
                    overlapped: None,
                    by: None
                },
                Action::ClosePort { port: PortId(0) }
            ]
        );
    }

    #[test]
    fn idle_with_work_is_never_reached_at_concurrency_1_and_the_bounds_hold() {
        let (k, mut n) = start(Flavor::Windows);
        match shortest(
            &k,
            &mut n,
            Goal::State(Condition::IdleWithWork),
            1,
            5,
            100_000,
        ) {
            Shortest::NotWithin { depth: 5, states } => assert!(states > 10),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            shortest(&k, &mut n, Goal::State(Condition::IdleWithWork), 1, 50, 50),
            Shortest::TooMany { states: 50 }
        ));
    }

    #[test]
    fn a_running_thread_is_offered_its_own_post() {
        let (mut k, mut n) = start(Flavor::Windows);
        let post_by = |by| Action::Post {
            port: PortId(0),
            key: 1,
            bytes: 0,
            overlapped: None,
            by,
        };
        assert!(!candidates(&k, &mut n, 1).contains(&post_by(Some(ThreadId(0)))));
        let get = Action::Get {
            thread: ThreadId(0),
            port: PortId(0),
            timeout: Timeout::Ms(0),
        };
        k.apply(get, &mut Outcome::default()).unwrap();
        let all = candidates(&k, &mut n, 1);
        assert!(all.contains(&post_by(None)));
        assert!(all.contains(&post_by(Some(ThreadId(0)))));
        // T2 is free, not running on a port: no post by it.
        assert!(!all.contains(&post_by(Some(ThreadId(1)))));
    }

    #[test]
    fn idle_with_work_takes_a_workers_own_post_in_windows_and_never_happens_in_wine() {
        let goal = Goal::State(Condition::IdleWithWork);
        let (k, mut n) = start_with(Flavor::Windows, 2);
        let Shortest::Found(path) = shortest(&k, &mut n, goal, 1, 5, 100_000) else {
            panic!("a marked worker's post leaves idle work in Windows")
        };
        // A poll that fails marks T1 (or T2), the other sleeps, the marked
        // one posts to its own port.
        assert_eq!(path.len(), 3, "{path:?}");
        assert!(
            matches!(path[2], Action::Post { by: Some(_), .. }),
            "{path:?}"
        );
        let (k, mut n) = start_with(Flavor::Wine, 2);
        assert!(matches!(
            shortest(&k, &mut n, goal, 1, 5, 100_000),
            Shortest::NotWithin { depth: 5, .. }
        ));
    }

    #[test]
    fn the_oldest_waiter_is_woken_in_wine_only() {
        for (flavor, moves) in [(Flavor::Windows, None), (Flavor::Wine, Some(3))] {
            let (k, mut n) = start(flavor);
            match shortest(&k, &mut n, Goal::WakeOldest, 1, 5, 100_000) {
                Shortest::Found(p) => assert_eq!(Some(p.len()), moves, "{flavor:?}: {p:?}"),
                Shortest::NotWithin { .. } => assert_eq!(moves, None, "{flavor:?}"),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(Goal::parse("wake_oldest"), Ok(Goal::WakeOldest));
        assert_eq!(
            Goal::parse("oldest").unwrap_err().to_string(),
            format!(
                "cannot read condition \"oldest\"; use {}, or wake_oldest, clean_shutdown, aborted_dequeued",
                crate::explore::condition::HELP
            )
        );
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
