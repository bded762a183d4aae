//! A property of a worker-pool design, asserted against the model:
//! "with N workers and concurrency C, a shutdown of N null posts always
//! ends every worker", whatever work is in flight and however the workers
//! are scheduled.
//!
//! Each worker loops on GetQueuedCompletionStatus(INFINITE) on one port.
//! A packet with key 0 means "shut down": the worker exits. Any other
//! packet is work: the worker may block while doing it (a database call),
//! and then calls get again. The main thread posts the work, then N null
//! packets. Proptest picks N, C, the amount of work and the schedule (who
//! moves next), and shrinks a counterexample to the shortest one.
//!
//!     cargo run --example worker_pool

use iocp_sim::model::{
    Action, Flavor, Kernel, KernelConfig, Outcome, Packet, PortId, ThreadId, ThreadState, Timeout,
};
use iocp_sim::testing::fmt_action;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

const PORT: PortId = PortId(0);
/// More steps than any schedule below can need: reaching it means the pool hangs.
const STEP_LIMIT: usize = 10_000;

/// One pool to try.
#[derive(Clone, Debug)]
struct Pool {
    flavor: Flavor,
    workers: usize,
    concurrency: u32,
    cpus: u32,
    work: u64,
    /// Null posts at shutdown (the design says: one per worker).
    nulls: usize,
    /// Who moves next, consumed one choice per step (then 0 for ever).
    schedule: Vec<u8>,
}

fn pool() -> impl Strategy<Value = Pool> {
    (
        prop_oneof![Just(Flavor::Windows), Just(Flavor::Wine)],
        1usize..=6,
        0u32..=4,
        1u32..=4,
        0u64..=8,
        prop::collection::vec(any::<u8>(), 0..120),
    )
        .prop_map(
            |(flavor, workers, concurrency, cpus, work, schedule)| Pool {
                flavor,
                workers,
                concurrency,
                cpus,
                work,
                nulls: workers,
                schedule,
            },
        )
}

/// Runs the pool until nothing can move; fails unless every worker exited
/// and every packet was delivered.
fn shutdown_ends_every_worker(pool: &Pool) -> Result<(), TestCaseError> {
    let mut k = Kernel::new(&KernelConfig {
        flavor: pool.flavor,
        cpus: pool.cpus,
        ports: vec![pool.concurrency],
        threads: pool.workers,
        devices: Vec::new(),
    });
    let mut out = Outcome::default();
    let mut trace = Vec::new();
    // The packet each worker holds (its last delivery); None before its first.
    let mut holds: Vec<Option<Packet>> = vec![None; pool.workers];
    let mut fresh = vec![false; pool.workers];
    // Work keys 1..=work, then the N null posts (key 0).
    let mut to_post: Vec<u64> = (1..=pool.work).collect();
    to_post.extend(std::iter::repeat_n(0, pool.nulls));
    to_post.reverse();
    let mut choices = pool.schedule.iter().copied();
    let mut apply = |k: &mut Kernel, a: Action, holds: &mut Vec<Option<Packet>>| {
        trace.push(fmt_action(&a));
        k.apply(a, &mut out)
            .map_err(|r| TestCaseError::fail(format!("{r} after {trace:?}")))?;
        for d in &out.deliveries {
            holds[d.thread.0 as usize] = Some(d.packet);
        }
        Ok::<_, TestCaseError>(trace.len())
    };
    loop {
        // Who can move: the main thread while it has packets to post, and
        // every worker that is running or paused.
        let mut movers: Vec<Option<ThreadId>> = Vec::new();
        if !to_post.is_empty() {
            movers.push(None);
        }
        for (i, t) in k.threads().iter().enumerate() {
            if matches!(t.state(), ThreadState::Running | ThreadState::Paused(_)) {
                movers.push(Some(ThreadId(i as u32)));
            }
        }
        if movers.is_empty() {
            break;
        }
        let pick = choices.next().unwrap_or(0);
        let action = match movers[pick as usize % movers.len()] {
            None => Action::Post {
                port: PORT,
                key: to_post.pop().expect("the main thread has a packet to post"),
                bytes: 0,
                overlapped: None,
                by: None,
            },
            Some(thread) => {
                let i = thread.0 as usize;
                match (k.thread(thread).state(), holds[i]) {
                    (ThreadState::Paused(_), _) => Action::Unblock { thread },
                    (_, Some(p)) if p.key == 0 => Action::Exit { thread },
                    // Half of the work blocks once before the next get.
                    (_, Some(p)) if fresh[i] && p.key % 2 == 1 && pick % 2 == 1 => {
                        fresh[i] = false;
                        Action::Block { thread, on: None }
                    }
                    _ => {
                        fresh[i] = true;
                        Action::Get {
                            thread,
                            port: PORT,
                            timeout: Timeout::Infinite,
                        }
                    }
                }
            }
        };
        if apply(&mut k, action, &mut holds)? > STEP_LIMIT {
            return Err(TestCaseError::fail("the pool never settles"));
        }
    }
    let stuck: Vec<usize> = (0..pool.workers)
        .filter(|&i| k.threads()[i].state() != ThreadState::Exited)
        .collect();
    prop_assert!(
        stuck.is_empty(),
        "workers {stuck:?} never exit; the port holds {} packet(s); steps: {trace:?}",
        k.port(PORT).iocq().len()
    );
    let c = k.counters();
    prop_assert_eq!(c.delivered, c.made, "every packet is delivered");
    Ok(())
}

fn check(cases: u32) -> Result<(), String> {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new(config)
        .run(&pool(), |p| shutdown_ends_every_worker(&p))
        .map_err(|e| e.to_string())
}

fn main() {
    match check(2000) {
        Ok(()) => println!("2000 pools: a shutdown of N null posts ended every worker"),
        Err(e) => {
            eprintln!("counterexample: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_of_n_null_posts_ends_every_worker() {
        check(500).unwrap();
    }

    /// The property is not vacuous: one null post fewer than workers leaves
    /// a worker asleep for ever, and the check says so.
    #[test]
    fn one_null_post_too_few_is_caught() {
        let mut pool = Pool {
            flavor: Flavor::Windows,
            workers: 3,
            concurrency: 1,
            cpus: 2,
            work: 2,
            nulls: 3,
            schedule: vec![1, 2, 0, 3, 1],
        };
        assert!(shutdown_ends_every_worker(&pool).is_ok());
        pool.nulls = 2;
        let e = shutdown_ends_every_worker(&pool).unwrap_err();
        assert!(e.to_string().contains("never exit"), "{e}");
    }
}
