//! Rules with a planted bug (copies of a real rule, broken on purpose,
//! built through the model's parts; the real rules are not touched), and
//! the packed encoding's round trip.

use super::pack::{normalized, Layout, Renaming};
use super::search::{search, Options, Rules, Stop};
use super::world::World;
use crate::model::{Action, Kernel, Outcome, Rejection, Thread, ThreadState};

const OVER_LIMIT: &str = include_str!("../../sim-scenarios/explore/over-limit.json");
const CANNOT: &str = include_str!("../../sim-scenarios/explore/cannot-exceed.json");

fn world(text: &str) -> World {
    World::new(&super::parse(text).expect("spec parses"), None).expect("world builds")
}

/// Rule 3 copied without its last line: the blocking thread leaves the
/// RTL, but activate(P) is never called, so a queued packet can sit while a
/// thread waits and the port has room.
struct BlockWithoutActivate;

impl Rules for BlockWithoutActivate {
    fn apply(&self, k: &mut Kernel, action: Action, out: &mut Outcome) -> Result<(), Rejection> {
        let Action::Block { thread, on } = action else {
            return k.apply(action, out);
        };
        out.clear();
        k.validate(action)?;
        let mut parts = k.parts();
        let th = parts.threads[thread.index()];
        parts.threads[thread.index()] =
            Thread::new(ThreadState::Paused(on), th.port(), th.queue_mark());
        if let Some(p) = th.port() {
            let port = &mut parts.ports[p.index()];
            port.rtl.retain(|&t| t != thread);
            let at = port.ptl.partition_point(|&t| t < thread);
            port.ptl.insert(at, thread);
            port.current -= 1;
        }
        // (the real rule calls self.activate(p, out) here)
        *k = Kernel::from_parts(parts).expect("a blocked thread is a valid state");
        Ok(())
    }
}

/// Rule 6 copied with a slip: the exiting thread leaves the RTL but
/// `current` is not decremented. The state it makes breaks the model's
/// invariants, so it is built unchecked (the `unchecked` feature, on for
/// tests only).
struct ExitKeepsCount;

impl Rules for ExitKeepsCount {
    fn apply(&self, k: &mut Kernel, action: Action, out: &mut Outcome) -> Result<(), Rejection> {
        let Action::Exit { thread } = action else {
            return k.apply(action, out);
        };
        out.clear();
        k.validate(action)?;
        let mut parts = k.parts();
        let port = parts.threads[thread.index()].port();
        parts.threads[thread.index()] = Thread::new(ThreadState::Exited, None, false);
        if let Some(p) = port {
            parts.ports[p.index()].rtl.retain(|&t| t != thread);
            // (the real rule does port.current -= 1 and activate(p))
        }
        *k = Kernel::from_parts_unchecked(parts);
        Ok(())
    }
}

/// Rule 2 copied with Wine's hand-off in the Windows flavour: a waiter
/// gets the packet even when the port is at its limit.
struct InsertIgnoresLimit;

impl Rules for InsertIgnoresLimit {
    fn apply(&self, k: &mut Kernel, action: Action, out: &mut Outcome) -> Result<(), Rejection> {
        let Action::Post { port: p, .. } = action else {
            return k.apply(action, out);
        };
        let port = &k.ports()[p.index()];
        if port.wtq().is_empty() || port.has_room() || port.closed() {
            return k.apply(action, out);
        }
        // Pretend there is room: apply the real post with the limit lifted
        // (a port declared with the largest concurrency), then put it back.
        let concurrency = port.concurrency();
        let with_concurrency = |k: &Kernel, c: u32| {
            let mut parts = k.parts();
            parts.ports[p.index()].concurrency = c;
            Kernel::from_parts(parts).expect("any concurrency is valid")
        };
        *k = with_concurrency(k, u32::MAX);
        let r = k.apply(action, out);
        *k = with_concurrency(k, concurrency);
        r
    }
}

