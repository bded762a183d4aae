//! `--find` conditions: what a state must show for the search to stop and
//! print the shortest way there. They are the goals' conditions
//! ([`crate::goal`]), shared with the lessons and the narration.

pub use crate::goal::{Cmp, Condition, ConditionError, Metric, HELP};
