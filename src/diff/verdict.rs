//! What a comparison concluded ([`Verdict`]), how much of the scenario it
//! covered ([`Coverage`]), and the count over a batch of files ([`Tally`]),
//! with the lines `iocp-sim diff` and the differential suite print.

use super::compare::Divergence;
use super::plan::{Stop, Unsupported};
use crate::model::Flavor;

/// How much of a scenario a comparison covered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    /// Steps compared, from the first one.
    pub compared: usize,
    /// Steps in the scenario.
    pub steps: usize,
    /// Why the comparison ended before the scenario did, if it did.
    pub stopped: Option<Stop>,
}

impl Coverage {
    /// Every step of the scenario was compared.
    pub fn whole(&self) -> bool {
        self.stopped.is_none() && self.compared >= self.steps
    }

    /// `all 38 steps`, or `14 of 38 steps; stopped: the model rejects step
    /// 15 (get T2): REASON`.
    pub fn describe(&self) -> String {
        match &self.stopped {
            None if self.compared >= self.steps => format!("all {} steps", self.steps),
            None => format!("{} of {} steps", self.compared, self.steps),
            Some(s) => format!(
                "{} of {} steps; stopped: the model rejects step {} ({}): {}",
                self.compared, self.steps, s.step, s.op, s.reason
            ),
        }
    }
}

/// The verdict for one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every compared step agreed (in every repetition); the coverage says
    /// whether that was the whole scenario.
    Agree(Coverage),
    /// The model and the real port differ.
    Diverge(Divergence),
    /// Some step cannot be reproduced by the probe: nothing was run.
    Unsupported(Vec<Unsupported>),
    /// Repetitions of the real run did not observe the same thing: the
    /// result is not trustworthy either way.
    Unstable {
        /// The first repetition that differed from the first run (1-based).
        run: usize,
        /// The first step where it differed.
        step: usize,
    },
}

impl Verdict {
    /// A one-line summary: `agree (all 12 steps)`, `agree (14 of 38 steps;
    /// stopped: the model rejects step 15 (get T2): ...)`, `DIVERGE at step
    /// 4 (returns)`, `unsupported (step 6: ...)`, `UNSTABLE: ...`.
    pub fn summary(&self) -> String {
        match self {
            Verdict::Agree(c) => format!("agree ({})", c.describe()),
            Verdict::Diverge(d) => {
                let f: Vec<&str> = d.fields.iter().map(|f| f.name()).collect();
                format!("DIVERGE at step {} ({})", d.step, f.join(", "))
            }
            Verdict::Unsupported(u) => {
                let first = &u[0];
                format!("unsupported (step {}: {})", first.step, first.reason)
            }
            Verdict::Unstable { run, step } => {
                format!("UNSTABLE: run {run} observed something else at step {step}")
            }
        }
    }

    /// An agreement over every step of the scenario.
    pub fn agrees_whole(&self) -> bool {
        matches!(self, Verdict::Agree(c) if c.whole())
    }
}

/// How the files of a batch ended: the counts of `diff`'s last line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Files.
    pub files: usize,
    /// Agreements over every step.
    pub agree_whole: usize,
    /// Agreements over the steps before one the model rejects.
    pub agree_partly: usize,
    /// Of the partly compared files: steps compared, and steps in all.
    pub partly_compared: usize,
    /// See `partly_compared`.
    pub partly_steps: usize,
    /// Divergences.
    pub diverge: usize,
    /// Files the probe cannot reproduce (never run).
    pub unsupported: usize,
    /// Files whose repetitions observed different things.
    pub unstable: usize,
    /// Files whose probe failed.
    pub probe_failed: usize,
    /// Files run a second time after a transient probe failure (counted
    /// under the retry's verdict too).
    pub retried: usize,
}

impl Tally {
    /// Counts a file whose probe failed.
    pub fn add_failure(&mut self, retried: bool) {
        self.files += 1;
        self.probe_failed += 1;
        self.retried += usize::from(retried);
    }

    /// Counts a file's verdict; `retried` if it was run a second time
    /// after a transient probe failure.
    pub fn add(&mut self, verdict: &Verdict, retried: bool) {
        self.files += 1;
        self.retried += usize::from(retried);
        match verdict {
            Verdict::Agree(c) if c.whole() => self.agree_whole += 1,
            Verdict::Agree(c) => {
                self.agree_partly += 1;
                self.partly_compared += c.compared;
                self.partly_steps += c.steps;
            }
            Verdict::Diverge(_) => self.diverge += 1,
            Verdict::Unsupported(_) => self.unsupported += 1,
            Verdict::Unstable { .. } => self.unstable += 1,
        }
    }

