//! `iocp-sim schema`: prints the JSON Schema of `iocp-sim/1`.

use std::process::ExitCode;

/// Arguments of `iocp-sim schema` (none).
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Runs `iocp-sim schema`.
pub fn main(_args: Args) -> ExitCode {
    println!("{}", crate::scenario::schema::json());
    ExitCode::SUCCESS
}
