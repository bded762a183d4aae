//! The controlled scheduler: real worker code on real threads, run one
//! thread at a time, every order of its port calls enumerated.
//!
//! What it does that shuttle (the `shuttle` feature, docs/live.md) cannot:
//! enumerate exhaustively, at the grain of port calls, with no change to
//! the build. A run's threads are ordinary OS threads, named as given,
//! running the user's closures against a live [`CompletionPort`], but only
//! the thread holding the *turn* runs. Every port call (post, get,
//! get_many, close), both ends of every [`blocking`](super::blocking)
//! scope, [`yield_now`] and every thread's end are scheduling points: the
//! thread hands the turn to the controller, which picks who goes next among
//! the threads that can run (the model says who waits in the WTQ). Between
//! two points a thread runs alone, so its plain memory accesses are ordered
//! by the schedule too (and a race between two of them, inside one stretch,
//! is invisible here: that is shuttle's job). Finite waits do not expire on
//! the clock: when no thread can run, the controller lets one of them time
//! out (rule 5), as if the clock jumped forward.
//!
//! Properties 1-7 of `docs/model.md` are checked after every call; a panic
//! in a worker (the user's assertions) fails the run; so does a state where
//! a thread waits and no thread can run to release it (a stranded thread),
//! and a run longer than the step bound. A failing run is reported with a
//! replay token ([`Schedules::Replay`] runs exactly that schedule again)
//! and its steps as an `iocp-sim/1` scenario that `run`, `play` and
//! `export` show. After a failure the run's threads stop at their next
//! scheduling point (they unwind silently), so the user's code does not go
//! on to fail a second time on the port the controller closed.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::history::{Call, History, Observe};
use super::local;
use super::port::{CompletionPort, Control, Hook};
use crate::model::{ThreadId, ThreadState, Timeout};

/// How to choose schedules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedules {
    /// Every schedule, at most `runs` runs, fewest differences from the
    /// natural schedule first (see [`check`]), each with at most
    /// `preemptions` preemptions (a switch away from a thread that could
    /// have gone on, other than to the next thread after a yield; most
    /// concurrency bugs need very few).
    Enumerate {
        /// Most runs.
        runs: u64,
        /// Most preemptions per run.
        preemptions: u32,
    },
    /// Exactly the schedule of a [`Failure::replay`] token, once. A body
    /// that no longer makes the same choices fails saying where it diverged.
    Replay(String),
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
            schedules: Schedules::Enumerate {
                runs: 10_000,
                preemptions: 2,
            },
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
    /// Which run it was (1 for the first).
    pub run: u64,
    /// The choices made at each scheduling point (index among the threads
    /// that could run, the running thread first).
    pub schedule: Vec<usize>,
    /// The schedule as a token for [`Schedules::Replay`].
    pub replay: String,
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
        write!(
            f,
            "\n  run {}; replay it with Schedules::Replay({:?})",
            self.run, self.replay
        )?;
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

/// The schedule `choices` as a replay token: one base-36 digit per choice
/// (`(N)` for a choice of 36 or more), a digit repeated K > 3 times
/// written once followed by `*K.`.
pub fn replay_token(choices: &[usize]) -> String {
    let mut s = String::new();
    let mut i = 0;
    while i < choices.len() {
        let c = choices[i];
        let run = choices[i..].iter().take_while(|&&x| x == c).count();
        match char::from_digit(c as u32, 36).filter(|_| c < 36) {
            Some(d) => s.push(d),
            None => {
                let _ = write!(s, "({c})");
            }
        }
        if run > 3 {
            let _ = write!(s, "*{run}.");
            i += run;
        } else {
            i += 1;
        }
    }
    s
}

