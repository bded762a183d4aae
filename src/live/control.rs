//! The controlled scheduler: real worker code on real threads, run one
//! thread at a time, with the order chosen by a seed or enumerated.
//!
//! A run's threads are ordinary OS threads running the user's closures
//! against a live [`CompletionPort`], but only the thread holding the
//! *turn* runs. Every port call (post, get, get_many, close), both ends of
//! every [`blocking`](super::blocking) scope and every thread's end are
//! scheduling points: the thread hands the turn to the controller, which
//! picks who goes next among the threads that can run (the model says who
//! waits in the WTQ). Between two points a thread runs alone, so its plain
//! memory accesses are ordered by the schedule too. Finite waits do not
//! expire on the clock: when no thread can run, the controller lets one of
//! them time out (rule 5), as if the clock jumped forward.
//!
//! Properties 1-7 of `docs/model.md` are checked after every call; a panic
//! in a worker (the user's assertions) fails the run; so does a state where
//! a thread waits and no thread can run to release it (a stranded thread),
//! and a run longer than the step bound. A failing run is reported with the
//! seed (or schedule) that reproduces it and the steps as an `iocp-sim/1`
//! scenario that `run`, `play` and `export` show.

use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::local;
use super::port::{CompletionPort, Control, Hook};
use crate::explore::trace::{scenario_json, Step};
use crate::explore::{Move, Pc, World};
use crate::model::properties::check_step;
use crate::model::{Action, Kernel, KernelConfig, Names, Outcome, ThreadId, ThreadState, Timeout};

/// How to choose schedules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedules {
    /// One run per seed; each seed picks a random schedule.
    Seeds(std::ops::Range<u64>),
    /// Every schedule in depth-first order, at most `runs` runs: first
    /// those with no preemption (a switch away from a thread that could
    /// have gone on, other than to the next thread after a yield), then
    /// those with at most 1, ... up to `preemptions` (most concurrency bugs
    /// need very few).
    Enumerate {
        /// Most runs.
        runs: u64,
        /// Most preemptions per run.
        preemptions: u32,
    },
}

/// Options of [`check`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Which schedules to run.
    pub schedules: Schedules,
    /// A run making more scheduling points than this fails (a livelock).
    pub max_steps: u64,
    /// Where a failing run's scenario is written (`<dir>/<name>.json`);
    /// `None`: not written (it is still in the [`Failure`]).
    pub scenario_dir: Option<PathBuf>,
    /// The scenario's file name and title.
    pub name: String,
    /// A run with no scheduling point for this long fails: one of its
    /// threads waits on something the controller cannot see (a real lock
    /// or channel that another controlled thread would release).
    pub stall: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            schedules: Schedules::Seeds(0..100),
            max_steps: 10_000,
            scenario_dir: None,
            name: "controlled-run".to_owned(),
            stall: Duration::from_secs(30),
        }
    }
}

/// A run that broke something.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The seed that reproduces it (for [`Schedules::Seeds`]).
    pub seed: Option<u64>,
    /// The choices made at each scheduling point (index among the threads
    /// that could run, in spawn order).
    pub schedule: Vec<usize>,
    /// What went wrong.
    pub message: String,
    /// The run's steps as an `iocp-sim/1` scenario.
    pub scenario: String,
    /// Where the scenario was written, if it was.
    pub path: Option<PathBuf>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "controlled run failed: {}", self.message)?;
        if let Some(seed) = self.seed {
            write!(f, "\n  reproduce with seed {seed}")?;
        }
        let shown = &self.schedule[..self.schedule.len().min(64)];
        write!(f, "\n  schedule {shown:?}")?;
        if shown.len() < self.schedule.len() {
            write!(f, " ... ({} choices)", self.schedule.len())?;
        }
        if let Some(p) = &self.path {
            write!(
                f,
                "\n  steps written to {} (iocp-sim run / play / export it)",
                p.display()
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}

/// What [`check`] did when every run passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// Runs made.
    pub runs: u64,
    /// Enumeration: every schedule was run (none left past the bound).
    pub exhausted: bool,
}

