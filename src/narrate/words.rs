//! The shape of the one table of fixed words per language that every view
//! (text, JSON narration, terminal player, HTML page, SVG timeline) takes
//! its words from: the five structures, the thread states, markers, the
//! labels of the text view and the player's menus. The tables themselves
//! are [`super::en::WORDS`] and [`super::ko::WORDS`]; sentences come from
//! the narration functions beside them.

use crate::model::ThreadStatus;

/// The words one language uses in the views.
#[derive(Debug, serde::Serialize)]
pub struct Words {
    /// "Device List".
    pub device_list: &'static str,
    /// Short and long name of the IOCQ.
    pub iocq: (&'static str, &'static str),
    /// Short and long name of the WTQ.
    pub wtq: (&'static str, &'static str),
    /// Short and long name of the RTL.
    pub rtl: (&'static str, &'static str),
    /// Short and long name of the PTL.
    pub ptl: (&'static str, &'static str),
    /// Marks the thread the WTQ wakes next.
    pub next: &'static str,
    /// Marks the head packet of the IOCQ.
    pub head: &'static str,
    /// The over-limit marker of an RTL.
    pub over_limit: &'static str,
    /// Shown in an empty box.
    pub empty: &'static str,
    /// "step".
    pub step: &'static str,
    /// Shown as the action of index 0.
    pub before: &'static str,
    /// A step with no action.
    pub check_only: &'static str,
    /// The author's note.
    pub note: &'static str,
    /// "result".
    pub result: &'static str,
    /// "rejected".
    pub rejected: &'static str,
    /// "expectation failed".
    pub mismatch: &'static str,
    /// Before and after the scenario's flavour, for an expectation that
    /// does not hold in the other flavour.
    pub differs: (&'static str, &'static str),
    /// "narration".
    pub narration: &'static str,
    /// "threads".
    pub threads: &'static str,
    /// "closed".
    pub closed: &'static str,
    /// "not associated".
    pub not_associated: &'static str,
    /// "port".
    pub port: &'static str,
    /// "key".
    pub key: &'static str,
    /// "pending": a call's result (a get now waiting, an issue left
    /// pending), and a device's pending requests.
    pub pending: &'static str,
    /// "success": a call's result, and a packet's status.
    pub success: &'static str,
    /// "flavour".
    pub flavor: &'static str,
    /// The thread state words, in the order of [`Words::STATE_ORDER`]
    /// (free, running, waiting, paused, exited); read one with
    /// [`Words::state`].
    pub states: [&'static str; 5],
    /// The run stopped early here.
    pub stopped: &'static str,
    /// The help line of the terminal player.
    pub help: &'static str,
    /// The prompt while a step number is typed.
    pub goto: &'static str,
    /// "Legend".
    pub legend: &'static str,
    /// The narration pane has more below (PgDn).
    pub more: &'static str,
    /// The legend entry of a packet delivery.
    pub delivered: &'static str,
    /// The queue-wait mark: a short tag shown next to a marked thread, and
    /// its explanation (legends, tooltips).
    pub mark: (&'static str, &'static str),
    /// The queue-wait mark's name, as the text view writes it after a
    /// marked thread.
    #[serde(skip)]
    pub mark_name: &'static str,
    /// A rejected action changed nothing (text view).
    #[serde(skip)]
    pub unchanged: &'static str,
    /// Before an expectation's value ("expected").
    #[serde(skip)]
    pub expected: &'static str,
    /// Before the value the run had ("actual").
    #[serde(skip)]
    pub actual: &'static str,
    /// A thread's call failed: `T1 failed: WAIT_TIMEOUT` after a step's
    /// result, in every view.
    pub failed: &'static str,
    /// "Port", the title of a port's block in the text view.
    #[serde(skip)]
    pub port_title: &'static str,
    /// A closed port with threads still asleep in its WTQ (Wine).
    #[serde(skip)]
    pub stranded: &'static str,
    /// "concurrency", the port's concurrency value.
    #[serde(skip)]
    pub concurrency: &'static str,
    /// The run header's words for the scenario's keys: flavour, cpus,
    /// ports, threads.
    #[serde(skip)]
    pub header: (&'static str, &'static str, &'static str, &'static str),
    /// "CPUs", after a number of processors.
    #[serde(skip)]
    pub cpus: &'static str,
    /// The summary's title.
    #[serde(skip)]
    pub summary: &'static str,
    /// The summary's words: largest RTL, limit, went over the limit.
    #[serde(skip)]
    pub peak: (&'static str, &'static str, &'static str),
    /// The summary's counters: steps, packets delivered, lost, steps
    /// ending over a limit.
    #[serde(skip)]
    pub counters: (&'static str, &'static str, &'static str, &'static str),
}

impl Words {
    /// The order of [`Words::states`].
    pub const STATE_ORDER: [ThreadStatus; 5] = [
        ThreadStatus::Free,
        ThreadStatus::Running,
        ThreadStatus::Waiting,
        ThreadStatus::Paused,
        ThreadStatus::Exited,
    ];

    /// A packet's status in these words: `success` in the language's
    /// word, an error by its API name.
    pub fn status<'a>(&self, status: &'a str) -> &'a str {
        // Names always call StatusId::SUCCESS "success".
        if status == "success" {
            self.success
        } else {
            status
        }
    }

