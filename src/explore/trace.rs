//! A path found by the search, replayed on a fresh kernel (with the real
//! counters) and turned into words: one line per step for the terminal,
//! and an `iocp-sim/1` scenario with a note on every step that `run`,
//! `check` and the players accept.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::condition::Condition;
use super::search::{Rules, Search};
use super::store::StateId;
use super::world::{Local, Move, Pc, World, WorldError};
use crate::model::DeviceId;
use crate::model::{
    Action, CallResult, Event, Kernel, Outcome, PortId, QueueWhy, Rejection, Timeout,
};
use crate::scenario::raw::{RawExpect, RawStep};
use crate::scenario::{self, write, DeviceDecl, PortDecl, Text};

/// One replayed step.
#[derive(Clone, Debug)]
pub struct Step {
    /// The move.
    pub mv: Move,
    /// The action it made.
    pub action: Action,
    /// The thread's program counter before the move (for thread moves).
    pub pc: Option<Pc>,
    /// What the step did (empty when refused).
    pub outcome: Outcome,
    /// The refusal, for a refused action.
    pub rejected: Option<Rejection>,
    /// The kernel after it.
    pub after: Kernel,
}

/// Replays `moves` from the world's start (and then, if given, one extra
/// action that is not a program move: a probe). Stops early at a refused action.
pub fn replay<R: Rules>(
    world: &World,
    rules: &R,
    moves: &[Move],
    probe: Option<Action>,
) -> Result<Vec<Step>, WorldError> {
    let (mut k, mut l): (Kernel, Local) = world.initial()?;
    let mut steps = Vec::new();
    let mut out = Outcome::default();
    let extra = probe.map(|a| (Move::Thread(crate::model::ThreadId(0)), Some(a)));
    for (mv, forced) in moves.iter().map(|&m| (m, None)).chain(extra) {
        let pc = match mv {
            Move::Thread(t) if forced.is_none() => Some(l.pc[t.index()]),
            _ => None,
        };
        let action = forced.unwrap_or_else(|| world.action(mv, &l));
        let rejected = rules.apply(&mut k, action, &mut out).err();
        if rejected.is_none() && forced.is_none() {
            world.advance(mv, &out, &mut l);
        }
        steps.push(Step {
            mv,
            action,
            pc,
            outcome: out.clone(),
            rejected,
            after: k.clone(),
        });
        if rejected.is_some() {
            break;
        }
    }
    Ok(steps)
}

fn timeout_word(t: Timeout) -> String {
    match t {
        Timeout::Infinite => "INFINITE".to_owned(),
        Timeout::Ms(ms) => format!("{ms} ms"),
    }
}

/// What a step did, in a sentence or two, followed by the ports' state.
pub fn note(world: &World, step: &Step) -> String {
    let n = &world.names;
    let mut s = String::new();
    let _ = match (step.mv, step.action) {
        (_, a) if step.pc.is_none() && matches!(step.mv, Move::Thread(_)) => {
            write!(s, "Probe: a forbidden {} call", a.op())
        }
        (
            _,
            Action::Get {
                thread,
                port,
                timeout,
            },
        ) => write!(
            s,
            "{} calls get on {} ({})",
            n.thread(thread),
            n.port(port),
            timeout_word(timeout)
        ),
        (
            _,
            Action::GetEx {
                thread,
                port,
                max,
                timeout,
            },
        ) => write!(
            s,
            "{} calls get_ex on {} for up to {max} packets ({})",
            n.thread(thread),
            n.port(port),
            timeout_word(timeout)
        ),
        (_, Action::Block { thread, on }) => write!(
            s,
            "{} processes its packet and blocks on {}",
            n.thread(thread),
            on.map_or("something else", |l| n.label(l))
        ),
        (Move::Thread(t), Action::Post { port, key, .. }) => write!(
            s,
            "{} posts a packet with key {key} to {}",
            n.thread(t),
            n.port(port)
        ),
        (_, Action::Post { port, key, .. }) => write!(
            s,
            "Someone outside the threads posts a packet with key {key} to {}",
            n.port(port)
        ),
        (_, Action::Exit { thread }) => write!(s, "{} is done and exits", n.thread(thread)),
        (_, Action::Unblock { thread }) => {
            write!(s, "{}'s other wait ends: it runs again", n.thread(thread))
        }
        (_, Action::Timeout { thread }) => write!(s, "{}'s wait times out", n.thread(thread)),
        (_, Action::Complete { overlapped, .. }) => write!(
            s,
            "The request with OVERLAPPED {} completes",
            n.overlapped(overlapped)
        ),
        (_, Action::ClosePort { port }) => {
            write!(s, "The last handle of {} is closed", n.port(port))
        }
        (_, Action::CloseDevice { device }) => {
            write!(s, "The handle of {} is closed", n.device(device))
        }
        (_, a) => write!(s, "{}", a.op()),
    };
    if let Some(r) = &step.rejected {
        let _ = write!(s, ": refused ({})", crate::narrate::rejection_reason(r, n));
        return s;
    }
    match step.outcome.result {
        CallResult::Pending if matches!(step.action, Action::Get { .. } | Action::GetEx { .. }) => {
            s.push_str(": nothing it may take, so it waits in the WTQ");
        }
        CallResult::Failed(e) => {
            let _ = write!(s, ": the call fails with {}", e.name());
        }
        _ => {}
    }
    for d in &step.outcome.deliveries {
        let _ = write!(
            s,
            "; {} gets the packet with key {}",
            n.thread(d.thread),
            d.packet.key
        );
    }
    for f in &step.outcome.fired {
        if let Event::Queued {
            why: QueueWhy::MarkedInserter { thread, .. },
            ..
        } = f.event
        {
            let _ = write!(
                s,
                "; it stays in the IOCQ although a thread waits: {} still carries the queue-wait mark (rule 2)",
                n.thread(thread)
            );
        }
    }
    for (t, e) in &step.outcome.failures {
        if step.outcome.result != CallResult::Failed(*e) {
            let _ = write!(s, "; {}'s get fails with {}", n.thread(*t), e.name());
        }
    }
    s.push_str(". ");
    s.push_str(&ports_summary(world, &step.after));
    s
}

