//! `iocp-sim live`: the bundled config runs under every policy and the
//! report names every measure; bad input is refused with exit status 2.

fn live(args: &[&str]) -> std::process::Output {
    crate::util::bin()
        .arg("live")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("iocp-sim runs")
}

#[test]
fn the_bundled_config_runs_under_each_policy() {
    for policy in ["lifo", "fifo-limited", "wine"] {
        let out = live(&[
            "sim-scenarios/live/server.toml",
            "--policy",
            policy,
            "--completions",
            "2000",
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{policy}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(&format!("policy {policy}")), "{text}");
        assert!(text.contains("completions 2000"), "{text}");
        for word in [
            "throughput",
            "p50",
            "p99",
            "distinct threads that ran",
            "RTL over the limit",
        ] {
            assert!(text.contains(word), "{policy}: no {word} in {text}");
        }
        #[cfg(target_os = "linux")]
        assert!(text.contains("voluntary"), "{text}");
    }
}

#[test]
fn bad_input_is_refused_with_a_message() {
    let out = live(&["sim-scenarios/live/server.toml", "--threads", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--threads 0"));
    let out = live(&["no-such-file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.toml"));
}

/// Runs `iocp-sim CMD FILE` in `dir`, killing it (and failing the test) if
/// it takes more than `secs` seconds: a refusal must come before any work.
fn within(dir: &std::path::Path, cmd: &str, file: &str, secs: u64) -> std::process::Output {
    use std::time::{Duration, Instant};
    let mut child = crate::util::bin()
        .args([cmd, file])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("iocp-sim runs");
    let t = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if t.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("iocp-sim {cmd} {file} still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// Issue 24's inputs that hung `live` (a rate or load of 1e-300, a trace
/// time far in the future), spun for days (`mean_us = 1e12`) or queued 20 M
/// completions: each is refused at once with exit 2, naming the file, the
/// key and the bound; the lab refuses those it cannot simulate either.
#[test]
fn configs_that_cannot_finish_are_refused_before_any_thread_starts() {
    let dir = crate::util::scratch("live_cli", "refused");
    let fine = "cpus = 2\nthreads = 2\ncompletions = 1000\n[arrivals]\nprocess = \"poisson\"\nrate = 1000\n[service]\ndist = \"exp\"\nmean_us = 10\n";
    crate::util::write(&dir, "far.txt", "0\n1e15\n");
    let trace = fine.replace("\"poisson\"\nrate = 1000", "\"trace\"\ntrace = \"far.txt\"");
    let cases = [
        (
            "rate.toml",
            fine.replace("rate = 1000", "rate = 1e-300"),
            "arrivals.rate",
            true,
        ),
        (
            "load.toml",
            fine.replace("rate = 1000", "load = 1e-300"),
            "arrivals.load",
            true,
        ),
        ("trace.toml", trace, "arrivals.trace", true),
        (
            "spin.toml",
            fine.replace("mean_us = 10", "mean_us = 1e12"),
            "service.mean_us",
            true,
        ),
        (
            "flood.toml",
            fine.replace("completions = 1000", "completions = 20000000")
                .replace("rate = 1000", "rate = 1e9")
                .replace("mean_us = 10", "mean_us = 100"),
            "service.mean_us",
            false,
        ),
    ];
    for (file, text, key, lab_too) in cases {
        crate::util::write(&dir, file, &text);
        let out = within(&dir, "live", file, 20);
        let e = crate::util::stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {e}");
        assert!(
            e.starts_with(&format!("iocp-sim live: {file}: {key}: ")) && e.contains("limit"),
            "{file}: {e}"
        );
        assert_eq!(e.lines().count(), 1, "{file}: one line, no report: {e}");
        if lab_too {
            let out = within(&dir, "lab", file, 20);
            let e = crate::util::stderr(&out);
            assert_eq!(out.status.code(), Some(2), "lab {file}: {e}");
            assert!(e.contains(file), "lab {file}: {e}");
        }
    }
}
