//! A lab configuration: the machine, the workload and the port policy of one
//! run, read from a TOML file. Every mistake is reported with the file, the
//! line and column, and the key (see [`ConfigError`]).
//!
//! ```toml
//! name = "echo server"
//! cpus = 4
//! threads = 8
//! concurrency = 0          # 0 = the number of cpus (as CreateIoCompletionPort)
//! policy = "lifo"          # lifo | fifo-limited | wine
//! completions = 100000
//! seed = 1
//!
//! [arrivals]               # completions arriving at the port
//! process = "poisson"      # poisson | uniform | trace
//! load = 0.8               # or: rate = 32000 (completions per second)
//!
//! [service]                # CPU time to process one completion
//! dist = "exp"             # exp | const | uniform
//! mean_us = 100
//!
//! [block]                  # after processing, the worker may block
//! p = 0.2
//! time = { dist = "exp", mean_us = 400 }
//! after = { dist = "const", mean_us = 10 }   # CPU time once it wakes, before get
//!
//! [scheduler]
//! quantum_us = 20000
//! switch_us = 3
//! cold_after_us = 500
//! cold_penalty_us = 20
//!
//! [sweep]                  # optional; --sweep on the command line overrides a key
//! threads = "1..16"
//! policy = ["lifo", "fifo-limited", "wine"]
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::dist::{to_ns, Dist};

/// The longest run: every latency is kept (8 bytes each) for exact percentiles.
pub const MAX_COMPLETIONS: u64 = 20_000_000;
/// The longest simulated time a run may be expected to span, in
/// nanoseconds (about 3 years): far below what a `u64` clock holds
/// (584 years), so the random tails of the distributions cannot overflow it.
pub const MAX_SIM_NS: f64 = 1e17;

/// How the port wakes waiters and whether it keeps its concurrency limit:
/// the model's [`Policy`](crate::model::Policy), shared with the live port
/// and the command line.
pub use crate::model::Policy;

/// The mean arrival rate of completions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rate {
    /// Completions per second of simulated time.
    PerSecond(f64),
    /// A fraction of the machine's capacity: `load * cpus / mean service time`.
    Load(f64),
}

/// How completions arrive at the port.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// A Poisson process (exponential gaps): the first M in M/M/c.
    Poisson(Rate),
    /// Evenly spaced at the given rate.
    Uniform(Rate),
    /// At the given times (nanoseconds from the start, non-decreasing).
    Trace(Arc<[u64]>),
}

/// What a worker does after processing a completion, sometimes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockSpec {
    /// Probability that it blocks (rule 3) after processing a completion.
    pub p: f64,
    /// How long it stays blocked.
    pub time: Dist,
    /// CPU time it runs after it is unblocked (rule 4), before calling get.
    pub after: Dist,
}

/// One fully resolved lab run. Durations are nanoseconds of simulated time.
#[derive(Clone, Debug, PartialEq)]
pub struct LabConfig {
    /// A name for reports.
    pub name: String,
    /// Processors.
    pub cpus: u32,
    /// Worker threads, all on one port.
    pub threads: u32,
    /// The port's declared concurrency (0 = `cpus`).
    pub concurrency: u32,
    /// Wake order and limit.
    pub policy: Policy,
    /// The run ends when this many completions have been processed.
    pub completions: u64,
    /// Seed of every random stream.
    pub seed: u64,
    /// The arrival process.
    pub arrivals: Arrivals,
    /// CPU time to process one completion.
    pub service: Dist,
    /// Blocking after processing, if any.
    pub block: Option<BlockSpec>,
    /// Round-robin time slice.
    pub quantum: u64,
    /// Cost of putting a thread on a processor (a context switch).
    pub switch_cost: u64,
    /// A thread that has not run for longer than this runs cold (`None`:
    /// no cache model, nothing runs cold).
    pub cold_after: Option<u64>,
    /// Extra CPU time a cold run costs.
    pub cold_penalty: u64,
}

