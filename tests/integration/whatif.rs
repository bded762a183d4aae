//! What-if in the terminal player, without a terminal: the keys open the
//! list of actions the model allows at the step shown (refused ones with
//! the model's reason), a pick branches the lesson, `s` asks to save the
//! branch (which `check` accepts), and `x` asks the explorer for the
//! shortest way to a goal and plays it.

use iocp_sim::lesson::Mode;
use iocp_sim::model::Flavor;
use iocp_sim::narrate::Lang;
use iocp_sim::runner::Runner;
use iocp_sim::scenario::{self, Scenario};
use iocp_sim::views::player::{Control, Player};
use iocp_sim::views::tui::{buffer_text, to_buffer};
use ratatui::crossterm::event::KeyCode;

use crate::util::{bin, choose, key};

const LESSON: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/sim-scenarios/04-over-subscription.json"
);

/// Lesson 04 in every-call mode (its threads have programs, so the player
/// starts in scheduler mode; `m` switches).
fn player(lang: Lang) -> Player {
    let mut p = scheduler(lang);
    key(&mut p, KeyCode::Char('m'));
    assert_eq!(p.mode(), Mode::EveryCall);
    p
}

/// Lesson 04 in scheduler mode, the player's default for it.
fn scheduler(lang: Lang) -> Player {
    let sc = scenario::load(std::path::Path::new(LESSON)).expect("lesson 04 loads");
    let p = Player::new(sc, Flavor::Windows, lang);
    assert_eq!(p.mode(), Mode::Scheduler);
    p
}

/// Every expectation of `sc` holds and no step is refused unexpectedly;
/// returns the number of expectations checked.
fn check(sc: &Scenario) -> usize {
    let mut runner = Runner::new(&sc.world, sc.world.flavor);
    let mut checked = 0;
    for step in &sc.steps {
        let report = runner.step(step, &sc.names);
        assert!(!report.unexpected_rejection(step), "step {}", step.number);
        assert!(
            report.mismatches.is_empty(),
            "step {}: {:?}",
            step.number,
            report.mismatches
        );
        checked += step.expect.as_ref().map_or(0, |e| e.count());
    }
    checked
}

#[test]
fn refused_actions_are_grey_with_the_reason_and_change_nothing() {
    let mut p = player(Lang::En);
    key(&mut p, KeyCode::Char('a'));
    let menu = p.ui().menu.clone().expect("open");
    let (i, (_, why)) = menu
        .lines
        .iter()
        .enumerate()
        .find(|(_, (t, _))| t.starts_with("T1 unblocks"))
        .expect("unblock T1 is offered");
    let why = why.as_ref().expect("a free thread cannot unblock");
    assert!(why.contains("T1"), "{why}");
    let s = buffer_text(&to_buffer(&p, p.ui(), 100, 30));
    assert!(s.contains("Every call"), "{s}");
    let steps = p.scenario().steps.len();
    for _ in 0..i {
        key(&mut p, KeyCode::Down);
    }
    key(&mut p, KeyCode::Enter);
    assert_eq!(
        p.scenario().steps.len(),
        steps,
        "a refused pick branches nothing"
    );
    assert!(p.ui().menu.is_some(), "the list stays open");
    key(&mut p, KeyCode::Esc);
    assert!(p.ui().menu.is_none());
    assert_eq!(p.ui().index, 0);
}

