//! The terminal player: [`Player`] holds the scenario, the recorded run and
//! the [`Ui`] state and turns keys into moves ([`Player::key`], pure and
//! testable); [`run`] is the thin event loop around a real terminal.

use std::cell::RefCell;
use std::io::{self, IsTerminal};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use ratatui::crossterm::event::{
    self, Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::prelude::CrosstermBackend;
use ratatui::Terminal;

use super::frame::{self, Frame, Run, Show};
use super::tui::{render, MenuView, Ui};
use crate::challenge::Challenge;
use crate::explore::condition::Cmp;
use crate::explore::free::{self, Goal, Shortest};
use crate::explore::Condition;
use crate::model::{Action, Flavor, Kernel};
use crate::narrate::whatif_words;
use crate::narrate::{self, Lang};
use crate::runner::{Applied, Runner, Trace};
use crate::scenario::raw::RawStep;
use crate::scenario::write as out;
use crate::scenario::{Scenario, Step, Text};

/// The goals the explorer can be asked for, in menu order.
pub const GOALS: [Goal; 3] = [
    Goal::State(Condition::OverLimit),
    Goal::State(Condition::IdleWithWork),
    Goal::State(Condition::Lost(Cmp::Gt, 0)),
];

/// How far the explorer looks from the player: moves, and states kept.
const SEARCH_DEPTH: usize = 8;
const SEARCH_STATES: usize = 50_000;

/// What the event loop should do after a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Keep going (redraw).
    Continue,
    /// Leave the player.
    Quit,
    /// Save the branch (the event loop writes [`Player::branch_json`]).
    Save,
}

/// What a menu line does when picked.
#[derive(Clone, Copy, Debug)]
enum Pick {
    Action(Action),
    Goal(Goal),
}

/// An open menu: what each line does, and whether the model refuses it.
#[derive(Debug)]
struct Menu {
    picks: Vec<Pick>,
    refused: Vec<Option<String>>,
}

/// Frames the player keeps built: the one shown and the few around it
/// that moving back and forth asks for again.
const FRAMES_KEPT: usize = 4;

/// The player's whole state.
#[derive(Debug)]
pub struct Player {
    scenario: Scenario,
    lang: Lang,
    flavor: Flavor,
    /// The run shown, recorded; [`Player::state`] recomputes states from it.
    trace: Trace,
    /// The run's header (its `frames` left empty: see [`Player::frame`]).
    show: Show,
    /// The frames built last, newest first, at most [`FRAMES_KEPT`].
    frames: RefCell<Vec<Rc<Frame>>>,
    ui: Ui,
    menu: Option<Menu>,
    attempt: Option<Attempt>,
}

impl Run for Player {
    fn show(&self) -> &Show {
        &self.show
    }

    fn frame(&self, i: usize) -> Rc<Frame> {
        Player::frame(self, i)
    }
}

/// A challenge being played: the challenge, hints shown, and whether the
/// answer came from the explorer.
#[derive(Debug)]
struct Attempt {
    ch: Challenge,
    hints: usize,
    revealed: bool,
}

impl Player {
    /// A player at the state before step 1.
    pub fn new(scenario: Scenario, flavor: Flavor, lang: Lang) -> Player {
        let trace = Trace::record(&scenario, flavor);
        let show = Show::header(&scenario, &trace, lang);
        Player {
            scenario,
            lang,
            flavor,
            trace,
            show,
            frames: RefCell::new(Vec::new()),
            ui: Ui::default(),
            menu: None,
            attempt: None,
        }
    }

    /// A player for a challenge, at its start step, its status on the help line.
    pub fn challenge(ch: Challenge, lang: Lang) -> Player {
        let mut p = Player::new(ch.start.clone(), ch.flavor, lang);
        p.go(ch.step);
        p.attempt = Some(Attempt {
            ch,
            hints: 0,
            revealed: false,
        });
        p.ui.message = p.challenge_status();
        p
    }

    /// Moves made in the challenge so far.
    pub fn moves(&self) -> usize {
        let start = self.attempt.as_ref().map_or(0, |a| a.ch.step);
        self.scenario.steps.len().saturating_sub(start)
    }

