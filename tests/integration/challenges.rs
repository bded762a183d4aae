//! Challenges: every bundled one reads, is written in every language, and
//! the explorer's shortest answer matches the one the file gives; the
//! player counts moves, checks the goal and compares; bad files are
//! refused with the file and the reason.

use std::path::PathBuf;

use iocp_sim::challenge::{self, Challenge};
use iocp_sim::explore::free::{Goal, Shortest};
use iocp_sim::lesson::Mode;
use iocp_sim::narrate::Lang;
use iocp_sim::views::player::Player;
use ratatui::crossterm::event::KeyCode;

use crate::util::{bin, choose, json_files, key, repo, scratch, write};

fn dir() -> PathBuf {
    repo("sim-scenarios/challenges")
}

fn bundled() -> Vec<(String, Challenge)> {
    json_files(&dir())
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let ch = challenge::load(&p).unwrap_or_else(|e| panic!("{e}"));
            (name, ch)
        })
        .collect()
}

#[test]
fn the_classic_questions_are_bundled() {
    let goals: Vec<(Goal, &str)> = bundled()
        .iter()
        .map(|(_, c)| (c.goal, c.flavor.as_str()))
        .collect();
    for want in [
        "over_limit",
        "idle_with_work",
        "lost > 0",
        "wake_oldest",
        "held_at_limit",
        "aborted_dequeued",
    ] {
        assert!(
            goals
                .iter()
                .any(|(g, f)| g.to_string() == want && *f == "windows"),
            "no Windows challenge for {want}"
        );
    }
    assert!(goals.iter().any(|(g, _)| *g == Goal::CleanShutdown));
    // Over the limit through the PTL alone: polls and timeouts forbidden.
    let ptl = challenge::load(&dir().join("over-limit-ptl.json")).unwrap();
    let forbidden: Vec<&str> = ptl.restrictions.forbid.iter().map(|r| r.op).collect();
    assert_eq!(forbidden, ["poll", "timeout"]);
}

/// Every bundled challenge is played as the scheduler: its threads have
/// programs, and a student solves it in the terminal player, by keys, in
/// as many moves as the explorer's shortest answer (the menu's moves are
/// the lesson's, in its order; each is picked by arrows and Enter).
#[test]
fn a_student_solves_every_bundled_challenge_in_scheduler_mode_in_the_fewest_moves() {
    let mut solved = 0;
    for (name, ch) in bundled() {
        assert!(ch.scheduled(), "{name}: its threads have programs");
        let Some(shortest) = ch.shortest else {
            continue;
        };
        let Shortest::Found(path) = iocp_sim::lesson::solve(&ch) else {
            panic!("{name}: solvable")
        };
        let mut p = Player::challenge(ch, Lang::En);
        assert!(p.ui().overlay.is_some(), "{name}: it opens with its task");
        key(&mut p, KeyCode::Char(' '));
        assert_eq!(p.mode(), Mode::Scheduler, "{name}");
        for mv in &path {
            let at = p.ui().index;
            let i = p
                .lesson()
                .moves(at, Mode::Scheduler)
                .iter()
                .position(|c| c.mv == *mv)
                .unwrap_or_else(|| panic!("{name}: {mv:?} is offered at {at}"));
            key(&mut p, KeyCode::Char('a'));
            for _ in 0..i {
                key(&mut p, KeyCode::Down);
            }
            key(&mut p, KeyCode::Enter);
            assert_eq!(p.ui().index, at + 1, "{name}: {mv:?} was played");
        }
        let msg = p.ui().message.clone().unwrap_or_default();
        assert_eq!(
            msg,
            format!("solved in {shortest} move(s); the explorer's shortest: {shortest}"),
            "{name}"
        );
        assert_eq!(p.moves(), shortest, "{name}");
        solved += 1;
    }
    assert!(solved >= 8, "{solved} challenges solved");
}

