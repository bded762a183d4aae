//! Runs scenario steps through the model: applies each step's action,
//! checks its expectations, and keeps what front ends need to show it.

pub mod check;

use std::cell::RefCell;
use std::ops::ControlFlow;

use crate::model::{Action, Flavor, Kernel, Names, Outcome, Rejection, ThreadId};
use crate::program::spec::ThreadSpec;
use crate::program::{caller, Positions, Program};
use crate::scenario::{resolve_programs, Mismatch, Problem, Scenario, ScenarioError, Step, World};

/// What became of one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The step had no action (it only checks or narrates).
    Nothing,
    /// The action ran; the runner's [`Runner::outcome`] describes it.
    Done,
    /// The model rejected the action; nothing changed.
    Rejected {
        /// Why.
        rejection: Rejection,
        /// The explanation, naming the rule and the ids.
        message: String,
    },
}

/// A call a thread made that is not the next call of its program: in a
/// scenario whose threads have programs, every call a thread makes is its
/// program's next one, unless the step says `"off_program": true`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stray {
    /// The thread.
    pub thread: ThreadId,
    /// The call its program makes next.
    pub expected: Action,
    /// The explanation, naming the thread and both calls.
    pub message: String,
}

/// The report of one step.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StepReport {
    /// The step number (1-based).
    pub number: usize,
    /// What became of the action.
    pub applied: Applied,
    /// Expectations that did not hold.
    pub mismatches: Vec<Mismatch>,
    /// The step is a thread's call outside its program, not marked so: the
    /// scenario cannot go on (like a step the model rejects unexpectedly).
    pub strayed: Option<Stray>,
}

impl StepReport {
    /// True if the action was rejected but the step did not expect it: the
    /// scenario cannot go on (format: such a step stops the run).
    pub fn unexpected_rejection(&self, step: &Step) -> bool {
        matches!(self.applied, Applied::Rejected { .. })
            && step.expect.as_ref().is_none_or(|e| e.error.is_none())
    }

    /// The error that ends a run of `source` at `step`: its thread's call
    /// is not its program's next call ([`Stray`]), or the model rejected
    /// its action and the step did not expect it.
    pub fn stop(&self, step: &Step, source: &str) -> Option<ScenarioError> {
        if let Some(s) = &self.strayed {
            return Some(ScenarioError::Step {
                path: source.to_owned(),
                step: step.number,
                op: step.action.map(|a| a.op()),
                problem: s.message.clone().into(),
            });
        }
        match &self.applied {
            Applied::Rejected { message, rejection } if self.unexpected_rejection(step) => {
                Some(rejected_error(source, step, rejection, message))
            }
            _ => None,
        }
    }
}

/// Totals over a run, for the summary line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Steps applied.
    pub steps: usize,
    /// Per port (declaration order): the highest `current` seen and the port's `max`.
    pub peak: Vec<(u32, u32)>,
    /// Packets handed to threads.
    pub delivered: u64,
    /// Packets lost.
    pub lost: u64,
    /// Steps that ended with some port over its limit.
    pub over_limit_steps: usize,
}

/// Applies steps to a kernel one at a time.
#[derive(Clone, Debug)]
pub struct Runner {
    kernel: Kernel,
    outcome: Outcome,
    summary: Summary,
    /// The threads' programs and where each one is, when the scenario
    /// gives programs (resolved at the first step, against the names the
    /// steps are read with).
    programs: Option<Box<(Vec<Program>, Positions)>>,
    /// The world's programs, until the first step resolves them.
    pending: Vec<ThreadSpec>,
    /// Steps are held to the programs: the run is in the flavour the
    /// scenario is written for. In another one the port may wake another
    /// thread than the steps were written for, so a step off its thread's
    /// program is applied as it is (the views show where the flavours
    /// differ).
    strict: bool,
}

/// The text of a rejection: the rule, then why.
pub fn rejection_message(r: &Rejection, names: &Names) -> String {
    format!(
        "{}: {}",
        r.rule.label(),
        crate::narrate::rejection_reason(r, names)
    )
}

