//! The program language as written: a thread entry (`{ "id": "W",
//! "get": { "port": "P" }, "block": "Sleep(10)", ... }`), read by serde
//! and checked by [`check_program`]. The explorer's specs
//! (`docs/explore.md`) and the scenarios of lessons and challenges
//! (`docs/scenario-format.md`) both take it as it is.

use crate::unknown::Unknown;
use serde::{Deserialize, Serialize};

/// The explore spec's JSON Schema (`docs/explore-spec.schema.json`), whose
/// `$defs.thread` is the schema of a thread program: the scenario schema
/// takes it from there.
pub const SCHEMA: &str = include_str!("../../docs/explore-spec.schema.json");

/// At most this many threads run programs (the explorer's packed state
/// keeps thread ids in small fields).
pub const MAX_THREADS: usize = 32;
/// At most this many packets before a program exits (and keys a block lists).
pub const MAX_PACKETS: u32 = 64;

/// A thread and the loop it runs: the one definition of a thread program,
/// read by the explorer (a spec's `threads`) and by lessons and challenges
/// (a scenario's `threads` entry written as an object).
///
/// ```text
/// loop:
///     get(get.port, get.timeout)       get.batch = n: get_ex with room for n
///     -- the thread handles its packet(s) --
///     [exit if a packet has key exit_on_key]
///     [block(block.on)]                for packets with a key in block.keys (all if absent)
///     [post(post.port, post.key)]      post.port absent: its own port (get.port)
///     exit if it has had `packets` packets
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ThreadSpec {
    /// Its name; with `count` > 1, the threads are named `<id>1`, `<id>2`, ...
    pub id: String,
    /// How many identical threads this entry declares (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// The get that starts each round.
    pub get: GetSpec,
    /// After a packet: a named wait, such as `"WaitForSingleObject(db)"`,
    /// that the world outside the threads ends at any moment (an unblock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<BlockSpec>,
    /// After a packet (and the block, if any): post one packet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<PostSpec>,
    /// Exit after this many packets (default: loop forever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packets: Option<u32>,
    /// A packet with this completion key makes the thread exit (the null
    /// post a server sends each worker to shut it down, lesson 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_on_key: Option<u64>,
    /// What a get that fails with WAIT_TIMEOUT leads to: `"retry"` (default) or `"exit"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_timeout: Option<String>,
}

/// The named wait of a thread's loop: `"WaitForSingleObject(db)"`, or
/// `{ "on": "WaitForSingleObject(db)", "keys": [1] }` to wait only after
/// packets with one of those completion keys (the requests that need the
/// database).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockSpec {
    /// What the thread waits on, as shown (the label of its block).
    pub on: String,
    /// Only after a packet with one of these keys (`None`: after every packet).
    pub keys: Option<Vec<u64>>,
}

