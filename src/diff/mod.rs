//! Differential testing: the model against real completion ports.
//!
//! A scenario ([`Case`]) is run through the model in one flavour
//! ([`plan`]), which also writes a script for the probe (`probe/probe.rs`):
//! a std-only Windows program that replays the steps with one real thread
//! per scenario thread against a real completion port. The probe runs
//! natively on Windows or under Wine on Linux ([`launch`], the only
//! platform-specific part), its output is read back ([`observe`]) and the
//! two sides are compared step by step ([`compare`]).
//!
//! What is compared after each step: the step's own call result, which
//! threads returned from GetQueuedCompletionStatus(Ex) with which packets or
//! errors, and every port's queue depth. See docs/differential.md.

mod case;
pub mod compare;
pub mod launch;
pub mod observe;
pub mod plan;
mod verdict;
mod version;

pub use case::Case;
pub use compare::{first_divergence, table, Divergence, Field};
pub use launch::{Against, EnvMissing, Launcher, RunError, Timing, INSTALL_COMMAND};
pub use observe::{error_name, parse_probe_output, Depth, Pkt, Return, StepObs};
pub use plan::{plan, Plan, Stop, Unsupported};
pub use verdict::{Coverage, Tally, Verdict};
pub use version::{flavor_for_wine, wine_major, WineVersionError};

use crate::model::Flavor;

/// The model flavour that matches the real side of `launcher`: `windows`
/// for the NT kernel; under Wine, the flavour measured for the installed
/// version ([`flavor_for_wine`]), or an error naming the version.
pub fn matching_flavor(launcher: &Launcher) -> Result<Flavor, WineVersionError> {
    match launcher.against {
        Against::Windows => Ok(Flavor::Windows),
        Against::Wine => flavor_for_wine(launcher.wine_version.as_deref().unwrap_or("")),
    }
}

/// Everything learnt about one case.
#[derive(Clone, Debug)]
pub struct CaseReport {
    /// The case's source.
    pub source: String,
    /// The plan (model side and script).
    pub plan: Plan,
    /// The real observations of the first run (empty if unsupported).
    pub real: Vec<StepObs>,
    /// The verdict.
    pub verdict: Verdict,
    /// Set when a first attempt failed with a transient probe failure
    /// ([`RunError::is_transient`]) and the case was run again
    /// from the start: that first error. The verdict is the retry's.
    pub retried_after: Option<RunError>,
}

impl CaseReport {
    /// The side-by-side table of this case, and where the comparison
    /// stopped if it did not reach the scenario's last step.
    pub fn table(&self, real_side: &str) -> String {
        let mut t = table(
            &self.plan.model,
            &self.real,
            &format!("model ({} flavour)", self.plan.flavor.as_str()),
            real_side,
        );
        if let Some(s) = &self.plan.stopped {
            t.push_str(&format!(
                "   stopped: the model rejects step {} ({}): {}; steps {} to {} were not compared\n",
                s.step, s.op, s.reason, s.step, self.plan.steps
            ));
        }
        t
    }
}

/// Real observations that must not differ between repetitions.
fn same_run(a: &[StepObs], b: &[StepObs]) -> Option<usize> {
    for (i, x) in a.iter().enumerate() {
        match b.get(i) {
            Some(y) if x.result == y.result && x.returns == y.returns && x.depths == y.depths => {}
            _ => return Some(x.step),
        }
    }
    (b.len() != a.len()).then(|| b.len().min(a.len()) + 1)
}

/// The probe's own account of a run that timed nothing faithfully: a
/// finite wait expired before its step after the probe's step clock fell
/// behind (a step outlasted its budget on a loaded machine). That is the
/// harness failing, not the port: it is an error, never a divergence.
fn clock_failure(obs: &[StepObs]) -> Option<&str> {
    obs.iter()
        .flat_map(|s| &s.warnings)
        .map(String::as_str)
        .find(|w| w.starts_with("early-timeout") && w.contains("the step clock fell behind"))
}

