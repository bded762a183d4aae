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
mod version;

pub use case::Case;
pub use compare::{first_divergence, table, Divergence, Field};
pub use launch::{Against, EnvMissing, Launcher, RunError, Timing, INSTALL_COMMAND};
pub use observe::{error_name, parse_probe_output, Depth, Pkt, Return, StepObs};
pub use plan::{plan, Plan, Unsupported};
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

/// The verdict for one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every step agreed (in every repetition).
    Agree,
    /// The model and the real port differ.
    Diverge(Divergence),
    /// Some step cannot be reproduced by the probe: nothing was run.
    Unsupported(Vec<Unsupported>),
    /// Repetitions of the real run did not observe the same thing: the
    /// result is not trustworthy either way.
    Unstable {
        /// The first repetition that differed from the first run (1-based).
        run: usize,
        /// The first step where it differed.
        step: usize,
    },
}

impl Verdict {
    /// A one-line summary.
    pub fn summary(&self) -> String {
        match self {
            Verdict::Agree => "agree".to_owned(),
            Verdict::Diverge(d) => {
                let f: Vec<&str> = d.fields.iter().map(|f| f.name()).collect();
                format!("DIVERGE at step {} ({})", d.step, f.join(", "))
            }
            Verdict::Unsupported(u) => {
                let first = &u[0];
                format!("unsupported (step {}: {})", first.step, first.reason)
            }
            Verdict::Unstable { run, step } => {
                format!("UNSTABLE: run {run} observed something else at step {step}")
            }
        }
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
    /// The side-by-side table of this case.
    pub fn table(&self, real_side: &str) -> String {
        table(
            &self.plan.model,
            &self.real,
            &format!("model ({} flavour)", self.plan.flavor.as_str()),
            real_side,
        )
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

fn early_timeout(obs: &[StepObs]) -> bool {
    obs.iter()
        .any(|s| s.warnings.iter().any(|w| w.starts_with("early-timeout")))
}

/// Runs the probe once, retrying with a doubled step budget (up to twice)
/// when a finite wait expired before its scenario step because the machine
/// was too slow: that is a timing failure of the harness, not an observation.
fn run_once(
    launcher: &Launcher,
    plan: &Plan,
    case: &Case,
    timing: Timing,
) -> Result<Vec<StepObs>, RunError> {
    let mut t = timing;
    let mut tries = 0;
    loop {
        let out = launcher.run(&plan.script, t, plan.ops.len())?;
        let obs = parse_probe_output(&out, &case.names, &plan.ops)
            .map_err(|e| RunError(format!("{}: {e}", case.source)))?;
        tries += 1;
        if early_timeout(&obs) && tries < 3 {
            t.step_ms *= 2;
            continue;
        }
        return Ok(obs);
    }
}

/// Plans `case` in `flavor`, runs the probe `repeat` times (at least once)
/// and compares. If a probe run fails without a report of its own (exit
/// status and nothing on stderr, or a lost wineserver connection:
/// [`RunError::is_transient`]), the whole case is run
/// once more and the report says so in
/// [`retried_after`](CaseReport::retried_after); a second failure is returned,
/// naming the first.
pub fn run_case(
    launcher: &Launcher,
    case: &Case,
    flavor: Flavor,
    timing: Timing,
    repeat: usize,
) -> Result<CaseReport, RunError> {
    match run_case_once(launcher, case, flavor, timing, repeat) {
        Err(first) if first.is_transient() => {
            match run_case_once(launcher, case, flavor, timing, repeat) {
                Ok(report) => Ok(CaseReport {
                    retried_after: Some(first),
                    ..report
                }),
                Err(again) => Err(RunError(format!(
                    "{again} (on a retry, after a first failure: {first})"
                ))),
            }
        }
        other => other,
    }
}

fn run_case_once(
    launcher: &Launcher,
    case: &Case,
    flavor: Flavor,
    timing: Timing,
    repeat: usize,
) -> Result<CaseReport, RunError> {
    let plan = plan::plan(case, flavor);
    if !plan.supported() {
        return Ok(CaseReport {
            source: case.source.clone(),
            verdict: Verdict::Unsupported(plan.unsupported.clone()),
            plan,
            real: Vec::new(),
            retried_after: None,
        });
    }
    let real = run_once(launcher, &plan, case, timing)?;
    for run in 2..=repeat.max(1) {
        let again = run_once(launcher, &plan, case, timing)?;
        if let Some(step) = same_run(&real, &again) {
            return Ok(CaseReport {
                source: case.source.clone(),
                verdict: Verdict::Unstable { run, step },
                plan,
                real,
                retried_after: None,
            });
        }
    }
    let verdict = match first_divergence(&plan.model, &real) {
        None => Verdict::Agree,
        Some(d) => Verdict::Diverge(d),
    };
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
        assert!(err.0.contains("on a retry, after a first failure"), "{err}");
        assert!(err.0.contains("wrote nothing on stderr"), "{err}");
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

    #[test]
    fn a_probe_failure_with_a_message_is_not_retried() {
        let (l, counted) = fake("loud", "echo 'the script is bad' >&2\nexit 1");
        let err = run_case(&l, &lesson_1(), Flavor::Wine, Timing::default(), 3).unwrap_err();
        assert_eq!(runs(&counted), 1);
        assert!(err.0.ends_with("the script is bad"), "{err}");
        assert!(!err.is_transient());
    }
}
