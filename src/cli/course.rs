//! `iocp-sim course [DIR] --html OUT`: every lesson and challenge of a
//! folder (the bundled `sim-scenarios/` by default) in one offline HTML
//! file, with an index in the orders of the folder's `course.json`
//! (`views::course`), in both languages. Also the page assembly that
//! `export --html` shares: files read from disk, checked, and measured
//! before anything is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{LangArg, EXIT_BAD_INPUT};
use crate::challenge;
use crate::model::Flavor;
use crate::narrate::Lang;
use crate::scenario::{self, ScenarioError};
use crate::views::course::{self, Course};
use crate::views::html::Page;
use crate::views::size::{self, MAX_EXPORT_BYTES};
use crate::views::web::MAX_RUN_BYTES;

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

/// The `.json` files directly in `dir`, by name.
fn json_files(dir: &Path) -> Result<Vec<String>, Refusal> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    };
    for e in entries {
        let p = e
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .path();
        let name = p.file_name().and_then(|n| n.to_str()).map(str::to_owned);
        if let (Some(name), true) = (name, p.extension().is_some_and(|x| x == "json")) {
            if p.is_file() && name != course::FILE {
                out.push(name);
            }
        }
    }
    out.sort();
    Ok(out)
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
/// the lesson it starts from.
fn add(dir: &Path, name: &str, files: &mut BTreeMap<String, String>) -> Result<(), Refusal> {
    if files.contains_key(name) {
        return Ok(());
    }
    let path = dir.join(name);
    let text = read(&path)?;
    if format_of(&text).as_deref() == Some(challenge::FORMAT) {
        let mut lesson = None;
        challenge::parse(&path.display().to_string(), &text, |rel| {
            let at = path.parent().unwrap_or(Path::new(".")).join(rel);
            let sc = scenario::load(&at)?;
            let text = std::fs::read_to_string(&at).map_err(|e| ScenarioError::Io {
                path: at.display().to_string(),
                message: e.to_string(),
            })?;
            lesson = Some((course::join(name, rel), text));
            Ok(sc)
        })
        .map_err(|e| e.to_string())?;
        if let Some((n, t)) = lesson {
            files.insert(n, t);
        }
    } else {
        scenario::load(&path).map_err(|e| e.to_string())?;
    }
    files.insert(name.to_owned(), text);
    Ok(())
}

/// The title of file `name` of `files` in `lang` (what the page shows
/// before its engine starts).
fn title(files: &BTreeMap<String, String>, name: &str, lang: Lang) -> String {
    let mut engine = crate::views::web::Engine::new();
    let load = serde_json::json!({ "op": "load", "files": files, "course": null });
    engine.handle(&load.to_string());
    let run = serde_json::json!({ "op": "run", "file": name, "flavor": null, "lang": lang.code() });
    let answer: serde_json::Value =
        serde_json::from_str(&engine.handle(&run.to_string())).unwrap_or_default();
    answer["ok"]["title"].as_str().unwrap_or(name).to_owned()
}

/// Refuses, before anything is written, a page over [`MAX_EXPORT_BYTES`]
/// or a file whose run, in some flavour, the page could not hold
/// ([`MAX_RUN_BYTES`], what the engine refuses in the browser).
fn fits(page: &Page, dir: &Path) -> Result<(), Refusal> {
    for name in page.files.keys() {
        let path = dir.join(name);
        let text = &page.files[name];
        let Ok(sc) = scenario::load_str(&path.display().to_string(), text) else {
            // A challenge: its run is its lesson's, checked as a lesson.
            continue;
        };
        for f in Flavor::ALL {
            let e = size::estimate_play(&sc, f, MAX_RUN_BYTES);
            size::check(e.engine_memory(), MAX_RUN_BYTES, "its run in the page")
                .map_err(|e| format!("{}: {e}", path.display()))?;
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
    add(dir, name, &mut files)?;
    let page = Page {
        title: title(&files, name, lang),
        files,
        start: name.to_owned(),
        flavor,
        lang,
        course: None,
    };
    fits(&page, dir)?;
    Ok(page)
}

/// The page of a whole folder, checked and measured.
pub(super) fn course_page(dir: &Path, lang: Lang) -> Result<Page, Refusal> {
    let course_file = dir.join(course::FILE);
    let course = if course_file.is_file() {
        Course::parse(&course_file.display().to_string(), &read(&course_file)?)
            .map_err(|e| e.to_string())?
    } else {
        let challenges = json_files(&dir.join("challenges"))?
            .into_iter()
            .map(|n| format!("challenges/{n}"))
            .collect();
        Course::default_order(json_files(dir)?, challenges)
    };
    let mut files = BTreeMap::new();
    for name in course
        .lessons()
        .into_iter()
        .chain(course.challenges.iter().map(String::as_str))
    {
        add(dir, name, &mut files)?;
    }
    let left_out: Vec<String> = json_files(dir)?
        .into_iter()
        .filter(|n| !files.contains_key(n))
        .collect();
    if !left_out.is_empty() {
        eprintln!(
            "warning: {} lists no path with {}; the page leaves {} out",
            course_file.display(),
            left_out.join(", "),
            if left_out.len() == 1 { "it" } else { "them" }
        );
    }
    let start = course.paths[0].lessons[0].clone();
    let page = Page {
        title: title(&files, &start, lang),
        files,
        start,
        flavor: None,
        lang,
        course: Some(course),
    };
    fits(&page, dir)?;
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
            eprintln!(
                "wrote {} ({lessons} lessons, {challenges} challenges, {} KiB)",
                args.html.display(),
                page.bytes() >> 10
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
