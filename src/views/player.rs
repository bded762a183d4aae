//! The terminal player: an adapter over a [`Lesson`] (the lesson in
//! progress: its moves, refusals, branches, goals and the explorer's
//! answers, all as data). [`Player`] turns keys into calls of the lesson
//! and words from [`crate::narrate`] into the [`Ui`] the picture draws
//! ([`Player::key`], pure and testable); [`run`] is the thin event loop
//! around a real terminal. The player holds no rule and reads no text
//! back: a menu line is drawn from a [`Move`] it keeps, and picking it
//! plays that move.

use std::cell::RefCell;
use std::io::{self, IsTerminal};
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
use super::tui::{render, CodePane, CodeView, MenuView, Overlay, Ui};
use crate::challenge::Challenge;
use crate::explore::free::Shortest;
use crate::goal::{Cmp, Condition, Goal};
use crate::lesson::{Lesson, Mode, Move, Played, Refusal};
use crate::model::Flavor;
use crate::moves::Line;
use crate::narrate::{self, lesson_words, whatif_words, words, Lang};
use crate::scenario::Scenario;

/// The goals the explorer can be asked for, in menu order.
pub const GOALS: [Goal; 3] = [
    Goal::State(Condition::OverLimit),
    Goal::State(Condition::IdleWithWork),
    Goal::State(Condition::Lost(Cmp::Gt, 0)),
];

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
    Move(Move),
    Goal(Goal),
}

/// Frames the player keeps built: the one shown and the few around it
/// that moving back and forth asks for again.
const FRAMES_KEPT: usize = 4;

/// The player's whole state.
#[derive(Debug)]
pub struct Player {
    lesson: Lesson,
    lang: Lang,
    /// The run's header (its `frames` left empty: see [`Player::frame`]).
    show: Show,
    /// The frames built last, newest first, at most [`FRAMES_KEPT`].
    frames: RefCell<Vec<Rc<Frame>>>,
    ui: Ui,
    /// What each line of the open menu does, and why it is refused (data,
    /// worded again when shown: the player never reads its lines back).
    menu: Vec<(Pick, Option<Refusal>)>,
    /// The mode whose moves `a` lists.
    mode: Mode,
    /// The goal asked for last (a challenge's, or one chosen with `x`).
    goal: Option<Goal>,
    /// Hints shown so far (a challenge's).
    hints: usize,
    /// The explorer's answer was played (a challenge's `x`).
    revealed: bool,
}

impl Run for Player {
    fn show(&self) -> &Show {
        &self.show
    }

    fn frame(&self, i: usize) -> Rc<Frame> {
        Player::frame(self, i)
    }
}

impl Player {
    /// A player at the state before step 1, in scheduler mode where the
    /// threads have programs.
    pub fn new(scenario: Scenario, flavor: Flavor, lang: Lang) -> Player {
        Player::of(Lesson::with_flavor(scenario, flavor), lang)
    }

    /// A player for a challenge, at its start step, its task shown.
    pub fn challenge(ch: Challenge, lang: Lang) -> Player {
        let goal = ch.goal;
        let mut p = Player::of(Lesson::challenge(ch), lang);
        p.goal = Some(goal);
        p.go(p.lesson.start());
        p.show_task();
        p.ui.message = p.status();
        p
    }

    fn of(lesson: Lesson, lang: Lang) -> Player {
        let show = Show::header(lesson.scenario(), lesson.trace(), lang);
        let mode = lesson.default_mode();
        let mut p = Player {
            lesson,
            lang,
            show,
            frames: RefCell::new(Vec::new()),
            ui: Ui::default(),
            menu: Vec::new(),
            mode,
            goal: None,
            hints: 0,
            revealed: false,
        };
        if p.lesson.programs().is_some() {
            p.ui.help = Some(lesson_words(lang).help.to_owned());
        }
        p.go(0);
        p
    }

    /// The lesson being played.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// The mode whose moves `a` lists.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Moves made in the challenge so far (up to the step shown).
    pub fn moves(&self) -> usize {
        self.lesson.moves_made(self.ui.index)
    }

    /// The scenario shown: the lesson, or the branch made from it.
    pub fn scenario(&self) -> &Scenario {
        self.lesson.scenario()
    }

    /// The challenge's status line: moves used and allowed, the keys.
    fn status(&self) -> Option<String> {
        let ch = self.lesson.challenge_played()?;
        Some(format!(
            "{}{}",
            narrate::moves_used(self.moves(), Some(ch.budget), self.lang),
            lesson_words(self.lang).status.2
        ))
    }

