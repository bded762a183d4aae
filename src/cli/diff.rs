//! `iocp-sim diff FILE... --against wine|windows [--flavor F]`: runs each
//! scenario with real threads against a real completion port (the probe)
//! and compares what it observed with the model, step by step.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;

use super::{FlavorArg, EXIT_BAD_INPUT, EXIT_FAILED};
use crate::diff::{self, Against, Case, Launcher, Tally, Timing, Verdict};
use crate::model::Flavor;
use crate::scenario;

/// `--against`: which real implementation to run the probe on.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AgainstArg {
    /// Wine on a Linux host (the probe is cross-compiled and run with `wine`).
    Wine,
    /// The real kernel on a Windows host.
    Windows,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario files, or directories whose *.json files are compared.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The real implementation to compare with.
    #[arg(long, value_enum)]
    against: AgainstArg,
    /// The model's flavour (default: windows against Windows; against Wine,
    /// the flavour measured for the installed version, from `wine --version`).
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
    /// Run the probe this many times per file; every run must observe the same thing.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Only print one verdict line per file (no tables).
    #[arg(long)]
    brief: bool,
    /// Print the probe script of each file and exit (nothing is run).
    #[arg(long)]
    script: bool,
    /// A step has settled when nothing observable changed for this long (ms).
    #[arg(long, default_value_t = Timing::default().quiet_ms)]
    quiet_ms: u64,
    /// Per-step time budget (ms): finite waits are timed in these units.
    #[arg(long, default_value_t = Timing::default().step_ms)]
    step_ms: u64,
    /// Fail (exit status 1) when a comparison covers only part of a file:
    /// the model rejects a step the file does not expect it to, so no later
    /// step is compared.
    #[arg(long)]
    require_whole: bool,
}

/// Files run in one probe process (each `--repeat` times): large enough
/// that starting Wine is a small part of the time, small enough that the
/// verdicts come in as the files are compared.
const BATCH: usize = 10;

/// Runs `iocp-sim diff`: every file is compared and reported (agree,
/// diverge, unsupported with the reason, unstable, probe failed), then one
/// summary line; a failing file never stops the others.
pub fn main(args: Args) -> ExitCode {
    let against = match args.against {
        AgainstArg::Wine => Against::Wine,
        AgainstArg::Windows => Against::Windows,
    };
    let files = match super::check::expand(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            errln!("iocp-sim diff: {e}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let mut cases = Vec::new();
    let mut bad_input = false;
    for f in &files {
        match scenario::load(f) {
            Ok(sc) => cases.push(Case::from_scenario(&sc)),
            Err(e) => {
                errln!("iocp-sim diff: {e}");
                bad_input = true;
            }
        }
    }
    if cases.is_empty() {
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    if args.script {
        // Nothing runs: without --flavor, the flavour of the host's default.
        let flavor = args.flavor.map(Flavor::from).unwrap_or(match against {
            Against::Wine => Flavor::Wine,
            Against::Windows => Flavor::Windows,
        });
        for c in &cases {
            out!("{}", diff::plan(c, flavor).script);
        }
        return ExitCode::from(if bad_input { EXIT_BAD_INPUT } else { 0 });
    }
    let launcher = match Launcher::prepare(against, &diff::launch::cache_dir()) {
        Ok(l) => l,
        Err(e) => {
            errln!(
                "iocp-sim diff: cannot run the probe against {}: {e}",
                against.as_str()
            );
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let flavor = match args.flavor {
        Some(f) => Flavor::from(f),
        None => match diff::matching_flavor(&launcher) {
            Ok(f) => {
                outln!(
                    "{}: comparing with the model's {} flavour",
                    launcher.description,
                    f.as_str()
                );
                f
            }
            Err(e) => {
                errln!("iocp-sim diff: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        },
    };
    let timing = Timing {
        quiet_ms: args.quiet_ms,
        step_ms: args.step_ms,
    };
    let mut n = Tally::default();
    for chunk in cases.chunks(BATCH) {
        let jobs: Vec<(&Case, Flavor)> = chunk.iter().map(|c| (c, flavor)).collect();
        for (c, report) in chunk
            .iter()
            .zip(diff::run_cases(&launcher, &jobs, timing, args.repeat))
        {
            let report = match report {
                Ok(r) => r,
                Err(e) => {
                    outln!("{}: PROBE FAILED: {e}", c.source);
                    n.add_failure(false);
                    continue;
                }
            };
            if let Some(first) = &report.retried_after {
                outln!("{}: retried once after: {first}", c.source);
            }
            outln!("{}: {}", c.source, report.verdict.summary());
            n.add(&report.verdict, report.retried_after.is_some());
            match &report.verdict {
                Verdict::Unsupported(u) if !args.brief => {
                    for x in u {
                        outln!("    step {}: {}", x.step, x.reason);
                    }
                }
                Verdict::Unsupported(_) => {}
                _ if !args.brief => outln!("{}", report.table(&launcher.description)),
                _ => {}
            }
        }
    }
    outln!(
        "{}",
        n.line(&launcher.description, flavor, args.require_whole)
    );
    if bad_input {
        ExitCode::from(EXIT_BAD_INPUT)
    } else if n.failing(args.require_whole) > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}
