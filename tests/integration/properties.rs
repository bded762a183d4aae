//! Properties 1-7 of `docs/model.md` (the shared contract), checked with
//! proptest over random sequences of valid and invalid actions on random
//! small worlds.
//!
//! Every step is checked twice: by the model's own
//! [`iocp_sim::model::properties::check_step`], and by the independent
//! shadow checker of [`iocp_sim::testing::shadow`], which derives from the
//! actions alone which packets must have been made and in what order they
//! entered each port, which threads wait in each WTQ, and which OVERLAPPEDs
//! are in use. The cases come from [`iocp_sim::testing::strategy::case`].
//!
//! On failure proptest prints the shrunk case as a numbered list of actions.

use std::collections::HashMap;

use iocp_sim::model::properties::{check_step, check_step_full};
use iocp_sim::model::{Brief, Event, Flavor, Kernel, Outcome, QueueWhy};
use iocp_sim::testing::shadow::{run_case, Props};
use iocp_sim::testing::strategy::case;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{RngAlgorithm, TestRunner};

/// Cases per property test with `IOCP_SIM_TEST_FULL=1` (CI sets it).
const CASES: u32 = 4000;

/// Cases per property test otherwise: the README's `cargo test` stays
/// short enough to wait for, and CI runs the full count.
const QUICK_CASES: u32 = 1000;

// ---------------------------------------------------------------- tests

