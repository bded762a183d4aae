//! The built `iocp-sim` binary on bad input: every kind of mistake ends with
//! exit status 2 and one clear line on stderr (file, place, reason), never a
//! panic. Also: `check` exits 1 with `N passed, N failed` when an
//! expectation fails, and `run --json` writes one JSON object per step.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{self, bin, stderr, stdout, write};

/// A fresh directory for one test of this suite.
fn scratch(test: &str) -> PathBuf {
    util::scratch("cli_errors", test)
}

fn iocp(args: &[&str], dir: &Path) -> Output {
    bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run iocp-sim")
}

/// A well-formed world with one port P (concurrency 1) and one thread T1,
/// followed by `steps` (a JSON array).
fn world(steps: &str) -> String {
    format!(
        r#"{{"format": "iocp-sim/1", "title": "t", "ports": [{{"id": "P", "concurrency": 1}}], "threads": ["T1"], "steps": {steps}}}"#
    )
}

/// Runs `run FILE` and `check FILE` on a bad file and returns the two stderr
/// messages after checking: exit 2, exactly one line, no panic, every word
/// of `must_say` present (case-sensitive).
fn bad_input(test: &str, file: &str, text: &str, must_say: &[&str]) -> String {
    let dir = scratch(test);
    write(&dir, file, text);
    let mut first = String::new();
    for cmd in ["run", "check"] {
        let o = iocp(&[cmd, file], &dir);
        let err = stderr(&o);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{cmd} {file}: expected exit 2\nstderr: {err}\nstdout: {}",
            stdout(&o)
        );
        assert!(!err.contains("panicked"), "{cmd} {file} panicked: {err}");
        assert_eq!(
            err.lines().count(),
            1,
            "{cmd} {file}: expected one line on stderr, got:\n{err}"
        );
        for word in must_say {
            assert!(
                err.contains(word),
                "{cmd} {file}: stderr should mention {word:?}: {err}"
            );
        }
        if first.is_empty() {
            first = err;
        }
    }
    first
}

#[test]
fn invalid_json_names_file_line_and_column() {
    let text = "{\n  \"format\": \"iocp-sim/1\",\n  \"title\": \"t\",\n  \"ports\": [{\"id\": \"P\", \"concurrency\": 1}],,\n  \"threads\": [\"T1\"],\n  \"steps\": []\n}\n";
    // The stray second comma is on line 4, column 44.
    bad_input("invalid_json", "broken.json", text, &["broken.json:4:44:"]);
}

#[test]
fn a_truncated_file_names_a_line_and_column() {
    let err = bad_input(
        "truncated",
        "cut.json",
        "{\"format\": \"iocp-sim/1\", \"title\": \"t\",\n",
        &["cut.json:", "ends before"],
    );
    assert!(!err.contains(":0:"), "columns are 1-based: {err}");
}

#[test]
fn an_unknown_key_is_named() {
    let text = world("[]").replacen("\"title\"", "\"colour\": \"red\", \"title\"", 1);
    bad_input(
        "unknown_key",
        "colour.json",
        &text,
        &["colour.json:1:", "colour"],
    );
}

