//! Differential test of the live port: random action sequences executed by
//! real threads, each step settled before the next, compared step by step
//! with a reference [`Kernel`] that applies the same actions. Posts come
//! alone or as a `post_many` batch (one reference step per value); gets
//! are `get`, `get_many` or `get_many_into` (into a buffer kept between calls).
//!
//! What is compared after every step: which real threads returned from
//! their calls and with what (values, or the error), that no other thread
//! returned, the values `close` hands back, and the whole model state
//! (the live port's kernel against the reference, by value).
//!
//! `LIVE_DIFF_SEEDS=N` runs more seeds (the default is small, for `cargo test`).

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use iocp_sim::live::{blocking, CompletionPort, GetError};
use iocp_sim::model::{
    Action, Event, Flavor, Kernel, KernelConfig, Outcome, PortId, ThreadId, ThreadState,
    ThreadStatus, Timeout, WinError,
};

const P: PortId = PortId(0);
const LONG: Duration = Duration::from_secs(10);
const FINITE: Duration = Duration::from_millis(15);

/// A tiny deterministic generator (xorshift64*), so a seed reproduces a run.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n
    }
}

enum Cmd {
    Get(Option<Duration>),
    GetMany(u32, Option<Duration>),
    Block,
    Unblock,
    Exit,
    /// Post this value, then acknowledge with an empty reply.
    Post(u32),
    /// Post these values in one `post_many`, then acknowledge.
    PostMany(Vec<u32>),
}

type Reply = Result<Vec<u32>, GetError>;

struct Worker {
    cmd: mpsc::Sender<Cmd>,
    handle: Option<thread::JoinHandle<()>>,
}

fn spawn(i: usize, port: &CompletionPort<u32>, replies: &mpsc::Sender<(usize, Reply)>) -> Worker {
    let (cmd, rx) = mpsc::channel::<Cmd>();
    let port = port.clone();
    let replies = replies.clone();
    let handle = thread::spawn(move || {
        // get_many_into's buffer, kept between calls (it appends).
        let mut buf = vec![u32::MAX];
        while let Ok(c) = rx.recv() {
            let r = match c {
                Cmd::Get(t) => port.get(t).map(|v| vec![v]),
                Cmd::GetMany(n, t) if i % 2 == 0 => port.get_many(n, t),
                Cmd::GetMany(n, t) => port.get_many_into(&mut buf, n, t).map(|k| {
                    assert_eq!(k, buf.len() - 1, "get_many_into counts what it appended");
                    buf.drain(1..).collect()
                }),
                Cmd::Block => {
                    blocking(|| while !matches!(rx.recv(), Ok(Cmd::Unblock) | Err(_)) {});
                    continue;
                }
                Cmd::Unblock => continue,
                Cmd::Exit => return,
                Cmd::Post(v) => match port.post(v) {
                    Ok(()) => Ok(Vec::new()),
                    Err(_) => Err(GetError::Closed),
                },
                Cmd::PostMany(vs) => match port.post_many(vs.iter().copied()) {
                    Ok(()) => Ok(Vec::new()),
                    Err(back) => {
                        assert_eq!(back.0, vs, "a closed port gives the whole batch back");
                        Err(GetError::Closed)
                    }
                },
            };
            let _ = replies.send((i, r));
        }
    });
    Worker {
        cmd,
        handle: Some(handle),
    }
}

/// A thread's state in a live kernel, if the thread has joined yet.
fn state(k: &Kernel, t: ThreadId) -> Option<ThreadState> {
    k.threads().get(t.index()).map(|th| th.state())
}

fn timeout_of(t: Option<Duration>) -> Timeout {
    match t {
        None => Timeout::Infinite,
        Some(d) if d.is_zero() => Timeout::Ms(0),
        Some(d) => Timeout::Ms(d.as_millis() as u64),
    }
}

/// What the reference says each thread's pending call returns after a step.
fn expected(out: &Outcome) -> Vec<(usize, Reply)> {
    let mut exp: Vec<(usize, Reply)> = Vec::new();
    for d in &out.deliveries {
        let i = d.thread.index();
        let v = d.packet.key as u32;
        match exp.iter_mut().find(|(t, _)| *t == i) {
            Some((_, Ok(vs))) => vs.push(v),
            _ => exp.push((i, Ok(vec![v]))),
        }
    }
    for &(t, e) in &out.failures {
        let err = match e {
            WinError::WaitTimeout => GetError::Timeout,
            WinError::AbandonedWait0 => GetError::Abandoned,
            _ => GetError::Closed,
        };
        exp.push((t.index(), Err(err)));
    }
    exp
}

struct Run {
    seed: u64,
    port: CompletionPort<u32>,
    reference: Kernel,
    out: Outcome,
    workers: Vec<Worker>,
    replies_tx: mpsc::Sender<(usize, Reply)>,
    replies: mpsc::Receiver<(usize, Reply)>,
    posts: u64,
    log: Vec<String>,
}

