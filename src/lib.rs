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
//! * [`cli`]: the `iocp-sim` command, a thin shell over all of the above.

#![warn(missing_docs)]

pub mod challenge;
pub mod cli;
pub mod diff;
pub mod explore;
pub mod lab;
pub mod model;
pub mod narrate;
pub mod render;
pub mod runner;
pub mod scenario;
pub mod views;
