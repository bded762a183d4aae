//! The discrete-event simulation: processors, a round-robin scheduler and
//! worker threads around one completion port whose every decision is made by
//! [`model::Kernel`](crate::model::Kernel).
//!
//! # What is simulated
//!
//! * `cpus` processors share one ready queue (first in, first out). A thread
//!   put on a processor pays `switch_cost` first (a context switch; every
//!   dispatch counts as one, including the first run of a thread and a run
//!   on an idle processor). It then runs for at most `quantum`; if it still
//!   has work and another thread is ready, it is preempted to the back of the
//!   ready queue. There are no priorities and no wake-up boosts.
//! * With a cache model (`cold_after` given), a thread dispatched after a
//!   wait (in the WTQ, blocked, or never run) that began more than
//!   `cold_after` ago runs *cold*: its work grows by `cold_penalty`. A thread
//!   resuming after a preemption pays no penalty: charging one there would
//!   let a penalty longer than the quantum grow the work for ever.
//! * Each worker loops: get (rule 1, infinite timeout); process the
//!   completion for its CPU time; with probability `block.p` block (rule 3)
//!   for `block.time`, then, unblocked (rule 4), run `block.after` of CPU
//!   time; get again.
//! * Completions arrive by a Poisson process, evenly, or from a trace, and
//!   are inserted into the port (rule 2). Each completion's CPU time and
//!   blocking are drawn when it arrives, from streams of their own, so every
//!   configuration run with one seed sees the same completions: comparisons
//!   between policies are not blurred by different luck.
//!
//! # Which worker wakes
//!
//! Worker `i` is the model's thread `i`, and the model decides which
//! waiter wakes: the policy is a flavour and a wake order of the model
//! ([`Policy`](crate::model::Policy)), so `fifo-limited` is the Windows
//! rules with the model waking its oldest waiter, and the lab runs whichever
//! worker the model handed a packet.
//!
//! # Measured
//!
//! Latency runs from a completion's arrival to the moment the thread that
//! will process it is given a processor (or takes it directly in get while
//! running). The run ends when `completions` have been processed.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::config::{Arrivals, LabConfig, Rate};
use super::dist::to_ns;
use super::rng::Rng;
use crate::model::{Action, Brief, Kernel, KernelConfig, PortId, ThreadId};

const NONE: u32 = u32::MAX;
const NEVER: u64 = u64::MAX;
const PORT: PortId = PortId(0);

/// Stream numbers of the run's random sources.
const STREAM_ARRIVALS: u64 = 1;
const STREAM_SERVICE: u64 = 2;
const STREAM_BLOCK: u64 = 3;

/// What one run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct LabResult {
    /// Completions processed (the run's length).
    pub completions: u64,
    /// Completions that arrived.
    pub arrivals: u64,
    /// Simulated time of the run, in ns.
    pub sim_time: u64,
    /// Events the simulation processed (arrivals, ends of time slices, unblocks).
    pub events: u64,
    /// Completions processed per second of simulated time.
    pub throughput: f64,
    /// Median latency (completion to dequeue), ns.
    pub latency_p50: u64,
    /// 99th percentile latency, ns.
    pub latency_p99: u64,
    /// Mean latency over dequeued completions, ns (the queue's W).
    pub latency_mean: f64,
    /// Completions dequeued.
    pub dequeued: u64,
    /// Share of dequeued completions that waited at all (latency above 0).
    pub waited_share: f64,
    /// Mean time from arrival to the end of processing, over processed completions, ns.
    pub response_mean: f64,
    /// Share of processor time busy (switching or running), 0 to 1.
    pub cpu_util: f64,
    /// Processor time spent processing completions (cold penalties included, switches not), ns.
    pub work_time: u64,
    /// Context switches (dispatches of a thread onto a processor).
    pub switches: u64,
    /// Of those, preemptions at the end of a time slice.
    pub preemptions: u64,
    /// Dispatches that ran cold.
    pub cold_runs: u64,
    /// Share of time the port's RTL was over its limit (`current > max`).
    pub over_limit_share: f64,
    /// Largest `current` seen.
    pub max_current: u32,
    /// Time-average number of completions waiting (arrived, not dequeued): the queue's L.
    pub mean_waiting: f64,
    /// Time-average number of completions in the system (arrived, not processed).
    pub mean_in_system: f64,
    /// Mean latency counting, for completions still waiting at the end, the
    /// time they had waited so far. With `mean_waiting` and the arrival rate
    /// this satisfies Little's law exactly.
    pub latency_mean_all: f64,
}

