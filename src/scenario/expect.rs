//! Expectations: what a step's `expect` asks, resolved to ids, and how it is
//! compared with the model after the step.

use std::fmt::Write as _;

use super::error::Problem;
use super::lookup::{check_status, is_error_name, Lookup};
use super::raw::{RawDeviceExpect, RawExpect, RawPacketExpect, RawPortExpect};
use crate::model::{
    DeviceId, Kernel, Names, Outcome, Packet, PortId, Rejection, ThreadId, ThreadStatus,
};
use crate::unknown::Unknown;

/// A thread state word of an expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateWord {
    /// `"running"`: free or in an RTL.
    Running,
    /// `"free"`: running and unassociated.
    Free,
    /// `"waiting"`.
    Waiting,
    /// `"paused"`.
    Paused,
    /// `"exited"`.
    Exited,
}

impl StateWord {
    /// Every word, in the order the format lists them.
    pub const ALL: [StateWord; 5] = [
        StateWord::Running,
        StateWord::Free,
        StateWord::Waiting,
        StateWord::Paused,
        StateWord::Exited,
    ];

    fn parse(s: &str) -> Option<StateWord> {
        StateWord::ALL.into_iter().find(|w| w.as_str() == s)
    }

    /// True if a thread in `status` satisfies this word.
    pub fn matches(self, status: ThreadStatus) -> bool {
        matches!(
            (self, status),
            (
                StateWord::Running,
                ThreadStatus::Running | ThreadStatus::Free
            ) | (StateWord::Free, ThreadStatus::Free)
                | (StateWord::Waiting, ThreadStatus::Waiting)
                | (StateWord::Paused, ThreadStatus::Paused)
                | (StateWord::Exited, ThreadStatus::Exited)
        )
    }

    /// The word.
    pub fn as_str(self) -> &'static str {
        match self {
            StateWord::Running => "running",
            StateWord::Free => "free",
            StateWord::Waiting => "waiting",
            StateWord::Paused => "paused",
            StateWord::Exited => "exited",
        }
    }
}

/// A packet as expected; `None` fields are not compared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PacketExpect {
    /// The receiving thread (only in `delivered`).
    pub thread: Option<ThreadId>,
    /// Completion key.
    pub key: Option<u64>,
    /// Bytes transferred.
    pub bytes: Option<u64>,
    /// OVERLAPPED label; `Some(None)` means null.
    pub overlapped: Option<Option<String>>,
    /// Status name.
    pub status: Option<String>,
}

/// Expectations on one port.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PortExpect {
    /// IOCQ packets in dequeue order.
    pub iocq: Option<Vec<PacketExpect>>,
    /// IOCQ length.
    pub iocq_len: Option<u64>,
    /// WTQ in wake order.
    pub wtq: Option<Vec<ThreadId>>,
    /// RTL as a set.
    pub rtl: Option<Vec<ThreadId>>,
    /// PTL as a set.
    pub ptl: Option<Vec<ThreadId>>,
    /// `current`.
    pub current: Option<u64>,
    /// `current > max`.
    pub over_limit: Option<bool>,
}

/// A Device List entry as expected; `None` fields are not compared.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeviceExpect {
    /// The port.
    pub port: Option<PortId>,
    /// The completion key.
    pub key: Option<u64>,
}

/// Everything a step's `expect` asks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Expect {
    /// Per-port expectations.
    pub ports: Vec<(PortId, PortExpect)>,
    /// Per-device entries; `None` means "no entry".
    pub devices: Vec<(DeviceId, Option<DeviceExpect>)>,
    /// Per-thread state words.
    pub threads: Vec<(ThreadId, StateWord)>,
    /// Packets this step handed to threads, in order.
    pub delivered: Option<Vec<PacketExpect>>,
    /// The step's own call result.
    pub result: Option<String>,
    /// Every thread whose call failed at this step, with its error.
    pub results: Option<Vec<(ThreadId, String)>>,
    /// Packets lost so far.
    pub lost: Option<u64>,
    /// A word the rejection message must contain.
    pub error: Option<String>,
}

/// One expectation that did not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mismatch {
    /// Where in `expect`, e.g. `ports.P.wtq`.
    pub key: String,
    /// What the file expects.
    pub expected: String,
    /// What the model has.
    pub actual: String,
}

impl std::fmt::Display for Mismatch {
    /// `key: expected E, actual A`, as `iocp-sim check` prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: expected {}, actual {}",
            self.key, self.expected, self.actual
        )
    }
}

impl std::error::Error for Mismatch {}

