//! Speed of the workload lab, in simulated events per second (one event is
//! an arrival, the end of a time slice, or an unblock; each drives the model).
//! Target: at least 5 million per second on one core.
//!
//! `cargo bench --bench lab`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iocp_sim::lab::{run, LabConfig};

fn config(threads: u32, policy: &str, block: bool) -> LabConfig {
    let block = if block {
        "[block]\np = 0.2\ntime = { dist = \"exp\", mean_us = 400 }\nafter = { dist = \"const\", mean_us = 10 }\n"
    } else {
        ""
    };
    let text = format!(
        r#"
        cpus = 4
        threads = {threads}
        policy = "{policy}"
        completions = 50000
        seed = 1
        [arrivals]
        process = "poisson"
        load = 0.9
        [service]
        dist = "exp"
        mean_us = 100
        [scheduler]
        quantum_us = 200
        switch_us = 3
        cold_after_us = 500
        cold_penalty_us = 20
        {block}
        "#
    );
    LabConfig::from_toml(&text, "bench.toml", Path::new("."))
        .expect("valid")
        .0
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("lab");
    for (name, cfg) in [
        ("mmc_4cpu_4thr_lifo", config(4, "lifo", false)),
        ("block_4cpu_8thr_lifo", config(8, "lifo", true)),
        (
            "block_4cpu_16thr_fifo_limited",
            config(16, "fifo-limited", true),
        ),
        ("block_4cpu_16thr_wine", config(16, "wine", true)),
    ] {
        let events = run(&cfg).events;
        g.throughput(Throughput::Elements(events));
        g.bench_function(name, |b| b.iter(|| run(&cfg)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
