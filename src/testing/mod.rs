//! Property testing against the model (feature `proptest`).
//!
//! Three tools for server engineers who want to assert port behaviour in
//! their own property tests:
//!
//! * [`strategy`]: proptest strategies for small random worlds
//!   ([`WorldShape`]) and for sequences of actions on them ([`Case`]), either
//!   a mix of valid and invalid actions ([`strategy::case`]) or only actions
//!   the model accepts ([`strategy::valid_case`]).
//! * [`shadow`]: an independent checker. It derives from the actions alone
//!   which packets must exist and in which order they entered each port,
//!   which threads wait in each WTQ and which OVERLAPPEDs are in use, and
//!   compares that with what the model did, step by step, on top of
//!   [`crate::model::properties::check_step`].
//! * [`machine`]: a reference state machine for `proptest-state-machine`,
//!   so that *your own* port-like implementation can be run side by side
//!   with the model, with shrinking to the shortest failing sequence.
//!
//! See `docs/library.md` for a guide and `examples/` for complete programs.

use std::fmt;

use crate::model::{Action, Flavor, KernelConfig, Names};
use crate::scenario::{DeviceDecl, PortDecl, Text, World};

pub mod machine;
pub mod shadow;
pub mod strategy;

/// Size of the pool of OVERLAPPED labels the strategies use (`ov0..ov3`).
pub const OVS: u32 = 4;

/// The shape of a small world: what [`KernelConfig`] needs, minus the flavour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldShape {
    /// Number of processors (used by ports with concurrency 0).
    pub cpus: u32,
    /// Each port's declared concurrency, in id order.
    pub ports: Vec<u32>,
    /// Number of threads.
    pub threads: usize,
    /// Each device's skip-on-success flag, in id order.
    pub devices: Vec<bool>,
}

impl WorldShape {
    /// The kernel configuration of this world in `flavor`.
    pub fn config(&self, flavor: Flavor) -> KernelConfig {
        KernelConfig {
            flavor,
            cpus: self.cpus,
            ports: self.ports.clone(),
            threads: self.threads,
            devices: self.devices.clone(),
        }
    }

    /// This world as a scenario's world in `flavor`, titled `title`, with
    /// no description and the ids [`WorldShape::names`] gives (`P0..`,
    /// `T0..`, `D0..`).
    pub fn scenario_world(&self, flavor: Flavor, title: Text) -> World {
        World {
            title,
            description: None,
            flavor,
            cpus: self.cpus,
            ports: (self.ports.iter().enumerate())
                .map(|(i, &concurrency)| PortDecl {
                    id: format!("P{i}"),
                    concurrency,
                })
                .collect(),
            threads: (0..self.threads).map(|i| format!("T{i}")).collect(),
            programs: Vec::new(),
            devices: (self.devices.iter().enumerate())
                .map(|(i, &skip_on_success)| DeviceDecl {
                    id: format!("D{i}"),
                    skip_on_success,
                })
                .collect(),
        }
    }

    /// Names `P0..`, `T0..`, `D0..` and `ov0..ov3` (what [`fmt_action`] shows).
    pub fn names(&self) -> Names {
        let mut n = Names::new(
            (0..self.ports.len()).map(|i| format!("P{i}")).collect(),
            (0..self.threads).map(|i| format!("T{i}")).collect(),
            (0..self.devices.len()).map(|i| format!("D{i}")).collect(),
        );
        for i in 0..OVS {
            n.intern_overlapped(&format!("ov{i}"));
        }
        n.intern_status("ERROR_NETNAME_DELETED");
        n
    }
}

/// One generated test case: a world, a flavour and the actions to apply.
///
/// Its `Debug` form is a numbered list of actions, which is what proptest
/// prints for a shrunk failure.
#[derive(Clone, PartialEq, Eq)]
pub struct Case {
    /// Windows or Wine.
    pub flavor: Flavor,
    /// The world.
    pub world: WorldShape,
    /// The actions, in order.
    pub actions: Vec<Action>,
}

impl Case {
    /// The kernel configuration to start from.
    pub fn config(&self) -> KernelConfig {
        self.world.config(self.flavor)
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.world;
        writeln!(
            f,
            "{} world: cpus {}, ports (concurrency) {:?}, {} threads, devices (skip_on_success) {:?}",
            self.flavor.as_str(),
            w.cpus,
            w.ports,
            w.threads,
            w.devices
        )?;
        let names = w.names();
        for (i, a) in self.actions.iter().enumerate() {
            writeln!(f, "  {:>2}. {}", i + 1, fmt_action(a, &names))?;
        }
        Ok(())
    }
}

/// One action as a line, in the English words of the text view, with
/// ids named by `names` (for generated cases, [`WorldShape::names`]):
/// `T0 calls get on P1 (timeout infinite)`.
pub fn fmt_action(a: &Action, names: &Names) -> String {
    crate::narrate::action(a, names, crate::narrate::Lang::En)
}