    /// Files that make the exit status 1: divergences, unstable files,
    /// probe failures, and with `require_whole` partly compared agreements.
    pub fn failing(&self, require_whole: bool) -> usize {
        self.diverge
            + self.unstable
            + self.probe_failed
            + if require_whole { self.agree_partly } else { 0 }
    }

    /// The summary line: `N files against REAL (model flavour F): N agree
    /// whole, N agree partly (C of S steps compared: the model rejects a
    /// later step), N diverge, N unsupported, N failed (N unstable, N probe
    /// failed); N retried once after a transient probe failure`. With
    /// `require_whole`, the failed count includes the partly compared files
    /// and says so.
    pub fn line(&self, real: &str, flavor: Flavor, require_whole: bool) -> String {
        let partly = if self.agree_partly == 0 {
            String::new()
        } else {
            format!(
                " ({} of {} steps compared: the model rejects a later step)",
                self.partly_compared, self.partly_steps
            )
        };
        let required = if require_whole {
            format!(
                ", {} partly compared with --require-whole",
                self.agree_partly
            )
        } else {
            String::new()
        };
        format!(
            "{} files against {real} (model flavour {}): {} agree whole, {} agree partly{partly}, \
             {} diverge, {} unsupported, {} failed ({} unstable, {} probe failed{required}); \
             {} retried once after a transient probe failure",
            self.files,
            flavor.as_str(),
            self.agree_whole,
            self.agree_partly,
            self.diverge,
            self.unsupported,
            self.failing(require_whole) - self.diverge,
            self.unstable,
            self.probe_failed,
            self.retried
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::compare::Field;

    fn partly() -> Coverage {
        Coverage {
            compared: 14,
            steps: 38,
            stopped: Some(Stop {
                step: 15,
                op: "get T2".into(),
                reason: "T2 is waiting in P's WTQ".into(),
            }),
        }
    }

    fn whole(steps: usize) -> Coverage {
        Coverage {
            compared: steps,
            steps,
            stopped: None,
        }
    }

    #[test]
    fn an_agreement_says_how_much_it_compared() {
        assert_eq!(Verdict::Agree(whole(12)).summary(), "agree (all 12 steps)");
        assert_eq!(
            Verdict::Agree(partly()).summary(),
            "agree (14 of 38 steps; stopped: the model rejects step 15 (get T2): \
             T2 is waiting in P's WTQ)"
        );
        assert!(Verdict::Agree(whole(12)).agrees_whole());
        assert!(!Verdict::Agree(partly()).agrees_whole());
        let d = Verdict::Diverge(Divergence {
            step: 4,
            fields: vec![Field::Returns],
        });
        assert!(!d.agrees_whole());
        assert_eq!(d.summary(), "DIVERGE at step 4 (returns)");
    }

    fn batch() -> Tally {
        let mut t = Tally::default();
        t.add(&Verdict::Agree(whole(12)), false);
        t.add(&Verdict::Agree(partly()), true);
        let mut p2 = partly();
        (p2.compared, p2.steps) = (3, 10);
        t.add(&Verdict::Agree(p2), false);
        t.add(&Verdict::Unstable { run: 2, step: 3 }, false);
        t.add_failure(false);
        t.add(&Verdict::Unsupported(vec![]), false);
        t
    }

    #[test]
    fn the_summary_counts_partly_compared_files_apart_from_whole_agreements() {
        let t = batch();
        assert_eq!((t.files, t.agree_whole, t.agree_partly), (6, 1, 2));
        assert_eq!((t.partly_compared, t.partly_steps), (17, 48));
        assert_eq!(
            t.line("Wine 10", Flavor::Wine10, false),
            "6 files against Wine 10 (model flavour wine10): 1 agree whole, 2 agree partly \
             (17 of 48 steps compared: the model rejects a later step), 0 diverge, \
             1 unsupported, 2 failed (1 unstable, 1 probe failed); \
             1 retried once after a transient probe failure"
        );
        assert_eq!(t.failing(false), 2);
    }

    #[test]
    fn require_whole_makes_a_partial_comparison_fail() {
        let t = batch();
        assert_eq!(t.failing(true), 4);
        assert_eq!(
            t.line("Wine 10", Flavor::Wine10, true),
            "6 files against Wine 10 (model flavour wine10): 1 agree whole, 2 agree partly \
             (17 of 48 steps compared: the model rejects a later step), 0 diverge, \
             1 unsupported, 4 failed (1 unstable, 1 probe failed, \
             2 partly compared with --require-whole); \
             1 retried once after a transient probe failure"
        );
        let mut all_whole = Tally::default();
        all_whole.add(&Verdict::Agree(whole(3)), false);
        assert_eq!(all_whole.failing(true), 0);
        assert!(all_whole
            .line("Wine 8", Flavor::Wine, true)
            .contains(": 1 agree whole, 0 agree partly, 0 diverge, 0 unsupported, 0 failed"));
    }
}