/// `CASES` per property with `IOCP_SIM_TEST_FULL=1`, else `QUICK_CASES`,
/// or `PROPTEST_CASES` from the environment for a quicker or a deeper
/// run. A failing seed is saved in
/// `tests/proptest-regressions/properties.txt` (proptest's place for a
/// module of a binary whose root is `main.rs`) and replayed first on the
/// next run.
fn config() -> ProptestConfig {
    let full = std::env::var("IOCP_SIM_TEST_FULL").is_ok_and(|v| v == "1");
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { CASES } else { QUICK_CASES });
    ProptestConfig {
        cases,
        source_file: Some(file!()),
        // ChaCha in a debug build costs most of the run; XorShift is plenty here.
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

fn check(flavor: Flavor, property: u8) {
    let mut runner = TestRunner::new(config());
    let result = runner.run(&case(flavor), |c| Ok(run_case(&c, Props::only(property))?));
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn prop1_conservation_windows() {
    check(Flavor::Windows, 1);
}

#[test]
fn prop1_conservation_wine() {
    check(Flavor::Wine, 1);
}

#[test]
fn prop2_current_equals_rtl_windows() {
    check(Flavor::Windows, 2);
}

#[test]
fn prop2_current_equals_rtl_wine() {
    check(Flavor::Wine, 2);
}

#[test]
fn prop3_no_idle_work_windows() {
    check(Flavor::Windows, 3);
}

#[test]
fn prop4_lifo_wake_windows() {
    check(Flavor::Windows, 4);
}

/// Not a property of model.md, but its Wine section: Wine wakes the oldest waiter.
#[test]
fn wine_wakes_fifo() {
    check(Flavor::Wine, 4);
}

#[test]
fn prop5_fifo_packets_windows() {
    check(Flavor::Windows, 5);
}

#[test]
fn prop5_fifo_packets_wine() {
    check(Flavor::Wine, 5);
}

#[test]
fn prop6_oversubscription_has_cause_windows() {
    check(Flavor::Windows, 6);
}

#[test]
fn prop7_rejection_changes_nothing_windows() {
    check(Flavor::Windows, 7);
}

#[test]
fn prop7_rejection_changes_nothing_wine() {
    check(Flavor::Wine, 7);
}

/// Wine 10 (measured with the probe): the properties of Wine 8, plus LIFO wake.
#[test]
fn wine10_properties_1_2_4_5_7() {
    for property in [1, 2, 4, 5, 7] {
        check(Flavor::Wine10, property);
    }
}

/// The generator is not vacuous: over a fixed sample it reaches every rule,
/// the interesting events and every kind of rejection.
#[test]
fn generator_reaches_every_rule_and_rejection() {
    let mut runner = TestRunner::deterministic();
    let strategy = case(Flavor::Windows);
    let mut events: HashMap<&'static str, usize> = HashMap::new();
    let mut rejections: HashMap<&'static str, usize> = HashMap::new();
    let (mut over_limit, mut accepted, mut rejected) = (0, 0, 0);
    for _ in 0..1500 {
        let c = strategy.new_tree(&mut runner).expect("a case").current();
        let mut k = Kernel::new(&c.config());
        let mut out = Outcome::default();
        for a in &c.actions {
            match k.apply(*a, &mut out) {
                Ok(()) => {
                    accepted += 1;
                    for f in &out.fired {
                        *events.entry(event_name(&f.event)).or_default() += 1;
                    }
                    over_limit += k.ports().iter().filter(|p| p.over_limit()).count();
                }
                Err(r) => {
                    rejected += 1;
                    *rejections
                        .entry(crate::util::reject_kind_name(&r.kind))
                        .or_default() += 1;
                }
            }
        }
    }
    // Every event of the one list, but the Wine-only strandings (this
    // sample runs the Windows flavour), and rule 2's queue-wait mark.
    let wanted = Event::NAMES
        .into_iter()
        .filter(|n| !matches!(*n, "stranded" | "stranded_woken"))
        .chain([MARKED_INSERTER]);
    for e in wanted {
        assert!(
            events.get(e).copied().unwrap_or(0) > 0,
            "no {e} event in the sample: {events:?}"
        );
    }
    for r in [
        "UnknownThread",
        "UnknownPort",
        "UnknownDevice",
        "ThreadWaiting",
        "ThreadPaused",
        "ThreadExited",
        "NotPaused",
        "NotWaiting",
        "InfiniteWait",
        "OverlappedInUse",
        "NotPending",
        "ZeroBatch",
    ] {
        assert!(
            rejections.get(r).copied().unwrap_or(0) > 0,
            "no {r} rejection: {rejections:?}"
        );
    }
    assert!(over_limit > 0, "no step left a port over its limit");
    assert!(
        accepted > rejected,
        "{accepted} accepted vs {rejected} rejected"
    );
}

/// `check_step`'s shortcuts change no verdict: on random steps, honest and
/// corrupted (other states of the run as the state after, deliveries
/// dropped, duplicated or reordered, events dropped, queued and handed-off
/// packets changed), it agrees with `check_step_full`, which runs
/// every general comparison. The corruptions must break property 5 often,
/// or the comparison would show nothing.
#[test]
fn check_step_shortcuts_agree_with_the_full_check() {
    let mut runner = TestRunner::deterministic();
    let (mut compared, mut broken5) = (0usize, 0usize);
    for flavor in Flavor::ALL {
        let strategy = case(flavor);
        for _ in 0..400 {
            let c = strategy.new_tree(&mut runner).expect("a case").current();
            let mut k = Kernel::new(&c.config());
            let mut out = Outcome::default();
            let mut states = vec![k.clone()];
            let mut steps = Vec::new();
            for a in &c.actions {
                if k.apply(*a, &mut out).is_ok() {
                    steps.push((*a, out.clone()));
                    states.push(k.clone());
                }
            }
            for (i, (action, out)) in steps.iter().enumerate() {
                let before = &states[i];
                let mut outcomes = vec![out.clone()];
                let mut o = out.clone();
                o.deliveries.pop();
                outcomes.push(o);
                let mut o = out.clone();
                o.deliveries.reverse();
                outcomes.push(o);
                let mut o = out.clone();
                if let Some(d) = o.deliveries.first().copied() {
                    o.deliveries.push(d);
                }
                outcomes.push(o);
                let mut o = out.clone();
                o.fired.pop();
                outcomes.push(o);
                let mut o = out.clone();
                o.fired.retain(|f| !matches!(f.event, Event::Queued { .. }));
                outcomes.push(o);
                // A queued or handed-off packet that is not the one the
                // step reports elsewhere (the shortcut for one queued or
                // one handed-off packet must see it).
                let mut o = out.clone();
                for f in &mut o.fired {
                    if let Event::Queued { packet, .. } | Event::HandedOff { packet, .. } =
                        &mut f.event
                    {
                        packet.key ^= 1;
                    }
                }
                outcomes.push(o);
                let mut o = out.clone();
                o.fired
                    .retain(|f| !matches!(f.event, Event::HandedOff { .. }));
                outcomes.push(o);
                // The honest state after, then other states of the run (the
                // same queue length with other packets, other lengths).
                let others = (0..states.len()).step_by(states.len().div_ceil(8));
                let afters: Vec<&Kernel> = std::iter::once(i + 1)
                    .chain(others)
                    .map(|j| &states[j])
                    .collect();
                for o in &outcomes {
                    for &after in &afters {
                        let fast = check_step(before, action, Some(o), after);
                        let full = check_step_full(before, action, Some(o), after);
                        assert_eq!(
                            fast, full,
                            "case {c:?}, step {i} ({action:?}), outcome {o:?}"
                        );
                        compared += 1;
                        broken5 += usize::from(matches!(&full, Err(v) if v.property == 5));
                    }
                }
            }
        }
    }
    assert!(compared > 10_000, "only {compared} steps compared");
    assert!(
        broken5 > 1_000,
        "only {broken5} corrupted steps broke property 5"
    );
}

/// A step recorded as a [`Brief`] is the same step as one recorded as an
/// [`Outcome`]: on random sequences of valid and invalid actions in every
/// flavour, the two kernels stay equal, the same actions are rejected with
/// the same reasons, and the brief holds exactly the outcome's result,
/// deliveries and failures (the live port records briefs; the properties
/// are checked on outcomes).
#[test]
fn a_brief_records_the_same_step_as_an_outcome() {
    let mut runner = TestRunner::new(config());
    let (mut steps, mut deliveries, mut failures) = (0usize, 0usize, 0usize);
    for flavor in Flavor::ALL {
        let strategy = case(flavor);
        for _ in 0..config().cases / 4 {
            let c = strategy.new_tree(&mut runner).expect("a case").current();
            let mut full = Kernel::new(&c.config());
            let mut brief = full.clone();
            let (mut out, mut b) = (Outcome::default(), Brief::default());
            for (i, a) in c.actions.iter().enumerate() {
                let r = full.apply(*a, &mut out);
                assert_eq!(brief.apply_brief(*a, &mut b), r, "case {c:?}, step {i}");
                assert_eq!(brief, full, "case {c:?}, step {i} ({a:?})");
                assert_eq!(b, Brief::from(&out), "case {c:?}, step {i} ({a:?})");
                steps += 1;
                deliveries += b.deliveries.len();
                failures += b.failures.len();
            }
        }
    }
    assert!(
        steps > 10_000 && deliveries > 1_000 && failures > 100,
        "too few steps ({steps}), deliveries ({deliveries}) or failures ({failures}) compared"
    );
}

/// A queue for rule 2's queue-wait mark, counted apart from the other queues.
const MARKED_INSERTER: &str = "queued (marked inserter)";

fn event_name(e: &Event) -> &'static str {
    match e {
        Event::Queued {
            why: QueueWhy::MarkedInserter { .. },
            ..
        } => MARKED_INSERTER,
        e => e.name(),
    }
}