impl Serialize for BlockSpec {
    /// The label alone when it applies after every packet, else the object.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match &self.keys {
            None => s.serialize_str(&self.on),
            Some(keys) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("on", &self.on)?;
                m.serialize_entry("keys", keys)?;
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for BlockSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<BlockSpec, D::Error> {
        /// The object form.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            on: String,
            #[serde(default)]
            keys: Option<Vec<u64>>,
        }
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = BlockSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a label such as \"WaitForSingleObject(db)\", or { \"on\": label, \"keys\": [key, ...] }")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<BlockSpec, E> {
                Ok(BlockSpec {
                    on: s.to_owned(),
                    keys: None,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<BlockSpec, A::Error> {
                let full = Full::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(BlockSpec {
                    on: full.on,
                    keys: full.keys,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// The get call of a thread's loop.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GetSpec {
    /// The port.
    pub port: String,
    /// `"infinite"` (default), or whole milliseconds (0 polls; any other
    /// value lets the environment time the wait out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<TimeoutSpec>,
    /// With a value, GetQueuedCompletionStatusEx with room for that many entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<u32>,
}

/// A timeout as written: `"infinite"` or milliseconds.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum TimeoutSpec {
    /// Milliseconds.
    Ms(u64),
    /// Must be `"infinite"`.
    Word(String),
}

/// A post made by a thread after each packet.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PostSpec {
    /// The port posted to (absent: the thread's own port, its get's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<String>,
    /// The completion key.
    #[serde(default)]
    pub key: u64,
}

/// A spec that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SpecError {
    /// Where: `line L, column C` for syntax errors, or a JSON path such as `threads[1].get.port`.
    pub at: String,
    /// The 1-based line and column, for syntax errors (`at` then says the same).
    pub position: Option<(usize, usize)>,
    /// Why.
    pub message: String,
    /// For an unknown name or word (a key, a port, a flavour): the word,
    /// and the ones the spec declares or the format knows (for "did you
    /// mean").
    pub unknown: Option<Unknown>,
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

impl std::error::Error for SpecError {}

pub(crate) fn err<T>(at: impl Into<String>, message: impl Into<String>) -> Result<T, SpecError> {
    Err(SpecError {
        at: at.into(),
        position: None,
        message: message.into(),
        unknown: None,
    })
}

/// An error for the unknown name or word `word`, with the `known` ones.
pub(crate) fn unknown<T>(
    at: impl Into<String>,
    message: impl Into<String>,
    word: &str,
    known: Vec<String>,
) -> Result<T, SpecError> {
    Err(SpecError {
        at: at.into(),
        position: None,
        message: message.into(),
        unknown: Some(Unknown::new(word, known)),
    })
}

/// Checks one thread's program (every key of [`ThreadSpec`] but its id and
/// count) against the ports declared, `at` naming it in errors
/// (`threads[1]`): the one check of the program language, for explore
/// specs and for the programs of lessons and challenges alike.
pub fn check_program(t: &ThreadSpec, at: &str, ports: &[&str]) -> Result<(), SpecError> {
    let port_known = |at: String, name: &str| -> Result<(), SpecError> {
        if ports.contains(&name) {
            Ok(())
        } else {
            let known = ports.iter().map(|p| p.to_string()).collect();
            unknown(at, format!("unknown port {name:?}"), name, known)
        }
    };
    port_known(format!("{at}.get.port"), &t.get.port)?;
    match &t.get.timeout {
        None | Some(TimeoutSpec::Ms(_)) => {}
        Some(TimeoutSpec::Word(w)) if w == "infinite" => {}
        Some(TimeoutSpec::Word(w)) => {
            return err(
                format!("{at}.get.timeout"),
                format!("{w:?} is not a timeout; use \"infinite\" or whole milliseconds"),
            )
        }
    }
    if t.get.batch == Some(0) {
        return err(format!("{at}.get.batch"), "must be at least 1");
    }
    if let Some(port) = t.post.as_ref().and_then(|p| p.port.as_ref()) {
        port_known(format!("{at}.post.port"), port)?;
    }
    if let Some(b) = &t.block {
        if b.on.is_empty() {
            return err(
                format!("{at}.block"),
                "name what the thread waits on, e.g. \"WaitForSingleObject(db)\"",
            );
        }
        match &b.keys {
            Some(keys) if keys.is_empty() => {
                return err(
                    format!("{at}.block.keys"),
                    "list at least one key (or leave keys out: after every packet)",
                )
            }
            Some(keys) if keys.len() > MAX_PACKETS as usize => {
                return err(
                    format!("{at}.block.keys"),
                    format!("at most {MAX_PACKETS} keys"),
                )
            }
            _ => {}
        }
    }
    match t.packets {
        Some(0) => return err(format!("{at}.packets"), "must be at least 1"),
        Some(n) if n > MAX_PACKETS => {
            return err(format!("{at}.packets"), format!("at most {MAX_PACKETS}"))
        }
        _ => {}
    }
    match t.on_timeout.as_deref() {
        None | Some("retry") | Some("exit") => {}
        Some(w) => {
            return unknown(
                format!("{at}.on_timeout"),
                format!("{w:?}: use \"retry\" or \"exit\""),
                w,
                vec!["retry".into(), "exit".into()],
            )
        }
    }
    Ok(())
}
