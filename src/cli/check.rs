//! `iocp-sim check PATH...`: evaluates every expectation of scenario files,
//! with [`crate::runner::check`], and prints its report.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{FlavorArg, EXIT_BAD_INPUT, EXIT_FAILED};
use crate::model::Flavor;
use crate::runner::check::check;
pub use crate::runner::check::expand;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario files, or directories whose *.json files (not sub-directories) are checked.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Check in this flavour instead of the one each file names.
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
}

/// Runs `iocp-sim check`.
pub fn main(args: Args) -> ExitCode {
    let report = match check(&args.paths, args.flavor.map(Flavor::from)) {
        Ok(r) => r,
        Err(e) => {
            errln!("error: {e}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    for f in &report.files {
        match &f.result {
            Ok(r) => {
                for failure in &r.failures {
                    outln!("FAIL {failure}");
                }
                if let Some(e) = &r.stopped {
                    super::print_scenario_error(e);
                } else if r.failures.is_empty() {
                    outln!("ok   {} ({} expectations)", f.path.display(), r.passed);
                }
            }
            Err(e) => super::print_scenario_error(e),
        }
    }
    let invalid = report.invalid();
    if invalid > 0 {
        outln!("{invalid} file(s) could not be checked");
    }
    outln!("{} passed, {} failed", report.passed(), report.failed());
    if invalid > 0 {
        ExitCode::from(EXIT_BAD_INPUT)
    } else if report.failed() > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
