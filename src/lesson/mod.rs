//! A lesson in progress, as a library: no words and no view. A [`Lesson`]
//! holds a scenario (a lesson, or a challenge's start) and the branch a
//! student makes from it, recorded by the one run loop
//! ([`crate::runner::Trace`]); it answers, for any step `at` (0: before
//! step 1):
//!
//! * the model's state ([`Lesson::state`]), where each thread is in its
//!   program ([`Lesson::code`]);
//! * the moves possible ([`Lesson::moves`]) in scheduler mode (each thread
//!   runs its program to its next call; the world outside makes its
//!   moves) or every-call mode (any call), each tried with the model: a
//!   refused one carries its [`Refusal`] as data;
//! * a branch: [`Lesson::play`] replaces the steps after `at` with a move;
//! * a goal's progress ([`Lesson::progress`]: its conditions checked, and
//!   why the last move missed it) and the explorer's shortest way there
//!   ([`Lesson::shortest`]);
//! * the branch as a scenario file ([`Lesson::branch_json`], through
//!   `scenario::write`, the one encoder).
//!
//! Words come from [`crate::narrate`], at the edge; frames for views from
//! [`crate::views::frame::frame`] over [`Lesson::scenario`] and
//! [`Lesson::trace`]. Nothing here opens a file, starts a thread or reads a
//! clock, so the module builds for `wasm32-unknown-unknown`.
//!
//! Ids are the lesson's: a thread, port, device or OVERLAPPED is its index
//! in [`Lesson::names`], and every data type here and in [`crate::moves`]
//! serialises to JSON with ids as numbers.
//!
//! # Stability
//!
//! The classroom page drives this API across a JSON boundary. It was
//! first published in commit 3fdf9d1 ("lesson: the lesson as a library
//! (PHASE 1 API)"); changes since, all additive or in words only:
//!
//! * scheduler mode offers no run for a thread that has exited (every-call
//!   mode never offered its calls either);
//! * [`crate::narrate::line`] writes short code (`get(P)`, `if key 1:
//!   WaitForSingleObject(db)`, `post(P, key 9)`, `exit`), without
//!   indentation: a view indents the loop's body itself;
//! * [`crate::narrate::lesson_words`]: the players' words (modes, the code
//!   pane, task, hints, why);
//! * the frames ([`crate::views::frame::Frame::rules`]) carry a line for
//!   each queue-wait mark a step set or cleared, labelled with the mark's
//!   name, and `run --json` a `marks` array;
//! * a scenario run in another flavour than its own applies a step off
//!   its thread's program as written instead of stopping there (the port
//!   may wake another thread than the steps were written for).

mod goal;

use std::ops::ControlFlow;

use serde::Serialize;

use crate::challenge::Challenge;
use crate::explore::free::{self, Shortest};
use crate::goal::Goal;
use crate::model::{
    Action, Flavor, Kernel, Names, OvId, OvUse, PortId, ThreadId, ThreadState, ThreadStatus,
    Timeout,
};
use crate::moves::{current_line, lines};
pub use crate::moves::{
    Check, Choice, Line, MarkCause, Miss, Mode, Move, MoveRule, NoMark, Quantity, Refusal,
    Restrictions,
};
use crate::narrate::{self, Lang};
use crate::program::{caller, Positions, Program};
use crate::runner::{Applied, Runner, Trace, TraceStep};
use crate::scenario::raw::RawStep;
use crate::scenario::write as out;
use crate::scenario::{Scenario, Step, Text};

/// How far [`Lesson::shortest`] looks: moves, and states kept (a
/// classroom-size search: under a second on one core for the bundled
/// lessons).
pub const SEARCH: (usize, usize) = crate::challenge::SEARCH;

/// A lesson in progress: the scenario, the branch made from it, and its
/// recorded run.
#[derive(Debug)]
pub struct Lesson {
    scenario: Scenario,
    flavor: Flavor,
    trace: Trace,
    programs: Option<Vec<Program>>,
    challenge: Option<Challenge>,
}