impl Runner {
    /// A runner for `world` in `flavor`.
    pub fn new(world: &World, flavor: Flavor) -> Runner {
        let kernel = Kernel::new(&world.kernel_config(flavor));
        let peak = kernel.ports().iter().map(|p| (0, p.max())).collect();
        Runner {
            kernel,
            outcome: Outcome::default(),
            summary: Summary {
                peak,
                ..Summary::default()
            },
            programs: None,
            pending: world.programs.clone(),
            strict: flavor == world.flavor,
        }
    }

    /// Where each thread's program is (when the scenario gives programs):
    /// after the steps applied so far.
    pub fn programs(&self) -> Option<(&[Program], &Positions)> {
        self.programs.as_deref().map(|(p, l)| (p.as_slice(), l))
    }

    /// The step's call, when it is a thread's own call that is not its
    /// program's next one and the step does not say `off_program` (in the
    /// scenario's own flavour).
    fn stray(&self, step: &Step, names: &Names) -> Option<Stray> {
        if !self.strict {
            return None;
        }
        let (programs, local) = self.programs.as_deref()?;
        let action = step.action.filter(|_| !step.off_program)?;
        let thread = caller(&action)?;
        programs.get(thread.index())?;
        let expected = local.next_call(programs, thread);
        (expected != action).then(|| Stray {
            thread,
            expected,
            message: format!(
                "{}'s program calls {} next, not {}; write that call, or mark the step \"off_program\": true",
                names.thread(thread),
                crate::narrate::call(&expected, names, crate::narrate::Lang::En),
                crate::narrate::call(&action, names, crate::narrate::Lang::En),
            ),
        })
    }

    /// The model's state now.
    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    /// The outcome of the last applied action.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// Totals so far.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// Applies one step and checks its expectations (and, when the
    /// scenario gives programs, that a thread's call is its program's
    /// next one).
    pub fn step(&mut self, step: &Step, names: &Names) -> StepReport {
        if !self.pending.is_empty() {
            let specs = std::mem::take(&mut self.pending);
            self.programs = resolve_programs(&specs, names).map(|p| {
                let n = p.len();
                Box::new((p, Positions::start(n)))
            });
        }
        let strayed = self.stray(step, names);
        let applied = match step.action {
            None => {
                self.outcome.clear();
                Applied::Nothing
            }
            Some(action) => self.apply(action, names),
        };
        if let (Some(action), Applied::Done, Some(p)) =
            (step.action, &applied, self.programs.as_deref_mut())
        {
            p.1.advance(&p.0, &action, &self.outcome);
        }
        self.summary.steps += 1;
        for (peak, port) in self.summary.peak.iter_mut().zip(self.kernel.ports()) {
            peak.0 = peak.0.max(port.current());
        }
        if self.kernel.ports().iter().any(|p| p.over_limit()) {
            self.summary.over_limit_steps += 1;
        }
        let c = self.kernel.counters();
        self.summary.delivered = c.delivered;
        self.summary.lost = c.lost;
        let mismatches = match &step.expect {
            None => Vec::new(),
            Some(e) => {
                let outcome = match &applied {
                    Applied::Nothing => None,
                    Applied::Done => Some(Ok(&self.outcome)),
                    Applied::Rejected { rejection, message } => {
                        Some(Err((rejection, message.as_str())))
                    }
                };
                e.check(&self.kernel, names, outcome)
            }
        };
        StepReport {
            number: step.number,
            applied,
            mismatches,
            strayed,
        }
    }

    /// The run loop: applies `steps` of `source` in order, checks each
    /// one's expectations and hands the step and its report to `each`
    /// (with the runner, to read the state after it). Stops after a step
    /// the model rejected unexpectedly (returning its error, as
    /// [`StepReport::stop`]), or when `each` breaks.
    pub fn run<'s>(
        &mut self,
        steps: impl IntoIterator<Item = &'s Step>,
        names: &Names,
        source: &str,
        mut each: impl FnMut(&'s Step, StepReport, &Runner) -> ControlFlow<()>,
    ) -> Option<ScenarioError> {
        for step in steps {
            let report = self.step(step, names);
            let stop = report.stop(step, source);
            if each(step, report, self).is_break() || stop.is_some() {
                return stop;
            }
        }
        None
    }

    fn apply(&mut self, action: Action, names: &Names) -> Applied {
        match self.kernel.apply(action, &mut self.outcome) {
            Ok(()) => Applied::Done,
            Err(rejection) => Applied::Rejected {
                message: rejection_message(&rejection, names),
                rejection,
            },
        }
    }
}

