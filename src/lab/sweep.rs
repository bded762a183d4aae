//! Sweeps: run one configuration over ranges of a few of its keys
//! (`threads=1..16`, `concurrency=0..8`, `policy=lifo,wine`), every
//! combination, in parallel, with results in a fixed order.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::config::{Arrivals, LabConfig, Policy, Rate, TimeLimit};
use super::sim::{run, LabResult};

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
    fn value(message: impl Into<String>) -> SweepError {
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

/// Sets one key of a configuration.
pub fn apply(config: &mut LabConfig, key: SweepKey, value: SweepValue) -> Result<(), SweepError> {
    match (key, value) {
        (SweepKey::Threads, SweepValue::Int(x)) => config.threads = x as u32,
        (SweepKey::Concurrency, SweepValue::Int(x)) => config.concurrency = x as u32,
        (SweepKey::Cpus, SweepValue::Int(x)) => config.cpus = x as u32,
        (SweepKey::Seed, SweepValue::Int(x)) => config.seed = x,
        (SweepKey::Policy, SweepValue::Policy(p)) => config.policy = p,
        (SweepKey::Load, SweepValue::Float(l)) => match &mut config.arrivals {
            Arrivals::Poisson(r) | Arrivals::Uniform(r) => *r = Rate::Load(l),
            Arrivals::Trace(_) => {
                return Err(SweepError::value(
                    "a trace has its own load: load cannot be swept",
                ))
            }
        },
        (k, v) => {
            return Err(SweepError::value(format!(
                "{v} is not a value for {}",
                k.as_str()
            )))
        }
    }
    Ok(())
}

/// One point of a sweep: the values of every swept key, and its configuration.
#[derive(Clone, Debug)]
pub struct Point {
    /// `(key, value)` for each axis, in axis order.
    pub values: Vec<(SweepKey, SweepValue)>,
    /// The configuration with those values set.
    pub config: LabConfig,
}

/// Every combination of the axes' values. An axis given twice keeps its
/// last occurrence. Axes are ordered by key, whatever order they were given
/// in: policy, cpus, load, seed, concurrency vary slowest, threads fastest,
/// so a table reads as one block per line of the plots.
pub fn expand(base: &LabConfig, axes: &[SweepAxis]) -> Result<Vec<Point>, SweepError> {
    let mut uniq: Vec<SweepAxis> = Vec::new();
    for a in axes {
        match uniq.iter_mut().find(|u| u.key == a.key) {
            Some(u) => *u = a.clone(),
            None => uniq.push(a.clone()),
        }
    }
    uniq.sort_by_key(|a| match a.key {
        SweepKey::Policy => 0,
        SweepKey::Cpus => 1,
        SweepKey::Load => 2,
        SweepKey::Seed => 3,
        SweepKey::Concurrency => 4,
        SweepKey::Threads => 5,
    });
    let total: usize = uniq.iter().map(|a| a.values.len()).product();
    if total > 1_000_000 {
        return Err(SweepError::value(format!(
            "the sweep has {total} points: too many"
        )));
    }
    let mut points = Vec::with_capacity(total);
    for i in 0..total {
        let mut rest = i;
        let mut values = Vec::with_capacity(uniq.len());
        for a in uniq.iter().rev() {
            values.push((a.key, a.values[rest % a.values.len()]));
            rest /= a.values.len();
        }
        values.reverse();
        let mut config = base.clone();
        for &(k, v) in &values {
            apply(&mut config, k, v)?;
        }
        config.check_time().map_err(SweepError::Time)?;
        points.push(Point { values, config });
    }
    Ok(points)
}

/// Runs every point on `jobs` threads; `tick` is called once per finished
/// point (on the calling thread). Workers take the next point from a shared
/// counter and send `(index, result)` back over a channel; results are put
/// back in the points' order, and each depends only on its own
/// configuration, so the output is the same for any number of jobs.
pub fn run_all(points: &[Point], jobs: usize, tick: &(dyn Fn() + Sync)) -> Vec<LabResult> {
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<LabResult>> = vec![None; points.len()];
    let jobs = jobs.clamp(1, points.len().max(1));
    let (done_tx, done_rx) = crossbeam_channel::unbounded();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let next = &next;
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = points.get(i) else { break };
                if done_tx.send((i, run(&p.config))).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        for (i, r) in done_rx {
            slots[i] = Some(r);
            tick();
        }
    });
    slots
        .into_iter()
        .map(|r| r.expect("every point ran"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_inclusive_and_lists_parse() {
        let a = parse_arg("threads=1..16").unwrap();
        assert_eq!(a.values.len(), 16);
        let c = parse_arg("concurrency=0..8").unwrap();
        assert_eq!(c.values.first(), Some(&SweepValue::Int(0)));
        assert_eq!(c.values.len(), 9);
        let p = parse_arg("policy=lifo,fifo-limited,wine").unwrap();
        assert_eq!(p.values[1], SweepValue::Policy(Policy::FifoLimited));
        assert_eq!(parse_arg("threads=2..=4").unwrap().values.len(), 3);
    }

    #[test]
    fn bad_sweeps_are_explained() {
        assert!(parse_arg("thread=1..4")
            .unwrap_err()
            .to_string()
            .contains("cannot be swept"));
        assert!(parse_arg("threads=4..1")
            .unwrap_err()
            .to_string()
            .contains("empty"));
        assert!(parse_arg("threads=0..3")
            .unwrap_err()
            .to_string()
            .contains("out of range"));
        assert!(parse_arg("policy=lifo,fast")
            .unwrap_err()
            .to_string()
            .contains("unknown policy"));
        assert!(parse_arg("threads")
            .unwrap_err()
            .to_string()
            .contains("KEY=VALUES"));
    }
}
