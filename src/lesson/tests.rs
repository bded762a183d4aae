use super::*;
use crate::goal::Condition;
use crate::model::RejectKind;
use crate::scenario::load_str;

/// Lesson 4's world and first steps, its two workers running one program:
/// get; a request with key 1 needs the database.
const LESSON: &str = r#"{
  "format": "iocp-sim/1", "title": "t",
  "ports": [{ "id": "P", "concurrency": 1 }],
  "threads": [{ "id": "T", "count": 2, "get": { "port": "P" },
                "block": { "on": "WaitForSingleObject(db)", "keys": [1] } }],
  "steps": [
    { "op": "get", "thread": "T1", "port": "P" },
    { "op": "get", "thread": "T2", "port": "P" },
    { "op": "post", "port": "P", "key": 1 }
  ]
}"#;

fn lesson() -> Lesson {
    Lesson::new(load_str("l.json", LESSON).expect("the lesson reads"))
}

const T1: ThreadId = ThreadId(0);
const T2: ThreadId = ThreadId(1);
const P: PortId = PortId(0);

fn moves(l: &Lesson, at: usize, mode: Mode) -> Vec<Move> {
    l.moves(at, mode).into_iter().map(|c| c.mv).collect()
}

#[test]
fn scheduler_mode_offers_a_run_per_thread_and_the_worlds_moves() {
    let l = lesson();
    assert_eq!(l.modes(), [Mode::Scheduler, Mode::EveryCall]);
    // Before step 1: both run; the teacher posts key 1 (the programs
    // react to it) or a plain one (the next step's number, 1, is taken:
    // 2); the port can be closed.
    assert_eq!(
        moves(&l, 0, Mode::Scheduler),
        [
            Move::Run { thread: T1 },
            Move::Run { thread: T2 },
            Move::Post { port: P, key: 1 },
            Move::Post { port: P, key: 2 },
            Move::ClosePort { port: P },
        ]
    );
    // Every-call mode offers every call of the raw API: many more.
    assert!(l.moves(0, Mode::EveryCall).len() > 3 * l.moves(0, Mode::Scheduler).len());
    // After step 3 T2 has packet 1 and its program blocks next; T1 waits.
    let at3 = l.moves(3, Mode::Scheduler);
    let run = |t| {
        at3.iter()
            .find(|c| c.mv == Move::Run { thread: t })
            .unwrap()
    };
    assert_eq!(
        run(T1).refusal,
        Some(Refusal::Model {
            rejection: crate::model::Rejection {
                rule: crate::model::Rule::Get,
                kind: RejectKind::ThreadWaiting {
                    thread: T1,
                    port: P
                },
            }
        })
    );
    assert_eq!(run(T2).refusal, None);
    assert!(matches!(run(T2).action, Action::Block { thread: T2, .. }));
}

#[test]
fn the_code_pane_follows_each_program_from_the_trace() {
    let l = lesson();
    let code = l.code(3);
    assert_eq!(code.len(), 2);
    let line = |t: usize| code[t].lines[code[t].current.unwrap()].clone();
    assert!(
        matches!(line(0), Line::Get { .. }) && code[0].inside,
        "T1 waits in its get"
    );
    assert!(
        matches!(line(1), Line::Block { .. }) && !code[1].inside,
        "T2 is about to block"
    );
}

#[test]
fn playing_branches_and_a_refused_move_changes_nothing() {
    let mut l = lesson();
    let steps = l.scenario().steps.len();
    let r = l.play(1, Move::Unblock { thread: T1 });
    assert!(matches!(r, Err(Refusal::Model { .. })), "{r:?}");
    assert_eq!(l.scenario().steps.len(), steps);
    // At step 3: T2 blocks (packet 1 needs the database), the teacher
    // posts, T1 takes it, the database answers: two threads run.
    let mut at = 3;
    for mv in [
        Move::Run { thread: T2 },
        Move::Post { port: P, key: 9 },
        Move::Unblock { thread: T2 },
    ] {
        at = l.play(at, mv).expect("a valid move").at;
    }
    assert_eq!(at, 6);
    assert!(l.state(6).port(P).over_limit());
    let p = l
        .progress(6, Some(Goal::State(Condition::OverLimit)))
        .unwrap();
    assert!(p.reached && p.checks.iter().all(|c| c.holds), "{p:?}");
    // The branch is a scenario `check` accepts, with the programs.
    let json = l.branch_json();
    let sc = load_str("branch.json", &json).expect("the branch reads back");
    assert!(!sc.world.programs.is_empty());
    let t = crate::runner::Trace::record(&sc, sc.world.flavor);
    assert!(t.stopped.is_none(), "{:?}", t.stopped);
    assert!(t.steps.iter().all(|s| s.report.mismatches.is_empty()));
}

