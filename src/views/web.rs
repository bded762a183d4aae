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
//! | `{"op":"panel","file":F,"lang":L,"at":I,"mode":M}` | what a student can do at step `I` in mode `M` ([`Panel`]): each thread's code, the moves with their refusals in words, the challenge's progress |
//! | `{"op":"play","file":F,"lang":L,"at":I,"mode":M,"choice":C}` | plays move `C` of that panel after step `I` (the lesson branches there) ([`Playing`]) |
//! | `{"op":"explore","file":F,"lang":L,"at":I,"mode":M}` | plays the explorer's shortest way from step `I` to the challenge's goal ([`Playing`]) |
//! | `{"op":"branch","file":F}` | the branch as an `iocp-sim/1` file that `iocp-sim check` accepts ([`Branch`]) |
//! | `{"op":"reset","file":F}` | forgets the branch: the file as written |
//!
//! Each file is a [`Lesson`] (a lesson, or a challenge at its start), kept
//! with the branch the student makes. `flavor` may be `null` (the file's
//! own); `mode` is `"scheduler"` or `"every_call"`. Every answer is
//! `{"ok":..}` or `{"error":"..."}` naming the file, the step or the
//! reason; nothing a page sends makes the engine panic, and a run the
//! engine could not hold or show ([`MAX_RUN_BYTES`]) is refused before it
//! is recorded, as is a branch past [`MAX_BRANCH_STEPS`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::frame::{self, Frame, Show};
use super::size;
use crate::challenge;
use crate::explore::free::Shortest;
use crate::lesson::{Lesson, Mode};
use crate::model::Flavor;
use crate::narrate::{self, page_words, whatif_words, words, Lang, PageWords, Words};
use crate::scenario::{self, Scenario, Text};

/// The largest run the engine records, measured as its estimated memory
/// ([`size::Estimate::engine_memory`]: what the terminal player holds, the
/// scenario and the step list) and as every frame of it in JSON
/// ([`size::Estimate::html`]: the work of showing every step).
pub const MAX_RUN_BYTES: u64 = size::MAX_PLAY_BYTES;

/// Lessons kept open (with their branches) at most; the one used longest
/// ago is forgotten first.
const LESSONS_KEPT: usize = 8;

/// The longest branch a student can make (in steps); a move past it is
/// refused.
pub const MAX_BRANCH_STEPS: usize = 2000;

/// A mode as the page names it (`"scheduler"`, `"every_call"`).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ModeArg {
    Scheduler,
    EveryCall,
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::Scheduler => Mode::Scheduler,
            ModeArg::EveryCall => Mode::EveryCall,
        }
    }
}

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
    Panel {
        file: String,
        lang: String,
        at: usize,
        mode: ModeArg,
    },
    Play {
        file: String,
        lang: String,
        at: usize,
        mode: ModeArg,
        choice: usize,
    },
    Explore {
        file: String,
        lang: String,
        at: usize,
        mode: ModeArg,
    },
    Branch {
        file: String,
    },
    Reset {
        file: String,
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
    /// The modes whose moves the lesson offers, the first one first.
    pub modes: Vec<Mode>,
    /// The first step a move may follow (a challenge's start).
    pub start: usize,
    /// The challenge, if the file is one.
    pub challenge: Option<ChallengeText>,
}

/// A challenge's text in one language.
#[derive(Debug, Serialize)]
pub struct ChallengeText {
    /// Its goal, in words.
    pub goal: String,
    /// Its hints, the last one closest to the answer.
    pub hints: Vec<String>,
    /// The hint button's word.
    pub hint: &'static str,
}

/// One thread's program at a step, in words.
#[derive(Debug, Serialize)]
pub struct CodeView {
    /// The thread.
    pub thread: String,
    /// Its program's lines.
    pub lines: Vec<String>,
    /// The line of its next call (`None` once it has exited).
    pub current: Option<usize>,
    /// It is inside that call (waiting, or blocked).
    pub inside: bool,
}

/// One move offered, in words.
#[derive(Debug, Serialize)]
pub struct MoveView {
    /// The move.
    pub text: String,
    /// Why it cannot be made, if it cannot.
    pub refused: Option<String>,
    /// The thread it is about, if one (to draw it by that thread's code).
    pub thread: Option<String>,
}

/// A goal's progress, in words.
#[derive(Debug, Serialize)]
pub struct ProgressView {
    /// The goal, the moves made and the budget.
    pub status: String,
    /// The goal is reached.
    pub reached: bool,
    /// Each condition of the goal, checked on this step's state.
    pub checks: Vec<CheckView>,
    /// Why the last move missed the goal, when its data says.
    pub miss: Option<String>,
}

