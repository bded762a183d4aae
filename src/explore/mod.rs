//! The explorer: answers "can this ever happen?" by trying every
//! interleaving of a few threads' loops and the environment's moves.
//!
//! * [`spec`]: the explore spec format (`iocp-sim-explore/1`), parsed and checked.
//! * [`world`]: a spec resolved to ids; the programs and the moves.
//! * [`pack`]: a state packed into a few 64-bit words.
//! * [`store`]: the states found, in breadth-first order, duplicates merged.
//! * [`search`]: the breadth-first search, checking properties 1-7 of
//!   model.md on every transition (only those that hold in the flavour).
//! * [`symmetry`]: interchangeable threads (`count: n`) renamed to one
//!   representative per orbit (by default where sound; `--no-symmetry`),
//!   and the size of each orbit.
//! * [`condition`]: what `--find` looks for.
//! * [`free`]: the players' what-if: any call by any thread from any
//!   state, and the shortest way from there to a condition.
//! * [`trace`]: a found path replayed, printed, and written as an
//!   `iocp-sim/1` scenario.
//!
//! Like the model, the explorer does no I/O: the command line
//! (`src/cli/explore.rs`) reads the spec, times the search and prints.

pub mod condition;
pub mod free;
pub mod pack;
pub mod search;
pub mod spec;
pub mod store;
pub mod symmetry;
pub mod trace;
pub mod world;

pub use condition::Condition;
pub use search::{search, Concrete, ModelRules, NotExact, Options, Progress, Rules, Search, Stop};
pub use spec::{parse, Spec, SpecError};
pub use world::{Local, Move, Pc, World, WorldError};

/// The JSON Schema of explore specs (`docs/explore-spec.schema.json`).
pub const SCHEMA: &str = crate::program::spec::SCHEMA;

#[cfg(test)]
mod tests;
