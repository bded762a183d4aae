//! # iocp-sim
//!
//! An educational simulator of the Windows I/O completion port (IOCP)
//! scheduling model: the Device List, the IO Completion Queue, the Waiting
//! Thread Queue (LIFO), the Released Thread List and the Paused Thread List,
//! moved step by step by the rules the NT kernel applies.
//!
//! * [`model`]: the pure state machine (no I/O, no clock).
//! * [`scenario`]: the `iocp-sim/1` file format, its parser and expectations.
//! * [`runner`]: runs a scenario through the model, step by step.
//! * [`narrate`]: turns what a step did into sentences for students.
//! * [`render`]: text and JSON views of a state.
//! * [`views`]: the classroom views: terminal player, HTML player, SVG timeline.
//! * [`diff`]: runs a scenario against a real completion port (Windows, or
//!   Wine) and compares what it observes with the model.
//! * [`explore`]: every interleaving of small thread programs, and the shortest path to a condition.
//! * [`lab`]: a discrete-event workload simulation in simulated time, on the same model.
//! * `cli` (feature `cli`, not part of the library's API): the `iocp-sim`
//!   command, a thin shell over all of the above.

#![warn(missing_docs)]

/// The `iocp-sim` command. Not part of the library's API (hidden, and
/// subject to change in any release); the binary `src/main.rs` calls
/// `cli::main`.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub mod diff;
pub mod explore;
pub mod lab;
pub mod model;
pub mod narrate;
pub mod render;
pub mod runner;
pub mod scenario;
#[cfg(feature = "proptest")]
pub mod testing;
pub mod views;

#[cfg(test)]
mod api_tests {
    /// Every public error type is a `std::error::Error` (so `?` and error
    /// crates work with it); this does not compile if one is not.
    #[test]
    fn public_errors_implement_error() {
        fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
        is_error::<crate::model::Rejection>();
        is_error::<crate::model::properties::Violation>();
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
        #[cfg(feature = "proptest")]
        {
            is_error::<crate::testing::shadow::Failure>();
            is_error::<crate::testing::machine::Disagreement>();
        }
    }
}
