//! `iocp-sim lab` from the command line: exit codes, messages, files.

use crate::util::{bin, scratch, write};

const SMALL: &str = r#"name = "small"
cpus = 2
threads = 3
completions = 2000
[arrivals]
process = "poisson"
load = 0.7
[service]
dist = "exp"
mean_us = 50
[block]
p = 0.2
time = { dist = "exp", mean_us = 100 }
[scheduler]
switch_us = 2
cold_after_us = 100
cold_penalty_us = 10
"#;

#[test]
fn bad_config_exits_2_naming_file_line_and_key() {
    let d = scratch("lab_cli", "bad");
    let f = write(
        &d,
        "bad.toml",
        &SMALL.replace("threads = 3", "threads = -3"),
    );
    let out = bin().arg("lab").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:3:"), "{err}");
    assert!(err.contains("key `threads`"), "{err}");
    let missing = bin()
        .args(["lab", "/nonexistent/lab.toml"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
}

#[test]
fn bad_sweep_exits_2() {
    let d = scratch("lab_cli", "sweep");
    let f = write(&d, "small.toml", SMALL);
    let out = bin()
        .arg("lab")
        .arg(&f)
        .args(["--sweep", "threads=4..1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--sweep threads=4..1"));
}

#[test]
fn single_run_prints_every_measure() {
    let d = scratch("lab_cli", "single");
    let f = write(&d, "small.toml", SMALL);
    let out = bin().arg("lab").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for word in [
        "throughput",
        "p50",
        "p99",
        "cpu utilisation",
        "per completion",
        "over limit",
        "cold-cache runs",
    ] {
        assert!(text.contains(word), "missing {word}: {text}");
    }
}

#[test]
fn sweep_writes_csv_and_plots_the_same_for_any_jobs() {
    let d = scratch("lab_cli", "out");
    let f = write(&d, "small.toml", SMALL);
    let run = |jobs: &str, out: &str| {
        let o = bin()
            .arg("lab")
            .arg(&f)
            .args(["--sweep", "threads=1..4", "--sweep", "concurrency=0..2"])
            .args(["--sweep", "policy=lifo,wine", "--jobs", jobs, "--out"])
            .arg(d.join(out))
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let a = run("1", "a");
    let b = run("2", "b");
    assert_eq!(a, b);
    let csv_a = std::fs::read_to_string(d.join("a/results.csv")).unwrap();
    let csv_b = std::fs::read_to_string(d.join("b/results.csv")).unwrap();
    assert_eq!(csv_a, csv_b);
    assert_eq!(csv_a.lines().count(), 1 + 4 * 3 * 2);
    for plot in [
        "throughput.svg",
        "switches.svg",
        "latency_p99.svg",
        "cold_runs.svg",
    ] {
        let svg = std::fs::read_to_string(d.join("a").join(plot)).unwrap();
        // One line per concurrency value and policy.
        assert_eq!(svg.matches("<polyline").count(), 6, "{plot}");
        assert!(svg.contains("wine"));
    }
}
