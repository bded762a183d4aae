//! Names to ids, and the checks on names that both the steps
//! (`resolve.rs`) and their expectations (`expect.rs`) make.

use crate::model::{DeviceId, Names, PortId, ThreadId};

/// Looks up ids by name, naming what is wrong.
pub struct Lookup<'a> {
    pub names: &'a Names,
}

impl Lookup<'_> {
    pub(crate) fn port(&self, id: &str) -> Result<PortId, String> {
        self.names
            .find_port(id)
            .ok_or_else(|| self.unknown("port", id, self.names.ports()))
    }
    pub(crate) fn thread(&self, id: &str) -> Result<ThreadId, String> {
        self.names
            .find_thread(id)
            .ok_or_else(|| self.unknown("thread", id, self.names.threads()))
    }
    pub(crate) fn device(&self, id: &str) -> Result<DeviceId, String> {
        self.names
            .find_device(id)
            .ok_or_else(|| self.unknown("device", id, self.names.devices()))
    }
    fn unknown(&self, kind: &str, id: &str, known: &[String]) -> String {
        if known.is_empty() {
            format!("unknown {kind} {id:?}: the scenario declares no {kind}s")
        } else {
            format!("unknown {kind} {id:?} (declared: {})", known.join(", "))
        }
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