    /// Shows the challenge's task: its title, the question, the goal in
    /// words and the moves allowed, wrapped in full over the picture.
    pub fn show_task(&mut self) {
        let Some(ch) = self.lesson.challenge_played() else {
            return;
        };
        let w = lesson_words(self.lang);
        self.ui.overlay = Some(Overlay {
            title: ch.title.get(self.lang).into_owned(),
            paragraphs: vec![
                ch.description.get(self.lang).into_owned(),
                format!("{}{}", w.goal, narrate::goal(&ch.goal, self.lang)),
                format!("{}{}", w.budget, ch.budget),
            ],
            footer: w.close.to_owned(),
        });
    }

    /// After a move: solved (compared with the explorer's shortest answer),
    /// budget used up, or the status and how to ask why not yet.
    fn after_move(&mut self, played: Played) {
        let lw = lesson_words(self.lang);
        let Some(ch) = self.lesson.challenge_played() else {
            if let Some(g) = self.goal {
                let reached = self
                    .lesson
                    .progress(played.at, Some(g))
                    .is_some_and(|p| p.reached);
                if !reached {
                    self.ui.message = Some(lw.ask_why.trim_start_matches(" · ").to_owned());
                }
            }
            return;
        };
        let w = whatif_words(self.lang);
        let n = self.moves();
        self.ui.message = if played.reached {
            let best = ch.shortest.map_or(w.none.to_owned(), |b| b.to_string());
            let mut m = format!("{}{n}{}{best}", w.solved.0, w.solved.1);
            if n > ch.budget {
                m.push_str(w.over_budget);
            }
            Some(m)
        } else if n >= ch.budget && !self.revealed {
            Some(w.used_up.to_owned())
        } else {
            // The status names `w` already.
            self.status()
        };
    }

    /// Shows the next hint of the challenge (they cycle), wrapped in full.
    pub fn hint(&mut self) {
        let Some(ch) = self.lesson.challenge_played() else {
            return;
        };
        if ch.hints.is_empty() {
            return;
        }
        let i = self.hints % ch.hints.len();
        self.hints += 1;
        self.ui.overlay = Some(Overlay {
            title: format!(
                "{} {}/{}",
                whatif_words(self.lang).hint,
                i + 1,
                ch.hints.len()
            ),
            paragraphs: vec![ch.hints[i].get(self.lang).into_owned()],
            footer: lesson_words(self.lang).close.to_owned(),
        });
    }

    /// Says which condition of the goal fails at the step shown, and why
    /// the move that made it missed the goal, when its data says.
    pub fn why(&mut self) {
        let lw = lesson_words(self.lang);
        let Some(p) = self.lesson.progress(self.ui.index, self.goal) else {
            self.ui.message = Some(lw.no_goal.to_owned());
            return;
        };
        let names = self.lesson.names();
        let mut paragraphs = vec![format!("{}{}", lw.goal, narrate::goal(&p.goal, self.lang))];
        if p.reached {
            paragraphs.push(lw.reached.to_owned());
        }
        let checks: Vec<String> = p
            .checks
            .iter()
            .map(|c| narrate::check(c, names, self.lang))
            .collect();
        paragraphs.push(checks.join("\n"));
        if let Some(m) = &p.miss {
            paragraphs.push(narrate::miss(m, names, self.lang));
        }
        if let Some(n) = p.shortest {
            paragraphs.push(format!("{}{n}", lw.shortest));
        }
        self.ui.overlay = Some(Overlay {
            title: lw.why.to_owned(),
            paragraphs,
            footer: lw.close.to_owned(),
        });
    }

    /// Opens the list of moves at the frame shown, in the player's mode:
    /// every move the lesson offers, the refused ones grey with the reason
    /// in words.
    pub fn open_actions(&mut self) {
        if self.ui.index < self.lesson.start() {
            self.ui.message = Some(whatif_words(self.lang).before_start.to_owned());
            return;
        }
        let at = self.ui.index;
        let k = self.lesson.state(at);
        let names = self.lesson.names();
        let choices = self.lesson.moves(at, self.mode);
        let lines = choices
            .iter()
            .map(|c| {
                (
                    narrate::lesson_move(&c.mv, &c.action, &k, names, self.lang),
                    c.refusal.map(|r| narrate::refusal(&r, names, self.lang)),
                )
            })
            .collect();
        self.menu = choices
            .iter()
            .map(|c| (Pick::Move(c.mv), c.refusal))
            .collect();
        let lw = lesson_words(self.lang);
        self.ui.menu = Some(MenuView {
            title: match self.mode {
                Mode::Scheduler => lw.menus.0,
                Mode::EveryCall => lw.menus.1,
            }
            .to_owned(),
            keys: whatif_words(self.lang).keys.to_owned(),
            lines,
            selected: 0,
        });
    }

