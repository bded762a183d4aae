//! Explorer speed: distinct states per second on one core, exhaustively
//! exploring `sim-scenarios/explore/many-states.json` (3,963,641 states,
//! 16.5 million transitions, each checked against properties 1-7, plus one
//! forbidden call probed per state).
//!
//! Run: `cargo bench --bench explore`. Criterion's "thrpt" lines are in
//! states per second (one element = one distinct state). Two groups:
//! `explore/wall` measures elapsed time, as usual; `explore/cpu` measures
//! the CPU time of the (single) thread doing the search, which is what "on
//! one core" means when the machine is shared and the process does not get
//! a whole core (on Linux; elsewhere it falls back to elapsed time).

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use iocp_sim::explore::{self, search, ModelRules, Options, Stop, World};
use std::time::{Duration, Instant};

fn world() -> World {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sim-scenarios/explore/many-states.json"
    );
    let text = std::fs::read_to_string(path).expect("spec");
    World::new(&explore::parse(&text).expect("parses"), None).expect("world")
}

/// The CPU time this thread has used.
fn thread_cpu() -> Duration {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid timespec for the call to fill.
        let r = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        if r == 0 {
            return Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        }
    }
    thread_local!(static START: Instant = Instant::now());
    START.with(|s| s.elapsed())
}

/// Criterion measurement: CPU time of the calling thread.
struct ThreadCpuTime(WallTime);

impl Measurement for ThreadCpuTime {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        thread_cpu()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.0.formatter()
    }
}

fn run<M: Measurement>(mut g: BenchmarkGroup<'_, M>, w: &World, states: u64) {
    let opts = Options::default();
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(40))
        .throughput(Throughput::Elements(states));
    g.bench_function("many-states (windows, exhaustive, one core)", |b| {
        b.iter(|| {
            let s = search(w, &ModelRules, &opts, &mut |_| {}).expect("search");
            assert_eq!(s.store.len() as u64, states);
            s.transitions
        })
    });
    g.finish();
}

fn bench_wall(c: &mut Criterion) {
    let w = world();
    let first = search(&w, &ModelRules, &Options::default(), &mut |_| {}).expect("search");
    assert_eq!(first.stop, Stop::Exhausted);
    let states = first.store.len() as u64;
    eprintln!(
        "many-states.json: {states} distinct states, {} transitions, depth {}, {:.1} bytes/state ({} MiB held)",
        first.transitions,
        first.depth,
        first.store.bytes_per_state(),
        first.store.bytes() >> 20
    );
    drop(first);
    run(c.benchmark_group("explore/wall"), &w, states);
}

fn bench_cpu(c: &mut Criterion<ThreadCpuTime>) {
    let w = world();
    let states = search(&w, &ModelRules, &Options::default(), &mut |_| {})
        .expect("search")
        .store
        .len() as u64;
    run(c.benchmark_group("explore/cpu"), &w, states);
}

criterion_group!(wall, bench_wall);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime(WallTime));
    targets = bench_cpu
}
criterion_main!(wall, cpu);
