//! The JSON Schema of the `iocp-sim/1` format, for editors
//! (`iocp-sim schema`). Kept as a JSON file beside this one; the
//! definition of a thread program (`$defs.thread`) is the explore spec
//! schema's own (`docs/explore-spec.schema.json`), put in when the schema
//! is printed ([`json`]), so the program language is defined once.

/// The schema as written beside this file, its `$defs.thread` a
/// placeholder: read [`json`] for the whole schema.
pub const SCHEMA: &str = include_str!("schema.json");

/// The whole schema (draft 2020-12): [`SCHEMA`] with the explore spec
/// schema's thread definition in `$defs.thread`.
pub fn json() -> String {
    let mut schema: serde_json::Value =
        serde_json::from_str(SCHEMA).expect("the scenario schema is JSON");
    let explore: serde_json::Value =
        serde_json::from_str(crate::program::spec::SCHEMA).expect("the explore schema is JSON");
    schema["$defs"]["thread"] = explore["$defs"]["thread"].clone();
    serde_json::to_string_pretty(&schema).expect("a schema serialises")
}
