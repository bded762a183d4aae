//! Checking the expectations of scenario files (what `iocp-sim check` does),
//! as a library function returning a typed [`Report`].
//!
//! ```
//! use std::path::PathBuf;
//! use iocp_sim::runner::check;
//!
//! let lessons = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/sim-scenarios"));
//! let report = check::check(&[lessons], None).unwrap();
//! assert!(report.passed() > 0);
//! assert_eq!((report.failed(), report.invalid()), (0, 0));
//! ```

use std::fmt;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use super::Runner;
use crate::course;
use crate::model::Flavor;
use crate::scenario::{self, Mismatch, ScenarioError};

/// One expectation that did not hold, with where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// The scenario's source (its path as given).
    pub source: String,
    /// The step number (1-based).
    pub step: usize,
    /// The step's op, or `"check"` for a step without action.
    pub op: &'static str,
    /// The expectation and what the model has.
    pub mismatch: Mismatch,
}

impl fmt::Display for Failure {
    /// `FILE: step N (op): key: expected E, actual A`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: step {} ({}): {}",
            self.source, self.step, self.op, self.mismatch
        )
    }
}

impl std::error::Error for Failure {}

/// What checking one scenario found.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct FileResult {
    /// Expectations that held.
    pub passed: usize,
    /// Expectations that did not, in step order.
    pub failures: Vec<Failure>,
    /// A step the model rejected without `expect.error`: the scenario is
    /// invalid from there on (format: such a step stops the run with an error).
    pub stopped: Option<ScenarioError>,
}

/// One file of a [`Report`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// What checking it found, or why it could not be read.
    pub result: Result<FileResult, ScenarioError>,
}

impl FileReport {
    /// The error that makes this file invalid (unreadable, or stopped by
    /// an unexpected rejection), if any.
    pub fn error(&self) -> Option<&ScenarioError> {
        match &self.result {
            Ok(r) => r.stopped.as_ref(),
            Err(e) => Some(e),
        }
    }
}

/// What checking a list of files found, file by file in order.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Report {
    /// Every file, in the order [`expand`] gives, then the course file
    /// of each directory given.
    pub files: Vec<FileReport>,
}

impl Report {
    /// Expectations that held, over all files.
    pub fn passed(&self) -> usize {
        self.files
            .iter()
            .filter_map(|f| f.result.as_ref().ok())
            .map(|r| r.passed)
            .sum()
    }

    /// Expectations that did not hold, over all files.
    pub fn failed(&self) -> usize {
        self.files
            .iter()
            .filter_map(|f| f.result.as_ref().ok())
            .map(|r| r.failures.len())
            .sum()
    }

    /// Files that could not be checked (unreadable, invalid, or stopped by
    /// a step the model rejected unexpectedly).
    pub fn invalid(&self) -> usize {
        self.files.iter().filter(|f| f.error().is_some()).count()
    }
}

/// A path given to [`expand`] that names no scenario file.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ExpandError {
    /// A directory that cannot be listed.
    Unreadable {
        /// The directory.
        path: PathBuf,
        /// The operating system's error (also [`std::error::Error::source`]).
        source: std::sync::Arc<std::io::Error>,
    },
    /// A directory with no `*.json` file.
    NoScenarios {
        /// The directory.
        path: PathBuf,
    },
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpandError::Unreadable { path, source } => {
                write!(f, "{}: cannot read directory: {source}", path.display())
            }
            ExpandError::NoScenarios { path } => write!(
                f,
                "{}: no .json scenario files in this directory",
                path.display()
            ),
        }
    }
}

impl std::error::Error for ExpandError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ExpandError::Unreadable { source, .. } => Some(&**source),
            ExpandError::NoScenarios { .. } => None,
        }
    }
}

