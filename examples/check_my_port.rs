//! Checking a port implementation of your own against the model.
//!
//! `MyPort` below is a small hand-written completion port (one port,
//! threads that post, get, block, unblock and exit), the kind of model a
//! server team writes for its own scheduler. Posts come from outside or
//! from a worker (`by`): a worker whose last get returned without sleeping
//! carries the queue-wait mark, and its own post is queued for it rather
//! than handed to a sleeping worker (rule 2). It reports what each action
//! did as an [`Observed`]; [`check_port`] runs random sequences of actions
//! through it and through the model side by side, shrinks any disagreement
//! to a short sequence where every action is needed, and prints it as an
//! `iocp-sim/1` scenario with one line of reason.
//!
//!     cargo run --example check_my_port
//!
//! The tests below also show that wrong implementations are caught: the
//! same port waking its *oldest* waiter (FIFO, as Wine does), or ignoring
//! the queue-wait mark, fails against the Windows model. They run with a
//! fixed seed, so they find the same bug the same way on every run.

use std::collections::VecDeque;

use iocp_sim::model::{
    Action, CallResult, Delivery, Flavor, KernelConfig, Origin, Packet, PortId, StatusId, ThreadId,
};
use iocp_sim::testing::machine::{check_port, ModelState, Observed, PortLike, Scope};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// What a thread of `MyPort` is doing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Worker {
    /// Running; `counted` if it is in the port's released list.
    Running {
        counted: bool,
    },
    /// Asleep in get.
    Waiting,
    /// Blocked on something else; `counted` if it was released before.
    Paused {
        counted: bool,
    },
    Exited,
}

/// A single completion port with a concurrency limit. `LIFO` picks the
/// waiter to wake: the most recent one (Windows) or the oldest (a bug).
/// `MARK` keeps a post by a marked worker queued (Windows) or hands it
/// to a waiter like any other post (a bug).
struct MyPort<const LIFO: bool, const MARK: bool> {
    max: u32,
    current: u32,
    queue: VecDeque<Packet>,
    waiters: Vec<ThreadId>,
    workers: Vec<Worker>,
    /// Per worker: the queue-wait mark (its last get returned at once).
    marked: Vec<bool>,
}

const PORT: PortId = PortId(0);

impl<const LIFO: bool, const MARK: bool> MyPort<LIFO, MARK> {
    fn next_waiter(&mut self) -> Option<ThreadId> {
        if self.waiters.is_empty() {
            None
        } else if LIFO {
            self.waiters.pop()
        } else {
            Some(self.waiters.remove(0))
        }
    }

    /// Gives `packet` to `thread`, which now counts as running.
    fn release(&mut self, thread: ThreadId, packet: Packet, out: &mut Vec<Delivery>) {
        self.current += 1;
        self.workers[thread.index()] = Worker::Running { counted: true };
        out.push(Delivery {
            thread,
            port: PORT,
            packet,
        });
    }

    /// A counted thread stopped running: maybe someone else may go.
    fn activate(&mut self, out: &mut Vec<Delivery>) {
        if self.current < self.max && !self.queue.is_empty() {
            if let Some(w) = self.next_waiter() {
                let p = self.queue.pop_front().expect("checked non-empty");
                self.release(w, p, out);
            }
        }
    }
}

impl<const LIFO: bool, const MARK: bool> PortLike for MyPort<LIFO, MARK> {
    fn new(config: &KernelConfig) -> Self {
        MyPort {
            max: config.ports[0],
            current: 0,
            queue: VecDeque::new(),
            waiters: Vec::new(),
            workers: vec![Worker::Running { counted: false }; config.threads],
            marked: vec![false; config.threads],
        }
    }