impl Run {
    fn fail(&self, msg: &str) -> ! {
        panic!(
            "seed {}: {msg}\nsteps:\n  {}",
            self.seed,
            self.log.join("\n  ")
        );
    }

    /// Applies `a` to the reference; returns the replies it predicts.
    fn reference(&mut self, a: Action) -> Vec<(usize, Reply)> {
        if let Err(r) = self.reference.apply(a, &mut self.out) {
            self.fail(&format!("the reference refused {a:?}: {r:?}"));
        }
        expected(&self.out)
    }

    fn settle(&self, what: &str, cond: impl Fn(&Kernel) -> bool) {
        let start = Instant::now();
        while !self.port.inspect(&cond) {
            if start.elapsed() > LONG {
                self.fail(&format!("never settled: {what}"));
            }
            thread::sleep(Duration::from_micros(200));
        }
    }

    fn receive(&self, mut exp: Vec<(usize, Reply)>) {
        while !exp.is_empty() {
            let Ok((i, r)) = self.replies.recv_timeout(LONG) else {
                self.fail(&format!("stranded: no reply from {exp:?}"));
            };
            match exp.iter().position(|(t, _)| *t == i) {
                Some(p) if exp[p].1 == r => {
                    let _ = exp.remove(p);
                }
                Some(p) => self.fail(&format!(
                    "thread {i} returned {r:?}, the model says {:?}",
                    exp[p].1
                )),
                None => self.fail(&format!("thread {i} returned {r:?} unexpectedly")),
            }
        }
        if let Ok((i, r)) = self.replies.try_recv() {
            self.fail(&format!("thread {i} returned {r:?} unexpectedly"));
        }
    }

    fn status(&self, i: usize) -> ThreadStatus {
        self.reference.thread(ThreadId(i as u32)).status()
    }

    fn step(&mut self, rng: &mut Rng, closed: &mut bool) {
        let n = self.workers.len();
        let callers: Vec<usize> = (0..n)
            .filter(|&i| matches!(self.status(i), ThreadStatus::Running | ThreadStatus::Free))
            .collect();
        let paused: Vec<usize> = (0..n)
            .filter(|&i| self.status(i) == ThreadStatus::Paused)
            .collect();
        let roll = rng.below(100);
        if roll < 30 {
            // One post, or a batch of 2 or 3 in one post_many (one step each).
            let count = if rng.below(3) == 0 {
                2 + rng.below(2)
            } else {
                1
            };
            let keys: Vec<u64> = (self.posts..self.posts + count).collect();
            self.posts += count;
            // Half the posts come from a running worker of the port (`by`).
            let by = if !callers.is_empty() && rng.below(2) == 0 {
                Some(callers[rng.below(callers.len() as u64) as usize])
            } else {
                None
            };
            let by_model = by
                .map(|i| ThreadId(i as u32))
                .filter(|&t| self.reference.thread(t).state() == ThreadState::Running);
            self.log.push(format!("post {keys:?} by {by:?}"));
            let mut exp = Vec::new();
            for &key in &keys {
                exp.extend(self.reference(Action::Post {
                    port: P,
                    key,
                    bytes: 0,
                    overlapped: None,
                    by: by_model,
                }));
            }
            let values: Vec<u32> = keys.iter().map(|&k| k as u32).collect();
            match by {
                Some(i) => {
                    let cmd = match values[..] {
                        [v] => Cmd::Post(v),
                        _ => Cmd::PostMany(values),
                    };
                    let _ = self.workers[i].cmd.send(cmd);
                    let ack = if *closed {
                        Err(GetError::Closed)
                    } else {
                        Ok(Vec::new())
                    };
                    exp.push((i, ack));
                }
                None => {
                    let live = match values[..] {
                        [v] => self.port.post(v).map_err(|_| ()),
                        _ => self.port.post_many(values.iter().copied()).map_err(|_| ()),
                    };
                    if live.is_err() != *closed {
                        self.fail(&format!("post returned {live:?}"));
                    }
                }
            }
            self.receive(exp);
        } else if roll < 72 {
            // get or get_many, by a running thread or a new one
            let i = if callers.is_empty() || (n < 6 && rng.below(4) == 0) {
                self.reference.add_thread();
                let w = spawn(n, &self.port, &self.replies_tx);
                self.workers.push(w);
                n
            } else {
                callers[rng.below(callers.len() as u64) as usize]
            };
            let t = match rng.below(6) {
                0 | 1 => Some(Duration::ZERO),
                2 => Some(FINITE),
                _ => None,
            };
            let thread = ThreadId(i as u32);
            let (action, cmd) = if rng.below(4) == 0 {
                let max = 1 + rng.below(3) as u32;
                (
                    Action::GetEx {
                        thread,
                        port: P,
                        max,
                        timeout: timeout_of(t),
                    },
                    Cmd::GetMany(max, t),
                )
            } else {
                (
                    Action::Get {
                        thread,
                        port: P,
                        timeout: timeout_of(t),
                    },
                    Cmd::Get(t),
                )
            };
            self.log.push(format!("{action:?}"));
            let mut exp = self.reference(action);
            let waits = matches!(
                self.reference.thread(thread).state(),
                ThreadState::Waiting(_)
            );
            if waits && t == Some(FINITE) {
                // The real wait reaches its deadline (nothing else happens meanwhile).
                self.log.push(format!("timeout T{i}"));
                exp.extend(self.reference(Action::Timeout { thread }));
            }
            let _ = self.workers[i].cmd.send(cmd);
            if waits && t != Some(FINITE) {
                self.settle(&format!("T{i} waits"), |k| {
                    matches!(state(k, thread), Some(ThreadState::Waiting(_)))
                });
            }
            self.receive(exp);
        } else if roll < 82 && !callers.is_empty() {
            let i = callers[rng.below(callers.len() as u64) as usize];
            let thread = ThreadId(i as u32);
            self.log.push(format!("block T{i}"));
            let exp = self.reference(Action::Block { thread, on: None });
            let _ = self.workers[i].cmd.send(Cmd::Block);
            self.settle(&format!("T{i} paused"), |k| {
                matches!(state(k, thread), Some(ThreadState::Paused(_)))
            });
            self.receive(exp);
        } else if roll < 92 && !paused.is_empty() {
            let i = paused[rng.below(paused.len() as u64) as usize];
            let thread = ThreadId(i as u32);
            self.log.push(format!("unblock T{i}"));
            let exp = self.reference(Action::Unblock { thread });
            let _ = self.workers[i].cmd.send(Cmd::Unblock);
            self.settle(&format!("T{i} back"), |k| {
                !matches!(state(k, thread), Some(ThreadState::Paused(_)))
            });
            self.receive(exp);
        } else if roll < 97 && !callers.is_empty() {
            let i = callers[rng.below(callers.len() as u64) as usize];
            let thread = ThreadId(i as u32);
            self.log.push(format!("exit T{i}"));
            let exp = self.reference(Action::Exit { thread });
            let _ = self.workers[i].cmd.send(Cmd::Exit);
            if let Some(h) = self.workers[i].handle.take() {
                if h.join().is_err() {
                    self.fail(&format!("T{i} panicked"));
                }
            }
            self.settle(&format!("T{i} exited"), |k| {
                state(k, thread) == Some(ThreadState::Exited)
            });
            self.receive(exp);
        } else if roll >= 98 && !*closed {
            self.log.push("close".to_owned());
            let exp = self.reference(Action::ClosePort { port: P });
            let discarded: Vec<u32> = self
                .out
                .fired
                .iter()
                .filter_map(|f| match f.event {
                    Event::Discarded { packet, .. } => Some(packet.key as u32),
                    _ => None,
                })
                .collect();
            match self.port.close() {
                Ok(v) if v == discarded => {}
                other => self.fail(&format!("close gave {other:?}, the model {discarded:?}")),
            }
            *closed = true;
            self.receive(exp);
        } else {
            return;
        }
        let same = self.port.inspect(|k| *k == self.reference);
        if !same {
            let live = self.port.inspect(|k| format!("{:?}", k.port(P)));
            self.fail(&format!(
                "state differs:\n live {live}\n model {:?}",
                self.reference.port(P)
            ));
        }
    }

