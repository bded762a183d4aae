//! Helpers shared by the integration tests: one copy of each, reached as
//! `crate::util::NAME` from every module of this binary. Helpers that run
//! the `iocp-sim` binary or drive the terminal player exist with the `cli`
//! feature only, as the tests that use them do.

use std::path::{Path, PathBuf};

use iocp_sim::scenario::{self, Scenario};

/// The path of `rel` in the repository (`CARGO_MANIFEST_DIR/rel`).
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Every `*.json` file directly in `dir`, sorted by name.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// The bundled lessons: every `sim-scenarios/*.json` but the course file
/// (`iocp_sim::course::lesson_files`), sorted by name.
pub fn lessons() -> Vec<PathBuf> {
    let files = iocp_sim::course::lesson_files(&repo("sim-scenarios")).expect("sim-scenarios");
    assert!(files.len() >= 12, "the lessons are there");
    files
}

/// A scenario file, loaded; a file that does not load fails the test with
/// the reason.
pub fn load(path: &Path) -> Scenario {
    scenario::load(path).unwrap_or_else(|e| panic!("{} does not load: {e}", path.display()))
}

/// The over-subscription scenario that the view tests draw.
pub const OVERSUB: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/over-subscription.json"
);

/// [`OVERSUB`], loaded.
pub fn oversub() -> Scenario {
    load(Path::new(OVERSUB))
}

/// A validator for the JSON Schema (draft 2020-12) `schema`.
pub fn validator(schema: &str) -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(schema).expect("the schema is JSON");
    jsonschema::draft202012::new(&schema).expect("the schema is a valid draft 2020-12 schema")
}

/// A fresh, empty directory for one test, under cargo's scratch directory
/// (`CARGO_TARGET_TMPDIR/SUITE/TEST`).
pub fn scratch(suite: &str, test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(suite)
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Writes `text` to `dir/name` and returns its path.
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // only `cli` tests use it today
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write test input");
    p
}

#[cfg(feature = "cli")]
pub use cli::*;

/// Helpers that need the `cli` feature: the built binary and the terminal
/// player.
#[cfg(feature = "cli")]
mod cli {
    use std::process::{Command, Output};

    use iocp_sim::views::player::{Control, Player};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    /// The built `iocp-sim` binary.
    pub const BIN: &str = env!("CARGO_BIN_EXE_iocp-sim");

    /// A command that runs the built binary.
    pub fn bin() -> Command {
        Command::new(BIN)
    }

    /// A finished command's standard output, as text.
    pub fn stdout(o: &Output) -> String {
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// A finished command's standard error, as text.
    pub fn stderr(o: &Output) -> String {
        String::from_utf8_lossy(&o.stderr).into_owned()
    }

    /// Presses `code` (no modifier) in the player.
    pub fn key(p: &mut Player, code: KeyCode) -> Control {
        p.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    /// Opens the action list and picks the first line containing `what`.
    pub fn choose(p: &mut Player, what: &str) {
        key(p, KeyCode::Char('a'));
        let menu = p.ui().menu.clone().expect("the action list is open");
        let i = menu
            .lines
            .iter()
            .position(|(text, _)| text.contains(what))
            .unwrap_or_else(|| panic!("no action {what:?} in {:#?}", menu.lines));
        for _ in 0..i {
            key(p, KeyCode::Down);
        }
        key(p, KeyCode::Enter);
    }
}

/// The name of a rejection's kind, as the model spells the variant.
pub fn reject_kind_name(k: &iocp_sim::model::RejectKind) -> &'static str {
    match k {
        iocp_sim::model::RejectKind::UnknownThread(_) => "UnknownThread",
        iocp_sim::model::RejectKind::UnknownPort(_) => "UnknownPort",
        iocp_sim::model::RejectKind::UnknownDevice(_) => "UnknownDevice",
        iocp_sim::model::RejectKind::ThreadWaiting { .. } => "ThreadWaiting",
        iocp_sim::model::RejectKind::ThreadPaused { .. } => "ThreadPaused",
        iocp_sim::model::RejectKind::ThreadExited { .. } => "ThreadExited",
        iocp_sim::model::RejectKind::NotPaused { .. } => "NotPaused",
        iocp_sim::model::RejectKind::NotWaiting { .. } => "NotWaiting",
        iocp_sim::model::RejectKind::InfiniteWait { .. } => "InfiniteWait",
        iocp_sim::model::RejectKind::OverlappedInUse { .. } => "OverlappedInUse",
        iocp_sim::model::RejectKind::NotPending { .. } => "NotPending",
        iocp_sim::model::RejectKind::ZeroBatch { .. } => "ZeroBatch",
    }
}

/// What `iocp-sim run FILE --flavor F --lang L` prints for `sc`: the
/// header, every step (its narration in `lang`) and the summary.
pub fn text_view(
    sc: &Scenario,
    flavor: iocp_sim::model::Flavor,
    lang: iocp_sim::narrate::Lang,
) -> String {
    use iocp_sim::render::text;
    let mut runner = iocp_sim::runner::Runner::new(&sc.world, flavor);
    let mut out = text::header(&sc.world, flavor.as_str(), lang);
    for step in &sc.steps {
        let report = runner.step(step, &sc.names);
        out.push_str(&text::step(
            step,
            &report,
            runner.outcome(),
            runner.kernel(),
            &sc.names,
            lang,
        ));
    }
    out.push_str(&text::summary(runner.summary(), &sc.names, lang));
    out
}

/// The browser's lesson engine (`views::web`) on `files` (name, text):
/// sends `request` (JSON) and returns its `ok` answer, failing the test
/// on a refusal.
pub fn engine(files: &[(&str, &str)]) -> iocp_sim::views::web::Engine {
    let mut e = iocp_sim::views::web::Engine::new();
    let files: serde_json::Map<String, serde_json::Value> = files
        .iter()
        .map(|(n, t)| ((*n).to_owned(), serde_json::Value::from(*t)))
        .collect();
    let load = serde_json::json!({ "op": "load", "files": files, "course": null });
    ask(&mut e, &load);
    e
}

/// The engine's `ok` answer to `request`; fails the test on a refusal.
pub fn ask(e: &mut iocp_sim::views::web::Engine, request: &serde_json::Value) -> serde_json::Value {
    let answer: serde_json::Value =
        serde_json::from_str(&e.handle(&request.to_string())).expect("the engine answers JSON");
    match answer.get("ok") {
        Some(ok) => ok.clone(),
        None => panic!("the engine refused {request}: {answer}"),
    }
}

/// Every frame of `file` as the page's engine answers them, in `flavor`
/// (`None`: the file's own) and `lang`, after the run's header.
pub fn engine_frames(
    e: &mut iocp_sim::views::web::Engine,
    file: &str,
    flavor: Option<&str>,
    lang: &str,
) -> (serde_json::Value, Vec<serde_json::Value>) {
    let run = ask(
        e,
        &serde_json::json!({ "op": "run", "file": file, "flavor": flavor, "lang": lang }),
    );
    let last = run["last"].as_u64().expect("a last step");
    let frames = (0..=last)
        .map(|i| {
            ask(
                e,
                &serde_json::json!({ "op": "frame", "file": file, "flavor": flavor, "lang": lang, "index": i }),
            )
        })
        .collect();
    (run, frames)
}
