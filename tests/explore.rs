//! The explorer: every `--find` condition on the bundled specs, the trace
//! written by `--out` passing `iocp-sim check`, determinism, bad input, and
//! the spec schema agreeing with the parser.

use std::path::{Path, PathBuf};
use std::process::Command;

use iocp_sim::explore::{self, search, Condition, ModelRules, Options, Search, Stop, World};
use iocp_sim::model::Flavor;
use serde_json::Value;

fn spec_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sim-scenarios/explore")
        .join(name)
}

fn world(name: &str, flavor: Option<Flavor>) -> World {
    let text = std::fs::read_to_string(spec_path(name)).unwrap();
    World::new(&explore::parse(&text).unwrap(), flavor).unwrap()
}

fn explore(name: &str, flavor: Option<Flavor>, find: &str) -> (World, Search) {
    let w = world(name, flavor);
    let opts = Options {
        find: Some(Condition::parse(find).unwrap()),
        ..Options::default()
    };
    let s = search(&w, &ModelRules, &opts, &mut |_| {}).unwrap();
    (w, s)
}

/// The number of steps of the shortest trace, or `None` if unreachable.
fn shortest(name: &str, flavor: Option<Flavor>, find: &str) -> Option<usize> {
    let (_, s) = explore(name, flavor, find);
    match s.stop {
        Stop::Found { state, .. } => Some(s.path(state).len()),
        Stop::Exhausted => None,
        other => panic!("{name} {find}: unexpected stop {other:?}"),
    }
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_iocp-sim"))
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iocp-sim-explore-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn over_limit_is_reached_when_workers_block_and_not_otherwise() {
    assert_eq!(shortest("over-limit.json", None, "over_limit"), Some(6));
    assert_eq!(shortest("cannot-exceed.json", None, "over_limit"), None);
    // Wine ignores max: the second post goes straight to the second waiter.
    assert_eq!(
        shortest("over-limit.json", Some(Flavor::Wine), "over_limit"),
        Some(4)
    );
    // Rule 5: a timeout also counts a thread without checking max.
    assert_eq!(
        shortest("timeout-over-limit.json", None, "over_limit"),
        Some(4)
    );
}

#[test]
fn current_can_reach_the_number_of_threads_and_no_further() {
    assert_eq!(shortest("three-workers.json", None, "current > 1"), Some(6));
    assert_eq!(
        shortest("three-workers.json", None, "current > 2"),
        Some(10)
    );
    assert_eq!(shortest("three-workers.json", None, "current > 3"), None);
    assert_eq!(shortest("three-workers.json", None, "ptl >= 2"), Some(6));
}

#[test]
fn lost_counts_packets_discarded_or_made_for_a_closed_port() {
    assert_eq!(shortest("close-port-loses.json", None, "lost > 0"), Some(2));
    assert_eq!(shortest("close-port-loses.json", None, "lost > 1"), Some(3));
    assert_eq!(shortest("close-port-loses.json", None, "lost > 2"), None);
}

#[test]
fn idle_with_work_never_happens_but_held_packets_do_in_windows_only() {
    for f in [Flavor::Windows, Flavor::Wine] {
        assert_eq!(
            shortest("held-packets.json", Some(f), "idle_with_work"),
            None
        );
    }
    assert_eq!(shortest("held-packets.json", None, "held"), Some(4));
    assert_eq!(
        shortest("held-packets.json", Some(Flavor::Wine), "held"),
        None
    );
}

#[test]
fn a_worker_posting_to_its_own_port_leaves_idle_work_in_windows_only() {
    // The workers post `by` themselves: a worker whose get returned without
    // sleeping carries the queue-wait mark, so its packet is kept in the
    // IOCQ while the other worker waits with current < max (rule 2).
    assert_eq!(
        shortest("worker-posts.json", None, "idle_with_work"),
        Some(4)
    );
    assert_eq!(
        shortest("worker-posts.json", Some(Flavor::Wine), "idle_with_work"),
        None
    );
}

/// The trace of a worker's own post, written as a scenario, says `by` and
/// passes `check` and the scenario schema.
#[test]
fn a_written_trace_keeps_the_posting_worker() {
    let out = tmp("worker-posts-trace.json");
    let o = bin()
        .args(["explore", "--find", "idle_with_work", "--out"])
        .arg(&out)
        .arg(spec_path("worker-posts.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(json["steps"][3]["op"], "post");
    assert_eq!(json["steps"][3]["by"], "W1");
    let scenario_schema: Value = serde_json::from_str(iocp_sim::scenario::schema::SCHEMA).unwrap();
    validate(&scenario_schema, &json, "trace").unwrap();
    let c = bin().arg("check").arg(&out).output().unwrap();
    assert_eq!(
        c.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&c.stdout)
    );
}

#[test]
fn the_found_state_satisfies_the_condition_and_no_shallower_state_does() {
    let (w, s) = explore("three-workers.json", None, "current > 2");
    let Stop::Found { state, .. } = s.stop else {
        panic!("not found")
    };
    let steps = explore::trace::replay(&w, &ModelRules, &s.path(state), None).unwrap();
    assert_eq!(steps.last().unwrap().after.ports()[0].current, 3);
    assert_eq!(s.depth_of(state) as usize, steps.len());
    // Every state found before it is at most as deep.
    assert!((0..state).all(|id| s.depth_of(id) <= s.depth_of(state)));
}

#[test]
fn searches_are_deterministic() {
    let run = || {
        let (w, s) = explore("three-workers.json", None, "current > 2");
        let keys: Vec<Vec<u64>> = (0..s.store.len() as u32)
            .map(|i| s.store.key(i).to_vec())
            .collect();
        let Stop::Found { state, .. } = s.stop else {
            panic!()
        };
        let text = explore::trace::text(
            &w,
            &explore::trace::replay(&w, &ModelRules, &s.path(state), None).unwrap(),
        );
        (keys, s.transitions, text)
    };
    assert_eq!(run(), run());
    let out = |_: ()| {
        bin()
            .args(["explore", "--find", "over_limit"])
            .arg(spec_path("over-limit.json"))
            .output()
            .unwrap()
    };
    let (a, b) = (out(()), out(()));
    // Everything but the timing line is identical.
    let strip = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| !l.contains("states/s"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&a), strip(&b));
}

#[test]
fn every_bundled_spec_explores_without_breaking_a_property() {
    for entry in std::fs::read_dir(spec_path("")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name == "many-states.json" {
            continue; // millions of states: benches/explore.rs
        }
        for f in [Flavor::Windows, Flavor::Wine] {
            let s = search(
                &world(&name, Some(f)),
                &ModelRules,
                &Options::default(),
                &mut |_| {},
            )
            .unwrap();
            assert_eq!(s.stop, Stop::Exhausted, "{name} ({f:?})");
        }
    }
}

#[test]
fn the_over_limit_trace_written_by_out_passes_check_and_loads_as_a_scenario() {
    let out = tmp("over-limit-trace.json");
    let o = bin()
        .args(["explore", "--find", "over_limit", "--out"])
        .arg(&out)
        .arg(spec_path("over-limit.json"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("FOUND over_limit on port P after 6 steps"),
        "{stdout}"
    );

    // The scenario loader accepts it; every step has a note; the last pins the condition.
    let sc = iocp_sim::scenario::load(&out).unwrap();
    assert_eq!(sc.steps.len(), 6);
    assert!(sc.steps.iter().all(|s| s.note.is_some()));
    assert!(sc.steps.last().unwrap().expect.is_some());
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let last = &json["steps"][5];
    assert_eq!(last["op"], "unblock");
    assert_eq!(last["expect"]["ports"]["P"]["over_limit"], true);
    assert_eq!(last["expect"]["ports"]["P"]["current"], 2);
    // It matches the scenario format's own schema too.
    let scenario_schema: Value = serde_json::from_str(iocp_sim::scenario::schema::SCHEMA).unwrap();
    validate(&scenario_schema, &json, "trace").unwrap();

    // And `check` passes it.
    let c = bin().arg("check").arg(&out).output().unwrap();
    let cout = String::from_utf8_lossy(&c.stdout);
    assert_eq!(c.status.code(), Some(0), "{cout}");
    assert!(cout.contains("6 passed, 0 failed"), "{cout}");

    // `run` narrates it, and the players export it.
    let r = bin().arg("run").arg(&out).output().unwrap();
    assert_eq!(r.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&r.stdout).contains("OVER LIMIT"));
    for kind in ["--html", "--svg"] {
        let file = tmp(&format!("over-limit-trace.{}", &kind[2..]));
        let e = bin()
            .args(["export", kind])
            .arg(&file)
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            e.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&e.stderr)
        );
        assert!(std::fs::metadata(&file).unwrap().len() > 1000);
    }
}

