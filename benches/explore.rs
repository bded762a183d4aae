//! Explorer speed: distinct states per second on one core, exhaustively
//! exploring `sim-scenarios/explore/many-states.json` (6,132,791 states,
//! 25.6 million transitions, each checked against properties 1-7, plus one
//! forbidden call probed per state); the same on two threads; and with
//! symmetry, that spec (74,925 orbits) and twelve blocking workers
//! (concurrency 2, 12 posts, 2 packets each: 1,044,249 orbits), whose
//! unreduced state space (205,165,153,783,854 states, counted from the
//! orbits) is far too large to search.
//!
//! Run: `cargo bench --bench explore`. Criterion's "thrpt" lines are in
//! states per second (one element = one distinct state). Two groups:
//! `explore/wall` measures elapsed time, as usual; `explore/cpu` measures
//! the CPU time of the (single) thread doing the search, which is what "on
//! one core" means when the machine is shared and the process does not get
//! a whole core (on Linux; elsewhere it falls back to elapsed time).
//! `explore/threads` runs the search on two threads (elapsed time),
//! `explore/symmetry` with the symmetry reduction (one thread, elapsed
//! time), and `explore/spin-shape` the SPIN comparison's 5/2/8/2 and
//! 6/2/12/2 searches with no probes (CPU time of the search thread; SPIN
//! itself is timed by `../shared/bench/spin/compare.sh`).

use criterion::measurement::{Measurement, WallTime};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use iocp_sim::explore::{self, search, ModelRules, Options, Stop, World};
use std::time::Duration;

fn world() -> World {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../sim-scenarios/explore/many-states.json"
    );
    let text = std::fs::read_to_string(path).expect("spec");
    World::new(&explore::parse(&text).expect("parses"), None).expect("world")
}

#[path = "common/cpu_time.rs"]
mod cpu_time;
use cpu_time::ThreadCpuTime;

/// The SPIN comparison's shape (docs/explore.md, `../shared/bench/spin/`):
/// `n` blocking workers, concurrency `limit`, `posts` posts, `packets` each.
fn spin_shape(n: u32, limit: u32, posts: u32, packets: u32) -> World {
    let text = format!(
        r#"{{ "format": "iocp-sim-explore/1", "title": "{n} blocking workers, concurrency {limit}, {posts} posts, {packets} packets each",
        "ports": [{{ "id": "P", "concurrency": {limit} }}],
        "threads": [{{ "id": "W", "count": {n}, "get": {{ "port": "P" }}, "block": "Sleep(10)", "packets": {packets} }}],
        "environment": {{ "posts": [{{ "port": "P", "key": 1, "count": {posts} }}] }} }}"#
    );
    World::new(&explore::parse(&text).expect("parses"), None).expect("world")
}

/// Twelve workers of the SPIN comparison's shape.
fn twelve_workers() -> World {
    spin_shape(12, 2, 12, 2)
}

fn bench_one<M: Measurement>(
    g: &mut BenchmarkGroup<'_, M>,
    name: &str,
    w: &World,
    opts: &Options,
    states: u64,
) {
    g.throughput(Throughput::Elements(states));
    g.bench_function(name, |b| {
        b.iter(|| {
            let s = search(w, &ModelRules, opts, &mut |_| {}).expect("search");
            assert_eq!(s.store.len() as u64, states);
            s.transitions
        })
    });
}

fn run<M: Measurement>(mut g: BenchmarkGroup<'_, M>, w: &World, states: u64) {
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(40));
    let name = "many-states (windows, exhaustive, one core)";
    bench_one(&mut g, name, w, &Options::default(), states);
    g.finish();
}

fn bench_threads(c: &mut Criterion) {
    let w = world();
    let opts = Options {
        threads: 2,
        ..Options::default()
    };
    let states = search(&w, &ModelRules, &opts, &mut |_| {})
        .expect("search")
        .store
        .len() as u64;
    let mut g = c.benchmark_group("explore/threads");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    let name = "many-states (windows, exhaustive, two threads)";
    bench_one(&mut g, name, &w, &opts, states);
    g.finish();
}

fn bench_symmetry(c: &mut Criterion) {
    let opts = Options {
        symmetry: true,
        ..Options::default()
    };
    let mut g = c.benchmark_group("explore/symmetry");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    for (name, w) in [
        ("many-states (windows, --symmetry, one core)", world()),
        (
            "12 workers (windows, --symmetry, one core)",
            twelve_workers(),
        ),
    ] {
        let s = search(&w, &ModelRules, &opts, &mut |_| {}).expect("search");
        assert_eq!(s.stop, Stop::Exhausted);
        let concrete = s.concrete().expect("an exhaustive search's concrete size");
        eprintln!(
            "{name}: {} orbits, {} transitions, depth {}, {:.1} bytes/state; they stand for {} distinct states and {} transitions",
            s.store.len(),
            s.transitions,
            s.depth,
            s.store.bytes_per_state(),
            concrete.states,
            concrete.transitions
        );
        let states = s.store.len() as u64;
        drop(s);
        bench_one(&mut g, name, &w, &opts, states);
    }
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

/// The SPIN comparison's searches (`explore --no-probes --threads 1`), CPU
/// time of the search thread: 5/2/8/2 (322,502 states, the size the
/// instruction counts of docs/explore.md are taken on) and 6/2/12/2
/// (8,024,256 states, the first row of its table).
fn bench_spin_shape(c: &mut Criterion<ThreadCpuTime>) {
    let opts = Options {
        probe_invalid: false,
        ..Options::default()
    };
    let mut g = c.benchmark_group("explore/spin-shape");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    for (name, w, states) in [
        (
            "5/2/8/2 (no probes, one core)",
            spin_shape(5, 2, 8, 2),
            322_502,
        ),
        (
            "6/2/12/2 (no probes, one core)",
            spin_shape(6, 2, 12, 2),
            8_024_256,
        ),
    ] {
        bench_one(&mut g, name, &w, &opts, states);
    }
    g.finish();
}

criterion_group!(wall, bench_wall, bench_threads, bench_symmetry);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime(WallTime));
    targets = bench_cpu, bench_spin_shape
}
criterion_main!(wall, cpu);
