//! `iocp-sim course [DIR] --html OUT`: every lesson and challenge of a
//! folder (the bundled `sim-scenarios/` by default) in one offline HTML
//! file, with an index in the orders of the folder's `course.json`
//! (read and checked by `crate::course`), in both languages. Also the page assembly that
//! `export --html` shares: files read from disk, checked, and measured
//! before anything is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{LangArg, EXIT_BAD_INPUT};
use crate::challenge;
use crate::course;
use crate::model::Flavor;
use crate::narrate::Lang;
use crate::scenario::{self, Scenario, Text};
use crate::views::html::Page;
use crate::views::size::{self, MAX_EXPORT_BYTES};
use crate::views::web::{self, Index, MAX_RUN_BYTES};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The folder: its lessons (`*.json`), its `challenges/*.json`, and
    /// the orders of its `course.json` (default: the bundled lessons).
    dir: Option<PathBuf>,
    /// Write the course as one self-contained offline HTML file here.
    #[arg(long, value_name = "OUT")]
    html: PathBuf,
    /// Language the page opens in (a button switches).
    #[arg(long, value_enum, default_value_t = LangArg::En)]
    lang: LangArg,
}

/// The bundled lessons, where this crate's sources are.
fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sim-scenarios")
}

/// A page that cannot be made, in words (the file and the reason).
type Refusal = String;

/// Reads `path`'s text.
fn read(path: &Path) -> Result<String, Refusal> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// The names of the `.json` files directly in `dir` but a course file
/// ([`course::lesson_files`]); none if `dir` does not exist.
fn json_files(dir: &Path) -> Result<Vec<String>, Refusal> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let files =
        course::lesson_files(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    Ok(files
        .iter()
        .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_owned))
        .collect())
}

/// The `format` a JSON text names, if any.
fn format_of(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Format {
        format: Option<String>,
    }
    serde_json::from_str::<Format>(text)
        .ok()
        .and_then(|f| f.format)
}

/// `path` is a challenge file (format `iocp-sim-challenge/1`).
pub(super) fn is_challenge(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| format_of(&t).as_deref() == Some(challenge::FORMAT))
}

/// Adds `name` (relative to `dir`) to `files`: a lesson, checked by the
/// scenario reader; or a challenge, checked by the challenge reader, with
/// the lesson it starts from. Returns its title, and the scenario read
/// (a lesson's; for a challenge, its lesson's).
fn add(
    dir: &Path,
    name: &str,
    files: &mut BTreeMap<String, String>,
) -> Result<(Text, Scenario), Refusal> {
    let path = dir.join(name);
    let text = read(&path)?;
    let read = if format_of(&text).as_deref() == Some(challenge::FORMAT) {
        let source = path.display().to_string();
        let rel = challenge::lesson_of(&source, &text).map_err(|e| e.to_string())?;
        let at = path.parent().unwrap_or(Path::new(".")).join(&rel);
        let sc = scenario::load(&at).map_err(|e| e.to_string())?;
        let ch = challenge::load_str(&source, &text, sc.clone()).map_err(|e| e.to_string())?;
        files.insert(web::join(name, &rel), read(&at)?);
        (ch.title, sc)
    } else {
        let sc = scenario::load(&path).map_err(|e| e.to_string())?;
        (sc.world.title.clone(), sc)
    };
    files.insert(name.to_owned(), text);
    Ok(read)
}

/// Refuses, before anything is written, a page over [`MAX_EXPORT_BYTES`]
/// or a run (of its `scenarios`) that, in some flavour, the page's engine
/// could not hold ([`MAX_RUN_BYTES`], what it refuses in the browser).
fn fits(page: &Page, scenarios: &[Scenario]) -> Result<(), Refusal> {
    for sc in scenarios {
        for f in Flavor::ALL {
            size::check_page(sc, f, MAX_RUN_BYTES).map_err(|e| format!("{}: {e}", sc.source))?;
        }
    }
    size::check(page.bytes(), MAX_EXPORT_BYTES, "the HTML page").map_err(|e| e.to_string())
}

/// The page of one lesson or challenge file, checked and measured.
pub(super) fn file_page(path: &Path, flavor: Option<Flavor>, lang: Lang) -> Result<Page, Refusal> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| format!("{}: not a file name", path.display()))?;
    let mut files = BTreeMap::new();
    let (title, sc) = add(dir, name, &mut files)?;
    let page = Page {
        title: title.get(lang).into_owned(),
        files,
        start: name.to_owned(),
        flavor,
        lang,
        course: None,
    };
    fits(&page, &[sc])?;
    Ok(page)
}

/// The page of a whole folder, checked and measured: the orders of its
/// course file (every lesson of the folder in each, as [`course::load`]
/// checks), or one order of its lessons by name when it has none.
pub(super) fn course_page(dir: &Path, lang: Lang) -> Result<Page, Refusal> {
    let course_file = dir.join(course::FILE_NAME);
    let index = if course_file.is_file() {
        Index::from(&course::load(&course_file).map_err(|e| e.to_string())?)
    } else {
        let challenges = json_files(&dir.join("challenges"))?
            .into_iter()
            .map(|n| format!("challenges/{n}"))
            .collect();
        Index::default_order(json_files(dir)?, challenges)
    };
    let mut files = BTreeMap::new();
    let mut titles = BTreeMap::new();
    let mut lessons = Vec::new();
    for name in index.lessons() {
        let (title, sc) = add(dir, name, &mut files)?;
        titles.insert(name.to_owned(), title);
        lessons.push(sc);
    }
    for name in &index.challenges {
        // Its lesson is one of the folder's, measured above.
        titles.insert(name.clone(), add(dir, name, &mut files)?.0);
    }
    let start = index.paths[0]
        .lessons
        .first()
        .cloned()
        .ok_or_else(|| format!("{}: no lesson to show", dir.display()))?;
    let page = Page {
        title: titles[&start].get(lang).into_owned(),
        files,
        start,
        flavor: None,
        lang,
        course: Some(index),
    };
    fits(&page, &lessons)?;
    Ok(page)
}

/// Writes `page` to `out` through a buffer.
pub(super) fn write(page: &Page, out: &Path) -> Result<(), Refusal> {
    use std::io::Write as _;
    let written = std::fs::File::create(out).and_then(|f| {
        let mut w = std::io::BufWriter::new(f);
        page.write(&mut w)?;
        w.flush()
    });
    written.map_err(|e| format!("cannot write {}: {e}", out.display()))
}

/// Runs `iocp-sim course`.
pub fn main(args: Args) -> ExitCode {
    let dir = args.dir.unwrap_or_else(bundled);
    let made = course_page(&dir, args.lang.into()).and_then(|page| {
        write(&page, &args.html)?;
        Ok(page)
    });
    match made {
        Ok(page) => {
            let lessons = page.course.as_ref().map_or(0, |c| c.lessons().len());
            let challenges = page.course.as_ref().map_or(0, |c| c.challenges.len());
            errln!(
                "wrote {} ({lessons} lessons, {challenges} challenges, {} KiB)",
                args.html.display(),
                page.bytes() >> 10
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            errln!("error: {e}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