/// Reads one probe run's output.
fn observe(
    case: &Case,
    plan: &Plan,
    timing: Timing,
    out: Result<String, RunError>,
) -> Result<Vec<StepObs>, RunError> {
    let obs = parse_probe_output(&out?, &case.names, &plan.ops)
        .map_err(|e| RunError(format!("{}: {e}", case.source)))?;
    match clock_failure(&obs) {
        Some(w) => Err(RunError::clock_behind(&format!(
            "{}: a finite wait expired before its step ({w}); each step must end within \
             the step budget of {} ms (--step-ms)",
            case.source, timing.step_ms
        ))),
        None => Ok(obs),
    }
}

/// Plans `case` in `flavor`, runs the probe `repeat` times (at least once)
/// and compares: [`run_cases`] with one case.
pub fn run_case(
    launcher: &Launcher,
    case: &Case,
    flavor: Flavor,
    timing: Timing,
    repeat: usize,
) -> Result<CaseReport, RunError> {
    run_cases(launcher, &[(case, flavor)], timing, repeat)
        .pop()
        .expect("one report per case")
}

/// Plans each case in its flavour, runs every supported one `repeat` times
/// (at least once) in one probe process (see [`Launcher::run_batch`]), and
/// compares. Gives one report per case, in order. A case whose probe run
/// failed without a report of its own (exit status and nothing on stderr,
/// a lost wineserver connection, or the probe's step clock falling behind:
/// [`RunError::is_transient`]) is run once more from the start and its
/// report says so in [`retried_after`](CaseReport::retried_after); a
/// second failure is returned, naming the first.
pub fn run_cases(
    launcher: &Launcher,
    cases: &[(&Case, Flavor)],
    timing: Timing,
    repeat: usize,
) -> Vec<Result<CaseReport, RunError>> {
    let mut reports = run_cases_once(launcher, cases, timing, repeat);
    let transient =
        |_: usize, r: &Result<CaseReport, RunError>| matches!(r, Err(e) if e.is_transient());
    let firsts = run_again(cases, &mut reports, transient, |again| {
        run_cases_once(launcher, again, timing, repeat)
    });
    for (i, first) in firsts {
        let Err(first) = first else {
            unreachable!("only failures are retried")
        };
        let second = std::mem::replace(&mut reports[i], Err(RunError(String::new())));
        reports[i] = match second {
            Ok(report) => Ok(CaseReport {
                retried_after: Some(first),
                ..report
            }),
            Err(again) if again == first => {
                Err(RunError(format!("{again} (and the same again on a retry)")))
            }
            Err(again) => Err(RunError(format!(
                "{again} (on a retry, after a first failure: {first})"
            ))),
        };
    }
    reports
}

/// Runs once more, in one batch, the cases whose report `pick` chooses
/// (given its index): `run` runs them (as [`run_cases`] does, with the
/// timing it wants). Each new report takes the place of the old one, and
/// the old ones are returned with their indexes, in order.
pub fn run_again(
    cases: &[(&Case, Flavor)],
    reports: &mut [Result<CaseReport, RunError>],
    pick: impl Fn(usize, &Result<CaseReport, RunError>) -> bool,
    run: impl FnOnce(&[(&Case, Flavor)]) -> Vec<Result<CaseReport, RunError>>,
) -> Vec<(usize, Result<CaseReport, RunError>)> {
    let again: Vec<usize> = (0..reports.len())
        .filter(|&i| pick(i, &reports[i]))
        .collect();
    if again.is_empty() {
        return Vec::new();
    }
    let picked: Vec<(&Case, Flavor)> = again.iter().map(|&i| cases[i]).collect();
    again
        .into_iter()
        .zip(run(&picked))
        .map(|(i, second)| (i, std::mem::replace(&mut reports[i], second)))
        .collect()
}

