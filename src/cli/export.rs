//! `iocp-sim export FILE --html OUT | --svg OUT`: classroom files.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{FlavorArg, LangArg, EXIT_BAD_INPUT};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario file (format iocp-sim/1).
    file: PathBuf,
    /// Write a self-contained offline HTML player here.
    #[arg(long)]
    html: Option<PathBuf>,
    /// Write an SVG timeline of every thread's state here.
    #[arg(long)]
    svg: Option<PathBuf>,
    /// Simulate this flavour instead of the one the file names.
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
    /// Language of the narration and the labels.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
}

pub fn main(args: Args) -> ExitCode {
    let _ = (&args.file, &args.html, &args.svg, &args.flavor, args.lang);
    eprintln!("error: export is not built yet");
    ExitCode::from(EXIT_BAD_INPUT)
}
