//! A lab workload on real threads: `threads` workers on one live port,
//! completions arriving by the lab config's arrival process, each needing
//! its CPU time (spent spinning on the thread's own CPU clock), some
//! followed by a blocking wait (a real sleep inside [`blocking`]) and more
//! CPU time, as the lab simulates them. What the lab models but reality
//! decides here: processors, the OS scheduler, context switches and caches
//! (the config's `cpus` and `[scheduler]` keys are not used; the port's
//! limit is the config's, `concurrency` or else `cpus`).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use super::{blocking, CompletionPort, LiveEvent, Policy};
use crate::lab::config::{Arrivals, LabConfig};
use crate::lab::rng::Rng;
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

/// The calling thread's CPU time, or the wall clock where it is not available.
fn cpu_now() -> Duration {
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

/// Runs `cfg`'s workload on real threads with `policy` (`threads` workers,
/// `completions` processed). Returns when every completion is processed.
pub fn run(cfg: &LabConfig, policy: Policy, mut watch: Option<Watch<'_>>) -> LiveResult {
    let limit = cfg.limit();
    let port = CompletionPort::<Option<Job>>::with_policy(limit, policy);
    let events = watch.as_ref().map(|_| port.events(4096));
    let processed = Arc::new(AtomicU64::new(0));
    let total = match &cfg.arrivals {
        Arrivals::Trace(t) => (t.len() as u64).min(cfg.completions),
        _ => cfg.completions,
    };
    let start = Instant::now();

    let mut workers = Vec::new();
    for _ in 0..cfg.threads {
        let port = port.clone();
        let processed = Arc::clone(&processed);
        workers.push(thread::spawn(move || {
            let before = thread_switches();
            let mut latencies = Vec::new();
            // `None` is the stop signal (closing the port would strand the
            // waiters of the unlimited policy: Wine wakes nobody on close).
            while let Ok(Some(job)) = port.get(None) {
                latencies.push(job.arrived.elapsed().as_nanos() as u64);
                spin(job.work);
                if let Some((time, after)) = job.block {
                    blocking(|| thread::sleep(Duration::from_nanos(time)));
                    spin(after);
                }
                processed.fetch_add(1, Ordering::Relaxed);
            }
            let switches = match (before, thread_switches()) {
                (Some(a), Some(b)) => Some(Switches {
                    voluntary: b.voluntary - a.voluntary,
                    involuntary: b.involuntary - a.involuntary,
                }),
                _ => None,
            };
            (latencies, switches)
        }));
    }

    // The arrivals, on a thread of their own (it never joins the port).
    let stop = Arc::new(AtomicBool::new(false));
    let producer = {
        let port = port.clone();
        let cfg = cfg.clone();
        let stop = Arc::clone(&stop);
        thread::spawn(move || arrivals(&cfg, &port, start, &stop))
    };

    let mut seen = Vec::new();
    while processed.load(Ordering::Relaxed) < total {
        thread::sleep(Duration::from_millis(if watch.is_some() { 100 } else { 2 }));
        if let (Some(w), Some(rx)) = (watch.as_mut(), &events) {
            seen.clear();
            seen.extend(rx.try_iter());
            port.inspect(|k| w(k, &seen, processed.load(Ordering::Relaxed)));
        }
    }
    let elapsed = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let _ = producer.join();
    for _ in 0..cfg.threads {
        let _ = port.post(None);
    }
    let mut latencies = Vec::with_capacity(total as usize);
    let mut switches = Some(Switches::default());
    let mut distinct = 0;
    for w in workers {
        let Ok((lat, sw)) = w.join() else { continue };
        if !lat.is_empty() {
            distinct += 1;
        }
        latencies.extend(lat);
        switches = match (switches, sw) {
            (Some(a), Some(b)) => Some(Switches {
                voluntary: a.voluntary + b.voluntary,
                involuntary: a.involuntary + b.involuntary,
            }),
            _ => None,
        };
    }
    latencies.sort_unstable();
    let pct = |p: f64| {
        if latencies.is_empty() {
            0
        } else {
            latencies[((latencies.len() - 1) as f64 * p) as usize]
        }
    };
    let stats = port.stats();
    LiveResult {
        policy,
        threads: cfg.threads,
        limit,
        completions: latencies.len() as u64,
        elapsed,
        throughput: latencies.len() as f64 / elapsed.as_secs_f64().max(1e-9),
        latency_p50: pct(0.5),
        latency_p99: pct(0.99),
        latency_mean: latencies.iter().map(|&l| l as f64).sum::<f64>()
            / latencies.len().max(1) as f64,
        switches,
        distinct_threads: distinct,
        over_limit: stats.over_limit,
        unparks: stats.unparks,
    }
}

/// Posts the config's completions at their arrival times (sleeping until
/// each is due; several due at once are posted together).
fn arrivals(
    cfg: &LabConfig,
    port: &CompletionPort<Option<Job>>,
    start: Instant,
    stop: &AtomicBool,
) {
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
                None => return,
            },
        };
        let due = start + Duration::from_nanos(t as u64);
        let now = Instant::now();
        if due > now {
            thread::sleep(due - now);
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
        if port.post(Some(job)).is_err() {
            return;
        }
        i += 1;
    }
}
