//! Explorer speed: distinct states per second on one core, exhaustively
//! exploring `sim-scenarios/explore/many-states.json` (3,963,641 states,
//! 16.5 million transitions, each checked against properties 1-7, plus one
//! forbidden call probed per state).
//!
//! Run: `cargo bench --bench explore`. Criterion's "thrpt" line is in
//! states per second (one element = one distinct state).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iocp_sim::explore::{self, search, ModelRules, Options, Stop, World};
use std::time::Duration;

fn world() -> World {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sim-scenarios/explore/many-states.json"
    );
    let text = std::fs::read_to_string(path).expect("spec");
    World::new(&explore::parse(&text).expect("parses"), None).expect("world")
}

fn bench(c: &mut Criterion) {
    let w = world();
    let opts = Options::default();
    let first = search(&w, &ModelRules, &opts, &mut |_| {}).expect("search");
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
    let mut g = c.benchmark_group("explore");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(40))
        .throughput(Throughput::Elements(states));
    g.bench_function("many-states (windows, exhaustive, one core)", |b| {
        b.iter(|| {
            let s = search(&w, &ModelRules, &opts, &mut |_| {}).expect("search");
            assert_eq!(s.store.len() as u64, states);
            s.transitions
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
