//! The differential suite: every scenario is run with real threads against a
//! real completion port (the probe) and compared with the model.
//!
//! * Linux: the probe is cross-compiled and run under Wine, compared with
//!   the flavour measured for the installed version (`wine` for Wine 8,
//!   `wine10` for Wine 10). Needs `wine64 gcc-mingw-w64-x86-64 rustc
//!   libstd-rust-dev-windows` (Debian bookworm). `IOCP_SIM_WINE` names
//!   another `wine` (CI: `.ci/wine10-run`, Wine 10 in a Debian trixie chroot).
//! * Windows: the probe runs natively, compared with the `windows` flavour.
//!
//! Each supported scenario runs 3 times and every run must observe the same
//! thing. The negative control compares the real port with the *other*
//! flavours on scenarios where they differ, and each must diverge.
//!
//! Without the environment the tests print a loud notice and pass, unless
//! `IOCP_SIM_REQUIRE_WINE=1` (Linux) or `IOCP_SIM_REQUIRE_PROBE=1` (any host)
//! is set: then a missing environment fails the test. CI sets it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use iocp_sim::diff::{self, Against, Case, CaseReport, Launcher, Timing, Verdict};
use iocp_sim::lab::rng::SplitMix64;
use iocp_sim::model::{Action, Flavor};
use iocp_sim::scenario;

/// The probe's worker threads spin: run one probe at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const REPEAT: usize = 3;

fn against() -> Against {
    if cfg!(windows) {
        Against::Windows
    } else {
        Against::Wine
    }
}

/// The flavour that matches the real side (from `wine --version` under
/// Wine; `launcher` already refused a version with no flavour).
fn own_flavor(l: &Launcher) -> Flavor {
    diff::matching_flavor(l).unwrap_or_else(|e| panic!("{e}"))
}

fn required() -> bool {
    let on = |v: &str| std::env::var(v).is_ok_and(|x| x == "1");
    on("IOCP_SIM_REQUIRE_PROBE") || (cfg!(not(windows)) && on("IOCP_SIM_REQUIRE_WINE"))
}