fn packet_expect(
    raw: RawPacketExpect,
    look: &Lookup,
    in_delivered: bool,
) -> Result<PacketExpect, Problem> {
    let thread = match raw.thread {
        Some(t) if in_delivered => Some(look.thread(&t)?),
        Some(_) => return Err("a packet in \"iocq\" has no \"thread\"".into()),
        None => None,
    };
    if let Some(s) = &raw.status {
        check_status(s)?;
    }
    Ok(PacketExpect {
        thread,
        key: raw.key,
        bytes: raw.bytes,
        overlapped: raw.overlapped,
        status: raw.status,
    })
}

fn thread_list(v: Option<Vec<String>>, look: &Lookup) -> Result<Option<Vec<ThreadId>>, Problem> {
    v.map(|v| v.iter().map(|t| look.thread(t)).collect())
        .transpose()
}

fn port_expect(raw: RawPortExpect, look: &Lookup) -> Result<PortExpect, Problem> {
    Ok(PortExpect {
        iocq: raw
            .iocq
            .map(|v| {
                v.into_iter()
                    .map(|p| packet_expect(p, look, false))
                    .collect()
            })
            .transpose()?,
        iocq_len: raw.iocq_len,
        wtq: thread_list(raw.wtq, look)?,
        rtl: thread_list(raw.rtl, look)?,
        ptl: thread_list(raw.ptl, look)?,
        current: raw.current,
        over_limit: raw.over_limit,
    })
}

fn device_expect(
    raw: Option<RawDeviceExpect>,
    look: &Lookup,
) -> Result<Option<DeviceExpect>, Problem> {
    raw.map(|d| {
        Ok(DeviceExpect {
            port: d.port.map(|p| look.port(&p)).transpose()?,
            key: d.key,
        })
    })
    .transpose()
}

/// Resolves an `expect` object. `has_op`: the step applies an action.
pub(crate) fn resolve_expect(
    raw: RawExpect,
    has_op: bool,
    names: &Names,
) -> Result<Expect, Problem> {
    let look = Lookup { names };
    if !has_op {
        for (present, key) in [
            (raw.delivered.is_some(), "delivered"),
            (raw.result.is_some(), "result"),
            (raw.results.is_some(), "results"),
            (raw.error.is_some(), "error"),
        ] {
            if present {
                return Err(format!(
                    "expect.{key} needs an action; a step without op may expect only ports, devices, threads and lost"
                ).into());
            }
        }
    }
    if raw.error.is_some() {
        for (present, key) in [
            (raw.delivered.is_some(), "delivered"),
            (raw.result.is_some(), "result"),
            (raw.results.is_some(), "results"),
        ] {
            if present {
                return Err(format!(
                    "expect.{key} cannot go with expect.error: a rejected step makes no call"
                )
                .into());
            }
        }
    }
    if let Some(e) = &raw.error {
        if e.trim().is_empty() {
            return Err(
                "expect.error must be a word of the error message, such as the offending id".into(),
            );
        }
    }
    if let Some(r) = &raw.result {
        if r != "success" && r != "pending" && !is_error_name(r) {
            return Err(format!(
                "expect.result {r:?} is not \"success\", \"pending\" or an error name such as \"WAIT_TIMEOUT\""
            ).into());
        }
    }
    let mut ports = Vec::new();
    for (id, p) in raw.ports.unwrap_or_default() {
        ports.push((look.port(&id)?, port_expect(p, &look)?));
    }
    let mut devices = Vec::new();
    for (id, d) in raw.devices.unwrap_or_default() {
        devices.push((look.device(&id)?, device_expect(d, &look)?));
    }
    let mut threads = Vec::new();
    for (id, w) in raw.threads.unwrap_or_default() {
        let word = StateWord::parse(&w).ok_or_else(|| Problem::UnknownState {
            thread: id.clone(),
            unknown: Box::new(Unknown::new(
                w.as_str(),
                StateWord::ALL.map(StateWord::as_str),
            )),
        })?;
        threads.push((look.thread(&id)?, word));
    }
    let results = match raw.results {
        None => None,
        Some(m) => {
            let mut v = Vec::new();
            for (id, e) in m {
                if !is_error_name(&e) {
                    return Err(format!(
                        "expect.results.{id} {e:?} is not an error name such as \"WAIT_TIMEOUT\""
                    )
                    .into());
                }
                v.push((look.thread(&id)?, e));
            }
            Some(v)
        }
    };
    Ok(Expect {
        ports,
        devices,
        threads,
        delivered: raw
            .delivered
            .map(|v| {
                v.into_iter()
                    .map(|p| packet_expect(p, &look, true))
                    .collect()
            })
            .transpose()?,
        result: raw.result,
        results,
        lost: raw.lost,
        error: raw.error,
    })
}

