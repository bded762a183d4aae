//! Runs scenario steps through the model: applies each step's action,
//! checks its expectations, and keeps what front ends need to show it.

pub mod check;

use std::ops::ControlFlow;

use crate::model::{Action, Flavor, Kernel, Names, Outcome, Rejection};
use crate::scenario::{Mismatch, Scenario, ScenarioError, Step, World};

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

/// The report of one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// The step number (1-based).
    pub number: usize,
    /// What became of the action.
    pub applied: Applied,
    /// Expectations that did not hold.
    pub mismatches: Vec<Mismatch>,
}

impl StepReport {
    /// True if the action was rejected but the step did not expect it: the
    /// scenario cannot go on (format: such a step stops the run).
    pub fn unexpected_rejection(&self, step: &Step) -> bool {
        matches!(self.applied, Applied::Rejected { .. })
            && step.expect.as_ref().is_none_or(|e| e.error.is_none())
    }

    /// The error that ends a run of `source` at `step`, when the model
    /// rejected its action and the step did not expect it.
    pub fn stop(&self, step: &Step, source: &str) -> Option<ScenarioError> {
        match &self.applied {
            Applied::Rejected { message, .. } if self.unexpected_rejection(step) => {
                Some(rejected_error(source, step, message))
            }
            _ => None,
        }
    }
}

/// Totals over a run, for the summary line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
}

/// The text of a rejection: the rule, then why.
pub fn rejection_message(r: &Rejection, names: &Names) -> String {
    format!("{}: {}", r.rule.label(), r.message(names))
}

impl Runner {
    /// A runner for `world` in `flavor`.
    pub fn new(world: &World, flavor: Flavor) -> Runner {
        let kernel = Kernel::new(&world.kernel_config(flavor));
        let peak = kernel.ports().iter().map(|p| (0, p.max)).collect();
        Runner {
            kernel,
            outcome: Outcome::default(),
            summary: Summary {
                peak,
                ..Summary::default()
            },
        }
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

    /// Applies one step and checks its expectations.
    pub fn step(&mut self, step: &Step, names: &Names) -> StepReport {
        let applied = match step.action {
            None => {
                self.outcome.clear();
                Applied::Nothing
            }
            Some(action) => self.apply(action, names),
        };
        self.summary.steps += 1;
        for (peak, port) in self.summary.peak.iter_mut().zip(self.kernel.ports()) {
            peak.0 = peak.0.max(port.current);
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

/// The error for a step the model rejected without the scenario expecting it.
pub fn rejected_error(path: &str, step: &Step, message: &str) -> ScenarioError {
    ScenarioError::Step {
        path: path.to_owned(),
        step: step.number,
        op: step.action.map(|a| a.op()),
        message: format!("the model rejects this action: {message}"),
    }
}

/// One step of a recorded run, for front ends that move back and forth.
#[derive(Clone, Debug)]
pub struct TraceStep {
    /// The step.
    pub step: Step,
    /// What became of it.
    pub report: StepReport,
    /// The action's outcome (empty for steps without action or rejected ones).
    pub outcome: Outcome,
    /// The state after the step.
    pub after: Kernel,
}

/// A whole run kept in memory: the state before step 1 and after each step.
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
}

impl Trace {
    /// Runs a whole scenario in `flavor`, keeping every state.
    pub fn record(scenario: &Scenario, flavor: Flavor) -> Trace {
        let mut runner = Runner::new(&scenario.world, flavor);
        let initial = runner.kernel().clone();
        let mut steps = Vec::with_capacity(scenario.steps.len());
        let stopped = runner.run(
            &scenario.steps,
            &scenario.names,
            &scenario.source,
            |step, report, runner| {
                steps.push(TraceStep {
                    step: step.clone(),
                    outcome: runner.outcome().clone(),
                    after: runner.kernel().clone(),
                    report,
                });
                ControlFlow::Continue(())
            },
        );
        Trace {
            flavor,
            initial,
            steps,
            summary: runner.summary().clone(),
            stopped,
        }
    }

    /// The state after step `i` (0 = before the first step).
    pub fn state(&self, i: usize) -> &Kernel {
        if i == 0 {
            &self.initial
        } else {
            &self.steps[i - 1].after
        }
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(runner.kernel().port(crate::model::PortId(0)).iocq.len(), 0);
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
