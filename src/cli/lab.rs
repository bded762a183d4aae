//! `iocp-sim lab CONFIG [--sweep KEY=VALUES]... [--out DIR]`: runs the
//! workload lab on one configuration or a sweep of them, prints a table and
//! optionally writes CSV and SVG plots.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::bad;
use crate::lab::config::MAX_COMPLETIONS;
use crate::lab::{report, sweep, LabConfig};

/// Arguments of `iocp-sim lab`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The lab configuration (TOML; see sim-scenarios/lab/ and docs/lab.md).
    pub config: PathBuf,
    /// Vary a key over values: KEY=A..B (inclusive) or KEY=a,b,c. Keys:
    /// threads, concurrency, cpus, policy, seed, load. Repeat for more keys;
    /// every combination runs. Overrides the same key of the file's [sweep].
    #[arg(long = "sweep", value_name = "KEY=VALUES")]
    pub sweep: Vec<String>,
    /// Write results.csv and SVG plots (throughput, switches, latency_p99,
    /// cold_runs against thread count) into this folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Runs in parallel (default: the number of cores). Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Override the file's `completions`.
    #[arg(long, value_name = "N")]
    pub completions: Option<u64>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `iocp-sim lab`.
pub fn main(args: Args) -> ExitCode {
    let (mut base, mut axes) = match LabConfig::from_file(&args.config) {
        Ok(x) => x,
        Err(e) => {
            super::print_config_error("lab", &e);
            return ExitCode::from(super::EXIT_BAD_INPUT);
        }
    };
    if let Some(n) = args.completions {
        if n == 0 || n > MAX_COMPLETIONS {
            return bad(
                "lab",
                format!("--completions {n}: give 1 to {MAX_COMPLETIONS}"),
            );
        }
        base.completions = n;
    }
    for s in &args.sweep {
        match sweep::parse_arg(s) {
            Ok(a) => axes.push(a),
            Err(e) => return bad("lab", format!("--sweep {s}: {e}")),
        }
    }
    let points = match sweep::expand(&base, &axes) {
        Ok(p) => p,
        Err(e) if axes.is_empty() => return bad("lab", format!("{}: {e}", args.config.display())),
        Err(e) => return bad("lab", format!("{}: sweep: {e}", args.config.display())),
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return bad("lab", "--jobs 0: give at least 1");
    }

    out!("{}", report::describe(&base));
    let bar = if args.quiet || points.len() < 2 {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(points.len() as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {elapsed} elapsed, eta {eta}")
        {
            b.set_style(style);
        }
        b
    };
    let started = Instant::now();
    let tick = || bar.inc(1);
    let results = sweep::run_all(&points, jobs, &tick);
    let wall = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    for (p, r) in points.iter().zip(&results) {
        if let Err(e) = r.check_sane() {
            errln!(
                "iocp-sim lab: BROKEN: a run produced a figure that cannot be true ({e}); no report printed. Configuration: {}",
                report::describe(&p.config).trim_end().replace('\n', "; ")
            );
            return ExitCode::from(super::EXIT_FAILED);
        }
    }

    if axes.is_empty() {
        out!("{}", report::single(&results[0]));
    } else {
        out!("{}", report::table(&points, &results));
    }
    let events: u64 = results.iter().map(|r| r.events).sum();
    let _ = std::io::Write::flush(&mut std::io::stdout());
    errln!(
        "{} run(s), {} simulated events in {:.2} s on {} job(s): {:.2} million events/s",
        results.len(),
        events,
        wall,
        jobs.min(points.len()),
        events as f64 / wall.max(1e-9) / 1e6
    );

    if let Some(dir) = &args.out {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return bad(
                "lab",
                format!("{}: cannot create the folder: {e}", dir.display()),
            );
        }
        let mut files = vec![("results.csv".to_owned(), report::csv(&points, &results))];
        files.extend(report::plots(&points, &results));
        for (name, text) in files {
            let path = dir.join(&name);
            if let Err(e) = std::fs::write(&path, text) {
                return bad("lab", format!("{}: cannot write: {e}", path.display()));
            }
            errln!("wrote {}", path.display());
        }
    }
    ExitCode::SUCCESS
}
