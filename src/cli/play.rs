//! `iocp-sim play FILE`: the full-screen terminal player.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{FlavorArg, LangArg, EXIT_BAD_INPUT};
use crate::model::Flavor;
use crate::views::player::{self, Player};
use crate::views::size::{self, MAX_PLAY_BYTES};

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

/// Runs `iocp-sim play`.
pub fn main(args: Args) -> ExitCode {
    let (scenario, flavor) = match super::load_scenario(&args.file, args.flavor) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    // The player holds one flavour's trace and a few frames built from it,
    // and key f records the others.
    for f in Flavor::ALL {
        let e = size::estimate_play(&scenario, f, MAX_PLAY_BYTES);
        if let Err(e) = size::check(e.play_memory(), MAX_PLAY_BYTES, "the recorded run") {
            errln!("error: {}: {e}", args.file.display());
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    }
    let mut p = Player::new(scenario, flavor, args.lang.into());
    match player::run(&mut p) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("error: {e}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
