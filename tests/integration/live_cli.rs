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
    assert!(String::from_utf8_lossy(&out.stderr).contains("threads 0"));
    let out = live(&["no-such-file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.toml"));
}
