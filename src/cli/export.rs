//! `iocp-sim export FILE --html OUT | --svg OUT`: classroom files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{FlavorArg, LangArg, EXIT_BAD_INPUT};
use crate::model::Flavor;
use crate::views::size::{self, MAX_EXPORT_BYTES};
use crate::views::svg;

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("out").required(true).multiple(true).args(["html", "svg"])))]
pub struct Args {
    /// The scenario file (format iocp-sim/1), or for --html a challenge
    /// (iocp-sim-challenge/1).
    file: PathBuf,
    /// Write a self-contained offline HTML player here.
    #[arg(long, value_name = "OUT")]
    html: Option<PathBuf>,
    /// Write an SVG timeline of every thread's state here.
    #[arg(long, value_name = "OUT")]
    svg: Option<PathBuf>,
    /// Simulate (or start in) this flavour instead of the one the file names.
    #[arg(long, value_enum)]
    flavor: Option<FlavorArg>,
    /// Language of the narration and the labels.
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
}

/// Writes `path` as `draw` produces it, through a buffer: the output is
/// never whole in memory.
fn write(
    path: &Path,
    draw: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    let written = File::create(path).and_then(|f| {
        let mut out = BufWriter::new(f);
        draw(&mut out)?;
        out.flush()
    });
    written.map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Refuses, before anything is built, a drawing over [`MAX_EXPORT_BYTES`]
/// (the page measures itself: [`super::course::file_page`]).
fn fits_svg(scenario: &crate::scenario::Scenario, flavor: Flavor) -> Result<(), size::TooLarge> {
    let limit = MAX_EXPORT_BYTES;
    size::check(
        size::estimate(scenario, flavor, limit).svg,
        limit,
        "the SVG timeline",
    )
}

/// Runs `iocp-sim export`.
pub fn main(args: Args) -> ExitCode {
    let lang = args.lang.into();
    // A scenario's mistakes are shown with their line and a caret.
    let loaded = match super::course::is_challenge(&args.file) {
        true => None,
        false => match super::load_scenario(&args.file, args.flavor) {
            Ok(loaded) => Some(loaded),
            Err(code) => return code,
        },
    };
    if let Some(out) = &args.html {
        // A lesson or a challenge: the page holds the file (and a
        // challenge's lesson) and the engine that runs it.
        let page = super::course::file_page(&args.file, args.flavor.map(Flavor::from), lang)
            .and_then(|page| super::course::write(&page, out));
        if let Err(e) = page {
            errln!("error: {e}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        errln!("wrote {}", out.display());
    }
    let Some(out) = &args.svg else {
        return ExitCode::SUCCESS;
    };
    let Some((scenario, flavor)) = loaded else {
        errln!(
            "error: {}: a challenge has no timeline; export its lesson",
            args.file.display()
        );
        return ExitCode::from(EXIT_BAD_INPUT);
    };
    if let Err(e) = fits_svg(&scenario, flavor) {
        errln!("error: {}: {e}", args.file.display());
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    if let Err(e) = write(out, |w| svg::write_timeline(&scenario, flavor, lang, w)) {
        errln!("error: {e}");
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    errln!("wrote {}", out.display());
    ExitCode::SUCCESS
}
