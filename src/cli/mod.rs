//! The command-line interface. Each subcommand lives in its own module,
//! named after it, with the same two items: `Args` (its clap arguments) and
//! `main(args: Args) -> ExitCode`: 0 success, 1 a check or comparison
//! failed, 2 bad input or a missing environment (with a message on stderr).

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::model::Flavor;
use crate::narrate::Lang;

/// `print!` for the command: through [`say`], escaped for the terminal.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::say(format_args!($($arg)*), $crate::cli::To::Out) };
}
/// `println!` for the command: through [`say`], escaped for the terminal.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::say(format_args!("{}\n", format_args!($($arg)*)), $crate::cli::To::Out) };
}
/// `eprintln!` for the command: through [`say`], escaped for the terminal.
macro_rules! errln {
    ($($arg:tt)*) => { $crate::cli::say(format_args!("{}\n", format_args!($($arg)*)), $crate::cli::To::Err) };
}

mod challenge;
mod check;
mod course;
mod diff;
mod explore;
mod export;
mod lab;
mod live;
mod play;
/// Public for the `run_json` benchmark (`run::write_json`).
pub mod run;
mod schema;

/// The exit status for bad input or a missing environment.
pub const EXIT_BAD_INPUT: u8 = 2;
/// The exit status when a check or comparison failed.
pub const EXIT_FAILED: u8 = 1;

/// iocp-sim: watch the Windows I/O completion port scheduling model move, step by step.
#[derive(Parser, Debug)]
#[command(name = "iocp-sim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and show every step: the action, why it happened, and the five structures.
    Run(run::Args),
    /// Check every expectation of scenario files (or of the .json files in directories).
    Check(check::Args),
    /// Print the JSON Schema of the scenario format, for editors.
    Schema(schema::Args),
    /// Step through a scenario in a full-screen terminal player.
    Play(play::Args),
    /// Export a scenario as an offline HTML player (--html) or an SVG timeline (--svg).
    Export(export::Args),
    /// Compare the model with a real completion port (Windows, or Wine on Linux), step by step.
    Diff(diff::Args),
    /// Try every interleaving of an explore spec; find the shortest path to a condition.
    Explore(explore::Args),
    /// Workload lab: simulate worker threads, processors and a port in simulated time.
    Lab(lab::Args),
    /// Run a lab workload on real threads and a live port; report what the OS measured.
    Live(live::Args),
    /// Play a challenge (reach a goal in few moves) in the terminal player, or --solve it.
    Challenge(challenge::Args),
    /// Write every lesson and challenge of a folder as one offline HTML file (--html).
    Course(course::Args),
}

/// `--flavor`: which implementation of completion ports to simulate.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FlavorArg {
    /// The NT kernel: LIFO wake, concurrency limit enforced.
    Windows,
    /// Wine 8: FIFO wake, concurrency value ignored.
    Wine,
    /// Wine 10: see docs/differential.md for what differs from Wine 8.
    Wine10,
}

impl From<FlavorArg> for Flavor {
    fn from(f: FlavorArg) -> Flavor {
        match f {
            FlavorArg::Windows => Flavor::Windows,
            FlavorArg::Wine => Flavor::Wine,
            FlavorArg::Wine10 => Flavor::Wine10,
        }
    }
}

/// `--lang`: the language of the narration.
#[derive(Clone, Copy, Debug, ValueEnum, Default)]
pub enum LangArg {
    /// English.
    #[default]
    En,
    /// Korean (한국어).
    Ko,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::En => Lang::En,
            LangArg::Ko => Lang::Ko,
        }
    }
}

/// Where [`say`] writes.
enum To {
    /// Standard output.
    Out,
    /// Standard error.
    Err,
}

/// The one way a command writes text (the macros `out!`, `outln!` and
/// `errln!`): through [`escape::terminal`](crate::escape::terminal), so
/// that no title, id, note, hint, path or quoted value of a file can act
/// on the terminal (retitle it, clear it, reorder what follows); a control
/// or bidirectional formatting character is shown as `\u{1b}`. The two
/// other writers are `run`'s stream, whose text view escapes the same way
/// ([`crate::render::text`]), and `live --watch`, which draws a frame of
/// its own words. Nothing else in `cli` prints
/// (`layering::the_source_keeps_its_layers`).
fn say(text: std::fmt::Arguments, to: To) {
    let text = text.to_string();
    let text = crate::escape::terminal(&text);
    match to {
        To::Out => print!("{text}"),
        To::Err => eprint!("{text}"),
    }
}

