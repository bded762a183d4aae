//! The terminal player: [`Player`] holds the scenario, the recorded run and
//! the [`Ui`] state and turns keys into moves ([`Player::key`], pure and
//! testable); [`run`] is the thin event loop around a real terminal.

use std::io::{self, IsTerminal};

use ratatui::crossterm::event::{
    self, Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::prelude::CrosstermBackend;
use ratatui::Terminal;

use super::frame::Show;
use super::tui::{render, Ui};
use crate::model::Flavor;
use crate::narrate::Lang;
use crate::scenario::Scenario;

/// What the event loop should do after a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Keep going (redraw).
    Continue,
    /// Leave the player.
    Quit,
}

/// The player's whole state.
#[derive(Debug)]
pub struct Player {
    scenario: Scenario,
    lang: Lang,
    flavor: Flavor,
    show: Show,
    ui: Ui,
}

impl Player {
    /// A player at the state before step 1.
    pub fn new(scenario: Scenario, flavor: Flavor, lang: Lang) -> Player {
        let show = Show::new(&scenario, flavor, lang);
        Player {
            scenario,
            lang,
            flavor,
            show,
            ui: Ui::default(),
        }
    }

    /// The recorded run being shown.
    pub fn show(&self) -> &Show {
        &self.show
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
        self.show = Show::new(&self.scenario, self.flavor, self.lang);
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
                            super::words::words(self.lang).step,
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
            KeyCode::Tab => {
                let n = self.show.frames[i].ports.len().max(1);
                let cur = self.ui.port.unwrap_or(self.show.frames[i].focus);
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
            render(&player.show, &player.ui, area, f.buffer_mut())
        })?;
        if let TermEvent::Key(k) = event::read()? {
            if player.key(k) == Control::Quit {
                break;
            }
        }
    }
    Ok(())
}
