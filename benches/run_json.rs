//! `run --json` on a generated 240,000-step scenario, end to end through the
//! library (read, resolve, simulate, check expectations, write JSON to a
//! sink), against baselines measured in the same run on the same file:
//!
//! * `serde_json_value`: read the file and parse it with serde_json into a
//!   `serde_json::Value` (what merely parsing the input costs in Rust);
//! * Python's `json.load` of the same file, when `python3` is on the PATH
//!   (timed inside Python, so its start-up is not counted).
//!
//! After criterion's groups, rounds of the three run side by side
//! (alternating, so that a change in the machine's load hits each alike)
//! and the bench prints each one's median CPU time and wall time and the
//! ratios `run --json / baseline`: the figure issue 22 asks to keep at or
//! below 1.0. `RUN_JSON_ROUNDS=N` sets the rounds (default 7). See
//! docs/benchmarks.md.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use iocp_sim::live::workload::cpu_now;
use iocp_sim::scenario::generate;

const STEPS: usize = 240_000;

fn scenario_file() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("workload-{STEPS}.json"));
    if !path.exists() {
        std::fs::write(&path, generate::workload(STEPS)).expect("write the generated scenario");
    }
    path
}

/// The whole of `run --json`, its output thrown away.
fn run_json(path: &Path) {
    let failed = iocp_sim::cli::run::write_json(path, None, None, std::io::sink())
        .expect("the generated scenario runs");
    assert_eq!(failed, 0);
}

/// The baseline: read the file and parse it into a `serde_json::Value`.
fn parse_value(path: &Path) {
    let bytes = std::fs::read(path).expect("read the scenario");
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
    assert!(v.is_object());
}

fn criterion_groups(c: &mut Criterion, path: &Path) {
    let mut g = c.benchmark_group("run_json");
    g.sample_size(10);
    g.throughput(Throughput::Elements(STEPS as u64));
    g.bench_function("240k_steps", |b| b.iter(|| run_json(path)));
    g.bench_function("serde_json_value_baseline", |b| {
        b.iter(|| parse_value(path))
    });
    g.finish();
}

/// (CPU, wall) time of `f`, in seconds.
fn timed(f: impl FnOnce()) -> (f64, f64) {
    let (c, w) = (cpu_now(), Instant::now());
    f();
    ((cpu_now() - c).as_secs_f64(), w.elapsed().as_secs_f64())
}

const PYTHON: &str = "import json, sys, time\n\
c, w = time.process_time(), time.perf_counter()\n\
with open(sys.argv[1], 'rb') as f:\n    json.load(f)\n\
print(time.process_time() - c, time.perf_counter() - w)\n";

/// Python's `json.load` of `path`, timed inside Python: `None` without python3.
fn python_json_load(path: &Path) -> Option<(f64, f64)> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(PYTHON)
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let mut it = text.split_whitespace().map(|s| s.parse::<f64>().ok());
    Some((it.next()??, it.next()??))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Rounds of `run --json` and the baselines, alternating; prints medians
/// and ratios.
fn side_by_side(path: &Path) {
    let rounds: usize = std::env::var("RUN_JSON_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(7);
    let (mut run, mut value, mut python) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..rounds {
        // Alternate who goes first, so that neither always meets a warm cache.
        if i % 2 == 0 {
            run.push(timed(|| run_json(path)));
            value.push(timed(|| parse_value(path)));
        } else {
            value.push(timed(|| parse_value(path)));
            run.push(timed(|| run_json(path)));
        }
        if let Some(p) = python_json_load(path) {
            python.push(p);
        }
    }
    let cpu = |v: &[(f64, f64)]| median(v.iter().map(|x| x.0).collect());
    let wall = |v: &[(f64, f64)]| median(v.iter().map(|x| x.1).collect());
    println!(
        "\nside by side, {rounds} rounds, medians (CPU time of the measured thread / wall clock):"
    );
    println!(
        "  run --json                    {:.3} s / {:.3} s",
        cpu(&run),
        wall(&run)
    );
    println!(
        "  serde_json Value (baseline)   {:.3} s / {:.3} s",
        cpu(&value),
        wall(&value)
    );
    if python.len() == rounds {
        println!(
            "  python3 json.load             {:.3} s / {:.3} s",
            cpu(&python),
            wall(&python)
        );
    }
    println!(
        "run_json / serde_json_value: {:.2} (CPU), {:.2} (wall)",
        cpu(&run) / cpu(&value),
        wall(&run) / wall(&value)
    );
    if python.len() == rounds {
        println!(
            "run_json / python json.load: {:.2} (CPU), {:.2} (wall)",
            cpu(&run) / cpu(&python),
            wall(&run) / wall(&python)
        );
    } else {
        println!("python3 not found: no json.load figure");
    }
}

fn main() {
    let path = scenario_file();
    eprintln!(
        "scenario: {} ({} bytes)",
        path.display(),
        std::fs::metadata(&path).map_or(0, |m| m.len())
    );
    let mut c = Criterion::default().configure_from_args();
    criterion_groups(&mut c, &path);
    c.final_summary();
    // `cargo test --benches` runs each bench once to see that it works:
    // no side-by-side rounds then.
    if std::env::args().any(|a| a == "--bench") {
        side_by_side(&path);
    }
}