fn launcher() -> Option<Launcher> {
    let against = against();
    let cache = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("probe");
    let cache = std::env::var_os("IOCP_SIM_PROBE_DIR").map_or(cache, PathBuf::from);
    let prepared = {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        Launcher::prepare(against, &cache)
    };
    // A Wine version with no measured flavour cannot be compared either.
    let prepared = prepared.and_then(|l| match diff::matching_flavor(&l) {
        Ok(_) => Ok(l),
        Err(e) => Err(diff::EnvMissing(e.to_string())),
    });
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

/// The scenario files of `dir` (its `*.json` files but a course file).
fn json_files(dir: &Path) -> Vec<PathBuf> {
    iocp_sim::course::lesson_files(dir).unwrap_or_default()
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
    let flavor = own_flavor(&l);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in dirs {
        files.extend(json_files(&root.join(d)));
    }
    let (mut agree, mut unsupported, mut retried) = (0, 0, 0);
    let mut failures = Vec::new();
    for f in &files {
        let case = load(f);
        let r = run(&l, &case, flavor);
        if let Some(first) = &r.retried_after {
            eprintln!("{}: retried once after: {first}", case.source);
            retried += 1;
        }
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
        "{} files against {} (flavour {}): {agree} agree, {unsupported} unsupported, {} fail; \
         {retried} retried once after a transient probe failure",
        files.len(),
        l.description,
        flavor.as_str(),
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

/// Where each flavour differs from the others, as (file in
/// tests/diff-scenarios, the flavour it is compared with, the step where
/// that flavour must diverge from a real port of `own`'s kind).
fn controls(own: Flavor) -> Vec<(&'static str, Flavor, usize)> {
    match own {
        // LIFO wake (Windows, Wine 10) and the limit (Windows).
        Flavor::Wine => vec![
            ("lifo-wake.json", Flavor::Windows, 4),
            ("concurrency-limit.json", Flavor::Windows, 4),
            ("lifo-wake.json", Flavor::Wine10, 4),
            ("close-port.json", Flavor::Wine10, 6),
            // Rule 2's queue-wait mark: NT keeps a worker's own post.
            ("worker-posts-to-own-port.json", Flavor::Windows, 4),
        ],
        // The limit (Windows); FIFO wake and stranded waiters (Wine 8).
        Flavor::Wine10 => vec![
            ("concurrency-limit.json", Flavor::Windows, 4),
            ("lifo-wake.json", Flavor::Wine, 4),
            ("close-port.json", Flavor::Wine, 6),
            ("worker-posts-to-own-port.json", Flavor::Windows, 4),
        ],
        // FIFO wake and no limit (both Wines).
        Flavor::Windows => vec![
            ("lifo-wake.json", Flavor::Wine, 4),
            ("concurrency-limit.json", Flavor::Wine, 4),
            ("concurrency-limit.json", Flavor::Wine10, 4),
            // Both Wines hand a worker's own post on (no queue-wait mark).
            ("worker-posts-to-own-port.json", Flavor::Wine, 4),
            ("worker-posts-to-own-port.json", Flavor::Wine10, 4),
        ],
    }
}

/// The comparison can fail: where the flavours differ (wake order, the
/// concurrency limit, closing a port with waiters, a worker's post to its
/// own port), the real port compared with another flavour diverges, and
/// the same file agrees with its own.
#[test]
fn negative_control_other_flavours_diverge() {
    let Some(l) = launcher() else { return };
    let own = own_flavor(&l);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff-scenarios");
    let mut other_flavours: Vec<Flavor> = Vec::new();
    for (name, other, step) in controls(own) {
        other_flavours.push(other);
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
    // Every other flavour is shown to diverge at least once.
    for f in Flavor::ALL.into_iter().filter(|&f| f != own) {
        assert!(other_flavours.contains(&f), "no control for {}", f.as_str());
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
    let plan = diff::plan(&made_up, Flavor::Wine);
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
    let plan = diff::plan(&known, Flavor::Wine);
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

/// Seeded random scenarios in which several requests are pending on one
/// device at once (and inline requests arrive meanwhile), each step kept
/// only if the model accepts it. Finite timeouts and close_port are left
/// out: they are timed or flavour-specific and have their own files.
fn generated_scenarios(count: usize, seed: u64) -> Vec<(String, String)> {
    let mut rng = SplitMix64::new(seed);
    let mut pick = |n: usize| (rng.next_u64() % n as u64) as usize;
    let threads = ["T1", "T2", "T3"];
    let devices = ["D1", "D2"];
    let mut out = Vec::new();
    while out.len() < count {
        let k = out.len();
        let skip = pick(3) == 0;
        let head = format!(
            r#""format": "iocp-sim/1", "title": "generated {k}", "cpus": 2,
  "ports": [{{ "id": "P", "concurrency": {} }}],
  "threads": ["T1", "T2", "T3"],
  "devices": [{{ "id": "D1" }}, {{ "id": "D2", "skip_on_success": {skip} }}]"#,
            1 + pick(2)
        );
        let mut steps = vec![
            r#"{ "op": "associate", "device": "D1", "port": "P", "key": 1 }"#.to_owned(),
            r#"{ "op": "associate", "device": "D2", "port": "P", "key": 2 }"#.to_owned(),
        ];
        let mut tries = 0;
        while steps.len() < 16 && tries < 400 {
            tries += 1;
            let t = threads[pick(3)];
            let d = devices[pick(2)];
            let ov = format!("o{}", pick(10));
            let step = match pick(20) {
                0..=5 => format!(r#"{{ "op": "issue", "device": "{d}", "overlapped": "{ov}" }}"#),
                6..=9 => format!(
                    r#"{{ "op": "complete", "overlapped": "{ov}", "bytes": {} }}"#,
                    pick(100)
                ),
                10 => format!(
                    r#"{{ "op": "issue", "device": "{d}", "overlapped": "{ov}", "inline": true, "bytes": {} }}"#,
                    pick(100)
                ),
                11 => format!(
                    r#"{{ "op": "post", "port": "P", "key": {} }}"#,
                    10 + pick(90)
                ),
                12 | 13 => format!(r#"{{ "op": "get", "thread": "{t}", "port": "P" }}"#),
                14 => format!(r#"{{ "op": "get", "thread": "{t}", "port": "P", "timeout": 0 }}"#),
                15 => format!(
                    r#"{{ "op": "get_ex", "thread": "{t}", "port": "P", "max": {} }}"#,
                    2 + pick(3)
                ),
                16 => format!(r#"{{ "op": "block", "thread": "{t}" }}"#),
                17 => format!(r#"{{ "op": "unblock", "thread": "{t}" }}"#),
                18 if pick(4) == 0 => format!(r#"{{ "op": "close_device", "device": "{d}" }}"#),
                _ => continue,
            };
            steps.push(step);
            let text = format!(
                "{{ {head},\n  \"steps\": [\n    {}\n  ] }}\n",
                steps.join(",\n    ")
            );
            let case = Case::from_scenario(&scenario::load_str("generated.json", &text).unwrap());
            // The model must accept every step (a rejection ends the plan).
            let planned = diff::plan(&case, Flavor::Wine);
            if planned.model.len() < steps.len() || planned.ops.iter().any(|(_, r)| *r) {
                steps.pop();
            }
        }
        let text = format!(
            "{{ {head},\n  \"steps\": [\n    {}\n  ] }}\n",
            steps.join(",\n    ")
        );
        // Keep it only if some device has several requests pending at once.
        let case = Case::from_scenario(&scenario::load_str("generated.json", &text).unwrap());
        let script = diff::plan(&case, Flavor::Wine).script;
        let most = script
            .lines()
            .filter_map(|l| l.strip_prefix("device "))
            .filter_map(|l| l.split(' ').nth(1)?.parse::<usize>().ok())
            .max()
            .unwrap_or(0);
        if most >= 3 {
            out.push((format!("generated-{k:03}.json"), text));
        }
    }
    out
}

/// `iocp-sim diff` over 100 generated files, each with several requests
/// pending on a device at once: every file is run (none stops the others),
/// the probe never fails, and each agrees with the flavour matching the
/// installed Wine, which `diff` picks itself from `wine --version`.
/// `IOCP_SIM_KEEP_GENERATED=DIR` writes the files there and keeps them, to
/// look at one with `iocp-sim diff DIR/generated-NNN.json --against wine`.
#[test]
fn generated_scenarios_with_many_pending_requests_run_through_diff() {
    let Some(l) = launcher() else { return };
    let own = own_flavor(&l);
    let keep = std::env::var_os("IOCP_SIM_KEEP_GENERATED").map(PathBuf::from);
    let dir = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("iocp-sim-generated-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in generated_scenarios(100, 0x1dc9) {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let output = {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        std::process::Command::new(env!("CARGO_BIN_EXE_iocp-sim"))
            .arg("diff")
            .arg(&dir)
            .args(["--against", against().as_str(), "--brief"])
            .output()
            .expect("iocp-sim runs")
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "comparing with the model's {} flavour",
            own.as_str()
        )),
        "{stdout}"
    );
    let summary = stdout.lines().last().unwrap_or("");
    assert!(
        summary.contains("100 files against") && summary.contains(" 0 unsupported, 0 failed"),
        "{summary}\n{stderr}"
    );
    // One run per file: on a loaded machine a worker descheduled past the
    // quiet period can reorder two Wine waiters (docs/differential.md,
    // Known limits). A diverging file must then agree in 3 identical runs
    // with a longer quiet period; a real divergence repeats and fails here.
    let diverged: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_once(": DIVERGE").map(|(f, _)| f))
        .collect();
    assert!(
        diverged.len() <= 3,
        "{} files diverged:\n{stdout}",
        diverged.len()
    );
    for f in diverged {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let again = std::process::Command::new(env!("CARGO_BIN_EXE_iocp-sim"))
            .arg("diff")
            .arg(f)
            .args([
                "--against",
                against().as_str(),
                "--repeat",
                "3",
                "--quiet-ms",
                "150",
            ])
            .output()
            .expect("iocp-sim runs");
        let out = String::from_utf8_lossy(&again.stdout);
        eprintln!("re-run of {f}:\n{out}");
        assert!(again.status.success() && out.contains(": 1 agree"), "{out}");
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// `diff --against wine` refuses a Wine version no flavour was measured
/// for, naming it and `--flavor`; with `--flavor` it runs anyway. The
/// version comes from a `wine` that reports 9.0 and otherwise runs the real one.
#[cfg(unix)]
#[test]
fn an_unmeasured_wine_version_is_refused_unless_a_flavour_is_chosen() {
    use std::os::unix::fs::PermissionsExt;
    let Some(l) = launcher() else { return };
    let real = std::env::var_os("IOCP_SIM_WINE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("wine"));
    let dir = std::env::temp_dir().join(format!("iocp-sim-wine9-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("wine");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'wine-9.0 (test)'; exit 0; fi\nexec '{}' \"$@\"\n",
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff-scenarios/lifo-wake.json");
    let diff = |flavor: Option<&str>| {
        let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_iocp-sim"));
        c.arg("diff")
            .arg(&file)
            .args(["--against", "wine", "--brief"])
            .env("IOCP_SIM_WINE", &fake);
        if let Some(f) = flavor {
            c.args(["--flavor", f]);
        }
        c.output().expect("iocp-sim runs")
    };
    let refused = diff(None);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(
        err.contains("Wine 9") && err.contains("wine-9.0 (test)") && err.contains("--flavor"),
        "{err}"
    );
    let own = own_flavor(&l);
    let chosen = diff(Some(own.as_str()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = String::from_utf8_lossy(&chosen.stdout);
    assert!(chosen.status.success(), "{out}");
    assert!(out.contains("1 agree"), "{out}");
}