/// Where each thread is in its program at a step, for the scheduler
/// mode's code pane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ThreadCode {
    /// The thread.
    #[serde(serialize_with = "thread_id")]
    pub thread: ThreadId,
    /// Its program's lines.
    pub lines: Vec<Line>,
    /// The line of its next call (also while it waits or is blocked in
    /// it), `None` once it has exited.
    pub current: Option<usize>,
    /// It is inside that call (waiting in the get, or blocked), not about
    /// to make it.
    pub inside: bool,
}

/// What a move did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Played {
    /// The step the move made (the index to show next).
    pub at: usize,
    /// The move reached the goal (of the challenge played).
    pub reached: bool,
}

/// A goal's progress at a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// The goal.
    #[serde(serialize_with = "display")]
    pub goal: Goal,
    /// Moves made since the start, up to this step.
    pub moves: usize,
    /// The most moves allowed (a challenge's budget).
    pub budget: Option<usize>,
    /// The explorer's shortest answer from the start, in moves, as the
    /// challenge gives it (`None`: none, or not a challenge).
    pub shortest: Option<usize>,
    /// The goal is reached at this step (it holds here, or the move that
    /// made this step reached it).
    pub reached: bool,
    /// The goal's conditions, checked on this step's state (for a goal
    /// on ports: on the port closest to it).
    pub checks: Vec<Check>,
    /// Why this step's move left the goal unreached, when the move's data
    /// says.
    pub miss: Option<Miss>,
}

impl Lesson {
    /// A lesson on `scenario`, in its own flavour, before step 1.
    pub fn new(scenario: Scenario) -> Lesson {
        let flavor = scenario.world.flavor;
        Lesson::with_flavor(scenario, flavor)
    }

    /// A lesson on `scenario` played in `flavor`.
    pub fn with_flavor(scenario: Scenario, flavor: Flavor) -> Lesson {
        let trace = Trace::record(&scenario, flavor);
        let programs = scenario.programs();
        Lesson {
            scenario,
            flavor,
            trace,
            programs,
            challenge: None,
        }
    }

    /// A challenge: its lesson up to its start step, its goal, budget and
    /// restrictions.
    pub fn challenge(ch: Challenge) -> Lesson {
        let mut l = Lesson::with_flavor(ch.start.clone(), ch.flavor);
        l.challenge = Some(ch);
        l
    }

    /// The challenge played, if this is one.
    pub fn challenge_played(&self) -> Option<&Challenge> {
        self.challenge.as_ref()
    }

    /// The scenario shown: the lesson, or the branch made from it.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The names of every id (threads, ports, devices, OVERLAPPEDs, labels).
    pub fn names(&self) -> &Names {
        &self.scenario.names
    }

    /// The recorded run of the branch (for views that build frames).
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// The flavour played.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Plays the branch in another flavour (the same steps, re-recorded).
    pub fn set_flavor(&mut self, flavor: Flavor) {
        self.flavor = flavor;
        self.record();
    }

    /// The last step recorded (the run may stop before the scenario's last
    /// step, at a step the model refused unexpectedly).
    pub fn last(&self) -> usize {
        self.trace.steps.len()
    }

    /// The first step a move may follow: a challenge's start, else 0.
    pub fn start(&self) -> usize {
        self.challenge.as_ref().map_or(0, |c| c.step)
    }

    /// Moves made since the start, in the branch up to step `at`.
    pub fn moves_made(&self, at: usize) -> usize {
        at.min(self.last()).saturating_sub(self.start())
    }

    /// The model's state at step `at` (0: before step 1), recomputed by
    /// the trace. Panics past [`Lesson::last`], like indexing.
    pub fn state(&self, at: usize) -> Kernel {
        self.trace.state(at)
    }

    /// What step `at` (1-based) did: its action, report and outcome.
    pub fn step(&self, at: usize) -> Option<&TraceStep> {
        at.checked_sub(1).and_then(|i| self.trace.steps.get(i))
    }

    /// The threads' programs, when the lesson gives them.
    pub fn programs(&self) -> Option<&[Program]> {
        self.programs.as_deref()
    }