/// Refuses bad input to `iocp-sim COMMAND`: the message on stderr, prefixed
/// with the command, and the exit code for bad input.
fn bad(command: &str, msg: impl std::fmt::Display) -> ExitCode {
    errln!("iocp-sim {command}: {msg}");
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Reads a scenario and picks its flavour (`--flavor`, else the file's);
/// on error prints the message and gives the exit code for bad input.
fn load_scenario(
    path: &std::path::Path,
    flavor: Option<FlavorArg>,
) -> Result<(crate::scenario::Scenario, Flavor), ExitCode> {
    match crate::scenario::load(path) {
        Ok(s) => {
            let f = flavor.map(Flavor::from).unwrap_or(s.world.flavor);
            Ok((s, f))
        }
        Err(e) => {
            print_scenario_error(&e);
            Err(ExitCode::from(EXIT_BAD_INPUT))
        }
    }
}

/// A closed standard output (the reader of a pipe stopped, as `| head`
/// does) ends every command quietly with exit 0, as Unix tools do: `print!`
/// panics on a failed write, and this hook turns that one panic into an exit.
/// Commands that stream (`run`) also check their writes themselves.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        let broken = std::io::Error::from(std::io::ErrorKind::BrokenPipe).to_string();
        if msg.starts_with("failed printing to stdout")
            && (msg.contains(&broken) || msg.contains("Broken pipe"))
        {
            std::process::exit(0);
        }
        default(info)
    }));
}

/// True if errors are shown in their long form, for people (standard
/// error is a terminal, or `IOCP_SIM_ERRORS=long`): the source line, a
/// caret and "did you mean" (see [`crate::diagnostic`]). False for scripts
/// (standard error is not a terminal, or `IOCP_SIM_ERRORS=short`): the
/// one-line form.
fn long_errors() -> bool {
    use std::io::IsTerminal;
    match std::env::var("IOCP_SIM_ERRORS").as_deref() {
        Ok("long") => true,
        Ok("short") => false,
        _ => std::io::stderr().is_terminal(),
    }
}

/// Prints a scenario error on stderr: the long form of
/// [`crate::diagnostic::scenario`] or the one line (see [`long_errors`]).
fn print_scenario_error(e: &crate::scenario::ScenarioError) {
    if long_errors() {
        let text = std::fs::read_to_string(e.path()).ok();
        errln!("{}", crate::diagnostic::scenario(e, text.as_deref()));
    } else {
        errln!("error: {e}");
    }
}

/// Prints a lab configuration error on stderr (for `lab` and `live`): the
/// long form of [`crate::diagnostic::lab_config`], or `iocp-sim COMMAND: `
/// and the one line (see [`long_errors`]).
fn print_config_error(command: &str, e: &crate::lab::ConfigError) {
    use crate::lab::config::{read_limited, MAX_CONFIG_BYTES};
    if long_errors() {
        // The file at fault: the configuration, or the trace it names
        // (shown only if it is no larger than a configuration may be).
        let text = read_limited(std::path::Path::new(&e.file), MAX_CONFIG_BYTES)
            .ok()
            .flatten();
        errln!("{}", crate::diagnostic::lab_config(e, text.as_deref()));
    } else {
        errln!("iocp-sim {command}: {e}");
    }
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run::main(args),
        Command::Check(args) => check::main(args),
        Command::Schema(args) => schema::main(args),
        Command::Play(args) => play::main(args),
        Command::Export(args) => export::main(args),
        Command::Diff(args) => diff::main(args),
        Command::Explore(args) => explore::main(args),
        Command::Lab(args) => lab::main(args),
        Command::Live(args) => live::main(args),
        Command::Challenge(args) => challenge::main(args),
        Command::Course(args) => course::main(args),
    }
}
