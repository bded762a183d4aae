//! The bounds a run is checked against before it starts: the lab's (a
//! simulated time and a number of events that fit) and a live run's (real
//! threads for a bounded wall time, each completion's durations and the
//! backlog of posted completions bounded). `lab` and `live` check through
//! [`LabConfig::check_time`], which [`LabConfig::check_live`] calls first.
//! docs/resources.md lists them.

use super::error::TimeLimit;
use super::{Arrivals, LabConfig, Rate, MAX_SIM_NS};
use crate::lab::dist::Dist;

/// At most this many time slices expected over a run (each one an event;
/// the lab simulates some tens of millions of events per second).
pub const MAX_SLICES: f64 = 1e9;

/// The largest configuration file read, in bytes.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The largest arrivals trace read, in bytes (256 MiB: more than
/// [`MAX_COMPLETIONS`](super::MAX_COMPLETIONS) lines of microsecond times).
pub const MAX_TRACE_BYTES: u64 = 256 << 20;

/// The longest a live run may be expected to take, in seconds of wall
/// time (ten minutes): the arrivals' span, and the work spread over the
/// workers and the processors, must each fit.
pub const MAX_LIVE_SECONDS: f64 = 600.0;

/// The longest mean CPU time a live completion may ask for (service, and
/// the CPU time after a block), in nanoseconds: one second, spun on a real
/// processor.
pub const MAX_LIVE_CPU_NS: f64 = 1e9;

/// The longest mean time a live worker may stay blocked, in nanoseconds
/// (ten seconds of real sleep).
pub const MAX_LIVE_BLOCK_NS: f64 = 1e10;

/// The most completions posted to a live port and not yet taken by a
/// worker: beyond it the arrivals wait for the workers (and the report says
/// for how long), so the backlog holds at most this many jobs (about 9 MB)
/// whatever the arrival rate.
pub const MAX_LIVE_BACKLOG: u64 = 100_000;

/// The most worker threads a live run starts.
pub const MAX_LIVE_THREADS: u32 = 1024;

impl LabConfig {
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
        let key = arrivals_key(&self.arrivals);
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