impl LabConfig {
    /// The port's effective limit: `concurrency`, or `cpus` when it is 0.
    pub fn limit(&self) -> u32 {
        if self.concurrency == 0 {
            self.cpus
        } else {
            self.concurrency
        }
    }

    /// Mean arrival rate in completions per second (for a trace: its count
    /// over its span).
    pub fn arrival_rate(&self) -> f64 {
        let rate = |r: Rate| match r {
            Rate::PerSecond(x) => x,
            Rate::Load(l) => l * self.cpus as f64 * 1e9 / self.service.mean(),
        };
        match &self.arrivals {
            Arrivals::Poisson(r) | Arrivals::Uniform(r) => rate(*r),
            Arrivals::Trace(t) => {
                let span = t.last().copied().unwrap_or(0).max(1);
                t.len() as f64 * 1e9 / span as f64
            }
        }
    }

    /// Refuses a run whose simulated time could not be represented: the
    /// expected span of the arrivals, or of the work if one thread did it
    /// all, must stay under [`MAX_SIM_NS`]. The error names the key to change.
    pub fn check_time(&self) -> Result<(), TimeLimit> {
        let n = self.completions as f64;
        let arrivals = n * 1e9 / self.arrival_rate();
        let block = self
            .block
            .as_ref()
            .map_or(0.0, |b| b.time.mean() + b.after.mean());
        let per_job =
            self.service.mean() + block + self.switch_cost as f64 + self.cold_penalty as f64;
        let work = n * per_job;
        let key = match &self.arrivals {
            Arrivals::Poisson(Rate::Load(_)) | Arrivals::Uniform(Rate::Load(_)) => "arrivals.load",
            Arrivals::Trace(_) => "arrivals.trace",
            _ => "arrivals.rate",
        };
        let years = |ns: f64| ns / 3.156e16;
        if arrivals.is_nan() || arrivals > MAX_SIM_NS {
            return Err(TimeLimit {
                key,
                reason: format!(
                    "{} completions would arrive over {:.3e} years of simulated time, more than the limit of {:.1} years: raise the rate or lower `completions`",
                    self.completions,
                    years(arrivals),
                    years(MAX_SIM_NS)
                ),
            });
        }
        let slices = self.expected_slices();
        if slices > MAX_SLICES {
            return Err(TimeLimit {
                key: "scheduler.quantum_us",
                reason: format!(
                    "the work would be cut into about {slices:.3e} time slices, more than the limit of {MAX_SLICES:.0e}: lengthen the time slice, shorten the durations or lower `completions`"
                ),
            });
        }
        if work.is_nan() || work > MAX_SIM_NS {
            return Err(TimeLimit {
                key: "service",
                reason: format!(
                    "{} completions need up to {:.3e} years of simulated work, more than the limit of {:.1} years: shorten the durations or lower `completions`",
                    self.completions,
                    years(work),
                    years(MAX_SIM_NS)
                ),
            });
        }
        Ok(())
    }

    /// How many time slices the work is expected to take in all (each
    /// one an event of the simulation): the mean CPU time per completion
    /// over the time slice, at least one per completion.
    pub fn expected_slices(&self) -> f64 {
        let after = self.block.as_ref().map_or(0.0, |b| b.after.mean());
        let cpu = self.service.mean() + after + self.cold_penalty as f64;
        self.completions as f64 * (cpu / self.quantum.max(1) as f64).ceil().max(1.0)
    }

    /// The offered load: arrival rate times mean service time over `cpus`.
    pub fn load(&self) -> f64 {
        self.arrival_rate() * self.service.mean() / 1e9 / self.cpus as f64
    }

    /// Reads and checks a configuration file (a trace it names is read
    /// relative to the file's folder).
    pub fn from_file(path: &Path) -> Result<(LabConfig, Vec<SweepAxis>), ConfigError> {
        let file = path.display().to_string();
        let fail = |message: String| ConfigError {
            file: file.clone(),
            line: None,
            column: None,
            key: None,
            message,
        };
        let text = read_limited(path, MAX_CONFIG_BYTES)
            .map_err(|e| fail(format!("cannot read: {e}")))?
            .ok_or_else(|| {
                fail(format!(
                    "larger than the limit of {} MiB for a configuration",
                    MAX_CONFIG_BYTES >> 20
                ))
            })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        LabConfig::from_toml(&text, &file, &base)
    }

