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
//! thing, and must agree over every step. The negative control compares
//! the real port with the *other* flavours on scenarios where they differ,
//! and each must diverge. Each test runs its files in one probe process
//! (under Wine, starting a process costs more than most scenarios).
//!
//! Without the environment the tests print a loud notice and pass, unless
//! `IOCP_SIM_REQUIRE_WINE=1` (Linux) or `IOCP_SIM_REQUIRE_PROBE=1` (any host)
//! is set: then a missing environment fails the test. CI sets it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use iocp_sim::diff::{self, Against, Case, CaseReport, Launcher, Tally, Timing, Verdict};
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

type Report = Result<CaseReport, diff::RunError>;

/// The quiet period of a second run, for a machine too loaded for the
/// default one (`--quiet-ms 150`).
fn patient() -> Timing {
    Timing {
        quiet_ms: 150,
        ..Timing::default()
    }
}

/// Runs every (case, flavour) in one batch, each `REPEAT` times. A job
/// whose report is not what `expected` wants is run once more, with the
/// longer quiet period of [`patient`]: on a loaded machine a worker
/// descheduled past the default quiet period can make one run observe a
/// step late (docs/differential.md, Known limits); a real difference
/// repeats. The second report is the one kept, and the first is printed.
fn run_all(
    l: &Launcher,
    jobs: &[(&Case, Flavor)],
    expected: impl Fn(usize, &Report) -> bool,
) -> Vec<Report> {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut reports = diff::run_cases(l, jobs, Timing::default(), REPEAT);
    let unexpected = |i: usize, r: &Report| !expected(i, r);
    let firsts = diff::run_again(jobs, &mut reports, unexpected, |again| {
        diff::run_cases(l, again, patient(), REPEAT)
    });
    for (i, first) in firsts {
        let first = match first {
            Ok(r) => r.verdict.summary(),
            Err(e) => format!("PROBE FAILED: {e}"),
        };
        eprintln!(
            "{} ({}): run again with --quiet-ms {} after: {first}",
            jobs[i].0.source,
            jobs[i].1.as_str(),
            patient().quiet_ms
        );
    }
    reports
}

fn suite(dirs: &[&str]) {
    let Some(l) = launcher() else { return };
    let flavor = own_flavor(&l);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for d in dirs {
        files.extend(json_files(&root.join(d)));
    }
    let cases: Vec<Case> = files.iter().map(|f| load(f)).collect();
    let jobs: Vec<(&Case, Flavor)> = cases.iter().map(|c| (c, flavor)).collect();
    // Every step compared and agreeing, unless the file is one that this
    // flavour's model refuses partway (then agreeing up to there); an
    // unsupported file is never run.
    let fine = |case: &Case, r: &Report| match r.as_ref().map(|r| &r.verdict) {
        Ok(Verdict::Agree(c)) => {
            c.whole() || partly_compared(flavor, &case.source) == Some(c.compared)
        }
        Ok(Verdict::Unsupported(_)) => true,
        _ => false,
    };
    let reports = run_all(&l, &jobs, |i, r| fine(&cases[i], r));
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for (case, r) in cases.iter().zip(reports) {
        if fine(case, &r) {
            let r = r.as_ref().expect("fine");
            eprintln!("{}: {}", case.source, r.verdict.summary());
            tally.add(&r.verdict, r.retried_after.is_some());
            continue;
        }
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}: PROBE FAILED: {e}", case.source);
                tally.add_failure(false);
                failures.push(format!("{}: PROBE FAILED: {e}", case.source));
                continue;
            }
        };
        if let Some(first) = &r.retried_after {
            eprintln!("{}: retried once after: {first}", case.source);
        }
        eprintln!("{}: {}", case.source, r.verdict.summary());
        tally.add(&r.verdict, r.retried_after.is_some());
        failures.push(format!(
            "{}: {}\n{}",
            case.source,
            r.verdict.summary(),
            r.table(&l.description)
        ));
    }
    eprintln!("{}", tally.line(&l.description, flavor, false));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Lessons written for the Windows flavour in which a Wine flavour's model
