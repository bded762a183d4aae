//! Errors in scenario files, each naming the file and the place, and
//! carrying what is wrong as data ([`Problem`]): the unknown word and the
//! known ones, the rejected action, the operating system's error.
//!
//! To add an error: give [`Problem`] a variant holding what a program (or
//! [`crate::diagnostic`]) needs to act on it, word it in `Problem`'s
//! `Display` (the one line a script reads), and, if it names a word that
//! should have been one of a list, return that list from
//! [`Problem::unknown`] so that "did you mean" covers it. A one-off check
//! whose only use is to be read may stay [`Problem::Invalid`] (any
//! `String` converts into it, so `Err(format!(..).into())` and `?` on a
//! `Result<_, String>` work).

use std::fmt;
use std::io;
use std::sync::Arc;

use crate::model::Rejection;
use crate::unknown::Unknown;

/// A scenario that cannot be read or run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read, or the output not written.
    Io {
        /// The file.
        path: String,
        /// Reading the file, or writing the output.
        writing: bool,
        /// The operating system's error (also [`std::error::Error::source`]).
        source: Arc<io::Error>,
    },
    /// Invalid JSON, or a key or value of the wrong shape.
    Json {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The step being read, when the mistake is inside `steps`.
        step: Option<usize>,
        /// What is wrong.
        problem: Problem,
    },
    /// A mistake in the world: format version, duplicate or empty ids, bad values.
    World {
        /// The file.
        path: String,
        /// What is wrong.
        problem: Problem,
    },
    /// A mistake in one step, or a step that the model rejected unexpectedly.
    Step {
        /// The file.
        path: String,
        /// 1-based step number.
        step: usize,
        /// The step's op, if it has one.
        op: Option<&'static str>,
        /// What is wrong.
        problem: Problem,
    },
}

/// What is wrong, as data; its `Display` is the reason in words.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// JSON that is malformed or of the wrong shape, in serde_json's words
    /// (made plain: the JSON shape rather than a Rust type); `unknown` when
    /// it is a key the object does not have or a value none of the allowed
    /// words (an op, a language).
    Json {
        /// The reason in words.
        message: String,
        /// The unknown key or value, and the allowed ones.
        unknown: Option<Box<Unknown>>,
    },
    /// A port, thread or device the scenario does not declare.
    UnknownId {
        /// Which kind of id.
        kind: IdKind,
        /// The id, and the ids of that kind the scenario declares.
        unknown: Box<Unknown>,
    },
    /// A flavour that is none of the model's.
    UnknownFlavor(Box<Unknown>),
    /// An expected thread state that is none of the format's.
    UnknownState {
        /// The thread it is expected of.
        thread: String,
        /// The state as written, and the format's states.
        unknown: Box<Unknown>,
    },
    /// The model rejected the step's action, and the step did not expect it.
    Rejected {
        /// The model's rejection (which rule, and why).
        rejection: Rejection,
        /// The rejection in words.
        reason: String,
    },
    /// Any other mistake, in words (a missing key, a value out of range).
    Invalid(String),
}

/// The kinds of id a scenario declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A port.
    Port,
    /// A thread.
    Thread,
    /// A device.
    Device,
}

impl IdKind {
    /// `"port"`, `"thread"` or `"device"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Port => "port",
            IdKind::Thread => "thread",
            IdKind::Device => "device",
        }
    }
}

impl Problem {
    /// The word that should have been one of a list, and the list, when
    /// that is the problem.
    pub fn unknown(&self) -> Option<&Unknown> {
        match self {
            Problem::Json { unknown, .. } => unknown.as_deref(),
            Problem::UnknownId { unknown, .. }
            | Problem::UnknownFlavor(unknown)
            | Problem::UnknownState { unknown, .. } => Some(unknown),
            Problem::Rejected { .. } | Problem::Invalid(_) => None,
        }
    }

    /// A serde_json error's reason (`message`, without its position):
    /// an unknown key or value is kept as data too.
    pub(crate) fn json(message: String) -> Problem {
        Problem::Json {
            unknown: Unknown::from_serde(&message).map(Box::new),
            message,
        }
    }

    /// `flavor` is none of the model's flavours.
    pub(crate) fn flavor(flavor: &str) -> Problem {
        Problem::UnknownFlavor(Box::new(Unknown::new(
            flavor,
            crate::model::Flavor::ALL.map(|f| f.as_str()),
        )))
    }
}

impl From<String> for Problem {
    fn from(s: String) -> Problem {
        Problem::Invalid(s)
    }
}

impl From<&str> for Problem {
    fn from(s: &str) -> Problem {
        Problem::Invalid(s.to_owned())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Json { message, .. } => f.write_str(message),
            Problem::UnknownId { kind, unknown } => {
                let kind = kind.as_str();
                if unknown.known.is_empty() {
                    write!(
                        f,
                        "unknown {kind} {:?}: the scenario declares no {kind}s",
                        unknown.word
                    )
                } else {
                    write!(
                        f,
                        "unknown {kind} {:?} (declared: {})",
                        unknown.word,
                        unknown.known.join(", ")
                    )
                }
            }
            Problem::UnknownFlavor(u) => {
                write!(f, "flavor {:?} is not one of ", u.word)?;
                for (i, k) in u.known.iter().enumerate() {
                    let sep = match i {
                        0 => "",
                        _ => ", ",
                    };
                    write!(f, "{sep}{k:?}")?;
                }
                Ok(())
            }
            Problem::UnknownState { thread, unknown } => write!(
                f,
                "thread state {:?} for {thread} is not one of {}",
                unknown.word,
                unknown.known.join(", ")
            ),
            Problem::Rejected { reason, .. } => {
                write!(f, "the model rejects this action: {reason}")
            }
            Problem::Invalid(m) => f.write_str(m),
        }
    }
}

