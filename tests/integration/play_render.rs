//! The terminal player, rendered through ratatui's buffer (no terminal):
//! what a student sees at 80x24 at chosen steps, and what the keys do.

use iocp_sim::model::Flavor;
use iocp_sim::narrate::Lang;
use iocp_sim::scenario;
use iocp_sim::views::player::{Control, Player};
use iocp_sim::views::tui::{buffer_text, to_buffer, Ui};
use ratatui::crossterm::event::KeyCode;

use crate::util::{key, oversub};

fn player(flavor: Flavor, lang: Lang) -> Player {
    Player::new(oversub(), flavor, lang)
}

fn screen(p: &Player, w: u16, h: u16) -> String {
    buffer_text(&to_buffer(p, p.ui(), w, h))
}

fn at(p: &mut Player, i: usize) -> String {
    p.go(i);
    screen(p, 80, 24)
}

/// The row (0-based) of the first line containing `needle`.
fn row_of(screen: &str, needle: &str) -> Option<usize> {
    screen.lines().position(|l| l.contains(needle))
}

#[test]
fn over_limit_marker_appears_at_the_unblock_step_only() {
    let mut p = player(Flavor::Windows, Lang::En);
    let before = at(&mut p, 5);
    assert!(
        !before.contains("OVER LIMIT"),
        "step 5 is within the limit:\n{before}"
    );
    assert!(before.contains("RTL 1/1"), "{before}");
    let s = at(&mut p, 6);
    assert!(s.contains("T2 unblocks"), "{s}");
    assert!(
        s.contains("OVER LIMIT"),
        "step 6 must show the over-limit marker:\n{s}"
    );
    assert!(s.contains("RTL 2/1 ▲ OVER LIMIT"), "{s}");
    assert!(
        s.contains("██|▲ 2/1") || s.contains("█|▲ 2/1"),
        "gauge shows one thread over:\n{s}"
    );
    assert!(
        s.contains("rule 4 (unblock)"),
        "narration names the rule:\n{s}"
    );
    // Back under the limit once T1 calls get again (step 9).
    let s9 = at(&mut p, 9);
    assert!(!s9.contains("OVER LIMIT"), "{s9}");
}

#[test]
fn the_whole_picture_fits_at_80x24() {
    let mut p = player(Flavor::Windows, Lang::En);
    let s = at(&mut p, 6);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 24);
    assert!(
        lines[0].contains("iocp-sim") && lines[0].contains("step 6/10"),
        "{}",
        lines[0]
    );
    for boxname in [
        "Device List",
        "IOCQ IO Completion Queue",
        "WTQ (0) LIFO",
        "RTL",
        "PTL (0)",
        "What happened and why",
    ] {
        assert!(s.contains(boxname), "{boxname} missing:\n{s}");
    }
    assert!(
        lines[22].starts_with("Threads: T1 running@P  T2 running@P  T3 free"),
        "{}",
        lines[22]
    );
    assert!(lines[23].contains("q quit"), "help line: {}", lines[23]);
}

#[test]
fn wtq_lists_threads_in_wake_order_with_the_top_marked() {
    let mut p = player(Flavor::Windows, Lang::En);
    let s = at(&mut p, 2);
    let top = row_of(&s, "▶ T2").expect("T2 is marked as next");
    assert!(s.lines().nth(top).unwrap().contains("← next"));
    let t1 = s
        .lines()
        .enumerate()
        .skip(top + 1)
        .find(|(_, l)| l.contains("│  T1"))
        .map(|(i, _)| i)
        .expect("T1 is listed below T2");
    assert_eq!(t1, top + 1, "T1 comes right after T2:\n{s}");
    assert!(s.contains("(2) LIFO"), "{s}");
}

#[test]
fn toggling_the_flavour_keeps_the_step_and_shows_wine_diverge() {
    let mut p = player(Flavor::Windows, Lang::En);
    key(&mut p, KeyCode::Char('3'));
    assert_eq!(key(&mut p, KeyCode::Enter), Control::Continue);
    assert_eq!(p.ui().index, 3);
    let win = screen(&p, 80, 24);
    assert!(win.contains("flavour windows"), "{win}");
    assert!(
        win.contains("T2 ← [key 1"),
        "Windows hands the packet to T2 (LIFO):\n{win}"
    );
    assert!(win.contains("▶ T1"), "{win}");
    key(&mut p, KeyCode::Char('f'));
    assert_eq!(p.flavor(), Flavor::Wine);
    assert_eq!(p.ui().index, 3, "the toggle stays at the same step");
    let wine = screen(&p, 80, 24);
    assert!(wine.contains("flavour wine"), "{wine}");
    assert!(
        wine.contains("T1 ← [key 1"),
        "Wine hands the packet to T1 (FIFO):\n{wine}"
    );
    assert!(wine.contains("▶ T2"), "{wine}");
    assert!(wine.contains("FIFO"), "{wine}");
    assert_ne!(win, wine);
    // Then Wine 10: the most recent waiter again, then back to Windows.
    key(&mut p, KeyCode::Char('f'));
    assert_eq!(p.flavor(), Flavor::Wine10);
    let wine10 = screen(&p, 80, 24);
    assert!(wine10.contains("flavour wine10"), "{wine10}");
    assert!(
        wine10.contains("T2 ← [key 1"),
        "Wine 10 hands the packet to T2 (LIFO):\n{wine10}"
    );
    assert!(wine10.contains("LIFO"), "{wine10}");
    key(&mut p, KeyCode::Char('f'));
    assert_eq!(p.flavor(), Flavor::Windows);
}