/// refuses a step (a thread the lesson moves is still waiting there,
/// because that flavour woke another one): a comparison in that flavour
/// ends at that step. As (file, flavour, steps compared, steps in the file).
const PARTLY_COMPARED: &[(&str, Flavor, usize, usize)] = &[
    ("sim-scenarios/02-lifo-wake.json", Flavor::Wine, 4, 9),
    (
        "sim-scenarios/03-concurrency-limit.json",
        Flavor::Wine,
        7,
        9,
    ),
    (
        "sim-scenarios/04-over-subscription.json",
        Flavor::Wine,
        9,
        10,
    ),
    ("sim-scenarios/05-timeout.json", Flavor::Wine, 5, 10),
    ("sim-scenarios/18-echo-server.json", Flavor::Wine, 10, 29),
    (
        "sim-scenarios/20-more-threads-than-concurrency.json",
        Flavor::Wine,
        15,
        21,
    ),
    (
        "sim-scenarios/21-lecture-notes-vs-windows.json",
        Flavor::Wine,
        7,
        12,
    ),
    (
        "sim-scenarios/03-concurrency-limit.json",
        Flavor::Wine10,
        7,
        9,
    ),
    (
        "sim-scenarios/04-over-subscription.json",
        Flavor::Wine10,
        9,
        10,
    ),
    ("sim-scenarios/18-echo-server.json", Flavor::Wine10, 20, 29),
];

/// How many steps of `source` a comparison in `flavor` covers, if it is
/// one of [`PARTLY_COMPARED`].
fn partly_compared(flavor: Flavor, source: &str) -> Option<usize> {
    PARTLY_COMPARED
        .iter()
        .find(|(f, fl, ..)| *fl == flavor && source.ends_with(f))
        .map(|&(_, _, compared, _)| compared)
}

