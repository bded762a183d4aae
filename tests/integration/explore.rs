//! The explorer: every `--find` condition on the bundled specs, the trace
//! written by `--out` passing `iocp-sim check`, determinism, bad input, and
//! the spec schema agreeing with the parser.

use std::path::PathBuf;

use iocp_sim::explore::{self, search, Condition, ModelRules, Options, Search, Stop, World};
use iocp_sim::model::Flavor;
use serde_json::Value;

use crate::util::{bin, repo, scratch};

fn spec_path(name: &str) -> PathBuf {
    repo("sim-scenarios/explore").join(name)
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
    let dir = scratch("explore", "a_written_trace_keeps_the_posting_worker");
    let out = dir.join("worker-posts-trace.json");
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
    let scenario_schema: Value = serde_json::from_str(&iocp_sim::scenario::schema::json()).unwrap();
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
    assert_eq!(steps.last().unwrap().after.ports()[0].current(), 3);
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
    // Everything but the timings is identical.
    let strip = |o: &std::process::Output| strip_timings(&String::from_utf8_lossy(&o.stdout));
    assert_eq!(strip(&a), strip(&b));
    // And whatever the number of threads, with or without symmetry (the
    // default for this spec, whose workers are declared `count: 3`).
    for sym in [None, Some("--symmetry"), Some("--no-symmetry")] {
        let threads = |n: &str| {
            bin()
                .args(["explore", "--find", "current > 2", "--threads", n])
                .args(sym)
                .arg(spec_path("three-workers.json"))
                .output()
                .unwrap()
        };
        let one = threads("1");
        assert_eq!(one.status.code(), Some(0));
        assert_eq!(strip(&one), strip(&threads("3")), "{sym:?}");
        let stats = String::from_utf8_lossy(&one.stdout);
        let reduced = sym != Some("--no-symmetry");
        assert_eq!(
            stats.contains("symmetry: W1-W3 interchangeable"),
            reduced,
            "{stats}"
        );
        assert_eq!(stats.contains(" orbits, "), reduced, "{stats}");
    }
}