fn violated(stop: &Stop) -> Option<u8> {
    match stop {
        Stop::Violation { violation, .. } => Some(violation.property),
        _ => None,
    }
}

#[test]
fn the_real_rules_break_no_property() {
    for text in [OVER_LIMIT, CANNOT] {
        let r = search(
            &world(text),
            &super::ModelRules,
            &Options::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(r.stop, Stop::Exhausted);
    }
}

#[test]
fn a_block_that_forgets_activate_breaks_property_3() {
    let w = world(OVER_LIMIT);
    let r = search(&w, &BlockWithoutActivate, &Options::default(), &mut |_| {}).unwrap();
    assert_eq!(violated(&r.stop), Some(3), "{:?}", r.stop);
    // The trace ends with the broken block.
    let Stop::Violation { state, mv, .. } = r.stop else {
        unreachable!()
    };
    let mut moves = r.path(state);
    moves.push(mv);
    let steps = super::trace::replay(&w, &BlockWithoutActivate, &moves, None).unwrap();
    assert_eq!(steps.last().unwrap().action.op(), "block");
}

/// Under symmetry, the planted bugs are found too, at the same depth, and
/// the trace, renamed back to concrete threads, replays with the broken
/// rules to the very transition that breaks the property.
#[test]
fn symmetry_finds_the_planted_bugs_at_the_same_depth() {
    fn check<R: Rules + Sync>(text: &str, rules: &R, property: u8) {
        let w = world(text);
        let sym = Options {
            symmetry: true,
            ..Options::default()
        };
        let full = search(&w, rules, &Options::default(), &mut |_| {}).unwrap();
        let reduced = search(&w, rules, &sym, &mut |_| {}).unwrap();
        // In parallel, the same stop at the same state.
        for threads in [2, 3] {
            let par = Options {
                threads,
                ..sym.clone()
            };
            let p = search(&w, rules, &par, &mut |_| {}).unwrap();
            assert_eq!(p.stop, reduced.stop);
            assert_eq!(p.store.len(), reduced.store.len());
        }
        assert!(reduced.symmetry.is_some());
        assert_eq!(violated(&full.stop), Some(property), "{:?}", full.stop);
        assert_eq!(
            violated(&reduced.stop),
            Some(property),
            "{:?}",
            reduced.stop
        );
        let depth = |r: &super::Search| match r.stop {
            Stop::Violation { state, .. } => r.depth_of(state),
            _ => unreachable!(),
        };
        assert_eq!(depth(&full), depth(&reduced));
        let Stop::Violation {
            state, mv, probe, ..
        } = reduced.stop
        else {
            unreachable!()
        };
        let last = probe.is_none().then_some(mv);
        let (moves, probe) = reduced
            .concrete_path(&w, rules, state, last, probe)
            .unwrap();
        let steps = super::trace::replay(&w, rules, &moves, probe).unwrap();
        assert!(steps.iter().all(|s| s.rejected.is_none()));
        let before = steps
            .iter()
            .rev()
            .nth(1)
            .map_or_else(|| w.initial().unwrap().0, |s| s.after.clone());
        let end = steps.last().unwrap();
        let broken = crate::model::properties::check_step(
            &before,
            &end.action,
            Some(&end.outcome),
            &end.after,
        );
        assert_eq!(broken.map_err(|v| v.property), Err(property));
    }
    check(OVER_LIMIT, &BlockWithoutActivate, 3);
    check(CANNOT, &ExitKeepsCount, 2);
    check(CANNOT, &InsertIgnoresLimit, 6);
}

#[test]
fn an_exit_that_keeps_counting_breaks_property_2() {
    let r = search(
        &world(CANNOT),
        &ExitKeepsCount,
        &Options::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(violated(&r.stop), Some(2), "{:?}", r.stop);
}

#[test]
fn an_insert_that_ignores_the_limit_breaks_property_6() {
    let r = search(
        &world(CANNOT),
        &InsertIgnoresLimit,
        &Options::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(violated(&r.stop), Some(6), "{:?}", r.stop);
}

/// `--max-states N` on a graph of exactly N states searches it to the end;
/// with N - 1 it stops, holding N - 1 states.
#[test]
fn a_limit_equal_to_the_graph_is_not_a_stop() {
    let w = world(include_str!(
        "../../sim-scenarios/explore/three-workers.json"
    ));
    for symmetry in [false, true] {
        let opts = |max_states| Options {
            max_states,
            symmetry,
            ..Options::default()
        };
        let all = search(&w, &super::ModelRules, &opts(usize::MAX), &mut |_| {}).unwrap();
        assert_eq!(all.stop, Stop::Exhausted);
        let n = all.store.len();
        let exact = search(&w, &super::ModelRules, &opts(n), &mut |_| {}).unwrap();
        assert_eq!(
            exact.stop,
            Stop::Exhausted,
            "symmetry {symmetry}: {n} states"
        );
        assert_eq!(exact.store.len(), n);
        assert_eq!(exact.transitions, all.transitions);
        let short = search(&w, &super::ModelRules, &opts(n - 1), &mut |_| {}).unwrap();
        assert_eq!(short.stop, Stop::MaxStates, "symmetry {symmetry}");
        assert_eq!(short.store.len(), n - 1);
    }
}

#[test]
fn every_state_packs_and_unpacks_to_itself() {
    for text in [OVER_LIMIT, CANNOT] {
        let w = world(text);
        let layout = Layout::new(&w);
        let r = search(&w, &super::ModelRules, &Options::default(), &mut |_| {}).unwrap();
        let (mut k, mut l) = w.initial().unwrap();
        let mut parts = k.parts();
        let mut key = vec![0; layout.words];
        for id in 0..r.store.len() as u32 {
            // Replay the real path (real counters), then pack and unpack.
            let steps = super::trace::replay(&w, &super::ModelRules, &r.path(id), None).unwrap();
            let real = steps
                .last()
                .map_or_else(|| w.initial().unwrap().0, |s| s.after.clone());
            layout
                .decode(&w, r.store.key(id), &mut parts, &mut k, &mut l)
                .unwrap();
            assert_eq!(k, normalized(&w, &real).unwrap(), "state {id}");
            layout.encode(&w, &k, &l, &mut key).unwrap();
            assert_eq!(&key[..], r.store.key(id));
        }
    }
}

/// [`Layout::encode_successor`] (which copies the fields of the threads a
/// move left alone from the parent's key) gives the key
/// [`Layout::encode_renamed`] gives, on every transition of the bundled
/// specs below (`--max-states` bounded), with no renaming and with each
/// successor's canonical renaming; and so does [`Layout::encode_touched`]
/// (in place, from what the model says the step touched), with no renaming.
#[test]
fn successors_pack_as_a_full_encoding_does() {
    let specs = [
        OVER_LIMIT,
        CANNOT,
        include_str!("../../sim-scenarios/explore/worker-posts.json"),
        include_str!("../../sim-scenarios/explore/three-workers.json"),
        include_str!("../../sim-scenarios/explore/close-port-loses.json"),
        include_str!("../../sim-scenarios/explore/timeout-over-limit.json"),
        include_str!("../../sim-scenarios/explore/held-packets.json"),
    ];
    let mut compared = 0;
    for text in specs {
        let w = world(text);
        let layout = Layout::new(&w);
        let sym = super::symmetry::Symmetry::new(&w);
        let opts = Options {
            max_states: 3000,
            probe_invalid: false,
            ..Options::default()
        };
        let r = search(&w, &super::ModelRules, &opts, &mut |_| {}).unwrap();
        let (mut k, mut l) = w.initial().unwrap();
        let mut parts = k.parts();
        let (mut full, mut incr) = (vec![0; layout.words], vec![0; layout.words]);
        let mut moves = Vec::new();
        let mut out = Outcome::default();
        for id in 0..r.store.len() as u32 {
            let parent = r.store.key(id);
            layout
                .decode(&w, parent, &mut parts, &mut k, &mut l)
                .unwrap();
            w.moves(&k, &l, &mut moves);
            for &mv in &moves {
                let (mut k2, mut l2) = (k.clone(), l);
                let action = w.action(mv, &l2);
                if k2.apply(action, &mut out).is_err() {
                    continue;
                }
                w.advance(mv, &out, &mut l2);
                let mut rens = vec![Renaming::IDENTITY];
                if let Some(sym) = &sym {
                    let mut ren = Renaming::IDENTITY;
                    sym.canonical(&layout, &w, &k2, &l2, &mut ren).unwrap();
                    rens.push(ren);
                }
                let b =
                    layout.encode_touched(&w, &k2, &l2, &mut incr, (parent, &k, &l), &out.touched);
                let a = layout.encode(&w, &k2, &l2, &mut full);
                assert_eq!(a, b, "state {id}, {mv:?}");
                assert_eq!(full, incr, "in place: state {id}, {mv:?}");
                for ren in rens {
                    let a = layout.encode_renamed(&w, &k2, &l2, &mut full, &ren);
                    let b =
                        layout.encode_successor(&w, &k2, &l2, &mut incr, &ren, (parent, &k, &l));
                    assert_eq!(a, b, "state {id}, {mv:?}");
                    assert_eq!(full, incr, "state {id}, {mv:?}, {ren:?}");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 5000, "only {compared} transitions compared");
}

/// `--max-memory` counts the world built from the spec, not only the state
/// store: a spec whose world alone is over the budget is not searched.
#[test]
fn the_world_counts_against_the_memory_budget() {
    let long = "x".repeat(200_000);
    let spec = OVER_LIMIT.replacen("\"title\": \"", &format!("\"title\": \"{long}"), 1);
    let w = world(&spec);
    assert!(w.heap_bytes > 200_000, "{}", w.heap_bytes);
    let opts = Options {
        max_bytes: 100_000,
        ..Options::default()
    };
    let result = search(&w, &super::ModelRules, &opts, &mut |_| {});
    assert!(
        !matches!(&result, Ok(s) if matches!(s.stop, Stop::Exhausted)),
        "a search over budget ran to the end"
    );
    let roomy = Options {
        max_bytes: 64 << 20,
        ..Options::default()
    };
    let result = search(&w, &super::ModelRules, &roomy, &mut |_| {}).expect("search");
    assert!(matches!(result.stop, Stop::Exhausted), "{:?}", result.stop);
}

/// Rules that accept every call model.md forbids, changing nothing.
struct AcceptsForbiddenCalls;

impl Rules for AcceptsForbiddenCalls {
    fn apply(&self, k: &mut Kernel, action: Action, out: &mut Outcome) -> Result<(), Rejection> {
        if k.validate(action).is_err() {
            out.clear();
            return Ok(());
        }
        k.apply(action, out)
    }
}

/// A probed call that is accepted is reported in the state it was tried
/// in, with no move: the trace ends there instead of naming a move nobody
/// made.
#[test]
fn an_accepted_forbidden_call_is_reported_without_a_move() {
    let w = world(OVER_LIMIT);
    let r = search(&w, &AcceptsForbiddenCalls, &Options::default(), &mut |_| {}).unwrap();
    let Stop::Broken { state, mv, message } = &r.stop else {
        panic!("expected a broken search, got {:?}", r.stop);
    };
    assert_eq!(*mv, None, "{message}");
    assert!(message.contains("forbidden call"), "{message}");
    let (moves, _) = r
        .concrete_path(&w, &AcceptsForbiddenCalls, *state, *mv, None)
        .unwrap();
    assert_eq!(moves.len(), r.depth_of(*state) as usize);
}
