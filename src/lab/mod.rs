//! The workload lab: a discrete-event simulation, in simulated time, of
//! worker threads on processors around one completion port, to measure what
//! the concurrency limit and the LIFO wake buy.
//!
//! Every port decision is made by the model ([`crate::model::Kernel`]),
//! in the flavour the [`Policy`] names; the lab adds processors, a
//! round-robin scheduler, context-switch and cold-cache costs, and a
//! workload. Runs are deterministic: same configuration and seed, same
//! result on every machine (integer time, a seeded generator of our own,
//! a logarithm from IEEE basic operations only).
//!
//! * [`config`]: the TOML configuration and its errors.
//! * [`sim`]: the simulation itself ([`run`]).
//! * [`sweep`]: many configurations, in parallel, in a fixed order.
//! * [`theory`]: the M/M/c formulas the lab is tested against.
//! * [`report`]: the table, CSV and SVG plots of a sweep.

pub mod config;
pub mod dist;
pub mod report;
pub mod rng;
pub mod sim;
pub mod svg;
pub mod sweep;
pub mod theory;

pub use config::{Arrivals, BlockSpec, ConfigError, LabConfig, Policy, Rate};
pub use dist::Dist;
pub use sim::{run, LabResult};
pub use sweep::{SweepAxis, SweepKey, SweepValue};
