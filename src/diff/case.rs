//! [`Case`]: what the differential tester needs from a scenario: the world,
//! the names, and one optional action per step.

use crate::model::{Action, KernelConfig, Names};

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
}
