//! Comparing the model's observations with the probe's, and the
//! side-by-side table that shows them.

use std::fmt::Write as _;

use super::observe::StepObs;
use crate::escape;

/// Which fact of a step differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The step's own call result.
    Result,
    /// Which threads returned with which packets or errors.
    Returns,
    /// A port's queue depth.
    Depth,
    /// One side has no observation for the step (the probe stopped early).
    Missing,
}

impl Field {
    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Field::Result => "result",
            Field::Returns => "returns",
            Field::Depth => "depth",
            Field::Missing => "missing",
        }
    }
}

/// The first step where the two sides differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// 1-based step number.
    pub step: usize,
    /// What differs.
    pub fields: Vec<Field>,
}

/// The facts of one step that differ (empty if they agree).
pub fn step_diff(model: &StepObs, real: &StepObs) -> Vec<Field> {
    let mut f = Vec::new();
    if !model.skipped && model.result != real.result {
        f.push(Field::Result);
    }
    if model.returns != real.returns {
        f.push(Field::Returns);
    }
    if model.depths != real.depths {
        f.push(Field::Depth);
    }
    f
}

/// The first divergence between the model and the real port, if any.
pub fn first_divergence(model: &[StepObs], real: &[StepObs]) -> Option<Divergence> {
    for (i, m) in model.iter().enumerate() {
        let fields = match real.get(i) {
            Some(r) => step_diff(m, r),
            None => vec![Field::Missing],
        };
        if !fields.is_empty() {
            return Some(Divergence {
                step: m.step,
                fields,
            });
        }
    }
    None
}

fn cell_lines(s: &StepObs, real: bool) -> Vec<String> {
    let mut v = Vec::new();
    v.push(match (s.skipped, real) {
        (true, false) => "rejected by the model".to_owned(),
        (true, true) => "not run (the model rejects it)".to_owned(),
        _ => format!("result {}", s.result),
    });
    v.extend(s.return_lines());
    v.push(s.depth_line());
    for w in &s.warnings {
        v.push(format!("warning: {w}"));
    }
    v
}

/// `s` escaped for the terminal ([`escape::terminal`]: every cell of the
/// table is, and it is laid out after the escapes), padded or cut to `w`
/// characters.
fn clip(s: &str, w: usize) -> String {
    let s = escape::terminal(s);
    if s.chars().count() <= w {
        format!("{s:w$}")
    } else {
        let mut t: String = s.chars().take(w - 1).collect();
        t.push('~');
        t
    }
}

/// The side-by-side table: one block of lines per step, the model on the
/// left and the real port on the right. Differing steps are marked `!`, the
/// first divergence `>>`, and everything after it is still shown.
pub fn table(model: &[StepObs], real: &[StepObs], left: &str, right: &str) -> String {
    const W: usize = 44;
    let first = first_divergence(model, real).map(|d| d.step);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "   step op                   | {} | {}",
        clip(left, W),
        escape::terminal(right)
    );
    let _ = writeln!(s, "{}", "-".repeat(29 + W + 3 + W));
    for (i, m) in model.iter().enumerate() {
        let r = real.get(i);
        let diff = match r {
            Some(r) => step_diff(m, r),
            None => vec![Field::Missing],
        };
        let mark = if Some(m.step) == first {
            ">>"
        } else if !diff.is_empty() {
            " !"
        } else {
            "  "
        };
        let left_lines = cell_lines(m, false);
        let right_lines = r
            .map(|r| cell_lines(r, true))
            .unwrap_or_else(|| vec!["(no observation)".to_owned()]);
        let rows = left_lines.len().max(right_lines.len());
        for j in 0..rows {
            let head = if j == 0 {
                format!("{mark}{:>4} {}", m.step, clip(&m.op, 20))
            } else {
                " ".repeat(27)
            };
            let l = left_lines.get(j).map(String::as_str).unwrap_or("");
            let rr = right_lines.get(j).map(String::as_str).unwrap_or("");
            let _ = writeln!(s, "{head} | {} | {}", clip(l, W), escape::terminal(rr));
        }
        if Some(m.step) == first {
            let names: Vec<&str> = diff.iter().map(|f| f.name()).collect();
            let _ = writeln!(
                s,
                "{}   ^^ first divergence at step {}: {} differ",
                " ".repeat(27),
                m.step,
                names.join(", ")
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::observe::{Depth, Pkt, Return};

    fn obs(step: usize, who: &str) -> StepObs {
        let mut s = StepObs::new(step, "post P".into());
        s.returns.push((
            who.into(),
            Return::Packets(vec![Pkt {
                key: 1,
                bytes: 0,
                overlapped: None,
                status: "success".into(),
            }]),
        ));
        s.depths.push(("P".into(), Depth::Queued(0)));
        s
    }

    #[test]
    fn equal_steps_agree() {
        assert_eq!(first_divergence(&[obs(1, "T1")], &[obs(1, "T1")]), None);
    }

    #[test]
    fn a_different_thread_is_a_divergence_in_returns() {
        let d = first_divergence(&[obs(1, "T1"), obs(2, "T3")], &[obs(1, "T1"), obs(2, "T1")]);
        assert_eq!(
            d,
            Some(Divergence {
                step: 2,
                fields: vec![Field::Returns]
            })
        );
        let t = table(
            &[obs(1, "T1"), obs(2, "T3")],
            &[obs(1, "T1"), obs(2, "T1")],
            "model",
            "real",
        );
        assert!(t.contains(">>   2"), "{t}");
        assert!(t.contains("first divergence at step 2: returns"), "{t}");
    }

    #[test]
    fn a_skipped_step_compares_no_result_but_still_depths() {
        let mut m = obs(1, "T1");
        m.skipped = true;
        m.result = "rejected".into();
        let r = obs(1, "T1");
        assert!(step_diff(&m, &r).is_empty());
        let mut r2 = obs(1, "T1");
        r2.depths[0].1 = Depth::Queued(1);
        assert_eq!(step_diff(&m, &r2), vec![Field::Depth]);
    }

    #[test]
    fn the_table_escapes_ids_before_it_lays_them_out() {
        let odd = "T\u{1b}]0;x\u{7}\u{202e}";
        let mut m = obs(1, odd);
        m.op = format!("get {odd}");
        let t = table(&[m.clone()], &[m], "model", "real");
        assert!(!t.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{t}");
        assert!(t.contains("| T\\u{1b}]0;x\\u{7}\\u{202e} <- key=1"), "{t}");
        // The left column's separator is in the same place on every row.
        let bars: Vec<usize> = t
            .lines()
            .skip(2)
            .map(|l| l.chars().take_while(|&c| c != '|').count())
            .collect();
        assert!(bars.len() > 2 && bars.iter().all(|&b| b == bars[0]), "{t}");
    }

    #[test]
    fn a_missing_real_step_diverges() {
        let d = first_divergence(&[obs(1, "T1")], &[]).unwrap();
        assert_eq!(d.fields, vec![Field::Missing]);
    }
}
