//! A course: the lessons and challenges of a folder in the orders a
//! teacher gives them (`course.json`, format `iocp-sim-course/1`), for the
//! index of the one-file course (`iocp-sim course DIR --html OUT`).
//!
//! ```json
//! {
//!   "format": "iocp-sim-course/1",
//!   "paths": [
//!     { "id": "lecture", "title": { "en": "In the lecture's order", "ko": "강의 순서대로" },
//!       "lessons": ["09-device-list.json", "01-basic-handoff.json"] },
//!     { "id": "surprise", "title": { "en": "Surprise first", "ko": "놀라운 것부터" },
//!       "lessons": ["04-over-subscription.json", "01-basic-handoff.json"] }
//!   ],
//!   "challenges": ["challenges/over-limit.json"]
//! }
//! ```
//!
//! Every name is a path relative to the folder, with `/` between parts.
//! A folder without `course.json` gets one path of its lessons (`*.json`)
//! in the order of their names, and its `challenges/*.json`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::narrate::{page_words, Lang};
use crate::scenario::Text;

/// The only course format this build reads.
pub const FORMAT: &str = "iocp-sim-course/1";

/// The file that gives a folder's orders.
pub const FILE: &str = "course.json";

/// A course: its orders of lessons, and its challenges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Course {
    /// [`FORMAT`].
    pub format: String,
    /// The orders in which the lessons can be taken.
    pub paths: Vec<CoursePath>,
    /// The challenges, in order.
    #[serde(default)]
    pub challenges: Vec<String>,
}

/// One order of the lessons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoursePath {
    /// A short id (`lecture`, `surprise`).
    pub id: String,
    /// Its title, in each language written.
    pub title: Text,
    /// The lessons, in order.
    pub lessons: Vec<String>,
}

/// A course file that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourseError {
    /// The file.
    pub source: String,
    /// What is wrong, with the line and column where the JSON is at fault.
    pub message: String,
}

impl std::fmt::Display for CourseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

impl std::error::Error for CourseError {}

impl Course {
    /// Reads a course file's text; `source` names it in errors. Checks the
    /// format, that every path has an id, a title and a lesson, that ids
    /// are distinct, and that no name leaves the folder or repeats within
    /// its list.
    pub fn parse(source: &str, text: &str) -> Result<Course, CourseError> {
        let bad = |message: String| CourseError {
            source: source.to_owned(),
            message,
        };
        let course: Course = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        if course.format != FORMAT {
            return Err(bad(format!(
                "format {:?} is not understood; this build reads {FORMAT:?}",
                course.format
            )));
        }
        if course.paths.is_empty() {
            return Err(bad("a course needs at least one path of lessons".into()));
        }
        let mut ids = BTreeSet::new();
        for p in &course.paths {
            if p.id.is_empty() || !ids.insert(p.id.as_str()) {
                return Err(bad(format!("path id {:?} is empty or repeated", p.id)));
            }
            if p.lessons.is_empty() {
                return Err(bad(format!("path {:?} has no lesson", p.id)));
            }
            names(&p.lessons, &format!("path {:?}", p.id)).map_err(bad)?;
        }
        names(&course.challenges, "challenges").map_err(bad)?;
        Ok(course)
    }

    /// The course of a folder without `course.json`: one path of its
    /// `lessons` in the order given, and its `challenges`.
    pub fn default_order(lessons: Vec<String>, challenges: Vec<String>) -> Course {
        Course {
            format: FORMAT.to_owned(),
            paths: vec![CoursePath {
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
        let mut seen = BTreeSet::new();
        self.paths
            .iter()
            .flat_map(|p| p.lessons.iter())
            .filter(|l| seen.insert(l.as_str()))
            .map(String::as_str)
            .collect()
    }
}

/// Checks that each name is a relative path inside the folder, given once.
fn names(list: &[String], what: &str) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for n in list {
        let inside = !n.is_empty()
            && !n.starts_with('/')
            && !n.contains('\\')
            && n.split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..");
        if !inside {
            return Err(format!(
                "{what}: {n:?} is not a path inside the course's folder (parts separated by '/', no '..')"
            ));
        }
        if !seen.insert(n) {
            return Err(format!("{what}: {n:?} is listed twice"));
        }
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"format": "iocp-sim-course/1",
      "paths": [{"id": "lecture", "title": {"en": "Lecture", "ko": "강의"}, "lessons": ["b.json", "a.json"]},
                {"id": "surprise", "title": "Surprise", "lessons": ["a.json"]}],
      "challenges": ["challenges/c.json"]}"#;

    #[test]
    fn a_course_reads_its_orders_and_lists_each_lesson_once() {
        let c = Course::parse("course.json", GOOD).unwrap();
        assert_eq!(c.paths[0].lessons, ["b.json", "a.json"]);
        assert_eq!(c.paths[1].title.ko, None);
        assert_eq!(c.lessons(), ["b.json", "a.json"]);
        assert_eq!(c.challenges, ["challenges/c.json"]);
    }

    #[test]
    fn a_bad_course_names_the_file_and_the_reason() {
        let e = |text: &str| {
            Course::parse("c/course.json", text)
                .unwrap_err()
                .to_string()
        };
        assert!(e(&GOOD.replace("/1", "/2")).contains("format \"iocp-sim-course/2\""));
        assert!(e(&GOOD.replace("\"b.json\"", "\"../b.json\"")).contains("not a path inside"));
        assert!(e(&GOOD.replace("\"b.json\"", "\"a.json\"")).contains("listed twice"));
        assert!(e(&GOOD.replace("surprise", "lecture")).contains("repeated"));
        assert!(e(&GOOD.replace("\"paths\"", "\"orders\""))
            .starts_with("c/course.json: unknown field `orders`"));
        assert!(e(r#"{"format": "iocp-sim-course/1", "paths": []}"#).contains("at least one path"));
    }

    #[test]
    fn a_challenge_lesson_is_named_from_the_challenge_folder() {
        assert_eq!(join("challenges/x.json", "../04.json"), "04.json");
        assert_eq!(join("x.json", "04.json"), "04.json");
        assert_eq!(join("x.json", "../04.json"), "../04.json");
        assert_eq!(join("a/b/x.json", "./../c/04.json"), "a/c/04.json");
    }
}