    /// The challenge's goal, moves and budget, and its keys.
    fn challenge_status(&self) -> Option<String> {
        let a = self.attempt.as_ref()?;
        let w = whatif_words(self.lang);
        Some(format!(
            "{}{}{}{}{}{}{}",
            w.status.0,
            a.ch.goal,
            w.status.1,
            self.moves(),
            w.status.2,
            a.ch.budget,
            w.status.3
        ))
    }

    /// After a move: solved (compared with the explorer's shortest answer),
    /// budget used up, or the status.
    fn after_move(&mut self, reached: bool) {
        let Some(a) = &self.attempt else { return };
        let w = whatif_words(self.lang);
        let n = self.moves();
        self.ui.message = if reached {
            let best = a.ch.shortest.map_or(w.none.to_owned(), |b| b.to_string());
            let mut m = format!("{}{n}{}{best}", w.solved.0, w.solved.1);
            if n > a.ch.budget {
                m.push_str(w.over_budget);
            }
            Some(m)
        } else if n >= a.ch.budget && !a.revealed {
            Some(w.used_up.to_owned())
        } else {
            self.challenge_status()
        };
    }

    /// Shows the next hint of the challenge (they cycle).
    pub fn hint(&mut self) {
        let lang = self.lang;
        let Some(a) = &mut self.attempt else { return };
        if a.ch.hints.is_empty() {
            return;
        }
        let i = a.hints % a.ch.hints.len();
        a.hints += 1;
        self.ui.message = Some(format!(
            "{} {}/{}: {}",
            whatif_words(lang).hint,
            i + 1,
            a.ch.hints.len(),
            a.ch.hints[i].get(lang)
        ));
    }

    /// The scenario shown: the lesson, or the branch made from it.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The model's state at the frame shown, recomputed by the trace from
    /// its nearest checkpoint (or from the last state asked for).
    fn state(&self) -> Kernel {
        self.trace.state(self.ui.index)
    }

    /// Records the run of the scenario in the flavour shown, again.
    fn record(&mut self) {
        self.trace = Trace::record(&self.scenario, self.flavor);
        self.show = Show::header(&self.scenario, &self.trace, self.lang);
        self.frames.borrow_mut().clear();
    }

    /// Opens the list of actions at the frame shown: every candidate, each
    /// tried by the model on a copy of the state; the refused ones carry
    /// the model's reason.
    pub fn open_actions(&mut self) {
        if self.ui.index < self.attempt.as_ref().map_or(0, |a| a.ch.step) {
            self.ui.message = Some(whatif_words(self.lang).before_start.to_owned());
            return;
        }
        let k = self.state();
        let key = self.ui.index as u64 + 1;
        let actions = free::candidates(&k, &mut self.scenario.names, key);
        let names = &self.scenario.names;
        let mut lines = Vec::new();
        let mut menu = Menu {
            picks: Vec::new(),
            refused: Vec::new(),
        };
        for a in actions {
            let why = free::try_action(&k, a)
                .err()
                .map(|r| narrate::rejection(&r, names, self.lang));
            lines.push((narrate::action(&a, names, self.lang), why.clone()));
            menu.picks.push(Pick::Action(a));
            menu.refused.push(why);
        }
        let w = whatif_words(self.lang);
        self.ui.menu = Some(MenuView {
            title: w.actions.to_owned(),
            keys: w.keys.to_owned(),
            lines,
            selected: 0,
        });
        self.menu = Some(menu);
    }

    /// Opens the list of goals for the explorer.
    pub fn open_goals(&mut self) {
        let w = whatif_words(self.lang);
        self.ui.menu = Some(MenuView {
            title: w.goals.to_owned(),
            keys: w.keys.to_owned(),
            lines: w.goal_names.iter().map(|g| (g.to_string(), None)).collect(),
            selected: 0,
        });
        self.menu = Some(Menu {
            picks: GOALS.iter().map(|g| Pick::Goal(*g)).collect(),
            refused: vec![None; GOALS.len()],
        });
    }

    fn close_menu(&mut self) {
        self.menu = None;
        self.ui.menu = None;
    }

