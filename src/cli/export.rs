//! `iocp-sim export FILE --html OUT | --svg OUT`: classroom files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{FlavorArg, LangArg, EXIT_BAD_INPUT};
use crate::model::Flavor;
use crate::views::size::{self, MAX_EXPORT_BYTES};
use crate::views::{html, svg};

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("out").required(true).multiple(true).args(["html", "svg"])))]
pub struct Args {
    /// The scenario file (format iocp-sim/1).
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

/// Refuses, before anything is built, a page or drawing over [`MAX_EXPORT_BYTES`].
fn fits(
    args: &Args,
    scenario: &crate::scenario::Scenario,
    flavor: Flavor,
) -> Result<(), size::TooLarge> {
    let limit = MAX_EXPORT_BYTES;
    if args.html.is_some() {
        // The page holds every flavour's run.
        let bytes = Flavor::ALL
            .into_iter()
            .map(|f| size::estimate(scenario, f, limit).html)
            .sum::<u64>()
            + html::TEMPLATE_BYTES;
        size::check(bytes, limit, "the HTML page")?;
    }
    if args.svg.is_some() {
        size::check(
            size::estimate(scenario, flavor, limit).svg,
            limit,
            "the SVG timeline",
        )?;
    }
    Ok(())
}

/// Runs `iocp-sim export`.
pub fn main(args: Args) -> ExitCode {
    let (scenario, flavor) = match super::load_scenario(&args.file, args.flavor) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let lang = args.lang.into();
    if let Err(e) = fits(&args, &scenario, flavor) {
        errln!("error: {}: {e}", args.file.display());
        return ExitCode::from(EXIT_BAD_INPUT);
    }
    let outputs = [(args.html.as_deref(), true), (args.svg.as_deref(), false)];
    for (path, page) in outputs {
        let Some(path) = path else { continue };
        let written = write(path, |w| match page {
            true => html::write_page(&scenario, flavor, lang, w),
            false => svg::write_timeline(&scenario, flavor, lang, w),
        });
        if let Err(e) = written {
            errln!("error: {e}");
            return ExitCode::from(EXIT_BAD_INPUT);
        }
        errln!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}