    /// Parses and checks a configuration held in `text`; `file` names it in
    /// errors and `base` is the folder a trace path is relative to. Returns
    /// the configuration and the sweep axes of its `[sweep]` table.
    pub fn from_toml(
        text: &str,
        file: &str,
        base: &Path,
    ) -> Result<(LabConfig, Vec<SweepAxis>), ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let span = e.span();
            let mut err = ConfigError::at(file, text, span.clone(), None, e.message().trim());
            err.key = span.and_then(|s| key_at(text, s.start));
            err
        })?;
        Resolver { text, file, base }.resolve(raw)
    }
}

/// A configuration whose simulated time would be over the limit
/// ([`LabConfig::check_time`]): the key to change and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeLimit {
    /// The key to change: `arrivals.rate`, `arrivals.load`,
    /// `arrivals.trace`, `scheduler.quantum_us` or `service`.
    pub key: &'static str,
    /// What would be too long, and what to do.
    pub reason: String,
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.reason)
    }
}

impl std::error::Error for TimeLimit {}

/// A mistake in a configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The key at fault (`service.mean_us`), when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    fn at(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        key: Option<&str>,
        message: impl Into<String>,
    ) -> ConfigError {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = line_col(text, s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ConfigError {
            file: file.to_owned(),
            line,
            column,
            key: key.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "key `{k}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The dotted key written on the line holding `offset` (`service.mean_us`),
/// found from the line's `key =` and the last `[table]` header above it.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[start..end];
    let key = line.split('=').next().map(str::trim).filter(|k| {
        line.contains('=') && !k.is_empty() && !k.starts_with('[') && !k.starts_with('#')
    })?;
    let table = text[..start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && !l.starts_with("[["))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_owned());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_owned(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: Option<String>,
    cpus: Option<Spanned<i64>>,
    threads: Option<Spanned<i64>>,
    concurrency: Option<Spanned<i64>>,
    policy: Option<Spanned<String>>,
    completions: Option<Spanned<i64>>,
    seed: Option<Spanned<i64>>,
    arrivals: Option<Spanned<RawArrivals>>,
    service: Option<Spanned<RawDist>>,
    block: Option<Spanned<RawBlock>>,
    scheduler: Option<RawScheduler>,
    sweep: Option<BTreeMap<String, Spanned<toml::Value>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArrivals {
    process: Spanned<String>,
    rate: Option<Spanned<f64>>,
    load: Option<Spanned<f64>>,
    trace: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDist {
    dist: Spanned<String>,
    mean_us: Option<Spanned<f64>>,
    min_us: Option<Spanned<f64>>,
    max_us: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlock {
    p: Spanned<f64>,
    time: Option<Spanned<RawDist>>,
    after: Option<Spanned<RawDist>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScheduler {
    quantum_us: Option<Spanned<f64>>,
    switch_us: Option<Spanned<f64>>,
    cold_after_us: Option<Spanned<f64>>,
    cold_penalty_us: Option<Spanned<f64>>,
}

struct Resolver<'a> {
    text: &'a str,
    file: &'a str,
    base: &'a Path,
}

impl Resolver<'_> {
    fn err(&self, span: Option<Range<usize>>, key: &str, msg: impl Into<String>) -> ConfigError {
        ConfigError::at(self.file, self.text, span, Some(key), msg)
    }

    fn int(
        &self,
        v: Option<Spanned<i64>>,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
        default: Option<i64>,
        what: &str,
    ) -> Result<i64, ConfigError> {
        match v {
            None => default.ok_or_else(|| self.err(None, key, format!("missing ({what})"))),
            Some(s) => {
                let x = *s.get_ref();
                if range.contains(&x) {
                    Ok(x)
                } else {
                    Err(self.err(
                        Some(s.span()),
                        key,
                        format!(
                            "{x} is out of range: {what} must be between {} and {}",
                            range.start(),
                            range.end()
                        ),
                    ))
                }
            }
        }
    }

    fn micros(&self, v: Option<Spanned<f64>>, key: &str, default: f64) -> Result<u64, ConfigError> {
        match v {
            None => Ok(to_ns(default * 1000.0)),
            Some(s) => {
                let x = *s.get_ref();
                if x.is_finite() && (0.0..=1e12).contains(&x) {
                    Ok(to_ns(x * 1000.0))
                } else {
                    Err(self.err(
                        Some(s.span()),
                        key,
                        format!("{x} is not a duration: give microseconds, 0 or more"),
                    ))
                }
            }
        }
    }

    fn dist(&self, raw: Spanned<RawDist>, key: &str) -> Result<Dist, ConfigError> {
        let span = raw.span();
        let raw = raw.into_inner();
        let need = |v: &Option<Spanned<f64>>, sub: &str| -> Result<u64, ConfigError> {
            match v {
                None => Err(self.err(
                    Some(span.clone()),
                    &format!("{key}.{sub}"),
                    format!(
                        "missing: a `{}` distribution needs `{sub}`",
                        raw.dist.get_ref()
                    ),
                )),
                Some(_) => self.micros(v.clone(), &format!("{key}.{sub}"), 0.0),
            }
        };
        let forbid = |v: &Option<Spanned<f64>>, sub: &str| -> Result<(), ConfigError> {
            match v {
                Some(s) => Err(self.err(
                    Some(s.span()),
                    &format!("{key}.{sub}"),
                    format!("not used by a `{}` distribution", raw.dist.get_ref()),
                )),
                None => Ok(()),
            }
        };
        match raw.dist.get_ref().as_str() {
            "const" | "exp" => {
                forbid(&raw.min_us, "min_us")?;
                forbid(&raw.max_us, "max_us")?;
                let mean = need(&raw.mean_us, "mean_us")?;
                Ok(if raw.dist.get_ref() == "const" {
                    Dist::Const(mean)
                } else {
                    Dist::Exp(mean as f64)
                })
            }
            "uniform" => {
                forbid(&raw.mean_us, "mean_us")?;
                let lo = need(&raw.min_us, "min_us")?;
                let hi = need(&raw.max_us, "max_us")?;
                if hi < lo {
                    return Err(self.err(
                        raw.max_us.as_ref().map(Spanned::span),
                        &format!("{key}.max_us"),
                        "is below min_us",
                    ));
                }
                Ok(Dist::Uniform(lo, hi))
            }
            other => Err(self.err(
                Some(raw.dist.span()),
                &format!("{key}.dist"),
                format!("unknown distribution `{other}`: use exp, const or uniform"),
            )),
        }
    }

    fn rate(&self, raw: &RawArrivals, span: Range<usize>) -> Result<Rate, ConfigError> {
        let positive = |v: &Spanned<f64>, key: &str| -> Result<f64, ConfigError> {
            let x = *v.get_ref();
            if x.is_finite() && x > 0.0 {
                Ok(x)
            } else {
                Err(self.err(Some(v.span()), key, format!("{x} must be a number above 0")))
            }
        };
        match (&raw.rate, &raw.load) {
            (Some(r), None) => Ok(Rate::PerSecond(positive(r, "arrivals.rate")?)),
            (None, Some(l)) => Ok(Rate::Load(positive(l, "arrivals.load")?)),
            (Some(_), Some(l)) => Err(self.err(
                Some(l.span()),
                "arrivals.load",
                "give either `rate` (completions per second) or `load` (share of the cpus), not both",
            )),
            (None, None) => Err(self.err(
                Some(span),
                "arrivals.rate",
                "missing: give `rate` (completions per second) or `load` (share of the cpus)",
            )),
        }
    }

    fn arrivals(&self, raw: Spanned<RawArrivals>) -> Result<Arrivals, ConfigError> {
        let span = raw.span();
        let raw = raw.into_inner();
        match raw.process.get_ref().as_str() {
            p @ ("poisson" | "uniform") => {
                if let Some(t) = &raw.trace {
                    return Err(self.err(
                        Some(t.span()),
                        "arrivals.trace",
                        format!("a trace is only read with process = \"trace\", not \"{p}\""),
                    ));
                }
                let rate = self.rate(&raw, span)?;
                Ok(if p == "poisson" {
                    Arrivals::Poisson(rate)
                } else {
                    Arrivals::Uniform(rate)
                })
            }
            "trace" => {
                if let Some(r) = raw.rate.as_ref().or(raw.load.as_ref()) {
                    return Err(self.err(
                        Some(r.span()),
                        "arrivals",
                        "a trace gives its own times: remove `rate` / `load`",
                    ));
                }
                let Some(path) = raw.trace else {
                    return Err(self.err(Some(span), "arrivals.trace", "missing: the trace file"));
                };
                let full: PathBuf = self.base.join(path.get_ref());
                let times = read_trace(&full).map_err(|mut e| {
                    if e.line.is_none() {
                        // The file itself is unreadable: point at the key that names it.
                        let (l, c) = line_col(self.text, path.span().start);
                        e = ConfigError {
                            file: self.file.to_owned(),
                            line: Some(l),
                            column: Some(c),
                            key: Some("arrivals.trace".into()),
                            message: format!("{}: {}", full.display(), e.message),
                        };
                    }
                    e
                })?;
                Ok(Arrivals::Trace(times.into()))
            }
            other => Err(self.err(
                Some(raw.process.span()),
                "arrivals.process",
                format!("unknown process `{other}`: use poisson, uniform or trace"),
            )),
        }
    }

    fn resolve(&self, raw: RawConfig) -> Result<(LabConfig, Vec<SweepAxis>), ConfigError> {
        let cpus = self.int(raw.cpus, "cpus", 1..=64, None, "the number of processors")? as u32;
        let threads = self.int(
            raw.threads,
            "threads",
            1..=4096,
            None,
            "the number of worker threads",
        )? as u32;
        let concurrency = self.int(
            raw.concurrency,
            "concurrency",
            0..=4096,
            Some(0),
            "the port's concurrency value",
        )? as u32;
        let policy = match raw.policy {
            None => Policy::Lifo,
            Some(p) => Policy::parse(p.get_ref()).ok_or_else(|| {
                self.err(
                    Some(p.span()),
                    "policy",
                    format!(
                        "unknown policy `{}`: use lifo, fifo-limited or wine",
                        p.get_ref()
                    ),
                )
            })?,
        };
        let completions = self.int(
            raw.completions,
            "completions",
            1..=MAX_COMPLETIONS as i64,
            None,
            "the number of completions to process",
        )? as u64;
        let seed = self.int(raw.seed, "seed", 0..=i64::MAX, Some(1), "the seed")? as u64;
        let arrivals = match raw.arrivals {
            Some(a) => self.arrivals(a)?,
            None => {
                return Err(self.err(None, "arrivals", "missing: the [arrivals] table"));
            }
        };
        let service = match raw.service {
            Some(s) => self.dist(s, "service")?,
            None => {
                return Err(self.err(None, "service", "missing: the [service] table"));
            }
        };
        if service.mean() <= 0.0
            && matches!(
                &arrivals,
                Arrivals::Poisson(Rate::Load(_)) | Arrivals::Uniform(Rate::Load(_))
            )
        {
            return Err(self.err(
                None,
                "arrivals.load",
                "a load needs a service time above 0 (use `rate` instead)",
            ));
        }
        let block = match raw.block {
            None => None,
            Some(b) => {
                let span = b.span();
                let b = b.into_inner();
                let p = *b.p.get_ref();
                if !(0.0..=1.0).contains(&p) {
                    return Err(self.err(
                        Some(b.p.span()),
                        "block.p",
                        format!("{p} is not a probability (0 to 1)"),
                    ));
                }
                let time = match b.time {
                    Some(t) => self.dist(t, "block.time")?,
                    None => {
                        return Err(self.err(
                            Some(span),
                            "block.time",
                            "missing: how long a worker stays blocked",
                        ))
                    }
                };
                let after = match b.after {
                    Some(a) => self.dist(a, "block.after")?,
                    None => Dist::Const(0),
                };
                Some(BlockSpec { p, time, after })
            }
        };
        let sched = raw.scheduler.unwrap_or(RawScheduler {
            quantum_us: None,
            switch_us: None,
            cold_after_us: None,
            cold_penalty_us: None,
        });
        let quantum = self.micros(sched.quantum_us.clone(), "scheduler.quantum_us", 20_000.0)?;
        if quantum < 1000 {
            return Err(self.err(
                sched.quantum_us.map(|q| q.span()),
                "scheduler.quantum_us",
                "the time slice must be at least 1us",
            ));
        }
        if let (None, Some(p)) = (&sched.cold_after_us, &sched.cold_penalty_us) {
            return Err(self.err(
                Some(p.span()),
                "scheduler.cold_penalty_us",
                "a cold penalty needs `cold_after_us` (how long idle makes a thread cold)",
            ));
        }
        let config = LabConfig {
            name: raw.name.unwrap_or_else(|| {
                Path::new(self.file)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "lab".into())
            }),
            cpus,
            threads,
            concurrency,
            policy,
            completions,
            seed,
            arrivals,
            service,
            block,
            quantum,
            switch_cost: self.micros(sched.switch_us, "scheduler.switch_us", 0.0)?,
            cold_after: match sched.cold_after_us {
                None => None,
                some => Some(self.micros(some, "scheduler.cold_after_us", 0.0)?),
            },
            cold_penalty: self.micros(sched.cold_penalty_us, "scheduler.cold_penalty_us", 0.0)?,
        };
        let mut axes = Vec::new();
        for (key, value) in raw.sweep.unwrap_or_default() {
            let span = value.span();
            let spec = value_spec(value.get_ref()).map_err(|m| {
                self.err(Some(span.clone()), &format!("sweep.{key}"), m.to_string())
            })?;
            let axis = parse_axis(&key, &spec)
                .map_err(|m| self.err(Some(span), &format!("sweep.{key}"), m.to_string()))?;
            axes.push(axis);
        }
        Ok((config, axes))
    }
}

/// At most this many time slices expected over a run (each one an event;
/// the lab simulates some tens of millions of events per second).
pub const MAX_SLICES: f64 = 1e9;

/// The largest configuration file read, in bytes.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The largest arrivals trace read, in bytes (256 MiB: more than
/// [`MAX_COMPLETIONS`] lines of microsecond times).
pub const MAX_TRACE_BYTES: u64 = 256 << 20;

/// Reads a UTF-8 text file of at most `limit` bytes; `Ok(None)` when it holds more.
pub fn read_limited(path: &Path, limit: u64) -> std::io::Result<Option<String>> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_string(&mut text)?;
    Ok((text.len() as u64 <= limit).then_some(text))
}

/// Reads a trace: one arrival time per line, in microseconds from the start,
/// non-decreasing; blank lines and `#` comments are skipped.
/// The file may hold at most [`MAX_TRACE_BYTES`]; a larger one (or an
/// endless one such as `/dev/zero`) is refused after reading that much.
pub fn read_trace(path: &Path) -> Result<Vec<u64>, ConfigError> {
    let file = path.display().to_string();
    let fail = |message: String| ConfigError {
        file: file.clone(),
        line: None,
        column: None,
        key: None,
        message,
    };
    let text = read_limited(path, MAX_TRACE_BYTES)
        .map_err(|e| fail(format!("cannot read the trace: {e}")))?
        .ok_or_else(|| {
            fail(format!(
                "the trace is larger than the limit of {} MiB",
                MAX_TRACE_BYTES >> 20
            ))
        })?;
    let mut times = Vec::new();
    let mut last = 0u64;
    for (i, line) in text.lines().enumerate() {
        let body = line.split('#').next().unwrap_or("").trim();
        if body.is_empty() {
            continue;
        }
        let bad = |message: String| ConfigError {
            file: file.clone(),
            line: Some(i + 1),
            column: None,
            key: None,
            message,
        };
        let us: f64 = body
            .parse()
            .map_err(|_| bad(format!("`{body}` is not a time in microseconds")))?;
        if !us.is_finite() || us < 0.0 {
            return Err(bad(format!(
                "`{body}` is not a time (0 or more microseconds)"
            )));
        }
        let t = to_ns(us * 1000.0);
        if t < last {
            return Err(bad(format!(
                "times must not go back: {body}us comes after {}us",
                last as f64 / 1000.0
            )));
        }
        last = t;
        times.push(t);
    }
    if times.is_empty() {
        return Err(ConfigError {
            file,
            line: None,
            column: None,
            key: None,
            message: "the trace holds no arrival time".into(),
        });
    }
    Ok(times)
}

// Sweep axes (`[sweep]` in a file, `--sweep` on the command line): the
// keys a sweep can vary and their values, parsed and range-checked.

/// A key a sweep can vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SweepKey {
    /// Worker threads.
    Threads,
    /// The port's concurrency value.
    Concurrency,
    /// Processors.
    Cpus,
    /// The policy.
    Policy,
    /// The seed.
    Seed,
    /// The offered load (replaces the arrival rate).
    Load,
}

impl SweepKey {
    /// Every key, as written.
    pub const ALL: [SweepKey; 6] = [
        SweepKey::Threads,
        SweepKey::Concurrency,
        SweepKey::Cpus,
        SweepKey::Policy,
        SweepKey::Seed,
        SweepKey::Load,
    ];

    /// The key's name.
    pub fn as_str(self) -> &'static str {
        match self {
            SweepKey::Threads => "threads",
            SweepKey::Concurrency => "concurrency",
            SweepKey::Cpus => "cpus",
            SweepKey::Policy => "policy",
            SweepKey::Seed => "seed",
            SweepKey::Load => "load",
        }
    }

    fn parse(s: &str) -> Option<SweepKey> {
        SweepKey::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One value of a swept key.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SweepValue {
    /// threads, concurrency, cpus or seed.
    Int(u64),
    /// A policy.
    Policy(Policy),
    /// A load.
    Float(f64),
}

impl std::fmt::Display for SweepValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SweepValue::Int(x) => write!(f, "{x}"),
            SweepValue::Policy(p) => write!(f, "{}", p.as_str()),
            SweepValue::Float(x) => write!(f, "{x}"),
        }
    }
}

