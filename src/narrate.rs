//! Narration: what a step did, in sentences for students, naming the rule
//! of the kernel that made it happen. Pure functions from model events to
//! text; every event has a sentence in every language (the match is
//! exhaustive, so a missing one does not compile).

pub mod en;
pub(crate) mod facts;
pub mod ko;
mod reasons;
pub mod words;

pub use reasons::{rejection_reason, violation};
pub use words::{PageWords, WhatIfWords, Words};

use crate::model::{Action, Fired, Names, Packet, Rejection, Rule};

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

/// One sentence for one fired rule.
pub fn fired(f: &Fired, names: &Names, lang: Lang) -> String {
    match lang {
        Lang::En => en::fired(f, names),
        Lang::Ko => ko::fired(f, names),
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
