//! The errors of a lab configuration: a mistake in a file
//! ([`ConfigError`], with its place, its key and, as data, the unknown word
//! or the operating system's error), and a run over a bound ([`TimeLimit`]).

use std::fmt;
use std::io;
use std::ops::Range;
use std::sync::Arc;

use crate::unknown::Unknown;

/// A configuration whose run would be over a bound
/// ([`LabConfig::check_time`](super::LabConfig::check_time) for the lab,
/// [`LabConfig::check_live`](super::LabConfig::check_live) for a live
/// run): the key to change and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeLimit {
    /// The key to change: `arrivals.rate`, `arrivals.load`,
    /// `arrivals.trace`, `scheduler.quantum_us`, `service`, or for a live
    /// run also `service.mean_us` (or `.max_us`), `block.time` and
    /// `block.after`.
    pub key: &'static str,
    /// What would be too long, and what to do.
    pub reason: String,
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.reason)
    }
}

impl std::error::Error for TimeLimit {}

/// A mistake in a configuration file.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConfigError {
    /// The file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The key at fault (`service.mean_us`), when known.
    pub key: Option<String>,
    /// What is wrong, in words.
    pub message: String,
    /// An unknown key, policy, distribution, process or swept key, with
    /// the known ones (for "did you mean").
    pub unknown: Option<Box<Unknown>>,
    /// The operating system's error, when the file could not be read
    /// (also [`std::error::Error::source`]).
    pub io: Option<Arc<io::Error>>,
}

impl ConfigError {
    /// A mistake in `file`, nowhere in particular.
    pub(crate) fn new(file: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: file.to_owned(),
            line: None,
            column: None,
            key: None,
            message: message.into(),
            unknown: None,
            io: None,
        }
    }

    /// `file` could not be read: `what` (`cannot read`), and the OS's error.
    pub(crate) fn io(file: &str, what: &str, e: io::Error) -> ConfigError {
        let message = format!("{what}: {e}");
        ConfigError {
            io: Some(Arc::new(e)),
            ..ConfigError::new(file, message)
        }
    }

    /// A mistake at byte `span` of `text` (the contents of `file`).
    pub(crate) fn at(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        key: Option<&str>,
        message: impl Into<String>,
    ) -> ConfigError {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = line_col(text, s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ConfigError {
            line,
            column,
            key: key.map(str::to_owned),
            ..ConfigError::new(file, message)
        }
    }

    /// What is wrong, with the key at fault: `key `policy`: unknown policy
    /// ...` (the one-line form without the file and the place).
    pub fn reason(&self) -> String {
        match &self.key {
            Some(k) => format!("key `{k}`: {}", self.message),
            None => self.message.clone(),
        }
    }

    /// The same error, naming `unknown` as the word at fault.
    pub(crate) fn unknown(mut self, unknown: Option<Unknown>) -> ConfigError {
        self.unknown = unknown.map(Box::new);
        self
    }
}

/// Equal when they say the same of the same place (an OS error: the same
/// kind, in the same words).
impl PartialEq for ConfigError {
    fn eq(&self, other: &ConfigError) -> bool {
        let io = |e: &ConfigError| e.io.as_ref().map(|e| (e.kind(), e.to_string()));
        (
            &self.file,
            self.line,
            self.column,
            &self.key,
            &self.message,
            &self.unknown,
        ) == (
            &other.file,
            other.line,
            other.column,
            &other.key,
            &other.message,
            &other.unknown,
        ) && io(self) == io(other)
    }
}

impl Eq for ConfigError {}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.reason())
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.io.as_deref().map(|e| e as _)
    }
}

/// 1-based line and column of a byte offset.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// `word` is none of `known`: the error's words, `unknown {what} `word`:
/// use a, b or c`, and the data.
pub(super) fn unknown_word(what: &str, word: &str, known: &[&str]) -> (String, Unknown) {
    (
        format!("unknown {what} `{word}`: use {}", or_list(known)),
        Unknown::new(word, known.iter().copied()),
    )
}

/// `a, b or c`.
pub(super) fn or_list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
