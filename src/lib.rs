//! # iocp-sim
//!
//! An educational simulator of the Windows I/O completion port (IOCP)
//! scheduling model: the Device List, the IO Completion Queue, the Waiting
//! Thread Queue (LIFO), the Released Thread List and the Paused Thread List,
//! moved step by step by the rules the NT kernel applies.
//!
//! * [`model`]: the pure state machine (no I/O, no clock).
//! * [`scenario`]: the `iocp-sim/1` file format, its parser and expectations.
//! * [`runner`]: runs a scenario through the model, step by step;
//!   [`runner::check`] checks the expectations of scenario files.
//! * [`narrate`]: turns what a step did into sentences for students.
//! * [`render`]: text and JSON views of a state.
//! * [`views`]: the classroom views: terminal player, HTML player, SVG timeline.
//! * [`diagnostic`]: errors for people: the source line, a caret, "did you mean"
//!   (computed from the [`unknown::Unknown`] word an error carries).
//! * [`diff`]: runs a scenario against a real completion port (Windows, or
//!   Wine) and compares what it observes with the model.
//! * [`explore`]: every interleaving of small thread programs, and the shortest path to a condition.
//! * [`program`]: thread programs, the one language of the explorer's specs and of lessons.
//! * [`goal`]: goals and conditions (what a challenge or `explore --find` aims for).
//! * [`lesson`]: a lesson in progress as a library: moves in scheduler and
//!   every-call mode, refusals as data, branches, goals, the explorer's
//!   answer; [`moves`] is its data.
//! * [`lab`]: a discrete-event workload simulation in simulated time, on the same model.
//! * [`live`]: a real completion port for Rust threads, every decision made by the model.
//! * `testing` (feature `proptest`): proptest strategies, an independent
//!   checker and a reference state machine, for property tests of your own.
//! * `cli` (feature `cli`, not part of the library's API): the `iocp-sim`
//!   command, a thin shell over all of the above.
//!
//! ## Features
//!
//! * `cli` (default): the command, its terminal player and progress bars
//!   (clap, ratatui, crossterm, indicatif).
//! * `proptest` (default): the `testing` module (proptest,
//!   proptest-state-machine).
//!
//! A crate that only tests against the model needs no terminal crate. No
//! release is on crates.io yet: depend on the repository (a path to a
//! clone, or `git = "<the repository's URL>"`) until one is published:
//!
//! ```toml
//! [dev-dependencies]
//! iocp-sim = { path = "../iocp-sim", default-features = false, features = ["proptest"] }
//! ```
//!
//! ## The model in a few lines
//!
//! Two workers wait on a port of concurrency 1; a post wakes the most
//! recent waiter (LIFO); the worker then blocks on something else, and the
//! port releases the other worker for the next packet. When the first one
//! unblocks, both run: the port is over its limit, and nobody is preempted.
//!
//! ```
//! use iocp_sim::model::{Action, Flavor, Kernel, KernelConfig, Outcome, PortId, ThreadId, Timeout};
//!
//! let mut k = Kernel::new(&KernelConfig {
//!     flavor: Flavor::Windows,
//!     cpus: 4,
//!     ports: vec![1],
//!     threads: 2,
//!     devices: vec![],
//! });
//! let (p, t1, t2) = (PortId(0), ThreadId(0), ThreadId(1));
//! let mut out = Outcome::default();
//! let get = |thread| Action::Get { thread, port: p, timeout: Timeout::Infinite };
//! // `by: None`: the main thread posts (a thread outside the scenario).
//! let post = |key| Action::Post { port: p, key, bytes: 0, overlapped: None, by: None };
//!
//! k.apply(get(t1), &mut out)?;
//! k.apply(get(t2), &mut out)?;
//! k.apply(post(1), &mut out)?;
//! assert_eq!(out.deliveries[0].thread, t2, "the most recent waiter wakes");
//!
//! k.apply(post(2), &mut out)?;
//! assert!(out.deliveries.is_empty(), "current 1 = max 1: the packet waits");
//!
//! k.apply(Action::Block { thread: t2, on: None }, &mut out)?;
//! assert_eq!(out.deliveries[0].thread, t1, "T2 blocked: T1 may run");
//!
//! k.apply(Action::Unblock { thread: t2 }, &mut out)?;
//! assert_eq!(k.port(p).current(), 2);
//! assert!(k.port(p).over_limit());
//!
//! // A thread that is waiting cannot call anything: the model refuses, and
//! // the refusal is an error value naming the rule.
//! k.apply(get(t1), &mut out)?; // T1 is done: it waits again
//! let refused = k.apply(get(t1), &mut out).unwrap_err();
//! assert_eq!(refused.rule.name(), "get");
//! # Ok::<(), iocp_sim::model::Rejection>(())
//! ```
//!
//! See `docs/library.md` for a guide: scenarios from a program, checking
//! files, the JSON output, and property tests against the model.

#![warn(missing_docs)]

pub mod challenge;
/// The `iocp-sim` command. Not part of the library's API (hidden, and
/// subject to change in any release); the binary `src/main.rs` calls
/// `cli::main`.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub mod course;
pub mod diagnostic;
pub mod diff;
pub mod escape;
pub mod explore;
pub mod fuzzing;
pub mod goal;
pub mod lab;
pub mod lesson;
pub mod live;
pub mod moves;
/// The pure model: the `iocp-model` crate, re-exported.
pub use iocp_model as model;
pub mod narrate;
pub mod program;
pub mod render;
pub mod runner;
pub mod scenario;
#[cfg(feature = "proptest")]
pub mod testing;
pub mod unknown;
pub mod views;