/// One run's world: make its port and spawn its threads with it.
pub struct Run {
    ctl: Arc<Controller>,
}

impl Run {
    /// The run's completion port (Windows rules; `concurrency` 0 means
    /// [`CONTROLLED_CPUS`](super::CONTROLLED_CPUS) processors). One port per run.
    pub fn port<T: Send + 'static>(&self, concurrency: u32) -> CompletionPort<T> {
        let hook: Arc<dyn Hook> = Arc::clone(&self.ctl) as Arc<dyn Hook>;
        let port = CompletionPort::controlled(concurrency, hook);
        lock(&self.ctl.m).port = Some(port.control());
        port
    }

    /// Spawns a controlled thread named `name` (its name in the scenario).
    pub fn spawn(&self, name: &str, f: impl FnOnce() + Send + 'static) {
        let ctl = Arc::clone(&self.ctl);
        let index = {
            let mut c = lock(&ctl.m);
            c.threads.push(CThread {
                name: name.to_owned(),
                done: false,
                model: None,
            });
            c.threads.len() - 1
        };
        let handle = std::thread::spawn(move || {
            ME.with(|m| m.set(Some(index)));
            CURRENT.with(|c| *c.borrow_mut() = Some(Arc::clone(&ctl)));
            ctl.turn();
            let r = std::panic::catch_unwind(AssertUnwindSafe(f));
            if let Err(e) = r {
                let what = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "a panic".to_owned());
                let name = lock(&ctl.m).threads[index].name.clone();
                ctl.fail(format!("{name} panicked: {what}"));
            }
            // The thread's end is a step of the schedule (rule 6).
            local::leave();
            ctl.finish(index);
        });
        lock(&self.ctl.m).handles.push(handle);
    }
}

/// A scheduling point with no port call: in a controlled run, the calling
/// thread lets the controller pick who runs next (use it in loops that
/// wait for another thread without a port call, which would otherwise
/// never give up the turn). Outside a controlled run it yields the processor.
pub fn yield_now() {
    let ctl = CURRENT.try_with(|c| c.borrow().clone()).ok().flatten();
    match ctl {
        Some(ctl) => {
            if let Some(me) = Controller::me() {
                ctl.schedule_from(Some(me), true);
                ctl.turn();
            }
        }
        None => std::thread::yield_now(),
    }
}

