//! Challenges: every bundled one reads, is written in every language, and
//! the explorer's shortest answer matches the one the file gives; the
//! player counts moves, checks the goal and compares; bad files are
//! refused with the file and the reason.

use std::path::PathBuf;

use iocp_sim::challenge::{self, Challenge};
use iocp_sim::explore::free::{Goal, Shortest};
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
    for want in ["over_limit", "idle_with_work", "lost > 0", "wake_oldest"] {
        assert!(
            goals
                .iter()
                .any(|(g, f)| g.to_string() == want && *f == "windows"),
            "no Windows challenge for {want}"
        );
    }
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
    let path: Vec<Action> = path
        .iter()
        .map(|m| match m {
            iocp_sim::lesson::Move::Call { action } => *action,
            other => panic!("an every-call move: {other:?}"),
        })
        .collect();
    // A post wakes a worker, it polls (and carries the mark), it posts.
    assert!(
        matches!(path.as_slice(), [Action::Post { by: None, .. }, Action::Get { thread, .. }, Action::Post { by: Some(by), .. }] if thread == by),
        "{path:?}"
    );
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
    let status = p.ui().message.clone().unwrap();
    assert!(status.contains("goal over_limit · moves 0/4"), "{status}");
    choose(&mut p, "T1 calls get on P (timeout infinite)");
    assert!(p.ui().message.clone().unwrap().contains("moves 1/4"));
    // Step back before that move and branch again: the move is undone.
    key(&mut p, KeyCode::Left);
    choose(&mut p, "T1 calls get on P (timeout 0 ms)");
    assert_eq!(p.moves(), 1);
    choose(&mut p, "T2 calls get on P (timeout 0 ms)");
    let msg = p.ui().message.clone().unwrap();
    assert_eq!(msg, "solved in 2 move(s); the explorer's shortest: 2");
    key(&mut p, KeyCode::Char('?'));
    assert!(p.ui().message.clone().unwrap().starts_with("hint 1/3: "));
    key(&mut p, KeyCode::Char('?'));
    assert!(p.ui().message.clone().unwrap().starts_with("hint 2/3: "));
}

#[test]
fn the_impossible_challenge_says_so_in_korean() {
    let ch = challenge::load(&dir().join("wake-oldest.json")).unwrap();
    let mut p = Player::challenge(ch, Lang::Ko);
    assert_eq!(p.ui().index, 3);
    choose(&mut p, "패킷 게시");
    let msg = p.ui().message.clone().unwrap();
    assert!(msg.contains("동작 1/3"), "{msg}");
    key(&mut p, KeyCode::Char('x'));
    let msg = p.ui().message.clone().unwrap();
    assert!(msg.contains("wake_oldest") && msg.contains("8"), "{msg}");
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
        s.contains("explorer's shortest: 2   the file says: 2"),
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
    // Lesson 18's echo server has too many states to search to depth 8
    // for a goal it never reaches (each move loses at most a few packets):
    // the answer is unknown, not "none".
    let lesson = dir().join("../18-echo-server.json");
    let body = format!(
        r#"{{ "format": "iocp-sim-challenge/1", "title": "t", "description": "d",
        "lesson": {}, "step": 7, "goal": "lost > 50", "budget": 3,
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
