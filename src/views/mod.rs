//! Classroom views: the terminal player (`iocp-sim play`), the offline HTML
//! player and the SVG timeline (`iocp-sim export`).
//!
//! All three are built on [`crate::runner::Trace::record`] and on
//! [`frame::Frame`], one language-resolved picture of the five structures
//! per step (index 0 is the state before step 1), built from the trace
//! when needed: the page and the drawing are written as their frames are
//! built, one at a time, and the player builds the frame shown. Rendering
//! is pure: a function from frames (and a screen size) to a buffer, a page
//! or a drawing; only `player::run` touches a terminal.
//!
//! The terminal player (`tui`, `player`) needs ratatui and is built with
//! the `cli` feature only. The browser's page (`html`) holds the lesson
//! engine (`web`) compiled to WebAssembly, which needs neither.

pub mod frame;
pub mod html;
#[cfg(feature = "cli")]
pub mod player;
pub mod size;
pub mod svg;
#[cfg(feature = "cli")]
pub mod tui;
pub mod web;

pub use crate::narrate::words;
pub use frame::{frames, Frame, Run, Show};
