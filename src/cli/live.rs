//! `iocp-sim live CONFIG [--policy P] [--threads N] [--completions N] [--watch]`:
//! runs a lab workload on real threads and a live port, and reports what
//! the OS measured.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::TypedValueParser;

use super::bad;
use crate::lab::config::{MAX_COMPLETIONS, MAX_LIVE_BACKLOG, MAX_LIVE_THREADS};
use crate::lab::LabConfig;
use crate::live::workload::{self, processors, LiveResult};
use crate::live::{LiveEvent, Policy};
use crate::model::{Kernel, PortId};

/// `--policy`: a [`Policy`] name (`lifo`, `fifo-limited`, `wine`; also
/// `windows` and `unlimited`, this command's earlier names).
fn policy_arg() -> impl TypedValueParser<Value = Policy> {
    let names = Policy::ALL
        .map(Policy::as_str)
        .into_iter()
        .chain(["windows", "unlimited"]);
    clap::builder::PossibleValuesParser::new(names)
        .try_map(|name| Policy::parse(&name).ok_or(format!("unknown policy `{name}`")))
}

/// Arguments of `iocp-sim live`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A lab configuration (TOML, as `iocp-sim lab` reads; see docs/live.md).
    pub config: PathBuf,
    /// The port's policy (default: the file's `policy`).
    #[arg(long, value_parser = policy_arg())]
    pub policy: Option<Policy>,
    /// Override the file's `threads`.
    #[arg(long, value_name = "N")]
    pub threads: Option<u32>,
    /// Override the file's `completions`.
    #[arg(long, value_name = "N")]
    pub completions: Option<u64>,
    /// Show the port's structures in the terminal as they move (about 10 times a second).
    #[arg(long)]
    pub watch: bool,
}

/// Runs `iocp-sim live`.
pub fn main(args: Args) -> ExitCode {
    let (mut cfg, _) = match LabConfig::from_file(&args.config) {
        Ok(x) => x,
        Err(e) => {
            super::print_config_error("live", &e);
            return ExitCode::from(super::EXIT_BAD_INPUT);
        }
    };
    if let Some(n) = args.completions {
        if n == 0 || n > MAX_COMPLETIONS {
            return bad(
                "live",
                format!("--completions {n}: give 1 to {MAX_COMPLETIONS}"),
            );
        }
        cfg.completions = n;
    }
    if let Some(t) = args.threads {
        if t == 0 || t > MAX_LIVE_THREADS {
            return bad(
                "live",
                format!("--threads {t}: give 1 to {MAX_LIVE_THREADS}"),
            );
        }
        cfg.threads = t;
    }
    // What `lab` checks, and the bounds of a run on real threads, before
    // any thread starts (`workload::run` checks again, for library users).
    if let Err(e) = cfg.check_live(processors()) {
        return bad("live", format!("{}: {e}", args.config.display()));
    }
    let policy = args.policy.unwrap_or(cfg.policy);
    errln!(
        "live: {} threads, limit {}, policy {}, {} completions ({} arrivals, service {})",
        cfg.threads,
        cfg.limit(),
        policy.as_str(),
        cfg.completions,
        match cfg.arrivals {
            crate::lab::Arrivals::Trace(_) => "traced".to_owned(),
            _ => format!("{:.0}/s", cfg.arrival_rate()),
        },
        cfg.service.describe()
    );
    let result = if args.watch {
        let mut out = std::io::stdout();
        let mut draw = |k: &Kernel, ev: &[LiveEvent], done: u64| {
            let _ = out.write_all(frame(k, ev, done, cfg.completions).as_bytes());
            let _ = out.flush();
        };
        workload::run(&cfg, policy, Some(&mut draw))
    } else {
        workload::run(&cfg, policy, None)
    };
    let result = match result {
        Ok(r) => r,
        Err(e) => return bad("live", format!("{}: {e}", args.config.display())),
    };
    out!("{}", report(&result));
    if result.stopped_at_deadline {
        errln!(
            "iocp-sim live: {}: stopped at the deadline of {:.0} s with {} of {} completions processed (the machine is far slower than the run's estimate)",
            args.config.display(),
            result.elapsed.as_secs_f64(),
            result.completions,
            cfg.live_completions()
        );
        return ExitCode::from(super::EXIT_FAILED);
    }
    ExitCode::SUCCESS
}

