//! The course file (format `iocp-sim-course/1`, `sim-scenarios/course.json`):
//! the orders in which a class can take the lessons of its folder, and the
//! folder's challenges. One file says both orders, so the READMEs, the
//! classroom views and the tests read them from one place.
//!
//! ```json
//! {
//!   "format": "iocp-sim-course/1",
//!   "paths": [
//!     { "id": "lecture", "title": { "en": "...", "ko": "..." },
//!       "lessons": ["09-device-list.json", "..."] }
//!   ],
//!   "challenges": ["challenges/over-limit.json"]
//! }
//! ```
//!
//! Every path lists every lesson of the folder (each `*.json` file but the
//! course file itself) exactly once; file names are relative to the course
//! file. [`load`] checks all of it and says which path and which file is
//! wrong. `iocp-sim check DIR` checks the course file of `DIR` beside its
//! lessons.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::scenario::{self, ScenarioError, Text};

/// The only course format this build reads.
pub const FORMAT: &str = "iocp-sim-course/1";

/// The course file's name in a folder of lessons.
pub const FILE_NAME: &str = "course.json";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    format: String,
    paths: Vec<RawPath>,
    challenges: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPath {
    id: String,
    title: Text,
    lessons: Vec<String>,
}

/// One order of the lessons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoursePath {
    /// Its id (`"lecture"`, `"surprise"`).
    pub id: String,
    /// Its title, in languages.
    pub title: Text,
    /// Every lesson of the folder, once, in this path's order (file names
    /// relative to the course file).
    pub lessons: Vec<String>,
}

/// A course, read and checked against its folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Course {
    /// The file it came from.
    pub source: String,
    /// The folder it lives in (file names are relative to it).
    pub dir: PathBuf,
    /// The orders, in the file's order.
    pub paths: Vec<CoursePath>,
    /// The challenges (relative to [`Course::dir`]).
    pub challenges: Vec<String>,
}

impl Course {
    /// The path with this id.
    pub fn path(&self, id: &str) -> Option<&CoursePath> {
        self.paths.iter().find(|p| p.id == id)
    }

    /// How many entries were checked: every lesson of every path and every
    /// challenge.
    pub fn entries(&self) -> usize {
        self.paths.iter().map(|p| p.lessons.len()).sum::<usize>() + self.challenges.len()
    }
}

/// The lesson files of a folder: its `*.json` files except the course
/// file, sorted by name (sub-folders such as `challenges/` are not read).
pub fn lesson_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file()
            && path.extension().is_some_and(|x| x == "json")
            && path.file_name().is_none_or(|n| n != FILE_NAME)
        {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// True if `path` names a course file (by its name, [`FILE_NAME`]).
pub fn is_course_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == FILE_NAME)
}

/// Reads a course file and checks it against its folder: the format, ids
/// (non-empty, distinct), every path listing every lesson of the folder
/// exactly once and nothing else, and every challenge file existing.
pub fn load(path: &Path) -> Result<Course, ScenarioError> {
    let (source, raw) = scenario::read_format(path, FORMAT, |r: &Raw| &r.format)?;
    let bad = |message: String| ScenarioError::World {
        path: source.clone(),
        problem: message.into(),
    };
    if raw.paths.is_empty() {
        return Err(bad("a course needs at least one path".to_owned()));
    }
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let on_disk: Vec<String> = lesson_files(&dir)
        .map_err(|e| ScenarioError::read(&dir.display().to_string(), e))?
        .iter()
        .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_owned))
        .collect();
    let mut ids: Vec<&str> = Vec::new();
    for p in &raw.paths {
        if p.id.trim().is_empty() {
            return Err(bad("a path has an empty id".to_owned()));
        }
        if ids.contains(&p.id.as_str()) {
            return Err(bad(format!("path {:?} is given twice", p.id)));
        }
        ids.push(&p.id);
        for (i, lesson) in p.lessons.iter().enumerate() {
            if p.lessons[..i].contains(lesson) {
                return Err(bad(format!(
                    "path {:?} lists {lesson} twice (each lesson once)",
                    p.id
                )));
            }
            if !on_disk.contains(lesson) {
                return Err(bad(format!(
                    "path {:?} lists {lesson}, which is not a lesson of {}",
                    p.id,
                    dir.display()
                )));
            }
        }
        if let Some(missing) = on_disk.iter().find(|l| !p.lessons.contains(l)) {
            return Err(bad(format!(
                "path {:?} does not list {missing}: every path lists every lesson of {}",
                p.id,
                dir.display()
            )));
        }
    }
    for c in &raw.challenges {
        if !dir.join(c).is_file() {
            return Err(bad(format!(
                "challenge {c} is not a file in {}",
                dir.display()
            )));
        }
    }
    Ok(Course {
        source,
        dir,
        paths: raw
            .paths
            .into_iter()
            .map(|p| CoursePath {
                id: p.id,
                title: p.title,
                lessons: p.lessons,
            })
            .collect(),
        challenges: raw.challenges,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder with lessons `a.json`, `b.json` and the course `text`.
    fn folder(name: &str, course: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("iocp-sim-course-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for l in ["a.json", "b.json"] {
            std::fs::write(dir.join(l), "{}").unwrap();
        }
        std::fs::write(dir.join(FILE_NAME), course).unwrap();
        dir
    }

    fn course(lessons: &str) -> String {
        format!(
            r#"{{"format": "{FORMAT}", "paths": [{{"id": "x", "title": "X", "lessons": {lessons}}}], "challenges": []}}"#
        )
    }

    #[test]
    fn a_course_lists_every_lesson_of_its_folder_once() {
        let dir = folder("ok", &course(r#"["b.json", "a.json"]"#));
        let c = load(&dir.join(FILE_NAME)).unwrap();
        assert_eq!(c.path("x").unwrap().lessons, ["b.json", "a.json"]);
        assert_eq!(c.entries(), 2);
        let files = lesson_files(&dir).unwrap();
        assert_eq!(files.len(), 2, "the course file is not a lesson: {files:?}");
    }

    #[test]
    fn a_missing_twice_listed_or_unknown_lesson_is_named() {
        for (name, lessons, says) in [
            ("missing", r#"["a.json"]"#, "does not list b.json"),
            (
                "twice",
                r#"["a.json", "a.json", "b.json"]"#,
                "lists a.json twice",
            ),
            (
                "unknown",
                r#"["a.json", "b.json", "c.json"]"#,
                "lists c.json, which is not",
            ),
        ] {
            let dir = folder(name, &course(lessons));
            let e = load(&dir.join(FILE_NAME)).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains("course.json"), "{name}: {e}");
        }
    }
}