/// Every lesson and differential file is compared whole in every flavour
/// but the known partial ones, which stop where listed (no Wine needed):
/// a lesson that starts to stop early, or stops elsewhere, is noticed.
#[test]
fn only_the_known_lessons_are_compared_partly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for flavor in Flavor::ALL {
        for dir in ["sim-scenarios", "tests/diff-scenarios"] {
            for f in json_files(&root.join(dir)) {
                let plan = diff::plan(&load(&f), flavor);
                if plan.stopped.is_some() {
                    let name = format!("{dir}/{}", f.file_name().unwrap().to_string_lossy());
                    found.push((name, flavor, plan.model.len(), plan.steps));
                }
            }
        }
    }
    let expected: Vec<(String, Flavor, usize, usize)> = PARTLY_COMPARED
        .iter()
        .map(|&(f, fl, c, n)| (f.to_owned(), fl, c, n))
        .collect();
    assert_eq!(found, expected);
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
    let controls = controls(own);
    let cases: Vec<Case> = controls
        .iter()
        .map(|(name, ..)| load(&root.join(name)))
        .collect();
    // Each file with the other flavour, then with its own, all in one batch.
    let jobs: Vec<(&Case, Flavor)> = cases
        .iter()
        .zip(&controls)
        .flat_map(|(c, &(_, other, _))| [(c, other), (c, own)])
        .collect();
    // The other flavour diverges at its step; the own one agrees whole.
    let expected = |i: usize, r: &Report| match (i % 2, r.as_ref().map(|r| &r.verdict)) {
        (0, Ok(Verdict::Diverge(d))) => d.step == controls[i / 2].2,
        (_, Ok(v)) => i % 2 == 1 && v.agrees_whole(),
        _ => false,
    };
    let reports = run_all(&l, &jobs, expected);
    let mut other_flavours: Vec<Flavor> = Vec::new();
    for (&(name, other, step), pair) in controls.iter().zip(reports.chunks(2)) {
        other_flavours.push(other);
        let r = pair[0].as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
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
        // And the same file agrees with its own flavour, over every step.
        let r = pair[1].as_ref().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            r.verdict.agrees_whole(),
            "{name}: {}\n{}",
            r.verdict.summary(),
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
/// device at once (and inline requests arrive meanwhile), and threads wait
/// with finite timeouts that later steps time out, several at once and in
/// any order (a wait that began later may be timed out sooner); each step
/// is kept only if `flavor`'s model accepts it. close_port is left out: it
/// is flavour-specific and has files of its own.
fn generated_scenarios(count: usize, seed: u64, flavor: Flavor) -> Vec<(String, String)> {
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
        let accepts = |steps: &[String]| {
            let text = format!(
                "{{ {head},\n  \"steps\": [\n    {}\n  ] }}\n",
                steps.join(",\n    ")
            );
            let case = Case::from_scenario(&scenario::load_str("generated.json", &text).unwrap());
            // The model must accept every step (a rejection ends the plan).
            let planned = diff::plan(&case, flavor);
            planned.model.len() == steps.len() && !planned.ops.iter().any(|(_, r)| *r)
        };
        // Once in most files, a burst of finite waits: two or three threads
        // begin one (a request may be issued in between), then steps time
        // them out in a random order.
        let mut burst = pick(5) < 3;
        let mut tries = 0;
        while steps.len() < 16 && tries < 400 {
            tries += 1;
            if burst && steps.len() >= 4 + pick(6) {
                burst = false;
                let mut who = threads.to_vec();
                who.rotate_left(pick(3));
                who.truncate(2 + pick(2));
                let mut order = who.clone();
                if pick(2) == 0 {
                    order.reverse();
                }
                let mut more: Vec<String> = who
                    .iter()
                    .map(|t| {
                        format!(
                            r#"{{ "op": "get", "thread": "{t}", "port": "P", "timeout": {} }}"#,
                            10 + pick(200)
                        )
                    })
                    .collect();
                if pick(2) == 0 {
                    more.push(format!(
                        r#"{{ "op": "issue", "device": "{}", "overlapped": "o{}" }}"#,
                        devices[pick(2)],
                        pick(10)
                    ));
                }
                more.extend(
                    order
                        .iter()
                        .map(|t| format!(r#"{{ "op": "timeout", "thread": "{t}" }}"#)),
                );
                for step in more {
                    steps.push(step);
                    if !accepts(&steps) {
                        steps.pop();
                    }
                }
                continue;
            }
            let t = threads[pick(3)];
            let d = devices[pick(2)];
            let ov = format!("o{}", pick(10));
            let ms = 10 + pick(200);
            let step = match pick(24) {
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
                12 => format!(r#"{{ "op": "get", "thread": "{t}", "port": "P" }}"#),
                13 | 14 => {
                    format!(r#"{{ "op": "get", "thread": "{t}", "port": "P", "timeout": {ms} }}"#)
                }
                15 => format!(r#"{{ "op": "get", "thread": "{t}", "port": "P", "timeout": 0 }}"#),
                16 => format!(
                    r#"{{ "op": "get_ex", "thread": "{t}", "port": "P", "max": {}{} }}"#,
                    2 + pick(3),
                    if pick(2) == 0 {
                        format!(r#", "timeout": {ms}"#)
                    } else {
                        String::new()
                    }
                ),
                17 => format!(r#"{{ "op": "block", "thread": "{t}" }}"#),
                18 => format!(r#"{{ "op": "unblock", "thread": "{t}" }}"#),
                19 if pick(4) == 0 => format!(r#"{{ "op": "close_device", "device": "{d}" }}"#),
                20..=23 => format!(r#"{{ "op": "timeout", "thread": "{t}" }}"#),
                _ => continue,
            };
            steps.push(step);
            if !accepts(&steps) {
                steps.pop();
            }
        }
        let text = format!(
            "{{ {head},\n  \"steps\": [\n    {}\n  ] }}\n",
            steps.join(",\n    ")
        );
        // Keep it only if some device has several requests pending at once.
        let case = Case::from_scenario(&scenario::load_str("generated.json", &text).unwrap());
        let script = diff::plan(&case, flavor).script;
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

/// The finite waits a probe script times out, as (the step that began the
/// wait, the step that times it out): `step K get T P at:D` and
/// `step K get_ex T P MAX at:D` lines.
fn timed_waits(script: &str) -> Vec<(usize, usize)> {
    script
        .lines()
        .filter_map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            let due = w.last()?.strip_prefix("at:")?.parse().ok()?;
            Some((w.get(1)?.parse().ok()?, due))
        })
        .collect()
}

/// How much of each timing situation a set of generated files holds: files
/// with a finite wait that a step times out, files where two such waits
/// overlap, and files where a wait that began later is timed out sooner
/// (the case a probe timing each wait from its own start got wrong).
/// The fourth count is the steps the probe's clock runs for, in all: from
/// a wait that begins while none is outstanding to the last step that times
/// out one that overlaps it (a scenario waits about one step budget for each).
fn timeout_coverage(files: &[(String, String)], flavor: Flavor) -> [usize; 4] {
    let mut n = [0; 4];
    for (_, text) in files {
        let case = Case::from_scenario(&scenario::load_str("generated.json", text).unwrap());
        let waits = timed_waits(&diff::plan(&case, flavor).script);
        let pairs = || {
            waits
                .iter()
                .flat_map(|a| waits.iter().map(move |b| (a, b)))
                .filter(|(a, b)| a.0 < b.0 && b.0 < a.1)
        };
        n[0] += usize::from(!waits.is_empty());
        n[1] += usize::from(pairs().next().is_some());
        n[2] += usize::from(pairs().any(|(a, b)| b.1 < a.1));
        let mut spans = waits.clone();
        spans.sort();
        let mut run: Option<(usize, usize)> = None;
        for (from, to) in spans {
            run = match run {
                Some((a, b)) if from < b => Some((a, b.max(to))),
                done => {
                    n[3] += done.map_or(0, |(a, b)| b - a);
                    Some((from, to))
                }
            };
        }
        n[3] += run.map_or(0, |(a, b)| b - a);
    }
    n
}

/// The generated files (no Wine needed) time finite waits out, overlapping
/// and out of order, in every flavour; and the script of a wait that
/// began later but is timed out sooner says so.
#[test]
fn generated_scenarios_time_out_overlapping_finite_waits() {
    for flavor in Flavor::ALL {
        let files = generated_scenarios(generated_count(), 0x1dc9, flavor);
        let [timed, overlapping, later_sooner, clock_steps] = timeout_coverage(&files, flavor);
        eprintln!(
            "{} flavour: {} files, {timed} time a finite wait out, {overlapping} with two \
             overlapping, {later_sooner} where a later wait is timed out sooner; the step \
             clock runs for {clock_steps} steps in all",
            flavor.as_str(),
            files.len()
        );
        assert!(
            timed * 2 >= files.len() && overlapping * 5 >= files.len() && later_sooner * 10 >= files.len(),
            "{} flavour: too few files with timed-out waits: {timed}, {overlapping}, {later_sooner} of {}",
            flavor.as_str(),
            files.len()
        );
    }
    assert_eq!(
        timed_waits(
            "step 1 get 0 0 at:5\nstep 2 nop\nstep 3 get_ex 1 0 4 at:4\nstep 4 get 2 0 inf\n"
        ),
        [(1, 5), (3, 4)]
    );
}

/// How many files the generated-scenario test runs: 100 where the whole
/// suite is asked for (`IOCP_SIM_TEST_FULL=1`, as CI does), else 30.
fn generated_count() -> usize {
    if std::env::var("IOCP_SIM_TEST_FULL").is_ok_and(|v| v == "1") {
        100
    } else {
        30
    }
}

/// Runs `iocp-sim diff --against` the host's real port with `args`.
fn diff_cli(files: &[&Path], args: &[&str]) -> std::process::Output {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    std::process::Command::new(env!("CARGO_BIN_EXE_iocp-sim"))
        .arg("diff")
        .args(files)
        .args(["--against", against().as_str()])
        .args(args)
        .output()
        .expect("iocp-sim runs")
}

/// `iocp-sim diff --require-whole` over generated files (30, or 100 with
/// `IOCP_SIM_TEST_FULL=1`), each with several requests pending on a device
/// at once and finite waits timed out, overlapping and out of order: every
/// file is run (none stops the others), the probe never fails, and each
/// agrees over every step with the flavour matching the installed Wine,
/// which `diff` picks itself from `wine --version`.
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
    let count = generated_count();
    for (name, text) in generated_scenarios(count, 0x1dc9, own) {
        std::fs::write(dir.join(name), text).unwrap();
    }
    // A step budget of 400 ms (half the default): the step clock then
    // waits half as long for the timed-out waits, and a step still has
    // 200 ms to settle, three times the quiet period.
    let output = diff_cli(&[&dir], &["--brief", "--require-whole", "--step-ms", "400"]);
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
        summary.contains(&format!("{count} files against"))
            && summary.contains(" 0 agree partly, ")
            && summary.contains(" 0 unsupported, 0 failed"),
        "{summary}\n{stderr}"
    );
    // One run per file: on a loaded machine a worker descheduled past the
    // quiet period can reorder two Wine waiters (docs/differential.md,
    // Known limits). A diverging file must then agree in 3 identical runs
    // with a longer quiet period; a real divergence repeats and fails here.
    let diverged: Vec<&Path> = stdout
        .lines()
        .filter_map(|l| l.split_once(": DIVERGE").map(|(f, _)| Path::new(f)))
        .collect();
    assert!(
        diverged.len() <= 3,
        "{} files diverged:\n{stdout}",
        diverged.len()
    );
    if !diverged.is_empty() {
        let again = diff_cli(
            &diverged,
            &["--repeat", "3", "--quiet-ms", "150", "--require-whole"],
        );
        let out = String::from_utf8_lossy(&again.stdout);
        eprintln!("re-run of the diverging files:\n{out}");
        assert!(
            again.status.success() && out.contains(&format!(": {} agree whole", diverged.len())),
            "{out}"
        );
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// When the model rejects a step the file does not expect it to, the
/// comparison ends there: `diff` says how much it compared and why it
/// stopped, counts the file apart from whole agreements, and
/// `--require-whole` makes it fail.
#[test]
fn a_partial_comparison_says_so_and_fails_with_require_whole() {
    let Some(l) = launcher() else { return };
    let dir = std::env::temp_dir().join(format!("iocp-sim-partial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let partial = dir.join("partial.json");
    std::fs::write(
        &partial,
        r#"{ "format": "iocp-sim/1", "title": "T1 calls get while it waits",
  "ports": [{ "id": "P", "concurrency": 1 }], "threads": ["T1", "T2"],
  "steps": [
    { "op": "get", "thread": "T1", "port": "P" },
    { "op": "post", "port": "P", "key": 1 },
    { "op": "get", "thread": "T2", "port": "P" },
    { "op": "get", "thread": "T2", "port": "P" },
    { "op": "post", "port": "P", "key": 2 }
  ] }"#,
    )
    .unwrap();
    let whole = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff-scenarios/lifo-wake.json");
    let run = |args: &[&str]| {
        let out = diff_cli(&[&partial, &whole], args);
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = run(&["--brief"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains(
            "partial.json: agree (3 of 5 steps; stopped: the model rejects step 4 (get T2): \
             T2 is waiting in P's WTQ"
        ),
        "{out}"
    );
    assert!(out.contains("lifo-wake.json: agree (all 4 steps)"), "{out}");
    let summary = out.lines().last().unwrap_or("");
    assert!(
        summary.starts_with(&format!("2 files against {}", l.description))
            && summary.contains(
                ": 1 agree whole, 1 agree partly (3 of 5 steps compared: the model rejects a \
                 later step), 0 diverge, 0 unsupported, 0 failed (0 unstable, 0 probe failed);"
            ),
        "{summary}"
    );
    // The table says which steps were not compared.
    let (_, table) = run(&[]);
    assert!(
        table.contains("stopped: the model rejects step 4 (get T2)")
            && table.contains("steps 4 to 5 were not compared"),
        "{table}"
    );
    let (code, out) = run(&["--brief", "--require-whole"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.lines().last().unwrap_or("").contains(
            "1 failed (0 unstable, 0 probe failed, 1 partly compared with --require-whole)"
        ),
        "{out}"
    );
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
