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
use crate::program::spec::ThreadSpec;
use crate::program::Program;

pub use error::{IdKind, Problem, ScenarioError};
pub use expect::{DeviceExpect, Expect, Mismatch, PacketExpect, PortExpect, StateWord};
pub(crate) use parse::{from_json, read_format, read_text};
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
    /// Threads, in declaration order (a thread entry with `count: n`
    /// declares n of them, `<id>1` ... `<id>n`).
    pub threads: Vec<String>,
    /// The threads' programs, when the file gives them: the thread
    /// entries written as objects (the explorer's program language, see
    /// [`ThreadSpec`]), in declaration order. Empty, or one entry per
    /// declaration, covering every thread (checked when the file is read).
    pub programs: Vec<ThreadSpec>,
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

    /// A name table for this world: the programs' labels first, then the
    /// steps' labels as the steps are read.
    pub fn names(&self) -> Names {
        let mut names = Names::new(
            self.ports.iter().map(|p| p.id.clone()).collect(),
            self.threads.clone(),
            self.devices.iter().map(|d| d.id.clone()).collect(),
        );
        for t in &self.programs {
            if let Some(b) = &t.block {
                names.intern_label(&b.on);
            }
        }
        names
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
    /// In a scenario whose threads have programs: the step is a call its
    /// thread makes outside its program (`"off_program": true`), so it is
    /// not checked against the program's next call.
    pub off_program: bool,
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
    /// Names of every id, including the labels the steps and the
    /// programs use.
    pub names: Names,
}

impl Scenario {
    /// Each thread's program resolved against the scenario's names (where
    /// the programs' labels are), or `None` when the threads have none.
    pub fn programs(&self) -> Option<Vec<Program>> {
        resolve_programs(&self.world.programs, &self.names)
    }
}

/// `specs` (a world's thread entries with programs) resolved to one
/// program per thread against `names`, which has their labels (a
/// scenario's names: [`World::names`] puts them first); `None` when there
/// are none, or when one names a port `names` does not have (a world
/// read from a file has only declared ports).
pub(crate) fn resolve_programs(specs: &[ThreadSpec], names: &Names) -> Option<Vec<Program>> {
    if specs.is_empty() {
        return None;
    }
    // The labels are there already: interning them in a copy finds them.
    let mut names = names.clone();
    let mut out = Vec::new();
    for t in specs {
        let p = Program::resolve(t, &mut names).ok()?;
        for _ in 0..t.count.unwrap_or(1) {
            out.push(p.clone());
        }
    }
    Some(out)
}