/// Renders a packet as the JSON a scenario writes (`thread` first if given).
pub fn packet_json(packet: &Packet, thread: Option<ThreadId>, names: &Names) -> String {
    let mut s = String::from("{");
    if let Some(t) = thread {
        let _ = write!(s, "\"thread\": {:?}, ", names.thread(t));
    }
    let ov = match packet.overlapped {
        Some(o) => format!("{:?}", names.overlapped(o)),
        None => "null".into(),
    };
    let _ = write!(
        s,
        "\"key\": {}, \"bytes\": {}, \"overlapped\": {ov}, \"status\": {:?}}}",
        packet.key,
        packet.bytes,
        names.status(packet.status)
    );
    s
}

fn packet_expect_json(p: &PacketExpect, names: &Names) -> String {
    let mut parts = Vec::new();
    if let Some(t) = p.thread {
        parts.push(format!("\"thread\": {:?}", names.thread(t)));
    }
    if let Some(k) = p.key {
        parts.push(format!("\"key\": {k}"));
    }
    if let Some(b) = p.bytes {
        parts.push(format!("\"bytes\": {b}"));
    }
    match &p.overlapped {
        Some(Some(o)) => parts.push(format!("\"overlapped\": {o:?}")),
        Some(None) => parts.push("\"overlapped\": null".into()),
        None => {}
    }
    if let Some(s) = &p.status {
        parts.push(format!("\"status\": {s:?}"));
    }
    format!("{{{}}}", parts.join(", "))
}

fn packet_matches(e: &PacketExpect, p: &Packet, thread: Option<ThreadId>, names: &Names) -> bool {
    e.thread.is_none_or(|t| Some(t) == thread)
        && e.key.is_none_or(|k| k == p.key)
        && e.bytes.is_none_or(|b| b == p.bytes)
        && e.overlapped
            .as_ref()
            .is_none_or(|o| o.as_deref() == p.overlapped.map(|id| names.overlapped(id)))
        && e.status
            .as_ref()
            .is_none_or(|s| s == names.status(p.status))
}

