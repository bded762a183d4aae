//! Challenges (format `iocp-sim-challenge/1`): a start state (a lesson
//! stopped after some step), a goal, a move budget, the explorer's
//! shortest answer and hints; optionally the threads' programs and the
//! calls the challenge allows or forbids. The players (`iocp-sim
//! challenge FILE`, the lesson API [`crate::lesson`]) count the student's
//! moves, check the goal after each one and compare with the shortest
//! answer.
//!
//! ```json
//! {
//!   "format": "iocp-sim-challenge/1",
//!   "title": { "en": "...", "ko": "..." },
//!   "description": { "en": "...", "ko": "..." },
//!   "lesson": "../04-over-subscription.json",
//!   "step": 0,
//!   "flavor": "windows",
//!   "programs": [{ "id": "T1", "get": { "port": "P", "timeout": 100 }, "block": "WaitForSingleObject(db)" }],
//!   "forbid": [{ "op": "poll" }, { "op": "timeout" }],
//!   "goal": "over_limit",
//!   "budget": 8,
//!   "shortest": 6,
//!   "hints": [{ "en": "...", "ko": "..." }]
//! }
//! ```
//!
//! `lesson` is relative to the challenge file; `step` is how many of its
//! steps run before the student moves; `goal` is a condition of
//! `explore --find` or one of [`crate::goal::GOAL_WORDS`];
//! `shortest` is the number of moves of the explorer's shortest answer,
//! or `null` when the explorer finds none (the description then says
//! why). `programs` (thread entries with programs, as in a scenario's
//! `threads`) replaces the lesson's threads' programs: the same threads,
//! each with the program the challenge gives it. When the threads have
//! programs the challenge is played in scheduler mode: the student runs
//! the threads' code and makes the world's moves. `allow` (only these) and
//! `forbid` (never these) restrict the calls a move may make: `{ "op":
//! OP }` with an op of the scenario format or `"poll"` (a get or get_ex
//! with a zero timeout), and optionally `"thread"`.

use std::path::Path;

use serde::Deserialize;

use crate::goal::Goal;
use crate::model::{Flavor, Kernel, Names};
pub use crate::moves::{MoveRule, Restrictions};
use crate::program::spec::ThreadSpec;
use crate::runner::Runner;
use crate::scenario::raw::Op;
use crate::scenario::{self, Problem, Scenario, ScenarioError, Text};

/// The only challenge format this build reads.
pub const FORMAT: &str = "iocp-sim-challenge/1";

/// How far the explorer looks for a challenge's answer: moves, states kept.
pub const SEARCH: (usize, usize) = (8, 100_000);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    format: String,
    title: Text,
    description: Text,
    lesson: String,
    step: usize,
    flavor: Option<String>,
    #[serde(default)]
    programs: Option<Vec<ThreadSpec>>,
    #[serde(default)]
    allow: Option<Vec<RawRule>>,
    #[serde(default)]
    forbid: Option<Vec<RawRule>>,
    goal: String,
    budget: usize,
    shortest: Option<usize>,
    hints: Vec<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    op: String,
    #[serde(default)]
    thread: Option<String>,
}

/// A challenge, read and checked.
#[derive(Clone, Debug)]
pub struct Challenge {
    /// The file it came from.
    pub source: String,
    /// Its title.
    pub title: Text,
    /// The question, and why the answer is what it is.
    pub description: Text,
    /// The lesson, its steps cut after [`Challenge::step`] (its threads
    /// with the challenge's programs, when it gives them).
    pub start: Scenario,
    /// Steps of the lesson run before the student moves.
    pub step: usize,
    /// The flavour played.
    pub flavor: Flavor,
    /// What the student must reach.
    pub goal: Goal,
    /// The most moves allowed.
    pub budget: usize,
    /// The explorer's shortest answer, in moves (`None`: it finds none).
    pub shortest: Option<usize>,
    /// Hints, the last one closest to the answer.
    pub hints: Vec<Text>,
    /// The calls the moves may make.
    pub restrictions: Restrictions,
}

impl Challenge {
    /// The model's state where the student starts.
    pub fn start_state(&self) -> Kernel {
        let mut runner = Runner::new(&self.start.world, self.flavor);
        for step in &self.start.steps {
            runner.step(step, &self.start.names);
        }
        runner.kernel().clone()
    }

    /// True when the threads have programs: the challenge is played in
    /// scheduler mode.
    pub fn scheduled(&self) -> bool {
        !self.start.world.programs.is_empty()
    }
}

/// Reads a challenge file and the lesson it starts from.
pub fn load(path: &Path) -> Result<Challenge, ScenarioError> {
    let (source, text) = scenario::read_text(path)?;
    let raw = parse(&source, &text)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let lesson = scenario::load(&dir.join(&raw.lesson))?;
    build(source, raw, lesson)
}

