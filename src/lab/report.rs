//! Reports of lab runs: a text table, CSV, and SVG plots against thread count.

use std::fmt::Write;

use super::config::{LabConfig, Policy};
use super::sim::LabResult;
use super::svg::{line_chart, Series};
use super::sweep::{Point, SweepKey, SweepValue};

/// The CSV header (one row per configuration follows).
pub const CSV_HEADER: &str = "name,cpus,threads,concurrency,limit,policy,load,seed,completions,\
sim_time_s,events,throughput_per_s,latency_p50_us,latency_p99_us,latency_mean_us,cpu_util,\
switches,switches_per_completion,preemptions,cold_runs,over_limit_share,max_current,mean_waiting,\
arrival_rate_per_s,waited_share";

fn us(ns: f64) -> f64 {
    ns / 1000.0
}

/// One CSV row.
pub fn csv_row(c: &LabConfig, r: &LabResult) -> String {
    let name = if c.name.contains([',', '"', '\n']) {
        format!("\"{}\"", c.name.replace('"', "\"\""))
    } else {
        c.name.clone()
    };
    format!(
        "{name},{},{},{},{},{},{:.4},{},{},{:.6},{},{:.1},{:.2},{:.2},{:.2},{:.4},{},{:.4},{},{},{:.4},{},{:.4},{:.1},{:.4}",
        c.cpus,
        c.threads,
        c.concurrency,
        c.limit(),
        c.policy.as_str(),
        c.load(),
        c.seed,
        r.completions,
        r.sim_time as f64 / 1e9,
        r.events,
        r.throughput,
        us(r.latency_p50 as f64),
        us(r.latency_p99 as f64),
        us(r.latency_mean),
        r.cpu_util,
        r.switches,
        r.switches_per_completion(),
        r.preemptions,
        r.cold_runs,
        r.over_limit_share,
        r.max_current,
        r.mean_waiting,
        r.arrival_rate(),
        r.waited_share,
    )
}

/// The whole CSV file.
pub fn csv(points: &[Point], results: &[LabResult]) -> String {
    let mut o = String::from(CSV_HEADER);
    o.push('\n');
    for (p, r) in points.iter().zip(results) {
        o.push_str(&csv_row(&p.config, r));
        o.push('\n');
    }
    o
}

/// A description of the configuration a table describes.
pub fn describe(c: &LabConfig) -> String {
    let mut s = format!(
        "{}: {} cpus, {} threads, concurrency {} (limit {}), policy {}, {} completions, seed {}\n",
        c.name,
        c.cpus,
        c.threads,
        c.concurrency,
        c.limit(),
        c.policy.as_str(),
        c.completions,
        c.seed
    );
    let _ = write!(
        s,
        "  arrivals {:.0}/s (load {:.2}), service {}",
        c.arrival_rate(),
        c.load(),
        c.service.describe()
    );
    if let Some(b) = &c.block {
        let _ = write!(
            s,
            ", block p={} for {} then {}",
            b.p,
            b.time.describe(),
            b.after.describe()
        );
    }
    let _ = write!(
        s,
        "\n  quantum {}, switch {}, ",
        super::dist::fmt_us(c.quantum as f64),
        super::dist::fmt_us(c.switch_cost as f64),
    );
    match c.cold_after {
        Some(after) => {
            let _ = writeln!(
                s,
                "cold after {} costs {}",
                super::dist::fmt_us(after as f64),
                super::dist::fmt_us(c.cold_penalty as f64)
            );
        }
        None => s.push_str("no cache model\n"),
    }
    s
}

/// The text table: one line per point, its swept values then its measures.
pub fn table(points: &[Point], results: &[LabResult]) -> String {
    let keys: Vec<SweepKey> = points
        .first()
        .map(|p| p.values.iter().map(|v| v.0).collect())
        .unwrap_or_default();
    let mut head: Vec<String> = keys.iter().map(|k| k.as_str().to_owned()).collect();
    head.extend(
        [
            "throughput/s",
            "p50 us",
            "p99 us",
            "cpu %",
            "cs/compl",
            "over-limit %",
            "cold runs",
        ]
        .map(str::to_owned),
    );
    let mut rows = vec![head];
    for (p, r) in points.iter().zip(results) {
        let mut row: Vec<String> = p.values.iter().map(|v| v.1.to_string()).collect();
        row.push(format!("{:.0}", r.throughput));
        row.push(format!("{:.1}", us(r.latency_p50 as f64)));
        row.push(format!("{:.1}", us(r.latency_p99 as f64)));
        row.push(format!("{:.1}", r.cpu_util * 100.0));
        row.push(format!("{:.3}", r.switches_per_completion()));
        row.push(format!("{:.2}", r.over_limit_share * 100.0));
        row.push(r.cold_runs.to_string());
        rows.push(row);
    }
    let n = rows[0].len();
    let widths: Vec<usize> = (0..n)
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    let mut o = String::new();
    for (j, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:>w$}", w = widths[i]))
            .collect();
        o.push_str(cells.join("  ").trim_end());
        o.push('\n');
        if j == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            o.push_str(&rule.join("  "));
            o.push('\n');
        }
    }
    o
}