/// The error for a step the model rejected without the scenario expecting
/// it: the rejection, and `message`, its words.
pub fn rejected_error(
    path: &str,
    step: &Step,
    rejection: &Rejection,
    message: &str,
) -> ScenarioError {
    ScenarioError::Step {
        path: path.to_owned(),
        step: step.number,
        op: step.action.map(|a| a.op()),
        problem: Problem::Rejected {
            rejection: *rejection,
            reason: message.to_owned(),
        },
    }
}

/// One step of a recorded run, for front ends that move back and forth.
/// It holds what the step changed (its action, report and outcome), not the
/// state after it: ask the [`Trace`] for that ([`Trace::state`], [`Walk`]).
#[derive(Clone, Debug)]
pub struct TraceStep {
    /// The step.
    pub step: Step,
    /// What became of it.
    pub report: StepReport,
    /// The action's outcome (empty for steps without action or rejected ones).
    pub outcome: Outcome,
}

/// Steps after which a checkpoint is kept whatever else holds (see [`Trace`]).
pub const MAX_CHECKPOINT_GAP: usize = 256;

/// A whole run kept in memory: the state before step 1, what each step
/// changed, and a full state (a *checkpoint*) now and then. Any state is
/// recomputed on demand by replaying the recorded actions from the nearest
/// checkpoint before it with the model itself ([`Kernel::apply`]; the rules
/// exist nowhere else).
///
/// # Where checkpoints go
///
/// Memory is `steps × change + checkpoints × state`, and recomputing a
/// state costs at most the replay from its checkpoint. After each step the
/// trace adds up the replay work since the last checkpoint (one per step,
/// plus each rule fired, packet delivered and call failed: what the model
/// does to apply it) and keeps a checkpoint once that work reaches the size
/// of the state itself (threads, ports with their queues, devices,
/// OVERLAPPEDs; see [`Trace::checkpoints`]), or after
/// [`MAX_CHECKPOINT_GAP`] steps, whichever comes first. So
///
/// * every checkpoint of size `W` is paid for by `W` entries of recorded
///   change: all checkpoints together take no more than the steps' changes,
///   plus one state per [`MAX_CHECKPOINT_GAP`] steps at most (2,000 threads
///   and 2,000 steps keep 8 states instead of 2,001);
/// * recomputing any state replays at most about one state's worth of
///   change and at most [`MAX_CHECKPOINT_GAP`] steps: about the cost of
///   the copy of the state that [`Trace::state`] returns anyway. The last
///   state computed is cached, so asking for the next one costs one step
///   (and the copy), and [`Trace::walk`] goes through all of them one step
///   each.
///
/// A fixed interval (every 64 steps, or `sqrt(steps)`) would keep 32
/// states of 100,000 threads for a 2,000-step run, and replay 64 steps for
/// every state of a two-thread run; tying the interval to the size of the
/// state keeps both sides of the sum in proportion.
#[derive(Clone, Debug)]
pub struct Trace {
    /// The flavour it ran in.
    pub flavor: Flavor,
    /// The state before step 1.
    pub initial: Kernel,
    /// Each step, in order. Stops at a step rejected unexpectedly (included).
    pub steps: Vec<TraceStep>,
    /// Totals.
    pub summary: Summary,
    /// The error that stopped the run early, if any.
    pub stopped: Option<ScenarioError>,
    /// `(i, state after step i)`, `i` increasing, every `i >= 1`.
    checkpoints: Vec<(usize, Kernel)>,
    /// The last state computed by [`Trace::state`], with its index.
    cache: RefCell<Option<(usize, Kernel)>>,
}

/// Where a [`Trace`] keeps its checkpoints (the rule is explained there).
/// [`Trace::record`] asks it after every step; `views::size` asks it too,
/// to count the states a trace will hold before recording one.
#[derive(Clone, Debug)]
pub struct CheckpointPolicy {
    overlapped: usize,
    work: usize,
    gap: usize,
}

impl CheckpointPolicy {
    /// A policy for a run of a scenario with these names (their OVERLAPPED
    /// labels count in the size of a state).
    pub fn new(names: &Names) -> CheckpointPolicy {
        CheckpointPolicy {
            overlapped: names.overlapped_count(),
            work: 0,
            gap: 0,
        }
    }