/// A key and the values it takes, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepAxis {
    /// The key.
    pub key: SweepKey,
    /// Its values.
    pub values: Vec<SweepValue>,
}

/// A sweep that cannot run: a key, value, range or list the lab does not
/// take, or a point whose simulated time is over the limit.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SweepError {
    /// A key, value, range or list that cannot be swept; the message says why.
    Value(String),
    /// A point of the sweep whose simulated time is over the limit.
    Time(TimeLimit),
}

impl SweepError {
    pub(crate) fn value(message: impl Into<String>) -> SweepError {
        SweepError::Value(message.into())
    }
}

impl std::fmt::Display for SweepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SweepError::Value(m) => f.write_str(m),
            SweepError::Time(t) => t.fmt(f),
        }
    }
}

impl std::error::Error for SweepError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SweepError::Value(_) => None,
            SweepError::Time(t) => Some(t),
        }
    }
}

/// Turns a `[sweep]` table value (a string, a number or an array) into the
/// text form `--sweep` takes after the `=`.
pub fn value_spec(v: &toml::Value) -> Result<String, SweepError> {
    match v {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(i) => Ok(i.to_string()),
        toml::Value::Float(x) => Ok(x.to_string()),
        toml::Value::Array(items) => {
            let parts: Result<Vec<String>, SweepError> = items
                .iter()
                .map(|i| match i {
                    toml::Value::Array(_) | toml::Value::Table(_) => Err(SweepError::value(
                        "an array of values, not of arrays or tables",
                    )),
                    other => value_spec(other),
                })
                .collect();
            Ok(parts?.join(","))
        }
        _ => Err(SweepError::value(
            "give a range (\"1..16\"), a list (\"1,2,4\" or [1, 2, 4]) or one value",
        )),
    }
}