/// The challenges that restrict moves refuse a forbidden one as data and
/// say why in one line.
#[test]
fn a_forbidden_move_is_refused_with_the_challenges_reason() {
    let ch = challenge::load(&dir().join("over-limit-ptl.json")).unwrap();
    let mut p = Player::challenge(ch, Lang::En);
    key(&mut p, KeyCode::Char(' '));
    choose(&mut p, "T1 runs");
    choose(&mut p, "T1's wait times out");
    let msg = p.ui().message.clone().unwrap();
    assert_eq!(
        msg, "refused: this challenge forbids timeout calls",
        "{msg}"
    );
    assert_eq!(p.moves(), 1, "nothing was played");
}

#[test]
fn every_bundled_challenge_matches_the_explorers_shortest_answer() {
    for (name, ch) in bundled() {
        let found = match iocp_sim::lesson::solve(&ch) {
            Shortest::Found(path) => Some(path.len()),
            Shortest::Already => Some(0),
            Shortest::NotWithin { .. } => None,
            other => panic!("{name}: the search hit its bound: {other:?}"),
        };
        assert_eq!(found, ch.shortest, "{name}");
        assert!(
            ch.shortest.is_none_or(|n| n >= 1 && n <= ch.budget),
            "{name}"
        );
    }
}

#[test]
fn idle_work_takes_a_marked_workers_own_post_in_windows_and_is_impossible_in_wine() {
    use iocp_sim::model::{Action, Flavor};
    let mut ch = challenge::load(&dir().join("idle-with-work.json")).unwrap();
    let Shortest::Found(path) = iocp_sim::lesson::solve(&ch) else {
        panic!("solvable in Windows")
    };
    use iocp_sim::lesson::Move;
    let (w1, w2) = (iocp_sim::model::ThreadId(0), iocp_sim::model::ThreadId(1));
    // A post while nobody waits; W1 takes it without sleeping (it carries
    // the mark); W2 sleeps; W1 posts to its own port, and the packet stays
    // queued although W2 waits and the port has room.
    assert!(
        matches!(
            path.as_slice(),
            [Move::Post { .. }, Move::Run { thread: a }, Move::Run { thread: b }, Move::Run { thread: c }]
                if (*a, *b, *c) == (w1, w2, w1)
        ),
        "{path:?}"
    );
    let _ = Action::Exit { thread: w1 };
    ch.flavor = Flavor::Wine;
    assert!(
        matches!(iocp_sim::lesson::solve(&ch), Shortest::NotWithin { .. }),
        "Wine has no exception to rule 2"
    );
}

#[test]
fn every_bundled_challenge_is_written_in_english_and_korean() {
    let hangul = |s: &str| s.chars().any(|c| ('가'..='힣').contains(&c));
    for (name, ch) in bundled() {
        let texts = [&ch.title, &ch.description]
            .into_iter()
            .chain(ch.hints.iter());
        for t in texts {
            let ko = t
                .exact(Lang::Ko)
                .unwrap_or_else(|| panic!("{name}: no Korean for {:?}", t.en));
            assert!(hangul(ko), "{name}: {ko:?}");
        }
        assert!(!ch.hints.is_empty(), "{name} has hints");
    }
}