    /// After a step whose outcome was `outcome` (cleared for a step without
    /// action or a rejected one) and that left `kernel`: true if a
    /// checkpoint is to be kept there.
    pub fn after_step(&mut self, kernel: &Kernel, outcome: &Outcome) -> bool {
        self.work += work(outcome);
        self.gap += 1;
        let keep =
            self.work >= state_size(kernel, self.overlapped) || self.gap >= MAX_CHECKPOINT_GAP;
        if keep {
            (self.work, self.gap) = (0, 0);
        }
        keep
    }
}

/// The replay work of a step, in entries: one, plus every rule that fired,
/// packet delivered and call failed.
fn work(outcome: &Outcome) -> usize {
    1 + outcome.fired.len() + outcome.deliveries.len() + outcome.failures.len()
}

/// The size of a state, in the entries [`work`] counts: a fixed part,
/// every thread, every port with its queues, every device and every
/// OVERLAPPED the scenario names (a device's pending requests are among
/// those). O(ports), like the runner's own bookkeeping per step.
fn state_size(k: &Kernel, overlapped: usize) -> usize {
    let ports: usize = k
        .ports()
        .iter()
        .map(|p| 8 + p.iocq().len() + p.wtq().len() + p.rtl().len() + p.ptl().len())
        .sum();
    16 + k.threads().len() + ports + 2 * k.devices().len() + overlapped
}

/// Re-applies a recorded step to `kernel` with the model. A step whose
/// action was rejected changed nothing (the model leaves the state as it
/// was), so only the actions that ran are applied.
fn replay(kernel: &mut Kernel, ts: &TraceStep, scratch: &mut Outcome) {
    if let (Some(action), Applied::Done) = (ts.step.action, &ts.report.applied) {
        let r = kernel.apply(action, scratch);
        debug_assert!(
            r.is_ok(),
            "the model is deterministic: step {}",
            ts.step.number
        );
        debug_assert_eq!(*scratch, ts.outcome, "the model is deterministic");
    }
}

impl Trace {
    /// Runs a whole scenario in `flavor`, keeping what each step changed
    /// and a checkpoint now and then (see [`Trace`]).
    pub fn record(scenario: &Scenario, flavor: Flavor) -> Trace {
        let mut runner = Runner::new(&scenario.world, flavor);
        let initial = runner.kernel().clone();
        let mut policy = CheckpointPolicy::new(&scenario.names);
        let mut steps = Vec::with_capacity(scenario.steps.len());
        let mut checkpoints = Vec::new();
        let stopped = runner.run(
            &scenario.steps,
            &scenario.names,
            &scenario.source,
            |step, report, runner| {
                steps.push(TraceStep {
                    step: step.clone(),
                    outcome: runner.outcome().clone(),
                    report,
                });
                if policy.after_step(runner.kernel(), runner.outcome()) {
                    checkpoints.push((steps.len(), runner.kernel().clone()));
                }
                ControlFlow::Continue(())
            },
        );
        Trace {
            flavor,
            initial,
            steps,
            summary: runner.summary().clone(),
            stopped,
            checkpoints,
            cache: RefCell::new(None),
        }
    }

    /// The number of full states the trace holds: the initial one and the
    /// checkpoints (the rest is recomputed on demand).
    pub fn checkpoints(&self) -> usize {
        1 + self.checkpoints.len()
    }

    /// The nearest kept state at or before index `i`: `(index, state)`.
    fn checkpoint_before(&self, i: usize) -> (usize, &Kernel) {
        let n = self.checkpoints.partition_point(|(j, _)| *j <= i);
        match n {
            0 => (0, &self.initial),
            _ => {
                let (j, k) = &self.checkpoints[n - 1];
                (*j, k)
            }
        }
    }

    /// The state after step `i` (0 = before the first step), recomputed from
    /// the nearest checkpoint (or from the last state asked for, when that
    /// is nearer). Panics if `i` is past the last step, like indexing.
    pub fn state(&self, i: usize) -> Kernel {
        assert!(
            i <= self.steps.len(),
            "state {i} of a trace of {} steps",
            self.steps.len()
        );
        let (j, base) = self.checkpoint_before(i);
        let mut cache = self.cache.borrow_mut();
        let (from, mut kernel) = match cache.take() {
            Some((c, k)) if c >= j && c <= i => (c, k),
            _ => (j, base.clone()),
        };
        let mut scratch = Outcome::default();
        for ts in &self.steps[from..i] {
            replay(&mut kernel, ts, &mut scratch);
        }
        *cache = Some((i, kernel.clone()));
        kernel
    }

