//! The controlled scheduler on real worker code: it finds the shutdown bug
//! of docs/live.md (a protocol that counts the port's waiting and running
//! threads forgets a worker blocked on something else), with 2 workers and
//! with 4, writes the failing schedule as a scenario the model replays,
//! replays it from its token, and passes the fixed protocol.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use iocp_sim::live::control::{check, yield_now, Options, Run, Schedules};
use iocp_sim::live::{blocking, CompletionPort};
use iocp_sim::model::{PortId, ThreadStatus};
use iocp_sim::runner::{Applied, Runner};
use iocp_sim::scenario;

const P: PortId = PortId(0);

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
fn shutdown_counting_the_port(port: &CompletionPort<Job>, workers: u32) {
    // Every worker has joined the port (called get) before the count.
    while port.inspect(|k| k.threads().len()) < workers as usize {
        yield_now();
    }
    let n = port.inspect(|k| k.port(P).wtq().len() + k.port(P).rtl().len());
    for _ in 0..n {
        port.post(Job::Stop).unwrap();
    }
}

/// The fix: one stop per worker, whatever each one is doing.
fn shutdown_one_stop_per_worker(port: &CompletionPort<Job>, workers: u32) {
    for _ in 0..workers {
        port.post(Job::Stop).unwrap();
    }
}

/// `workers` workers on a port of concurrency 2, as many jobs, and the shutdown.
fn world_of(run: &Run, workers: u32, shutdown: fn(&CompletionPort<Job>, u32)) {
    let port = run.port::<Job>(2);
    let stopped = Arc::new(AtomicU32::new(0));
    for n in 1..=workers {
        port.post(Job::Work(n)).unwrap();
    }
    for i in 1..=workers {
        let (port, stopped) = (port.clone(), Arc::clone(&stopped));
        run.spawn(&format!("W{i}"), move || worker(port, stopped));
    }
    run.spawn("main", move || shutdown(&port, workers));
}

/// The docs' world: two workers.
fn world(run: &Run, shutdown: fn(&CompletionPort<Job>, u32)) {
    world_of(run, 2, shutdown);
}

fn enumerate(runs: u64, preemptions: u32) -> Options {
    Options {
        schedules: Schedules::Enumerate { runs, preemptions },
        ..Options::default()
    }
}