/// The guides: every Rust block of README.md and docs/*.md is compiled (and
/// run, unless marked `no_run`) by `cargo test --doc`, each document being
/// the documentation of a module of its own; a block that is not Rust is
/// marked (```` ```text ````, ```` ```sh ````, ...). A guide whose blocks need a
/// feature is compiled with it. `api_tests::every_guide_is_compiled`
/// keeps this list whole.
#[cfg(doctest)]
mod guides {
    #[doc = include_str!("../README.md")]
    mod readme {}
    #[doc = include_str!("../docs/benchmarks.md")]
    mod benchmarks {}
    #[doc = include_str!("../docs/classroom-views.md")]
    mod classroom_views {}
    #[doc = include_str!("../docs/differential.md")]
    mod differential {}
    #[doc = include_str!("../docs/explore.md")]
    mod explore {}
    #[doc = include_str!("../docs/fuzzing.md")]
    mod fuzzing {}
    #[doc = include_str!("../docs/glossary.md")]
    mod glossary {}
    #[doc = include_str!("../docs/json-output.md")]
    mod json_output {}
    #[doc = include_str!("../docs/lab.md")]
    mod lab {}
    #[cfg(feature = "proptest")]
    #[doc = include_str!("../docs/library.md")]
    mod library {}
    #[doc = include_str!("../docs/live.md")]
    mod live {}
    #[doc = include_str!("../docs/model.md")]
    mod model {}
    #[doc = include_str!("../docs/model.ko.md")]
    mod model_ko {}
    #[doc = include_str!("../docs/resources.md")]
    mod resources {}
    #[doc = include_str!("../docs/scenario-format.md")]
    mod scenario_format {}
}

#[cfg(test)]
mod api_tests {
    /// No `pub fn` in the sources returns `Result<_, String>`: errors are
    /// typed (and implement `std::error::Error`, below). Crate-private
    /// helpers may still carry a message as a `String`.
    #[test]
    fn no_public_function_returns_a_string_error() {
        fn scan(dir: &std::path::Path, found: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    scan(&path, found);
                } else if path.extension().is_some_and(|x| x == "rs") {
                    let text = std::fs::read_to_string(&path).expect("read a source file");
                    for (i, _) in text.match_indices("pub fn ") {
                        let sig = &text[i..];
                        let sig = &sig[..sig.find(['{', ';']).unwrap_or(sig.len())];
                        let sig = sig.split_whitespace().collect::<Vec<_>>().join(" ");
                        let ret = sig.rsplit("->").next().unwrap_or("");
                        if ret.contains("Result<") && ret.trim_end().ends_with(", String>") {
                            found.push(format!("{}: {sig}", path.display()));
                        }
                    }
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut found = Vec::new();
        scan(&root.join("src"), &mut found);
        scan(&root.join("crates"), &mut found);
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    /// README.md and every docs/*.md are compiled as doctests (`guides`
    /// above), so a new guide cannot leave its Rust blocks unchecked.
    #[test]
    fn every_guide_is_compiled() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let lib = std::fs::read_to_string(root.join("src/lib.rs")).expect("lib.rs");
        let mut guides = vec!["README.md".to_owned()];
        for e in std::fs::read_dir(root.join("docs"))
            .expect("docs/")
            .flatten()
        {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".md") {
                guides.push(format!("docs/{name}"));
            }
        }
        assert!(guides.len() > 10, "{guides:?}");
        let missing: Vec<_> = guides
            .iter()
            .filter(|g| !lib.contains(&format!("include_str!(\"../{g}\")")))
            .collect();
        assert!(missing.is_empty(), "not compiled as doctests: {missing:?}");
    }

    /// Every public error type is a `std::error::Error` (so `?` and error
    /// crates work with it); this does not compile if one is not.
    #[test]
    fn public_errors_implement_error() {
        fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
        is_error::<crate::model::Rejection>();
        is_error::<crate::model::properties::Violation>();
        is_error::<crate::model::PartsError>();
        is_error::<crate::scenario::Mismatch>();
        is_error::<crate::scenario::ScenarioError>();
        is_error::<crate::runner::check::Failure>();
        is_error::<crate::runner::check::ExpandError>();
        is_error::<crate::explore::pack::PackError>();
        is_error::<crate::explore::spec::SpecError>();
        is_error::<crate::explore::world::WorldError>();
        is_error::<crate::lab::config::ConfigError>();
        is_error::<crate::diff::observe::ProbeOutputError>();
        is_error::<crate::diff::launch::RunError>();
        is_error::<crate::diff::launch::EnvMissing>();
        is_error::<crate::diff::WineVersionError>();
        is_error::<crate::explore::condition::ConditionError>();
        is_error::<crate::explore::free::GoalError>();
        is_error::<crate::explore::store::OutOfMemory>();
        is_error::<crate::lab::config::TimeLimit>();
        is_error::<crate::lab::sweep::SweepError>();
        is_error::<crate::lab::sim::ImpossibleFigure>();
        is_error::<crate::live::GetError>();
        is_error::<crate::live::Closed<u32>>();
        // Whatever the value: a job type need not be `Debug` for `?`.
        struct NotDebug;
        is_error::<crate::live::Closed<NotDebug>>();
        #[cfg(not(feature = "shuttle"))]
        is_error::<crate::live::control::Failure>();
        is_error::<crate::views::size::TooLarge>();
        #[cfg(feature = "cli")]
        #[cfg(feature = "proptest")]
        {
            is_error::<crate::testing::shadow::Failure>();
            is_error::<crate::testing::machine::Disagreement>();
        }
    }
}
