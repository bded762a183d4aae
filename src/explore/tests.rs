//! Tests that need the model's crate-private fields: rules with a planted
//! bug (copies of a real rule, broken on purpose; the real rules are not
//! touched), and the packed encoding's round trip.

use super::pack::{normalized, Layout};
use super::search::{search, Options, Rules, Stop};
use super::world::World;
use crate::model::{Action, Kernel, Outcome, Rejection, ThreadState};

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
        let port = k.threads[thread.index()].port;
        k.threads[thread.index()].state = ThreadState::Paused(on);
        if let Some(p) = port {
            let port = &mut k.ports[p.index()];
            port.rtl.0.remove(thread);
            port.ptl.0.insert(thread);
            port.current -= 1;
        }
        // (the real rule calls self.activate(p, out) here)
        Ok(())
    }
}

/// Rule 6 copied with a slip: the exiting thread leaves the RTL but
/// `current` is not decremented.
struct ExitKeepsCount;

impl Rules for ExitKeepsCount {
    fn apply(&self, k: &mut Kernel, action: Action, out: &mut Outcome) -> Result<(), Rejection> {
        let Action::Exit { thread } = action else {
            return k.apply(action, out);
        };
        out.clear();
        k.validate(action)?;
        let port = k.threads[thread.index()].port;
        k.threads[thread.index()].state = ThreadState::Exited;
        k.threads[thread.index()].port = None;
        if let Some(p) = port {
            k.ports[p.index()].rtl.0.remove(thread);
            // (the real rule does port.current -= 1 and activate(p))
        }
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
        let port = &k.ports[p.index()];
        if port.wtq.is_empty() || port.has_room() || port.closed {
            return k.apply(action, out);
        }
        // Pretend there is room: apply the real post with the limit lifted.
        let max = port.max;
        k.ports[p.index()].max = u32::MAX;
        let r = k.apply(action, out);
        k.ports[p.index()].max = max;
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

#[test]
fn every_state_packs_and_unpacks_to_itself() {
    for text in [OVER_LIMIT, CANNOT] {
        let w = world(text);
        let layout = Layout::new(&w);
        let r = search(&w, &super::ModelRules, &Options::default(), &mut |_| {}).unwrap();
        let (mut k, mut l) = w.initial().unwrap();
        let mut key = vec![0; layout.words];
        for id in 0..r.store.len() as u32 {
            // Replay the real path (real counters), then pack and unpack.
            let steps = super::trace::replay(&w, &super::ModelRules, &r.path(id), None).unwrap();
            let real = steps
                .last()
                .map_or_else(|| w.initial().unwrap().0, |s| s.after.clone());
            layout.decode(&w, r.store.key(id), &mut k, &mut l);
            assert_eq!(k, normalized(&w, &real), "state {id}");
            layout.encode(&w, &k, &l, &mut key).unwrap();
            assert_eq!(&key[..], r.store.key(id));
        }
    }
}