/// A figure of a run that cannot be true (a share over 100 %, a negative
/// mean, percentiles out of order, ...): the simulation went wrong. The
/// message names the figure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImpossibleFigure(pub String);

impl std::fmt::Display for ImpossibleFigure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImpossibleFigure {}

impl LabResult {
    /// Context switches per processed completion.
    pub fn switches_per_completion(&self) -> f64 {
        self.switches as f64 / self.completions.max(1) as f64
    }

    /// Checks every figure the reports print for sanity: shares between 0
    /// and 1, finite non-negative means, percentiles in order, no more
    /// processed than arrived. A failure names the figure; it means the
    /// simulation went wrong, so the reports must not be printed as if true.
    pub fn check_sane(&self) -> Result<(), ImpossibleFigure> {
        let shares = [
            ("cpu utilisation", self.cpu_util),
            ("waited share", self.waited_share),
            ("over-limit share", self.over_limit_share),
        ];
        for (name, x) in shares {
            if !(0.0..=1.0 + 1e-9).contains(&x) {
                return Err(ImpossibleFigure(format!(
                    "{name} {:.1} % is not between 0 and 100 %",
                    x * 100.0
                )));
            }
        }
        let means = [
            ("throughput", self.throughput),
            ("mean latency", self.latency_mean),
            ("mean response time", self.response_mean),
            ("mean waiting", self.mean_waiting),
            ("mean in system", self.mean_in_system),
            ("mean latency (all)", self.latency_mean_all),
        ];
        for (name, x) in means {
            if !(x.is_finite() && x >= 0.0) {
                return Err(ImpossibleFigure(format!(
                    "{name} is {x}, not a finite figure of 0 or more"
                )));
            }
        }
        if self.latency_p50 > self.latency_p99 {
            return Err(ImpossibleFigure(format!(
                "latency p50 {} ns is above p99 {} ns",
                self.latency_p50, self.latency_p99
            )));
        }
        if self.completions > self.arrivals || self.dequeued > self.arrivals {
            return Err(ImpossibleFigure(format!(
                "{} completions processed and {} dequeued out of {} arrived",
                self.completions, self.dequeued, self.arrivals
            )));
        }
        if self.preemptions > self.switches {
            return Err(ImpossibleFigure(format!(
                "{} preemptions out of {} switches",
                self.preemptions, self.switches
            )));
        }
        Ok(())
    }