/// A single run, as labelled lines.
pub fn single(r: &LabResult) -> String {
    format!(
        "  throughput        {:.0} completions/s ({} in {:.4} s simulated)\n\
         \x20 latency           p50 {:.1} us, p99 {:.1} us, mean {:.1} us (completion to dequeue); {:.2} % waited\n\
         \x20 queue             L = {:.3} completions waiting on average; λ = {:.0}/s, W = {:.1} us: λW = {:.3} (Little's law)\n\
         \x20 cpu utilisation   {:.1} %\n\
         \x20 context switches  {:.3} per completion ({} in all, {} preemptions)\n\
         \x20 RTL over limit    {:.2} % of the time (largest current {})\n\
         \x20 cold-cache runs   {}\n\
         \x20 events            {}\n",
        r.throughput,
        r.completions,
        r.sim_time as f64 / 1e9,
        us(r.latency_p50 as f64),
        us(r.latency_p99 as f64),
        us(r.latency_mean),
        r.waited_share * 100.0,
        r.mean_waiting,
        r.arrival_rate(),
        us(r.latency_mean_all),
        r.arrival_rate() * r.latency_mean_all / 1e9,
        r.cpu_util * 100.0,
        r.switches_per_completion(),
        r.switches,
        r.preemptions,
        r.over_limit_share * 100.0,
        r.max_current,
        r.cold_runs,
        r.events
    )
}

/// A measure plotted against the x axis.
pub struct Measure {
    /// File stem, e.g. `throughput`.
    pub file: &'static str,
    /// Chart title.
    pub title: &'static str,
    /// Axis label.
    pub label: &'static str,
    /// The value of a run.
    pub value: fn(&LabResult) -> f64,
    /// Plot on a logarithmic axis.
    pub log: bool,
}

/// The plotted measures: throughput, context switches, p99 latency, cold runs.
pub const MEASURES: [Measure; 4] = [
    Measure {
        file: "throughput",
        title: "Throughput",
        label: "completions per second",
        value: |r| r.throughput,
        log: false,
    },
    Measure {
        file: "switches",
        title: "Context switches per completion",
        label: "context switches / completion",
        value: |r| r.switches_per_completion(),
        log: false,
    },
    Measure {
        file: "latency_p99",
        title: "Latency, 99th percentile (completion to dequeue)",
        label: "microseconds (log scale)",
        value: |r| r.latency_p99 as f64 / 1000.0,
        log: true,
    },
    Measure {
        file: "cold_runs",
        title: "Cold-cache runs per completion",
        label: "cold runs / completion",
        value: |r| r.cold_runs as f64 / r.completions.max(1) as f64,
        log: false,
    },
];

/// The key plotted along x: `threads` if swept, else the first numeric axis.
pub fn x_key(points: &[Point]) -> Option<SweepKey> {
    let keys: Vec<SweepKey> = points.first()?.values.iter().map(|v| v.0).collect();
    if keys.contains(&SweepKey::Threads) {
        return Some(SweepKey::Threads);
    }
    keys.into_iter().find(|k| *k != SweepKey::Policy)
}

fn as_f64(v: SweepValue) -> f64 {
    match v {
        SweepValue::Int(x) => x as f64,
        SweepValue::Float(x) => x,
        SweepValue::Policy(_) => 0.0,
    }
}

/// The series of one measure: one line per combination of the other swept
/// keys (concurrency, policy, ...), in first-seen order.
pub fn series(points: &[Point], results: &[LabResult], x: SweepKey, m: &Measure) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for (p, r) in points.iter().zip(results) {
        let mut label_parts = Vec::new();
        let mut xv = 0.0;
        for &(k, v) in &p.values {
            if k == x {
                xv = as_f64(v);
            } else if k == SweepKey::Policy {
                label_parts.push(v.to_string());
            } else if k == SweepKey::Concurrency && v == SweepValue::Int(0) {
                label_parts.push(format!("concurrency=0 (={})", p.config.cpus));
            } else {
                label_parts.push(format!("{}={v}", k.as_str()));
            }
        }
        let label = if label_parts.is_empty() {
            p.config.policy.as_str().to_owned()
        } else {
            label_parts.join(" ")
        };
        let y = (m.value)(r);
        match out.iter_mut().find(|s| s.label == label) {
            Some(s) => s.points.push((xv, y)),
            None => out.push(Series {
                label,
                points: vec![(xv, y)],
            }),
        }
    }
    for s in &mut out {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    out
}

/// Every plot of a sweep as `(file name, SVG text)`; empty if nothing is swept.
pub fn plots(points: &[Point], results: &[LabResult]) -> Vec<(String, String)> {
    let Some(x) = x_key(points) else {
        return Vec::new();
    };
    let x_label = match x {
        SweepKey::Threads => "worker threads",
        SweepKey::Concurrency => "concurrency value",
        SweepKey::Cpus => "processors",
        SweepKey::Load => "offered load",
        SweepKey::Seed => "seed",
        SweepKey::Policy => "policy",
    };
    MEASURES
        .iter()
        .map(|m| {
            let s = series(points, results, x, m);
            let dash = |s: &Series| {
                if s.label.contains(Policy::Wine.as_str()) {
                    2
                } else if s.label.contains(Policy::FifoLimited.as_str()) {
                    1
                } else {
                    0
                }
            };
            (
                format!("{}.svg", m.file),
                line_chart(m.title, x_label, m.label, &s, &dash, m.log),
            )
        })
        .collect()
}
