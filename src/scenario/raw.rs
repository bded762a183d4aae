//! The file format as serde sees it: every key, with no meaning attached
//! yet. `resolve.rs` turns these into model actions and checked expectations.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// A port declaration: `{ "id": "P", "concurrency": 1 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPort {
    pub id: String,
    pub concurrency: i64,
}

/// A device declaration: `{ "id": "sockA", "skip_on_success": false }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDevice {
    pub id: String,
    #[serde(default)]
    pub skip_on_success: bool,
}

/// A step's op name.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Associate,
    Issue,
    Complete,
    Post,
    Get,
    GetEx,
    Block,
    Unblock,
    Timeout,
    Exit,
    CloseDevice,
    ClosePort,
}

impl Op {
    /// The op's name as written in files.
    pub fn name(self) -> &'static str {
        match self {
            Op::Associate => "associate",
            Op::Issue => "issue",
            Op::Complete => "complete",
            Op::Post => "post",
            Op::Get => "get",
            Op::GetEx => "get_ex",
            Op::Block => "block",
            Op::Unblock => "unblock",
            Op::Timeout => "timeout",
            Op::Exit => "exit",
            Op::CloseDevice => "close_device",
            Op::ClosePort => "close_port",
        }
    }

    /// The argument keys the op accepts (besides op, note and expect).
    pub fn allowed(self) -> &'static [&'static str] {
        match self {
            Op::Associate => &["device", "port", "key"],
            Op::Issue => &["device", "overlapped", "inline", "bytes", "by"],
            Op::Complete => &["overlapped", "bytes", "status"],
            Op::Post => &["port", "key", "bytes", "overlapped", "by"],
            Op::Get => &["thread", "port", "timeout"],
            Op::GetEx => &["thread", "port", "max", "timeout"],
            Op::Block => &["thread", "on"],
            Op::Unblock | Op::Timeout | Op::Exit => &["thread"],
            Op::CloseDevice => &["device"],
            Op::ClosePort => &["port"],
        }
    }
}

/// A get's timeout as written: `"infinite"` or whole milliseconds.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawTimeout {
    Ms(u64),
    Word(String),
}

/// One step, every key optional at this level.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub op: Option<Op>,
    pub note: Option<String>,
    pub expect: Option<RawExpect>,
    pub device: Option<String>,
    pub port: Option<String>,
    pub thread: Option<String>,
    pub key: Option<u64>,
    pub bytes: Option<u64>,
    #[serde(default, deserialize_with = "present")]
    pub overlapped: Option<Option<String>>,
    pub inline: Option<bool>,
    pub status: Option<String>,
    pub timeout: Option<RawTimeout>,
    pub max: Option<i64>,
    pub on: Option<String>,
    pub by: Option<String>,
}

impl RawStep {
    /// The argument keys present in this step.
    pub fn present_args(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        let mut add = |present: bool, name| {
            if present {
                v.push(name)
            }
        };
        add(self.device.is_some(), "device");
        add(self.port.is_some(), "port");
        add(self.thread.is_some(), "thread");
        add(self.key.is_some(), "key");
        add(self.bytes.is_some(), "bytes");
        add(self.overlapped.is_some(), "overlapped");
        add(self.inline.is_some(), "inline");
        add(self.status.is_some(), "status");
        add(self.timeout.is_some(), "timeout");
        add(self.max.is_some(), "max");
        add(self.on.is_some(), "on");
        add(self.by.is_some(), "by");
        v
    }
}

/// The `expect` object of a step.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub ports: Option<BTreeMap<String, RawPortExpect>>,
    #[serde(default, deserialize_with = "present_map")]
    pub devices: Option<BTreeMap<String, Option<RawDeviceExpect>>>,
    pub threads: Option<BTreeMap<String, String>>,
    pub delivered: Option<Vec<RawPacketExpect>>,
    pub result: Option<String>,
    pub results: Option<BTreeMap<String, String>>,
    pub lost: Option<u64>,
    pub error: Option<String>,
}

/// Expectations on one port.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPortExpect {
    pub iocq: Option<Vec<RawPacketExpect>>,
    pub iocq_len: Option<u64>,
    pub wtq: Option<Vec<String>>,
    pub rtl: Option<Vec<String>>,
    pub ptl: Option<Vec<String>>,
    pub current: Option<u64>,
    pub over_limit: Option<bool>,
}

/// A packet as expected: only the fields given are compared.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPacketExpect {
    pub thread: Option<String>,
    pub key: Option<u64>,
    pub bytes: Option<u64>,
    #[serde(default, deserialize_with = "present")]
    pub overlapped: Option<Option<String>>,
    pub status: Option<String>,
}

/// A Device List entry as expected.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeviceExpect {
    pub port: Option<String>,
    pub key: Option<u64>,
}

/// Distinguishes a key given as `null` (`Some(None)`) from an absent key (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn present_map<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}
