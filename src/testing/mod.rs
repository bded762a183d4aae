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

use crate::model::{Action, Flavor, KernelConfig, Names, OvId, StatusId, ThreadId, Timeout};

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

    /// Names `P0..`, `T0..`, `D0..` and `ov0..ov3`, as [`fmt_action`] writes them.
    pub fn names(&self) -> Names {
        let mut n = Names::new(
            (0..self.ports.len()).map(|i| format!("P{i}")).collect(),
            (0..self.threads).map(|i| format!("T{i}")).collect(),
            (0..self.devices.len()).map(|i| format!("D{i}")).collect(),
        );
        for i in 0..OVS {
            n.intern_overlapped(&format!("ov{i}"));
        }
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
        for (i, a) in self.actions.iter().enumerate() {
            writeln!(f, "  {:>2}. {}", i + 1, fmt_action(a))?;
        }
        Ok(())
    }
}

fn fmt_timeout(t: Timeout) -> String {
    match t {
        Timeout::Infinite => "INFINITE".into(),
        Timeout::Ms(ms) => format!("{ms}ms"),
    }
}

fn fmt_ov(ov: Option<OvId>) -> String {
    match ov {
        Some(o) => format!("ov{}", o.0),
        None => "null".into(),
    }
}

/// `, by T1` for a call made by a scenario thread, nothing otherwise.
fn fmt_by(by: Option<ThreadId>) -> String {
    by.map_or(String::new(), |t| format!(", by T{}", t.0))
}

fn fmt_status(s: StatusId) -> &'static str {
    match s {
        StatusId::SUCCESS => "success",
        StatusId::OPERATION_ABORTED => "ERROR_OPERATION_ABORTED",
        _ => "ERROR_NETNAME_DELETED",
    }
}

/// One action as a short line, with ids named as [`WorldShape::names`] names
/// them (`get(T0, P1, INFINITE)`).
pub fn fmt_action(a: &Action) -> String {
    match *a {
        Action::Associate { device, port, key } => {
            format!("associate(D{}, P{}, key {key})", device.0, port.0)
        }
        Action::Issue {
            device,
            overlapped,
            inline,
            by,
        } => match inline {
            None => format!("issue(D{}, ov{}{})", device.0, overlapped.0, fmt_by(by)),
            Some(b) => format!(
                "issue(D{}, ov{}, inline {b} bytes{})",
                device.0,
                overlapped.0,
                fmt_by(by)
            ),
        },
        Action::Complete {
            overlapped,
            bytes,
            status,
        } => format!(
            "complete(ov{}, {bytes} bytes, {})",
            overlapped.0,
            fmt_status(status)
        ),
        Action::Post {
            port,
            key,
            bytes,
            overlapped,
            by,
        } => format!(
            "post(P{}, key {key}, {bytes} bytes, {}{})",
            port.0,
            fmt_ov(overlapped),
            fmt_by(by)
        ),
        Action::Get {
            thread,
            port,
            timeout,
        } => format!("get(T{}, P{}, {})", thread.0, port.0, fmt_timeout(timeout)),
        Action::GetEx {
            thread,
            port,
            max,
            timeout,
        } => format!(
            "get_ex(T{}, P{}, n={max}, {})",
            thread.0,
            port.0,
            fmt_timeout(timeout)
        ),
        Action::Block { thread, .. } => format!("block(T{})", thread.0),
        Action::Unblock { thread } => format!("unblock(T{})", thread.0),
        Action::Timeout { thread } => format!("timeout(T{})", thread.0),
        Action::Exit { thread } => format!("exit(T{})", thread.0),
        Action::CloseDevice { device } => format!("close_device(D{})", device.0),
        Action::ClosePort { port } => format!("close_port(P{})", port.0),
    }
}
