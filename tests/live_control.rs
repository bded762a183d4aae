//! The controlled scheduler on real worker code: it finds the shutdown bug
//! of docs/live.md (a protocol that counts the port's waiting and running
//! threads forgets a worker blocked on something else), writes the failing
//! schedule as a scenario the model replays, and passes the fixed protocol.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use iocp_sim::live::control::{check, yield_now, Options, Run, Schedules};
use iocp_sim::live::{blocking, CompletionPort};
use iocp_sim::model::{PortId, ThreadStatus};
use iocp_sim::runner::{Applied, Runner};
use iocp_sim::scenario;

const P: PortId = PortId(0);
const WORKERS: u32 = 2;

#[derive(Debug)]
enum Job {
    Work(u32),
    Stop,
}

/// The worker: take jobs until a stop; each job waits on a database.
fn worker(port: CompletionPort<Job>, stopped: Arc<AtomicU32>) {
    // Until a stop (or an error).
    while let Ok(Job::Work(n)) = port.get(None) {
        blocking(|| {
            // The database call (a wait on something other than the port).
            std::hint::black_box(n);
        });
    }
    stopped.fetch_add(1, Ordering::SeqCst);
}

/// The buggy shutdown: one stop per thread the port is waiting for or
/// running. A worker blocked in its database call is in neither list.
fn shutdown_counting_the_port(port: &CompletionPort<Job>) {
    // Every worker has joined the port (called get) before the count.
    while port.inspect(|k| k.threads().len()) < WORKERS as usize {
        yield_now();
    }
    let n = port.inspect(|k| k.port(P).wtq().len() + k.port(P).rtl().len());
    for _ in 0..n {
        port.post(Job::Stop).unwrap();
    }
}

/// The fix: one stop per worker, whatever each one is doing.
fn shutdown_one_stop_per_worker(port: &CompletionPort<Job>) {
    for _ in 0..WORKERS {
        port.post(Job::Stop).unwrap();
    }
}

fn world(run: &Run, shutdown: fn(&CompletionPort<Job>)) {
    let port = run.port::<Job>(2);
    let stopped = Arc::new(AtomicU32::new(0));
    port.post(Job::Work(1)).unwrap();
    port.post(Job::Work(2)).unwrap();
    for i in 1..=WORKERS {
        let (port, stopped) = (port.clone(), Arc::clone(&stopped));
        run.spawn(&format!("W{i}"), move || worker(port, stopped));
    }
    run.spawn("main", move || shutdown(&port));
}

