//! `run --json` on a generated 240,000-step scenario, end to end through the
//! library (read, resolve, simulate, check expectations, write JSON to a sink).
//! Compare with Python's `json.load` of the same file: see docs/benchmarks.md.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iocp_sim::scenario::generate;

const STEPS: usize = 240_000;

fn scenario_file() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("workload-{STEPS}.json"));
    if !path.exists() {
        std::fs::write(&path, generate::workload(STEPS)).expect("write the generated scenario");
    }
    path
}

fn bench(c: &mut Criterion) {
    let path = scenario_file();
    eprintln!(
        "scenario: {} ({} bytes)",
        path.display(),
        std::fs::metadata(&path).unwrap().len()
    );
    let mut g = c.benchmark_group("run_json");
    g.sample_size(10);
    g.throughput(Throughput::Elements(STEPS as u64));
    g.bench_function("240k_steps", |b| {
        b.iter(|| {
            let failed = iocp_sim::cli::run::write_json(&path, None, None, std::io::sink())
                .expect("the generated scenario runs");
            assert_eq!(failed, 0);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