    /// The word for a thread state.
    pub fn state(&self, status: ThreadStatus) -> &'static str {
        // Exhaustive: a new state does not compile without its word.
        let i = match status {
            ThreadStatus::Free => 0,
            ThreadStatus::Running => 1,
            ThreadStatus::Waiting => 2,
            ThreadStatus::Paused => 3,
            ThreadStatus::Exited => 4,
        };
        self.states[i]
    }
}

/// The words of the terminal player's what-if (its menus and messages).
#[derive(Debug)]
pub struct WhatIfWords {
    /// Title of the list of actions.
    pub actions: &'static str,
    /// Title of the list of goals.
    pub goals: &'static str,
    /// The keys of a menu.
    pub keys: &'static str,
    /// The words of `challenge --solve` ([`GoalWords`]).
    pub goal: GoalWords,
    /// Before the reason a chosen action is refused.
    pub refused: &'static str,
    /// The note of a step the student chose (English, Korean are both
    /// written into a saved branch).
    pub chosen: &'static str,
    /// The goal already holds.
    pub already: &'static str,
    /// Before the number of moves found.
    pub found: (&'static str, &'static str),
    /// Not reachable within the depth searched: before depth, before states.
    pub not_within: (&'static str, &'static str, &'static str),
    /// The search kept too many states.
    pub too_many: (&'static str, &'static str),
    /// The branch was saved: before the path, after it.
    pub saved: (&'static str, &'static str),
    /// Saving failed.
    pub save_failed: &'static str,
    /// Solved: before the moves, before the explorer's shortest.
    pub solved: (&'static str, &'static str),
    /// The explorer finds no answer (said after "shortest").
    pub none: &'static str,
    /// Reached, but with more moves than the budget.
    pub over_budget: &'static str,
    /// The budget is used up without reaching the goal.
    pub used_up: &'static str,
    /// Branching before the challenge's start is not allowed.
    pub before_start: &'static str,
    /// "hint".
    pub hint: &'static str,
}

/// The words of `challenge --solve` (a goal itself is worded by
/// [`crate::narrate::goal`]; its id, `over_limit`, is what files write).
#[derive(Debug)]
pub struct GoalWords {
    /// The "challenge --solve" lines: before the goal, the budget, the
    /// flavour; before the explorer's shortest and the file's.
    pub solve: (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ),
}

/// The words of the players' lesson controls: the two modes of moves,
/// the code pane, the challenge's task, hints and "why not yet" boxes.
#[derive(Debug, serde::Serialize)]
pub struct LessonWords {
    /// The modes' names: scheduler, every call.
    pub modes: (&'static str, &'static str),
    /// The move menu's title in each mode.
    pub menus: (&'static str, &'static str),
    /// Said when the mode changes to scheduler, to every call.
    pub switched: (&'static str, &'static str),
    /// Said when `m` finds only one mode offered.
    pub one_mode: &'static str,
    /// The title of the code pane.
    pub code: &'static str,
    /// The help line of a lesson with programs.
    pub help: &'static str,
    /// The help line of a challenge: before the moves, between moves and budget, the keys.
    pub status: (&'static str, &'static str, &'static str),
    /// The task box's title.
    pub task: &'static str,
    /// Before the goal in words.
    pub goal: &'static str,
    /// Before the budget.
    pub budget: &'static str,
    /// The "why not yet" box's title.
    pub why: &'static str,
    /// The goal holds.
    pub reached: &'static str,
    /// `w` with no goal asked yet.
    pub no_goal: &'static str,
    /// After a move that leaves the goal unreached: how to ask why.
    pub ask_why: &'static str,
    /// At the bottom of a box: any key closes it.
    pub close: &'static str,
    /// Before the explorer's shortest answer from the start.
    pub shortest: &'static str,
}

/// The words of the classroom page's own controls (`export --html`,
/// `course --html`): the index, the language switch.
#[derive(Debug, serde::Serialize)]
pub struct PageWords {
    /// The button that switches to the other language, in that language
    /// ("한국어" on the English page).
    pub switch_lang: &'static str,
    /// The button that opens the course's index.
    pub index: &'static str,
    /// The title of a course's one order when its folder has no `course.json`.
    pub lessons: &'static str,
    /// The heading of a course's challenges.
    pub challenges: &'static str,
    /// The two modes' buttons: scheduler mode, every-call mode.
    pub modes: [&'static str; 2],
    /// The button that downloads the branch as a scenario file.
    pub download: &'static str,
    /// The button that plays the explorer's shortest answer.
    pub explorer: &'static str,
    /// The button that forgets the branch.
    pub reset: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Rule;
    use crate::narrate::{words, Lang};
    use std::collections::BTreeSet;

    /// The position of each rule; exhaustive, so a new rule does not
    /// compile until it is counted here (and named by each language).
    fn rule_index(r: Rule) -> usize {
        match r {
            Rule::Activate => 0,
            Rule::Get => 1,
            Rule::Insert => 2,
            Rule::Block => 3,
            Rule::Unblock => 4,
            Rule::Timeout => 5,
            Rule::Exit => 6,
            Rule::GetEx => 7,
            Rule::ClosePort => 8,
            Rule::Associate => 9,
            Rule::Issue => 10,
            Rule::Complete => 11,
            Rule::CloseDevice => 12,
        }
    }

    fn distinct<'a>(what: &str, lang: Lang, words: impl IntoIterator<Item = &'a str>) {
        let mut seen = BTreeSet::new();
        for w in words {
            assert!(!w.trim().is_empty(), "{lang:?}: an empty {what} word");
            assert!(seen.insert(w), "{lang:?}: {what} {w:?} is named twice");
        }
    }