    /// Walks the states in order from the one before step 1, one step at a
    /// time, holding one state (for views that show every step).
    pub fn walk(&self) -> Walk<'_> {
        Walk {
            trace: self,
            next: 0,
            kernel: self.initial.clone(),
            scratch: Outcome::default(),
        }
    }
}

/// A walk through a [`Trace`]'s states, in order ([`Trace::walk`]).
#[derive(Debug)]
pub struct Walk<'a> {
    trace: &'a Trace,
    next: usize,
    kernel: Kernel,
    scratch: Outcome,
}

impl<'a> Walk<'a> {
    /// The state reached: before step 1 at first, then after the step
    /// [`Walk::step`] returned last.
    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    /// The index of the state reached (0: before step 1).
    pub fn index(&self) -> usize {
        self.next
    }

    /// Moves to the state after the next step and returns that step, or
    /// `None` after the last one.
    pub fn step(&mut self) -> Option<&'a TraceStep> {
        let ts = self.trace.steps.get(self.next)?;
        replay(&mut self.kernel, ts, &mut self.scratch);
        self.next += 1;
        Some(ts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::generate::{wide, workload};
    use crate::scenario::load_str;

    /// Every state of a straight run, each kept whole.
    fn straight(s: &Scenario, flavor: Flavor) -> Vec<Kernel> {
        let mut runner = Runner::new(&s.world, flavor);
        let mut out = vec![runner.kernel().clone()];
        for step in &s.steps {
            let report = runner.step(step, &s.names);
            out.push(runner.kernel().clone());
            if report.unexpected_rejection(step) {
                break;
            }
        }
        out
    }

    /// Every state the trace recomputes (walking, forwards, backwards and
    /// in a scattered order) is the state of the straight run.
    fn same_states(s: &Scenario, flavor: Flavor, seed: usize) {
        let want = straight(s, flavor);
        let t = Trace::record(s, flavor);
        let n = want.len();
        assert_eq!(t.steps.len() + 1, n, "{}", s.source);
        let mut walk = t.walk();
        assert_eq!(walk.kernel(), &want[0]);
        while walk.step().is_some() {
            assert_eq!(walk.kernel(), &want[walk.index()], "{} walk", s.source);
        }
        assert_eq!(walk.index(), n - 1);
        let scattered = (0..n).map(|i| (i * 7919 + seed) % n);
        for i in (0..n).chain((0..n).rev()).chain(scattered) {
            assert_eq!(t.state(i), want[i], "{} {flavor:?} state {i}", s.source);
        }
    }

    #[test]
    fn every_lesson_state_is_recomputed_as_a_straight_run_gives_it() {
        let mut seen = 0;
        for p in crate::course::lesson_files("sim-scenarios".as_ref()).expect("lessons") {
            let s = crate::scenario::load(&p).expect("lesson loads");
            for f in Flavor::ALL {
                same_states(&s, f, seen);
            }
            seen += 1;
        }
        assert!(seen >= 10, "{seen} lessons");
    }

    #[test]
    fn a_wide_long_run_keeps_a_few_states_not_one_per_step() {
        // The issue's input: 2,000 threads, 2,000 steps (110 KB).
        let s = load_str("w.json", &wide(2000, 2000)).expect("generated");
        let t = Trace::record(&s, s.world.flavor);
        assert_eq!(t.steps.len(), 2000);
        let bound = 1 + t.steps.len().div_ceil(MAX_CHECKPOINT_GAP);
        assert!(t.checkpoints() <= bound, "{} > {bound}", t.checkpoints());
        assert_eq!(t.state(1234), straight_to(&s, 1234));
    }

    #[test]
    fn a_narrow_run_keeps_states_no_larger_than_its_changes() {
        // Two threads: a state is a few dozen entries, so checkpoints come
        // every few steps, but together they are no larger than the steps.
        let s = load_str("w.json", &workload(5000)).expect("generated");
        let t = Trace::record(&s, s.world.flavor);
        let work: usize = t.steps.iter().map(|ts| work(&ts.outcome)).sum();
        let smallest = state_size(&t.initial, s.names.overlapped_count());
        assert!(t.checkpoints() > 1);
        assert!(
            (t.checkpoints() - 1) * smallest <= work,
            "{} checkpoints of {smallest} entries, {work} entries of change",
            t.checkpoints()
        );
    }

    /// The state after step `i` of a straight run.
    fn straight_to(s: &Scenario, i: usize) -> Kernel {
        let mut runner = Runner::new(&s.world, s.world.flavor);
        for step in &s.steps[..i] {
            runner.step(step, &s.names);
        }
        runner.kernel().clone()
    }

    #[cfg(feature = "proptest")]
    mod props {
        use super::*;
        use crate::scenario::{Expect, Text};
        use crate::testing::{strategy, Case};
        use proptest::prelude::*;

        /// A scenario of a generated case; two steps in three expect an
        /// error, so rejections happen mid-run, and the third stops it.
        fn scenario_of(case: &Case) -> Scenario {
            let w = &case.world;
            let world = w.scenario_world(
                case.flavor,
                Text {
                    en: "case".into(),
                    ko: None,
                },
            );
            let steps = (case.actions.iter().enumerate())
                .map(|(i, a)| Step {
                    number: i + 1,
                    action: Some(*a),
                    note: None,
                    expect: (i % 3 != 2).then(|| Expect {
                        error: Some(String::new()),
                        ..Expect::default()
                    }),
                    off_program: false,
                })
                .collect();
            Scenario {
                source: "case".into(),
                world,
                steps,
                names: w.names(),
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            #[test]
            fn generated_cases_recompute_every_state(
                case in prop_oneof![strategy::case(Flavor::Windows), strategy::case(Flavor::Wine)],
                seed in 0usize..1000,
            ) {
                let s = scenario_of(&case);
                for f in Flavor::ALL {
                    same_states(&s, f, seed);
                }
            }

            #[test]
            fn generated_workloads_recompute_every_state(
                threads in 1usize..60,
                steps in 3usize..700,
                seed in 0usize..1000,
            ) {
                let s = load_str("w.json", &wide(threads, steps)).expect("generated");
                same_states(&s, s.world.flavor, seed);
                let s = load_str("l.json", &workload(steps)).expect("generated");
                same_states(&s, Flavor::Wine, seed);
            }
        }
    }
}

#[cfg(test)]
mod run_loop_tests {
    use super::*;

    /// Step 2 is refused (T1 already waits) and does not expect it; step 3
    /// would post.
    const STOPS_AT_2: &str = r#"{"format":"iocp-sim/1","title":"t","ports":[{"id":"P","concurrency":1}],"threads":["T1"],
        "steps":[{"op":"get","thread":"T1","port":"P"},{"op":"get","thread":"T1","port":"P"},{"op":"post","port":"P"}]}"#;

    #[test]
    fn the_run_loop_stops_after_an_unexpected_rejection_with_its_error() {
        let sc = crate::scenario::load_str("stops.json", STOPS_AT_2).unwrap();
        let mut runner = Runner::new(&sc.world, sc.world.flavor);
        let mut seen = Vec::new();
        let stopped = runner.run(&sc.steps, &sc.names, &sc.source, |step, report, _| {
            seen.push((step.number, report.applied == Applied::Done));
            ControlFlow::Continue(())
        });
        assert_eq!(seen, [(1, true), (2, false)]);
        let e = stopped.expect("the run stops at step 2");
        assert!(
            e.to_string().contains("the model rejects this action"),
            "{e}"
        );
        assert_eq!(
            runner.kernel().port(crate::model::PortId(0)).iocq().len(),
            0
        );
    }

    #[test]
    fn the_run_loop_stops_where_the_callback_breaks() {
        let sc = crate::scenario::load_str("stops.json", STOPS_AT_2).unwrap();
        let mut runner = Runner::new(&sc.world, sc.world.flavor);
        let mut n = 0;
        let stopped = runner.run(&sc.steps, &sc.names, &sc.source, |_, _, _| {
            n += 1;
            ControlFlow::Break(())
        });
        assert_eq!((n, stopped), (1, None));
    }
}
