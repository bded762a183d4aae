//! Errors in scenario files, each naming the file and the place.

use std::fmt;

/// A scenario that cannot be read or run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
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
        message: String,
    },
    /// A mistake in the world: format version, duplicate or empty ids, bad values.
    World {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
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
        message: String,
    },
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
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Io { path, message } => write!(f, "{path}: cannot read: {message}"),
            ScenarioError::Json {
                path,
                line,
                column,
                step,
                message,
            } => {
                write!(f, "{path}:{line}:{column}: ")?;
                if let Some(step) = step {
                    write!(f, "step {step}: ")?;
                }
                write!(f, "{message}")
            }
            ScenarioError::World { path, message } => write!(f, "{path}: {message}"),
            ScenarioError::Step {
                path,
                step,
                op,
                message,
            } => match op {
                Some(op) => write!(f, "{path}: step {step} ({op}): {message}"),
                None => write!(f, "{path}: step {step}: {message}"),
            },
        }
    }
}

impl std::error::Error for ScenarioError {}