#[test]
fn the_player_counts_moves_checks_the_goal_and_compares() {
    let ch = challenge::load(&dir().join("over-limit.json")).unwrap();
    let mut p = Player::challenge(ch, Lang::En);
    key(&mut p, KeyCode::Char(' '));
    let status = p.ui().message.clone().unwrap();
    assert!(status.starts_with("moves 0/5"), "{status}");
    choose(&mut p, "T1 runs");
    let msg = p.ui().message.clone().unwrap();
    assert!(msg.contains("moves 1/5") && msg.contains("w why"), "{msg}");
    // Why not yet: the goal's condition, checked, in words.
    key(&mut p, KeyCode::Char('w'));
    let why = p.ui().overlay.clone().expect("a box").paragraphs.join("\n");
    assert!(why.contains("P: current 0 > max 1: not yet"), "{why}");
    key(&mut p, KeyCode::Esc);
    // Step back before that move and branch again: the move is undone.
    key(&mut p, KeyCode::Left);
    choose(&mut p, "T2 runs");
    assert_eq!(p.moves(), 1);
    choose(&mut p, "T1 runs");
    choose(&mut p, "T2's wait times out");
    choose(&mut p, "T1's wait times out");
    let msg = p.ui().message.clone().unwrap();
    assert_eq!(msg, "solved in 4 move(s); the explorer's shortest: 4");
    key(&mut p, KeyCode::Char('?'));
    let hint = p.ui().overlay.clone().expect("a hint box");
    assert_eq!(hint.title, "hint 1/3");
    key(&mut p, KeyCode::Char(' '));
    key(&mut p, KeyCode::Char('?'));
    assert_eq!(p.ui().overlay.clone().unwrap().title, "hint 2/3");
}

#[test]
fn the_impossible_challenge_says_so_in_korean() {
    let ch = challenge::load(&dir().join("wake-oldest.json")).unwrap();
    let mut p = Player::challenge(ch, Lang::Ko);
    assert_eq!(p.ui().index, 3);
    key(&mut p, KeyCode::Char(' '));
    choose(&mut p, "패킷 게시");
    let msg = p.ui().message.clone().unwrap();
    assert!(msg.contains("동작 1/3"), "{msg}");
    // Why not: the port woke the most recent waiter.
    key(&mut p, KeyCode::Char('w'));
    let why = p.ui().overlay.clone().unwrap().paragraphs.join("\n");
    assert!(
        why.contains("가장 최근에 기다린 T3 스레드를 깨웠습니다")
            && why.contains("T1 스레드는 아직 기다립니다"),
        "{why}"
    );
    key(&mut p, KeyCode::Char(' '));
    key(&mut p, KeyCode::Char('x'));
    let msg = p.ui().message.clone().unwrap();
    // The goal in Korean words, not its id.
    assert!(
        msg.contains("가장 오래 기다린 스레드를 깨움") && msg.contains("8"),
        "{msg}"
    );
    assert!(!msg.contains("wake_oldest"), "{msg}");
}

fn doc(goal: &str, step: usize, budget: usize, shortest: &str) -> String {
    let lesson = dir().join("../04-over-subscription.json");
    format!(
        r#"{{ "format": "iocp-sim-challenge/1", "title": "t", "description": "d",
        "lesson": {}, "step": {step}, "goal": "{goal}", "budget": {budget},
        "shortest": {shortest}, "hints": [] }}"#,
        serde_json::to_string(&lesson.display().to_string()).unwrap()
    )
}

#[test]
fn bad_challenges_are_refused_with_the_file_and_the_reason() {
    let cases = [
        (
            "goal.json",
            doc("fastest", 0, 3, "2"),
            "goal: cannot read condition",
        ),
        (
            "budget.json",
            doc("over_limit", 0, 1, "2"),
            "over the budget",
        ),
        (
            "step.json",
            doc("over_limit", 99, 3, "2"),
            "step 99 is past the end",
        ),
        (
            "zero.json",
            doc("over_limit", 0, 0, "null"),
            "budget must be 1",
        ),
    ];
    let d = scratch("challenges", "bad_challenges");
    for (name, body, reason) in cases {
        let p = write(&d, name, &body);
        let e = challenge::load(&p).unwrap_err().to_string();
        assert!(e.contains(name) && e.contains(reason), "{e}");
    }
    let p = write(
        &d,
        "typo.json",
        &doc("over_limit", 0, 3, "2").replace("\"hints\"", "\"hint\""),
    );
    let e = challenge::load(&p).unwrap_err().to_string();
    assert!(
        e.contains("typo.json:") && e.contains("unknown field `hint`"),
        "{e}"
    );
}