/// The choices of a replay token; `None` if it is not one.
pub fn parse_replay_token(token: &str) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    let mut chars = token.trim().chars().peekable();
    while let Some(c) = chars.next() {
        let choice = match c {
            '(' => {
                let n: String = chars.by_ref().take_while(|&c| c != ')').collect();
                n.parse().ok()?
            }
            c => c.to_digit(36)? as usize,
        };
        out.push(choice);
        if chars.peek() == Some(&'*') {
            chars.next();
            let k: String = chars.by_ref().take_while(|&c| c != '.').collect();
            let k: usize = k.parse().ok()?;
            out.extend(std::iter::repeat_n(choice, k.checked_sub(1)?));
        }
    }
    Some(out)
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
        let observer: Arc<dyn Observe> = Arc::clone(&self.ctl) as Arc<dyn Observe>;
        let port = CompletionPort::controlled(concurrency, hook, observer);
        lock(&self.ctl.m).port = Some(port.control());
        port
    }

    /// Spawns a controlled thread named `name` (its OS thread's name, and
    /// its name in the scenario).
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
        let body = move || {
            ME.with(|m| m.set(Some(index)));
            CURRENT.with(|c| *c.borrow_mut() = Some(Arc::clone(&ctl)));
            let r = std::panic::catch_unwind(AssertUnwindSafe(|| {
                ctl.turn();
                f();
                // The thread's end is a step of the schedule (rule 6).
                local::leave();
            }));
            if let Err(e) = r {
                if e.downcast_ref::<Aborted>().is_none() {
                    let what = e
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                        .unwrap_or_else(|| "a panic".to_owned());
                    let name = lock(&ctl.m).threads[index].name.clone();
                    ctl.fail(format!("{name} panicked: {what}"));
                }
            }
            ctl.finish(index);
        };
        match std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(body)
        {
            Ok(handle) => lock(&self.ctl.m).handles.push(handle),
            Err(e) => {
                lock(&self.ctl.m).threads[index].done = true;
                self.ctl.fail(format!("{name} could not be spawned: {e}"));
            }
        }
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

/// The payload a controlled thread unwinds with once its run has failed:
/// no panic message, and the thread's own code stops at the point it had
/// reached.
struct Aborted;

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
    /// Forced choices first, then the first option; at most this many preemptions.
    Prefix(Vec<usize>, u32),
    /// Exactly these choices (a replay): one out of range fails the run.
    Replay(Vec<usize>),
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
    history: History,
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
            let Some(k) = self.choose(&mut c, finite.len()) else {
                return;
            };
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
        // The options in round-robin order from the thread that had the
        // turn: when it cannot go on (it waits or ends), the natural next
        // is the thread after it, not the first one spawned, so that the
        // natural schedule gives every thread its go before the first ones
        // come back. After a yield, the caller itself comes last.
        if let Some(from) = c.running {
            let all = c.threads.len();
            runnable.sort_by_key(|&i| (i + all - from - 1) % all);
        }
        // Choice 0 is the natural one: the caller goes on, or after a
        // yield the next other thread; any other choice while the caller
        // could go on counts as a preemption (bounded when enumerating).
        let mut preempt = false;
        if let Some(me) = me.filter(|m| runnable.contains(m)) {
            if !yielding {
                runnable.retain(|&t| t != me);
                runnable.insert(0, me);
            }
            preempt = true;
            if let Chooser::Prefix(_, bound) = c.chooser {
                if c.preemptions >= bound {
                    n = 1;
                }
            }
        }
        let Some(k) = self.choose(&mut c, n) else {
            return;
        };
        if k > 0 && preempt {
            c.preemptions += 1;
        }
        c.running = Some(runnable[k]);
        self.cv.notify_all();
    }

    /// The choice among `n` options at the next point (`None`: the replay
    /// diverged, and the run has failed).
    fn choose(&self, c: &mut MutexGuard<'_, Ctl>, n: usize) -> Option<usize> {
        let i = c.choices.len();
        let k = match &c.chooser {
            Chooser::Prefix(p, _) => p.get(i).copied().unwrap_or(0).min(n - 1),
            Chooser::Replay(p) => match p.get(i) {
                Some(&k) if k < n => k,
                Some(&k) => {
                    let message = format!(
                        "the replay diverged at scheduling point {}: it chooses {k} of {n} \
                         options (the body no longer makes the same calls)",
                        i + 1
                    );
                    c.failure.get_or_insert(message);
                    c.aborted = true;
                    self.cv.notify_all();
                    let port = c.port.clone();
                    if let Some(p) = port {
                        std::thread::spawn(move || p.shut());
                    }
                    return None;
                }
                None => 0,
            },
        };
        c.choices.push((k, n));
        Some(k)
    }
}

impl Hook for Controller {
    fn point(&self) {
        let Some(me) = Controller::me() else { return };
        self.schedule(Some(me));
        self.turn();
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
        if c.aborted && !std::thread::panicking() {
            // The run failed: this thread stops here, silently.
            drop(c);
            std::panic::resume_unwind(Box::new(Aborted));
        }
    }
}

