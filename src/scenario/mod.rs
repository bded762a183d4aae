//! Scenario files, format `iocp-sim/1` (see `docs/scenario-format.md`).
//!
//! A scenario is the world (ports, threads, devices) and a list of steps.
//! [`load`] reads a whole file; [`stream`] reads its steps one at a time in
//! flat memory. Both resolve every name to a model id and check every step
//! before it runs, so a mistake is reported with the file and the line and
//! column (JSON mistakes) or the step number, its op and the reason.

mod error;
mod expect;
pub mod generate;
mod lookup;
mod parse;
pub(crate) mod raw;
mod resolve;
pub mod schema;
mod split;
mod text;
pub mod write;

use crate::model::{Action, Flavor, KernelConfig, Names};

pub use error::{IdKind, Problem, ScenarioError};
pub use expect::{DeviceExpect, Expect, Mismatch, PacketExpect, PortExpect, StateWord};
pub use parse::{load, load_str, stream, Sink};
pub use text::{Text, FALLBACK_MARK};

/// The only format version this build understands.
pub const FORMAT: &str = "iocp-sim/1";

/// A declared port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortDecl {
    /// Its id.
    pub id: String,
    /// NumberOfConcurrentThreads (0: the number of CPUs).
    pub concurrency: u32,
}

/// A declared device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceDecl {
    /// Its id.
    pub id: String,
    /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
    pub skip_on_success: bool,
}

/// Everything in a scenario except its steps.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct World {
    /// One-line title.
    pub title: Text,
    /// Free text shown before step 1.
    pub description: Option<Text>,
    /// The flavour the file asks for (a command-line flag may override it).
    pub flavor: Flavor,
    /// Number of processors.
    pub cpus: u32,
    /// Ports, in declaration order (their ids are `PortId(0..)`).
    pub ports: Vec<PortDecl>,
    /// Threads, in declaration order.
    pub threads: Vec<String>,
    /// Devices, in declaration order.
    pub devices: Vec<DeviceDecl>,
}

impl World {
    /// The model configuration for this world in `flavor`.
    pub fn kernel_config(&self, flavor: Flavor) -> KernelConfig {
        KernelConfig {
            flavor,
            cpus: self.cpus,
            ports: self.ports.iter().map(|p| p.concurrency).collect(),
            threads: self.threads.len(),
            devices: self.devices.iter().map(|d| d.skip_on_success).collect(),
        }
    }

    /// A name table for this world (labels are interned as steps are read).
    pub fn names(&self) -> Names {
        Names::new(
            self.ports.iter().map(|p| p.id.clone()).collect(),
            self.threads.clone(),
            self.devices.iter().map(|d| d.id.clone()).collect(),
        )
    }
}

/// One step, resolved and checked.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Step {
    /// 1-based position in the file.
    pub number: usize,
    /// The action, or `None` for a step that only checks or narrates.
    pub action: Option<Action>,
    /// Narration written by the scenario's author.
    pub note: Option<Text>,
    /// What must hold after the step.
    pub expect: Option<Expect>,
}

/// A whole scenario in memory.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Where it came from (a path, or a name given to [`load_str`]).
    pub source: String,
    /// Ports, threads, devices, title.
    pub world: World,
    /// Steps, in order.
    pub steps: Vec<Step>,
    /// Names of every id, including the labels the steps use.
    pub names: Names,
}