/// One frame of `--watch`: the five structures of the port now.
fn frame(k: &Kernel, events: &[LiveEvent], done: u64, total: u64) -> String {
    let p = k.port(PortId(0));
    let ids = |ts: &[crate::model::ThreadId]| {
        ts.iter()
            .map(|t| format!("T{}", t.0 + 1))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut s = String::from("\x1b[H\x1b[2J");
    let _ = writeln!(s, "iocp-sim live   {done}/{total} completions processed");
    let _ = writeln!(
        s,
        "  RTL  {}/{} {}{}",
        p.current(),
        p.max(),
        if p.over_limit() { "OVER LIMIT! " } else { "" },
        ids(p.rtl().as_slice())
    );
    let _ = writeln!(s, "  IOCQ ({}) packets queued", p.iocq().len());
    let wtq = p.wtq().wake_order(k.wake_order());
    let _ = writeln!(s, "  WTQ  ({}) next> {}", wtq.len(), ids(&wtq));
    let _ = writeln!(s, "  PTL  ({}) {}", p.ptl().len(), ids(p.ptl().as_slice()));
    let mut rules = std::collections::BTreeMap::<&str, u32>::new();
    for e in events {
        for f in &e.outcome.fired {
            *rules.entry(f.rule.name()).or_default() += 1;
        }
    }
    let list: Vec<String> = rules.iter().map(|(r, n)| format!("{r} {n}")).collect();
    let _ = writeln!(s, "  rules fired in the last 0.1 s: {}", list.join(", "));
    s
}

/// The end report.
pub fn report(r: &LiveResult) -> String {
    let mut s = String::new();
    let us = |ns: f64| ns / 1000.0;
    let _ = writeln!(
        s,
        "policy {}   threads {}   limit {}",
        r.policy.as_str(),
        r.threads,
        r.limit
    );
    let _ = writeln!(
        s,
        "  completions {}   in {:.2} s   throughput {:.0}/s",
        r.completions,
        r.elapsed.as_secs_f64(),
        r.throughput
    );
    let _ = writeln!(
        s,
        "  latency (arrival to get)  p50 {:.1}us   p99 {:.1}us   mean {:.1}us",
        us(r.latency_p50 as f64),
        us(r.latency_p99 as f64),
        us(r.latency_mean)
    );
    match (r.switches, r.switches_per_completion()) {
        (Some(sw), Some(per)) => {
            let _ = writeln!(
                s,
                "  context switches of the workers  voluntary {}   involuntary {}   per completion {:.2}",
                sw.voluntary, sw.involuntary, per
            );
        }
        _ => {
            let _ = writeln!(s, "  context switches: not reported per thread on this OS");
        }
    }
    let _ = writeln!(
        s,
        "  distinct threads that ran {}   RTL over the limit {:.1} ms ({:.1}% of the run)   unparks {}",
        r.distinct_threads,
        r.over_limit.as_secs_f64() * 1e3,
        100.0 * r.over_limit.as_secs_f64() / r.elapsed.as_secs_f64().max(1e-9),
        r.unparks
    );
    let _ = writeln!(s, "  largest backlog {} completions", r.max_backlog);
    if !r.arrivals_held.is_zero() {
        let _ = writeln!(
            s,
            "  arrivals held back {:.1} ms in all: the workers fell {MAX_LIVE_BACKLOG} completions behind (the backlog's bound)",
            r.arrivals_held.as_secs_f64() * 1e3
        );
    }
    s
}