#[test]
fn solve_exits_1_when_the_file_gives_the_wrong_answer() {
    let good = bin()
        .args(["challenge", "--solve"])
        .arg(dir().join("over-limit.json"))
        .output()
        .unwrap();
    assert!(good.status.success());
    let s = String::from_utf8(good.stdout).unwrap();
    assert!(
        s.contains("explorer's shortest: 4   the file says: 4"),
        "{s}"
    );
    let d = scratch("challenges", "solve_wrong_answer");
    let wrong = write(&d, "wrong.json", &doc("over_limit", 0, 4, "3"));
    let out = bin()
        .args(["challenge", "--solve"])
        .arg(&wrong)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn solve_exits_1_when_the_search_hits_its_bound() {
    // Lesson 17's six threads, any call by any of them (its threads have
    // no programs), have too many states to search to depth 8 for a goal
    // never reached (each move loses at most a few packets): the answer
    // is unknown, not "none".
    let lesson = dir().join("../17-wine-vs-windows.json");
    let body = format!(
        r#"{{ "format": "iocp-sim-challenge/1", "title": "t", "description": "d",
        "lesson": {}, "step": 0, "goal": "lost > 50", "budget": 3,
        "shortest": null, "hints": [] }}"#,
        serde_json::to_string(&lesson.display().to_string()).unwrap()
    );
    let d = scratch("challenges", "solve_bound");
    let p = write(&d, "bound.json", &body);
    let out = bin()
        .args(["challenge", "--solve"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("unknown"));
}

/// Every challenge's task and every hint, in English and Korean, shows in
/// full on a terminal of 80x24 and of 100x30 (a box over the picture,
/// wrapped; nothing cut), and a challenge that starts mid-lesson opens
/// with its task.
#[test]
fn tasks_and_hints_show_whole_at_80x24_and_100x30() {
    use iocp_sim::views::tui::{buffer_text, to_buffer};
    let squeeze = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '│')
            .collect::<String>()
    };
    for (name, ch) in bundled() {
        for lang in [Lang::En, Lang::Ko] {
            for (w, h) in [(80, 24), (100, 30)] {
                let mut p = Player::challenge(ch.clone(), lang);
                assert_eq!(p.ui().index, ch.step, "{name}: it opens at its start");
                let screen = squeeze(&buffer_text(&to_buffer(&p, p.ui(), w, h)));
                let task = squeeze(&ch.description.get(lang));
                assert!(
                    screen.contains(&task),
                    "{name} {lang:?} {w}x{h}: the task is cut"
                );
                key(&mut p, KeyCode::Char(' '));
                for hint in &ch.hints {
                    key(&mut p, KeyCode::Char('?'));
                    let screen = squeeze(&buffer_text(&to_buffer(&p, p.ui(), w, h)));
                    assert!(
                        screen.contains(&squeeze(&hint.get(lang))),
                        "{name} {lang:?} {w}x{h}: a hint is cut"
                    );
                    key(&mut p, KeyCode::Char(' '));
                }
            }
        }
    }
}

/// The challenge's status line (moves used and allowed, its keys) stays at
/// the bottom while a hint is shown, not the lesson's keys.
#[test]
fn the_status_line_stays_while_a_hint_is_shown() {
    use iocp_sim::views::tui::{buffer_text, to_buffer};
    let (_, ch) = bundled()
        .into_iter()
        .find(|(name, _)| name.ends_with("over-limit-ptl.json"))
        .expect("a bundled challenge");
    let mut p = Player::challenge(ch, Lang::En);
    for k in [KeyCode::Char(' '), KeyCode::Char('?')] {
        key(&mut p, k);
    }
    assert!(p.ui().overlay.is_some(), "the hint is shown");
    let s = buffer_text(&to_buffer(&p, p.ui(), 80, 24));
    let bottom = s.lines().last().unwrap_or_default();
    assert!(bottom.contains("moves 0/8"), "{s}");
    assert!(bottom.contains("? hint"), "{s}");
}