    /// Refuses a live run (real threads, real time) that could not finish
    /// within the bounds above, before any thread starts: the worker count
    /// and each completion's mean durations, then what the lab checks
    /// ([`LabConfig::check_time`]), then the least wall time the run can
    /// take, which must be at most [`MAX_LIVE_SECONDS`]: the span of its
    /// arrivals, its CPU work spread over `min(threads, cpus)` processors
    /// (`cpus`: the processors this machine gives the process), and its
    /// CPU and blocking time spread over the workers. The error names the
    /// key to change.
    pub fn check_live(&self, cpus: usize) -> Result<(), TimeLimit> {
        if !(1..=MAX_LIVE_THREADS).contains(&self.threads) {
            return Err(TimeLimit {
                key: "threads",
                reason: format!(
                    "{} worker threads: a live run starts 1 to {MAX_LIVE_THREADS} (its limit)",
                    self.threads
                ),
            });
        }
        let secs = |ns: f64| ns / 1e9;
        let over = |key: &'static str, what: &str, ns: f64, limit: f64, fix: &str| {
            TimeLimit {
            key,
            reason: format!(
                "{what} {:.3} s on average, more than the limit of {} s for a live run (real time, on real threads): {fix}",
                secs(ns),
                secs(limit)
            ),
        }
        };
        let service = self.service.mean();
        if service.is_nan() || service > MAX_LIVE_CPU_NS {
            return Err(over(
                duration_key("service", &self.service),
                "a completion needs",
                service,
                MAX_LIVE_CPU_NS,
                "shorten the service time",
            ));
        }
        let (mut cpu, mut asleep) = (service, 0.0);
        if let Some(b) = &self.block {
            if b.time.mean() > MAX_LIVE_BLOCK_NS {
                return Err(over(
                    duration_key("block.time", &b.time),
                    "a blocked worker sleeps",
                    b.time.mean(),
                    MAX_LIVE_BLOCK_NS,
                    "shorten the blocking time",
                ));
            }
            if b.after.mean() > MAX_LIVE_CPU_NS {
                return Err(over(
                    duration_key("block.after", &b.after),
                    "a worker back from a block runs",
                    b.after.mean(),
                    MAX_LIVE_CPU_NS,
                    "shorten the time after a block",
                ));
            }
            cpu += b.p * b.after.mean();
            asleep = b.p * b.time.mean();
        }
        self.check_time()?;
        let n = self.live_completions() as f64;
        let arrivals = match &self.arrivals {
            Arrivals::Trace(t) => t
                .get(self.live_completions().saturating_sub(1) as usize)
                .map_or(0.0, |&x| x as f64),
            _ => n * 1e9 / self.arrival_rate(),
        };
        let limit = MAX_LIVE_SECONDS * 1e9;
        let spread = |ns: f64| format!("{:.0} s", secs(ns));
        if arrivals.is_nan() || arrivals > limit {
            return Err(TimeLimit {
                key: arrivals_key(&self.arrivals),
                reason: format!(
                    "the completions would arrive over {}, more than the limit of {} s for a live run: raise the rate or lower `completions`",
                    spread(arrivals),
                    MAX_LIVE_SECONDS
                ),
            });
        }
        let processors = (self.threads as usize).min(cpus.max(1)) as f64;
        let work = n * cpu / processors;
        if work > limit {
            return Err(TimeLimit {
                key: duration_key("service", &self.service),
                reason: format!(
                    "{} completions need {} of CPU time on {} processor(s), more than the limit of {} s for a live run: shorten the service time or lower `completions`",
                    self.live_completions(),
                    spread(work),
                    processors,
                    MAX_LIVE_SECONDS
                ),
            });
        }
        let busy = n * (cpu + asleep) / self.threads as f64;
        if busy > limit {
            return Err(TimeLimit {
                key: "block.time",
                reason: format!(
                    "{} workers would each run and sleep for {}, more than the limit of {} s for a live run: shorten the blocking time, add threads or lower `completions`",
                    self.threads,
                    spread(busy),
                    MAX_LIVE_SECONDS
                ),
            });
        }
        Ok(())
    }

    /// How many completions a live run processes: `completions`, or fewer
    /// when a trace holds fewer times.
    pub fn live_completions(&self) -> u64 {
        match &self.arrivals {
            Arrivals::Trace(t) => (t.len() as u64).min(self.completions),
            _ => self.completions,
        }
    }
}

/// The key of the arrival rate: `arrivals.load`, `.trace` or `.rate`.
fn arrivals_key(a: &Arrivals) -> &'static str {
    match a {
        Arrivals::Poisson(Rate::Load(_)) | Arrivals::Uniform(Rate::Load(_)) => "arrivals.load",
        Arrivals::Trace(_) => "arrivals.trace",
        _ => "arrivals.rate",
    }
}