#[test]
fn the_scheduler_finds_the_worker_lost_while_blocked() {
    let dir = crate::util::scratch("live_control", "the_scheduler_finds_the_worker_lost");
    // Kept by LIVE_KEEP=1, to refresh the bundled copy.
    let keep = std::env::var_os("LIVE_KEEP").is_some();
    let options = Options {
        scenario_dir: Some(dir.clone()),
        name: "lost-worker".to_owned(),
        ..enumerate(2_000, 2)
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
    for workers in [2, 4] {
        let report = check(&enumerate(2_000, 2), |run| {
            world_of(run, workers, shutdown_one_stop_per_worker)
        })
        .unwrap_or_else(|f| panic!("{f}"));
        assert!(
            report.exhausted || report.runs == 2_000,
            "{workers} workers: {report:?}"
        );
    }
}

/// The case that 50,000 depth-first runs missed: with 4 workers, every
/// ordering of the run's last steps came before the one switch that
/// matters. Enumerated by fewest differences first, it is among the
/// first schedules that differ at one point.
#[test]
fn enumeration_finds_it_with_four_workers_too() {
    let failure = check(&enumerate(2_000, 2), |run| {
        world_of(run, 4, shutdown_counting_the_port)
    })
    .expect_err("an enumerated schedule loses a worker");
    assert!(
        failure.message.starts_with("stranded:"),
        "{}",
        failure.message
    );
    assert!(failure.run <= 200, "found only at run {}", failure.run);
    assert!(failure.scenario.contains("\"op\": \"block\""));
}

#[test]
fn a_failure_replays_from_its_token_exactly() {
    let failure = check(&enumerate(2_000, 2), |run| {
        world_of(run, 4, shutdown_counting_the_port)
    })
    .expect_err("some schedule loses a worker");
    assert!(failure
        .to_string()
        .contains(&format!("Schedules::Replay({:?})", failure.replay)));
    let again = Options {
        schedules: Schedules::Replay(failure.replay.clone()),
        ..Options::default()
    };
    let replay = check(&again, |run| world_of(run, 4, shutdown_counting_the_port))
        .expect_err("the token reproduces the failure");
    assert_eq!(replay.schedule, failure.schedule);
    assert_eq!(replay.scenario, failure.scenario);
    assert_eq!(replay.message, failure.message);
    // The same token on the fixed code: the body makes other calls, and
    // the replay says where it stopped being the same run (or passes).
    let fixed = check(&again, |run| world_of(run, 4, shutdown_one_stop_per_worker));
    if let Err(f) = fixed {
        assert!(f.message.contains("diverged"), "{}", f.message);
    }
}

#[test]
fn a_token_that_is_not_one_fails_saying_so() {
    let options = Options {
        schedules: Schedules::Replay("0?1".to_owned()),
        ..Options::default()
    };
    let f =
        check(&options, |run| world(run, shutdown_one_stop_per_worker)).expect_err("not a token");
    assert!(f.message.contains("not a replay token"), "{}", f.message);
}

#[test]
fn a_replay_that_no_longer_fits_the_body_fails_where_it_diverges() {
    // Choice 5 at the first point, where a one-thread body has one option.
    let options = Options {
        schedules: Schedules::Replay("5".to_owned()),
        ..Options::default()
    };
    let f = check(&options, |run| {
        let port = run.port::<u32>(1);
        run.spawn("W1", move || port.post(1).unwrap());
    })
    .expect_err("the replay diverges");
    assert!(
        f.message.contains("diverged at scheduling point 1"),
        "{}",
        f.message
    );
}

#[test]
fn replay_tokens_round_trip() {
    use iocp_sim::live::control::{parse_replay_token, replay_token};
    let schedules: [&[usize]; 5] = [
        &[],
        &[0, 1, 1, 0, 2],
        &[0; 40],
        &[3, 3, 3, 3, 3, 1, 40, 40, 40, 40, 40, 35, 36],
        &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
    ];
    for s in schedules {
        let token = replay_token(s);
        assert_eq!(parse_replay_token(&token).as_deref(), Some(s), "{token}");
    }
    assert_eq!(replay_token(&[0; 40]), "0*40.");
    assert_eq!(parse_replay_token("0?"), None);
    assert_eq!(parse_replay_token("1*x."), None);
}

#[test]
fn controlled_threads_have_their_names() {
    check(&enumerate(10, 1), |run| {
        let port = run.port::<u32>(1);
        run.spawn("worker-7", move || {
            assert_eq!(std::thread::current().name(), Some("worker-7"));
            port.post(1).unwrap();
        });
    })
    .unwrap_or_else(|f| panic!("{f}"));
}

#[test]
fn after_a_failure_the_other_threads_stop_and_do_not_fail_again() {
    let went_on = Arc::new(AtomicU32::new(0));
    let seen = Arc::clone(&went_on);
    let f = check(&enumerate(50, 1), move |run| {
        let port = run.port::<u32>(1);
        let (p, went_on) = (port.clone(), Arc::clone(&seen));
        run.spawn("waiter", move || {
            // Waits for ever: the failure below closes the port under it.
            let r = p.get(None);
            went_on.fetch_add(1, Ordering::SeqCst);
            r.unwrap();
        });
        run.spawn("W1", move || {
            drop(port);
            panic!("the user's assertion");
        });
    })
    .expect_err("W1 panics");
    assert!(
        f.message.contains("W1 panicked: the user's assertion"),
        "{}",
        f.message
    );
    assert_eq!(
        went_on.load(Ordering::SeqCst),
        0,
        "a thread went on after the run failed"
    );
}

#[test]
fn a_panicking_worker_assertion_fails_the_run() {
    let failure = check(&enumerate(5, 1), |run| {
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
    check(&enumerate(5, 1), |run| {
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
        stall: std::time::Duration::from_millis(500),
        ..enumerate(1, 0)
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

#[test]
fn threads_named_alike_or_like_the_port_still_make_a_scenario_that_loads() {
    let f = check(&enumerate(5, 0), |run| {
        let port = run.port::<u32>(1);
        for _ in 0..2 {
            let p = port.clone();
            run.spawn("P", move || {
                let _ = p.get(Some(std::time::Duration::ZERO));
            });
        }
        run.spawn("main", move || panic!("stop here"));
    })
    .expect_err("main panics");
    let sc = scenario::load_str("alike.json", &f.scenario).expect("ids are unique");
    assert_eq!(sc.names.threads(), ["P-1", "P-2"]);
}