#[test]
fn every_found_trace_passes_check() {
    let cases = [
        ("three-workers.json", "current > 2", "windows"),
        ("held-packets.json", "held", "windows"),
        ("timeout-over-limit.json", "over_limit", "windows"),
        ("close-port-loses.json", "lost > 1", "windows"),
        ("over-limit.json", "over_limit", "wine"),
    ];
    for (i, (spec, find, flavor)) in cases.iter().enumerate() {
        let out = tmp(&format!("trace-{i}.json"));
        let o = bin()
            .args(["explore", "--find", find, "--flavor", flavor, "--out"])
            .arg(&out)
            .arg(spec_path(spec))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{spec} {find}");
        let c = bin().arg("check").arg(&out).output().unwrap();
        assert_eq!(
            c.status.code(),
            Some(0),
            "{spec} {find}: {}",
            String::from_utf8_lossy(&c.stdout)
        );
    }
}

#[test]
fn unreachable_conditions_exit_1_and_write_nothing() {
    let out = tmp("never.json");
    let o = bin()
        .args(["explore", "--find", "over_limit", "--out"])
        .arg(&out)
        .arg(spec_path("cannot-exceed.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("NOT REACHABLE: over_limit"));
    assert!(!out.exists());
}

#[test]
fn max_states_stops_with_a_clear_message() {
    let o = bin()
        .args(["explore", "--max-states", "50"])
        .arg(spec_path("three-workers.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("STOPPED: --max-states 50 reached"), "{s}");
    assert!(s.contains("incomplete"), "{s}");
}

#[test]
fn bad_input_exits_2_naming_the_problem() {
    let write = |name: &str, text: &str| {
        let p = tmp(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cases = [
        (
            write(
                "syntax.json",
                "{\n  \"format\": \"iocp-sim-explore/1\",\n  oops\n}",
            ),
            "line 3",
        ),
        (
            write(
                "port.json",
                r#"{"format":"iocp-sim-explore/1","title":"t","ports":[{"id":"P","concurrency":1}],"threads":[{"id":"T","get":{"port":"Q"}}]}"#,
            ),
            "threads[0].get.port: unknown port \"Q\"",
        ),
        (
            write(
                "format.json",
                r#"{"format":"iocp-sim/1","title":"t","ports":[],"threads":[]}"#,
            ),
            "iocp-sim-explore/1",
        ),
        (
            write(
                "extra.json",
                r#"{"format":"iocp-sim-explore/1","title":"t","ports":[{"id":"P","concurrency":1}],"threads":[{"id":"T","get":{"port":"P"},"sleep":true}]}"#,
            ),
            "sleep",
        ),
    ];
    for (path, needle) in &cases {
        let o = bin().arg("explore").arg(path).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(needle), "{needle:?} not in {err}");
        assert!(
            err.contains(path.file_name().unwrap().to_str().unwrap()),
            "{err}"
        );
    }
    let o = bin()
        .args(["explore", "--find", "faster > 2"])
        .arg(spec_path("over-limit.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("over_limit"));
    let o = bin()
        .args(["explore", "/nonexistent/spec.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

// ---- The schema agrees with the parser ----------------------------------

/// Validates `v` against a draft 2020-12 schema; the errors, if any.
fn validate(schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let validator = jsonschema::draft202012::new(schema).expect("a valid draft 2020-12 schema");
    let errors: Vec<String> = validator.iter_errors(v).map(|e| e.to_string()).collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{at}: {errors:?}"))
    }
}

fn schema() -> Value {
    serde_json::from_str(explore::SCHEMA).expect("the schema is JSON")
}

#[test]
fn every_bundled_spec_matches_the_schema() {
    let schema = schema();
    for entry in std::fs::read_dir(spec_path("")).unwrap() {
        let path = entry.unwrap().path();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        validate(&schema, &v, "$").unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn the_schema_and_the_parser_refuse_the_same_mistakes() {
    let schema = schema();
    let good = r#"{"format":"iocp-sim-explore/1","title":"t","ports":[{"id":"P","concurrency":1}],
        "devices":[{"id":"d","port":"P","key":1,"requests":1,"bytes":4,"skip_on_success":false}],
        "threads":[{"id":"T","count":2,"get":{"port":"P","timeout":"infinite","batch":2},"block":"b",
                    "post":{"port":"P","key":3},"packets":2,"on_timeout":"exit"}],
        "environment":{"posts":[{"port":"P","key":1,"count":2}],"timeouts":1,"close_ports":["P"],"close_devices":["d"]}}"#;
    let v: Value = serde_json::from_str(good).unwrap();
    validate(&schema, &v, "$").unwrap();
    explore::parse(good).unwrap();
    let bad = [
        r#"{"format":"iocp-sim-explore/1","title":"t","ports":[{"id":"P","concurrency":1}],"threads":[{"id":"T","get":{"port":"P","timeout":"forever"}}]}"#,
        r#"{"format":"iocp-sim-explore/1","title":"t","ports":[{"id":"P","concurrency":1}],"threads":[{"id":"T","get":{"port":"P"},"packets":0}]}"#,
        r#"{"format":"iocp-sim-explore/1","title":"t","ports":[{"id":"P","concurrency":1}],"threads":[{"id":"T","get":{"port":"P"}}],"extra":1}"#,
        r#"{"format":"iocp-sim-explore/1","title":"t","ports":[{"id":"P","concurrency":1}],"threads":[{"id":"T","get":{"port":"P"},"on_timeout":"panic"}]}"#,
        r#"{"format":"iocp-sim-explore/1","title":"t","ports":[{"id":"P","concurrency":1}],"threads":[{"id":"T","get":{"port":"P","batch":0}}]}"#,
        r#"{"format":"iocp-sim-explore/2","title":"t","ports":[{"id":"P","concurrency":1}],"threads":[{"id":"T","get":{"port":"P"}}]}"#,
        r#"{"format":"iocp-sim-explore/1","title":"t","ports":[],"threads":[{"id":"T","get":{"port":"P"}}]}"#,
    ];
    for b in bad {
        let v: Value = serde_json::from_str(b).unwrap();
        assert!(validate(&schema, &v, "$").is_err(), "schema accepts {b}");
        assert!(explore::parse(b).is_err(), "parser accepts {b}");
    }
    // `--schema` prints the same schema.
    let o = bin().args(["explore", "--schema"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(printed, schema);
}

#[test]
fn a_memory_limit_stops_the_search_before_it_is_passed() {
    let w = world("three-workers.json", None);
    let opts = Options {
        max_bytes: 36_000,
        ..Options::default()
    };
    let s = search(&w, &ModelRules, &opts, &mut |_| {}).unwrap();
    assert_eq!(s.stop, Stop::OutOfMemory);
    assert!(s.store.bytes() <= 36_000);
    assert!(s.store.len() < 459);
}