#[test]
fn a_student_reaches_over_limit_by_their_own_moves_and_saves_the_branch() {
    let mut p = player(Lang::En);
    // Two steps into lesson 4 (both threads wait), then branch.
    key(&mut p, KeyCode::Right);
    key(&mut p, KeyCode::Right);
    choose(&mut p, "post");
    assert_eq!(p.ui().index, 3);
    assert_eq!(
        p.scenario().steps.len(),
        3,
        "the lesson's later steps are gone"
    );
    choose(&mut p, "T2 blocks");
    choose(&mut p, "post");
    choose(&mut p, "T2 unblocks");
    let frame = &p.frame(p.ui().index);
    assert!(frame.ports[0].over, "{frame:#?}");
    assert_eq!(p.show().last(), 6);
    let s = buffer_text(&to_buffer(&p, p.ui(), 100, 30));
    assert!(s.contains("OVER LIMIT"), "{s}");

    assert_eq!(key(&mut p, KeyCode::Char('s')), Control::Save);
    let json = p.branch_json();
    let saved = scenario::load_str("branch.json", &json).expect("the branch reads");
    assert_eq!(saved.steps.len(), 6);
    assert!(check(&saved) > 6 * 3, "every step carries expectations");
    let dir = crate::util::scratch("whatif", "a_student_reaches_over_limit");
    p.save_and_report(&dir);
    let msg = p.ui().message.clone().unwrap();
    assert!(msg.contains("04-over-subscription-whatif-1.json"), "{msg}");
    let out = bin()
        .arg("check")
        .arg(dir.join("04-over-subscription-whatif-1.json"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    p.save_and_report(&dir);
    assert!(dir.join("04-over-subscription-whatif-2.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_explorer_plays_the_shortest_way_to_a_goal() {
    let mut p = player(Lang::Ko);
    key(&mut p, KeyCode::Char('x'));
    let menu = p.ui().menu.clone().expect("goal list");
    assert!(menu.lines[0].0.starts_with("RTL이 최대 스레드 수를 넘음"));
    key(&mut p, KeyCode::Enter);
    // From the empty port: two polls put two threads in the RTL of a port
    // whose limit is 1.
    assert_eq!(p.scenario().steps.len(), 2);
    assert_eq!(p.ui().index, 1);
    let last = p.show().last();
    assert!(p.frame(last).ports[0].over);
    let note = p.frame(1).note.clone().unwrap();
    assert!(note.contains("탐색기"), "{note}");
    assert!(p.ui().message.clone().unwrap().contains('2'));

    // From there, a lost packet: a post and a close.
    p.go(last);
    key(&mut p, KeyCode::Char('x'));
    key(&mut p, KeyCode::Down);
    key(&mut p, KeyCode::Down);
    key(&mut p, KeyCode::Enter);
    assert_eq!(p.scenario().steps.len(), 4);
    let saved = scenario::load_str("b.json", &p.branch_json()).unwrap();
    check(&saved);
}

/// Lesson 04's port has concurrency 1: a marked worker posting to it
/// counts as running, so its packet waits at the limit, never with room.
#[test]
fn idle_with_work_is_out_of_reach_at_concurrency_1_and_the_player_says_so() {
    let mut p = player(Lang::En);
    key(&mut p, KeyCode::Char('x'));
    key(&mut p, KeyCode::Down);
    key(&mut p, KeyCode::Enter);
    let msg = p.ui().message.clone().unwrap();
    assert!(
        msg.contains("a packet queued while a thread waits and the port has room: not reachable within 8 moves"),
        "{msg}"
    );
    assert_eq!(p.scenario().steps.len(), 10, "the lesson is unchanged");
}

#[test]
fn the_menu_fits_at_80x24_in_korean() {
    for mut p in [player(Lang::Ko), scheduler(Lang::Ko)] {
        p.go(4);
        key(&mut p, KeyCode::Char('a'));
        let s = buffer_text(&to_buffer(&p, p.ui(), 80, 24));
        assert!(s.contains("1. "), "numbered from 1: {s}");
        let title = p.ui().menu.as_ref().unwrap().title.trim().to_owned();
        assert!(s.contains(&title), "the whole title: {title}\n{s}");
        for line in s.lines().filter(|l| l.starts_with("│")) {
            assert!(line.ends_with('│'), "{line}");
        }
    }
}

#[test]
fn the_scheduler_menu_offers_a_run_per_thread_and_the_worlds_moves() {
    let mut p = scheduler(Lang::En);
    p.go(3);
    key(&mut p, KeyCode::Char('a'));
    let menu = p.ui().menu.clone().expect("open");
    let texts: Vec<&str> = menu.lines.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        texts,
        [
            "T1 runs: GetQueuedCompletionStatus(P, INFINITE)",
            "T2 runs: WaitForSingleObject(db reply)",
            "the teacher posts a packet to P (key 1)",
            "the teacher posts a packet to P (key 4)",
            "close port P",
        ]
    );
    // T1 waits in its get: the run is grey, and its reason is one line.
    let why = menu.lines[0].1.clone().expect("refused");
    assert!(why.contains("T1 is waiting in P's WTQ"), "{why}");
    assert!(!why.contains('\n'));
    let s = buffer_text(&to_buffer(&p, p.ui(), 80, 24));
    assert!(s.contains("1. T1 runs"), "{s}");
    // Digits pick: T2 blocks on the database; T1 is woken for nothing.
    key(&mut p, KeyCode::Char('2'));
    assert_eq!(p.ui().index, 4);
    assert!(p.ui().menu.is_none());
    let code = p.ui().code.clone().expect("the code pane");
    assert_eq!(code.threads[1].head, "T2 paused@P");
    assert_eq!(
        code.threads[1].lines[code.threads[1].current.unwrap()],
        "  if key 1: WaitForSingleObject(db reply)"
    );
    // The database answers (a world move): T2 runs again, its get next.
    choose(
        &mut p,
        "WaitForSingleObject(db reply) returns: T2's wait ends",
    );
    let code = p.ui().code.clone().unwrap();
    assert_eq!(
        code.threads[1].lines[code.threads[1].current.unwrap()],
        "  get(P)"
    );
    let saved = scenario::load_str("b.json", &p.branch_json()).unwrap();
    assert!(check(&saved) > 0);
}

#[test]
fn in_scheduler_mode_the_explorer_runs_the_programs() {
    let mut p = scheduler(Lang::En);
    key(&mut p, KeyCode::Char('x'));
    key(&mut p, KeyCode::Enter);
    // Through the PTL: both wait, a request for the database, T2 blocks,
    // a post wakes T1, the database answers.
    assert_eq!(p.scenario().steps.len(), 6);
    assert!(p.frame(6).ports[0].over);
    let saved = scenario::load_str("b.json", &p.branch_json()).unwrap();
    assert!(
        saved.steps.iter().all(|s| !s.off_program),
        "every move is the programs'"
    );
    check(&saved);
}

/// A short menu sits under the structures: with the scheduler's moves open
/// at 80x24, the WTQ, the RTL (over its limit or not) and the PTL are still
/// in sight, and the refusal's reason too.
#[test]
fn a_short_menu_leaves_the_structures_in_sight() {
    let mut p = scheduler(Lang::En);
    p.go(3);
    key(&mut p, KeyCode::Char('a'));
    let s = buffer_text(&to_buffer(&p, p.ui(), 80, 24));
    for shown in ["Device List", "WTQ (1)", "RTL 1/1", "PTL (0)", "1. T1 runs"] {
        assert!(s.contains(shown), "{shown:?} is not in sight:\n{s}");
    }
    assert!(s.contains("T1 is waiting in P's WTQ"), "{s}");
}
