//! Views of a run: the per-step view model every view reads ([`view`]),
//! plain text for terminals and classrooms ([`text`]) and one JSON object
//! per step for programs ([`json`]). They only read the model; none does
//! any I/O beyond the writer it is given.

pub mod json;
pub mod text;
pub mod view;
