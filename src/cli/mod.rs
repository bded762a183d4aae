//! The command-line interface. Each subcommand lives in its own module and
//! returns an [`ExitCode`]: 0 success, 1 a check or comparison failed,
//! 2 bad input or a missing environment (with a message on stderr).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod explore;

/// The exit status for bad input or a missing environment.
pub const EXIT_BAD_INPUT: u8 = 2;

/// iocp-sim: watch the Windows I/O completion port scheduling model move, step by step.
#[derive(Parser, Debug)]
#[command(name = "iocp-sim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Try every interleaving of an explore spec; find the shortest path to a condition.
    Explore(explore::ExploreArgs),
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Explore(args) => explore::run(args),
    }
}