fn run_cases_once(
    launcher: &Launcher,
    cases: &[(&Case, Flavor)],
    timing: Timing,
    repeat: usize,
) -> Vec<Result<CaseReport, RunError>> {
    let repeat = repeat.max(1);
    let plans: Vec<Plan> = cases.iter().map(|&(c, f)| plan::plan(c, f)).collect();
    // Every repetition of every supported case, in one batch.
    let scripts: Vec<(&str, usize)> = plans
        .iter()
        .filter(|p| p.supported())
        .flat_map(|p| std::iter::repeat_n((p.script.as_str(), p.ops.len()), repeat))
        .collect();
    // As few probe processes as possible: a failure ends the process and
    // fails its case (its other repetitions are not run); the cases after
    // it go on in a new process.
    let mut outputs = Vec::with_capacity(scripts.len());
    while outputs.len() < scripts.len() {
        let (done, failure) = launcher.run_batch(&scripts[outputs.len()..], timing);
        outputs.extend(done.into_iter().map(Ok));
        if let Some(e) = failure {
            let case_end = (outputs.len() / repeat + 1) * repeat;
            outputs.resize(case_end.min(scripts.len()), Err(e));
        }
    }
    let mut outputs = outputs.into_iter();
    let mut reports = Vec::with_capacity(cases.len());
    for (&(case, _), plan) in cases.iter().zip(plans) {
        if !plan.supported() {
            reports.push(Ok(CaseReport {
                source: case.source.clone(),
                verdict: Verdict::Unsupported(plan.unsupported.clone()),
                plan,
                real: Vec::new(),
                retried_after: None,
            }));
            continue;
        }
        let runs: Vec<Result<Vec<StepObs>, RunError>> = (&mut outputs)
            .take(repeat)
            .map(|out| observe(case, &plan, timing, out))
            .collect();
        reports.push(compare_runs(case, plan, runs));
    }
    reports
}

