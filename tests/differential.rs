//! The differential suite: every scenario is run with real threads against a
//! real completion port (the probe) and compared with the model.
//!
//! * Linux: the probe is cross-compiled and run under Wine, compared with
//!   the `wine` flavour. Needs `wine64 gcc-mingw-w64-x86-64 rustc
//!   libstd-rust-dev-windows` (Debian bookworm).
//! * Windows: the probe runs natively, compared with the `windows` flavour.
//!
//! Each supported scenario runs 3 times and every run must observe the same
//! thing. The negative control compares the real port with the *other*
//! flavour on scenarios where Windows and Wine differ, and must diverge.
//!
//! Without the environment the tests print a loud notice and pass, unless
//! `IOCP_SIM_REQUIRE_WINE=1` (Linux) or `IOCP_SIM_REQUIRE_PROBE=1` (any host)
//! is set: then a missing environment fails the test. CI sets it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use iocp_sim::diff::{self, Against, Case, CaseReport, Launcher, Timing, Verdict};
use iocp_sim::model::{Action, Flavor};
use iocp_sim::scenario;

/// The probe's worker threads spin: run one probe at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const REPEAT: usize = 3;

fn host() -> (Against, Flavor, Flavor) {
    if cfg!(windows) {
        (Against::Windows, Flavor::Windows, Flavor::Wine)
    } else {
        (Against::Wine, Flavor::Wine, Flavor::Windows)
    }
}

fn required() -> bool {
    let on = |v: &str| std::env::var(v).is_ok_and(|x| x == "1");
    on("IOCP_SIM_REQUIRE_PROBE") || (cfg!(not(windows)) && on("IOCP_SIM_REQUIRE_WINE"))
}

fn launcher() -> Option<Launcher> {
    let (against, _, _) = host();
    let cache = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("probe");
    let cache = std::env::var_os("IOCP_SIM_PROBE_DIR").map_or(cache, PathBuf::from);
    let prepared = {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        Launcher::prepare(against, &cache)
    };
    match prepared {
        Ok(l) => Some(l),
        Err(e) => {
            let banner = "*".repeat(72);
            eprintln!(
                "\n{banner}\n* DIFFERENTIAL TESTS NOT RUN: no probe environment ({}).\n* {}\n{banner}\n",
                against.as_str(),
                e.0.replace('\n', "\n* ")
            );
            if required() {
                panic!("the probe environment is required (IOCP_SIM_REQUIRE_WINE/PROBE=1): {e}");
            }
            None
        }
    }
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn load(path: &Path) -> Case {
    let sc = scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
    Case::from_scenario(&sc)
}

fn run(l: &Launcher, case: &Case, flavor: Flavor) -> CaseReport {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    diff::run_case(l, case, flavor, Timing::default(), REPEAT)
        .unwrap_or_else(|e| panic!("{}: {e}", case.source))
}

fn suite(dirs: &[&str]) {
    let Some(l) = launcher() else { return };
    let (_, flavor, _) = host();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in dirs {
        files.extend(json_files(&root.join(d)));
    }
    let (mut agree, mut unsupported) = (0, 0);
    let mut failures = Vec::new();
    for f in &files {
        let case = load(f);
        let r = run(&l, &case, flavor);
        eprintln!("{}: {}", case.source, r.verdict.summary());
        match &r.verdict {
            Verdict::Agree => agree += 1,
            Verdict::Unsupported(_) => unsupported += 1,
            _ => failures.push(format!(
                "{}: {}\n{}",
                case.source,
                r.verdict.summary(),
                r.table(&l.description)
            )),
        }
    }
    eprintln!(
        "{} files against {}: {agree} agree, {unsupported} unsupported, {} fail",
        files.len(),
        l.description,
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sim_scenarios_agree_with_the_real_port() {
    suite(&["sim-scenarios"]);
}

#[test]
fn differential_scenarios_agree_with_the_real_port() {
    suite(&["tests/diff-scenarios"]);
}

/// The comparison can fail: where Windows and Wine differ (LIFO wake, the
/// concurrency limit, a worker's post to its own port), the real port
/// compared with the other flavour diverges.
#[test]
fn negative_control_other_flavour_diverges() {
    let Some(l) = launcher() else { return };
    let (_, own, other) = host();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff-scenarios");
    for (name, step) in [
        ("lifo-wake.json", 4),
        ("concurrency-limit.json", 4),
        // Rule 2's queue-wait mark: NT keeps a worker's own post, Wine hands it on.
        ("worker-posts-to-own-port.json", 4),
    ] {
        let case = load(&root.join(name));
        let r = run(&l, &case, other);
        match &r.verdict {
            Verdict::Diverge(d) => assert_eq!(d.step, step, "{name}\n{}", r.table(&l.description)),
            v => panic!(
                "{name}: the {} flavour must diverge from {}, got {}\n{}",
                other.as_str(),
                l.description,
                v.summary(),
                r.table(&l.description)
            ),
        }
        // And the same real run agrees with its own flavour.
        let r = run(&l, &case, own);
        assert_eq!(
            r.verdict,
            Verdict::Agree,
            "{name}\n{}",
            r.table(&l.description)
        );
    }
}

/// Built from actions directly: a completion status the probe cannot
/// produce is reported unsupported and never run (so never counted as
/// agreeing); a known error status is synthesized with NtSetIoCompletion.
#[test]
fn unknown_error_statuses_are_unsupported_known_ones_synthesized() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff-scenarios/devices.json");
    let base = load(&path);
    // Step 6 completes r2 (issued at step 5).
    let Some(Action::Complete {
        overlapped, bytes, ..
    }) = base.steps[5]
    else {
        panic!("step 6 of devices.json is a complete");
    };
    let mut made_up = base.clone();
    let status = made_up.names.intern_status("ERROR_MADE_UP");
    made_up.steps[5] = Some(Action::Complete {
        overlapped,
        bytes,
        status,
    });
    let plan = diff::plan(&made_up, host().1);
    assert!(!plan.supported());
    assert_eq!(plan.unsupported[0].step, 6);
    assert!(plan.unsupported[0].reason.contains("ERROR_MADE_UP"));

    let mut known = base.clone();
    let status = known.names.intern_status("ERROR_NETNAME_DELETED");
    known.steps[5] = Some(Action::Complete {
        overlapped,
        bytes,
        status,
    });
    let plan = diff::plan(&known, host().1);
    assert!(plan.supported());
    assert!(
        plan.script.contains("step 5 issue 0 1 - syn\n"),
        "{}",
        plan.script
    );
    assert!(
        plan.script.contains("step 6 complete 1 7 c00000c9\n"),
        "{}",
        plan.script
    );
}
