//! `iocp-sim schema`: prints the JSON Schema of `iocp-sim/1`.

use std::process::ExitCode;

pub fn main() -> ExitCode {
    println!("{}", crate::scenario::schema::SCHEMA.trim_end());
    ExitCode::SUCCESS
}