    /// Picks menu line `i` (0-based): a refused action is not applied (the
    /// reason is shown); a valid one branches the lesson there; a goal asks
    /// the explorer and plays its answer.
    pub fn pick(&mut self, i: usize) {
        let Some(menu) = &self.menu else { return };
        let (Some(pick), Some(refused)) = (menu.picks.get(i).copied(), menu.refused.get(i)) else {
            return;
        };
        let w = whatif_words(self.lang);
        if let Some(why) = refused {
            self.ui.message = Some(format!("{}: {why}", w.refused));
            return;
        }
        self.close_menu();
        match pick {
            Pick::Action(a) => {
                let before = self.state();
                let reached = self.attempt.as_ref().is_some_and(|at| {
                    free::try_action(&before, a)
                        .is_ok_and(|(after, out)| at.ch.goal.reached(&before, &out, &after))
                });
                self.branch(&[a], None);
                self.after_move(reached);
            }
            Pick::Goal(goal) => self.ask_explorer(goal),
        }
    }

    /// Asks the explorer for the shortest way from the frame shown to
    /// `goal`, and branches along it.
    pub fn ask_explorer(&mut self, goal: Goal) {
        let w = whatif_words(self.lang);
        let k = self.state();
        let key = self.ui.index as u64 + 1;
        let answer = free::shortest(
            &k,
            &mut self.scenario.names,
            goal,
            key,
            SEARCH_DEPTH,
            SEARCH_STATES,
        );
        self.ui.message = Some(match answer {
            Shortest::Already => w.already.to_owned(),
            Shortest::Found(path) => {
                self.branch(&path, Some(goal));
                format!("{}{}{}", w.found.0, path.len(), w.found.1)
            }
            Shortest::NotWithin { depth, states } => format!(
                "{goal}: {}{depth}{}{states}{}",
                w.not_within.0, w.not_within.1, w.not_within.2
            ),
            Shortest::TooMany { states } => {
                format!("{goal}: {}{states}{}", w.too_many.0, w.too_many.1)
            }
        });
    }

    /// Replaces every step after the frame shown with `actions` (each with
    /// a note in every language), re-records the run and shows the first
    /// new step.
    fn branch(&mut self, actions: &[Action], goal: Option<Goal>) {
        let at = self.ui.index;
        self.scenario.steps.truncate(at);
        let n = actions.len();
        for (j, a) in actions.iter().enumerate() {
            let note = match goal {
                None => Text {
                    en: whatif_words(Lang::En).chosen.to_owned(),
                    ko: Some(whatif_words(Lang::Ko).chosen.to_owned()),
                },
                Some(g) => Text {
                    en: format!("The explorer's shortest way to {g}: move {} of {n}.", j + 1),
                    ko: Some(format!(
                        "탐색기가 찾은 {g}까지의 가장 짧은 길: {n}번 중 {}번째 동작입니다.",
                        j + 1
                    )),
                },
            };
            self.scenario.steps.push(Step {
                number: at + j + 1,
                action: Some(*a),
                note: Some(note),
                expect: None,
                off_program: false,
            });
        }
        self.record();
        self.go(at + 1);
    }

    /// The branch as an `iocp-sim/1` scenario: every step that ran (refused
    /// steps, which changed nothing, are left out), each with its note and
    /// an expectation of its result and of every port's state, written
    /// from the model's run, so `iocp-sim check` passes on it.
    pub fn branch_json(&self) -> String {
        let sc = &self.scenario;
        let mut runner = Runner::new(&sc.world, self.flavor);
        let mut steps = Vec::new();
        // Refused steps changed nothing: they are left out.
        runner.run(&sc.steps, &sc.names, &sc.source, |step, report, runner| {
            if !matches!(report.applied, Applied::Rejected { .. }) {
                let done = report.applied == Applied::Done;
                let result = done.then(|| runner.outcome().result.as_str());
                steps.push(RawStep {
                    note: step.note.clone(),
                    expect: Some(out::state_expect(&sc.names, runner.kernel(), result)),
                    ..step
                        .action
                        .map_or_else(RawStep::default, |a| out::action_step(&sc.names, &a))
                });
            }
            ControlFlow::Continue(())
        });
        let title = Text {
            en: format!("What-if: {}", sc.world.title.en),
            ko: Some(format!(
                "만약에: {}",
                sc.world.title.ko.as_deref().unwrap_or(&sc.world.title.en)
            )),
        };
        let description = Text {
            en: format!(
                "A what-if branch of {}: the lesson's steps up to the branch, then the moves chosen by hand in the player. Every step's expectations were written from the model's run.",
                sc.source
            ),
            ko: Some(format!(
                "{}에서 갈라진 '만약에' 갈래입니다: 갈라진 곳까지는 원래 강의의 단계이고, 그 뒤는 플레이어에서 직접 고른 동작입니다. 모든 단계의 기대값은 모델의 실행 결과로 적었습니다.",
                sc.source
            )),
        };
        let mut world = sc.world.clone();
        world.flavor = self.flavor;
        world.title = title;
        world.description = Some(description);
        let mut scenario = out::scenario_of(&world);
        scenario.steps = steps;
        out::scenario_json(&scenario)
    }

