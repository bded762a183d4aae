//! Worker code on a live port under shuttle: a lost update found with no
//! yield written by hand.
//!
//! Two workers take jobs from a completion port. Each hands its result to
//! the main thread through a second port and counts the job in a shared
//! counter, the wrong way: it reads the counter, makes the port call, and
//! writes the counter back. If the other worker does the same between the
//! read and the write, one job is not counted.
//!
//! Built with the `shuttle` feature, the port's lock, atomics and parking
//! are shuttle's, and so are this test's threads and counter: every one of
//! those operations is a point where shuttle's schedulers may switch
//! threads, so `shuttle::check_random` (or `check_pct`) finds the
//! interleaving by itself. The failure prints shuttle's replay string (or,
//! as here, writes it to a file for `shuttle::replay_from_file`), and each
//! port writes its calls as an `iocp-sim/1` scenario that `iocp-sim run`,
//! `play` and `export` show.
//!
//!     cargo test --features shuttle --example shuttle_lost_update
//!     cargo run --features shuttle --example shuttle_lost_update

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use iocp_sim::live::CompletionPort;
use shuttle::sync::atomic::{AtomicU32, Ordering};
use shuttle::sync::Arc;
use shuttle::thread;

/// A job's number; 0 tells a worker to stop.
const STOP: u32 = 0;
const WORKERS: u32 = 2;

/// Takes jobs until a stop; hands each result on and counts the job.
fn worker(
    jobs: CompletionPort<u32>,
    results: CompletionPort<u32>,
    done: Arc<AtomicU32>,
    fixed: bool,
) {
    while let Ok(job) = jobs.get(None) {
        if job == STOP {
            break;
        }
        if fixed {
            results.post(job * 10).unwrap();
            done.fetch_add(1, Ordering::SeqCst);
        } else {
            let seen = done.load(Ordering::SeqCst); // read
            results.post(job * 10).unwrap(); // a port call
            done.store(seen + 1, Ordering::SeqCst); // written back: may undo the other's
        }
    }
}

/// The test body: a pool of two workers does two jobs; each must be counted.
fn pool(fixed: bool) {
    let jobs = CompletionPort::<u32>::new(WORKERS);
    let results = CompletionPort::<u32>::new(1);
    let done = Arc::new(AtomicU32::new(0));
    let workers: Vec<_> = (1..=WORKERS)
        .map(|i| {
            let (jobs, results, done) = (jobs.clone(), results.clone(), Arc::clone(&done));
            thread::Builder::new()
                .name(format!("W{i}"))
                .spawn(move || worker(jobs, results, done, fixed))
                .unwrap()
        })
        .collect();
    for job in 1..=WORKERS {
        jobs.post(job).unwrap();
    }
    let mut total = 0;
    for _ in 0..WORKERS {
        total += results.get(None).unwrap();
    }
    for _ in 0..WORKERS {
        jobs.post(STOP).unwrap();
    }
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(total, 30, "every result arrived");
    assert_eq!(
        done.load(Ordering::SeqCst),
        WORKERS,
        "a finished job was not counted (a lost update)"
    );
}

/// Where a port of the test running on this thread writes its calls (see
/// `IOCP_SIM_SCENARIO_DIR` in docs/live.md): `port` 1 is the first made.
fn scenario_path(port: usize) -> PathBuf {
    let dir = std::env::var_os("IOCP_SIM_SCENARIO_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("iocp-sim-shuttle"));
    let test = std::thread::current()
        .name()
        .unwrap_or("shuttle-test")
        .replace("::", ".");
    match port {
        1 => dir.join(format!("{test}.json")),
        n => dir.join(format!("{test}-{n}.json")),
    }
}

/// Runs `pool(false)` under shuttle's random scheduler with the failing
/// schedule written to a file in `dir`; the schedule file, if it failed.
fn find_with_random_schedules(dir: &Path) -> Option<PathBuf> {
    let mut config = shuttle::Config::new();
    config.failure_persistence = shuttle::FailurePersistence::File(Some(dir.to_path_buf()));
    let runner = shuttle::Runner::new(shuttle::scheduler::RandomScheduler::new(1_000), config);
    catch_unwind(AssertUnwindSafe(|| runner.run(|| pool(false)))).err()?;
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "txt"))
}

fn main() {
    let dir = std::env::temp_dir().join("iocp-sim-shuttle-example");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    match find_with_random_schedules(&dir) {
        Some(schedule) => println!(
            "shuttle found the lost update; replay it with shuttle::replay_from_file(.., {:?}); \
             the ports' calls are in {} and {}",
            schedule,
            scenario_path(1).display(),
            scenario_path(2).display()
        ),
        None => println!("shuttle did not find the lost update in 1,000 schedules"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iocp_sim::runner::{Applied, Runner};

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir()
            .join("iocp-sim-shuttle-example")
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// One test, so that its first shuttle run is the process's first:
    /// shuttle reports every failure of a process the way its first run
    /// was configured (its panic hook is set once), and this test needs
    /// the failing schedule in a file.
    #[test]
    fn shuttle_finds_the_lost_update_replays_it_and_passes_the_fix() {
        let dir = scratch("random");
        let schedule = find_with_random_schedules(&dir).expect("shuttle finds the lost update");
        // Each port wrote its calls as a scenario the model replays.
        let jobs = std::fs::read_to_string(scenario_path(1)).expect("the jobs port's scenario");
        let results = std::fs::read_to_string(scenario_path(2)).expect("the results port's");
        assert!(jobs.contains("a finished job was not counted"), "{jobs}");
        for (name, text) in [("jobs", &jobs), ("results", &results)] {
            let sc = iocp_sim::scenario::load_str(name, text).expect("the scenario loads");
            let mut runner = Runner::new(&sc.world, sc.world.flavor);
            for step in &sc.steps {
                let r = runner.step(step, &sc.names);
                assert!(
                    matches!(r.applied, Applied::Done),
                    "{name}: step {} refused",
                    step.number
                );
            }
        }
        assert!(jobs.contains("\"W1\"") && jobs.contains("\"W2\""), "{jobs}");
        // shuttle's schedule replays the same failure, and the same calls.
        let replayed = catch_unwind(|| shuttle::replay_from_file(|| pool(false), &schedule))
            .expect_err("the schedule replays the failure");
        let message = replayed
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(message.contains("a lost update"), "{message}");
        assert_eq!(std::fs::read_to_string(scenario_path(1)).unwrap(), jobs);
        let _ = std::fs::remove_dir_all(dir);

        // PCT finds it too.
        let found = catch_unwind(|| shuttle::check_pct(|| pool(false), 1_000, 3));
        assert!(found.is_err(), "PCT finds the lost update");

        // A worker left waiting in a port with nobody to post is a deadlock
        // for shuttle, and the port's calls are written all the same.
        let _ = std::fs::remove_file(scenario_path(1));
        let found = catch_unwind(|| {
            shuttle::check_random(
                || {
                    let port = CompletionPort::<u32>::new(1);
                    let p = port.clone();
                    let w = thread::spawn(move || {
                        let _ = p.get(None); // nobody posts
                    });
                    w.join().unwrap();
                },
                10,
            )
        });
        assert!(found.is_err(), "shuttle reports the deadlock");
        let text = std::fs::read_to_string(scenario_path(1)).expect("the port's calls");
        assert!(text.contains("\"op\": \"get\""), "{text}");

        // The fixed count passes.
        shuttle::check_random(|| pool(true), 1_000);
        shuttle::check_pct(|| pool(true), 1_000, 3);
    }
}
