//! Challenges (format `iocp-sim-challenge/1`): a start state (a lesson
//! stopped after some step), a goal, a move budget, the explorer's
//! shortest answer and hints. The player (`iocp-sim challenge FILE`)
//! counts the student's moves, checks the goal after each one and compares
//! with the shortest answer.
//!
//! ```json
//! {
//!   "format": "iocp-sim-challenge/1",
//!   "title": { "en": "...", "ko": "..." },
//!   "description": { "en": "...", "ko": "..." },
//!   "lesson": "../04-over-subscription.json",
//!   "step": 0,
//!   "flavor": "windows",
//!   "goal": "over_limit",
//!   "budget": 4,
//!   "shortest": 2,
//!   "hints": [{ "en": "...", "ko": "..." }]
//! }
//! ```
//!
//! `lesson` is relative to the challenge file; `step` is how many of its
//! steps run before the student moves; `goal` is a condition of
//! `explore --find` or `wake_oldest`; `shortest` is the number of moves
//! of the explorer's shortest answer, or `null` when the explorer finds
//! none (the description then says why).

use std::path::Path;

use serde::Deserialize;

use crate::explore::free::{self, Goal, Shortest};
use crate::model::{Flavor, Kernel};
use crate::runner::Runner;
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
    goal: String,
    budget: usize,
    shortest: Option<usize>,
    hints: Vec<Text>,
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
    /// The lesson, its steps cut after [`Challenge::step`].
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

    /// The explorer's shortest answer from the start state (within [`SEARCH`]).
    pub fn solve(&self) -> Shortest {
        let mut names = self.start.names.clone();
        free::shortest(
            &self.start_state(),
            &mut names,
            self.goal,
            self.step as u64 + 1,
            SEARCH.0,
            SEARCH.1,
        )
    }
}

/// Reads a challenge file and the lesson it starts from.
pub fn load(path: &Path) -> Result<Challenge, ScenarioError> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::read(&source, e))?;
    let raw: Raw = serde_json::from_str(&text).map_err(|e| ScenarioError::Json {
        path: source.clone(),
        line: e.line(),
        column: e.column(),
        step: None,
        problem: {
            // serde_json's words, without the position it appends (the
            // error gives it).
            let m = e.to_string();
            Problem::json(
                m.rfind(" at line ")
                    .map_or(m.clone(), |i| m[..i].to_owned()),
            )
        },
    })?;
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
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut start = scenario::load(&dir.join(&raw.lesson))?;
    if raw.step > start.steps.len() {
        return Err(bad(format!(
            "step {} is past the end of {} ({} steps)",
            raw.step,
            raw.lesson,
            start.steps.len()
        )
        .into()));
    }
    start.steps.truncate(raw.step);
    let flavor = match raw.flavor.as_deref() {
        None => start.world.flavor,
        Some(f) => Flavor::parse(f).ok_or_else(|| bad(Problem::flavor(f)))?,
    };
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
    })
}