    #[test]
    fn each_language_names_each_state_exactly_once() {
        for (i, s) in Words::STATE_ORDER.into_iter().enumerate() {
            // `state` and the order agree, so every state has its own slot.
            assert_eq!(
                Words::STATE_ORDER.iter().position(|&t| t == s),
                Some(i),
                "{s:?}"
            );
        }
        for lang in Lang::ALL {
            let w = words(lang);
            for (i, s) in Words::STATE_ORDER.into_iter().enumerate() {
                assert_eq!(w.state(s), w.states[i], "{lang:?} {s:?}");
            }
            distinct("state", lang, Words::STATE_ORDER.map(|s| w.state(s)));
        }
    }

    #[test]
    fn the_paused_state_is_one_word_in_korean() {
        // The glossary (docs/glossary.md) names the PTL 일시 정지 스레드
        // 리스트; the state word, the list and the rule labels of block and
        // unblock share its word (once 멈춤 in some views, 일시 정지 in others).
        let ko = words(Lang::Ko);
        assert_eq!(ko.state(ThreadStatus::Paused), "일시 정지");
        assert!(ko.ptl.1.starts_with(ko.state(ThreadStatus::Paused)));
        assert!(
            crate::narrate::rule_label(crate::model::Rule::Block, Lang::Ko).contains("일시 정지")
        );
        assert!(
            crate::narrate::rule_label(crate::model::Rule::Unblock, Lang::Ko).contains("일시 정지")
        );
        assert_eq!(words(Lang::En).state(ThreadStatus::Paused), "paused");
    }

    #[test]
    fn each_language_names_each_structure_exactly_once() {
        for lang in Lang::ALL {
            let w = words(lang);
            let short = [w.iocq.0, w.wtq.0, w.rtl.0, w.ptl.0];
            let long = [w.device_list, w.iocq.1, w.wtq.1, w.rtl.1, w.ptl.1];
            distinct("structure", lang, short.into_iter().chain(long));
        }
    }

    #[test]
    fn each_language_names_each_rule_exactly_once() {
        assert_eq!(Rule::ALL.len(), 13);
        for (i, r) in Rule::ALL.into_iter().enumerate() {
            assert_eq!(rule_index(r), i, "Rule::ALL lists {r:?} out of place");
        }
        for lang in Lang::ALL {
            let labels: Vec<String> = Rule::ALL
                .into_iter()
                .map(|r| super::super::rule_label(r, lang))
                .collect();
            distinct("rule", lang, labels.iter().map(String::as_str));
        }
    }

    #[test]
    fn the_languages_differ_in_every_word_but_the_abbreviations() {
        let (en, ko) = (words(Lang::En), words(Lang::Ko));
        for s in Words::STATE_ORDER {
            assert_ne!(en.state(s), ko.state(s), "{s:?}");
        }
        assert_eq!((en.iocq.0, en.wtq.0), (ko.iocq.0, ko.wtq.0));
        for (e, k) in [
            (en.device_list, ko.device_list),
            (en.iocq.1, ko.iocq.1),
            (en.ptl.1, ko.ptl.1),
            (en.expected, ko.expected),
            (en.actual, ko.actual),
            (en.key, ko.key),
            (en.header.1, ko.header.1),
            (en.mark_name, ko.mark_name),
        ] {
            assert_ne!(e, k);
        }
    }
}
