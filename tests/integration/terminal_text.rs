//! One rule for text that reaches a terminal (issue 24): whatever a file
//! says (a title, description, note, hint, id, label or name holding
//! escape sequences, other control characters or bidirectional controls)
//! and whatever path it is read from, no command and no player writes it
//! raw: it is shown escaped (`\u{1b}`), as `run` does.
//!
//! The files are in `tests/data/hostile-text/` (the characters as JSON and
//! TOML escapes, so the files themselves are plain); files that must hold
//! the raw bytes (a source line shown under an error) are written here.

use std::path::{Path, PathBuf};
use std::process::Output;

use iocp_sim::challenge;
use iocp_sim::model::Flavor;
use iocp_sim::narrate::Lang;
use iocp_sim::views::player::Player;
use iocp_sim::views::tui::{self, buffer_text, to_buffer};
use ratatui::crossterm::event::KeyCode;

use crate::util::{self, bin, key, repo, stderr, stdout, write};

/// The text every fixture holds in every author field: an OSC that
/// retitles the window, a CSI that clears the screen, one that colours,
/// C1 controls (CSI, OSC, ST), the bidirectional controls, a carriage
/// return, a backspace, DEL and NUL.
const HOSTILE: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}[31m\u{9b}1m\u{9d}0;X\u{9c}\u{202e}evil\u{2066}\u{200f}\u{61c}\r\u{8}\u{7f}\u{0}";

/// [`HOSTILE`] as the fixtures write it (JSON escapes).
const HOSTILE_JSON: &str = r"\u001b]0;PWNED\u0007\u001b[2J\u001b[31m\u009b1m\u009d0;X\u009c\u202eevil\u2066\u200f\u061c\r\b\u007f\u0000";

/// How the start of [`HOSTILE`] looks once escaped: the evidence that the
/// text was shown, not dropped.
const SHOWN: &str = "\\u{1b}]0;PWNED\\u{7}";

/// The fixtures folder.
fn fixtures() -> PathBuf {
    repo("tests/data/hostile-text")
}

/// The characters a terminal acts on instead of showing, found in `s`,
/// each with its position: C0 controls but new line and tab, DEL, C1
/// controls, and the bidirectional formatting characters. Written here
/// apart from the escaper, so that a test checks it rather than trusts it.
fn raw_controls(s: &str) -> Vec<(usize, char)> {
    s.char_indices()
        .filter(|&(_, c)| {
            let u = c as u32;
            (u < 0x20 && c != '\n' && c != '\t')
                || (0x7f..=0x9f).contains(&u)
                || matches!(u, 0x61c | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
        })
        .collect()
}

/// Fails with the context if `s` holds a raw control.
fn assert_inert(what: &str, s: &str) {
    let found = raw_controls(s);
    assert!(
        found.is_empty(),
        "{what}: raw control characters {:?} reach the terminal in:\n{}",
        found.iter().map(|(_, c)| *c).collect::<Vec<_>>(),
        s.escape_debug()
    );
}

/// Runs `iocp-sim ARGS` in `dir` with `IOCP_SIM_ERRORS=form` (short or
/// long errors) and stdin closed.
fn run_in(dir: &Path, form: &str, args: &[&str]) -> Output {
    bin()
        .args(args)
        .current_dir(dir)
        .env("IOCP_SIM_ERRORS", form)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run iocp-sim")
}

/// Runs the command in both error forms and checks that standard output
/// and standard error hold no raw control, no panic, and (if `shows`) the
/// escaped text.
fn check_command(dir: &Path, args: &[&str], shows: bool) {
    for form in ["short", "long"] {
        let o = run_in(dir, form, args);
        let (out, err) = (stdout(&o), stderr(&o));
        let what = format!(
            "iocp-sim {args:?} (IOCP_SIM_ERRORS={form}, exit {:?})",
            o.status.code()
        );
        assert!(!err.contains("panicked"), "{what} panicked: {err}");
        assert_inert(&format!("{what}, stdout"), &out);
        assert_inert(&format!("{what}, stderr"), &err);
        if shows {
            assert!(
                out.contains(SHOWN) || err.contains(SHOWN),
                "{what}: the text is not shown escaped:\n{out}\n{err}"
            );
        }
    }
}

#[test]
fn every_command_shows_file_text_escaped() {
    let dir = fixtures();
    let cases: &[(&[&str], bool)] = &[
        (&["run", "scenario.json"], true),
        (&["run", "scenario.json", "--lang", "ko"], true),
        (&["run", "scenario.json", "--flavor", "wine"], true),
        (&["run", "scenario-unknown-thread.json"], true),
        (&["check", "scenario.json"], true),
        (&["check", "scenario-unknown-thread.json"], true),
        (&["challenge", "--solve", "challenge.json"], true),
        (
            &["challenge", "--solve", "challenge.json", "--lang", "ko"],
            true,
        ),
        (
            &["challenge", "--solve", "challenge-missing-lesson.json"],
            true,
        ),
        (&["explore", "explore.json"], true),
        (&["explore", "explore.json", "--find", "wtq >= 2"], true),
        (&["explore", "explore.json", "--find", "over_limit"], true),
        (&["explore", "explore-unknown-port.json"], true),
        (&["lab", "lab.toml"], true),
        (
            &["lab", "lab.toml", "--sweep", "threads=1,2", "--quiet"],
            true,
        ),
        (&["lab", "lab-unknown-policy.toml"], true),
        (&["live", "lab.toml", "--completions", "50"], false),
        (&["live", "lab-unknown-policy.toml"], true),
        (
            &["diff", "--script", "scenario.json", "--against", "wine"],
            false,
        ),
        // No terminal here: the player refuses, naming nothing of the file.
        (&["play", "scenario.json"], false),
        (&["challenge", "challenge.json"], false),
    ];
    for (args, shows) in cases {
        check_command(&dir, args, *shows);
    }
}

#[test]
fn paths_with_control_characters_are_shown_escaped() {
    // A file name may hold any byte but `/` and NUL: every message that
    // names a file (missing, refused or written) names it escaped.
    let dir = util::scratch("terminal_text", "paths");
    let odd = HOSTILE.replace('\0', "");
    let scenario = format!("s{odd}.json");
    std::fs::copy(fixtures().join("scenario.json"), dir.join(&scenario)).expect("copy");
    let missing = format!("missing{odd}.json");
    let out = format!("out{odd}.html");
    let svg = format!("out{odd}.svg");
    let trace = format!("trace{odd}.json");
    std::fs::copy(fixtures().join("explore.json"), dir.join("explore.json")).expect("copy");
    let lab = format!("lab{odd}.toml");
    std::fs::copy(fixtures().join("lab.toml"), dir.join(&lab)).expect("copy");
    let cases: &[(&[&str], bool)] = &[
        (&["run", &scenario], true),
        (&["run", &missing], true),
        (&["check", &scenario], true),
        (&["check", "."], true),
        (&["check", &missing], true),
        (&["export", &scenario, "--html", &out, "--svg", &svg], true),
        (&["export", &missing, "--html", "x.html"], true),
        (&["explore", &missing], true),
        (
            &[
                "explore",
                "explore.json",
                "--find",
                "wtq >= 2",
                "--out",
                &trace,
            ],
            true,
        ),
        (&["lab", &lab], true),
        (&["lab", &missing], true),
        (&["live", &lab, "--completions", "50"], false),
        (&["live", &missing], true),
        (&["challenge", "--solve", &missing], true),
        (&["diff", "--script", &scenario, "--against", "wine"], true),
    ];
    for (args, shows) in cases {
        check_command(&dir, args, *shows);
    }
}

#[test]
fn a_source_line_under_an_error_is_shown_escaped_with_its_caret_in_place() {
    // Raw bytes in the files, where the long form of an error shows the
    // line: a raw control in a string is itself the error.
    let dir = util::scratch("terminal_text", "source_lines");
    let raw = HOSTILE.replace('\0', "");
    let bidi = "\u{202e}\u{9b}1m\u{9d}0;X\u{9c}\u{2066}";
    write(
        &dir,
        "control.json",
        &format!(r#"{{"format":"iocp-sim/1","title":"{raw}","ports":[]}}"#),
    );
    write(
        &dir,
        "unknown-key.json",
        &format!(r#"{{"format":"iocp-sim/1","title":"{bidi}", "bogus": 1}}"#),
    );
    write(
        &dir,
        "spec.json",
        &format!(r#"{{"format":"iocp-sim-explore/1","title":"{bidi}", "bogus": 1}}"#),
    );
    write(
        &dir,
        "lab.toml",
        &format!("name = \"{bidi}\" # {raw}\npolicy = \"{bidi}lifo\"\n"),
    );
    for args in [
        ["run", "control.json"],
        ["check", "unknown-key.json"],
        ["explore", "spec.json"],
        ["lab", "lab.toml"],
    ] {
        check_command(&dir, &args, false);
    }
    // The caret stays under the word at fault, and the position named is
    // the file's own (line 1, column 51: after the raw characters).
    let o = run_in(&dir, "long", &["run", "unknown-key.json"]);
    let err = stderr(&o);
    assert!(err.contains("unknown-key.json:1:"), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    let source = lines
        .iter()
        .position(|l| l.contains("\"bogus\""))
        .unwrap_or_else(|| panic!("no source line in {err}"));
    let col = lines[source].find("\"bogus\"").expect("word");
    let caret = lines[source + 1].find('^').expect("caret");
    assert_eq!(col, caret, "the caret is not under the word:\n{err}");
    let column = r#"{"format":"iocp-sim/1","title":""#.len() + bidi.chars().count() + 4;
    assert!(
        err.contains(&format!("unknown-key.json:1:{column}")),
        "the position is not the file's (column {column}):\n{err}"
    );
}

/// The hostile lesson, in `lang`.
fn hostile_player(lang: Lang) -> Player {
    let s = util::load(&fixtures().join("scenario.json"));
    Player::new(s, Flavor::Windows, lang)
}

/// Every cell of a drawn picture, checked; returns the picture's text.
fn drawn(p: &Player, w: u16, h: u16, what: &str) -> String {
    let buf = to_buffer(p, p.ui(), w, h);
    let mut cells = String::new();
    for c in buf.content() {
        cells.push_str(c.symbol());
    }
    assert_inert(&format!("{what} at {w}x{h}"), &cells);
    buffer_text(&buf)
}

#[test]
fn the_players_draw_file_text_escaped_in_every_cell() {
    for lang in [Lang::En, Lang::Ko] {
        let mut p = hostile_player(lang);
        let last = p.show().last();
        let mut seen = String::new();
        for i in 0..=last {
            p.go(i);
            for (w, h) in [(80, 24), (120, 40), (40, 12)] {
                seen.push_str(&drawn(&p, w, h, &format!("play, frame {i}")));
            }
        }
        // The action menu names threads, ports and labels.
        p.go(1);
        key(&mut p, KeyCode::Char('a'));
        assert!(p.ui().menu.is_some(), "the action menu opens");
        seen.push_str(&drawn(&p, 80, 24, "play, the action menu"));
        for needle in ["T\\u{1b}", "P\\u{1b}", SHOWN] {
            assert!(seen.contains(needle), "{needle} is not shown:\n{seen}");
        }
    }
    let ch = challenge::load(&fixtures().join("challenge.json")).expect("the challenge loads");
    let mut p = Player::challenge(ch, Lang::En);
    let mut seen = drawn(&p, 80, 24, "challenge");
    p.hint();
    seen.push_str(&drawn(&p, 80, 24, "challenge, a hint"));
    key(&mut p, KeyCode::Char('a'));
    seen.push_str(&drawn(&p, 80, 24, "challenge, the action menu"));
    for needle in ["Challenge", "Hint", SHOWN] {
        assert!(seen.contains(needle), "{needle} is not shown:\n{seen}");
    }
}

/// Where the picture's box corners and sides are (the frame's layout;
/// the top and bottom edges hold titles, which differ).
fn borders(screen: &str) -> Vec<(usize, usize, char)> {
    screen
        .lines()
        .enumerate()
        .flat_map(|(y, l)| {
            l.chars()
                .enumerate()
                .filter(|(_, c)| "┌┐└┘│".contains(*c))
                .map(move |(x, c)| (y, x, c))
        })
        .collect()
}

#[test]
fn a_hostile_title_leaves_the_80x24_frame_intact() {
    // The same lesson with plain names: every box and line is where it is
    // with the hostile text, and the title and help bars keep their rows.
    let text = std::fs::read_to_string(fixtures().join("scenario.json")).expect("read");
    let plain = text.replace(HOSTILE_JSON, "");
    assert_ne!(plain, text, "the fixture holds the hostile text");
    let plain = iocp_sim::scenario::load_str("plain.json", &plain).expect("plain loads");
    let mut clean = Player::new(plain, Flavor::Windows, Lang::En);
    let mut hostile = hostile_player(Lang::En);
    for i in 0..=hostile.show().last() {
        clean.go(i);
        hostile.go(i);
        let a = drawn(&clean, 80, 24, "plain");
        let b = drawn(&hostile, 80, 24, "hostile");
        assert_eq!(b.lines().count(), 24, "{b}");
        assert!(
            b.lines()
                .next()
                .is_some_and(|l| l.starts_with(" iocp-sim · Title")),
            "{b}"
        );
        assert!(
            b.lines().last().is_some_and(|l| l.contains('q')),
            "the help line stays last:\n{b}"
        );
        assert!(
            borders(&a) == borders(&b),
            "frame {i}: the boxes moved:\n{a}\n{b}"
        );
    }
}

#[test]
fn the_bytes_the_player_writes_hold_no_sequence_of_the_file() {
    // What crossterm writes for the picture (the player's real terminal
    // path, into a buffer): its own cursor and colour sequences only.
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{Terminal, TerminalOptions, Viewport};
    use std::cell::RefCell;
    use std::rc::Rc;
    /// The terminal's output, kept.
    #[derive(Clone, Default)]
    struct Kept(Rc<RefCell<Vec<u8>>>);
    impl std::io::Write for Kept {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let kept = Kept::default();
    let mut p = hostile_player(Lang::En);
    let options = TerminalOptions {
        viewport: Viewport::Fixed(Rect::new(0, 0, 80, 24)),
    };
    let mut terminal = Terminal::with_options(CrosstermBackend::new(kept.clone()), options)
        .expect("a terminal on a buffer");
    for i in 0..=p.show().last() {
        p.go(i);
        terminal
            .draw(|f| tui::render(&p, p.ui(), f.area(), f.buffer_mut()))
            .expect("draw");
    }
    let text = String::from_utf8(kept.0.take()).expect("UTF-8");
    for bad in [
        "\u{1b}]",
        "\u{1b}[2J",
        "\u{7}",
        "\r",
        "\u{8}",
        "\u{7f}",
        "\u{0}",
    ] {
        assert!(!text.contains(bad), "the player wrote {bad:?}");
    }
    // Every escape that remains starts one of crossterm's CSI sequences.
    for (i, _) in text.match_indices('\u{1b}') {
        assert_eq!(
            text.as_bytes().get(i + 1),
            Some(&b'['),
            "a bare ESC at byte {i}"
        );
    }
    let others: String = text.chars().filter(|&c| c != '\u{1b}').collect();
    assert_inert(
        "the player's bytes (ESC of its own sequences aside)",
        &others,
    );
    assert!(text.contains(SHOWN), "the title is drawn escaped");
}

/// A tmux server of this test's own (its own socket), killed when dropped.
struct Tmux(String);

impl Tmux {
    /// Starts `command` in a detached 80x24 session, or `None` (with a
    /// loud notice) without tmux, unless `IOCP_SIM_REQUIRE_TMUX=1`.
    fn start(name: &str, dir: &Path, command: &str) -> Option<Tmux> {
        let socket = format!("iocp-sim-{name}-{}", std::process::id());
        let t = Tmux(socket);
        let started = t
            .cmd(&["new-session", "-d", "-x", "80", "-y", "24", "-s", "t"])
            .current_dir(dir)
            .arg(command)
            .status();
        match started {
            Ok(s) if s.success() => Some(t),
            other => {
                assert!(
                    std::env::var("IOCP_SIM_REQUIRE_TMUX").as_deref() != Ok("1"),
                    "IOCP_SIM_REQUIRE_TMUX=1 but tmux did not start: {other:?}"
                );
                use std::io::Write as _;
                let _ = std::io::stderr().write_all(
                    b"\n*** SKIPPED: no tmux; the player was NOT tested in a real terminal \
                      (apt-get install -y tmux, or IOCP_SIM_REQUIRE_TMUX=1 to fail) ***\n\n",
                );
                None
            }
        }
    }

    fn cmd(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new("tmux");
        c.args(["-L", &self.0, "-f", "/dev/null"]).args(args);
        c
    }

    fn out(&self, args: &[&str]) -> String {
        let o = self.cmd(args).output().expect("tmux");
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// The screen as a person sees it, once it shows `needle` (10 s at most).
    fn screen_with(&self, needle: &str) -> String {
        let start = std::time::Instant::now();
        loop {
            let s = self.out(&["capture-pane", "-p", "-t", "t"]);
            if s.contains(needle) || start.elapsed().as_secs() > 10 {
                return s;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        assert!(self.cmd(&args).status().expect("tmux").success());
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // The server is gone already when the player quit.
        let _ = self
            .cmd(&["kill-server"])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

#[test]
fn in_a_real_terminal_the_players_keep_the_window_title_and_the_picture() {
    // tmux takes an OSC 0 as the pane's title and a CSI 2J as a clear: what
    // a student's terminal would do with the raw text.
    let dir = fixtures();
    type Stage = (&'static [&'static str], &'static str);
    let runs: [(&str, &str, [Stage; 2]); 2] = [
        (
            "play",
            "scenario.json",
            [(&[], "q quit"), (&["Right", "Right", "a"], "Esc close")],
        ),
        (
            "challenge",
            "challenge.json",
            // It opens with its task over the picture; any key closes it.
            [(&[], "any key closes"), (&["Space", "?"], "hint 1/1")],
        ),
    ];
    for (name, file, stages) in runs {
        let command = format!("{} {name} {file}", util::BIN);
        let Some(t) = Tmux::start(name, &dir, &command) else {
            return;
        };
        for (keys, bottom) in stages {
            if !keys.is_empty() {
                t.keys(keys);
            }
            let screen = t.screen_with(bottom);
            let title = t.out(&["display", "-p", "-t", "t", "#{pane_title}"]);
            assert!(
                !title.contains("PWNED"),
                "{name}: the window was retitled: {title}"
            );
            let rows: Vec<&str> = screen.lines().collect();
            assert_eq!(rows.len(), 24, "{name}: the picture lost rows:\n{screen}");
            assert!(
                rows[0].starts_with(" iocp-sim · "),
                "{name}: the title bar moved:\n{screen}"
            );
            assert!(
                screen.contains(bottom),
                "{name}: {bottom:?} is not shown:\n{screen}"
            );
            assert!(
                screen.contains(SHOWN),
                "{name}: the text is not shown escaped:\n{screen}"
            );
            assert_eq!(
                widest_box_edge(&rows),
                80,
                "{name}: a box edge moved:\n{screen}"
            );
        }
        t.keys(&["q"]);
    }
}

/// The width of the widest top or bottom edge of a box (80: the boxes
/// span the screen, none was pushed or cut).
fn widest_box_edge(rows: &[&str]) -> usize {
    rows.iter()
        .filter(|r| r.starts_with('┌') || r.starts_with('└'))
        .map(|r| r.chars().count())
        .max()
        .unwrap_or(0)
}
