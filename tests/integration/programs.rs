//! Thread programs in scenarios: the explorer's program language read in a
//! scenario's `threads`, checked with the same errors, held against every
//! step (a call outside the program must say `off_program`), accepted and
//! refused alike by the reader and the schema `iocp-sim schema` prints.

use iocp_sim::runner::Trace;
use iocp_sim::scenario::load_str;
use serde_json::{json, Value};

/// A scenario of port P (concurrency 1) with `threads` and `steps`.
fn doc(threads: Value, steps: Value) -> Value {
    json!({
        "format": "iocp-sim/1", "title": "t",
        "ports": [{ "id": "P", "concurrency": 1 }],
        "threads": threads,
        "steps": steps,
    })
}

fn workers() -> Value {
    json!([{ "id": "T", "count": 2, "get": { "port": "P", "timeout": 100 },
             "block": { "on": "WaitForSingleObject(db)", "keys": [1] } }])
}

fn error(d: &Value) -> String {
    match load_str("p.json", &d.to_string()) {
        Err(e) => e.to_string(),
        Ok(sc) => match Trace::record(&sc, sc.world.flavor).stopped {
            Some(e) => e.to_string(),
            None => panic!("{d} reads and runs"),
        },
    }
}

#[test]
fn a_count_entry_declares_its_threads_and_each_runs_the_program() {
    let d = doc(
        workers(),
        json!([
            { "op": "get", "thread": "T1", "port": "P", "timeout": 100 },
            { "op": "post", "port": "P", "key": 1 },
            { "op": "block", "thread": "T1", "on": "WaitForSingleObject(db)" },
            { "op": "unblock", "thread": "T1" },
            { "op": "get", "thread": "T1", "port": "P", "timeout": 100 },
            { "op": "timeout", "thread": "T1" },
            { "op": "get", "thread": "T1", "port": "P", "timeout": 100 }
        ]),
    );
    let sc = load_str("p.json", &d.to_string()).expect("reads");
    assert_eq!(sc.world.threads, ["T1", "T2"]);
    let t = Trace::record(&sc, sc.world.flavor);
    assert!(t.stopped.is_none(), "{:?}", t.stopped);
    assert_eq!(t.steps.len(), 7);
}

#[test]
fn a_step_off_its_threads_program_stops_the_run_and_names_the_step() {
    // After packet 2 (no database) T1's next call is its get, not a block.
    let steps = json!([
        { "op": "get", "thread": "T1", "port": "P", "timeout": 100 },
        { "op": "post", "port": "P", "key": 2 },
        { "op": "block", "thread": "T1", "on": "Sleep(5)" }
    ]);
    let e = error(&doc(workers(), steps.clone()));
    assert_eq!(
        e,
        "p.json: step 3 (block): T1's program calls GetQueuedCompletionStatus(P, 100 ms) next, not Sleep(5); write that call, or mark the step \"off_program\": true"
    );
    // Marked, the same call is taken as the teacher's, and the program
    // goes on from there: after the block, its get.
    let mut steps = steps;
    steps[2]["off_program"] = json!(true);
    steps
        .as_array_mut()
        .unwrap()
        .push(json!({ "op": "unblock", "thread": "T1" }));
    steps
        .as_array_mut()
        .unwrap()
        .push(json!({ "op": "get", "thread": "T1", "port": "P", "timeout": 100 }));
    let sc = load_str("p.json", &doc(workers(), steps).to_string()).unwrap();
    assert!(Trace::record(&sc, sc.world.flavor).stopped.is_none());
}

#[test]
fn program_mistakes_are_refused_with_the_key_and_the_reason() {
    let cases = [
        (
            json!(["T1", { "id": "T2", "get": { "port": "P" } }]),
            "threads[0]: thread \"T1\" has no program while other threads have one",
        ),
        (
            json!([{ "id": "T1", "get": { "port": "Q" } }]),
            "threads[0].get.port: unknown port \"Q\"",
        ),
        (
            json!([{ "id": "T1", "get": { "port": "P" }, "on_timeout": "never" }]),
            "threads[0].on_timeout: \"never\": use \"retry\" or \"exit\"",
        ),
        (
            json!([{ "id": "T1", "get": { "port": "P" }, "block": { "on": "db", "keys": [] } }]),
            "threads[0].block.keys: list at least one key",
        ),
        (
            json!([{ "id": "T", "count": 40, "get": { "port": "P" } }]),
            "threads[0].count: must be 1 to 32",
        ),
        (
            json!([{ "id": "T1", "get": { "port": "P" }, "post": { "port": "Q" } }]),
            "threads[0].post.port: unknown port \"Q\"",
        ),
    ];
    for (threads, want) in cases {
        let e = error(&doc(threads.clone(), json!([])));
        assert!(
            e.starts_with("p.json: ") && e.contains(want),
            "{threads}: {e}"
        );
    }
    let e = error(&doc(
        json!([{ "id": "T1", "get": { "port": "P" }, "blok": "db" }]),
        json!([]),
    ));
    assert!(
        e.contains("unknown field `blok`") && e.contains("p.json:"),
        "{e}"
    );
    let e = error(&doc(
        json!(["T1"]),
        json!([{ "expect": { "lost": 0 }, "off_program": true }]),
    ));
    assert!(
        e.contains("step 1: key \"off_program\" needs an \"op\""),
        "{e}"
    );
}