/// `P: current 2/1 (over the limit), IOCQ 1, WTQ [T3], RTL [T1 T2], PTL []`, for every port.
pub fn ports_summary(world: &World, k: &Kernel) -> String {
    let n = &world.names;
    let mut s = String::new();
    for (i, p) in k.ports().iter().enumerate() {
        if i > 0 {
            s.push_str("; ");
        }
        let name = n.port(PortId::from_index(i));
        if p.closed() {
            let _ = write!(s, "{name}: closed");
            continue;
        }
        let list = |ids: &mut dyn Iterator<Item = crate::model::ThreadId>| {
            ids.map(|t| n.thread(t).to_owned())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let _ = write!(
            s,
            "{name}: current {}/{}{}, IOCQ {}, WTQ [{}], RTL [{}], PTL [{}]",
            p.current(),
            p.max(),
            if p.over_limit() {
                " (over the limit)"
            } else {
                ""
            },
            p.iocq().len(),
            list(&mut p.wtq().wake_order(world.flavor.wake_order()).into_iter()),
            list(&mut p.rtl().as_slice().iter().copied()),
            list(&mut p.ptl().as_slice().iter().copied()),
        );
    }
    s
}

/// The expectation that pins `cond` in the final state `k`: for a port
/// condition, that port's `current`, `over_limit`, `iocq_len`, `wtq`,
/// `rtl` and `ptl`; for `lost`, the lost count.
pub(crate) fn expect_of(
    world: &World,
    k: &Kernel,
    cond: &Condition,
    port: Option<PortId>,
) -> RawExpect {
    let n = &world.names;
    match (cond, port) {
        (Condition::Lost(..), _) | (_, None) => RawExpect {
            lost: Some(k.counters().lost),
            ..RawExpect::default()
        },
        (_, Some(p)) => RawExpect {
            ports: Some(BTreeMap::from([(
                n.port(p).to_owned(),
                write::port_expect(n, k, p),
            )])),
            ..RawExpect::default()
        },
    }
}

/// The shortest trace to state `state` of `search`, where `cond` held (on
/// `port`): its moves as the threads really make them
/// ([`Search::concrete_path`], so also under symmetry), replayed, and
/// written as an `iocp-sim/1` scenario whose last step expects the state
/// found: `(steps, scenario text)`. `iocp-sim explore --find` and the
/// fuzzer both write found traces with this function.
pub fn found_scenario(
    world: &World,
    search: &Search,
    state: StateId,
    cond: &Condition,
    port: Option<PortId>,
    title: &str,
    description: &str,
) -> Result<(Vec<Step>, String), WorldError> {
    let rules = &super::ModelRules;
    let (moves, _) = search.concrete_path(world, rules, state, None, None)?;
    let steps = replay(world, rules, &moves, None)?;
    let last = match steps.last() {
        Some(s) => s.after.clone(),
        None => world.initial()?.0,
    };
    let expect = expect_of(world, &last, cond, port);
    let json = scenario_json(world, title, description, &steps, Some(expect));
    Ok((steps, json))
}

/// An `iocp-sim/1` scenario: the world, the setup steps, then `steps`,
/// each with its note; `last_expect` is added to the last step.
pub(crate) fn scenario_json(
    world: &World,
    title: &str,
    description: &str,
    steps: &[Step],
    last_expect: Option<RawExpect>,
) -> String {
    let n = &world.names;
    let mut sc = write::scenario_of(&scenario::World {
        title: Text::plain(title),
        description: Some(Text::plain(description)),
        flavor: world.flavor,
        cpus: world.config.cpus,
        ports: (world.concurrency.iter().enumerate())
            .map(|(i, &concurrency)| PortDecl {
                id: n.port(PortId::from_index(i)).to_owned(),
                concurrency,
            })
            .collect(),
        threads: n.threads().to_vec(),
        programs: Vec::new(),
        devices: (world.skip_on_success.iter().enumerate())
            .map(|(i, &skip_on_success)| DeviceDecl {
                id: n.device(DeviceId::from_index(i)).to_owned(),
                skip_on_success,
            })
            .collect(),
    });
    let step = |a: &Action, note: String| RawStep {
        note: Some(Text::plain(note)),
        ..write::action_step(n, a)
    };
    for a in &world.setup {
        let note = match a {
            Action::Associate { device, port, .. } => format!(
                "Setup: {} is associated with {}.",
                n.device(*device),
                n.port(*port)
            ),
            Action::Issue {
                device, overlapped, ..
            } => format!(
                "Setup: a request with OVERLAPPED {} is pending on {}.",
                n.overlapped(*overlapped),
                n.device(*device)
            ),
            _ => "Setup.".to_owned(),
        };
        sc.steps.push(step(a, note));
    }
    for s in steps {
        sc.steps.push(step(&s.action, note(world, s)));
    }
    if let Some(last) = sc.steps.last_mut().filter(|_| !steps.is_empty()) {
        last.expect = last_expect;
    }
    write::scenario_json(&sc)
}

/// One line per step: the step number, the op, the note.
pub fn text(world: &World, steps: &[Step]) -> String {
    let mut s = String::new();
    for (i, step) in steps.iter().enumerate() {
        let _ = writeln!(s, "{:4}. {}", i + 1, note(world, step));
    }
    s
}
