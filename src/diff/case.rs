//! [`Case`]: what the differential tester needs from a scenario: the world,
//! the names, and one optional action per step.

use crate::model::{Action, KernelConfig, Names};
use crate::scenario::Scenario;

/// One scenario, reduced to what is compared: the world, the names of its
/// ids, and each step's action (`None` for a step that only checks or
/// narrates). Step `i` of `steps` is the scenario's step `i + 1`.
#[derive(Clone, Debug)]
pub struct Case {
    /// Where it came from (a path or a test name), for messages.
    pub source: String,
    /// The world. Its `flavor` is ignored: the flavour compared is chosen
    /// when the case is planned.
    pub config: KernelConfig,
    /// Names of ports, threads, devices, OVERLAPPED labels and statuses.
    pub names: Names,
    /// The actions, in step order.
    pub steps: Vec<Option<Action>>,
    /// For each step, whether the scenario expects the model to reject it
    /// (`expect.error`). A rejected step that does not expect it ends the
    /// run, as in `iocp-sim run`. Missing entries are `false`.
    pub rejection_expected: Vec<bool>,
}

impl Case {
    /// The case of a parsed scenario file.
    pub fn from_scenario(sc: &Scenario) -> Case {
        Case {
            source: sc.source.clone(),
            config: sc.world.kernel_config(sc.world.flavor),
            names: sc.names.clone(),
            steps: sc.steps.iter().map(|s| s.action).collect(),
            rejection_expected: sc
                .steps
                .iter()
                .map(|s| s.expect.as_ref().is_some_and(|e| e.error.is_some()))
                .collect(),
        }
    }
}
