//! Reading a configuration: TOML to a checked [`LabConfig`], every mistake
//! reported with the file, its line and column, the key, and (for an
//! unknown key or word) the known ones.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::axis::{parse_axis, unknown_policy, value_spec, SweepAxis, SweepError};
use super::error::{line_col, unknown_word, ConfigError};
use super::limits::MAX_CONFIG_BYTES;
use super::trace::{read_limited, read_trace};
use super::{Arrivals, BlockSpec, LabConfig, Policy, Rate, MAX_COMPLETIONS};
use crate::lab::dist::{to_ns, Dist};
use crate::unknown::Unknown;

/// The distributions a duration may have.
const DISTS: &[&str] = &["exp", "const", "uniform"];
/// The arrival processes.
const PROCESSES: &[&str] = &["poisson", "uniform", "trace"];

impl LabConfig {
    /// Reads and checks a configuration file (a trace it names is read
    /// relative to the file's folder).
    pub fn from_file(path: &Path) -> Result<(LabConfig, Vec<SweepAxis>), ConfigError> {
        let file = path.display().to_string();
        let text = read_limited(path, MAX_CONFIG_BYTES)
            .map_err(|e| ConfigError::io(&file, "cannot read", e))?
            .ok_or_else(|| {
                ConfigError::new(
                    &file,
                    format!(
                        "larger than the limit of {} MiB for a configuration",
                        MAX_CONFIG_BYTES >> 20
                    ),
                )
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
            let message = e.message().trim();
            let mut err = ConfigError::at(file, text, span.clone(), None, message)
                .unknown(Unknown::from_serde(message));
            err.key = span.and_then(|s| key_at(text, s.start));
            err
        })?;
        Resolver { text, file, base }.resolve(raw)
    }
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
            other => {
                let (message, unknown) = unknown_word("distribution", other, DISTS);
                Err(self
                    .err(Some(raw.dist.span()), &format!("{key}.dist"), message)
                    .unknown(Some(unknown)))
            }
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
                        // The file itself is unreadable: point at the key
                        // that names it (the OS's error stays the source).
                        let (l, c) = line_col(self.text, path.span().start);
                        e.message = format!("{}: {}", full.display(), e.message);
                        e.file = self.file.to_owned();
                        e.line = Some(l);
                        e.column = Some(c);
                        e.key = Some("arrivals.trace".into());
                    }
                    e
                })?;
                Ok(Arrivals::Trace(times.into()))
            }
            other => {
                let (message, unknown) = unknown_word("process", other, PROCESSES);
                Err(self
                    .err(Some(raw.process.span()), "arrivals.process", message)
                    .unknown(Some(unknown)))
            }
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
                let (message, unknown) = unknown_policy(p.get_ref());
                self.err(Some(p.span()), "policy", message)
                    .unknown(Some(unknown))
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
            let bad = |e: SweepError| {
                self.err(Some(span.clone()), &format!("sweep.{key}"), e.to_string())
                    .unknown(e.unknown().cloned())
            };
            let spec = value_spec(value.get_ref()).map_err(bad)?;
            axes.push(parse_axis(&key, &spec).map_err(bad)?);
        }
        Ok((config, axes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "cpus = 2\nthreads = 2\ncompletions = 10\n[arrivals]\nprocess = \"poisson\"\nload = 0.5\n[service]\ndist = \"exp\"\nmean_us = 10\n";

    fn error(text: &str) -> ConfigError {
        LabConfig::from_toml(text, "c.toml", Path::new(".")).unwrap_err()
    }

    #[test]
    fn an_unreadable_file_keeps_the_os_error_as_its_source() {
        use std::error::Error as _;
        let path = std::env::temp_dir().join("iocp-sim-no-such-dir/none.toml");
        let e = LabConfig::from_file(&path).unwrap_err();
        let io = e
            .source()
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .expect("the io::Error is the source");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        assert!(e.message.starts_with("cannot read: "), "{e}");
    }

    /// Each unknown word is data (the word and the known ones), whatever
    /// the message says.
    #[test]
    fn unknown_words_carry_the_known_ones() {
        let cases = [
            (
                BASE.replace("cpus = 2", "cpus = 2\npolicy = \"lifp\""),
                Unknown::new("lifp", ["lifo", "fifo-limited", "wine"]),
            ),
            (
                BASE.replace("\"exp\"", "\"expo\""),
                Unknown::new("expo", ["exp", "const", "uniform"]),
            ),
            (
                BASE.replace("\"poisson\"", "\"poison\""),
                Unknown::new("poison", ["poisson", "uniform", "trace"]),
            ),
            (
                format!("{BASE}[sweep]\nthraeds = \"1..2\"\n"),
                Unknown::new(
                    "thraeds",
                    ["threads", "concurrency", "cpus", "policy", "seed", "load"],
                ),
            ),
            (
                format!("{BASE}[sweep]\npolicy = [\"lifo\", \"wien\"]\n"),
                Unknown::new("wien", ["lifo", "fifo-limited", "wine"]),
            ),
        ];
        for (text, want) in cases {
            let e = error(&text);
            assert_eq!(e.unknown.as_deref(), Some(&want), "{e}");
        }
        let e = error(&BASE.replace("threads", "thraeds"));
        let u = e.unknown.expect("an unknown key is data");
        assert_eq!(u.word, "thraeds");
        assert!(u.known.iter().any(|k| k == "threads"), "{u:?}");
        assert_eq!(error(&BASE.replace("cpus = 2", "cpus = 99")).unknown, None);
    }
}
