//! Views of a run: plain text for terminals and classrooms ([`text`]) and
//! one JSON object per step for programs ([`json`]). Both only read the
//! model; neither does any I/O beyond the writer they are given.

pub mod json;
pub mod text;

use crate::model::{Names, Packet};

/// A packet's four IOCQ fields, compactly: `[key 7 | 0 B | ovA | success]`.
pub fn packet_cell(p: &Packet, names: &Names) -> String {
    format!(
        "[key {} | {} B | {} | {}]",
        p.key,
        p.bytes,
        p.overlapped.map(|o| names.overlapped(o)).unwrap_or("null"),
        names.status(p.status)
    )
}