/// The output's lines without the parts that vary from run to run (the
/// seconds taken and the states or orbits per second).
fn strip_timings(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| {
            l.split(", ")
                .filter(|part| !part.ends_with(" s") && !part.contains("s/s"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect()
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
    let dir = scratch("explore", "the_over_limit_trace_written_by_out");
    let out = dir.join("over-limit-trace.json");
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
    let scenario_schema: Value = serde_json::from_str(&iocp_sim::scenario::schema::json()).unwrap();
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
        let file = dir.join(format!("over-limit-trace.{}", &kind[2..]));
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
    // With symmetry (the default for specs with `count: n` threads) and
    // without: the trace found on orbit representatives is renamed back to
    // moves the threads really make.
    let dir = scratch("explore", "every_found_trace_passes_check");
    for (i, ((spec, find, flavor), sym)) in cases
        .iter()
        .flat_map(|c| [(c, "--no-symmetry"), (c, "--symmetry")])
        .enumerate()
    {
        let out = dir.join(format!("trace-{i}.json"));
        let o = bin()
            .args(["explore", "--find", find, "--flavor", flavor, "--out"])
            .arg(&out)
            .arg(spec_path(spec))
            .arg(sym)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{spec} {find} {sym}");
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
    let dir = scratch("explore", "unreachable_conditions_exit_1_and_write_nothing");
    let out = dir.join("never.json");
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
    let dir = scratch("explore", "bad_input_exits_2_naming_the_problem");
    let write = |name: &str, text: &str| crate::util::write(&dir, name, text);
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

/// Small specs with threads declared `count: n`, of every shape the
/// explorer supports: blocking or not, follow-up posts, finite timeouts
/// (retry or exit), get_ex batches, two groups on two ports, requests and
/// closes.
fn generated_specs() -> Vec<(String, String)> {
    let mut specs = Vec::new();
    let spec = |ports: &str, threads: &str, env: &str| {
        format!(
            r#"{{ "format": "iocp-sim-explore/1", "title": "generated", "ports": [{ports}], "threads": [{threads}], "environment": {{ {env} }} }}"#
        )
    };
    for (n, c, posts, packets) in [(2, 1, 2, 1), (3, 1, 3, 2), (3, 2, 4, 1), (4, 2, 3, 1)] {
        specs.push((
            format!("{n} blocking workers, concurrency {c}, {posts} posts, {packets} packets each"),
            spec(
                &format!(r#"{{ "id": "P", "concurrency": {c} }}"#),
                &format!(
                    r#"{{ "id": "W", "count": {n}, "get": {{ "port": "P" }}, "block": "Sleep(1)", "packets": {packets} }}"#
                ),
                &format!(r#""posts": [{{ "port": "P", "key": 1, "count": {posts} }}]"#),
            ),
        ));
    }
    specs.push((
        "3 workers that post follow-up work, no packet limit".to_owned(),
        spec(
            r#"{ "id": "P", "concurrency": 1 }"#,
            r#"{ "id": "W", "count": 3, "get": { "port": "P" }, "block": "Sleep(1)", "post": { "port": "P", "key": 2 } }"#,
            r#""posts": [{ "port": "P", "key": 1, "count": 2 }]"#,
        ),
    ));
    specs.push((
        "3 workers that post follow-up work without blocking (they keep the queue-wait mark)"
            .to_owned(),
        spec(
            r#"{ "id": "P", "concurrency": 2 }"#,
            r#"{ "id": "W", "count": 3, "get": { "port": "P" }, "post": { "port": "P", "key": 2 }, "packets": 2 }"#,
            r#""posts": [{ "port": "P", "key": 1, "count": 2 }]"#,
        ),
    ));
    for on_timeout in ["retry", "exit"] {
        specs.push((
            format!("3 workers with a 50 ms timeout ({on_timeout}), 3 timeouts"),
            spec(
                r#"{ "id": "P", "concurrency": 1 }"#,
                &format!(
                    r#"{{ "id": "W", "count": 3, "get": {{ "port": "P", "timeout": 50 }}, "on_timeout": "{on_timeout}", "block": "Sleep(1)", "packets": 1 }}"#
                ),
                r#""posts": [{ "port": "P", "key": 1, "count": 2 }], "timeouts": 3"#,
            ),
        ));
    }
    specs.push((
        "3 pollers with get_ex batches of 2".to_owned(),
        spec(
            r#"{ "id": "P", "concurrency": 2 }"#,
            r#"{ "id": "W", "count": 3, "get": { "port": "P", "timeout": 0, "batch": 2 }, "on_timeout": "exit", "packets": 2 }"#,
            r#""posts": [{ "port": "P", "key": 1, "count": 3 }]"#,
        ),
    ));
    specs.push((
        "two groups on two ports, one thread alone, a closing port".to_owned(),
        spec(
            r#"{ "id": "P", "concurrency": 1 }, { "id": "Q", "concurrency": 1 }"#,
            r#"{ "id": "A", "count": 2, "get": { "port": "P" }, "block": "Sleep(1)", "post": { "port": "Q", "key": 3 }, "packets": 1 },
               { "id": "B", "count": 2, "get": { "port": "Q" }, "packets": 1 },
               { "id": "C", "get": { "port": "P" }, "packets": 1 }"#,
            r#""posts": [{ "port": "P", "key": 1, "count": 2 }], "close_ports": ["Q"]"#,
        ),
    ));
    specs.push((
        "3 workers and a device with 2 requests, closed by the environment".to_owned(),
            r#"{ "format": "iocp-sim-explore/1", "title": "generated", "ports": [{ "id": "P", "concurrency": 1 }],
               "devices": [{ "id": "sock", "port": "P", "key": 7, "requests": 2, "bytes": 10 }],
               "threads": [{ "id": "W", "count": 3, "get": { "port": "P" }, "block": "Sleep(1)", "packets": 1 }],
               "environment": { "posts": [{ "port": "P", "key": 1, "count": 1 }], "close_devices": ["sock"], "close_ports": ["P"] } }"#
        .to_owned(),
    ));
    specs
}

const CONDITIONS: [&str; 11] = [
    "over_limit",
    "current > 1",
    "current > 2",
    "held",
    "idle_with_work",
    "lost > 0",
    "lost > 1",
    "wtq > 1",
    "iocq > 1",
    "ptl > 0",
    "rtl > 2",
];

/// The depth of the first state found, `None` if the search was exhaustive
/// without finding it; panics on any other stop.
fn answer(w: &World, s: &Search, what: &str) -> Option<usize> {
    match s.stop {
        Stop::Found { state, .. } => Some(s.depth_of(state) as usize),
        Stop::Exhausted => None,
        ref other => panic!("{}: {what}: unexpected stop {other:?}", w.title),
    }
}

/// Every renaming that permutes threads only within their groups of
/// interchangeable threads.
fn group_renamings(w: &World) -> Vec<explore::pack::Renaming> {
    fn permutations(ids: &[u8]) -> Vec<Vec<u8>> {
        if ids.len() <= 1 {
            return vec![ids.to_vec()];
        }
        let mut all = Vec::new();
        for i in 0..ids.len() {
            let mut rest = ids.to_vec();
            let first = rest.remove(i);
            for mut p in permutations(&rest) {
                p.insert(0, first);
                all.push(p);
            }
        }
        all
    }
    let mut all = vec![explore::pack::Renaming::IDENTITY];
    for g in &w.interchangeable {
        let ids: Vec<u8> = g.clone().map(|t| t as u8).collect();
        all = all
            .iter()
            .flat_map(|r| {
                permutations(&ids).into_iter().map(move |p| {
                    let mut r = *r;
                    r.at_slot[g.clone()].copy_from_slice(&p);
                    r
                })
            })
            .collect();
    }
    for r in &mut all {
        for j in 0..w.programs.len() {
            r.slot_of[r.at_slot[j] as usize] = j as u8;
        }
    }
    all
}

/// Reduced and unreduced searches agree on every `--find` answer (reachable
/// or not, and the length of the shortest trace) and on every property
/// verdict; a trace found under symmetry replays, move for move, as one the
/// threads can really make and ends where the condition holds; and the
/// reduced search keeps exactly one state per orbit of the full one, the
/// orbits counted by brute force (each full state packed under every
/// renaming within the groups, the smallest key naming its orbit), so a
/// canonical form that let two states of one orbit differ (say, by a
/// thread's queue-wait mark left out of the sort key) fails here.
/// The worlds the symmetry tests search: every bundled spec (but
/// `many-states.json`) and every generated one, in both flavours.
fn symmetry_worlds() -> Vec<(String, World)> {
    let mut worlds: Vec<(String, World)> = Vec::new();
    for entry in std::fs::read_dir(spec_path("")).unwrap() {
        let name = entry.unwrap().file_name().to_str().unwrap().to_owned();
        if name != "many-states.json" {
            for f in [Flavor::Windows, Flavor::Wine] {
                worlds.push((format!("{name} ({f:?})"), world(&name, Some(f))));
            }
        }
    }
    for (what, text) in generated_specs() {
        let spec = explore::parse(&text).unwrap_or_else(|e| panic!("{what}: {e}"));
        for f in [Flavor::Windows, Flavor::Wine] {
            worlds.push((
                format!("{what} ({f:?})"),
                World::new(&spec, Some(f)).unwrap(),
            ));
        }
    }
    worlds
}

#[test]
fn symmetry_agrees_with_the_full_search() {
    let worlds = symmetry_worlds();
    let mut reduced_somewhere = false;
    for (what, w) in &worlds {
        let run = |find: Option<&str>, symmetry: bool| {
            let opts = Options {
                find: find.map(|c| Condition::parse(c).unwrap()),
                symmetry,
                ..Options::default()
            };
            search(w, &ModelRules, &opts, &mut |_| {}).unwrap()
        };
        // Property verdicts, and the orbits.
        let (full, reduced) = (run(None, false), run(None, true));
        assert_eq!(full.stop, Stop::Exhausted, "{what}");
        assert_eq!(reduced.stop, Stop::Exhausted, "{what}");
        assert_eq!(full.depth, reduced.depth, "{what}");
        let layout = explore::pack::Layout::new(w);
        let sym = explore::symmetry::Symmetry::new(w);
        let mut orbits = std::collections::HashSet::new();
        let (mut k, mut l) = w.initial().unwrap();
        let mut parts = k.parts();
        let mut ren = explore::pack::Renaming::IDENTITY;
        let mut key = vec![0u64; layout.words];
        for id in 0..full.store.len() as u32 {
            layout
                .decode(w, full.store.key(id), &mut parts, &mut k, &mut l)
                .unwrap();
            if let Some(sym) = &sym {
                sym.canonical(&layout, w, &k, &l, &mut ren).unwrap();
            }
            layout.encode_renamed(w, &k, &l, &mut key, &ren).unwrap();
            orbits.insert(key.clone());
        }
        assert_eq!(
            orbits.len(),
            reduced.store.len(),
            "{what}: one state per orbit"
        );
        let renamings = group_renamings(w);
        let mut exact = std::collections::HashSet::new();
        let mut smallest = vec![0u64; layout.words];
        for id in 0..full.store.len() as u32 {
            layout
                .decode(w, full.store.key(id), &mut parts, &mut k, &mut l)
                .unwrap();
            smallest.fill(u64::MAX);
            for r in &renamings {
                layout.encode_renamed(w, &k, &l, &mut key, r).unwrap();
                smallest = smallest.min(key.clone());
            }
            exact.insert(smallest.clone());
        }
        assert_eq!(
            exact.len(),
            reduced.store.len(),
            "{what}: the reduced search keeps exactly one state per orbit"
        );
        reduced_somewhere |= reduced.store.len() < full.store.len();
        // The orbits, each counted with its size, tell the full graph's
        // size exactly.
        let counted = explore::Concrete {
            states: full.store.len() as u128,
            transitions: full.transitions.into(),
            probes: full.probes.into(),
        };
        assert_eq!(full.concrete(), Ok(counted), "{what}");
        assert_eq!(
            reduced.concrete(),
            Ok(counted),
            "{what}: the concrete size from the orbits"
        );

        for c in CONDITIONS {
            let (a, b) = (run(Some(c), false), run(Some(c), true));
            assert_eq!(
                answer(w, &a, c),
                answer(w, &b, c),
                "{what}: --find {c} with and without symmetry"
            );
            if let Stop::Found { state, .. } = b.stop {
                let (moves, _) = b.concrete_path(w, &ModelRules, state, None, None).unwrap();
                let steps = explore::trace::replay(w, &ModelRules, &moves, None).unwrap();
                assert_eq!(steps.len(), moves.len(), "{what}: {c}: a move was refused");
                assert!(steps.iter().all(|s| s.rejected.is_none()), "{what}: {c}");
                let end = steps
                    .last()
                    .map_or_else(|| w.initial().unwrap().0, |s| s.after.clone());
                assert!(
                    Condition::parse(c).unwrap().holds(&end).is_some(),
                    "{what}: the concrete trace for {c} does not end where it holds"
                );
            }
        }
    }
    assert!(reduced_somewhere);
}

/// The size of an orbit computed from the threads' sort keys
/// (`Symmetry::orbit_size`: `n!` per group over `c!` per run of equal keys)
/// is the number of distinct keys the state packs to under every renaming
/// within the groups, on every state of every reduced search above; and the
/// representatives stand for one state each only where no two threads of a
/// group tie.
#[test]
fn orbit_sizes_agree_with_brute_force() {
    let mut measured = 0;
    let mut sizes = std::collections::BTreeSet::new();
    for (what, w) in symmetry_worlds() {
        let Some(sym) = explore::symmetry::Symmetry::new(&w) else {
            continue;
        };
        let opts = Options {
            symmetry: true,
            ..Options::default()
        };
        let reduced = search(&w, &ModelRules, &opts, &mut |_| {}).unwrap();
        assert_eq!(reduced.stop, Stop::Exhausted, "{what}");
        let layout = explore::pack::Layout::new(&w);
        let renamings = group_renamings(&w);
        let (mut k, mut l) = w.initial().unwrap();
        let mut parts = k.parts();
        let mut key = vec![0u64; layout.words];
        for id in 0..reduced.store.len() as u32 {
            layout
                .decode(&w, reduced.store.key(id), &mut parts, &mut k, &mut l)
                .unwrap();
            let mut orbit = std::collections::HashSet::new();
            for r in &renamings {
                layout.encode_renamed(&w, &k, &l, &mut key, r).unwrap();
                orbit.insert(key.clone());
            }
            let size = sym.orbit_size(&layout, &w, &k, &l).unwrap();
            assert_eq!(size, orbit.len() as u128, "{what}: state {id}");
            sizes.insert(size);
            measured += 1;
        }
    }
    assert!(measured > 1000, "only {measured} orbits measured");
    // Orbits of every kind: a single state (all threads of each group
    // alike), all threads apart (4! = 24), and ties in between.
    assert!(sizes.contains(&1) && sizes.contains(&24), "{sizes:?}");
    assert!(sizes.iter().any(|&n| n > 1 && n < 24), "{sizes:?}");
}

/// Symmetry is the command's default exactly where it is sound: the spec
/// declares threads with `count: n` (and no `--find` condition tells
/// threads apart); `--no-symmetry` searches the concrete graph, whose
/// counts are the ones the orbits said they stand for; a spec without
/// such threads is searched concretely and the line says why.
#[test]
fn symmetry_is_the_default_where_sound() {
    for c in CONDITIONS {
        assert!(!Condition::parse(c).unwrap().names_a_thread(), "{c}");
    }
    let three = world("three-workers.json", None);
    let single = world("close-port-loses.json", None);
    for c in CONDITIONS.iter().map(|c| Condition::parse(c).unwrap()) {
        assert!(explore::symmetry::Symmetry::sound_for(&three, Some(&c)));
        assert!(!explore::symmetry::Symmetry::sound_for(&single, Some(&c)));
    }
    assert!(explore::symmetry::Symmetry::sound_for(&three, None));
    let run = |args: &[&str], spec: &str| {
        let o = bin()
            .arg("explore")
            .args(args)
            .arg(spec_path(spec))
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let reduced = run(&["--find", "current > 3"], "three-workers.json");
    assert!(
        reduced.contains("NOT REACHABLE: current > 3 holds in none of the 459 reachable states, searched as 100 orbits (windows)."),
        "{reduced}"
    );
    assert!(
        reduced.contains("symmetry: W1-W3 interchangeable (--no-symmetry searches every state): 100 orbits stand for exactly 459 distinct states, 1,125 transitions and 459 forbidden calls probed\n100 orbits, 264 transitions"),
        "{reduced}"
    );
    // `--symmetry` says the default explicitly; the last of the two flags wins.
    let strip = strip_timings;
    for args in [
        &["--find", "current > 3", "--symmetry"][..],
        &["--find", "current > 3", "--no-symmetry", "--symmetry"],
    ] {
        assert_eq!(strip(&run(args, "three-workers.json")), strip(&reduced));
    }
    for args in [
        &["--find", "current > 3", "--no-symmetry"][..],
        &["--find", "current > 3", "--symmetry", "--no-symmetry"],
    ] {
        let full = run(args, "three-workers.json");
        assert!(
            full.contains("\n459 distinct states (no symmetry reduction: --no-symmetry), 1,125 transitions checked against properties 1-7 (those that hold in windows), 459 forbidden calls probed, depth 15,"),
            "{full}"
        );
        assert!(!full.contains(" orbit"), "{full}");
    }
    let alone = run(&[], "close-port-loses.json");
    assert!(
        alone.contains(
            "32 distinct states (no symmetry reduction: no two threads are interchangeable), 60 transitions"
        ),
        "{alone}"
    );
    // A search that stops early counts orbits only.
    let early = run(&["--max-states", "20"], "three-workers.json");
    assert!(
        early.contains("20 orbits searched, not every reachable one, so the distinct states they stand for are not counted"),
        "{early}"
    );
    assert!(!early.contains("stand for exactly"), "{early}");
}

/// Parallel search: the same states in the same order, the same parents,
/// counts, stop and trace whatever the number of threads, with and without
/// symmetry, on searches that stop early (`--find`) and exhaustive ones.
#[test]
fn the_number_of_threads_changes_nothing() {
    let mut worlds: Vec<World> = [
        "three-workers.json",
        "held-packets.json",
        "close-port-loses.json",
    ]
    .iter()
    .map(|n| world(n, None))
    .collect();
    for (_, text) in generated_specs().iter().take(3) {
        worlds.push(World::new(&explore::parse(text).unwrap(), None).unwrap());
    }
    for w in &worlds {
        for find in [None, Some("over_limit"), Some("held"), Some("lost > 0")] {
            for symmetry in [false, true] {
                let run = |threads: usize| {
                    let opts = Options {
                        find: find.map(|c| Condition::parse(c).unwrap()),
                        symmetry,
                        threads,
                        max_states: 2_000,
                        ..Options::default()
                    };
                    let s = search(w, &ModelRules, &opts, &mut |_| {}).unwrap();
                    let states: Vec<(Vec<u64>, (u32, u16))> = (0..s.store.len() as u32)
                        .map(|i| (s.store.key(i).to_vec(), s.store.parent(i)))
                        .collect();
                    (
                        format!("{:?}", s.stop),
                        s.transitions,
                        s.probes,
                        s.concrete(),
                        s.level_ends,
                        states,
                    )
                };
                let one = run(1);
                for threads in [2, 3, 7] {
                    assert!(
                        run(threads) == one,
                        "{}: find {find:?}, symmetry {symmetry}: {threads} threads differ from 1",
                        w.title
                    );
                }
            }
        }
    }
}

/// Splits a command line as a shell would for the docs' commands: words
/// separated by spaces, `"..."` kept as one word.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, started) = (!quoted, true),
            ' ' if !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// Every `$ iocp-sim ...` command shown in docs/explore.md prints what the
/// doc says it prints (timings aside) and exits as it says. Files the doc
/// writes to /tmp are written to a scratch directory instead.
#[test]
fn the_outputs_in_docs_explore_md_are_what_the_commands_print() {
    let doc = std::fs::read_to_string(repo("docs/explore.md")).unwrap();
    let dir = scratch("explore", "docs_outputs");
    let tmp = format!("{}/", dir.display());
    let lines: Vec<&str> = doc.lines().collect();
    let mut checked = 0;
    let mut i = 0;
    while i < lines.len() {
        let Some(command) = lines[i].strip_prefix("$ iocp-sim ") else {
            i += 1;
            continue;
        };
        let end = (i + 1..lines.len())
            .find(|&j| lines[j].starts_with("(exit status "))
            .unwrap_or_else(|| panic!("docs/explore.md:{}: no exit status", i + 1));
        let expected = lines[i + 1..end].join("\n").replace("/tmp/", &tmp);
        let status: i32 = lines[end]["(exit status ".len()..lines[end].len() - 1]
            .parse()
            .unwrap();
        let o = bin()
            .args(shell_words(&command.replace("/tmp/", &tmp)))
            .current_dir(repo(""))
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&o.stdout);
        assert_eq!(
            strip_timings(printed.trim_end()),
            strip_timings(&expected),
            "docs/explore.md:{}: $ iocp-sim {command}",
            i + 1
        );
        assert_eq!(o.status.code(), Some(status), "docs/explore.md:{}", i + 1);
        checked += 1;
        i = end + 1;
    }
    assert!(checked >= 17, "only {checked} commands found");
}