/// One condition of a goal.
#[derive(Debug, Serialize)]
pub struct CheckView {
    /// The condition and its value here.
    pub text: String,
    /// It holds.
    pub holds: bool,
}

/// What a student can do at a step.
#[derive(Debug, Serialize)]
pub struct Panel {
    /// Each thread's program (empty when the lesson gives none).
    pub code: Vec<CodeView>,
    /// The moves offered, in the lesson's order.
    pub moves: Vec<MoveView>,
    /// Why no move can be made here, if none can.
    pub closed: Option<String>,
    /// The challenge's progress.
    pub progress: Option<ProgressView>,
}

/// What a move (or the explorer's answer) did.
#[derive(Debug, Serialize)]
pub struct Playing {
    /// The step to show next.
    pub at: usize,
    /// What to tell the student (solved, the budget, the explorer's
    /// answer), if anything.
    pub message: Option<String>,
    /// The move was refused (the message says why); nothing changed.
    pub refused: bool,
}

/// The branch as a scenario file.
#[derive(Debug, Serialize)]
pub struct Branch {
    /// A file name for it (`LESSON-branch.json`).
    pub name: String,
    /// Its text.
    pub json: String,
}

/// A file of the page read: a lesson, or a challenge.
enum Item {
    Lesson(Box<Scenario>),
    Challenge(Box<challenge::Challenge>),
}

/// The engine's state: the page's files and the lessons open.
#[derive(Debug, Default)]
pub struct Engine {
    files: BTreeMap<String, String>,
    course: Option<Index>,
    /// Lessons open, by file, the one used last first.
    open: Vec<(String, Lesson)>,
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

/// Refuses, before it is recorded, a run of `sc` in `flavor` that the
/// engine could not hold or show.
fn fits(file: &str, sc: &Scenario, flavor: Flavor) -> Result<(), Refusal> {
    size::check_page(sc, flavor, MAX_RUN_BYTES).map_err(|e| format!("{file}: {e}"))
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
                self.open.clear();
                Ok(format!(r#"{{"files":{}}}"#, self.files.len()))
            }
            Request::Words { lang: l } => {
                let l = lang(&l)?;
                Ok(json(&PageWordsAnswer {
                    words: words(l),
                    page: page_words(l),
                }))
            }
            Request::Catalog { lang: l } => self.catalog(lang(&l)?),
            Request::Run {
                file,
                flavor: f,
                lang: l,
            } => {
                let l = lang(&l)?;
                let lesson = self.lesson(&file, flavor(f.as_deref())?)?;
                Ok(json(&header(lesson, l)))
            }
            Request::Frame {
                file,
                flavor: f,
                lang: l,
                index,
            } => {
                let l = lang(&l)?;
                let lesson = self.lesson(&file, flavor(f.as_deref())?)?;
                let last = lesson.last();
                if index > last {
                    return Err(format!(
                        "{file}: step {index} is past the last step ({last})"
                    ));
                }
                let f: Frame = frame::frame(lesson.scenario(), lesson.trace(), l, index);
                Ok(json(&f))
            }
            Request::Panel {
                file,
                lang: l,
                at,
                mode,
            } => {
                let l = lang(&l)?;
                let lesson = self.lesson(&file, None)?;
                Ok(json(&panel(lesson, l, at, mode.into())))
            }
            Request::Play {
                file,
                lang: l,
                at,
                mode,
                choice,
            } => {
                let l = lang(&l)?;
                let lesson = self.lesson(&file, None)?;
                Ok(json(&play(lesson, l, at, mode.into(), choice)))
            }
            Request::Explore {
                file,
                lang: l,
                at,
                mode,
            } => {
                let l = lang(&l)?;
                let lesson = self.lesson(&file, None)?;
                Ok(json(&explore(lesson, l, at, mode.into())))
            }
            Request::Branch { file } => {
                let lesson = self.lesson(&file, None)?;
                let stem = file.rsplit('/').next().unwrap_or(&file);
                let stem = stem.strip_suffix(".json").unwrap_or(stem);
                Ok(json(&Branch {
                    name: format!("{stem}-branch.json"),
                    json: lesson.branch_json(),
                }))
            }
            Request::Reset { file } => {
                self.open.retain(|(f, _)| *f != file);
                self.lesson(&file, None)?;
                Ok("null".to_owned())
            }
        }
    }

