//! The JSON Schema of the `iocp-sim/1` format, for editors
//! (`iocp-sim schema`). Kept as a JSON file beside this one.

/// The schema, as JSON text (draft 2020-12).
pub const SCHEMA: &str = include_str!("schema.json");
