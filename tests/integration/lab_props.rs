//! Random lab configurations: every run ends, processes every completion,
//! respects the limit when it should, and obeys Little's law. Debug builds
//! also check at every wake that the lab and the kernel agree on the waiter.

use iocp_sim::lab::{run, Arrivals, BlockSpec, Dist, LabConfig, Policy, Rate};
use proptest::prelude::*;

fn dist() -> impl Strategy<Value = Dist> {
    prop_oneof![
        (0u64..300_000).prop_map(Dist::Const),
        (1u64..300_000).prop_map(|m| Dist::Exp(m as f64)),
        (0u64..100_000, 0u64..300_000).prop_map(|(a, b)| Dist::Uniform(a, a + b)),
    ]
}

fn config() -> impl Strategy<Value = LabConfig> {
    (
        (1u32..6, 1u32..12, 0u32..6, 0usize..3, any::<u64>()),
        (0usize..3, 0.05f64..2.0, dist()),
        proptest::option::of((0.0f64..=1.0, dist(), dist())),
        (
            1u64..100_000,
            0u64..10_000,
            proptest::option::of(0u64..500_000),
            0u64..50_000,
        ),
    )
        .prop_map(
            |((cpus, threads, conc, pol, seed), (proc_, load, service), block, sched)| {
                let service = match service {
                    Dist::Const(0) => Dist::Const(1),
                    d => d,
                };
                let rate = Rate::Load(load);
                LabConfig {
                    name: "prop".into(),
                    cpus,
                    threads,
                    concurrency: conc,
                    policy: Policy::ALL[pol],
                    completions: 1500,
                    seed,
                    arrivals: match proc_ {
                        0 => Arrivals::Poisson(rate),
                        1 => Arrivals::Uniform(rate),
                        _ => Arrivals::Trace(
                            (0..1500u64)
                                .map(|i| i * 37_000 + (i % 13) * 1000)
                                .collect::<Vec<_>>()
                                .into(),
                        ),
                    },
                    service,
                    block: block.map(|(p, time, after)| BlockSpec { p, time, after }),
                    quantum: 1000 + sched.0 * 10,
                    switch_cost: sched.1,
                    cold_after: sched.2,
                    cold_penalty: sched.3,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_configuration_runs_to_the_end_and_keeps_the_laws(cfg in config()) {
        let r = run(&cfg);
        prop_assert_eq!(r.completions, 1500);
        prop_assert_eq!(r.arrivals, 1500);
        prop_assert_eq!(r.dequeued, 1500);
        prop_assert!(r.cpu_util >= 0.0 && r.cpu_util <= 1.0 + 1e-9);
        if cfg.policy != Policy::Wine && cfg.block.is_none() {
            prop_assert!(r.max_current <= cfg.limit());
            prop_assert_eq!(r.over_limit_share, 0.0);
        }
        if cfg.cold_after.is_none() {
            prop_assert_eq!(r.cold_runs, 0);
        }
        let lambda = r.arrival_rate() / 1e9;
        let (l, lw) = (r.mean_waiting, lambda * r.latency_mean_all);
        prop_assert!((l - lw).abs() <= 1e-9 * l.max(1e-12) + 1e-12, "L {} vs λW {}", l, lw);
        prop_assert_eq!(run(&cfg), r);
    }
}

/// A cold penalty longer than the quantum, charged again at every resume
/// after a preemption, would grow the work for ever. Preempted threads pay
/// no penalty, so this overloaded run with a 1 us quantum and a 50 us
/// penalty ends.
#[test]
fn a_cold_penalty_longer_than_the_quantum_does_not_stop_the_run() {
    let cfg = LabConfig {
        name: "cold-vs-quantum".into(),
        cpus: 1,
        threads: 6,
        concurrency: 0,
        policy: Policy::Wine,
        completions: 1500,
        seed: 7,
        arrivals: Arrivals::Poisson(Rate::Load(1.5)),
        service: Dist::Exp(200_000.0),
        block: None,
        quantum: 1000,
        switch_cost: 5000,
        cold_after: Some(0),
        cold_penalty: 50_000,
    };
    let r = run(&cfg);
    assert_eq!(r.completions, 1500);
    assert!(r.cold_runs > 0 && r.cold_runs <= r.switches);
}
