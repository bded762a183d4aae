//! `iocp-sim play FILE`: the full-screen terminal player.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{FlavorArg, LangArg, EXIT_BAD_INPUT};
use crate::views::player::{self, Player};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario file (format iocp-sim/1).
    file: PathBuf,
    /// Start in this flavour instead of the one the file names (key f toggles).
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
    /// Language of the narration and the labels.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
}

pub fn main(args: Args) -> ExitCode {
    let (scenario, flavor) = match super::load_scenario(&args.file, args.flavor) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let mut p = Player::new(scenario, flavor, args.lang.into());
    match player::run(&mut p) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
