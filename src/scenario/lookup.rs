//! Names to ids, and the checks on names that both the steps
//! (`resolve.rs`) and their expectations (`expect.rs`) make.

use super::error::{IdKind, Problem};
use crate::model::{DeviceId, Names, PortId, ThreadId};
use crate::unknown::Unknown;

/// Looks up ids by name, naming what is wrong.
pub struct Lookup<'a> {
    pub names: &'a Names,
}

impl Lookup<'_> {
    pub(crate) fn port(&self, id: &str) -> Result<PortId, Problem> {
        self.names
            .find_port(id)
            .ok_or_else(|| unknown(IdKind::Port, id, self.names.ports()))
    }
    pub(crate) fn thread(&self, id: &str) -> Result<ThreadId, Problem> {
        self.names
            .find_thread(id)
            .ok_or_else(|| unknown(IdKind::Thread, id, self.names.threads()))
    }
    pub(crate) fn device(&self, id: &str) -> Result<DeviceId, Problem> {
        self.names
            .find_device(id)
            .ok_or_else(|| unknown(IdKind::Device, id, self.names.devices()))
    }
}

fn unknown(kind: IdKind, id: &str, declared: &[String]) -> Problem {
    Problem::UnknownId {
        kind,
        unknown: Box::new(Unknown::new(id, declared.iter().map(String::as_str))),
    }
}

/// A status is `"success"` or an error name in capitals (`ERROR_NETNAME_DELETED`).
pub(crate) fn check_status(s: &str) -> Result<(), String> {
    if s == "success" || is_error_name(s) {
        Ok(())
    } else {
        Err(format!(
            "status {s:?} is neither \"success\" nor an error name such as \"ERROR_NETNAME_DELETED\""
        ))
    }
}

/// An error name: capitals, digits and underscores, starting with a capital.
pub fn is_error_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}
