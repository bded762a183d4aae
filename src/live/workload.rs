//! A lab workload on real threads: `threads` workers on one live port,
//! completions arriving by the lab config's arrival process, each needing
//! its CPU time (spent spinning on the thread's own CPU clock), some
//! followed by a blocking wait (a real sleep inside [`blocking`]) and more
//! CPU time, as the lab simulates them. What the lab models but reality
//! decides here: processors, the OS scheduler, context switches and caches
//! (the config's `cpus` and `[scheduler]` keys are not used; the port's
//! limit is the config's, `concurrency` or else `cpus`).
//!
//! A run is bounded: before any thread starts, [`run`] checks the config
//! with [`LabConfig::check_live`] (what the lab checks, then the live
//! bounds: a least wall time of at most
//! [`MAX_LIVE_SECONDS`](crate::lab::config::MAX_LIVE_SECONDS), each
//! completion's durations, the worker count) and refuses one that could not
//! finish; while it runs, the completions posted and not yet taken never
//! exceed [`Bounds::backlog`] (the arrivals wait for the workers beyond
//! it), and a run still going at [`Bounds::deadline`] is stopped.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::{blocking, CompletionPort, LiveEvent, Policy};
use crate::lab::config::{Arrivals, LabConfig, TimeLimit, MAX_LIVE_BACKLOG, MAX_LIVE_SECONDS};
use crate::lab::rng::Rng;
use crate::lab::sim::percentiles;
use crate::model::Kernel;

/// One completion as it travels through the port.
struct Job {
    arrived: Instant,
    work: u64,
    block: Option<(u64, u64)>,
}

/// Context switches of one thread, from the OS.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Switches {
    /// Voluntary: the thread waited (in the port, asleep, on a lock).
    pub voluntary: u64,
    /// Involuntary: the OS preempted it.
    pub involuntary: u64,
}

/// The calling thread's context switches so far (`None` where the OS does
/// not report them per thread: only Linux's `getrusage(RUSAGE_THREAD)` is used).
pub fn thread_switches() -> Option<Switches> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getrusage writes a plain struct we own.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) };
        if rc == 0 {
            return Some(Switches {
                voluntary: ru.ru_nvcsw as u64,
                involuntary: ru.ru_nivcsw as u64,
            });
        }
        None
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// The calling thread's CPU time, or the wall clock where it is not
/// available (also what `benches/run_json.rs` times with).
pub fn cpu_now() -> Duration {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes a timespec we own.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        }
    }
    thread_local!(static T0: Instant = Instant::now());
    T0.with(|t| t.elapsed())
}

/// Spends `ns` of the thread's CPU time.
fn spin(ns: u64) {
    let end = cpu_now() + Duration::from_nanos(ns);
    while cpu_now() < end {
        std::hint::spin_loop();
    }
}

/// What a live run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveResult {
    /// The policy run.
    pub policy: Policy,
    /// Worker threads.
    pub threads: u32,
    /// The port's limit.
    pub limit: u32,
    /// Completions processed.
    pub completions: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Completions per second.
    pub throughput: f64,
    /// Latency from arrival to the moment a worker's get returned it: median, ns.
    pub latency_p50: u64,
    /// 99th percentile, ns.
    pub latency_p99: u64,
    /// Mean, ns.
    pub latency_mean: f64,
    /// Workers' context switches, summed (`None`: not reported by this OS).
    pub switches: Option<Switches>,
    /// Workers that processed at least one completion.
    pub distinct_threads: u32,
    /// Time the RTL was over the limit.
    pub over_limit: Duration,
    /// Threads unparked by the port.
    pub unparks: u64,
    /// The most completions posted and not yet taken by a worker at once
    /// (at most [`Bounds::backlog`]).
    pub max_backlog: u64,
    /// How long the arrivals waited for the workers because the backlog
    /// was at its bound (zero when the workers kept up).
    pub arrivals_held: Duration,
    /// True if the run was stopped at [`Bounds::deadline`] before every
    /// completion was processed (`completions` then says how many were).
    pub stopped_at_deadline: bool,
}

/// What bounds a live run while it goes ([`Bounds::default`]: the
/// documented ones, docs/resources.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// The most completions posted and not yet taken by a worker: the
    /// arrivals wait beyond it, so the port's queue stays this short.
    pub backlog: u64,
    /// The wall time after which a run still going is stopped.
    pub deadline: Duration,
}

