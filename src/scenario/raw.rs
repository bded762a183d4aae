//! The file format as serde sees it: every key, with no meaning attached
//! yet. `resolve.rs` turns these into model actions and checked expectations;
//! `write.rs` fills them in and serialises them, so the reader and the
//! writer share one description of the format. A key that is absent
//! (`None`) is not written.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::text::Text;
use crate::model::Action;
use crate::program::spec::ThreadSpec;

/// A whole scenario file. `S` is its steps: `IgnoredAny` when the reader
/// takes the top-level keys (it streams the steps apart), `Vec<RawStep>`
/// when a scenario is written.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario<S> {
    pub format: String,
    pub title: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flavor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<i64>,
    pub ports: Vec<RawPort>,
    pub threads: Vec<RawThread>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devices: Option<Vec<RawDevice>>,
    pub steps: S,
}

/// A thread declaration: its id (`"T1"`), or an object giving its
/// program, the explorer's own thread entry
/// (`{ "id": "T1", "get": { "port": "P" }, "block": "..." }`, see
/// [`ThreadSpec`]).
#[derive(Clone, Debug)]
pub enum RawThread {
    /// A thread without a program.
    Id(String),
    /// A thread (or `count` of them) running a program.
    Program(ThreadSpec),
}

impl<'de> Deserialize<'de> for RawThread {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawThread, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawThread;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a thread id, or a thread object with its program")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<RawThread, E> {
                Ok(RawThread::Id(s.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawThread, A::Error> {
                ThreadSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawThread::Program)
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for RawThread {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            RawThread::Id(id) => s.serialize_str(id),
            RawThread::Program(t) => t.serialize(s),
        }
    }
}

/// A port declaration: `{ "id": "P", "concurrency": 1 }`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPort {
    pub id: String,
    pub concurrency: i64,
}

/// A device declaration: `{ "id": "sockA", "skip_on_success": false }`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDevice {
    pub id: String,
    #[serde(default)]
    pub skip_on_success: bool,
}

/// A step's op name.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq)]
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
    /// Every op, in the order of the format's documentation.
    pub const ALL: [Op; 12] = [
        Op::Associate,
        Op::Issue,
        Op::Complete,
        Op::Post,
        Op::Get,
        Op::GetEx,
        Op::Block,
        Op::Unblock,
        Op::Timeout,
        Op::Exit,
        Op::CloseDevice,
        Op::ClosePort,
    ];

    /// The op with this name (`"get_ex"`).
    pub fn parse(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.name() == name)
    }

    /// The op of an action (through [`Action::op`], the one list of op names).
    pub fn of(a: &Action) -> Op {
        use serde::de::value::{Error, StrDeserializer};
        use serde::de::IntoDeserializer;
        let name: StrDeserializer<'_, Error> = a.op().into_deserializer();
        Op::deserialize(name).expect("every action's op is an op of the format")
    }

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
#[derive(Debug, Deserialize, Serialize)]
#[serde(untagged)]
pub enum RawTimeout {
    Ms(u64),
    Word(String),
}

/// One step, every key optional at this level.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op: Option<Op>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub overlapped: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inline: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<RawTimeout>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off_program: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<RawExpect>,
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
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<BTreeMap<String, RawPortExpect>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present_map"
    )]
    pub devices: Option<BTreeMap<String, Option<RawDeviceExpect>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threads: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered: Option<Vec<RawPacketExpect>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Expectations on one port.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPortExpect {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_limit: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iocq_len: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wtq: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtl: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ptl: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iocq: Option<Vec<RawPacketExpect>>,
}

/// A packet as expected: only the fields given are compared.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPacketExpect {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub overlapped: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A Device List entry as expected.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeviceExpect {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