impl Observe for Controller {
    fn joined(&self, _seat: usize, model: ThreadId) {
        let Some(me) = Controller::me() else { return };
        let mut c = lock(&self.m);
        c.threads[me].model = Some(model);
        c.owner.push(me);
        c.states.push(ThreadState::Running);
    }

    fn applied(&self, call: &Call<'_>) {
        let mut c = lock(&self.m);
        if c.aborted {
            // After a failure the threads unwind: their calls are not part
            // of the schedule.
            return;
        }
        c.states = call.after.threads().iter().map(|t| t.state()).collect();
        let checked = c.history.record_checked(call);
        drop(c);
        if let Err(broken) = checked {
            self.fail(broken);
        }
    }
}

/// Runs `body` once per schedule. `body` makes the run's port and spawns
/// its threads ([`Run::port`], [`Run::spawn`]); the threads then run one
/// at a time. Returns the first failing run.
///
/// Enumeration runs the natural schedule first, then every schedule that
/// differs from it at one scheduling point (the earliest points first),
/// then at two, and so on, never more than `preemptions` preemptions per
/// run. A bug that needs one thread switched out at one moment (a worker
/// caught inside its blocking call by a count) is so found within the
/// first hundreds of runs however many threads take part, where a
/// depth-first order would first try every ordering of the run's last
/// steps, a number that grows with every thread added.
pub fn check(options: &Options, body: impl Fn(&Run)) -> Result<Report, Box<Failure>> {
    match &options.schedules {
        Schedules::Replay(token) => {
            let Some(choices) = parse_replay_token(token) else {
                return Err(finish_failure(
                    options,
                    Box::new(Failure {
                        run: 1,
                        schedule: Vec::new(),
                        replay: token.clone(),
                        message: format!("{token:?} is not a replay token"),
                        scenario: String::new(),
                        path: None,
                    }),
                ));
            };
            match run_once(options, Chooser::Replay(choices), &body) {
                Ok(_) => Ok(Report {
                    runs: 1,
                    exhausted: false,
                }),
                Err(mut f) => {
                    f.run = 1;
                    Err(finish_failure(options, f))
                }
            }
        }
        Schedules::Enumerate {
            runs: bound,
            preemptions,
        } => {
            let mut runs = 0;
            // Schedules by how many choices differ from the natural one
            // (0, then 1, ...), each a prefix of forced choices: a run's
            // children force one more point, after its last forced one, to
            // each other option. Children that the budget could never run
            // are not kept, so the queue stays within `runs` prefixes.
            let mut todo: VecDeque<Vec<usize>> = VecDeque::from([Vec::new()]);
            let mut whole = true;
            while let Some(prefix) = todo.pop_front() {
                if runs >= *bound {
                    return Ok(Report {
                        runs,
                        exhausted: false,
                    });
                }
                runs += 1;
                let chooser = Chooser::Prefix(prefix.clone(), *preemptions);
                let choices = match run_once(options, chooser, &body) {
                    Ok(choices) => choices,
                    Err(mut f) => {
                        f.run = runs;
                        return Err(finish_failure(options, f));
                    }
                };
                'children: for (i, &(k, n)) in choices.iter().enumerate().skip(prefix.len()) {
                    for alt in (0..n).filter(|&alt| alt != k) {
                        if runs + todo.len() as u64 >= *bound {
                            whole = false;
                            break 'children;
                        }
                        let mut next: Vec<usize> = choices[..i].iter().map(|&(k, _)| k).collect();
                        next.push(alt);
                        todo.push_back(next);
                    }
                }
            }
            Ok(Report {
                runs,
                exhausted: whole,
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

/// One run; the choices it made, or its failure (without its run number).
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
            history: History::default(),
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
    // Then join them (after a failure they unwind at their next point; a
    // thread that still does not end is left behind and reported).
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
    let names: Vec<String> = c.owner.iter().map(|&o| c.threads[o].name.clone()).collect();
    let scenario = c.history.scenario(
        &options.name,
        &format!("Found by the controlled scheduler: {message}"),
        |t| names.get(t.index()).cloned().unwrap_or_default(),
    );
    let schedule: Vec<usize> = c.choices.iter().map(|&(k, _)| k).collect();
    Err(Box::new(Failure {
        run: 0,
        replay: replay_token(&schedule),
        schedule,
        message,
        scenario,
        path: None,
    }))
}