/// Parses `KEY=SPEC` as given to `--sweep`.
pub fn parse_arg(arg: &str) -> Result<SweepAxis, SweepError> {
    let (key, spec) = arg.split_once('=').ok_or_else(|| {
        SweepError::value(format!("`{arg}`: write KEY=VALUES, e.g. threads=1..16"))
    })?;
    parse_axis(key.trim(), spec.trim())
}

/// Parses the values of one key: `a..b` (inclusive), `a..=b`, or a comma
/// list (`1,2,4`, `lifo,wine`, `0.5,0.9`).
pub fn parse_axis(key: &str, spec: &str) -> Result<SweepAxis, SweepError> {
    let k = SweepKey::parse(key).ok_or_else(|| {
        SweepError::value(format!(
            "`{key}` cannot be swept: use one of {}",
            SweepKey::ALL.map(SweepKey::as_str).join(", ")
        ))
    })?;
    let mut values = Vec::new();
    if let Some((a, b)) = spec.split_once("..") {
        if matches!(k, SweepKey::Policy | SweepKey::Load) {
            return Err(SweepError::value(format!(
                "`{key}` takes a list (a,b,c), not a range"
            )));
        }
        let b = b.strip_prefix('=').unwrap_or(b);
        let lo = int(key, a)?;
        let hi = int(key, b)?;
        if hi < lo {
            return Err(SweepError::value(format!("range {spec} is empty")));
        }
        if hi - lo >= 100_000 {
            return Err(SweepError::value(format!(
                "range {spec} has too many values"
            )));
        }
        values.extend((lo..=hi).map(SweepValue::Int));
    } else {
        for part in spec.split(',').map(str::trim) {
            values.push(match k {
                SweepKey::Policy => SweepValue::Policy(Policy::parse(part).ok_or_else(|| {
                    SweepError::value(format!(
                        "unknown policy `{part}`: use lifo, fifo-limited or wine"
                    ))
                })?),
                SweepKey::Load => {
                    let x: f64 = part
                        .parse()
                        .map_err(|_| SweepError::value(format!("`{part}` is not a number")))?;
                    if !(x.is_finite() && x > 0.0) {
                        return Err(SweepError::value(format!("load {part} must be above 0")));
                    }
                    SweepValue::Float(x)
                }
                _ => SweepValue::Int(int(key, part)?),
            });
        }
    }
    for v in &values {
        check(k, *v)?;
    }
    Ok(SweepAxis { key: k, values })
}

fn int(key: &str, s: &str) -> Result<u64, SweepError> {
    s.trim()
        .parse()
        .map_err(|_| SweepError::value(format!("`{}` is not a whole number (for {key})", s.trim())))
}

fn check(key: SweepKey, v: SweepValue) -> Result<(), SweepError> {
    let SweepValue::Int(x) = v else {
        return Ok(());
    };
    let (lo, hi) = match key {
        SweepKey::Threads => (1, 4096),
        SweepKey::Concurrency => (0, 4096),
        SweepKey::Cpus => (1, 64),
        _ => (0, i64::MAX as u64),
    };
    if x < lo || x > hi {
        return Err(SweepError::value(format!(
            "{} = {x} is out of range ({lo} to {hi})",
            key.as_str()
        )));
    }
    Ok(())
}