#[test]
fn the_scheduler_finds_the_worker_lost_while_blocked() {
    let dir = std::env::temp_dir().join(format!("iocp-sim-live-control-{}", std::process::id()));
    // Kept by LIVE_KEEP=1, to refresh the bundled copy.
    let keep = std::env::var_os("LIVE_KEEP").is_some();
    let options = Options {
        schedules: Schedules::Seeds(0..1_000),
        scenario_dir: Some(dir.clone()),
        name: "lost-worker".to_owned(),
        ..Options::default()
    };
    let failure = check(&options, |run| world(run, shutdown_counting_the_port))
        .expect_err("the buggy shutdown must fail");
    assert!(
        failure.message.starts_with("stranded:"),
        "{}",
        failure.message
    );
    let path = failure.path.clone().expect("the scenario was written");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"op\": \"block\""), "{text}");

    // The scenario replays in the model: every step applies, and at its end
    // a worker waits with nothing queued and nobody left to post.
    let sc = scenario::load_str("lost-worker.json", &text).expect("the scenario loads");
    let mut runner = Runner::new(&sc.world, sc.world.flavor);
    for step in &sc.steps {
        let r = runner.step(step, &sc.names);
        assert!(
            matches!(r.applied, Applied::Done),
            "step {} refused",
            step.number
        );
    }
    let k = runner.kernel();
    assert_eq!(k.port(P).wtq().len(), 1);
    assert!(k.port(P).iocq().is_empty());
    assert!(k
        .threads()
        .iter()
        .any(|t| t.status() == ThreadStatus::Waiting));
    // The bundled copy shown in docs/live.md is this very run.
    let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sim-scenarios/live/lost-worker.json");
    let kept = std::fs::read_to_string(&bundled).unwrap_or_default();
    assert!(
        kept == text,
        "{} is not what the scheduler finds now; if the change is intended, copy {} there",
        bundled.display(),
        path.display()
    );
    if !keep {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn the_fixed_shutdown_passes_every_schedule_tried() {
    let options = Options {
        schedules: Schedules::Enumerate {
            runs: 2_000,
            preemptions: 2,
        },
        ..Options::default()
    };
    let report = check(&options, |run| world(run, shutdown_one_stop_per_worker))
        .unwrap_or_else(|f| panic!("{f}"));
    assert!(report.runs >= 1);
    let seeds = Options {
        schedules: Schedules::Seeds(0..100),
        ..Options::default()
    };
    check(&seeds, |run| world(run, shutdown_one_stop_per_worker)).unwrap_or_else(|f| panic!("{f}"));
}

#[test]
fn enumeration_with_few_preemptions_finds_it_too() {
    let options = Options {
        schedules: Schedules::Enumerate {
            runs: 2_000,
            preemptions: 2,
        },
        ..Options::default()
    };
    let failure = check(&options, |run| world(run, shutdown_counting_the_port))
        .expect_err("an enumerated schedule loses a worker");
    assert!(
        failure.message.starts_with("stranded:"),
        "{}",
        failure.message
    );
    assert!(failure.scenario.contains("\"op\": \"block\""));
}

#[test]
fn random_seeds_find_it_too_and_the_seed_reproduces_the_schedule() {
    let options = Options {
        schedules: Schedules::Seeds(0..200),
        ..Options::default()
    };
    let failure = check(&options, |run| world(run, shutdown_counting_the_port))
        .expect_err("some seed loses a worker");
    let seed = failure.seed.expect("seeded runs report their seed");
    let again = Options {
        schedules: Schedules::Seeds(seed..seed + 1),
        ..Options::default()
    };
    let replay = check(&again, |run| world(run, shutdown_counting_the_port))
        .expect_err("the seed reproduces the failure");
    assert_eq!(replay.schedule, failure.schedule);
    assert_eq!(replay.scenario, failure.scenario);
}

#[test]
fn a_panicking_worker_assertion_fails_the_run() {
    let options = Options {
        schedules: Schedules::Seeds(0..5),
        ..Options::default()
    };
    let failure = check(&options, |run| {
        let port = run.port::<u32>(1);
        port.post(7).unwrap();
        run.spawn("W1", move || {
            let v = port.get(None).unwrap();
            assert_eq!(v, 8, "the worker expected another value");
        });
    })
    .expect_err("the assertion fails");
    assert!(
        failure.message.contains("W1 panicked"),
        "{}",
        failure.message
    );
    assert!(failure
        .message
        .contains("the worker expected another value"));
}

#[test]
fn finite_waits_expire_when_nothing_else_can_run_not_on_the_clock() {
    let start = std::time::Instant::now();
    let options = Options {
        schedules: Schedules::Seeds(0..5),
        ..Options::default()
    };
    check(&options, |run| {
        let p = run.port::<u32>(1);
        run.spawn("W1", move || {
            // An hour on the clock; the controller lets it expire at once
            // because no other thread can run.
            assert_eq!(
                p.get(Some(std::time::Duration::from_secs(3600))),
                Err(iocp_sim::live::GetError::Timeout)
            );
            p.post(5).unwrap();
            assert_eq!(p.get(Some(std::time::Duration::ZERO)), Ok(5));
        });
    })
    .unwrap_or_else(|f| panic!("{f}"));
    assert!(start.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn enumeration_exhausts_a_small_world() {
    let options = Options {
        schedules: Schedules::Enumerate {
            runs: 1_000,
            preemptions: 3,
        },
        ..Options::default()
    };
    let report = check(&options, |run| {
        let port = run.port::<u32>(1);
        let p = port.clone();
        run.spawn("W1", move || assert_eq!(p.get(None), Ok(1)));
        run.spawn("main", move || port.post(1).unwrap());
    })
    .unwrap_or_else(|f| panic!("{f}"));
    assert!(report.exhausted, "{report:?}");
    assert!(report.runs >= 2, "both orders were tried: {report:?}");
}

#[test]
fn a_wait_the_controller_cannot_see_fails_the_run_instead_of_hanging() {
    let options = Options {
        schedules: Schedules::Seeds(0..1),
        stall: std::time::Duration::from_millis(500),
        ..Options::default()
    };
    let failure = check(&options, |run| {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        // Whoever runs first waits on a real channel while holding the turn.
        run.spawn("W1", move || {
            let _ = rx.recv_timeout(std::time::Duration::from_secs(3));
        });
        run.spawn("W2", move || {
            std::thread::sleep(std::time::Duration::from_secs(2));
            let _ = tx.send(());
        });
    })
    .expect_err("the run stalls");
    assert!(
        failure.message.contains("no scheduling point"),
        "{}",
        failure.message
    );
}