    fn apply(&mut self, action: Action) -> Observed {
        let mut delivered = Vec::new();
        let mut result = CallResult::Success;
        match action {
            Action::Post { key, bytes, by, .. } => {
                let packet = Packet {
                    bytes,
                    key,
                    overlapped: None,
                    status: StatusId::SUCCESS,
                    origin: Origin::Post,
                };
                let keep = MARK && by.is_some_and(|t| self.marked[t.index()]);
                match (self.current < self.max && !keep)
                    .then(|| self.next_waiter())
                    .flatten()
                {
                    Some(w) => self.release(w, packet, &mut delivered),
                    None => self.queue.push_back(packet),
                }
            }
            Action::Get { thread, .. } => {
                let t = thread.index();
                if self.workers[t] == (Worker::Running { counted: true }) {
                    self.current -= 1;
                }
                if self.current < self.max && !self.queue.is_empty() {
                    let p = self.queue.pop_front().expect("checked non-empty");
                    self.release(thread, p, &mut delivered);
                    self.marked[t] = true;
                } else {
                    self.marked[t] = false;
                    self.workers[t] = Worker::Waiting;
                    self.waiters.push(thread);
                    result = CallResult::Pending;
                }
            }
            Action::Block { thread, .. } => {
                let t = thread.index();
                let counted = self.workers[t] == Worker::Running { counted: true };
                self.workers[t] = Worker::Paused { counted };
                self.marked[t] = false;
                if counted {
                    self.current -= 1;
                    self.activate(&mut delivered);
                }
            }
            Action::Unblock { thread } => {
                let t = thread.index();
                let counted = self.workers[t] == Worker::Paused { counted: true };
                self.workers[t] = Worker::Running { counted };
                if counted {
                    self.current += 1; // no check against max: over-subscription
                }
            }
            Action::Exit { thread } => {
                let t = thread.index();
                let counted = self.workers[t] == Worker::Running { counted: true };
                self.workers[t] = Worker::Exited;
                self.marked[t] = false;
                if counted {
                    self.current -= 1;
                    self.activate(&mut delivered);
                }
            }
            other => panic!("MyPort does not implement {other:?}"),
        }
        Observed::done(result, delivered, Vec::new())
    }

    fn check(&self, model: &iocp_sim::model::Kernel) -> Result<(), String> {
        let port = model.port(PORT);
        if (self.current, self.queue.len()) != (port.current(), port.iocq().len()) {
            return Err(format!(
                "current {} and {} queued; the model has {} and {}",
                self.current,
                self.queue.len(),
                port.current(),
                port.iocq().len()
            ));
        }
        Ok(())
    }
}

/// What `MyPort` supports: one port of concurrency 1-3 on 4 processors,
/// 1-4 threads, and post (from outside or by a worker), get (infinite),
/// block, unblock and exit.
struct PostGetBlock;

impl Scope for PostGetBlock {
    fn world() -> BoxedStrategy<KernelConfig> {
        (1u32..=3, 1usize..=4)
            .prop_map(|(concurrency, threads)| KernelConfig {
                flavor: Flavor::Windows,
                cpus: 4,
                ports: vec![concurrency],
                threads,
                devices: Vec::new(),
            })
            .boxed()
    }

    fn action(state: &ModelState) -> BoxedStrategy<Action> {
        let thread = (0..state.config.threads).prop_map(ThreadId::from_index);
        prop_oneof![
            2 => (1u64..100).prop_map(|key| Action::post(PORT, key)),
            2 => (1u64..100, thread.clone()).prop_map(|(key, by)| Action::post_by(by, PORT, key)),
            3 => thread.clone().prop_map(|thread| Action::get(thread, PORT)),
            1 => thread.clone().prop_map(Action::block),
            1 => thread.clone().prop_map(Action::unblock),
            1 => thread.prop_map(Action::exit),
        ]
        .boxed()
    }
}

/// `cases` random sequences, from a fixed seed: the same sequences on every
/// run, so a test that expects a bug to be found finds it every time.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(7),
        ..Config::default()
    }
}

fn main() {
    match check_port::<MyPort<true, true>, PostGetBlock>(config(512), 1..40) {
        Ok(()) => println!("MyPort agrees with the model on 512 random sequences"),
        Err(e) => {
            eprintln!("MyPort disagrees with the model:\n{e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn my_port_agrees_with_the_model() {
        check_port::<MyPort<true, true>, PostGetBlock>(config(256), 1..40).unwrap();
    }

    #[test]
    fn a_fifo_port_is_caught_and_shrunk() {
        let e = check_port::<MyPort<false, true>, PostGetBlock>(config(256), 1..40)
            .expect_err("waking the oldest waiter differs from Windows");
        assert!(e.to_string().contains("disagrees with the model"), "{e}");
        // Two threads wait, a post wakes one of them: three actions.
        let ops: Vec<&str> = e.actions.iter().map(Action::op).collect();
        assert_eq!(ops, ["get", "get", "post"], "{e}");
    }

    #[test]
    fn a_port_ignoring_the_queue_wait_mark_is_caught() {
        let e = check_port::<MyPort<true, false>, PostGetBlock>(config(256), 1..40)
            .expect_err("a marked worker's post is queued on Windows");
        // The shortest way with infinite gets: a packet is queued, T takes
        // it at once (so it keeps the mark), another thread waits, and T
        // posts: Windows queues T's packet, MyPort hands it to the waiter.
        assert_eq!(e.actions.len(), 4, "{e}");
        let last = e.actions[3];
        assert!(
            matches!(last, Action::Post { by: Some(_), .. }),
            "the shrunk sequence ends with a post by a worker: {e}"
        );
        assert!(e.reason.contains(") by T"), "{e}");
    }
}