#[test]
fn the_schema_and_the_reader_agree_on_programs() {
    let v = crate::util::validator(&iocp_sim::scenario::schema::json());
    let good = doc(workers(), json!([]));
    assert!(v.is_valid(&good));
    let mut step = doc(
        workers(),
        json!([{ "op": "get", "thread": "T1", "port": "P", "off_program": true }]),
    );
    assert!(v.is_valid(&step));
    step["steps"][0]["off_program"] = json!("yes");
    assert!(!v.is_valid(&step));
    assert!(load_str("p.json", &step.to_string()).is_err());
    for bad in [
        json!([{ "id": "T1", "get": { "port": "P" }, "blok": "db" }]),
        json!([{ "id": "T1" }]),
        json!([{ "id": "T1", "get": { "port": "P" }, "block": { "keys": [1] } }]),
        json!([{ "id": "T1", "get": { "port": "P" }, "block": { "on": "db", "keys": [] } }]),
        json!([{ "id": "T1", "get": { "port": "P" }, "exit_on_key": -1 }]),
        json!([{ "id": "T1", "get": { "port": "P", "timeout": "soon" } }]),
        json!([{ "id": "T", "count": 0, "get": { "port": "P" } }]),
    ] {
        let d = doc(bad.clone(), json!([]));
        assert!(!v.is_valid(&d), "the schema accepts {bad}");
        assert!(
            load_str("p.json", &d.to_string()).is_err(),
            "the reader accepts {bad}"
        );
    }
}

#[test]
fn a_scenario_with_programs_is_written_back_as_read() {
    // The branch a player saves keeps the programs: read, written through
    // `scenario::write`, and read again, the world is the same.
    let d = doc(
        workers(),
        json!([{ "op": "get", "thread": "T1", "port": "P", "timeout": 100 }]),
    );
    let sc = load_str("p.json", &d.to_string()).unwrap();
    let lesson = iocp_sim::lesson::Lesson::new(sc.clone());
    let again = load_str("again.json", &lesson.branch_json()).expect("reads back");
    assert_eq!(again.world.programs, sc.world.programs);
    assert_eq!(again.world.threads, sc.world.threads);
}

/// The lessons that give their threads programs offer a move at every
/// step, and as the scheduler less than half the menu lines of the raw API
/// over the lesson (what issue 20 asked for: "T2's database answer comes
/// back", not 16-24 calls); their steps run to the end, each a program's
/// next call or a move of the world, unless marked.
#[test]
fn the_bundled_lessons_with_programs_offer_fewer_moves_as_the_scheduler() {
    use iocp_sim::lesson::{Lesson, Mode};
    let mut with_programs = Vec::new();
    for path in crate::util::lessons() {
        let sc = crate::util::load(&path);
        if sc.world.programs.is_empty() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let l = Lesson::new(sc);
        assert!(l.trace().stopped.is_none(), "{name}");
        let (mut sched, mut every) = (0, 0);
        for at in 0..=l.last() {
            let (s, e) = (l.moves(at, Mode::Scheduler), l.moves(at, Mode::EveryCall));
            // Only when nothing is left to do (every thread exited, every
            // port closed) is nothing offered.
            assert_eq!(s.is_empty(), e.is_empty(), "{name} at {at}");
            sched += s.len();
            every += e.len();
        }
        assert!(
            2 * sched < every,
            "{name}: {sched} moves as the scheduler, {every} calls"
        );
        with_programs.push(name);
    }
    for want in ["02-", "04-", "05-", "14-", "18-", "19-", "20-"] {
        assert!(
            with_programs.iter().any(|n| n.starts_with(want)),
            "lesson {want} has programs: {with_programs:?}"
        );
    }
}