#[test]
fn an_unknown_key_in_a_step_names_the_step() {
    let text = world(r#"[{"op": "post", "port": "P", "priority": 1}]"#);
    bad_input(
        "unknown_step_key",
        "prio.json",
        &text,
        &["step 1", "priority"],
    );
}

#[test]
fn a_wrong_format_version_names_the_versions_understood() {
    let text = world("[]").replace("iocp-sim/1", "iocp-sim/2");
    bad_input(
        "version",
        "v2.json",
        &text,
        &["v2.json", "iocp-sim/2", "iocp-sim/1"],
    );
}

#[test]
fn an_unknown_thread_names_the_step_the_op_and_the_id() {
    let text =
        world(r#"[{"op": "post", "port": "P"}, {"op": "get", "thread": "T9", "port": "P"}]"#);
    bad_input(
        "unknown_thread",
        "ghost.json",
        &text,
        &["ghost.json", "step 2", "get", "T9"],
    );
}

#[test]
fn a_bad_by_names_the_step_the_op_and_the_reason() {
    let text = world(r#"[{"op": "post", "port": "P", "by": "T9"}]"#);
    bad_input(
        "unknown_by",
        "ghost_by.json",
        &text,
        &["ghost_by.json", "step 1", "post", "T9"],
    );
    // A post by a thread that waits is refused like any call it would make.
    let text = world(
        r#"[{"op": "get", "thread": "T1", "port": "P"}, {"op": "post", "port": "P", "by": "T1"}]"#,
    );
    bad_input(
        "waiting_by",
        "waiting_by.json",
        &text,
        &["waiting_by.json", "step 2", "post", "T1", "waiting"],
    );
    // `by` belongs to post and issue only.
    let text = world(r#"[{"op": "get", "thread": "T1", "port": "P", "by": "T1"}]"#);
    bad_input(
        "get_by",
        "get_by.json",
        &text,
        &["get_by.json", "step 1", "by"],
    );
}

#[test]
fn get_ex_with_max_zero_is_refused() {
    let text = world(r#"[{"op": "get_ex", "thread": "T1", "port": "P", "max": 0}]"#);
    bad_input(
        "get_ex_zero",
        "batch.json",
        &text,
        &["step 1", "get_ex", "max"],
    );
}

#[test]
fn duplicate_ids_are_named() {
    let text = r#"{"format": "iocp-sim/1", "title": "t", "ports": [{"id": "P", "concurrency": 1}], "threads": ["T1", "P"], "steps": []}"#;
    bad_input(
        "duplicate_ids",
        "dup.json",
        text,
        &["dup.json", "\"P\"", "twice"],
    );
}

#[test]
fn a_rejected_action_without_expect_error_names_step_op_and_reason() {
    // T1 waits after step 1, so its second get is impossible.
    let text = world(
        r#"[{"op": "get", "thread": "T1", "port": "P"}, {"op": "get", "thread": "T1", "port": "P"}]"#,
    );
    bad_input(
        "rejected",
        "twice.json",
        &text,
        &["twice.json", "step 2", "(get)", "T1", "waiting"],
    );
}

#[test]
fn a_bad_timeout_says_what_a_timeout_is() {
    let text = world(r#"[{"op": "get", "thread": "T1", "port": "P", "timeout": -5}]"#);
    let err = bad_input("bad_timeout", "neg.json", &text, &["step 1", "infinite"]);
    assert!(!err.contains("Raw"), "internal type names leak: {err}");
}

#[test]
fn a_scenario_that_is_not_an_object_is_explained() {
    let err = bad_input("array", "list.json", "[]", &["list.json:1:", "object"]);
    assert!(!err.contains("Raw"), "internal type names leak: {err}");
}

#[test]
fn a_missing_file_is_reported() {
    bad_input_missing("missing", "nowhere.json");
}

fn bad_input_missing(test: &str, file: &str) {
    let dir = scratch(test);
    for cmd in ["run", "check"] {
        let o = iocp(&[cmd, file], &dir);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(file) && err.contains("cannot read"), "{err}");
    }
}

#[test]
fn an_unreadable_file_is_reported() {
    let dir = scratch("unreadable");
    write(&dir, "plain.json", &world("[]"));
    // A path that goes through a regular file cannot be read by anyone (root included).
    let mut paths = vec!["plain.json/inner.json".to_owned()];
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let p = write(&dir, "secret.json", &world("[]"));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
        // Root reads it anyway; then only the path above is tested.
        if std::fs::read(&p).is_err() {
            paths.push("secret.json".to_owned());
        }
    }
    for file in &paths {
        for cmd in ["run", "check"] {
            let o = iocp(&[cmd, file], &dir);
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{cmd} {file}: {err}");
            assert!(!err.contains("panicked"), "{err}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(
                err.contains(file.as_str()) && err.contains("cannot read"),
                "{err}"
            );
        }
    }
}

#[test]
fn a_directory_without_json_files_is_refused() {
    let dir = scratch("empty_dir");
    std::fs::create_dir_all(dir.join("lessons")).unwrap();
    write(&dir.join("lessons"), "notes.txt", "not a scenario");
    let o = iocp(&["check", "lessons"], &dir);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("lessons") && err.contains(".json"), "{err}");
    // `run` takes one file; a directory is an unreadable file.
    let o = iocp(&["run", "lessons"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("lessons"));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn check_exits_1_and_counts_a_failed_expectation() {
    let dir = scratch("failing");
    let text = world(
        r#"[{"op": "post", "port": "P", "expect": {"ports": {"P": {"iocq_len": 5, "current": 0}}}}]"#,
    );
    write(&dir, "wrong.json", &text);
    let o = iocp(&["check", "wrong.json"], &dir);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.lines().any(|l| l == "1 passed, 1 failed"), "{out}");
    let fail = out
        .lines()
        .find(|l| l.contains("iocq_len"))
        .expect("the failure is listed");
    assert!(
        fail.contains("step 1") && fail.contains("expected 5") && fail.contains("actual 1"),
        "{fail}"
    );
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn check_exits_0_when_everything_holds() {
    let dir = scratch("passing");
    let text =
        world(r#"[{"op": "post", "port": "P", "expect": {"ports": {"P": {"iocq_len": 1}}}}]"#);
    write(&dir, "right.json", &text);
    let o = iocp(&["check", "right.json"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).lines().any(|l| l == "1 passed, 0 failed"));
}

#[test]
fn run_json_writes_one_object_per_step_with_over_limit_per_port() {
    let lesson =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sim-scenarios/04-over-subscription.json");
    let steps = iocp_sim::scenario::load(&lesson).unwrap().steps.len();
    let o = bin().args(["run", "--json"]).arg(&lesson).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), steps, "one line per step");
    let mut over = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("line {} is not JSON ({e}): {line}", i + 1));
        assert!(v.is_object());
        assert_eq!(v["step"], i + 1);
        let port = &v["state"]["ports"]["P"];
        let flag = port["over_limit"]
            .as_bool()
            .unwrap_or_else(|| panic!("step {}: no over_limit for P: {line}", i + 1));
        assert_eq!(
            flag,
            port["current"].as_u64().unwrap() > port["max"].as_u64().unwrap()
        );
        over.push(flag);
    }
    // The lesson's point: exactly the unblock step (7) leaves P over its limit.
    let expected: Vec<bool> = (1..=steps).map(|s| s == 7).collect();
    assert_eq!(over, expected);
}

/// For people (`IOCP_SIM_ERRORS=long`, the default on a terminal): the
/// offending line with a caret and "did you mean"; for scripts (not a
/// terminal, as in every other test here) the one line stays.
#[test]
fn long_errors_show_the_line_a_caret_and_a_suggestion() {
    let dir = scratch("long_errors");
    let text =
        world("[\n  {\"op\": \"get\", \"thread\": \"T1\", \"port\": \"P\", \"expcet\": {}}\n]");
    write(&dir, "typo.json", &text);
    for cmd in ["run", "check"] {
        let o = bin()
            .args([cmd, "typo.json"])
            .current_dir(&dir)
            .env("IOCP_SIM_ERRORS", "long")
            .output()
            .expect("run iocp-sim");
        assert_eq!(o.status.code(), Some(2));
        let e = stderr(&o);
        assert!(
            e.starts_with("error: step 1: unknown field `expcet`"),
            "{cmd}: {e}"
        );
        assert!(e.contains("--> typo.json:2:"), "{cmd}: {e}");
        assert!(e.contains("2 |   {\"op\": \"get\""), "{cmd}: {e}");
        assert!(e.contains("^^^^^^^^ did you mean `expect`?"), "{cmd}: {e}");
        let short = iocp(&[cmd, "typo.json"], &dir);
        assert_eq!(stderr(&short).lines().count(), 1, "{}", stderr(&short));
        assert!(!stderr(&short).contains("did you mean"));
    }
    let unknown_thread = world(r#"[{"op": "get", "thread": "T2", "port": "P"}]"#)
        .replace(r#""threads": ["T1"]"#, r#""threads": ["T1", "Main"]"#);
    write(&dir, "thread.json", &unknown_thread);
    let o = bin()
        .args(["check", "thread.json"])
        .current_dir(&dir)
        .env("IOCP_SIM_ERRORS", "long")
        .output()
        .expect("run iocp-sim");
    // The step's line, with the caret under the unknown id.
    assert!(
        stderr(&o).contains(r#""thread": "T2""#) && stderr(&o).contains("^^^^ did you mean `T1`?"),
        "{}",
        stderr(&o)
    );
}

/// Runs `iocp-sim ARGS` in `dir` with the long form of errors asked for;
/// checks exit 2 and no panic, and returns stderr.
fn long_error(args: &[&str], dir: &Path) -> String {
    let o = bin()
        .args(args)
        .current_dir(dir)
        .env("IOCP_SIM_ERRORS", "long")
        .output()
        .expect("run iocp-sim");
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
    assert!(!e.contains("panicked"), "{args:?}: {e}");
    e
}

/// Asserts that every piece of `must_say` is in the long error `e` (each
/// piece of a snippet is one line of it, so the caret is checked in place).
fn says(e: &str, must_say: &[&str]) {
    for m in must_say {
        assert!(e.contains(m), "should contain {m:?}:\n{e}");
    }
}

/// Explore specs get the same long form as scenarios: the value a checked
/// JSON path (`threads[0].get.port`) names, or the key serde refused, with a
/// caret under it and "did you mean"; the one line stays for scripts.
#[test]
fn long_errors_in_explore_specs() {
    let dir = scratch("long_explore");
    let spec = |threads: &str| {
        format!(
            "{{\n  \"format\": \"iocp-sim-explore/1\",\n  \"title\": \"t\",\n  \"ports\": [{{\"id\": \"Main\", \"concurrency\": 1}}],\n  \"threads\": [\n    {threads}\n  ]\n}}\n"
        )
    };
    write(
        &dir,
        "port.json",
        &spec(r#"{"id": "W", "get": {"port": "Mian"}}"#),
    );
    let e = long_error(&["explore", "port.json"], &dir);
    says(
        &e,
        &[
            "error: threads[0].get.port: unknown port \"Mian\"\n",
            "--> port.json:6:33",
            "6 |     {\"id\": \"W\", \"get\": {\"port\": \"Mian\"}}",
            "  |                                 ^^^^^^ did you mean `Main`?",
        ],
    );
    let short = iocp(&["explore", "port.json"], &dir);
    assert_eq!(
        stderr(&short),
        "iocp-sim explore: port.json: threads[0].get.port: unknown port \"Mian\"\n"
    );

    write(
        &dir,
        "key.json",
        &spec(r#"{"id": "W", "get": {"port": "Main"}, "blokc": "Sleep"}"#),
    );
    let e = long_error(&["explore", "key.json"], &dir);
    says(
        &e,
        &[
            "error: unknown field `blokc`, expected one of",
            "--> key.json:6:",
            "^^^^^^^ did you mean `block`?",
        ],
    );
    assert!(!e.contains(" at line "), "the snippet gives the place: {e}");

    write(
        &dir,
        "timeout.json",
        &spec(r#"{"id": "W", "get": {"port": "Main"}, "on_timeout": "retyr"}"#),
    );
    let e = long_error(&["explore", "timeout.json"], &dir);
    says(&e, &["^^^^^^^ did you mean `retry`?"]);
}

/// Lab configurations (TOML) too: the key or value at fault under a caret,
/// "did you mean" for an unknown key, policy or swept key.
#[test]
fn long_errors_in_lab_configs() {
    let dir = scratch("long_lab");
    let config = "cpus = 2\nthreads = 2\ncompletions = 10\npolicy = \"lifp\"\n[arrivals]\nprocess = \"poisson\"\nload = 0.5\n[service]\ndist = \"exp\"\nmean_us = 10\n";
    write(&dir, "policy.toml", config);
    // `live` reads the same configurations.
    for cmd in ["lab", "live"] {
        let e = long_error(&[cmd, "policy.toml"], &dir);
        says(
            &e,
            &[
                "error: key `policy`: unknown policy `lifp`: use lifo, fifo-limited or wine\n",
                "--> policy.toml:4:10",
                "4 | policy = \"lifp\"",
                "  |          ^^^^^^ did you mean `lifo`?",
            ],
        );
        let short = iocp(&[cmd, "policy.toml"], &dir);
        assert_eq!(
            stderr(&short),
            format!("iocp-sim {cmd}: policy.toml:4:10: key `policy`: unknown policy `lifp`: use lifo, fifo-limited or wine\n")
        );
    }

    write(&dir, "key.toml", &config.replace("threads", "thraeds"));
    let e = long_error(&["lab", "key.toml"], &dir);
    says(
        &e,
        &["2 | thraeds = 2", "  | ^^^^^^^ did you mean `threads`?"],
    );

    write(
        &dir,
        "sweep.toml",
        &(config.replace("lifp", "lifo") + "[sweep]\ncpu = \"1..2\"\n"),
    );
    let e = long_error(&["lab", "sweep.toml"], &dir);
    says(&e, &["12 | cpu = \"1..2\"", "did you mean `cpus`?"]);
}

/// Challenge files are read by the scenario reader's rules, and shown the
/// same way.
#[test]
fn long_errors_in_challenges() {
    let dir = scratch("long_challenge");
    let lesson = world(r#"[{"op": "get", "thread": "T1", "port": "P"}]"#);
    write(&dir, "lesson.json", &lesson);
    write(
        &dir,
        "c.json",
        "{\n  \"format\": \"iocp-sim-challenge/1\",\n  \"title\": \"t\",\n  \"description\": \"d\",\n  \"lesson\": \"lesson.json\",\n  \"step\": 1,\n  \"goal\": \"over_limit\",\n  \"budjet\": 3\n}\n",
    );
    let e = long_error(&["challenge", "c.json", "--solve"], &dir);
    says(
        &e,
        &[
            "8 |   \"budjet\": 3",
            "  |   ^^^^^^^^ did you mean `budget`?",
        ],
    );
    let short = iocp(&["challenge", "c.json", "--solve"], &dir);
    assert_eq!(stderr(&short).lines().count(), 1, "{}", stderr(&short));
}
