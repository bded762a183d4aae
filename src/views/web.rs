//! The browser's lesson engine: one JSON request in, one JSON answer out
//! ([`Engine::handle`]). Compiled to WebAssembly by `crates/iocp-wasm` (a
//! C-ABI shim around this module) and embedded in every page that
//! `export --html` and `course --html` write, so the page's script only
//! draws what the engine answers and forwards clicks: every rule, every
//! sentence and every word comes from the model and `narrate`, here, and
//! the host's tests run this same code (`cargo test --test integration
//! web::`), while `tests/wasm_node.rs` checks that the committed module
//! answers as the host build does.
//!
//! The engine is fed the page's files once (`load`): the lessons (and
//! challenges) by name, as the page embeds them. Then:
//!
//! | request | answer |
//! |---|---|
//! | `{"op":"load","files":{NAME:TEXT,..},"course":C}` | `{"ok":{"files":N}}`; `C` is an [`Index`] or `null` |
//! | `{"op":"words","lang":L}` | the fixed words of the views and of the page's controls in `L` |
//! | `{"op":"catalog","lang":L}` | the course's index in `L` ([`Catalog`]): each order with each lesson's title and description, the challenges |
//! | `{"op":"run","file":F,"flavor":V,"lang":L}` | the run's header ([`RunHeader`]): title, last step, where it stopped, each step's action and over-limit flag |
//! | `{"op":"frame","file":F,"flavor":V,"lang":L,"index":I}` | frame `I` ([`Frame`]) |
//!
//! `flavor` may be `null` (the file's own). Every answer is `{"ok":..}` or
//! `{"error":"..."}` naming the file, the step or the reason; nothing a
//! page sends makes the engine panic, and a run whose recorded trace
//! would pass [`MAX_RUN_BYTES`] is refused before it is recorded.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::frame::{self, Frame, Show};
use super::size;
use crate::challenge;
use crate::model::Flavor;
use crate::narrate::{page_words, words, Lang, PageWords, Words};
use crate::runner::Trace;
use crate::scenario::{self, Scenario, Text};

/// The largest run the engine records, measured as its estimated memory
/// ([`size::Estimate::engine_memory`]: what the terminal player holds, the
/// scenario and the step list) and as every frame of it in JSON
/// ([`size::Estimate::html`]: the work of showing every step).
pub const MAX_RUN_BYTES: u64 = size::MAX_PLAY_BYTES;

/// Runs kept recorded at most (a lesson in each flavour, and a few more);
/// fewer when their estimated memory together would pass [`MAX_RUN_BYTES`].
const RUNS_KEPT: usize = 6;

/// A request, as the page sends it.
#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
enum Request {
    Load {
        files: BTreeMap<String, String>,
        course: Option<Index>,
    },
    Words {
        lang: String,
    },
    Catalog {
        lang: String,
    },
    Run {
        file: String,
        flavor: Option<String>,
        lang: String,
    },
    Frame {
        file: String,
        flavor: Option<String>,
        lang: String,
        index: usize,
    },
}

/// A course's index as a page carries it: the orders of its lessons and
/// its challenges, each file named as in the page's files. Made from the
/// folder's course file ([`crate::course`]) by `iocp-sim course`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    /// The orders in which the lessons can be taken.
    pub paths: Vec<IndexPath>,
    /// The challenges, in order.
    pub challenges: Vec<String>,
}

/// One order of the lessons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexPath {
    /// Its id (`lecture`, `surprise`).
    pub id: String,
    /// Its title, in each language written.
    pub title: Text,
    /// Its lessons, in order.
    pub lessons: Vec<String>,
}

impl From<&crate::course::Course> for Index {
    fn from(c: &crate::course::Course) -> Index {
        Index {
            paths: c
                .paths
                .iter()
                .map(|p| IndexPath {
                    id: p.id.clone(),
                    title: p.title.clone(),
                    lessons: p.lessons.clone(),
                })
                .collect(),
            challenges: c.challenges.clone(),
        }
    }
}

impl Index {
    /// The index of a folder without a course file: its `lessons` in the
    /// order given, under the page's word for lessons, and its `challenges`.
    pub fn default_order(lessons: Vec<String>, challenges: Vec<String>) -> Index {
        Index {
            paths: vec![IndexPath {
                id: "lessons".to_owned(),
                title: Text {
                    en: page_words(Lang::En).lessons.to_owned(),
                    ko: Some(page_words(Lang::Ko).lessons.to_owned()),
                },
                lessons,
            }],
            challenges,
        }
    }

    /// Every lesson of every path, each once, in the order first met.
    pub fn lessons(&self) -> Vec<&str> {
        let mut seen = std::collections::BTreeSet::new();
        self.paths
            .iter()
            .flat_map(|p| p.lessons.iter())
            .filter(|l| seen.insert(l.as_str()))
            .map(String::as_str)
            .collect()
    }
}

