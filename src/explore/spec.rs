//! Explore specs (`iocp-sim-explore/1`): the JSON a teacher writes to ask
//! "can this ever happen?". A spec declares ports, devices with pending
//! requests, threads that each run a small loop, and what the environment
//! may do. [`parse`] reads the JSON (reporting line and column on syntax
//! errors) and checks every name, so the explorer never sees a bad spec.
//!
//! The format is documented in `docs/explore.md`; its JSON Schema is
//! `docs/explore-spec.schema.json` (printed by `iocp-sim explore --schema`).

use serde::Deserialize;

pub use crate::program::spec::{
    check_program, BlockSpec, GetSpec, PostSpec, SpecError, ThreadSpec, TimeoutSpec, MAX_THREADS,
};
use crate::program::spec::{err, unknown};
use crate::unknown::Unknown;

/// The format tag every spec must carry.
pub const FORMAT: &str = "iocp-sim-explore/1";

/// At most this many ports.
pub const MAX_PORTS: usize = 8;
/// At most this many devices.
pub const MAX_DEVICES: usize = 8;
/// At most this many I/O requests over all devices.
pub const MAX_REQUESTS: usize = 32;
/// At most this many environment post sources.
pub const MAX_SOURCES: usize = 16;
/// At most this many environment posts in all (and per thread packet limit).
pub const MAX_COUNT: u32 = crate::program::spec::MAX_PACKETS;

/// A whole explore spec, as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Must be `"iocp-sim-explore/1"`.
    pub format: String,
    /// One line.
    pub title: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// `"windows"` (default), `"wine"` or `"wine10"`.
    #[serde(default)]
    pub flavor: Option<String>,
    /// Number of processors (default 4); a port with concurrency 0 uses it.
    #[serde(default)]
    pub cpus: Option<u32>,
    /// The ports.
    pub ports: Vec<PortSpec>,
    /// Devices associated with a port, each with requests pending from the start.
    #[serde(default)]
    pub devices: Vec<DeviceSpec>,
    /// The threads and their programs.
    pub threads: Vec<ThreadSpec>,
    /// What the world outside the threads may do.
    #[serde(default)]
    pub environment: EnvSpec,
}

/// A port.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    /// Its name.
    pub id: String,
    /// NumberOfConcurrentThreads (0: the number of CPUs).
    pub concurrency: u32,
}

/// A device, associated with a port before the search starts, with
/// `requests` overlapped requests pending (OVERLAPPEDs `<id>.ov1` ...).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSpec {
    /// Its name.
    pub id: String,
    /// The port it is associated with.
    pub port: String,
    /// The completion key of its Device List entry.
    #[serde(default)]
    pub key: u64,
    /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (only matters for inline requests; kept for completeness).
    #[serde(default)]
    pub skip_on_success: bool,
    /// How many requests are pending from the start; the environment completes each once, in any order.
    #[serde(default)]
    pub requests: u32,
    /// Bytes transferred by each completion.
    #[serde(default)]
    pub bytes: u64,
}

/// What the environment may do, at any moment, in any order.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvSpec {
    /// Bounded posts from outside the threads.
    #[serde(default)]
    pub posts: Vec<EnvPostSpec>,
    /// At most this many wait timeouts in all (default: no bound).
    #[serde(default)]
    pub timeouts: Option<u32>,
    /// Ports the environment may close (once each).
    #[serde(default)]
    pub close_ports: Vec<String>,
    /// Devices the environment may close (once each), aborting their pending requests.
    #[serde(default)]
    pub close_devices: Vec<String>,
}

/// `count` posts of one packet to a port.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvPostSpec {
    /// The port.
    pub port: String,
    /// The completion key.
    #[serde(default)]
    pub key: u64,
    /// How many such posts (default 1).
    #[serde(default)]
    pub count: Option<u32>,
}

/// Parses and checks a spec.
pub fn parse(text: &str) -> Result<Spec, SpecError> {
    let spec: Spec = serde_json::from_str(text).map_err(|e| {
        // serde_json's words, without the position it appends (`at` gives it).
        let m = e.to_string();
        let message = m
            .rfind(" at line ")
            .map_or(m.clone(), |i| m[..i].to_owned());
        SpecError {
            at: format!("line {}, column {}", e.line(), e.column()),
            position: Some((e.line(), e.column())),
            unknown: Unknown::from_serde(&message),
            message,
        }
    })?;
    check(&spec)?;
    Ok(spec)
}

/// Sums `counts` (each with the key it was written at) in a type that
/// cannot wrap, and refuses the first one that takes the total over `max`.
fn bounded_total(
    counts: impl Iterator<Item = (String, u32)>,
    max: u64,
    what: &str,
) -> Result<u64, SpecError> {
    let mut total = 0u64;
    for (at, n) in counts {
        total += u64::from(n);
        if total > max {
            return err(
                at,
                format!("{n} takes the total over the limit of {max} {what}"),
            );
        }
    }
    Ok(total)
}