#[test]
fn keys_move_between_steps() {
    let mut p = player(Flavor::Windows, Lang::En);
    assert_eq!(p.ui().index, 0);
    key(&mut p, KeyCode::Right);
    key(&mut p, KeyCode::Right);
    assert_eq!(p.ui().index, 2);
    key(&mut p, KeyCode::Left);
    assert_eq!(p.ui().index, 1);
    key(&mut p, KeyCode::End);
    assert_eq!(p.ui().index, 10);
    key(&mut p, KeyCode::Right);
    assert_eq!(p.ui().index, 10, "no step after the last");
    key(&mut p, KeyCode::Home);
    assert_eq!(p.ui().index, 0);
    // Jump: digits, Backspace, Enter; the prompt shows while typing.
    key(&mut p, KeyCode::Char('7'));
    key(&mut p, KeyCode::Char('7'));
    key(&mut p, KeyCode::Backspace);
    assert!(screen(&p, 80, 24).contains("go to step: 7_"));
    key(&mut p, KeyCode::Enter);
    assert_eq!(p.ui().index, 7);
    key(&mut p, KeyCode::Char('9'));
    key(&mut p, KeyCode::Char('9'));
    key(&mut p, KeyCode::Enter);
    assert_eq!(p.ui().index, 10, "a step past the end goes to the last");
    assert!(screen(&p, 80, 24).contains("step 99 > 10"));
    key(&mut p, KeyCode::Char('2'));
    key(&mut p, KeyCode::Esc);
    assert_eq!(p.ui().index, 10, "Esc cancels the jump");
    assert_eq!(key(&mut p, KeyCode::Char('q')), Control::Quit);
}

#[test]
fn korean_labels_and_narration() {
    let mut p = player(Flavor::Windows, Lang::Ko);
    // Hangul takes two cells: wrapped narration must still end inside its box.
    let s8 = at(&mut p, 8);
    for line in s8.lines().filter(|l| l.starts_with('│')) {
        assert!(
            line.ends_with('│'),
            "a line runs over its box border:\n{line}\n{s8}"
        );
    }
    let s = at(&mut p, 6);
    assert!(s.contains("최대 초과"), "{s}");
    assert!(s.contains("릴리스 스레드 리스트"), "{s}");
    assert!(s.contains("단계 6/10"), "{s}");
    assert!(s.contains("규칙 4 (unblock"), "{s}");
    assert!(
        s8.contains("[키 3 |"),
        "packets use the Korean word for key: {s8}"
    );
}

#[test]
fn step_zero_shows_title_and_description() {
    let p = player(Flavor::Windows, Lang::En);
    let s = screen(&p, 100, 30);
    assert!(s.contains("before step 1"), "{s}");
    assert!(s.contains("One port with concurrency 1"), "{s}");
    let _ = Ui::default();
}

#[test]
fn toggling_past_the_end_of_a_shorter_run_goes_to_its_last_step() {
    let mut p = player(Flavor::Windows, Lang::En);
    p.go(8);
    key(&mut p, KeyCode::Char('f'));
    // In Wine, T1 (not T2) gets the first packet, so step 4 (block T2, who
    // is still waiting) is rejected and the run stops there.
    assert_eq!(p.ui().index, 4);
    let s = screen(&p, 80, 40);
    assert!(s.contains("REJECTED"), "{s}");
    assert!(s.contains("the run stopped here"), "{s}");
}

#[test]
fn a_large_terminal_shows_every_port_at_once() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/two-ports-devices.json"
    );
    let mut p = Player::new(
        scenario::load(std::path::Path::new(path)).unwrap(),
        Flavor::Windows,
        Lang::En,
    );
    p.go(13);
    let big = screen(&p, 140, 40);
    assert!(
        big.contains("port P · IOCQ") && big.contains("port Q · IOCQ"),
        "{big}"
    );
    assert!(big.contains("sockA → P key 1"), "{big}");
    // At 80x24 only the step's port (Q: T3 waits there) is drawn.
    let small = screen(&p, 80, 24);
    assert!(
        small.contains("port Q") && !small.contains("port P"),
        "{small}"
    );
    assert!(small.contains("▶ T3"), "{small}");
    // Tab switches the port shown.
    key(&mut p, KeyCode::Tab);
    let small = screen(&p, 80, 24);
    assert!(
        small.contains("port P") && !small.contains("port Q"),
        "{small}"
    );
}

#[test]
fn long_narration_says_there_is_more_and_scrolls() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sim-scenarios/04-over-subscription.json"
    );
    let mut p = Player::new(
        scenario::load(std::path::Path::new(path)).unwrap(),
        Flavor::Windows,
        Lang::Ko,
    );
    p.go(8);
    let s = screen(&p, 80, 24);
    assert!(s.contains("▼ 더 보기: PgDn"), "{s}");
    let last_rule = "방식으로 스스로 바로잡힙니다";
    assert!(!s.contains(last_rule), "{s}");
    let mut s = screen(&p, 80, 24);
    for _ in 0..10 {
        if !s.contains("더 보기") {
            break;
        }
        key(&mut p, KeyCode::PageDown);
        s = screen(&p, 80, 24);
    }
    assert!(s.contains(last_rule), "scrolled to the end:\n{s}");
    assert!(!s.contains("더 보기"), "{s}");
}