/// The key that sets the length of a duration of `table` (`service`,
/// `block.time` or `block.after`): its `mean_us`, or `max_us` for a
/// uniform one.
fn duration_key(table: &'static str, d: &Dist) -> &'static str {
    let max = matches!(d, Dist::Uniform(..));
    match (table, max) {
        ("service", false) => "service.mean_us",
        ("service", true) => "service.max_us",
        ("block.time", false) => "block.time.mean_us",
        ("block.time", true) => "block.time.max_us",
        ("block.after", false) => "block.after.mean_us",
        ("block.after", true) => "block.after.max_us",
        _ => table,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A config that `live` runs in about a second: 2 workers, 1,000
    /// completions arriving at 1,000 a second, 10us of CPU each.
    const FINE: &str = "cpus = 2\nthreads = 2\ncompletions = 1000\n[arrivals]\nprocess = \"poisson\"\nrate = 1000\n[service]\ndist = \"exp\"\nmean_us = 10\n";

    fn config(text: &str) -> LabConfig {
        // A folder per call: tests run at once, and one writing a trace
        // file while another reads it would read it half written.
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("iocp-sim-limits-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("far.txt"), "0\n1e15\n").unwrap();
        std::fs::write(dir.join("late.txt"), "0\n1e9\n").unwrap();
        let cfg = LabConfig::from_toml(text, "c.toml", &dir)
            .unwrap_or_else(|e| panic!("{e}"))
            .0;
        let _ = std::fs::remove_dir_all(&dir);
        cfg
    }

    #[test]
    fn a_run_that_fits_passes() {
        assert_eq!(config(FINE).check_live(2), Ok(()));
        assert_eq!(config(FINE).check_live(64), Ok(()));
    }

    /// Each input of issue 24 that hung `live` or held its memory, and the
    /// key the refusal names; the third value: whether the lab refuses it
    /// too (its own bounds are for simulated time).
    #[test]
    fn what_cannot_finish_in_time_is_refused_naming_the_key() {
        let cases = [
            (FINE.replace("rate = 1000", "rate = 1e-300"), "arrivals.rate", true),
            (FINE.replace("rate = 1000", "load = 1e-300"), "arrivals.load", true),
            (
                FINE.replace("\"poisson\"\nrate = 1000", "\"trace\"\ntrace = \"far.txt\""),
                "arrivals.trace",
                true,
            ),
            // 1,000 s away: simulated by the lab, too long on real threads.
            (
                FINE.replace("\"poisson\"\nrate = 1000", "\"trace\"\ntrace = \"late.txt\""),
                "arrivals.trace",
                false,
            ),
            (FINE.replace("mean_us = 10", "mean_us = 1e12"), "service.mean_us", true),
            (
                FINE.replace("\"exp\"\nmean_us = 10", "\"uniform\"\nmin_us = 0\nmax_us = 1e7"),
                "service.max_us",
                false,
            ),
            // 20 M completions of 100us on 2 workers: 1,000 s of work.
            (
                FINE.replace("completions = 1000", "completions = 20000000")
                    .replace("rate = 1000", "rate = 1e9")
                    .replace("mean_us = 10", "mean_us = 100"),
                "service.mean_us",
                false,
            ),
            (
                format!("{FINE}[block]\np = 1\ntime = {{ dist = \"const\", mean_us = 1e8 }}\n"),
                "block.time.mean_us",
                false,
            ),
            (
                format!("{FINE}[block]\np = 0.5\ntime = {{ dist = \"const\", mean_us = 1e6 }}\n")
                    .replace("completions = 1000", "completions = 3000"),
                "block.time",
                false,
            ),
            (
                format!("{FINE}[block]\np = 1\ntime = {{ dist = \"const\", mean_us = 1 }}\nafter = {{ dist = \"exp\", mean_us = 2e6 }}\n"),
                "block.after.mean_us",
                false,
            ),
            (FINE.replace("threads = 2", "threads = 4096"), "threads", false),
        ];
        for (text, key, lab_too) in cases {
            let cfg = config(&text);
            let e = cfg.check_live(2).expect_err(&text);
            assert_eq!(e.key, key, "{text}\n{e}");
            assert!(e.reason.contains("limit"), "{e}");
            assert_eq!(cfg.check_time().is_err(), lab_too, "{text}: {e}");
        }
    }

    #[test]
    fn a_trace_longer_than_the_run_counts_only_the_times_used() {
        // Two arrivals, the second 1,000 s away: one completion is a short run.
        let text = FINE
            .replace(
                "\"poisson\"\nrate = 1000",
                "\"trace\"\ntrace = \"late.txt\"",
            )
            .replace("completions = 1000", "completions = 1");
        let cfg = config(&text);
        assert_eq!(cfg.live_completions(), 1);
        assert_eq!(cfg.check_live(2), Ok(()));
    }
}
