//! Sweeps: run one configuration over ranges of a few of its keys
//! (`threads=1..16`, `concurrency=0..8`, `policy=lifo,wine`), every
//! combination, in parallel, with results in a fixed order.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::config::{Arrivals, LabConfig, Rate};
// The axes are part of the configuration's language (`[sweep]`): they live
// in `config/axis.rs`, which then needs nothing from here.
pub use super::config::{
    parse_arg, parse_axis, value_spec, SweepAxis, SweepError, SweepKey, SweepValue,
};
use super::sim::{run, LabResult};

/// Sets one key of a configuration.
pub fn apply(config: &mut LabConfig, key: SweepKey, value: SweepValue) -> Result<(), SweepError> {
    match (key, value) {
        (SweepKey::Threads, SweepValue::Int(x)) => config.threads = x as u32,
        (SweepKey::Concurrency, SweepValue::Int(x)) => config.concurrency = x as u32,
        (SweepKey::Cpus, SweepValue::Int(x)) => config.cpus = x as u32,
        (SweepKey::Seed, SweepValue::Int(x)) => config.seed = x,
        (SweepKey::Policy, SweepValue::Policy(p)) => config.policy = p,
        (SweepKey::Load, SweepValue::Float(l)) => match &mut config.arrivals {
            Arrivals::Poisson(r) | Arrivals::Uniform(r) => *r = Rate::Load(l),
            Arrivals::Trace(_) => {
                return Err(SweepError::value(
                    "a trace has its own load: load cannot be swept",
                ))
            }
        },
        (k, v) => {
            return Err(SweepError::value(format!(
                "{v} is not a value for {}",
                k.as_str()
            )))
        }
    }
    Ok(())
}

/// One point of a sweep: the values of every swept key, and its configuration.
#[derive(Clone, Debug)]
pub struct Point {
    /// `(key, value)` for each axis, in axis order.
    pub values: Vec<(SweepKey, SweepValue)>,
    /// The configuration with those values set.
    pub config: LabConfig,
}

/// Every combination of the axes' values. An axis given twice keeps its
/// last occurrence. Axes are ordered by key, whatever order they were given
/// in: policy, cpus, load, seed, concurrency vary slowest, threads fastest,
/// so a table reads as one block per line of the plots.
pub fn expand(base: &LabConfig, axes: &[SweepAxis]) -> Result<Vec<Point>, SweepError> {
    let mut uniq: Vec<SweepAxis> = Vec::new();
    for a in axes {
        match uniq.iter_mut().find(|u| u.key == a.key) {
            Some(u) => *u = a.clone(),
            None => uniq.push(a.clone()),
        }
    }
    uniq.sort_by_key(|a| match a.key {
        SweepKey::Policy => 0,
        SweepKey::Cpus => 1,
        SweepKey::Load => 2,
        SweepKey::Seed => 3,
        SweepKey::Concurrency => 4,
        SweepKey::Threads => 5,
    });
    let total: usize = uniq.iter().map(|a| a.values.len()).product();
    if total > 1_000_000 {
        return Err(SweepError::value(format!(
            "the sweep has {total} points: too many"
        )));
    }
    let mut points = Vec::with_capacity(total);
    for i in 0..total {
        let mut rest = i;
        let mut values = Vec::with_capacity(uniq.len());
        for a in uniq.iter().rev() {
            values.push((a.key, a.values[rest % a.values.len()]));
            rest /= a.values.len();
        }
        values.reverse();
        let mut config = base.clone();
        for &(k, v) in &values {
            apply(&mut config, k, v)?;
        }
        config.check_time().map_err(SweepError::Time)?;
        points.push(Point { values, config });
    }
    Ok(points)
}

/// Runs every point on `jobs` threads; `tick` is called once per finished
/// point (on the calling thread). Workers take the next point from a shared
/// counter and send `(index, result)` back over a channel; results are put
/// back in the points' order, and each depends only on its own
/// configuration, so the output is the same for any number of jobs.
pub fn run_all(points: &[Point], jobs: usize, tick: &(dyn Fn() + Sync)) -> Vec<LabResult> {
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<LabResult>> = vec![None; points.len()];
    let jobs = jobs.clamp(1, points.len().max(1));
    let (done_tx, done_rx) = crossbeam_channel::unbounded();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let done_tx = done_tx.clone();
            let next = &next;
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(p) = points.get(i) else { break };
                if done_tx.send((i, run(&p.config))).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        for (i, r) in done_rx {
            slots[i] = Some(r);
            tick();
        }
    });
    slots
        .into_iter()
        .map(|r| r.expect("every point ran"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::Policy;

    #[test]
    fn ranges_are_inclusive_and_lists_parse() {
        let a = parse_arg("threads=1..16").unwrap();
        assert_eq!(a.values.len(), 16);
        let c = parse_arg("concurrency=0..8").unwrap();
        assert_eq!(c.values.first(), Some(&SweepValue::Int(0)));
        assert_eq!(c.values.len(), 9);
        let p = parse_arg("policy=lifo,fifo-limited,wine").unwrap();
        assert_eq!(p.values[1], SweepValue::Policy(Policy::FifoLimited));
        assert_eq!(parse_arg("threads=2..=4").unwrap().values.len(), 3);
    }

    #[test]
    fn bad_sweeps_are_explained() {
        assert!(parse_arg("thread=1..4")
            .unwrap_err()
            .to_string()
            .contains("cannot be swept"));
        assert!(parse_arg("threads=4..1")
            .unwrap_err()
            .to_string()
            .contains("empty"));
        assert!(parse_arg("threads=0..3")
            .unwrap_err()
            .to_string()
            .contains("out of range"));
        assert!(parse_arg("policy=lifo,fast")
            .unwrap_err()
            .to_string()
            .contains("unknown policy"));
        assert!(parse_arg("threads")
            .unwrap_err()
            .to_string()
            .contains("KEY=VALUES"));
    }
}