fn list_json(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

fn names_json(ids: &[ThreadId], names: &Names) -> String {
    list_json(ids.iter().map(|&t| format!("{:?}", names.thread(t))))
}

impl Expect {
    /// How many separate checks this expectation makes (one per key given).
    pub fn count(&self) -> usize {
        let ports: usize = self
            .ports
            .iter()
            .map(|(_, p)| {
                [
                    p.iocq.is_some(),
                    p.iocq_len.is_some(),
                    p.wtq.is_some(),
                    p.rtl.is_some(),
                    p.ptl.is_some(),
                    p.current.is_some(),
                    p.over_limit.is_some(),
                ]
                .iter()
                .filter(|b| **b)
                .count()
            })
            .sum();
        ports
            + self.devices.len()
            + self.threads.len()
            + [
                self.delivered.is_some(),
                self.result.is_some(),
                self.results.is_some(),
                self.lost.is_some(),
                self.error.is_some(),
            ]
            .iter()
            .filter(|b| **b)
            .count()
    }

    /// Compares this expectation with the model after a step. `outcome` is
    /// the step's outcome, or its rejection and the rejection's message.
    /// `None` for a step without an action.
    pub fn check(
        &self,
        kernel: &Kernel,
        names: &Names,
        outcome: Option<Result<&Outcome, (&Rejection, &str)>>,
    ) -> Vec<Mismatch> {
        let mut out = Vec::new();
        let mut miss = |key: String, expected: String, actual: String| {
            out.push(Mismatch {
                key,
                expected,
                actual,
            })
        };
        let order = kernel.wake_order();
        for (pid, pe) in &self.ports {
            let port = kernel.port(*pid);
            let pname = names.port(*pid);
            if let Some(v) = &pe.iocq {
                let ok = v.len() == port.iocq().len()
                    && v.iter()
                        .zip(port.iocq().iter())
                        .all(|(e, p)| packet_matches(e, p, None, names));
                if !ok {
                    miss(
                        format!("ports.{pname}.iocq"),
                        list_json(v.iter().map(|e| packet_expect_json(e, names))),
                        list_json(port.iocq().iter().map(|p| packet_json(p, None, names))),
                    );
                }
            }
            if let Some(n) = pe.iocq_len {
                if n != port.iocq().len() as u64 {
                    miss(
                        format!("ports.{pname}.iocq_len"),
                        n.to_string(),
                        port.iocq().len().to_string(),
                    );
                }
            }
            if let Some(v) = &pe.wtq {
                let actual = port.wtq().wake_order(order);
                if *v != actual {
                    miss(
                        format!("ports.{pname}.wtq"),
                        names_json(v, names),
                        names_json(&actual, names),
                    );
                }
            }
            for (key, exp, actual) in [
                ("rtl", &pe.rtl, port.rtl().as_slice()),
                ("ptl", &pe.ptl, port.ptl().as_slice()),
            ] {
                if let Some(v) = exp {
                    let mut sorted = v.clone();
                    sorted.sort();
                    sorted.dedup();
                    if sorted != actual || sorted.len() != v.len() {
                        miss(
                            format!("ports.{pname}.{key}"),
                            names_json(v, names),
                            names_json(actual, names),
                        );
                    }
                }
            }
            if let Some(c) = pe.current {
                if c != port.current() as u64 {
                    miss(
                        format!("ports.{pname}.current"),
                        c.to_string(),
                        port.current().to_string(),
                    );
                }
            }
            if let Some(o) = pe.over_limit {
                if o != port.over_limit() {
                    miss(
                        format!("ports.{pname}.over_limit"),
                        o.to_string(),
                        format!(
                            "{} (current {} / max {})",
                            port.over_limit(),
                            port.current(),
                            port.max()
                        ),
                    );
                }
            }
        }
        for (did, de) in &self.devices {
            let dname = names.device(*did);
            let entry = kernel.devices().entry(*did);
            let entry_json = |e: Option<(PortId, u64)>| match e {
                None => "null".to_owned(),
                Some((p, k)) => format!("{{\"port\": {:?}, \"key\": {k}}}", names.port(p)),
            };
            let ok = match (de, entry) {
                (None, None) => true,
                (Some(d), Some((p, k))) => {
                    d.port.is_none_or(|dp| dp == p) && d.key.is_none_or(|dk| dk == k)
                }
                _ => false,
            };
            if !ok {
                let expected = match de {
                    None => "null".to_owned(),
                    Some(d) => {
                        let mut parts = Vec::new();
                        if let Some(p) = d.port {
                            parts.push(format!("\"port\": {:?}", names.port(p)));
                        }
                        if let Some(k) = d.key {
                            parts.push(format!("\"key\": {k}"));
                        }
                        format!("{{{}}}", parts.join(", "))
                    }
                };
                miss(format!("devices.{dname}"), expected, entry_json(entry));
            }
        }
        for (tid, word) in &self.threads {
            let status = kernel.thread(*tid).status();
            if !word.matches(status) {
                miss(
                    format!("threads.{}", names.thread(*tid)),
                    word.as_str().into(),
                    status.as_str().into(),
                );
            }
        }
        if let Some(lost) = self.lost {
            let actual = kernel.counters().lost;
            if lost != actual {
                miss("lost".into(), lost.to_string(), actual.to_string());
            }
        }
        match outcome {
            None => {}
            Some(Err((_, message))) => match &self.error {
                Some(word) => {
                    if !message.to_lowercase().contains(&word.to_lowercase()) {
                        miss(
                            "error".into(),
                            format!("a rejection mentioning {word:?}"),
                            format!("rejected: {message}"),
                        );
                    }
                }
                None => miss(
                    "error".into(),
                    "no rejection".into(),
                    format!("rejected: {message}"),
                ),
            },
            Some(Ok(o)) => {
                if let Some(word) = &self.error {
                    miss(
                        "error".into(),
                        format!("a rejection mentioning {word:?}"),
                        format!("accepted, result {}", o.result.as_str()),
                    );
                }
                if let Some(r) = &self.result {
                    if r != o.result.as_str() {
                        miss("result".into(), r.clone(), o.result.as_str().into());
                    }
                }
                if let Some(v) = &self.results {
                    let mut exp: Vec<(ThreadId, &str)> =
                        v.iter().map(|(t, e)| (*t, e.as_str())).collect();
                    let mut act: Vec<(ThreadId, &str)> =
                        o.failures.iter().map(|(t, e)| (*t, e.name())).collect();
                    exp.sort();
                    act.sort();
                    if exp != act {
                        let show = |v: &[(ThreadId, &str)]| {
                            format!(
                                "{{{}}}",
                                v.iter()
                                    .map(|(t, e)| format!("{:?}: {e:?}", names.thread(*t)))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        };
                        miss("results".into(), show(&exp), show(&act));
                    }
                }
                if let Some(v) = &self.delivered {
                    let ok = v.len() == o.deliveries.len()
                        && v.iter()
                            .zip(&o.deliveries)
                            .all(|(e, d)| packet_matches(e, &d.packet, Some(d.thread), names));
                    if !ok {
                        miss(
                            "delivered".into(),
                            list_json(v.iter().map(|e| packet_expect_json(e, names))),
                            list_json(
                                o.deliveries
                                    .iter()
                                    .map(|d| packet_json(&d.packet, Some(d.thread), names)),
                            ),
                        );
                    }
                }
            }
        }
        out
    }
}