/// Reads a challenge from its text (`source` names it in errors) and the
/// lesson it starts from, already read (`lesson`: the file its `lesson`
/// key names). No file is opened: for hosts without a file system.
pub fn load_str(source: &str, text: &str, lesson: Scenario) -> Result<Challenge, ScenarioError> {
    let raw = parse(source, text)?;
    build(source.to_owned(), raw, lesson)
}

/// The path of the lesson a challenge's text names (its `lesson` key, relative to the challenge).
pub fn lesson_of(source: &str, text: &str) -> Result<String, ScenarioError> {
    parse(source, text).map(|r| r.lesson)
}

fn parse(source: &str, text: &str) -> Result<Raw, ScenarioError> {
    scenario::from_json(source, text)
}

fn build(source: String, raw: Raw, mut start: Scenario) -> Result<Challenge, ScenarioError> {
    let bad = |problem: Problem| ScenarioError::World {
        path: source.clone(),
        problem,
    };
    if raw.format != FORMAT {
        return Err(bad(format!(
            "format {:?} is not understood; this build reads {FORMAT:?}",
            raw.format
        )
        .into()));
    }
    let goal = Goal::parse(&raw.goal).map_err(|e| bad(format!("goal: {e}").into()))?;
    if raw.budget == 0 {
        return Err(bad("budget must be 1 or more moves".into()));
    }
    if let Some(n) = raw.shortest {
        if n > raw.budget {
            return Err(bad(format!(
                "shortest is {n} moves, over the budget of {}",
                raw.budget
            )
            .into()));
        }
    }
    if raw.step > start.steps.len() {
        return Err(bad(format!(
            "step {} is past the end of {} ({} steps)",
            raw.step,
            raw.lesson,
            start.steps.len()
        )
        .into()));
    }
    if let Some(programs) = raw.programs {
        start = with_programs(start, programs).map_err(|e| bad(e.into()))?;
    }
    start.steps.truncate(raw.step);
    let flavor = match raw.flavor.as_deref() {
        None => start.world.flavor,
        Some(f) => Flavor::parse(f).ok_or_else(|| bad(Problem::flavor(f)))?,
    };
    let restrictions = Restrictions {
        allow: raw
            .allow
            .map(|r| rules("allow", r, &start.names))
            .transpose()
            .map_err(|e| bad(e.into()))?,
        forbid: rules("forbid", raw.forbid.unwrap_or_default(), &start.names)
            .map_err(|e| bad(e.into()))?,
    };
    // The start must be reachable as the (new) programs say.
    let mut runner = Runner::new(&start.world, flavor);
    let stop = runner.run(&start.steps, &start.names, &start.source, |_, _, _| {
        std::ops::ControlFlow::Continue(())
    });
    if let Some(e) = stop {
        return Err(bad(
            format!("the lesson's steps up to the start: {e}").into()
        ));
    }
    start.world.title = raw.title.clone();
    start.world.description = Some(raw.description.clone());
    Ok(Challenge {
        source,
        title: raw.title,
        description: raw.description,
        start,
        step: raw.step,
        flavor,
        goal,
        budget: raw.budget,
        shortest: raw.shortest,
        hints: raw.hints,
        restrictions,
    })
}

/// The lesson with the challenge's programs: the same threads, in the same
/// order, each with the program the challenge gives it (the programs'
/// labels added to the lesson's names).
fn with_programs(mut lesson: Scenario, programs: Vec<ThreadSpec>) -> Result<Scenario, String> {
    lesson.world = lesson
        .world
        .with_programs(programs)
        .map_err(|e| format!("programs: {e}"))?;
    for t in &lesson.world.programs {
        if let Some(b) = &t.block {
            lesson.names.intern_label(&b.on);
        }
    }
    Ok(lesson)
}

/// The rules of `allow` or `forbid`, their ops and threads checked.
fn rules(key: &str, raw: Vec<RawRule>, names: &Names) -> Result<Vec<MoveRule>, String> {
    raw.into_iter()
        .enumerate()
        .map(|(i, r)| {
            let op = if r.op == "poll" {
                "poll"
            } else {
                Op::parse(&r.op).map(Op::name).ok_or_else(|| {
                    format!(
                        "{key}[{i}].op: unknown op {:?}; use poll or an op of the scenario format ({})",
                        r.op,
                        Op::ALL.map(Op::name).join(", ")
                    )
                })?
            };
            let thread = match r.thread {
                None => None,
                Some(t) => Some(names.find_thread(&t).ok_or_else(|| {
                    format!(
                        "{key}[{i}].thread: unknown thread {t:?} (declared: {})",
                        names.threads().join(", ")
                    )
                })?),
            };
            Ok(MoveRule { op, thread })
        })
        .collect()
}
