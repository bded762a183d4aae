//! The integration tests: one binary, one module per former test file, so
//! that the crate is linked once for all of them. A module's tests are
//! selected by its name: `cargo test --test integration rules::`.
//!
//! A new test file is `tests/integration/NAME.rs` plus one `mod NAME;` line
//! here (with `#[cfg(feature = "cli")]` when it runs the `iocp-sim` binary
//! or drives the terminal player). Shared helpers are in [`util`].
//! insta keeps a module's snapshots in
//! `snapshots/integration__MODULE__NAME.snap` beside this file; proptest
//! keeps failing seeds in `tests/proptest-regressions/MODULE.txt`.
//!
//! Separate targets (see Cargo.toml): `html_chromium` (a real browser),
//! `differential` (a real port under Wine or Windows) and `live_stress`
//! (threads that load every processor for seconds).

mod util;

#[cfg(feature = "cli")]
mod challenges;
#[cfg(feature = "cli")]
mod cli_course;
#[cfg(feature = "cli")]
mod cli_errors;
mod cli_modules;
mod course;
#[cfg(feature = "cli")]
mod explore;
mod fuzz_regressions;
mod glossary;
#[cfg(feature = "cli")]
mod hostile_inputs;
#[cfg(feature = "cli")]
mod json_output;
#[cfg(feature = "cli")]
mod lab_cli;
mod lab_config;
mod lab_props;
mod lab_theory;
mod layering;
#[cfg(feature = "cli")]
mod lesson_languages;
mod live;
mod live_add_thread;
#[cfg(feature = "cli")]
mod live_cli;
mod live_control;
mod live_differential;
mod model_ko;
mod narration_facts;
mod narration_languages;
#[cfg(feature = "cli")]
mod play_render;
mod programs;
#[cfg(feature = "proptest")]
mod properties;
mod rules;
mod scenarios;
mod schema;
mod snapshots;
mod svg_timeline;
#[cfg(feature = "cli")]
mod terminal_text;
#[cfg(feature = "cli")]
mod views_lessons;
#[cfg(feature = "cli")]
mod whatif;