impl Default for Bounds {
    /// [`MAX_LIVE_BACKLOG`] completions, and twice
    /// [`MAX_LIVE_SECONDS`] (a run is refused when it cannot finish in
    /// that; the deadline is for a machine far slower than its estimate).
    fn default() -> Bounds {
        Bounds {
            backlog: MAX_LIVE_BACKLOG,
            deadline: Duration::from_secs_f64(2.0 * MAX_LIVE_SECONDS),
        }
    }
}

impl LiveResult {
    /// Context switches (voluntary + involuntary) per completion.
    pub fn switches_per_completion(&self) -> Option<f64> {
        self.switches
            .map(|s| (s.voluntary + s.involuntary) as f64 / self.completions.max(1) as f64)
    }
}

/// Observes a run while it goes: called about every 100 ms with the port's
/// model state and the events since the last call.
pub type Watch<'a> = &'a mut dyn FnMut(&Kernel, &[LiveEvent], u64);

/// The processors this process may run on (1 if the OS does not say).
pub fn processors() -> usize {
    thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `cfg`'s workload on real threads with `policy` (`threads` workers,
/// `completions` processed), within the default [`Bounds`]. Returns when
/// every completion is processed; refuses, before any thread starts, a
/// config that could not finish in time ([`LabConfig::check_live`]).
pub fn run(
    cfg: &LabConfig,
    policy: Policy,
    watch: Option<Watch<'_>>,
) -> Result<LiveResult, TimeLimit> {
    run_bounded(cfg, policy, watch, Bounds::default())
}

/// [`run`] within `bounds`.
pub fn run_bounded(
    cfg: &LabConfig,
    policy: Policy,
    mut watch: Option<Watch<'_>>,
    bounds: Bounds,
) -> Result<LiveResult, TimeLimit> {
    cfg.check_live(processors())?;
    let limit = cfg.limit();
    let port = CompletionPort::<Option<Job>>::with_policy(limit, policy);
    let events = watch.as_ref().map(|_| port.events(4096));
    let processed = Arc::new(AtomicU64::new(0));
    let total = cfg.live_completions();
    let start = Instant::now();
    // Set when the run ends: the arrivals stop, and jobs still queued (a
    // run stopped at its deadline) are dropped instead of worked.
    let stop = Arc::new(AtomicBool::new(false));

    // Every latency, kept for exact percentiles in one buffer allocated
    // before any thread starts (8 bytes a completion, no copy, no growth):
    // the n-th completion processed writes slot n.
    let latencies: Arc<Vec<AtomicU64>> = Arc::new((0..total).map(|_| AtomicU64::new(0)).collect());

    let mut workers = Vec::new();
    for _ in 0..cfg.threads {
        let port = port.clone();
        let processed = Arc::clone(&processed);
        let latencies = Arc::clone(&latencies);
        let stop = Arc::clone(&stop);
        workers.push(thread::spawn(move || {
            let before = thread_switches();
            let mut mine = 0u64;
            // `None` is the stop signal (closing the port would strand the
            // waiters of the unlimited policy: Wine wakes nobody on close).
            while let Ok(Some(job)) = port.get(None) {
                if stop.load(Ordering::Relaxed) {
                    continue;
                }
                let latency = job.arrived.elapsed().as_nanos() as u64;
                spin(job.work);
                if let Some((time, after)) = job.block {
                    blocking(|| thread::sleep(Duration::from_nanos(time)));
                    spin(after);
                }
                let n = processed.fetch_add(1, Ordering::Relaxed);
                if let Some(slot) = latencies.get(n as usize) {
                    slot.store(latency, Ordering::Relaxed);
                }
                mine += 1;
            }
            let switches = match (before, thread_switches()) {
                (Some(a), Some(b)) => Some(Switches {
                    voluntary: b.voluntary - a.voluntary,
                    involuntary: b.involuntary - a.involuntary,
                }),
                _ => None,
            };
            (mine, switches)
        }));
    }

    // The arrivals, on a thread of their own (it never joins the port).
    let producer = {
        let port = port.clone();
        let cfg = cfg.clone();
        let stop = Arc::clone(&stop);
        let processed = Arc::clone(&processed);
        thread::spawn(move || arrivals(&cfg, &port, start, &stop, &processed, bounds.backlog))
    };

    let mut seen = Vec::new();
    let mut stopped_at_deadline = false;
    while processed.load(Ordering::Relaxed) < total {
        if start.elapsed() >= bounds.deadline {
            stopped_at_deadline = true;
            break;
        }
        thread::sleep(Duration::from_millis(if watch.is_some() { 100 } else { 2 }));
        if let (Some(w), Some(rx)) = (watch.as_mut(), &events) {
            seen.clear();
            seen.extend(rx.try_iter());
            port.inspect(|k| w(k, &seen, processed.load(Ordering::Relaxed)));
        }
    }
    let elapsed = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let backlog = producer.join().unwrap_or_default();
    for _ in 0..cfg.threads {
        let _ = port.post(None);
    }
    let mut switches = Some(Switches::default());
    let mut distinct = 0;
    for w in workers {
        let Ok((mine, sw)) = w.join() else { continue };
        if mine > 0 {
            distinct += 1;
        }
        switches = match (switches, sw) {
            (Some(a), Some(b)) => Some(Switches {
                voluntary: a.voluntary + b.voluntary,
                involuntary: a.involuntary + b.involuntary,
            }),
            _ => None,
        };
    }
    // The workers are joined: the buffer is this thread's alone, and
    // becomes a `Vec<u64>` in place (same size and alignment).
    let done = (processed.load(Ordering::Relaxed) as usize).min(total as usize);
    let mut latencies: Vec<u64> = match Arc::try_unwrap(latencies) {
        Ok(v) => v.into_iter().map(AtomicU64::into_inner).collect(),
        Err(shared) => shared.iter().map(|l| l.load(Ordering::Relaxed)).collect(),
    };
    latencies.truncate(done);
    let (p50, p99) = percentiles(&mut latencies);
    let stats = port.stats();
    Ok(LiveResult {
        policy,
        threads: cfg.threads,
        limit,
        completions: latencies.len() as u64,
        elapsed,
        throughput: latencies.len() as f64 / elapsed.as_secs_f64().max(1e-9),
        latency_p50: p50,
        latency_p99: p99,
        latency_mean: latencies.iter().map(|&l| l as f64).sum::<f64>()
            / latencies.len().max(1) as f64,
        switches,
        distinct_threads: distinct,
        over_limit: stats.over_limit,
        unparks: stats.unparks,
        max_backlog: backlog.max,
        arrivals_held: backlog.held,
        stopped_at_deadline,
    })
}

/// What the arrivals saw of the backlog.
#[derive(Clone, Copy, Debug, Default)]
struct Backlog {
    /// The most completions posted and not yet taken at once.
    max: u64,
    /// How long the arrivals waited for it to go below its bound.
    held: Duration,
}

/// Posts the config's completions at their arrival times (sleeping until
/// each is due; several due at once are posted together), never more than
/// `bound` of them ahead of the workers (`processed`).
fn arrivals(
    cfg: &LabConfig,
    port: &CompletionPort<Option<Job>>,
    start: Instant,
    stop: &AtomicBool,
    processed: &AtomicU64,
    bound: u64,
) -> Backlog {
    let mut backlog = Backlog::default();
    let mut arr = Rng::new(cfg.seed, 1);
    let mut svc = Rng::new(cfg.seed, 2);
    let mut blk = Rng::new(cfg.seed, 3);
    let rate = cfg.arrival_rate();
    let gap = if rate > 0.0 { 1e9 / rate } else { 0.0 };
    let mut t = 0f64;
    let mut i = 0u64;
    while i < cfg.completions && !stop.load(Ordering::Relaxed) {
        t = match &cfg.arrivals {
            Arrivals::Poisson(_) => t + gap * arr.exp1(),
            Arrivals::Uniform(_) => gap * (i + 1) as f64,
            Arrivals::Trace(times) => match times.get(i as usize) {
                Some(&x) => x as f64,
                None => return backlog,
            },
        };
        let due = start + Duration::from_nanos(t as u64);
        // In slices, so that a stopped run does not wait for a far arrival.
        loop {
            let now = Instant::now();
            if due <= now || stop.load(Ordering::Relaxed) {
                break;
            }
            thread::sleep((due - now).min(Duration::from_millis(10)));
        }
        let block = match cfg.block {
            Some(b) if blk.chance(b.p) => Some((b.time.sample(&mut blk), b.after.sample(&mut blk))),
            _ => None,
        };
        let job = Job {
            arrived: Instant::now(),
            work: cfg.service.sample(&mut svc),
            block,
        };
        // Posted and not yet processed (queued, or being worked on): the
        // jobs this run holds in memory.
        // Only a wait for the bound counts as held back (not the check).
        let mut waited: Option<Instant> = None;
        while i - processed.load(Ordering::Relaxed) >= bound.max(1) {
            if stop.load(Ordering::Relaxed) {
                return backlog;
            }
            waited.get_or_insert_with(Instant::now);
            thread::sleep(Duration::from_micros(100));
        }
        if let Some(w) = waited {
            backlog.held += w.elapsed();
        }
        if port.post(Some(job)).is_err() {
            return backlog;
        }
        i += 1;
        backlog.max = backlog.max.max(i - processed.load(Ordering::Relaxed));
    }
    backlog
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> LabConfig {
        LabConfig::from_toml(text, "t.toml", std::path::Path::new("."))
            .unwrap_or_else(|e| panic!("{e}"))
            .0
    }

    /// Arrivals far faster than the one worker: the jobs posted and not yet
    /// processed never pass the bound, and the arrivals say they waited.
    #[test]
    fn the_backlog_stays_within_its_bound() {
        let cfg = config("cpus = 1\nthreads = 1\ncompletions = 5000\n[arrivals]\nprocess = \"uniform\"\nrate = 1e9\n[service]\ndist = \"const\"\nmean_us = 20\n");
        let bounds = Bounds {
            backlog: 200,
            deadline: Duration::from_secs(120),
        };
        let r = run_bounded(&cfg, Policy::Lifo, None, bounds).unwrap();
        assert_eq!(r.completions, 5000);
        assert!(!r.stopped_at_deadline);
        assert!(
            (1..=200).contains(&r.max_backlog),
            "largest backlog {}",
            r.max_backlog
        );
        assert!(!r.arrivals_held.is_zero(), "the arrivals waited");
    }

    /// Arrivals the workers keep up with never reach the bound: the run
    /// does not say they were held back (its report would claim the
    /// workers fell the bound's number of completions behind).
    #[test]
    fn arrivals_below_the_bound_are_not_held_back() {
        let cfg = config("cpus = 2\nthreads = 2\ncompletions = 300\n[arrivals]\nprocess = \"uniform\"\nrate = 1e4\n[service]\ndist = \"const\"\nmean_us = 5\n");
        let r = run(&cfg, Policy::Lifo, None).unwrap();
        assert_eq!(r.completions, 300);
        assert!(r.max_backlog < MAX_LIVE_BACKLOG, "{r:?}");
        assert!(r.arrivals_held.is_zero(), "{r:?}");
    }

    /// Every completion's latency is counted once, whichever worker took
    /// it: arrival to get, at least the time a get takes.
    #[test]
    fn each_completion_has_its_latency() {
        let cfg = config("cpus = 2\nthreads = 3\ncompletions = 300\n[arrivals]\nprocess = \"uniform\"\nrate = 1e5\n[service]\ndist = \"const\"\nmean_us = 20\n");
        let r = run(&cfg, Policy::Lifo, None).unwrap();
        assert_eq!(r.completions, 300);
        assert!(r.distinct_threads >= 1, "{r:?}");
        assert!(0 < r.latency_p50 && r.latency_p50 <= r.latency_p99, "{r:?}");
        assert!(
            r.latency_mean > 0.0 && r.latency_mean <= r.elapsed.as_nanos() as f64,
            "{r:?}"
        );
    }

    /// A run that its estimate let start but the machine cannot finish in
    /// time ends at the deadline, having dropped what was still queued.
    #[test]
    fn a_run_past_its_deadline_is_stopped() {
        let cfg = config("cpus = 1\nthreads = 1\ncompletions = 1000\n[arrivals]\nprocess = \"uniform\"\nrate = 1e6\n[service]\ndist = \"const\"\nmean_us = 10000\n");
        let bounds = Bounds {
            backlog: MAX_LIVE_BACKLOG,
            deadline: Duration::from_millis(300),
        };
        let t = Instant::now();
        let r = run_bounded(&cfg, Policy::Lifo, None, bounds).unwrap();
        assert!(r.stopped_at_deadline);
        assert!(r.completions < 1000, "{}", r.completions);
        // Only the completions processed count: no empty slot of the
        // latency buffer (a zero) is taken for one.
        assert!(r.latency_p50 > 0 && r.latency_mean > 0.0, "{r:?}");
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    }

    /// What `lab` refuses, `run` refuses before any thread starts.
    #[test]
    fn a_config_that_cannot_finish_is_refused_before_it_starts() {
        let cfg = config("cpus = 1\nthreads = 1\ncompletions = 10\n[arrivals]\nprocess = \"poisson\"\nrate = 1e-300\n[service]\ndist = \"exp\"\nmean_us = 10\n");
        let t = Instant::now();
        let e = run(&cfg, Policy::Lifo, None).unwrap_err();
        assert_eq!(e.key, "arrivals.rate");
        assert_eq!(cfg.check_time().unwrap_err(), e, "the lab's own check");
        assert!(t.elapsed() < Duration::from_secs(1));
    }
}
