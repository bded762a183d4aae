//! Runs scenario steps through the model: applies each step's action,
//! checks its expectations, and keeps what front ends need to show it.

pub mod check;

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
        }
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
        let mut stopped = None;
        for step in &scenario.steps {
            let report = runner.step(step, &scenario.names);
            let bad = report.unexpected_rejection(step);
            if bad {
                if let Applied::Rejected { message, .. } = &report.applied {
                    stopped = Some(rejected_error(&scenario.source, step, message));
                }
            }
            steps.push(TraceStep {
                step: step.clone(),
                outcome: runner.outcome().clone(),
                after: runner.kernel().clone(),
                report,
            });
            if bad {
                break;
            }
        }
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