std::thread_local! {
    static CURRENT: std::cell::RefCell<Option<Arc<Controller>>> = const { std::cell::RefCell::new(None) };
    static ME: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct CThread {
    name: String,
    done: bool,
    model: Option<ThreadId>,
}

/// Where the choices come from.
enum Chooser {
    Random(u64),
    /// Forced choices first, then the first option; at most this many preemptions.
    Prefix(Vec<usize>, u32),
}

struct Recorded {
    by: Option<ThreadId>,
    action: Action,
    outcome: Outcome,
    after: Kernel,
}

struct Ctl {
    threads: Vec<CThread>,
    handles: Vec<std::thread::JoinHandle<()>>,
    running: Option<usize>,
    chooser: Chooser,
    /// (chosen, options) at each point.
    choices: Vec<(usize, usize)>,
    /// Each model thread's state after the last call.
    states: Vec<ThreadState>,
    /// Model thread -> controlled thread.
    owner: Vec<usize>,
    trace: Vec<Recorded>,
    first: Option<Kernel>,
    failure: Option<String>,
    aborted: bool,
    steps: u64,
    max_steps: u64,
    preemptions: u32,
    port: Option<Arc<dyn Control>>,
}

struct Controller {
    m: Mutex<Ctl>,
    cv: Condvar,
}

impl Controller {
    fn me() -> Option<usize> {
        ME.try_with(|m| m.get()).ok().flatten()
    }

    fn fail(&self, message: String) {
        let port = {
            let mut c = lock(&self.m);
            if c.failure.is_none() {
                c.failure = Some(message);
            }
            c.aborted = true;
            self.cv.notify_all();
            c.port.clone()
        };
        // Free every waiter so the threads can end (from another thread:
        // the caller may hold the port's lock).
        if let Some(p) = port {
            std::thread::spawn(move || p.shut());
        }
    }

    fn finish(&self, index: usize) {
        lock(&self.m).threads[index].done = true;
        self.schedule(None);
    }

    /// Picks the next thread to run, among those the model lets run (the
    /// caller, `me` if it can go on, holds the turn and gives it up). The
    /// caller comes first, so choice 0 is "no preemption".
    fn schedule(&self, me: Option<usize>) {
        self.schedule_from(me, false);
    }

    /// [`schedule`](Controller::schedule); a `yielding` caller goes last
    /// and switching away from it is no preemption.
    fn schedule_from(&self, me: Option<usize>, yielding: bool) {
        let mut c = lock(&self.m);
        if c.aborted {
            return;
        }
        c.steps += 1;
        if c.steps > c.max_steps {
            let n = c.max_steps;
            drop(c);
            self.fail(format!("no end after {n} scheduling points (a livelock?)"));
            return;
        }
        let mut runnable: Vec<usize> = (0..c.threads.len())
            .filter(|&i| {
                let t = &c.threads[i];
                !t.done
                    && match t.model {
                        None => true,
                        Some(m) => !matches!(c.states[m.index()], ThreadState::Waiting(_)),
                    }
            })
            .collect();
        if runnable.is_empty() {
            let finite: Vec<(usize, ThreadId)> = (0..c.states.len())
                .filter_map(|m| match c.states[m] {
                    ThreadState::Waiting(w) if w.timeout != Timeout::Infinite => {
                        Some((c.owner[m], ThreadId::from_index(m)))
                    }
                    _ => None,
                })
                .collect();
            if finite.is_empty() {
                if c.threads.iter().all(|t| t.done) {
                    c.running = None;
                    self.cv.notify_all();
                    return;
                }
                let stuck: Vec<String> = c
                    .threads
                    .iter()
                    .filter(|t| !t.done)
                    .map(|t| t.name.clone())
                    .collect();
                drop(c);
                self.fail(format!(
                    "stranded: {} wait(s) in the port's WTQ for ever, and no thread is left to post",
                    stuck.join(", ")
                ));
                return;
            }
            let k = choose(&mut c, finite.len());
            let (index, model) = finite[k];
            c.running = Some(index);
            let port = c.port.clone();
            drop(c);
            self.cv.notify_all();
            if let Some(p) = port {
                // The seat index is the model id: controlled ports never swap.
                p.expire_wait(model.index());
            }
            return;
        }
        let mut n = runnable.len();
        // Choice 0 is the natural one: the caller goes on, or after a
        // yield the next other thread; any other choice while the caller
        // could go on counts as a preemption (bounded when enumerating).
        let mut preempt = false;
        if let Some(me) = me.filter(|m| runnable.contains(m)) {
            runnable.retain(|&t| t != me);
            if yielding {
                runnable.push(me);
            } else {
                runnable.insert(0, me);
            }
            preempt = true;
            if let Chooser::Prefix(_, bound) = c.chooser {
                if c.preemptions >= bound {
                    n = 1;
                }
            }
        }
        let k = choose(&mut c, n);
        if k > 0 && preempt {
            c.preemptions += 1;
        }
        c.running = Some(runnable[k]);
        self.cv.notify_all();
    }
}

fn choose(c: &mut Ctl, n: usize) -> usize {
    let i = c.choices.len();
    let k = match &mut c.chooser {
        Chooser::Random(s) => {
            *s ^= *s >> 12;
            *s ^= *s << 25;
            *s ^= *s >> 27;
            ((s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n as u64) as usize
        }
        Chooser::Prefix(p, _) => p.get(i).copied().unwrap_or(0).min(n - 1),
    };
    c.choices.push((k, n));
    k
}

impl Hook for Controller {
    fn point(&self) {
        let Some(me) = Controller::me() else { return };
        self.schedule(Some(me));
        self.turn();
    }

    fn joined(&self, _seat: usize, model: ThreadId) {
        let Some(me) = Controller::me() else { return };
        let mut c = lock(&self.m);
        c.threads[me].model = Some(model);
        c.owner.push(me);
        c.states.push(ThreadState::Running);
    }

    fn applied(&self, before: &Kernel, action: Action, out: &Outcome, after: &Kernel) {
        let violation = check_step(before, &action, Some(out), after).err();
        let mut c = lock(&self.m);
        if c.aborted {
            // After a failure the threads run freely to their end: their
            // calls are not part of the schedule.
            return;
        }
        if c.first.is_none() {
            c.first = Some(before.clone());
        }
        c.states = after.threads().iter().map(|t| t.state()).collect();
        let by = Controller::me().and_then(|i| c.threads[i].model);
        c.trace.push(Recorded {
            by,
            action,
            outcome: out.clone(),
            after: after.clone(),
        });
        let n = c.trace.len();
        drop(c);
        if let Some(v) = violation {
            self.fail(format!(
                "{} (step {n}, {})",
                crate::narrate::violation(&v),
                action.op()
            ));
        }
    }

    fn pass(&self) {
        if Controller::me().is_some() {
            self.schedule(None);
        }
    }

    fn turn(&self) {
        let Some(me) = Controller::me() else { return };
        let mut c = lock(&self.m);
        while !c.aborted && c.running != Some(me) {
            c = self.cv.wait(c).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// Runs `body` once per schedule. `body` makes the run's port and spawns
/// its threads ([`Run::port`], [`Run::spawn`]); the threads then run one
/// at a time. Returns the first failing run.
pub fn check(options: &Options, body: impl Fn(&Run)) -> Result<Report, Box<Failure>> {
    let mut runs = 0;
    match &options.schedules {
        Schedules::Seeds(seeds) => {
            for seed in seeds.clone() {
                runs += 1;
                let chooser = Chooser::Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
                if let Err(mut f) = run_once(options, chooser, &body) {
                    f.seed = Some(seed);
                    return Err(finish_failure(options, f));
                }
            }
            Ok(Report {
                runs,
                exhausted: false,
            })
        }
        Schedules::Enumerate {
            runs: bound,
            preemptions,
        } => {
            // Iterative preemption bounding: every schedule with no
            // preemption first, then with at most 1, ... (most bugs need few).
            for b in 0..=*preemptions {
                let mut prefix: Vec<usize> = Vec::new();
                loop {
                    if runs >= *bound {
                        return Ok(Report {
                            runs,
                            exhausted: false,
                        });
                    }
                    runs += 1;
                    let chooser = Chooser::Prefix(prefix.clone(), b);
                    let choices = match run_once(options, chooser, &body) {
                        Ok(choices) => choices,
                        Err(f) => return Err(finish_failure(options, f)),
                    };
                    // The next schedule: the last point with an option left, bumped.
                    let Some(i) = choices.iter().rposition(|&(k, n)| k + 1 < n) else {
                        break;
                    };
                    prefix = choices[..i].iter().map(|&(k, _)| k).collect();
                    prefix.push(choices[i].0 + 1);
                }
            }
            Ok(Report {
                runs,
                exhausted: true,
            })
        }
    }
}

fn finish_failure(options: &Options, mut f: Box<Failure>) -> Box<Failure> {
    if let Some(dir) = &options.scenario_dir {
        let path = dir.join(format!("{}.json", options.name));
        let written =
            std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, &f.scenario));
        match written {
            Ok(()) => f.path = Some(path),
            Err(e) => f.message.push_str(&format!(
                " (and the scenario could not be written to {}: {e})",
                path.display()
            )),
        }
    }
    eprintln!("{f}");
    f
}

/// One run; the choices it made, or its failure (without the seed).
fn run_once(
    options: &Options,
    chooser: Chooser,
    body: &impl Fn(&Run),
) -> Result<Vec<(usize, usize)>, Box<Failure>> {
    let ctl = Arc::new(Controller {
        m: Mutex::new(Ctl {
            threads: Vec::new(),
            handles: Vec::new(),
            running: None,
            chooser,
            choices: Vec::new(),
            states: Vec::new(),
            owner: Vec::new(),
            trace: Vec::new(),
            first: None,
            failure: None,
            aborted: false,
            steps: 0,
            max_steps: options.max_steps,
            preemptions: 0,
            port: None,
        }),
        cv: Condvar::new(),
    });
    body(&Run {
        ctl: Arc::clone(&ctl),
    });
    ctl.schedule(None);
    // Wait until every thread is done or the run failed. A run whose
    // schedule makes no progress for `options.stall` has a thread waiting on
    // something the controller cannot see (a real lock or channel held by
    // another controlled thread): that fails the run instead of hanging.
    let mut last = (0, std::time::Instant::now());
    loop {
        let (steps, over) = {
            let c = lock(&ctl.m);
            (c.steps, c.aborted || c.threads.iter().all(|t| t.done))
        };
        if over {
            break;
        }
        if steps != last.0 {
            last = (steps, std::time::Instant::now());
        } else if last.1.elapsed() > options.stall {
            ctl.fail(format!(
                "no scheduling point for {:.1} s: a thread waits on something outside the port \
                 (a lock or channel another controlled thread holds?)",
                options.stall.as_secs_f64()
            ));
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    // Then join them (after a failure they run freely; a thread that still
    // does not end is left behind and reported).
    let handles = std::mem::take(&mut lock(&ctl.m).handles);
    let mut left_behind = Vec::new();
    for (i, h) in handles.into_iter().enumerate() {
        let start = std::time::Instant::now();
        while !h.is_finished() && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(1));
        }
        if h.is_finished() {
            let _ = h.join();
        } else {
            left_behind.push(lock(&ctl.m).threads[i].name.clone());
        }
    }
    let mut c = lock(&ctl.m);
    if !left_behind.is_empty() && c.failure.is_none() {
        c.failure = Some(format!("{} never ended", left_behind.join(", ")));
    }
    let Some(mut message) = c.failure.clone() else {
        return Ok(c.choices.clone());
    };
    if !left_behind.is_empty() {
        let _ = write!(message, " ({} never ended)", left_behind.join(", "));
    }
    let scenario = scenario_of(&c, &options.name, &message);
    Err(Box::new(Failure {
        seed: None,
        schedule: c.choices.iter().map(|&(k, _)| k).collect(),
        message,
        scenario,
        path: None,
    }))
}

/// The run's steps as an `iocp-sim/1` scenario (the explorer's writer).
fn scenario_of(c: &Ctl, name: &str, message: &str) -> String {
    let Some(first) = &c.first else {
        return String::new();
    };
    let last = c.trace.last().map_or(first, |r| &r.after);
    let threads: Vec<String> = (0..last.threads().len())
        .map(|m| c.threads[c.owner[m]].name.clone())
        .collect();
    let concurrency = vec![first.port(super::port::PORT).concurrency()];
    let world = World {
        title: name.to_owned(),
        description: None,
        flavor: first.flavor(),
        config: KernelConfig {
            flavor: first.flavor(),
            cpus: first.cpus(),
            ports: concurrency.clone(),
            threads: threads.len(),
            devices: Vec::new(),
        },
        names: Names::new(vec!["P".to_owned()], threads, Vec::new()),
        concurrency,
        skip_on_success: Vec::new(),
        setup: Vec::new(),
        programs: Vec::new(),
        env_posts: Vec::new(),
        requests: Vec::new(),
        timeouts: None,
        close_ports: Vec::new(),
        close_devices: Vec::new(),
        templates: Vec::new(),
        packet_bound: 0,
        heap_bytes: 0,
        interchangeable: Vec::new(),
    };
    let steps: Vec<Step> = c
        .trace
        .iter()
        .map(|r| Step {
            mv: match (r.action, r.by) {
                (Action::Timeout { thread }, _) => Move::Timeout(thread),
                (_, Some(t)) => Move::Thread(t),
                (Action::ClosePort { port }, None) => Move::ClosePort(port),
                (_, None) => Move::Post(0),
            },
            action: r.action,
            pc: Some(Pc::Get),
            outcome: r.outcome.clone(),
            rejected: None,
            after: r.after.clone(),
        })
        .collect();
    scenario_json(
        &world,
        name,
        &format!("Found by the controlled scheduler: {message}"),
        &steps,
        None,
    )
}
