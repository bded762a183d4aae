//! Sweep axes (`[sweep]` in a file, `--sweep` on the command line): the
//! keys a sweep can vary and their values, parsed and range-checked.

use super::error::TimeLimit;
use super::Policy;
use crate::unknown::Unknown;

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
    /// A value, range or list that cannot be swept; the message says why.
    Value(String),
    /// A key that cannot be swept, or a policy that is none of the lab's.
    Unknown {
        /// What is wrong, in words.
        message: String,
        /// The word, and the ones that can be given there.
        unknown: Unknown,
    },
    /// A point of the sweep whose simulated time is over the limit.
    Time(TimeLimit),
}

impl SweepError {
    pub(crate) fn value(message: impl Into<String>) -> SweepError {
        SweepError::Value(message.into())
    }

    /// The unknown key or policy, and the known ones, when that is the error.
    pub fn unknown(&self) -> Option<&Unknown> {
        match self {
            SweepError::Unknown { unknown, .. } => Some(unknown),
            SweepError::Value(_) | SweepError::Time(_) => None,
        }
    }
}

impl std::fmt::Display for SweepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SweepError::Value(m) | SweepError::Unknown { message: m, .. } => f.write_str(m),
            SweepError::Time(t) => t.fmt(f),
        }
    }
}

impl std::error::Error for SweepError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SweepError::Value(_) | SweepError::Unknown { .. } => None,
            SweepError::Time(t) => Some(t),
        }
    }
}

/// `part` is none of the lab's policies.
pub(super) fn unknown_policy(part: &str) -> (String, Unknown) {
    super::error::unknown_word("policy", part, &Policy::ALL.map(Policy::as_str))
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
        let known = SweepKey::ALL.map(SweepKey::as_str);
        SweepError::Unknown {
            message: format!("`{key}` cannot be swept: use one of {}", known.join(", ")),
            unknown: Unknown::new(key, known),
        }
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
                    let (message, unknown) = unknown_policy(part);
                    SweepError::Unknown { message, unknown }
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
