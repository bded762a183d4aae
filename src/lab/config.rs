//! A lab configuration: the machine, the workload and the port policy of one
//! run, read from a TOML file. Every mistake is reported with the file, the
//! line and column, and the key (see [`ConfigError`]).
//!
//! This file holds what a configuration is ([`LabConfig`], [`Policy`], the
//! arrivals); the jobs around it have a file each: `config/read.rs` reads
//! the TOML ([`LabConfig::from_file`]), `config/error.rs` holds the errors,
//! `config/limits.rs` the bounds a run is checked against before it starts
//! (the lab's and `live`'s), `config/trace.rs` reads the files a
//! configuration names, `config/axis.rs` the sweep keys and values.
//!
//! ```toml
//! name = "echo server"
//! cpus = 4
//! threads = 8
//! concurrency = 0          # 0 = the number of cpus (as CreateIoCompletionPort)
//! policy = "lifo"          # lifo | fifo-limited | wine
//! completions = 100000
//! seed = 1
//!
//! [arrivals]               # completions arriving at the port
//! process = "poisson"      # poisson | uniform | trace
//! load = 0.8               # or: rate = 32000 (completions per second)
//!
//! [service]                # CPU time to process one completion
//! dist = "exp"             # exp | const | uniform
//! mean_us = 100
//!
//! [block]                  # after processing, the worker may block
//! p = 0.2
//! time = { dist = "exp", mean_us = 400 }
//! after = { dist = "const", mean_us = 10 }   # CPU time once it wakes, before get
//!
//! [scheduler]
//! quantum_us = 20000
//! switch_us = 3
//! cold_after_us = 500
//! cold_penalty_us = 20
//!
//! [sweep]                  # optional; --sweep on the command line overrides a key
//! threads = "1..16"
//! policy = ["lifo", "fifo-limited", "wine"]
//! ```

use std::sync::Arc;

use super::dist::Dist;

mod axis;
mod error;
mod limits;
mod read;
mod trace;

pub use axis::{parse_arg, parse_axis, value_spec, SweepAxis, SweepError, SweepKey, SweepValue};
pub use error::{ConfigError, TimeLimit};
pub use limits::{
    MAX_CONFIG_BYTES, MAX_LIVE_BACKLOG, MAX_LIVE_BLOCK_NS, MAX_LIVE_CPU_NS, MAX_LIVE_SECONDS,
    MAX_LIVE_THREADS, MAX_SLICES, MAX_TRACE_BYTES,
};
pub use trace::{read_limited, read_trace};

/// The longest run: every latency is kept (8 bytes each) for exact percentiles.
pub const MAX_COMPLETIONS: u64 = 20_000_000;
/// The longest simulated time a run may be expected to span, in
/// nanoseconds (about 3 years): far below what a `u64` clock holds
/// (584 years), so the random tails of the distributions cannot overflow it.
pub const MAX_SIM_NS: f64 = 1e17;

/// How the port wakes waiters and whether it keeps its concurrency limit:
/// the model's [`Policy`](crate::model::Policy), shared with the live port
/// and the command line.
pub use crate::model::Policy;

/// The mean arrival rate of completions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rate {
    /// Completions per second of simulated time.
    PerSecond(f64),
    /// A fraction of the machine's capacity: `load * cpus / mean service time`.
    Load(f64),
}

/// How completions arrive at the port.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// A Poisson process (exponential gaps): the first M in M/M/c.
    Poisson(Rate),
    /// Evenly spaced at the given rate.
    Uniform(Rate),
    /// At the given times (nanoseconds from the start, non-decreasing).
    Trace(Arc<[u64]>),
}

/// What a worker does after processing a completion, sometimes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockSpec {
    /// Probability that it blocks (rule 3) after processing a completion.
    pub p: f64,
    /// How long it stays blocked.
    pub time: Dist,
    /// CPU time it runs after it is unblocked (rule 4), before calling get.
    pub after: Dist,
}

/// One fully resolved lab run. Durations are nanoseconds of simulated time.
#[derive(Clone, Debug, PartialEq)]
pub struct LabConfig {
    /// A name for reports.
    pub name: String,
    /// Processors.
    pub cpus: u32,
    /// Worker threads, all on one port.
    pub threads: u32,
    /// The port's declared concurrency (0 = `cpus`).
    pub concurrency: u32,
    /// Wake order and limit.
    pub policy: Policy,
    /// The run ends when this many completions have been processed.
    pub completions: u64,
    /// Seed of every random stream.
    pub seed: u64,
    /// The arrival process.
    pub arrivals: Arrivals,
    /// CPU time to process one completion.
    pub service: Dist,
    /// Blocking after processing, if any.
    pub block: Option<BlockSpec>,
    /// Round-robin time slice.
    pub quantum: u64,
    /// Cost of putting a thread on a processor (a context switch).
    pub switch_cost: u64,
    /// A thread that has not run for longer than this runs cold (`None`:
    /// no cache model, nothing runs cold).
    pub cold_after: Option<u64>,
    /// Extra CPU time a cold run costs.
    pub cold_penalty: u64,
}

impl LabConfig {
    /// The port's effective limit: `concurrency`, or `cpus` when it is 0.
    pub fn limit(&self) -> u32 {
        if self.concurrency == 0 {
            self.cpus
        } else {
            self.concurrency
        }
    }

    /// Mean arrival rate in completions per second (for a trace: its count
    /// over its span).
    pub fn arrival_rate(&self) -> f64 {
        let rate = |r: Rate| match r {
            Rate::PerSecond(x) => x,
            Rate::Load(l) => l * self.cpus as f64 * 1e9 / self.service.mean(),
        };
        match &self.arrivals {
            Arrivals::Poisson(r) | Arrivals::Uniform(r) => rate(*r),
            Arrivals::Trace(t) => {
                let span = t.last().copied().unwrap_or(0).max(1);
                t.len() as f64 * 1e9 / span as f64
            }
        }
    }

    /// The offered load: arrival rate times mean service time over `cpus`.
    pub fn load(&self) -> f64 {
        self.arrival_rate() * self.service.mean() / 1e9 / self.cpus as f64
    }
}