impl ScenarioError {
    /// The file the error is about.
    pub fn path(&self) -> &str {
        match self {
            ScenarioError::Io { path, .. }
            | ScenarioError::Json { path, .. }
            | ScenarioError::World { path, .. }
            | ScenarioError::Step { path, .. } => path,
        }
    }

    /// Where in the file's JSON the error lies, as a path
    /// (`steps[1]` for step 2), when it names a step and no line.
    pub fn json_path(&self) -> Option<String> {
        match self {
            ScenarioError::Step { step, .. } => Some(format!("steps[{}]", step.saturating_sub(1))),
            _ => None,
        }
    }

    /// What is wrong, except for an I/O error (see
    /// [`std::error::Error::source`] for that).
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ScenarioError::Io { .. } => None,
            ScenarioError::Json { problem, .. }
            | ScenarioError::World { problem, .. }
            | ScenarioError::Step { problem, .. } => Some(problem),
        }
    }

    /// `path` could not be read: `source` is the operating system's error.
    pub fn read(path: &str, source: io::Error) -> ScenarioError {
        ScenarioError::Io {
            path: path.to_owned(),
            writing: false,
            source: Arc::new(source),
        }
    }

    /// The output of a run of `path` could not be written (`source`: why).
    pub fn write(path: &str, source: io::Error) -> ScenarioError {
        ScenarioError::Io {
            path: path.to_owned(),
            writing: true,
            source: Arc::new(source),
        }
    }
}

/// Equal when they say the same of the same place (for I/O errors: the
/// same kind of error, in the same words).
impl PartialEq for ScenarioError {
    fn eq(&self, other: &ScenarioError) -> bool {
        use ScenarioError::*;
        match (self, other) {
            (
                Io {
                    path: p,
                    writing: w,
                    source: s,
                },
                Io {
                    path: q,
                    writing: v,
                    source: t,
                },
            ) => p == q && w == v && s.kind() == t.kind() && s.to_string() == t.to_string(),
            (
                Json {
                    path: a,
                    line: b,
                    column: c,
                    step: d,
                    problem: e,
                },
                Json {
                    path: a2,
                    line: b2,
                    column: c2,
                    step: d2,
                    problem: e2,
                },
            ) => (a, b, c, d, e) == (a2, b2, c2, d2, e2),
            (
                World {
                    path: a,
                    problem: b,
                },
                World {
                    path: a2,
                    problem: b2,
                },
            ) => (a, b) == (a2, b2),
            (
                Step {
                    path: a,
                    step: b,
                    op: c,
                    problem: d,
                },
                Step {
                    path: a2,
                    step: b2,
                    op: c2,
                    problem: d2,
                },
            ) => (a, b, c, d) == (a2, b2, c2, d2),
            _ => false,
        }
    }
}

impl Eq for ScenarioError {}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Io {
                path,
                writing: false,
                source,
            } => write!(f, "{path}: cannot read: {source}"),
            ScenarioError::Io {
                path,
                writing: true,
                source,
            } => write!(f, "{path}: cannot write output: {source}"),
            ScenarioError::Json {
                path,
                line,
                column,
                step,
                problem,
            } => {
                write!(f, "{path}:{line}:{column}: ")?;
                if let Some(step) = step {
                    write!(f, "step {step}: ")?;
                }
                write!(f, "{problem}")
            }
            ScenarioError::World { path, problem } => write!(f, "{path}: {problem}"),
            ScenarioError::Step {
                path,
                step,
                op,
                problem,
            } => match op {
                Some(op) => write!(f, "{path}: step {step} ({op}): {problem}"),
                None => write!(f, "{path}: step {step}: {problem}"),
            },
        }
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Io { source, .. } => Some(&**source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn an_io_error_keeps_its_source() {
        let e = ScenarioError::read(
            "l.json",
            io::Error::new(io::ErrorKind::NotFound, "No such file"),
        );
        assert_eq!(e.to_string(), "l.json: cannot read: No such file");
        let source = e.source().expect("the OS error is the source");
        let io = source.downcast_ref::<io::Error>().expect("an io::Error");
        assert_eq!(io.kind(), io::ErrorKind::NotFound);
        let w = ScenarioError::write("l.json", io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(
            w.to_string().starts_with("l.json: cannot write output: "),
            "{w}"
        );
        assert_ne!(e, w);
        assert_eq!(e, e.clone());
    }

    #[test]
    fn unknown_words_keep_their_known_ones_and_their_old_words() {
        let p = Problem::UnknownId {
            kind: IdKind::Thread,
            unknown: Box::new(Unknown::new("T9", ["T1", "T2"])),
        };
        assert_eq!(p.to_string(), "unknown thread \"T9\" (declared: T1, T2)");
        assert_eq!(p.unknown().unwrap().known, ["T1", "T2"]);
        let none = Problem::UnknownId {
            kind: IdKind::Device,
            unknown: Box::new(Unknown::new("d", Vec::<String>::new())),
        };
        assert_eq!(
            none.to_string(),
            "unknown device \"d\": the scenario declares no devices"
        );
        assert_eq!(
            Problem::flavor("winows").to_string(),
            "flavor \"winows\" is not one of \"windows\", \"wine\", \"wine10\""
        );
        let j = Problem::json("unknown field `expcet`, expected one of `op`, `expect`".into());
        assert_eq!(j.unknown().unwrap().word, "expcet");
        assert_eq!(Problem::from("missing field `title`").unknown(), None);
    }
}