/// Checks every expectation of one scenario, in `flavor` or the file's own.
pub fn check_file(path: &Path, flavor: Option<Flavor>) -> Result<FileResult, ScenarioError> {
    let sc = scenario::load(path)?;
    let mut runner = Runner::new(&sc.world, flavor.unwrap_or(sc.world.flavor));
    let mut result = FileResult::default();
    let (passed, failures) = (&mut result.passed, &mut result.failures);
    result.stopped = runner.run(&sc.steps, &sc.names, &sc.source, |step, report, _| {
        let op = step.action.map(|a| a.op()).unwrap_or("check");
        let checked = step.expect.as_ref().map_or(0, |e| e.count());
        *passed += checked.saturating_sub(report.mismatches.len());
        for m in report.mismatches {
            failures.push(Failure {
                source: sc.source.clone(),
                step: step.number,
                op,
                mismatch: m,
            });
        }
        ControlFlow::Continue(())
    });
    Ok(result)
}

/// The files a list of paths names: files as given, and the lesson files
/// of directories (their `*.json` files but the course file, not
/// sub-directories: [`crate::course::lesson_files`]), sorted.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ExpandError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let in_dir = course::lesson_files(p).map_err(|e| ExpandError::Unreadable {
                path: p.clone(),
                source: std::sync::Arc::new(e),
            })?;
            if in_dir.is_empty() {
                return Err(ExpandError::NoScenarios { path: p.clone() });
            }
            files.extend(in_dir);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Checks a course file against its folder ([`course::load`]); each entry
/// it lists counts as one expectation.
fn check_course(path: &Path) -> Result<FileResult, ScenarioError> {
    course::load(path).map(|c| FileResult {
        passed: c.entries(),
        ..FileResult::default()
    })
}

/// Checks every file `paths` names (see [`expand`]), in `flavor` or each
/// file's own; a directory's course file ([`course::FILE_NAME`]), or one
/// named alone, is checked as a course.
pub fn check(paths: &[PathBuf], flavor: Option<Flavor>) -> Result<Report, ExpandError> {
    let mut files = Vec::new();
    for path in expand(paths)? {
        let result = if course::is_course_file(&path) {
            check_course(&path)
        } else {
            check_file(&path, flavor)
        };
        files.push(FileReport { result, path });
    }
    for dir in paths.iter().filter(|p| p.is_dir()) {
        let path = dir.join(course::FILE_NAME);
        if path.is_file() {
            files.push(FileReport {
                result: check_course(&path),
                path,
            });
        }
    }
    Ok(Report { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("iocp-sim-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn a_failed_expectation_is_counted_with_its_step_and_key() {
        let p = tmp(
            "wrong.json",
            r#"{"format":"iocp-sim/1","title":"t","ports":[{"id":"P","concurrency":1}],"threads":["T1"],
               "steps":[{"op":"post","port":"P","key":1,"expect":{"ports":{"P":{"current":3}}}}]}"#,
        );
        let r = check(std::slice::from_ref(&p), None).unwrap();
        assert_eq!((r.passed(), r.failed(), r.invalid()), (0, 1, 0), "{r:?}");
        let f = &r.files[0].result.as_ref().unwrap().failures[0];
        assert_eq!((f.step, f.op), (1, "post"));
        assert_eq!(f.mismatch.key, "ports.P.current");
        assert_eq!(
            f.to_string(),
            format!(
                "{}: step 1 (post): ports.P.current: expected 3, actual 0",
                p.display()
            )
        );
    }

    #[test]
    fn an_empty_directory_is_an_error() {
        let dir = std::env::temp_dir().join(format!("iocp-sim-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let e = check(std::slice::from_ref(&dir), None).unwrap_err();
        assert!(matches!(e, ExpandError::NoScenarios { path } if path == dir));
    }

    /// A directory that cannot be listed keeps the system's error as its
    /// source, and says it in its message.
    #[test]
    fn an_unreadable_directory_keeps_the_system_error_as_its_source() {
        use std::error::Error as _;
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let e = ExpandError::Unreadable {
            path: "lessons".into(),
            source: std::sync::Arc::new(denied),
        };
        let io = e.source().and_then(|s| s.downcast_ref::<std::io::Error>());
        assert_eq!(
            io.map(|e| e.kind()),
            Some(std::io::ErrorKind::PermissionDenied)
        );
        assert_eq!(
            e.to_string(),
            format!("lessons: cannot read directory: {}", io.unwrap())
        );
    }
}