/// The limits on sizes, checked before any work that scales with them
/// (the duplicate-name check, and the world the explorer builds).
fn check_sizes(spec: &Spec) -> Result<(), SpecError> {
    if spec.devices.len() > MAX_DEVICES {
        return err("devices", format!("at most {MAX_DEVICES} devices"));
    }
    let requests = spec
        .devices
        .iter()
        .enumerate()
        .map(|(i, d)| (format!("devices[{i}].requests"), d.requests));
    bounded_total(requests, MAX_REQUESTS as u64, "requests over all devices")?;
    for (i, t) in spec.threads.iter().enumerate() {
        if t.count == Some(0) {
            return err(format!("threads[{i}].count"), "must be at least 1");
        }
    }
    let counts = spec
        .threads
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("threads[{i}].count"), t.count.unwrap_or(1)));
    if bounded_total(counts, MAX_THREADS as u64, "threads")? == 0 {
        return err("threads", format!("declare 1 to {MAX_THREADS} threads"));
    }
    if spec.environment.posts.len() > MAX_SOURCES {
        return err(
            "environment.posts",
            format!("at most {MAX_SOURCES} entries"),
        );
    }
    let posts = spec.environment.posts.iter().enumerate().map(|(i, p)| {
        (
            format!("environment.posts[{i}].count"),
            p.count.unwrap_or(1),
        )
    });
    bounded_total(posts, u64::from(MAX_COUNT), "posts in all")?;
    Ok(())
}

/// Checks names, counts and limits of a parsed spec. The sizes are
/// checked first, so no check does work that grows with an unchecked count.
pub fn check(spec: &Spec) -> Result<(), SpecError> {
    if spec.format != FORMAT {
        return err(
            "format",
            format!(
                "unknown format {:?}; this version understands {FORMAT:?}",
                spec.format
            ),
        );
    }
    if let Some(f) = &spec.flavor {
        if crate::model::Flavor::parse(f).is_none() {
            return unknown(
                "flavor",
                format!("unknown flavor {f:?}; use \"windows\", \"wine\" or \"wine10\""),
                f,
                crate::model::Flavor::ALL
                    .map(|f| f.as_str().to_owned())
                    .to_vec(),
            );
        }
    }
    if spec.cpus == Some(0) {
        return err("cpus", "must be at least 1");
    }
    if spec.ports.is_empty() || spec.ports.len() > MAX_PORTS {
        return err("ports", format!("declare 1 to {MAX_PORTS} ports"));
    }
    check_sizes(spec)?;
    let mut ids: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut unique = |at: String, id: &str| -> Result<(), SpecError> {
        if id.is_empty() {
            return err(at, "ids must be non-empty");
        }
        if !ids.insert(id.to_owned()) {
            return err(at, format!("id {id:?} is declared twice"));
        }
        Ok(())
    };
    for (i, p) in spec.ports.iter().enumerate() {
        unique(format!("ports[{i}].id"), &p.id)?;
    }
    let port_known = |at: String, name: &str| -> Result<(), SpecError> {
        if spec.ports.iter().any(|p| p.id == name) {
            Ok(())
        } else {
            let ports = spec.ports.iter().map(|p| p.id.clone()).collect();
            unknown(at, format!("unknown port {name:?}"), name, ports)
        }
    };
    for (i, d) in spec.devices.iter().enumerate() {
        unique(format!("devices[{i}].id"), &d.id)?;
        port_known(format!("devices[{i}].port"), &d.port)?;
    }
    for (i, t) in spec.threads.iter().enumerate() {
        let count = t.count.unwrap_or(1);
        if count == 1 {
            unique(format!("threads[{i}].id"), &t.id)?;
        } else {
            for n in 1..=count {
                unique(format!("threads[{i}].id"), &format!("{}{n}", t.id))?;
            }
        }
        let ports: Vec<&str> = spec.ports.iter().map(|p| p.id.as_str()).collect();
        check_program(t, &format!("threads[{i}]"), &ports)?;
    }
    for (i, p) in spec.environment.posts.iter().enumerate() {
        port_known(format!("environment.posts[{i}].port"), &p.port)?;
    }
    if let Some(n) = spec.environment.timeouts {
        if n > MAX_COUNT {
            return err("environment.timeouts", format!("at most {MAX_COUNT}"));
        }
    }
    for (i, p) in spec.environment.close_ports.iter().enumerate() {
        port_known(format!("environment.close_ports[{i}]"), p)?;
    }
    for (i, d) in spec.environment.close_devices.iter().enumerate() {
        if !spec.devices.iter().any(|x| &x.id == d) {
            return unknown(
                format!("environment.close_devices[{i}]"),
                format!("unknown device {d:?}"),
                d,
                spec.devices.iter().map(|x| x.id.clone()).collect(),
            );
        }
    }
    Ok(())
}