/// The verdict of a case from its runs: the first failure if one failed;
/// unstable if a repetition observed something else than the first run;
/// else the first run compared with the model.
fn compare_runs(
    case: &Case,
    plan: Plan,
    runs: Vec<Result<Vec<StepObs>, RunError>>,
) -> Result<CaseReport, RunError> {
    let runs = runs.into_iter().collect::<Result<Vec<_>, _>>()?;
    let mut runs = runs.into_iter();
    let real = runs.next().expect("at least one run");
    let mut verdict = None;
    for (i, again) in runs.enumerate() {
        if let Some(step) = same_run(&real, &again) {
            verdict = Some(Verdict::Unstable { run: i + 2, step });
            break;
        }
    }
    let verdict = verdict.unwrap_or_else(|| match first_divergence(&plan.model, &real) {
        None => Verdict::Agree(Coverage {
            compared: plan.model.len(),
            steps: plan.steps,
            stopped: plan.stopped.clone(),
        }),
        Some(d) => Verdict::Diverge(d),
    });
    Ok(CaseReport {
        source: case.source.clone(),
        plan,
        real,
        verdict,
        retried_after: None,
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    /// A launcher whose "wine" is a shell script that counts its runs in
    /// `runs` and then does `body`; the probe itself is never started.
    fn fake(name: &str, body: &str) -> (Launcher, PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("iocp-sim-retry-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let runs = dir.join("runs");
        let _ = std::fs::remove_file(&runs);
        let script = dir.join("wine");
        std::fs::write(
            &script,
            format!("#!/bin/sh\necho run >> \"$RUNS\"\n{body}\n"),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let launcher = Launcher {
            exe: dir.join("probe.exe"),
            wine: Some(script),
            env: vec![("RUNS".to_owned(), runs.display().to_string())],
            against: Against::Wine,
            description: "a fake Wine".to_owned(),
            wine_version: None,
        };
        (launcher, runs)
    }

    fn lesson_1() -> Case {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/sim-scenarios/01-basic-handoff.json"
        );
        Case::from_scenario(&crate::scenario::load(std::path::Path::new(path)).unwrap())
    }

    fn runs(path: &PathBuf) -> usize {
        std::fs::read_to_string(path).map_or(0, |s| s.lines().count())
    }

    #[test]
    fn a_silent_probe_failure_is_retried_once_and_named() {
        let (l, counted) = fake("silent", "exit 1");
        let err = run_case(&l, &lesson_1(), Flavor::Wine, Timing::default(), 3).unwrap_err();
        assert_eq!(runs(&counted), 2, "one retry, no more");
        assert!(
            err.0
                .ends_with("wrote nothing on stderr (and the same again on a retry)"),
            "{err}"
        );
        assert!(!err.is_transient(), "the retry's error is final");
    }

    #[test]
    fn a_lost_wineserver_connection_is_retried_once() {
        let (l, counted) = fake(
            "server",
            "echo 'wine client error:0: recvmsg: Connection reset by peer' >&2\nexit 1",
        );
        let err = run_case(&l, &lesson_1(), Flavor::Wine, Timing::default(), 3).unwrap_err();
        assert_eq!(runs(&counted), 2, "one retry, no more");
        assert!(err.0.contains("wineserver connection"), "{err}");
    }

    /// A batch: one process runs every repetition of every case; a case
    /// whose script makes the probe fail gets that failure (its other
    /// repetition is not run) and the cases after it run in a new process.
    #[test]
    fn a_failing_case_fails_alone_and_the_batch_goes_on() {
        // The fake probe prints an empty report per script, and fails on
        // the script of the case named "fail-me".
        let (l, counted) = fake(
            "batch",
            r#"while [ $# -gt 0 ]; do
  case "$1" in --*) shift 2; continue;; esac
  if grep -q fail-me "$1"; then echo 'probe: cannot go on' >&2; exit 2; fi
  printf 'probe 1\ndone\n'; shift
done"#,
        );
        let mut bad = lesson_1();
        bad.source = "fail-me".to_owned();
        let (a, c) = (lesson_1(), lesson_1());
        let cases = [(&a, Flavor::Wine), (&bad, Flavor::Wine), (&c, Flavor::Wine)];
        let reports = run_cases(&l, &cases, Timing::default(), 2);
        assert_eq!(
            runs(&counted),
            2,
            "one process up to the failure, one after it"
        );
        assert_eq!(reports.len(), 3);
        let err = reports[1].as_ref().unwrap_err();
        assert!(err.0.ends_with("cannot go on"), "{err}");
        for r in [&reports[0], &reports[2]] {
            // The fake observed no step: compared, and found missing.
            let r = r.as_ref().expect("a report");
            assert!(matches!(r.verdict, Verdict::Diverge(_)), "{:?}", r.verdict);
        }
    }

    /// A wait seen expiring before its step after the probe's step clock
    /// fell behind is the harness failing: an error, retried once, never a
    /// verdict. The same early expiry with the clock kept is an observation.
    #[test]
    fn an_early_timeout_is_a_harness_failure_only_when_the_clock_fell_behind() {
        let report = |why: &str| {
            format!(
                "printf 'probe 1\\nstep 1 x\\nresult success\\nret 0 err 258\\n\
                 warn early-timeout thread 0 at step 1 (due at 2{why})\\nend 1\\ndone\\n'"
            )
        };
        let (l, counted) = fake("behind", &report("; the step clock fell behind at step 1"));
        let err = run_case(&l, &lesson_1(), Flavor::Wine, Timing::default(), 1).unwrap_err();
        assert_eq!(runs(&counted), 2, "one retry, no more");
        assert!(
            err.0.contains(
                "a finite wait expired before its step (early-timeout thread T1 at step 1"
            ) && err.0.contains("--step-ms")
                && err.0.ends_with("(and the same again on a retry)"),
            "{err}"
        );
        let (l, counted) = fake("kept", &report(""));
        let r = run_case(&l, &lesson_1(), Flavor::Wine, Timing::default(), 1).unwrap();
        assert_eq!(runs(&counted), 1);
        assert!(matches!(r.verdict, Verdict::Diverge(_)), "{:?}", r.verdict);
        assert_eq!(
            r.real[0].warnings,
            ["early-timeout thread T1 at step 1 (due at 2)"]
        );
    }

    #[test]
    fn a_probe_failure_with_a_message_is_not_retried() {
        let (l, counted) = fake("loud", "echo 'the script is bad' >&2\nexit 1");
        let err = run_case(&l, &lesson_1(), Flavor::Wine, Timing::default(), 3).unwrap_err();
        assert_eq!(runs(&counted), 1);
        assert!(err.0.ends_with("the script is bad"), "{err}");
        assert!(!err.is_transient());
    }
}
