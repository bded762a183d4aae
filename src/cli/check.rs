//! `iocp-sim check PATH...`: evaluates every expectation of scenario files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{FlavorArg, EXIT_BAD_INPUT, EXIT_FAILED};
use crate::model::Flavor;
use crate::runner::{rejected_error, Applied, Runner};
use crate::scenario::{self, ScenarioError};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario files, or directories whose *.json files (not sub-directories) are checked.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Check in this flavour instead of the one each file names.
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
}

/// What checking one file found.
#[derive(Debug, Default)]
pub struct FileResult {
    /// Expectations that held.
    pub passed: usize,
    /// Failures, one line each.
    pub failures: Vec<String>,
    /// A step the model rejected without `expect.error`: the scenario is
    /// invalid from there on (format: such a step stops the run with an error).
    pub stopped: Option<ScenarioError>,
}

/// Checks every expectation of one scenario.
pub fn check_file(path: &Path, flavor: Option<Flavor>) -> Result<FileResult, ScenarioError> {
    let sc = scenario::load(path)?;
    let mut runner = Runner::new(&sc.world, flavor.unwrap_or(sc.world.flavor));
    let mut result = FileResult::default();
    for step in &sc.steps {
        let report = runner.step(step, &sc.names);
        let op = step.action.map(|a| a.op()).unwrap_or("check");
        let checked = step.expect.as_ref().map_or(0, |e| e.count());
        result.passed += checked.saturating_sub(report.mismatches.len());
        for m in &report.mismatches {
            result.failures.push(format!(
                "{}: step {} ({op}): {}: expected {}, actual {}",
                sc.source, step.number, m.key, m.expected, m.actual
            ));
        }
        if report.unexpected_rejection(step) {
            if let Applied::Rejected { message, .. } = &report.applied {
                result.stopped = Some(rejected_error(&sc.source, step, message));
            }
            break;
        }
    }
    Ok(result)
}

/// The files a list of paths names: files as given, directories' *.json files, sorted.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut in_dir: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("{}: cannot read directory: {e}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "json"))
                .collect();
            in_dir.sort();
            if in_dir.is_empty() {
                return Err(format!(
                    "{}: no .json scenario files in this directory",
                    p.display()
                ));
            }
            files.extend(in_dir);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

pub fn main(args: Args) -> ExitCode {
    let files = match expand(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let (mut passed, mut failed, mut invalid) = (0, 0, 0);
    for f in &files {
        match check_file(f, args.flavor.map(Flavor::from)) {
            Ok(r) => {
                passed += r.passed;
                failed += r.failures.len();
                for line in &r.failures {
                    println!("FAIL {line}");
                }
                if let Some(e) = &r.stopped {
                    invalid += 1;
                    eprintln!("error: {e}");
                } else if r.failures.is_empty() {
                    println!("ok   {} ({} expectations)", f.display(), r.passed);
                }
            }
            Err(e) => {
                invalid += 1;
                eprintln!("error: {e}");
            }
        }
    }
    if invalid > 0 {
        println!("{invalid} file(s) could not be checked");
    }
    println!("{passed} passed, {failed} failed");
    if invalid > 0 {
        ExitCode::from(EXIT_BAD_INPUT)
    } else if failed > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