    /// Where each thread's program is at step `at` (after the steps up to
    /// it), when the lesson gives programs.
    pub fn positions(&self, at: usize) -> Option<Positions> {
        let programs = self.programs.as_deref()?;
        let mut pos = Positions::start(programs.len());
        for ts in &self.trace.steps[..at.min(self.last())] {
            if let (Some(a), Applied::Done) = (ts.step.action, &ts.report.applied) {
                pos.advance(programs, &a, &ts.outcome);
            }
        }
        Some(pos)
    }

    /// Each thread's program and its current line at step `at` (empty when
    /// the lesson gives no programs).
    pub fn code(&self, at: usize) -> Vec<ThreadCode> {
        let (Some(programs), Some(pos)) = (self.programs.as_deref(), self.positions(at)) else {
            return Vec::new();
        };
        let k = self.state(at);
        programs
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let t = ThreadId::from_index(i);
                ThreadCode {
                    thread: t,
                    lines: lines(p),
                    current: current_line(p, pos.pc[i]),
                    inside: matches!(
                        k.thread(t).state(),
                        ThreadState::Waiting(_) | ThreadState::Paused(_)
                    ),
                }
            })
            .collect()
    }

    /// The modes whose moves the lesson offers: scheduler mode where the
    /// threads have programs; every-call mode, but not in a challenge
    /// played as the scheduler.
    pub fn modes(&self) -> Vec<Mode> {
        let scheduled = self.programs.is_some();
        let challenge = self.challenge.is_some();
        let mut m = Vec::new();
        if scheduled {
            m.push(Mode::Scheduler);
        }
        if !(scheduled && challenge) {
            m.push(Mode::EveryCall);
        }
        m
    }

    /// The mode a player starts in: the first of [`Lesson::modes`].
    pub fn default_mode(&self) -> Mode {
        self.modes()[0]
    }

    /// The challenge's restrictions (none for a lesson).
    fn restrictions(&self) -> Option<&Restrictions> {
        self.challenge
            .as_ref()
            .map(|c| &c.restrictions)
            .filter(|r| !r.is_empty())
    }

    /// Why no move can be made at `at` in `mode`, if none can.
    fn closed(&self, at: usize, mode: Mode) -> Option<Refusal> {
        if at > self.last() {
            return Some(Refusal::NoSuchStep {
                at,
                last: self.last(),
            });
        }
        if at < self.start() {
            return Some(Refusal::BeforeStart {
                start: self.start(),
            });
        }
        if !self.modes().contains(&mode) {
            return Some(Refusal::NotOffered { mode });
        }
        None
    }

    /// Every move offered at step `at` in `mode`, in a fixed order, each
    /// tried with the model on a copy of the state (and against the
    /// challenge's restrictions): the refused ones carry why. Scheduler
    /// mode: a run per thread that has not exited (threads by id), then
    /// the world's moves (an
    /// unblock per blocked thread, a timeout per thread waiting with a
    /// finite timeout, a completion per pending request, posts to each
    /// open port, a close per open port and device). Every-call mode:
    /// [`free::candidates`]. Threads that have exited are left out. Empty
    /// when no move can be made there (before
    /// a challenge's start, past the last step, a mode not offered).
    pub fn moves(&self, at: usize, mode: Mode) -> Vec<Choice> {
        if self.closed(at, mode).is_some() {
            return Vec::new();
        }
        let k = self.state(at);
        let pos = self.positions(at);
        let mut names = self.scenario.names.clone();
        offered(
            &k,
            pos.as_ref(),
            self.programs.as_deref(),
            &mut names,
            mode,
            self.post_key(at),
        )
        .into_iter()
        .map(|(mv, action)| Choice {
            mv,
            action,
            refusal: self.refusal(&k, &action),
        })
        .collect()
    }

    /// Why `action` cannot be made in state `k`: the challenge forbids it,
    /// or the model refuses it.
    fn refusal(&self, k: &Kernel, action: &Action) -> Option<Refusal> {
        if let Some(Err(r)) = self.restrictions().map(|r| r.check(action)) {
            return Some(r);
        }
        free::try_action(k, *action)
            .err()
            .map(|rejection| Refusal::Model { rejection })
    }

    /// The key of a post from outside at step `at`: the next step's
    /// number, moved past the keys the programs react to (those have posts
    /// of their own).
    fn post_key(&self, at: usize) -> u64 {
        let special = special_keys(self.programs.as_deref());
        let mut key = at as u64 + 1;
        while special.contains(&key) {
            key += 1;
        }
        key
    }

    /// The call `mv` makes at step `at`, or why it cannot be made there.
    pub fn try_move(&self, at: usize, mv: Move) -> Result<Action, Refusal> {
        if let Some(r) = self.closed(at, mv.mode()) {
            return Err(r);
        }
        let k = self.state(at);
        let pos = self.positions(at);
        let action = mv
            .call(pos.as_ref(), self.programs.as_deref())
            .ok_or(Refusal::NotOffered { mode: mv.mode() })?;
        match self.refusal(&k, &action) {
            Some(r) => Err(r),
            None => Ok(action),
        }
    }

    /// Makes `mv` after step `at`: the steps after `at` are replaced by
    /// the move's call (the lesson branches there), the run is recorded
    /// again, and the new step is `at + 1`. A refused move changes nothing.
    pub fn play(&mut self, at: usize, mv: Move) -> Result<Played, Refusal> {
        let action = self.try_move(at, mv)?;
        if let Action::Issue { .. } = action {
            // Intern the OVERLAPPED label the move names, as listing it did.
            let (k, key) = (self.state(at), self.post_key(at));
            free::candidates(&k, &mut self.scenario.names, key);
        }
        let before = self.state(at);
        let reached = self.challenge.as_ref().is_some_and(|c| {
            free::try_action(&before, action)
                .is_ok_and(|(after, out)| c.goal.reached(&before, &out, &after))
        });
        let note = in_both(|lang| narrate::whatif_words(lang).chosen.to_owned());
        self.branch(at, &[(action, note)]);
        Ok(Played {
            at: at + 1,
            reached,
        })
    }

    /// Plays the explorer's answer (`path`, from [`Lesson::shortest`]
    /// asked at `at` for `goal`) after step `at`, each step noted as one
    /// of the explorer's moves.
    pub fn play_answer(&mut self, at: usize, goal: Goal, path: &[Move]) -> Result<Played, Refusal> {
        let mut steps = Vec::with_capacity(path.len());
        let mut k = self.state(at);
        let mut pos = self.positions(at);
        let mut names = self.scenario.names.clone();
        let mut reached = false;
        for (j, mv) in path.iter().enumerate() {
            let action = mv
                .call(pos.as_ref(), self.programs.as_deref())
                .ok_or(Refusal::NotOffered { mode: mv.mode() })?;
            if let Some(r) = self.refusal(&k, &action) {
                return Err(r);
            }
            free::candidates(&k, &mut names, self.post_key(at));
            let (after, outcome) =
                free::try_action(&k, action).map_err(|rejection| Refusal::Model { rejection })?;
            reached = goal.reached(&k, &outcome, &after);
            if let (Some(p), Some(programs)) = (pos.as_mut(), self.programs.as_deref()) {
                p.advance(programs, &action, &outcome);
            }
            k = after;
            let note = |lang| narrate::explorer_note(goal, j + 1, path.len(), lang);
            steps.push((action, in_both(note)));
        }
        self.scenario.names = names;
        self.branch(at, &steps);
        Ok(Played {
            at: at + path.len(),
            reached,
        })
    }

    /// Replaces every step after `at` with `steps` (each with its note),
    /// marking a thread's call outside its program as such, and records
    /// the run again.
    fn branch(&mut self, at: usize, steps: &[(Action, Text)]) {
        let mut pos = self.positions(at);
        let mut k = self.state(at);
        self.scenario.steps.truncate(at);
        for (j, (a, note)) in steps.iter().enumerate() {
            let off_program = match (pos.as_ref(), self.programs.as_deref(), caller(a)) {
                (Some(p), Some(programs), Some(t)) => p.next_call(programs, t) != *a,
                _ => false,
            };
            if let Ok((after, outcome)) = free::try_action(&k, *a) {
                if let (Some(p), Some(programs)) = (pos.as_mut(), self.programs.as_deref()) {
                    p.advance(programs, a, &outcome);
                }
                k = after;
            }
            self.scenario.steps.push(Step {
                number: at + j + 1,
                action: Some(*a),
                note: Some(note.clone()),
                expect: None,
                off_program,
            });
        }
        self.record();
    }

    /// Records the branch's run again, in the flavour played.
    fn record(&mut self) {
        self.trace = Trace::record(&self.scenario, self.flavor);
    }

    /// The explorer's shortest way from step `at` to `goal`, moving as
    /// `mode` lets a student (scheduler mode: the programs and the world's
    /// moves; every-call mode: any call), within the challenge's
    /// restrictions and the classroom bounds [`SEARCH`].
    pub fn shortest(&self, at: usize, goal: Goal, mode: Mode) -> Shortest<Move> {
        self.shortest_within(at, goal, mode, SEARCH)
    }

    /// [`Lesson::shortest`] within `bounds` (moves, states kept).
    pub fn shortest_within(
        &self,
        at: usize,
        goal: Goal,
        mode: Mode,
        bounds: (usize, usize),
    ) -> Shortest<Move> {
        let at = at.min(self.last());
        let k = self.state(at);
        let key = self.post_key(at);
        let programs = self.programs.as_deref();
        let mut names = self.scenario.names.clone();
        let restrictions = self.restrictions().cloned();
        let allowed = |a: &Action| restrictions.as_ref().is_none_or(|r| r.check(a).is_ok());
        let pos = match mode {
            Mode::Scheduler => match self.positions(at) {
                Some(p) => p,
                None => {
                    return Shortest::NotWithin {
                        depth: 0,
                        states: 1,
                    }
                }
            },
            // Every-call moves do not depend on the programs: one state
            // per kernel.
            Mode::EveryCall => Positions::start(0),
        };
        free::shortest_by(
            (k, pos),
            goal,
            bounds,
            |(k, _)| k,
            |(k, pos), next| {
                let p = (mode == Mode::Scheduler).then_some(pos);
                for (mv, action) in offered(k, p, programs, &mut names, mode, key) {
                    if !allowed(&action) {
                        continue;
                    }
                    if let Ok((after, outcome)) = free::try_action(k, action) {
                        let mut pos = pos.clone();
                        if let (Mode::Scheduler, Some(programs)) = (mode, programs) {
                            pos.advance(programs, &action, &outcome);
                        }
                        next.push((mv, (after, pos), outcome));
                    }
                }
            },
        )
    }

    /// The goal's progress at step `at`: the challenge's goal, or `goal`
    /// for a lesson (`None` when neither is given).
    pub fn progress(&self, at: usize, goal: Option<Goal>) -> Option<Progress> {
        let goal = goal.or(self.challenge.as_ref().map(|c| c.goal))?;
        let at = at.min(self.last());
        let k = self.state(at);
        let reached = goal.holds(&k)
            || (at > self.start()
                && self
                    .step(at)
                    .filter(|ts| ts.report.applied == Applied::Done)
                    .is_some_and(|ts| goal.reached(&self.state(at - 1), &ts.outcome, &k)));
        let miss = if reached || at <= self.start() {
            None
        } else {
            goal::miss(self, at, goal)
        };
        Some(Progress {
            goal,
            moves: self.moves_made(at),
            budget: self.challenge.as_ref().map(|c| c.budget),
            shortest: self.challenge.as_ref().and_then(|c| c.shortest),
            reached,
            checks: goal::checks(&k, goal),
            miss,
        })
    }

    /// The branch as an `iocp-sim/1` scenario file: every step that ran
    /// (refused steps, which changed nothing, are left out), each with its
    /// note and an expectation of its result and of every port's state,
    /// written from the model's run, so `iocp-sim check` passes on it; the
    /// threads keep their programs (a call outside one is marked
    /// `off_program`).
    pub fn branch_json(&self) -> String {
        let sc = &self.scenario;
        let mut runner = Runner::new(&sc.world, self.flavor);
        let mut steps = Vec::new();
        runner.run(&sc.steps, &sc.names, &sc.source, |step, report, runner| {
            if !matches!(report.applied, Applied::Rejected { .. }) {
                let done = report.applied == Applied::Done;
                let result = done.then(|| runner.outcome().result.as_str());
                steps.push(RawStep {
                    note: step.note.clone(),
                    expect: Some(out::state_expect(&sc.names, runner.kernel(), result)),
                    off_program: step.off_program.then_some(true),
                    ..step
                        .action
                        .map_or_else(RawStep::default, |a| out::action_step(&sc.names, &a))
                });
            }
            ControlFlow::Continue(())
        });
        let mut world = sc.world.clone();
        world.flavor = self.flavor;
        world.title = in_both(|lang| narrate::branch_title(&sc.world.title.get(lang), lang));
        world.description = Some(in_both(|lang| {
            narrate::branch_description(&sc.source, lang)
        }));
        let mut scenario = out::scenario_of(&world);
        scenario.steps = steps;
        out::scenario_json(&scenario)
    }
}