    /// Opens the list of goals for the explorer.
    pub fn open_goals(&mut self) {
        let w = whatif_words(self.lang);
        self.ui.menu = Some(MenuView {
            title: w.goals.to_owned(),
            keys: w.keys.to_owned(),
            lines: GOALS
                .iter()
                .map(|g| (narrate::goal(g, self.lang), None))
                .collect(),
            selected: 0,
        });
        self.menu = GOALS.iter().map(|g| (Pick::Goal(*g), None)).collect();
    }

    /// Switches between scheduler and every-call mode, when the lesson
    /// offers both.
    pub fn switch_mode(&mut self) {
        let lw = lesson_words(self.lang);
        let modes = self.lesson.modes();
        if modes.len() < 2 {
            self.ui.message = Some(lw.one_mode.to_owned());
            return;
        }
        self.mode = match self.mode {
            Mode::Scheduler => Mode::EveryCall,
            Mode::EveryCall => Mode::Scheduler,
        };
        self.ui.message = Some(
            match self.mode {
                Mode::Scheduler => lw.switched.0,
                Mode::EveryCall => lw.switched.1,
            }
            .to_owned(),
        );
    }

    fn close_menu(&mut self) {
        self.menu.clear();
        self.ui.menu = None;
    }

    /// Picks menu line `i` (0-based; the menu numbers its lines from 1): a
    /// refused move is not played (its reason is shown); a valid one
    /// branches the lesson there; a goal asks the explorer and plays its
    /// answer.
    pub fn pick(&mut self, i: usize) {
        let Some(&(pick, refused)) = self.menu.get(i) else {
            return;
        };
        if let Some(r) = refused {
            self.refused(&r);
            return;
        }
        self.close_menu();
        match pick {
            Pick::Move(mv) => match self.lesson.play(self.ui.index, mv) {
                Ok(played) => {
                    self.rebuilt();
                    self.go(played.at);
                    self.after_move(played);
                }
                Err(r) => self.refused(&r),
            },
            Pick::Goal(goal) => {
                self.goal = Some(goal);
                self.ask_explorer(goal);
            }
        }
    }

    /// Says in one line why a move is refused.
    fn refused(&mut self, r: &Refusal) {
        let why = narrate::refusal(r, self.lesson.names(), self.lang);
        self.ui.message = Some(format!("{}: {why}", whatif_words(self.lang).refused));
    }

    /// Asks the explorer for the shortest way from the frame shown to
    /// `goal`, moving as the player's mode does, and plays it.
    pub fn ask_explorer(&mut self, goal: Goal) {
        let w = whatif_words(self.lang);
        let at = self.ui.index.max(self.lesson.start());
        let answer = self.lesson.shortest(at, goal, self.mode);
        let goal_words = narrate::goal(&goal, self.lang);
        self.ui.message = Some(match answer {
            Shortest::Already => w.already.to_owned(),
            Shortest::Found(path) => match self.lesson.play_answer(at, goal, &path) {
                Ok(_) => {
                    self.rebuilt();
                    self.go(at + 1);
                    format!("{}{}{}", w.found.0, path.len(), w.found.1)
                }
                Err(r) => narrate::refusal(&r, self.lesson.names(), self.lang),
            },
            Shortest::NotWithin { depth, states } => format!(
                "{goal_words}: {}{depth}{}{states}{}",
                w.not_within.0, w.not_within.1, w.not_within.2
            ),
            Shortest::TooMany { states } => {
                format!("{goal_words}: {}{states}{}", w.too_many.0, w.too_many.1)
            }
        });
    }

    /// The branch as an `iocp-sim/1` scenario ([`Lesson::branch_json`]):
    /// `iocp-sim check` passes on it.
    pub fn branch_json(&self) -> String {
        self.lesson.branch_json()
    }

    /// Writes the branch into `dir` as `STEM-whatif-N.json` (the first N
    /// not taken) and returns the path.
    pub fn save(&self, dir: &Path) -> io::Result<PathBuf> {
        let stem = Path::new(&self.scenario().source)
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
        let f = Rc::new(frame::frame(
            self.lesson.scenario(),
            self.lesson.trace(),
            self.lang,
            i,
        ));
        kept.insert(0, f.clone());
        kept.truncate(FRAMES_KEPT);
        f
    }

    /// The run shown with every frame built (for the browser sandbox, which
    /// sends the whole branch).
    pub fn whole_show(&self) -> Show {
        Show::from_trace(self.lesson.scenario(), self.lesson.trace(), self.lang)
    }

    /// Where the student is.
    pub fn ui(&self) -> &Ui {
        &self.ui
    }