    fn catalog(&mut self, l: Lang) -> Result<String, Refusal> {
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

    /// `file`'s index entry in `l` (read, not run).
    fn entry(&self, file: &str, l: Lang) -> Result<Entry, Refusal> {
        let (title, description) = match self.item(file)? {
            Item::Lesson(sc) => (sc.world.title, sc.world.description),
            Item::Challenge(ch) => (ch.title, Some(ch.description)),
        };
        Ok(Entry {
            file: file.to_owned(),
            title: title.get(l).into_owned(),
            description: description.map(|d| d.get(l).into_owned()),
        })
    }

    /// Reads `file`: a lesson, or a challenge with the lesson it names
    /// (a file of the page too).
    fn item(&self, file: &str) -> Result<Item, Refusal> {
        let text = self.text(file)?;
        #[derive(Deserialize)]
        struct Format {
            format: Option<String>,
        }
        let format = serde_json::from_str::<Format>(text)
            .ok()
            .and_then(|f| f.format);
        if format.as_deref() != Some(challenge::FORMAT) {
            return scenario::load_str(file, text)
                .map(|sc| Item::Lesson(Box::new(sc)))
                .map_err(|e| e.to_string());
        }
        let rel = challenge::lesson_of(file, text).map_err(|e| e.to_string())?;
        let name = join(file, &rel);
        let lesson = scenario::load_str(&name, self.text(&name)?).map_err(|e| e.to_string())?;
        let ch = challenge::load_str(file, text, lesson).map_err(|e| e.to_string())?;
        Ok(Item::Challenge(Box::new(ch)))
    }

    fn text(&self, file: &str) -> Result<&str, Refusal> {
        self.files
            .get(file)
            .map(String::as_str)
            .ok_or_else(|| format!("no file {file:?} in this page"))
    }

    /// The lesson of `file`, opened once (and kept with its branch among
    /// the last [`LESSONS_KEPT`]), played in `flavor` if one is given; a
    /// run the engine could not hold is refused before it is recorded.
    fn lesson(&mut self, file: &str, flavor: Option<Flavor>) -> Result<&mut Lesson, Refusal> {
        match self.open.iter().position(|(f, _)| f == file) {
            Some(i) => {
                let kept = self.open.remove(i);
                self.open.insert(0, kept);
            }
            None => {
                let lesson = match self.item(file)? {
                    Item::Lesson(sc) => {
                        fits(file, &sc, sc.world.flavor)?;
                        Lesson::new(*sc)
                    }
                    Item::Challenge(ch) => {
                        fits(file, &ch.start, ch.flavor)?;
                        Lesson::challenge(*ch)
                    }
                };
                self.open.insert(0, (file.to_owned(), lesson));
                self.open.truncate(LESSONS_KEPT);
            }
        }
        let lesson = &mut self.open[0].1;
        if let Some(f) = flavor.filter(|f| *f != lesson.flavor()) {
            fits(file, lesson.scenario(), f)?;
            lesson.set_flavor(f);
        }
        Ok(lesson)
    }
}

/// The run's header in `l`, and what the lesson offers.
fn header(lesson: &Lesson, l: Lang) -> RunHeader {
    let steps = frame::Frames::new(lesson.scenario(), lesson.trace(), l)
        .map(|f| StepLine {
            over: f.ports.iter().any(|p| p.over),
            action: f.action,
        })
        .collect();
    let challenge = lesson.challenge_played().map(|ch| ChallengeText {
        goal: narrate::goal(&ch.goal, l),
        hints: ch.hints.iter().map(|h| h.get(l).into_owned()).collect(),
        hint: whatif_words(l).hint,
    });
    RunHeader {
        show: Show::header(lesson.scenario(), lesson.trace(), l),
        last: lesson.last(),
        steps,
        modes: lesson.modes(),
        start: lesson.start(),
        challenge,
    }
}

/// The code, the moves and the progress at step `at` in `mode`, in `l`.
fn panel(lesson: &Lesson, l: Lang, at: usize, mode: Mode) -> Panel {
    let names = lesson.names();
    let at = at.min(lesson.last());
    let k = lesson.state(at);
    let code = lesson
        .code(at)
        .into_iter()
        .map(|c| CodeView {
            thread: names.thread(c.thread).to_owned(),
            lines: c
                .lines
                .iter()
                .map(|line| narrate::line(line, names, l))
                .collect(),
            current: c.current,
            inside: c.inside,
        })
        .collect();
    let choices = lesson.moves(at, mode);
    let closed = match choices.is_empty() {
        true => lesson
            .try_move(at, first_move(mode))
            .err()
            .map(|r| narrate::refusal(&r, names, l)),
        false => None,
    };
    let moves = choices
        .iter()
        .map(|c| MoveView {
            text: narrate::lesson_move(&c.mv, &c.action, &k, names, l),
            refused: c.refusal.map(|r| narrate::refusal(&r, names, l)),
            thread: c.mv.thread().map(|t| names.thread(t).to_owned()),
        })
        .collect();
    Panel {
        code,
        moves,
        closed,
        progress: progress(lesson, l, at),
    }
}

/// A move of `mode` to ask with, for why none can be made.
fn first_move(mode: Mode) -> crate::lesson::Move {
    use crate::model::{PortId, ThreadId};
    match mode {
        Mode::Scheduler => crate::lesson::Move::Run {
            thread: ThreadId(0),
        },
        Mode::EveryCall => crate::lesson::Move::Post {
            port: PortId(0),
            key: 0,
        },
    }
}

/// The challenge's progress at `at`, in words.
fn progress(lesson: &Lesson, l: Lang, at: usize) -> Option<ProgressView> {
    let p = lesson.progress(at, None)?;
    let names = lesson.names();
    // "Goal: … · moves 2/4", from the words the terminal player shows.
    Some(ProgressView {
        status: format!(
            "{}{} · {}",
            narrate::lesson_words(l).goal,
            narrate::goal(&p.goal, l),
            narrate::moves_used(p.moves, p.budget, l)
        ),
        reached: p.reached,
        checks: p
            .checks
            .iter()
            .map(|c| CheckView {
                text: narrate::check(c, names, l),
                holds: c.holds,
            })
            .collect(),
        miss: p.miss.map(|m| narrate::miss(&m, names, l)),
    })
}

/// After a move that made step `at`: solved (with the explorer's
/// shortest), the budget used up, or nothing to say.
fn after_move(lesson: &Lesson, l: Lang, at: usize) -> Option<String> {
    let p = lesson.progress(at, None)?;
    let w = whatif_words(l);
    if p.reached {
        let best = p.shortest.map_or(w.none.to_owned(), |b| b.to_string());
        let mut m = format!("{}{}{}{best}", w.solved.0, p.moves, w.solved.1);
        if p.budget.is_some_and(|b| p.moves > b) {
            m.push_str(w.over_budget);
        }
        return Some(m);
    }
    p.budget
        .filter(|b| p.moves >= *b)
        .map(|_| w.used_up.to_owned())
}

/// Plays choice `choice` of the moves at `at` in `mode`.
fn play(lesson: &mut Lesson, l: Lang, at: usize, mode: Mode, choice: usize) -> Playing {
    let refused = |message: String| Playing {
        at,
        message: Some(message),
        refused: true,
    };
    let choices = lesson.moves(at, mode);
    let Some(c) = choices.get(choice) else {
        return refused(format!("{} {choice}?", whatif_words(l).refused));
    };
    if at >= MAX_BRANCH_STEPS {
        return refused(format!(
            "{}: {} > {MAX_BRANCH_STEPS}",
            whatif_words(l).refused,
            words(l).step
        ));
    }
    match lesson.play(at, c.mv) {
        Ok(p) => Playing {
            at: p.at,
            message: after_move(lesson, l, p.at),
            refused: false,
        },
        Err(r) => refused(format!(
            "{}: {}",
            whatif_words(l).refused,
            narrate::refusal(&r, lesson.names(), l)
        )),
    }
}

/// Plays the explorer's shortest way from `at` to the challenge's goal.
fn explore(lesson: &mut Lesson, l: Lang, at: usize, mode: Mode) -> Playing {
    let w = whatif_words(l);
    let Some(goal) = lesson.challenge_played().map(|c| c.goal) else {
        return Playing {
            at,
            message: None,
            refused: true,
        };
    };
    let message = match lesson.shortest(at, goal, mode) {
        Shortest::Already => w.already.to_owned(),
        Shortest::Found(path) => match lesson.play_answer(at, goal, &path) {
            Ok(_) => format!("{}{}{}", w.found.0, path.len(), w.found.1),
            Err(r) => narrate::refusal(&r, lesson.names(), l),
        },
        Shortest::NotWithin { depth, states } => format!(
            "{}{depth}{}{states}{}",
            w.not_within.0, w.not_within.1, w.not_within.2
        ),
        Shortest::TooMany { states } => format!("{}{states}{}", w.too_many.0, w.too_many.1),
    };
    Playing {
        at: (at + 1).min(lesson.last()),
        message: Some(message),
        refused: false,
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