/// `rel` (a challenge's `lesson`) read from the file named `from`, as a
/// name in the same folder tree: `"../04.json"` from
/// `"challenges/x.json"` is `"04.json"`. A path that climbs above the top
/// keeps its leading `..` parts.
pub fn join(from: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The words a page draws with.
#[derive(Debug, Serialize)]
pub struct PageWordsAnswer {
    /// The views' words (the five structures, states, labels).
    pub words: &'static Words,
    /// The page's controls.
    pub page: &'static PageWords,
}

/// A course's index in one language.
#[derive(Debug, Serialize)]
pub struct Catalog {
    /// Each order of the lessons: its title and its lessons.
    pub paths: Vec<CatalogPath>,
    /// The heading of the challenges.
    pub challenges_title: &'static str,
    /// The challenges.
    pub challenges: Vec<Entry>,
}

/// One order of a course's lessons.
#[derive(Debug, Serialize)]
pub struct CatalogPath {
    /// Its id (`lecture`).
    pub id: String,
    /// Its title in the language asked for.
    pub title: String,
    /// Its lessons.
    pub lessons: Vec<Entry>,
}

/// One lesson of the page, for its index.
#[derive(Debug, Serialize)]
pub struct Entry {
    /// Its name in the page (a path relative to the course folder).
    pub file: String,
    /// Its title in the language asked for.
    pub title: String,
    /// Its description, if it has one.
    pub description: Option<String>,
}

/// One step in the step list.
#[derive(Debug, Serialize)]
pub struct StepLine {
    /// The action in words.
    pub action: String,
    /// Some port is over its limit after it.
    pub over: bool,
}

/// A run's header: everything but its frames, and the step list.
#[derive(Debug, Serialize)]
pub struct RunHeader {
    /// The run: title, description, flavour, language, why it stopped.
    #[serde(flatten)]
    pub show: Show,
    /// The last frame index.
    pub last: usize,
    /// Frame 0 (before step 1) and one line per step.
    pub steps: Vec<StepLine>,
}

/// A scenario recorded in one flavour.
#[derive(Debug)]
struct Recorded {
    file: String,
    flavor: Flavor,
    /// Its estimated memory ([`size::Estimate::engine_memory`]).
    bytes: u64,
    scenario: Rc<Scenario>,
    trace: Trace,
}

/// The engine's state: the page's files and the runs recorded last.
#[derive(Debug, Default)]
pub struct Engine {
    files: BTreeMap<String, String>,
    course: Option<Index>,
    /// Scenarios read, by file.
    scenarios: BTreeMap<String, Rc<Scenario>>,
    /// Recorded runs, newest first, at most [`RUNS_KEPT`].
    runs: Vec<Rc<Recorded>>,
}

/// An answer the engine could not give, in words.
type Refusal = String;

fn lang(code: &str) -> Result<Lang, Refusal> {
    Lang::parse(code).ok_or_else(|| format!("unknown language {code:?} (en, ko)"))
}

fn flavor(code: Option<&str>) -> Result<Option<Flavor>, Refusal> {
    code.map(|c| {
        Flavor::parse(c).ok_or_else(|| format!("unknown flavour {c:?} (windows, wine, wine10)"))
    })
    .transpose()
}

impl Engine {
    /// An engine with no files.
    pub fn new() -> Engine {
        Engine::default()
    }

    /// Answers one request (JSON text) with JSON text: `{"ok": ..}` or
    /// `{"error": ".."}`.
    pub fn handle(&mut self, request: &str) -> String {
        let answer = serde_json::from_str::<Request>(request)
            .map_err(|e| format!("bad request: {e}"))
            .and_then(|r| self.answer(r));
        match answer {
            Ok(v) => format!(r#"{{"ok":{v}}}"#),
            Err(e) => serde_json::json!({ "error": e }).to_string(),
        }
    }

    fn answer(&mut self, request: Request) -> Result<String, Refusal> {
        match request {
            Request::Load { files, course } => {
                self.files = files;
                self.course = course;
                self.scenarios.clear();
                self.runs.clear();
                Ok(format!(r#"{{"files":{}}}"#, self.files.len()))
            }
            Request::Words { lang: l } => {
                let l = lang(&l)?;
                Ok(json(&PageWordsAnswer {
                    words: words(l),
                    page: page_words(l),
                }))
            }
            Request::Catalog { lang: l } => {
                let l = lang(&l)?;
                let course = self
                    .course
                    .clone()
                    .ok_or_else(|| "this page has no course".to_owned())?;
                let mut paths = Vec::new();
                for p in &course.paths {
                    let lessons = p
                        .lessons
                        .iter()
                        .map(|f| self.entry(f, l))
                        .collect::<Result<_, _>>()?;
                    paths.push(CatalogPath {
                        id: p.id.clone(),
                        title: p.title.get(l).into_owned(),
                        lessons,
                    });
                }
                let challenges = course
                    .challenges
                    .iter()
                    .map(|f| self.entry(f, l))
                    .collect::<Result<_, _>>()?;
                Ok(json(&Catalog {
                    paths,
                    challenges_title: page_words(l).challenges,
                    challenges,
                }))
            }
            Request::Run {
                file,
                flavor: f,
                lang: l,
            } => {
                let (l, r) = (lang(&l)?, self.recorded(&file, flavor(f.as_deref())?)?);
                let frames = frame::Frames::new(&r.scenario, &r.trace, l);
                let steps = frames
                    .map(|f| StepLine {
                        over: f.ports.iter().any(|p| p.over),
                        action: f.action,
                    })
                    .collect();
                Ok(json(&RunHeader {
                    show: Show::header(&r.scenario, &r.trace, l),
                    last: r.trace.steps.len(),
                    steps,
                }))
            }
            Request::Frame {
                file,
                flavor: f,
                lang: l,
                index,
            } => {
                let (l, r) = (lang(&l)?, self.recorded(&file, flavor(f.as_deref())?)?);
                let last = r.trace.steps.len();
                if index > last {
                    return Err(format!(
                        "{file}: step {index} is past the last step ({last})"
                    ));
                }
                let f: Frame = frame::frame(&r.scenario, &r.trace, l, index);
                Ok(json(&f))
            }
        }
    }

    /// `file`'s index entry in `l`.
    fn entry(&mut self, file: &str, l: Lang) -> Result<Entry, Refusal> {
        let sc = self.scenario(file)?;
        Ok(Entry {
            file: file.to_owned(),
            title: sc.world.title.get(l).into_owned(),
            description: sc.world.description.as_ref().map(|d| d.get(l).into_owned()),
        })
    }

    /// The scenario of `file`, read once: a lesson, or a challenge's
    /// start (its lesson cut where the student starts, in its flavour).
    fn scenario(&mut self, file: &str) -> Result<Rc<Scenario>, Refusal> {
        if let Some(sc) = self.scenarios.get(file) {
            return Ok(sc.clone());
        }
        let text = self.text(file)?;
        #[derive(Deserialize)]
        struct Format {
            format: Option<String>,
        }
        let format = serde_json::from_str::<Format>(text)
            .ok()
            .and_then(|f| f.format);
        let sc = if format.as_deref() == Some(challenge::FORMAT) {
            let rel = challenge::lesson_of(file, text).map_err(|e| e.to_string())?;
            let name = join(file, &rel);
            let lesson_text = self.text(&name)?;
            let lesson = scenario::load_str(&name, lesson_text).map_err(|e| e.to_string())?;
            let ch = challenge::load_str(file, text, lesson).map_err(|e| e.to_string())?;
            let mut start = ch.start.clone();
            start.world.flavor = ch.flavor;
            start
        } else {
            scenario::load_str(file, text).map_err(|e| e.to_string())?
        };
        let sc = Rc::new(sc);
        self.scenarios.insert(file.to_owned(), sc.clone());
        Ok(sc)
    }

    fn text(&self, file: &str) -> Result<&str, Refusal> {
        self.files
            .get(file)
            .map(String::as_str)
            .ok_or_else(|| format!("no file {file:?} in this page"))
    }

    /// The run of `file` in `flavor` (the file's own if `None`), recorded
    /// once and kept among the last few; refused before recording if it
    /// would hold more than [`MAX_RUN_BYTES`].
    fn recorded(&mut self, file: &str, flavor: Option<Flavor>) -> Result<Rc<Recorded>, Refusal> {
        let sc = self.scenario(file)?;
        let flavor = flavor.unwrap_or(sc.world.flavor);
        if let Some(i) = self
            .runs
            .iter()
            .position(|r| r.file == file && r.flavor == flavor)
        {
            let r = self.runs.remove(i);
            self.runs.insert(0, r.clone());
            return Ok(r);
        }
        size::check_page(&sc, flavor, MAX_RUN_BYTES).map_err(|e| format!("{file}: {e}"))?;
        let bytes = size::estimate_page(&sc, flavor, MAX_RUN_BYTES).engine_memory();
        // Room for it first: the oldest runs go.
        let mut kept = bytes;
        let room = self
            .runs
            .iter()
            .take(RUNS_KEPT - 1)
            .take_while(|r| {
                kept += r.bytes;
                kept <= MAX_RUN_BYTES
            })
            .count();
        self.runs.truncate(room);
        let r = Rc::new(Recorded {
            file: file.to_owned(),
            flavor,
            bytes,
            trace: Trace::record(&sc, flavor),
            scenario: sc,
        });
        self.runs.insert(0, r.clone());
        Ok(r)
    }
}

/// An answer as JSON text (the shapes here always serialise).
fn json<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).expect("answers serialise")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_challenge_lesson_is_named_from_the_challenge_folder() {
        assert_eq!(join("challenges/x.json", "../04.json"), "04.json");
        assert_eq!(join("x.json", "04.json"), "04.json");
        assert_eq!(join("x.json", "../04.json"), "../04.json");
        assert_eq!(join("a/b/x.json", "./../c/04.json"), "a/c/04.json");
    }
}