    /// The flavour shown.
    pub fn flavor(&self) -> Flavor {
        self.lesson.flavor()
    }

    /// The lesson's run changed (a branch, a flavour): the header and the
    /// kept frames are rebuilt from it.
    fn rebuilt(&mut self) {
        self.show = Show::header(self.lesson.scenario(), self.lesson.trace(), self.lang);
        self.frames.borrow_mut().clear();
    }

    /// Goes to frame `i` (clamped), resetting the narration scroll, and
    /// draws the threads' code there.
    pub fn go(&mut self, i: usize) {
        self.ui.index = i.min(self.show.last());
        self.ui.scroll = 0;
        self.ui.code = self.code_pane();
        // A challenge's bottom line is its status (moves used and allowed,
        // its keys) whenever no message covers it.
        if let Some(status) = self.status() {
            self.ui.help = Some(status);
        }
    }

    /// The code pane at the frame shown, in words (`None` without programs,
    /// and in every-call mode).
    fn code_pane(&self) -> Option<CodePane> {
        if self.mode != Mode::Scheduler {
            return None;
        }
        let at = self.ui.index;
        let code = self.lesson.code(at);
        if code.is_empty() {
            return None;
        }
        let names = self.lesson.names();
        let frame = self.frame(at);
        let threads = code
            .iter()
            .map(|c| {
                let t = frame.threads.get(c.thread.index());
                let head = match t {
                    Some(t) => super::tui::thread_head(t, words(self.lang)),
                    None => names.thread(c.thread).to_owned(),
                };
                // The loop's frame is drawn by the pane: its lines are the calls.
                let shown: Vec<usize> = (0..c.lines.len())
                    .filter(|&i| !matches!(c.lines[i], Line::Loop | Line::Handle | Line::End))
                    .collect();
                // The loop's body is indented; the exit after it is not.
                let body = |i: usize| {
                    let in_loop = c.lines[..i].iter().any(|l| matches!(l, Line::Loop))
                        && !c.lines[..i].iter().any(|l| matches!(l, Line::End));
                    if in_loop {
                        "  "
                    } else {
                        ""
                    }
                };
                CodeView {
                    head,
                    status: t.map_or(crate::model::ThreadStatus::Free, |t| t.status),
                    lines: shown
                        .iter()
                        .map(|&i| {
                            format!(
                                "{}{}",
                                body(i),
                                narrate::line(&c.lines[i], names, self.lang)
                            )
                        })
                        .collect(),
                    current: c
                        .current
                        .and_then(|cur| shown.iter().position(|&i| i == cur)),
                    inside: c.inside,
                }
            })
            .collect();
        Some(CodePane {
            title: lesson_words(self.lang).code.to_owned(),
            threads,
        })
    }

    /// Re-records the run in the next flavour (windows, wine, wine10, then
    /// windows again) and stays at the same step (or the last one, if that
    /// run stopped earlier).
    pub fn toggle_flavor(&mut self) {
        let next = match self.lesson.flavor() {
            Flavor::Windows => Flavor::Wine,
            Flavor::Wine => Flavor::Wine10,
            Flavor::Wine10 => Flavor::Windows,
        };
        self.lesson.set_flavor(next);
        self.rebuilt();
        let i = self.ui.index;
        self.go(i);
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
        if self.ui.overlay.take().is_some() {
            // Any key closes a box of text.
            self.ui.message = self.status();
            return Control::Continue;
        }
        if let Some(m) = &mut self.ui.menu {
            let n = m.lines.len();
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => self.close_menu(),
                KeyCode::Down | KeyCode::Char('j') if n > 0 => m.selected = (m.selected + 1) % n,
                KeyCode::Up | KeyCode::Char('k') if n > 0 => m.selected = (m.selected + n - 1) % n,
                KeyCode::PageDown => m.selected = (m.selected + 10).min(n.saturating_sub(1)),
                KeyCode::PageUp => m.selected = m.selected.saturating_sub(10),
                KeyCode::Char(c @ '1'..='9') => {
                    let i = c as usize - '1' as usize;
                    if i < n {
                        m.selected = i;
                        self.pick(i);
                    }
                }
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
                            words(self.lang).step,
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
            KeyCode::Char('f') => self.toggle_flavor(),
            KeyCode::Char('w') => self.why(),
            KeyCode::Char('a') => self.open_actions(),
            KeyCode::Char('m') => {
                self.switch_mode();
                self.go(i);
            }
            KeyCode::Char('t') => self.show_task(),
            KeyCode::Char('x') => match self.lesson.challenge_played().map(|c| c.goal) {
                Some(goal) => {
                    self.revealed = true;
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
