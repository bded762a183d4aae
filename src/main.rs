//! The `iocp-sim` command line: a thin shell around the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    iocp_sim::cli::main()
}
