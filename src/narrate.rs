//! Narration: what a step did, in sentences for students, naming the rule
//! of the kernel that made it happen. Pure functions from model events to
//! text; every event has a sentence in every language (the match is
//! exhaustive, so a missing one does not compile).

pub mod en;
pub(crate) mod facts;
pub mod ko;
pub mod particle;
mod reasons;
pub mod words;

pub use reasons::{rejection_reason, violation};
pub use words::{GoalWords, LessonWords, PageWords, WhatIfWords, Words};

use crate::goal::Goal;
use crate::model::{
    Action, CallResult, Fired, Flavor, Kernel, MarkChange, Names, Outcome, Packet, Rejection, Rule,
};
use crate::moves::{Check, Line, Miss, Move, Refusal};

/// The words of `lang`.
pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &en::WORDS,
        Lang::Ko => &ko::WORDS,
    }
}

/// The what-if words of `lang`.
pub fn whatif_words(lang: Lang) -> &'static WhatIfWords {
    match lang {
        Lang::En => &en::WHATIF,
        Lang::Ko => &ko::WHATIF,
    }
}

/// The players' lesson words of `lang` (modes, code pane, task, hints, why).
pub fn lesson_words(lang: Lang) -> &'static LessonWords {
    match lang {
        Lang::En => &en::LESSON,
        Lang::Ko => &ko::LESSON,
    }
}

/// The classroom page's words in `lang`.
pub fn page_words(lang: Lang) -> &'static PageWords {
    match lang {
        Lang::En => &en::PAGE,
        Lang::Ko => &ko::PAGE,
    }
}

/// A narration language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Korean (한국어), in the terms of the Korean lecture notes.
    Ko,
}

impl Lang {
    /// Every language, in the order of `--lang`'s help.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ko];

    /// Parses a language code (`"en"`, `"ko"`).
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "ko" => Some(Lang::Ko),
            _ => None,
        }
    }

    /// The language code (`"en"`, `"ko"`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }
}

/// The name of the rule that fired, as shown before its sentence:
/// `"rule 2 (insert)"`, `"activate"`.
pub fn rule_label(rule: Rule, lang: Lang) -> String {
    match lang {
        Lang::En => en::rule_label(rule),
        Lang::Ko => ko::rule_label(rule),
    }
}

/// One sentence for one fired rule, in a kernel of `flavor` (the
/// sentences that speak of Wine name the one the step ran in).
pub fn fired(f: &Fired, names: &Names, flavor: Flavor, lang: Lang) -> String {
    match lang {
        Lang::En => en::fired(f, names, flavor),
        Lang::Ko => ko::fired(f, names, flavor),
    }
}

/// The name of the system a flavour models, as sentences say it:
/// `"Windows"`, `"Wine 8"` (flavour `wine`), `"Wine 10"` (`wine10`).
pub fn flavor_name(flavor: Flavor) -> &'static str {
    match flavor {
        Flavor::Windows => "Windows",
        Flavor::Wine => "Wine 8",
        Flavor::Wine10 => "Wine 10",
    }
}

/// A call's result in words of `lang`: `success` and `pending` in the
/// language's words, an error by its API name (`WAIT_TIMEOUT`).
pub fn result(r: CallResult, lang: Lang) -> &'static str {
    let w = words(lang);
    match r {
        CallResult::Success => w.success,
        CallResult::Pending => w.pending,
        CallResult::Failed(e) => e.name(),
    }
}

/// The explanation of a rejected action.
pub fn rejection(r: &Rejection, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "{} refuses this: {}.",
            r.rule.label(),
            rejection_reason(r, names)
        ),
        Lang::Ko => ko::rejection(r, names),
    }
}

/// A step's action in words: `"T1 calls get on P (timeout infinite)"`.
pub fn action(a: &Action, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en::action(a, names),
        Lang::Ko => ko::action(a, names),
    }
}

/// A packet in words in `lang`: `key 7, 0 bytes, OVERLAPPED ovA, success`.
pub fn packet_in(p: &Packet, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en::packet(p, names),
        Lang::Ko => ko::packet(p, names),
    }
}

// ---- The lesson API's data in words ([`crate::lesson`], [`crate::moves`]).

/// A move offered in a lesson at state `k`, in `lang`.
pub fn lesson_move(mv: &Move, action: &Action, k: &Kernel, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en::lesson_move(mv, action, k, names),
        Lang::Ko => ko::lesson_move(mv, action, k, names),
    }
}

/// A thread's call as its code writes it (`GetQueuedCompletionStatus(P, INFINITE)`).
pub fn call(a: &Action, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en::call(a, names),
        Lang::Ko => ko::call(a, names),
    }
}

/// Why a move cannot be made, in one line.
pub fn refusal(r: &Refusal, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en::refusal(r, names),
        Lang::Ko => ko::refusal(r, names),
    }
}

/// One line of a thread's program, as code.
pub fn line(l: &Line, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en::line(l, names),
        Lang::Ko => ko::line(l, names),
    }
}

/// A challenge's moves used and allowed ("moves 2/4"; no budget: "moves 2/"),
/// the one wording of the terminal player's status line and the page's.
pub fn moves_used(moves: usize, budget: Option<usize>, lang: Lang) -> String {
    let w = lesson_words(lang);
    let budget = budget.map_or(String::new(), |b| b.to_string());
    format!("{}{moves}{}{budget}", w.status.0, w.status.1)
}

/// A goal in words.
pub fn goal(g: &Goal, lang: Lang) -> String {
    match lang {
        Lang::En => en::goal(g),
        Lang::Ko => ko::goal(g),
    }
}

/// One condition of a goal, checked.
pub fn check(c: &Check, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en::check(c, names),
        Lang::Ko => ko::check(c, names),
    }
}

/// Why the last move missed the goal.
pub fn miss(m: &Miss, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en::miss(m, names),
        Lang::Ko => ko::miss(m, names),
    }
}

/// A thread's queue-wait mark set or cleared by a step that did `out`.
pub fn mark(m: &MarkChange, out: &Outcome, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en::mark(m, out, names),
        Lang::Ko => ko::mark(m, out, names),
    }
}

/// The note of step `j` of the explorer's `n`-move answer to `g`.
pub fn explorer_note(g: Goal, j: usize, n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => en::explorer_note(&g, j, n),
        Lang::Ko => ko::explorer_note(&g, j, n),
    }
}

/// The title of a saved branch of a lesson titled `title` (in `lang`).
pub fn branch_title(title: &str, lang: Lang) -> String {
    match lang {
        Lang::En => en::branch_title(title),
        Lang::Ko => ko::branch_title(title),
    }
}

/// The description of a saved branch of `source`.
pub fn branch_description(source: &str, lang: Lang) -> String {
    match lang {
        Lang::En => en::branch_description(source),
        Lang::Ko => ko::branch_description(source),
    }
}