    fn finish(mut self) {
        if self.port.close().is_ok() {
            let exp = self.reference(Action::ClosePort { port: P });
            self.receive(exp);
        }
        for (i, w) in self.workers.iter().enumerate() {
            if self.status(i) == ThreadStatus::Paused {
                let _ = w.cmd.send(Cmd::Unblock);
            }
            let _ = w.cmd.send(Cmd::Exit);
        }
        for w in &mut self.workers {
            if let Some(h) = w.handle.take() {
                h.join().expect("worker panicked");
            }
        }
        thread::sleep(Duration::from_millis(5));
        if let Ok((i, r)) = self.replies.try_recv() {
            self.fail(&format!("thread {i} returned {r:?} after the end"));
        }
    }
}

fn run(seed: u64, steps: usize) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let concurrency = 1 + rng.below(3) as u32;
    let port = CompletionPort::<u32>::new(concurrency);
    let reference = Kernel::new(&KernelConfig {
        flavor: Flavor::Windows,
        cpus: port.inspect(|k| k.cpus()),
        ports: vec![concurrency],
        threads: 0,
        devices: Vec::new(),
    });
    let (replies_tx, replies) = mpsc::channel();
    let mut r = Run {
        seed,
        port,
        reference,
        out: Outcome::default(),
        workers: Vec::new(),
        replies_tx,
        replies,
        posts: 0,
        log: vec![format!("port with concurrency {concurrency}")],
    };
    let mut closed = false;
    for _ in 0..steps {
        r.step(&mut rng, &mut closed);
    }
    r.finish();
}

#[test]
fn real_threads_agree_with_the_model_step_by_step() {
    let seeds: u64 = std::env::var("LIVE_DIFF_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    for seed in 0..seeds {
        run(seed, 80);
    }
}