/// A text in every language, each made by `words`.
fn in_both(words: impl Fn(Lang) -> String) -> Text {
    Text {
        en: words(Lang::En),
        ko: Some(words(Lang::Ko)),
    }
}

/// The keys the programs react to (a block's keys, an exit key): posts
/// from outside offer each of them, besides a plain one.
fn special_keys(programs: Option<&[Program]>) -> Vec<u64> {
    let mut keys = Vec::new();
    for p in programs.into_iter().flatten() {
        let own = p.block_keys.iter().flatten().copied().chain(p.exit_on_key);
        for key in own {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    keys.sort_unstable();
    keys
}

/// The moves offered in state `k` (programs at `pos`) in `mode`, each with
/// the call it makes, in the order of [`Lesson::moves`]. Every-call mode
/// may intern a new OVERLAPPED label in `names` ([`free::candidates`]).
fn offered(
    k: &Kernel,
    pos: Option<&Positions>,
    programs: Option<&[Program]>,
    names: &mut Names,
    mode: Mode,
    key: u64,
) -> Vec<(Move, Action)> {
    match mode {
        Mode::EveryCall => free::candidates(k, names, key)
            .into_iter()
            .map(|action| (Move::Call { action }, action))
            .collect(),
        Mode::Scheduler => {
            let mut moves = Vec::new();
            let threads = k.thread_ids();
            // An exited thread runs no more (every-call mode leaves it out too).
            for thread in threads.clone() {
                if k.thread(thread).status() != ThreadStatus::Exited {
                    moves.push(Move::Run { thread });
                }
            }
            for thread in threads.clone() {
                if k.thread(thread).status() == ThreadStatus::Paused {
                    moves.push(Move::Unblock { thread });
                }
            }
            for thread in threads {
                if let ThreadState::Waiting(w) = k.thread(thread).state() {
                    if matches!(w.timeout, Timeout::Ms(ms) if ms > 0) {
                        moves.push(Move::Timeout { thread });
                    }
                }
            }
            for i in 0..names.overlapped_count() {
                let overlapped = OvId::from_index(i);
                if let OvUse::Pending(_) = k.overlapped(overlapped) {
                    moves.push(Move::Complete { overlapped });
                }
            }
            let special = special_keys(programs);
            let open: Vec<PortId> = k.port_ids().filter(|p| !k.port(*p).closed()).collect();
            for &port in &open {
                for &key in special.iter().chain(std::iter::once(&key)) {
                    moves.push(Move::Post { port, key });
                }
            }
            for &port in &open {
                moves.push(Move::ClosePort { port });
            }
            for device in k.device_ids() {
                if k.devices().get(device).is_some_and(|d| !d.closed()) {
                    moves.push(Move::CloseDevice { device });
                }
            }
            moves
                .into_iter()
                .filter_map(|mv| mv.call(pos, programs).map(|a| (mv, a)))
                .collect()
        }
    }
}

/// The explorer's shortest answer to a challenge, from its start, in its
/// mode (scheduler mode when its threads have programs), within its
/// restrictions and [`crate::challenge::SEARCH`].
pub fn solve(ch: &Challenge) -> Shortest<Move> {
    let lesson = Lesson::challenge(ch.clone());
    let mode = lesson.default_mode();
    lesson.shortest(lesson.start(), ch.goal, mode)
}

fn thread_id<S: serde::Serializer>(t: &ThreadId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u32(t.0)
}

fn display<S: serde::Serializer>(g: &Goal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(g)
}

#[cfg(test)]
mod tests;