#[test]
fn a_call_outside_the_program_is_marked_so_and_checked_as_such() {
    let mut l = lesson();
    // T2 polls instead of blocking: an every-call move.
    let poll = Action::Get {
        thread: T2,
        port: P,
        timeout: Timeout::Ms(0),
    };
    l.play(3, Move::Call { action: poll }).expect("valid");
    assert!(l.scenario().steps[3].off_program);
    let json = l.branch_json();
    assert!(json.contains("\"off_program\": true"), "{json}");
    let sc = load_str("b.json", &json).unwrap();
    assert!(crate::runner::Trace::record(&sc, sc.world.flavor)
        .stopped
        .is_none());
    // Without the mark, the run stops at that step and says why.
    let bad = json.replace("\"off_program\": true, ", "");
    let sc = load_str("b.json", &bad).unwrap();
    let e = crate::runner::Trace::record(&sc, sc.world.flavor)
        .stopped
        .expect("a stray call stops the run")
        .to_string();
    assert!(
        e.contains("step 4 (get)")
            && e.contains("T2's program calls T2 blocks on WaitForSingleObject(db) next"),
        "{e}"
    );
}

#[test]
fn the_explorer_answers_in_the_mode_asked() {
    let l = lesson();
    let goal = Goal::State(Condition::OverLimit);
    // Every call: two polls.
    let Shortest::Found(p) = l.shortest(0, goal, Mode::EveryCall) else {
        panic!("reachable")
    };
    assert_eq!(p.len(), 2, "{p:?}");
    // As the scheduler, through the PTL: six moves from the start (two
    // threads wait, a post for the database, T2 blocks, a post wakes T1,
    // the database answers) and three from step 3.
    let Shortest::Found(p) = l.shortest(3, goal, Mode::Scheduler) else {
        panic!("reachable")
    };
    assert_eq!(p.len(), 3, "{p:?}");
    let mut l2 = lesson();
    let played = l2.play_answer(3, goal, &p).expect("the answer plays");
    assert!(played.reached && played.at == 6);
    assert!(l2.state(6).port(P).over_limit());
}

#[test]
fn a_near_miss_says_which_condition_failed_and_why() {
    // Three waiters on a port of 3: a post hands the packet to T3, which
    // then posts to its own port: T3 slept in its get, so it carries no
    // queue-wait mark, and rule 2 hands the packet to T2.
    let text = r#"{
      "format": "iocp-sim/1", "title": "t",
      "ports": [{ "id": "P", "concurrency": 3 }],
      "threads": ["T1", "T2", "T3"],
      "steps": [
        { "op": "get", "thread": "T1", "port": "P" },
        { "op": "get", "thread": "T2", "port": "P" },
        { "op": "get", "thread": "T3", "port": "P" },
        { "op": "post", "port": "P", "key": 1 },
        { "op": "post", "port": "P", "key": 2, "by": "T3" }
      ]
    }"#;
    let l = Lesson::new(load_str("m.json", text).unwrap());
    let p = l
        .progress(5, Some(Goal::State(Condition::IdleWithWork)))
        .unwrap();
    assert!(!p.reached);
    let failed: Vec<Quantity> = p
        .checks
        .iter()
        .filter(|c| !c.holds)
        .map(|c| c.quantity)
        .collect();
    assert_eq!(failed, [Quantity::Iocq], "{p:?}");
    assert_eq!(
        p.miss,
        Some(Miss::HandedOff {
            thread: ThreadId(1),
            port: P,
            by: Some(ThreadId(2)),
            no_mark: Some(NoMark::Since {
                step: 3,
                cause: MarkCause::Slept
            }),
        })
    );
    let words = narrate::miss(p.miss.as_ref().unwrap(), l.names(), Lang::En);
    assert!(
        words.contains("T3 had no queue-wait mark: it had slept in the WTQ in its get at step 3"),
        "{words}"
    );
}

#[test]
fn choices_cross_a_json_boundary_as_ids() {
    let l = lesson();
    let json = serde_json::to_value(l.moves(3, Mode::Scheduler)).unwrap();
    assert_eq!(json[0]["move"]["kind"], "run");
    assert_eq!(json[0]["move"]["thread"], 0);
    assert_eq!(json[0]["refusal"]["rejection"]["reason"], "thread_waiting");
    assert!(json[1]["refusal"].is_null());
    let code = serde_json::to_value(l.code(3)).unwrap();
    assert_eq!(code[1]["lines"][1]["kind"], "get");
}
