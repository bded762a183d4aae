//! Lab configuration errors name the file, the line and the key.

use std::path::Path;

use iocp_sim::lab::{ConfigError, LabConfig, Policy};

const GOOD: &str = r#"cpus = 4
threads = 8
completions = 1000
[arrivals]
process = "poisson"
load = 0.5
[service]
dist = "exp"
mean_us = 100
"#;

fn parse(text: &str) -> Result<LabConfig, ConfigError> {
    LabConfig::from_toml(text, "cfg.toml", Path::new(".")).map(|x| x.0)
}

fn err(text: &str) -> ConfigError {
    parse(text).expect_err("the configuration is bad")
}

#[test]
fn a_good_file_parses_with_defaults() {
    let c = parse(GOOD).unwrap();
    assert_eq!((c.cpus, c.threads, c.concurrency, c.limit()), (4, 8, 0, 4));
    assert_eq!(c.policy, Policy::Lifo);
    assert_eq!(c.quantum, 20_000_000);
    assert_eq!((c.switch_cost, c.cold_penalty), (0, 0));
    assert!((c.arrival_rate() - 20_000.0).abs() < 1e-6);
    assert_eq!(c.name, "cfg");
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let e = err(&GOOD.replace("threads = 8", "thredas = 8"));
    assert_eq!(e.line, Some(2), "{e}");
    assert_eq!(e.key.as_deref(), Some("thredas"), "{e}");
    assert!(e.message.contains("unknown field"), "{e}");
    assert!(e.to_string().starts_with("cfg.toml:2:"), "{e}");
}

#[test]
fn out_of_range_value_names_key_and_line() {
    let e = err(&GOOD.replace("cpus = 4", "cpus = 0"));
    assert_eq!((e.line, e.key.as_deref()), (Some(1), Some("cpus")), "{e}");
    assert!(e.message.contains("out of range"), "{e}");
}

#[test]
fn wrong_type_names_the_key_in_its_table() {
    let e = err(&GOOD.replace("mean_us = 100", "mean_us = \"fast\""));
    assert_eq!(e.line, Some(9), "{e}");
    assert_eq!(e.key.as_deref(), Some("service.mean_us"), "{e}");
}

#[test]
fn unknown_policy_and_distribution() {
    let e = err(&format!("policy = \"random\"\n{GOOD}"));
    assert_eq!((e.line, e.key.as_deref()), (Some(1), Some("policy")), "{e}");
    assert!(e.message.contains("lifo, fifo-limited or wine"));
    let e = err(&GOOD.replace("dist = \"exp\"", "dist = \"pareto\""));
    assert_eq!(
        (e.line, e.key.as_deref()),
        (Some(8), Some("service.dist")),
        "{e}"
    );
}

#[test]
fn missing_keys_are_named() {
    let e = err(&GOOD.replace("cpus = 4\n", ""));
    assert_eq!(e.key.as_deref(), Some("cpus"));
    assert!(e.message.contains("missing"));
    let e = err(&GOOD.replace("load = 0.5\n", ""));
    assert_eq!(e.key.as_deref(), Some("arrivals.rate"), "{e}");
    let e = err(&GOOD.replace("mean_us = 100\n", ""));
    assert_eq!(e.key.as_deref(), Some("service.mean_us"), "{e}");
}

#[test]
fn rate_and_load_together_are_refused() {
    let e = err(&GOOD.replace("load = 0.5", "load = 0.5\nrate = 1000"));
    assert_eq!(e.key.as_deref(), Some("arrivals.load"), "{e}");
}

#[test]
fn block_probability_is_checked() {
    let e = err(&format!(
        "{GOOD}[block]\np = 1.5\ntime = {{ dist = \"const\", mean_us = 5 }}\n"
    ));
    assert_eq!(
        (e.line, e.key.as_deref()),
        (Some(11), Some("block.p")),
        "{e}"
    );
}

#[test]
fn syntax_error_has_line_and_column() {
    let e = err(&GOOD.replace("threads = 8", "threads = = 8"));
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.column.is_some());
}

#[test]
fn sweep_table_is_parsed_and_checked() {
    let (_, axes) = LabConfig::from_toml(
        &format!("{GOOD}[sweep]\nthreads = \"1..4\"\npolicy = [\"lifo\", \"wine\"]\n"),
        "cfg.toml",
        Path::new("."),
    )
    .unwrap();
    assert_eq!(axes.len(), 2);
    let e = err(&format!("{GOOD}[sweep]\nthreads = \"1..x\"\n"));
    assert_eq!(
        (e.line, e.key.as_deref()),
        (Some(11), Some("sweep.threads")),
        "{e}"
    );
}

#[test]
fn trace_errors_name_the_trace_line() {
    let dir = crate::util::scratch("lab_config", "trace_errors_name_the_trace_line");
    std::fs::write(dir.join("t.txt"), "# times\n0\n10\n5\n").unwrap();
    let text = GOOD.replace(
        "process = \"poisson\"\nload = 0.5",
        "process = \"trace\"\ntrace = \"t.txt\"",
    );
    let e = LabConfig::from_toml(&text, "cfg.toml", &dir).unwrap_err();
    assert!(e.file.ends_with("t.txt"), "{e}");
    assert_eq!(e.line, Some(4), "{e}");
    std::fs::write(dir.join("t.txt"), "0\n10\n20.5\n").unwrap();
    let c = LabConfig::from_toml(&text, "cfg.toml", &dir).unwrap().0;
    match c.arrivals {
        iocp_sim::lab::Arrivals::Trace(t) => assert_eq!(&t[..], &[0, 10_000, 20_500]),
        other => panic!("{other:?}"),
    }
    let missing = text.replace("t.txt", "nope.txt");
    let e = LabConfig::from_toml(&missing, "cfg.toml", &dir).unwrap_err();
    assert_eq!(
        (e.file.as_str(), e.key.as_deref()),
        ("cfg.toml", Some("arrivals.trace")),
        "{e}"
    );
}

#[test]
fn cold_penalty_needs_cold_after() {
    let e = err(&format!("{GOOD}[scheduler]\ncold_penalty_us = 20\n"));
    assert_eq!(
        (e.line, e.key.as_deref()),
        (Some(11), Some("scheduler.cold_penalty_us")),
        "{e}"
    );
    let c = parse(&format!(
        "{GOOD}[scheduler]\ncold_after_us = 0\ncold_penalty_us = 20\n"
    ))
    .unwrap();
    assert_eq!((c.cold_after, c.cold_penalty), (Some(0), 20_000));
    assert_eq!(parse(GOOD).unwrap().cold_after, None);
}
