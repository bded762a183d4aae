//! Checking a port implementation of your own against the model.
//!
//! `MyPort` below is a small hand-written completion port (one port,
//! threads that post, get, block, unblock and exit), the kind of model a
//! server team writes for its own scheduler. Posts come from outside or
//! from a worker (`by`): a worker whose last get returned without sleeping
//! carries the queue-wait mark, and its own post is queued for it rather
//! than handed to a sleeping worker (rule 2). It reports what each action
//! did as an [`Observed`]; [`check_port`] runs random sequences of actions
//! through it and through the model side by side, and shrinks any
//! disagreement to the shortest sequence that shows it.
//!
//!     cargo run --example check_my_port
//!
//! The tests below also show that wrong implementations are caught: the
//! same port waking its *oldest* waiter (FIFO, as Wine does), or ignoring
//! the queue-wait mark, fails against the Windows model.

use std::collections::VecDeque;

use iocp_sim::model::{
    Action, CallResult, Delivery, Flavor, KernelConfig, Origin, Packet, PortId, StatusId, ThreadId,
    Timeout,
};
use iocp_sim::testing::machine::{check_port, ModelState, Observed, PortLike, Scope};
use proptest::prelude::*;
use proptest::test_runner::Config;

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
        self.workers[thread.0 as usize] = Worker::Running { counted: true };
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
                let keep = MARK && by.is_some_and(|t| self.marked[t.0 as usize]);
                match (self.current < self.max && !keep)
                    .then(|| self.next_waiter())
                    .flatten()
                {
                    Some(w) => self.release(w, packet, &mut delivered),
                    None => self.queue.push_back(packet),
                }
            }
            Action::Get { thread, .. } => {
                let t = thread.0 as usize;
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
                let t = thread.0 as usize;
                let counted = self.workers[t] == Worker::Running { counted: true };
                self.workers[t] = Worker::Paused { counted };
                self.marked[t] = false;
                if counted {
                    self.current -= 1;
                    self.activate(&mut delivered);
                }
            }
            Action::Unblock { thread } => {
                let t = thread.0 as usize;
                let counted = self.workers[t] == Worker::Paused { counted: true };
                self.workers[t] = Worker::Running { counted };
                if counted {
                    self.current += 1; // no check against max: over-subscription
                }
            }
            Action::Exit { thread } => {
                let t = thread.0 as usize;
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
        let thread = (0..state.config.threads as u32).prop_map(ThreadId);
        prop_oneof![
            4 => (1u64..100, prop::option::weighted(0.5, thread.clone()))
                .prop_map(|(key, by)| Action::Post { port: PORT, key, bytes: 0, overlapped: None, by }),
            3 => thread.clone().prop_map(|thread| Action::Get { thread, port: PORT, timeout: Timeout::Infinite }),
            1 => thread.clone().prop_map(|thread| Action::Block { thread, on: None }),
            1 => thread.clone().prop_map(|thread| Action::Unblock { thread }),
            1 => thread.prop_map(|thread| Action::Exit { thread }),
        ]
        .boxed()
    }
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
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
        // The failing cases panic inside proptest; keep their messages quiet.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = check_port::<MyPort<false, true>, PostGetBlock>(config(256), 1..40);
        std::panic::set_hook(hook);
        let e = r.expect_err("waking the oldest waiter differs from Windows");
        let text = e.to_string();
        assert!(text.contains("disagrees with the model"), "{text}");
    }

    #[test]
    fn a_port_ignoring_the_queue_wait_mark_is_caught() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = check_port::<MyPort<true, false>, PostGetBlock>(config(256), 1..40);
        std::panic::set_hook(hook);
        let e = r.expect_err("a marked worker's post is queued on Windows");
        let text = e.to_string();
        assert!(
            text.contains(") by T"),
            "the shrunk sequence has a post by a worker: {text}"
        );
    }
}