    /// Observed arrival rate over the run, per second.
    pub fn arrival_rate(&self) -> f64 {
        if self.sim_time == 0 {
            0.0
        } else {
            self.arrivals as f64 * 1e9 / self.sim_time as f64
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Job {
    arrival: u64,
    work: u64,
    /// (time blocked, CPU time after) if this completion makes its worker block.
    block: Option<(u64, u64)>,
}

#[derive(Clone, Copy, Debug)]
enum Stretch {
    /// Just created: call get.
    Start,
    /// Processing a completion.
    Work(Job),
    /// Back from a block: finish, then call get.
    AfterBlock,
}

#[derive(Clone, Debug)]
struct Worker {
    /// The model's thread: worker `i` is `ThreadId(i)`.
    thread: ThreadId,
    stretch: Stretch,
    remaining: u64,
    /// Arrival time of a completion it was handed while waiting, until it runs.
    pending_since: u64,
    last_ran: u64,
    last_cpu: u32,
    /// It was preempted and waits in the ready queue to resume.
    preempted: bool,
}

#[derive(Clone, Copy, Debug)]
struct Cpu {
    running: u32,
    seg_start: u64,
    slice: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ev {
    Arrival,
    SliceEnd(u32),
    Unblock(u32),
}

const EV_SHIFT: u32 = 24;
const EV_KIND: u64 = 1 << 22;

impl Ev {
    /// The event in the low 24 bits of a heap key (kind in 2 bits, index in 22).
    #[inline]
    fn code(self) -> u64 {
        match self {
            Ev::Arrival => 0,
            Ev::SliceEnd(c) => EV_KIND | c as u64,
            Ev::Unblock(w) => (2 * EV_KIND) | w as u64,
        }
    }

    #[inline]
    fn decode(key: u64) -> Ev {
        let code = key & ((1 << EV_SHIFT) - 1);
        let index = (code & (EV_KIND - 1)) as u32;
        match code >> 22 {
            0 => Ev::Arrival,
            1 => Ev::SliceEnd(index),
            _ => Ev::Unblock(index),
        }
    }
}

/// Runs one configuration to the end. Deterministic: the same configuration
/// gives the same result on every machine.
pub fn run(config: &LabConfig) -> LabResult {
    Sim::new(config).run()
}

/// The state of one run.
struct Sim<'a> {
    cfg: &'a LabConfig,
    kernel: Kernel,
    /// The last step's record: a [`Brief`], for the lab reads only its deliveries.
    out: Brief,
    /// (time, sequence number << 24 | event): ties go in scheduling order.
    heap: BinaryHeap<Reverse<(u64, u64)>>,
    seq: u64,
    now: u64,
    last_t: u64,

    workers: Vec<Worker>,
    cpus: Vec<Cpu>,
    idle: u64,
    ready: VecDeque<u32>,
    /// Completions inserted and not yet handed to a thread, oldest first.
    jobs: VecDeque<Job>,
    next_key: u64,

    arr_rng: Rng,
    svc_rng: Rng,
    blk_rng: Rng,
    arrival_gap: f64,
    total_arrivals: u64,
    target: u64,

    // counters
    arrivals: u64,
    processed: u64,
    events: u64,
    switches: u64,
    preemptions: u64,
    cold_runs: u64,
    busy: u64,
    work_time: u64,
    over: bool,
    over_time: u64,
    max_current: u32,
    n_waiting: u64,
    n_system: u64,
    area_waiting: u128,
    area_system: u128,
    sum_response: u128,
    latencies: Vec<u64>,
    done: bool,
}

impl<'a> Sim<'a> {
    fn new(cfg: &'a LabConfig) -> Sim<'a> {
        let mut kernel = Kernel::new(&KernelConfig {
            flavor: cfg.policy.flavor(),
            cpus: cfg.cpus,
            ports: vec![cfg.concurrency],
            threads: cfg.threads as usize,
            devices: Vec::new(),
        });
        kernel.set_wake_order(cfg.policy.wake_order());
        let total_arrivals = match &cfg.arrivals {
            Arrivals::Trace(t) => (t.len() as u64).min(cfg.completions),
            _ => cfg.completions,
        };
        let rate = match &cfg.arrivals {
            Arrivals::Poisson(r) | Arrivals::Uniform(r) => match *r {
                Rate::PerSecond(x) => x,
                Rate::Load(l) => l * cfg.cpus as f64 * 1e9 / cfg.service.mean(),
            },
            Arrivals::Trace(_) => 0.0,
        };
        let workers = (0..cfg.threads)
            .map(|i| Worker {
                thread: ThreadId(i),
                stretch: Stretch::Start,
                remaining: 0,
                pending_since: NEVER,
                last_ran: NEVER,
                last_cpu: NONE,
                preempted: false,
            })
            .collect();
        let n = cfg.cpus as usize;
        Sim {
            cfg,
            kernel,
            out: Brief::default(),
            heap: BinaryHeap::with_capacity(n + cfg.threads as usize + 2),
            seq: 0,
            now: 0,
            last_t: 0,
            workers,
            cpus: vec![
                Cpu {
                    running: NONE,
                    seg_start: 0,
                    slice: 0,
                };
                n
            ],
            idle: if n == 64 { u64::MAX } else { (1u64 << n) - 1 },
            ready: VecDeque::with_capacity(cfg.threads as usize),
            jobs: VecDeque::new(),
            next_key: 0,
            arr_rng: Rng::new(cfg.seed, STREAM_ARRIVALS),
            svc_rng: Rng::new(cfg.seed, STREAM_SERVICE),
            blk_rng: Rng::new(cfg.seed, STREAM_BLOCK),
            arrival_gap: if rate > 0.0 { 1e9 / rate } else { 0.0 },
            total_arrivals,
            target: total_arrivals,
            arrivals: 0,
            processed: 0,
            events: 0,
            switches: 0,
            preemptions: 0,
            cold_runs: 0,
            busy: 0,
            work_time: 0,
            over: false,
            over_time: 0,
            max_current: 0,
            n_waiting: 0,
            n_system: 0,
            area_waiting: 0,
            area_system: 0,
            sum_response: 0,
            latencies: Vec::with_capacity(total_arrivals.min(1 << 24) as usize),
            done: false,
        }
    }

    #[inline]
    fn push(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.heap
            .push(Reverse((at, self.seq << EV_SHIFT | ev.code())));
    }

    /// The time of arrival number `i` (0-based), for the configured process.
    fn arrival_time(&mut self, i: u64, prev: u64) -> u64 {
        match &self.cfg.arrivals {
            Arrivals::Poisson(_) => {
                prev.saturating_add(to_ns(self.arrival_gap * self.arr_rng.exp1()))
            }
            // Computed from i, not summed, so rounding never drifts.
            Arrivals::Uniform(_) => to_ns(self.arrival_gap * (i + 1) as f64),
            Arrivals::Trace(t) => t[i as usize],
        }
    }

    fn run(mut self) -> LabResult {
        for w in 0..self.cfg.threads {
            self.make_ready(w);
        }
        if self.total_arrivals > 0 {
            let t = self.arrival_time(0, 0);
            self.push(t, Ev::Arrival);
        }
        while let Some(Reverse((t, key))) = self.heap.pop() {
            let ev = Ev::decode(key);
            self.advance(t);
            self.events += 1;
            match ev {
                Ev::Arrival => self.arrival(),
                Ev::SliceEnd(c) => self.slice_end(c),
                Ev::Unblock(w) => self.unblock(w),
            }
            if self.done {
                break;
            }
        }
        self.finish()
    }

    /// Moves the clock to `t`, integrating the time-averaged quantities.
    #[inline]
    fn advance(&mut self, t: u64) {
        let dt = t - self.last_t;
        if dt > 0 {
            self.area_waiting += self.n_waiting as u128 * dt as u128;
            self.area_system += self.n_system as u128 * dt as u128;
            if self.over {
                self.over_time += dt;
            }
            self.last_t = t;
        }
        self.now = t;
    }

    /// Applies an action the lab knows to be valid, then records the port's state.
    #[inline]
    fn apply(&mut self, action: Action) {
        if let Err(r) = self.kernel.apply_brief(action, &mut self.out) {
            unreachable!("the lab drove an invalid action {action:?}: {r:?}");
        }
        let port = self.kernel.port(PORT);
        self.over = port.over_limit();
        self.max_current = self.max_current.max(port.current());
    }

    /// Handles the packets the last action handed out. Returns the job the
    /// calling worker took itself, if any; every other delivery wakes the
    /// waiting worker the model chose.
    fn deliveries(&mut self, caller: u32) -> Option<Job> {
        let mut own = None;
        for i in 0..self.out.deliveries.len() {
            let d = self.out.deliveries[i];
            debug_assert_eq!(
                d.packet.key, self.next_key,
                "packets leave the port in order"
            );
            self.next_key += 1;
            let job = self
                .jobs
                .pop_front()
                .expect("a delivered packet was queued");
            if d.thread.0 == caller {
                own = Some(job);
                continue;
            }
            let w = d.thread.0;
            let wk = &mut self.workers[d.thread.index()];
            debug_assert_eq!(wk.thread, d.thread, "worker i is the model's thread i");
            wk.stretch = Stretch::Work(job);
            wk.remaining = job.work;
            wk.pending_since = job.arrival;
            self.make_ready(w);
        }
        own
    }

    fn arrival(&mut self) {
        let i = self.arrivals;
        let work = self.cfg.service.sample(&mut self.svc_rng);
        let block = match &self.cfg.block {
            Some(b) if self.blk_rng.chance(b.p) => Some((
                b.time.sample(&mut self.blk_rng),
                b.after.sample(&mut self.blk_rng),
            )),
            _ => None,
        };
        self.jobs.push_back(Job {
            arrival: self.now,
            work,
            block,
        });
        self.arrivals += 1;
        self.n_waiting += 1;
        self.n_system += 1;
        self.apply(Action::post(PORT, i));
        let own = self.deliveries(NONE);
        debug_assert!(own.is_none());
        if self.arrivals < self.total_arrivals {
            let t = self.arrival_time(self.arrivals, self.now).max(self.now);
            self.push(t, Ev::Arrival);
        }
    }

    /// A worker can run: give it an idle processor (its last one if idle,
    /// else the lowest-numbered) or queue it.
    fn make_ready(&mut self, w: u32) {
        if self.idle == 0 {
            self.ready.push_back(w);
            return;
        }
        let last = self.workers[w as usize].last_cpu;
        let c = if last != NONE && self.idle & (1 << last) != 0 {
            last
        } else {
            self.idle.trailing_zeros()
        };
        self.dispatch(w, c);
    }

    /// Puts worker `w` on processor `c`: a context switch, maybe a cold run.
    fn dispatch(&mut self, w: u32, c: u32) {
        self.idle &= !(1 << c);
        self.switches += 1;
        let now = self.now;
        let wk = &mut self.workers[w as usize];
        let cold = match self.cfg.cold_after {
            Some(_) if wk.preempted => false,
            Some(after) => wk.last_ran == NEVER || now - wk.last_ran > after,
            None => false,
        };
        wk.preempted = false;
        if cold {
            self.cold_runs += 1;
            wk.remaining += self.cfg.cold_penalty;
        }
        if wk.pending_since != NEVER {
            // Its get returns now: the completion is dequeued.
            self.latencies.push(now - wk.pending_since);
            wk.pending_since = NEVER;
            self.n_waiting -= 1;
        }
        let slice = wk.remaining.min(self.cfg.quantum);
        self.cpus[c as usize] = Cpu {
            running: w,
            seg_start: now,
            slice,
        };
        self.push(
            now.saturating_add(self.cfg.switch_cost)
                .saturating_add(slice),
            Ev::SliceEnd(c),
        );
    }

    /// Worker `w` leaves processor `c`, which takes the next ready thread or idles.
    fn leave(&mut self, w: u32, c: u32) {
        let wk = &mut self.workers[w as usize];
        wk.last_ran = self.now;
        wk.last_cpu = c;
        self.cpus[c as usize].running = NONE;
        match self.ready.pop_front() {
            Some(next) => self.dispatch(next, c),
            None => self.idle |= 1 << c,
        }
    }

    fn slice_end(&mut self, c: u32) {
        let cpu = self.cpus[c as usize];
        let w = cpu.running;
        self.busy += self.now - cpu.seg_start;
        let wk = &mut self.workers[w as usize];
        wk.remaining -= cpu.slice;
        if let Stretch::Work(_) = wk.stretch {
            self.work_time += cpu.slice;
        }
        if wk.remaining > 0 {
            // The quantum expired with work left.
            if self.ready.is_empty() {
                let slice = wk.remaining.min(self.cfg.quantum);
                self.cpus[c as usize] = Cpu {
                    running: w,
                    seg_start: self.now,
                    slice,
                };
                self.push(self.now.saturating_add(slice), Ev::SliceEnd(c));
            } else {
                self.preemptions += 1;
                wk.preempted = true;
                self.ready.push_back(w);
                self.leave(w, c);
            }
            return;
        }
        match wk.stretch {
            Stretch::Work(job) => {
                self.processed += 1;
                self.n_system -= 1;
                self.sum_response += (self.now - job.arrival) as u128;
                if self.processed >= self.target {
                    // This processor's time is counted up to now already.
                    self.cpus[c as usize].running = NONE;
                    self.done = true;
                    return;
                }
                match job.block {
                    Some((time, after)) => {
                        let thread = wk.thread;
                        wk.stretch = Stretch::AfterBlock;
                        wk.remaining = after;
                        self.leave(w, c);
                        self.apply(Action::block(thread));
                        self.deliveries(NONE);
                        self.push(self.now.saturating_add(time), Ev::Unblock(w));
                    }
                    None => self.get(w, c),
                }
            }
            Stretch::Start | Stretch::AfterBlock => self.get(w, c),
        }
    }

    /// Worker `w`, running on `c`, calls get.
    fn get(&mut self, w: u32, c: u32) {
        let thread = self.workers[w as usize].thread;
        self.apply(Action::get(thread, PORT));
        match self.deliveries(w) {
            Some(job) => {
                self.latencies.push(self.now - job.arrival);
                self.n_waiting -= 1;
                let wk = &mut self.workers[w as usize];
                wk.stretch = Stretch::Work(job);
                wk.remaining = job.work;
                let slice = job.work.min(self.cfg.quantum);
                self.cpus[c as usize] = Cpu {
                    running: w,
                    seg_start: self.now,
                    slice,
                };
                self.push(self.now.saturating_add(slice), Ev::SliceEnd(c));
            }
            None => self.leave(w, c),
        }
    }

    fn unblock(&mut self, w: u32) {
        let thread = self.workers[w as usize].thread;
        self.apply(Action::unblock(thread));
        self.make_ready(w);
    }

    fn finish(mut self) -> LabResult {
        let end = self.now;
        for c in &self.cpus {
            if c.running != NONE {
                self.busy += end - c.seg_start;
            }
        }
        // Completions still waiting at the end: in the IOCQ, or handed to a
        // worker that has not run yet.
        let mut residual: u128 = self.jobs.iter().map(|j| (end - j.arrival) as u128).sum();
        residual += self
            .workers
            .iter()
            .filter(|w| w.pending_since != NEVER)
            .map(|w| (end - w.pending_since) as u128)
            .sum::<u128>();
        let dequeued = self.latencies.len() as u64;
        let waited = self.latencies.iter().filter(|&&l| l > 0).count();
        let sum_lat: u128 = self.latencies.iter().map(|&l| l as u128).sum();
        let secs = end as f64 / 1e9;
        let per_time = |x: u128| if end == 0 { 0.0 } else { x as f64 / end as f64 };
        let (p50, p99) = percentiles(&mut self.latencies);
        LabResult {
            completions: self.processed,
            arrivals: self.arrivals,
            sim_time: end,
            events: self.events,
            throughput: if end == 0 {
                0.0
            } else {
                self.processed as f64 / secs
            },
            latency_p50: p50,
            latency_p99: p99,
            latency_mean: if dequeued == 0 {
                0.0
            } else {
                sum_lat as f64 / dequeued as f64
            },
            dequeued,
            waited_share: if dequeued == 0 {
                0.0
            } else {
                waited as f64 / dequeued as f64
            },
            response_mean: if self.processed == 0 {
                0.0
            } else {
                self.sum_response as f64 / self.processed as f64
            },
            cpu_util: if end == 0 {
                0.0
            } else {
                self.busy as f64 / (end as f64 * self.cfg.cpus as f64)
            },
            work_time: self.work_time,
            switches: self.switches,
            preemptions: self.preemptions,
            cold_runs: self.cold_runs,
            over_limit_share: per_time(self.over_time as u128),
            max_current: self.max_current,
            mean_waiting: per_time(self.area_waiting),
            mean_in_system: per_time(self.area_system),
            latency_mean_all: if self.arrivals == 0 {
                0.0
            } else {
                (sum_lat + residual) as f64 / self.arrivals as f64
            },
        }
    }
}

/// Median and 99th percentile (nearest rank) of `v`, which is reordered
/// (the lab's and `live`'s latencies alike).
pub(crate) fn percentiles(v: &mut [u64]) -> (u64, u64) {
    if v.is_empty() {
        return (0, 0);
    }
    let rank = |p: f64| ((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    let i50 = rank(0.50);
    let i99 = rank(0.99);
    let (_, &mut p99, _) = v.select_nth_unstable(i99);
    let (_, &mut p50, _) = v[..=i99].select_nth_unstable(i50);
    (p50, p99)
}

#[cfg(test)]
mod tests {
    use super::percentiles;
    use crate::lab::{LabConfig, LabResult};

    fn small() -> LabResult {
        let (c, _) = LabConfig::from_toml(
            "cpus = 2\nthreads = 2\nconcurrency = 0\ncompletions = 200\n[arrivals]\nprocess = \"poisson\"\nload = 0.7\n[service]\ndist = \"exp\"\nmean_us = 50\n",
            "t.toml",
            std::path::Path::new("."),
        )
        .expect("config");
        super::run(&c)
    }

    #[test]
    fn a_real_run_is_sane_and_an_impossible_figure_is_named() {
        let r = small();
        assert_eq!(r.check_sane(), Ok(()));
        let mut bad = r.clone();
        bad.cpu_util = 2.2;
        assert_eq!(
            bad.check_sane().unwrap_err().to_string(),
            "cpu utilisation 220.0 % is not between 0 and 100 %"
        );
        let mut bad = r.clone();
        bad.latency_mean = f64::NAN;
        assert!(bad.check_sane().unwrap_err().0.contains("mean latency"));
        let mut bad = r;
        bad.completions = bad.arrivals + 1;
        assert!(bad.check_sane().is_err());
    }

    #[test]
    fn nearest_rank_percentiles() {
        let mut v: Vec<u64> = (1..=100).rev().collect();
        assert_eq!(percentiles(&mut v), (50, 99));
        assert_eq!(percentiles(&mut [7]), (7, 7));
        assert_eq!(percentiles(&mut []), (0, 0));
    }
}