    /// Writes the branch into `dir` as `STEM-whatif-N.json` (the first N
    /// not taken) and returns the path.
    pub fn save(&self, dir: &Path) -> io::Result<PathBuf> {
        let stem = Path::new(&self.scenario.source)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "lesson".into());
        let json = self.branch_json();
        for n in 1..1000 {
            let path = dir.join(format!("{stem}-whatif-{n}.json"));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    io::Write::write_all(&mut f, json.as_bytes())?;
                    return Ok(path);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other(
            "999 branches of this lesson are saved here already",
        ))
    }

    /// Saves the branch into `dir` and says where (or why not) on the help line.
    pub fn save_and_report(&mut self, dir: &Path) {
        let w = whatif_words(self.lang);
        self.ui.message = Some(match self.save(dir) {
            Ok(p) => format!("{}{}{}", w.saved.0, p.display(), w.saved.1),
            Err(e) => format!("{}: {e}", w.save_failed),
        });
    }

    /// The recorded run being shown: its header; its frames are built on
    /// demand ([`Player::frame`], or [`Player::whole_show`] for all).
    pub fn show(&self) -> &Show {
        &self.show
    }

    /// Frame `i` of the run shown, built from the trace when asked for
    /// ([`frame::frame`]); the last few built are kept, so the player holds
    /// its trace and a few frames, never every frame.
    pub fn frame(&self, i: usize) -> Rc<Frame> {
        let mut kept = self.frames.borrow_mut();
        if let Some(at) = kept.iter().position(|f| f.index == i) {
            let f = kept.remove(at);
            kept.insert(0, f.clone());
            return f;
        }
        let f = Rc::new(frame::frame(&self.scenario, &self.trace, self.lang, i));
        kept.insert(0, f.clone());
        kept.truncate(FRAMES_KEPT);
        f
    }

    /// The run shown with every frame built (for the browser sandbox, which
    /// sends the whole branch).
    pub fn whole_show(&self) -> Show {
        Show::from_trace(&self.scenario, &self.trace, self.lang)
    }

    /// Where the student is.
    pub fn ui(&self) -> &Ui {
        &self.ui
    }

    /// The flavour shown.
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Goes to frame `i` (clamped), resetting the narration scroll.
    pub fn go(&mut self, i: usize) {
        self.ui.index = i.min(self.show.last());
        self.ui.scroll = 0;
    }

    /// Re-records the run in the next flavour (windows, wine, wine10, then
    /// windows again) and stays at the same step (or the last one, if that
    /// run stopped earlier).
    pub fn toggle_flavor(&mut self) {
        self.flavor = match self.flavor {
            Flavor::Windows => Flavor::Wine,
            Flavor::Wine => Flavor::Wine10,
            Flavor::Wine10 => Flavor::Windows,
        };
        self.record();
        let i = self.ui.index;
        self.ui.index = i.min(self.show.last());
        self.ui.message = None;
    }

    /// Applies one key press.
    pub fn key(&mut self, key: KeyEvent) -> Control {
        if key.kind == KeyEventKind::Release {
            return Control::Continue;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return Control::Quit;
        }
        self.ui.message = None;
        if let Some(m) = &mut self.ui.menu {
            let n = m.lines.len();
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => self.close_menu(),
                KeyCode::Down | KeyCode::Char('j') if n > 0 => m.selected = (m.selected + 1) % n,
                KeyCode::Up | KeyCode::Char('k') if n > 0 => m.selected = (m.selected + n - 1) % n,
                KeyCode::PageDown => m.selected = (m.selected + 10).min(n.saturating_sub(1)),
                KeyCode::PageUp => m.selected = m.selected.saturating_sub(10),
                KeyCode::Enter => {
                    let i = m.selected;
                    self.pick(i);
                }
                _ => {}
            }
            return Control::Continue;
        }
        if let Some(digits) = &mut self.ui.input {
            match key.code {
                KeyCode::Char(c) if c.is_ascii_digit() && digits.len() < 9 => digits.push(c),
                KeyCode::Backspace => {
                    digits.pop();
                }
                KeyCode::Enter => {
                    let n: usize = digits.parse().unwrap_or(0);
                    self.ui.input = None;
                    if n > self.show.last() {
                        self.ui.message = Some(format!(
                            "{} {n} > {}",
                            crate::narrate::words(self.lang).step,
                            self.show.last()
                        ));
                        self.go(self.show.last());
                    } else {
                        self.go(n);
                    }
                }
                KeyCode::Esc => self.ui.input = None,
                _ => {}
            }
            return Control::Continue;
        }
        let last = self.show.last();
        let i = self.ui.index;
        match key.code {
            KeyCode::Char('q') | KeyCode::Esc => return Control::Quit,
            KeyCode::Right | KeyCode::Char(' ') | KeyCode::Char('n') | KeyCode::Char('l') => {
                self.go(i + 1)
            }
            KeyCode::Enter => self.go(i + 1),
            KeyCode::Left | KeyCode::Backspace | KeyCode::Char('p') | KeyCode::Char('h') => {
                self.go(i.saturating_sub(1))
            }
            KeyCode::Home | KeyCode::Char('g') => self.go(0),
            KeyCode::End | KeyCode::Char('G') => self.go(last),
            KeyCode::Char(c) if c.is_ascii_digit() => self.ui.input = Some(c.to_string()),
            KeyCode::Char('f') | KeyCode::Char('w') => self.toggle_flavor(),
            KeyCode::Char('a') => self.open_actions(),
            KeyCode::Char('x') => match self.attempt.as_ref().map(|a| a.ch.goal) {
                Some(goal) => {
                    if let Some(a) = &mut self.attempt {
                        a.revealed = true;
                    }
                    self.ask_explorer(goal)
                }
                None => self.open_goals(),
            },
            KeyCode::Char('?') => self.hint(),
            KeyCode::Char('s') => return Control::Save,
            KeyCode::Tab => {
                let f = self.frame(i);
                let n = f.ports.len().max(1);
                let cur = self.ui.port.unwrap_or(f.focus);
                self.ui.port = Some((cur + 1) % n);
            }
            KeyCode::BackTab => self.ui.port = None,
            KeyCode::Down | KeyCode::PageDown | KeyCode::Char('j') => {
                self.ui.scroll = self.ui.scroll.saturating_add(3)
            }
            KeyCode::Up | KeyCode::PageUp | KeyCode::Char('k') => {
                self.ui.scroll = self.ui.scroll.saturating_sub(3)
            }
            _ => {}
        }
        Control::Continue
    }
}

/// Restores the terminal when dropped, even on a panic.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = disable_raw_mode();
        let _ = execute!(
            io::stdout(),
            LeaveAlternateScreen,
            ratatui::crossterm::cursor::Show
        );
    }
}

/// Runs the player on the real terminal until the student quits.
pub fn run(player: &mut Player) -> io::Result<()> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        return Err(io::Error::other(
            "play needs an interactive terminal (stdin and stdout must be a TTY); use `iocp-sim run` or `iocp-sim export` otherwise",
        ));
    }
    enable_raw_mode()?;
    let _restore = Restore;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        ratatui::crossterm::cursor::Hide
    )?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    loop {
        terminal.draw(|f| {
            let area = f.area();
            render(&*player, &player.ui, area, f.buffer_mut())
        })?;
        if let TermEvent::Key(k) = event::read()? {
            match player.key(k) {
                Control::Quit => break,
                Control::Save => player.save_and_report(Path::new(".")),
                Control::Continue => {}
            }
        }
    }
    Ok(())
}
