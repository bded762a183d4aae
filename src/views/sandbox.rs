//! The browser sandbox (`iocp-sim serve`): the HTML player, served on
//! localhost, where the student chooses the next action at any step. The
//! page holds no rules: it sends the moves chosen so far and draws what
//! [`answer`] sends back, which the lesson API computes ([`Lesson`]: the
//! model decides validity, the branch is replayed) and [`narrate`] words.

use serde::Serialize;

use super::frame::Show;
use super::html;
use crate::lesson::{Lesson, Mode};
use crate::model::Flavor;
use crate::narrate::{self, whatif_words, words, Lang, Words};
use crate::scenario::Scenario;

/// One action offered at the step shown.
#[derive(Debug, Serialize)]
pub struct Choice {
    /// The action in words.
    pub text: String,
    /// Why the model refuses it, if it does.
    pub refused: Option<String>,
}

/// What the page receives after each move.
#[derive(Debug, Serialize)]
pub struct Answer {
    /// The scenario's title in the language asked for.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// `"en"` or `"ko"`.
    pub lang: &'static str,
    /// `"windows"` or `"wine"`.
    pub flavor: &'static str,
    /// The branch's recorded run.
    pub show: Show,
    /// The frame to show (the step the last move made).
    pub index: usize,
    /// The actions offered there.
    pub choices: Vec<Choice>,
    /// The branch as a scenario file (for download).
    pub branch: String,
    /// A move that could not be replayed, and why.
    pub error: Option<String>,
    /// The fixed words of the views in that language.
    pub words: &'static Words,
    /// The sandbox's own words in that language.
    pub labels: Labels,
}

/// The sandbox panel's words.
#[derive(Debug, Serialize)]
pub struct Labels {
    /// Above the list of actions.
    pub heading: &'static str,
    /// The download link.
    pub download: &'static str,
    /// The button that switches language.
    pub other_lang: &'static str,
    /// Before the reason of a refused action.
    pub refused: &'static str,
}

fn labels(lang: Lang) -> Labels {
    let w = whatif_words(lang);
    match lang {
        Lang::En => Labels {
            heading: w.actions.trim(),
            download: "download this branch as a scenario",
            other_lang: "한국어",
            refused: w.refused,
        },
        Lang::Ko => Labels {
            heading: w.actions.trim(),
            download: "이 갈래를 시나리오 파일로 내려받기",
            other_lang: "English",
            refused: w.refused,
        },
    }
}

/// A query's moves: `at:choice` pairs, `3:5,4:1` (at frame 3 take the
/// choice numbered 5, then at frame 4 the choice numbered 1; 0-based).
fn moves(s: &str) -> Result<Vec<(usize, usize)>, String> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split(',')
        .take(10_000)
        .map(|m| {
            let (a, c) = m
                .split_once(':')
                .ok_or_else(|| format!("move {m:?} is not AT:CHOICE"))?;
            let n = |x: &str| {
                x.parse::<usize>()
                    .map_err(|_| format!("move {m:?} is not AT:CHOICE"))
            };
            Ok((n(a)?, n(c)?))
        })
        .collect()
}

/// The value of `key` in a query string (`a=1&b=2`), percent-decoding not
/// needed for the values used here.
fn param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// A query the sandbox cannot answer (an unknown flavour or language, a
/// malformed move or step); the message says which.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError(String);

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for QueryError {}

/// Replays the moves of `query` (`moves=..&flavor=..&lang=..`, and
/// `at=N` to show step N rather than the last move's) on `scenario` and
/// answers with the branch and the choices at the step shown. The moves
/// and their refusals come from the lesson API ([`Lesson::moves`], every-call
/// mode), their words from [`narrate`]. A move the model refuses stops
/// the replay; the answer says why.
pub fn answer(scenario: &Scenario, default: Flavor, query: &str) -> Result<Answer, QueryError> {
    let flavor = match param(query, "flavor") {
        None => default,
        Some(f) => Flavor::parse(f).ok_or_else(|| QueryError(format!("unknown flavour {f:?}")))?,
    };
    let lang = match param(query, "lang") {
        None => Lang::En,
        Some(l) => Lang::parse(l).ok_or_else(|| QueryError(format!("unknown language {l:?}")))?,
    };
    let moves = moves(param(query, "moves").unwrap_or("")).map_err(QueryError)?;
    let mut lesson = Lesson::with_flavor(scenario.clone(), flavor);
    let mut index = 0;
    let mut error = None;
    for (at, choice) in moves {
        if at > lesson.last() {
            error = Some(format!("step {at} is past the end ({})", lesson.last()));
            break;
        }
        let offered = lesson.moves(at, Mode::EveryCall);
        let Some(c) = offered.get(choice) else {
            error = Some(format!(
                "there is no choice {choice} at step {at} ({} offered)",
                offered.len()
            ));
            break;
        };
        match lesson.play(at, c.mv) {
            Ok(played) => index = played.at,
            Err(r) => {
                error = Some(format!(
                    "{}: {}",
                    whatif_words(lang).refused,
                    narrate::refusal(&r, lesson.names(), lang)
                ));
                index = at;
                break;
            }
        }
    }
    if error.is_none() {
        if let Some(at) = param(query, "at") {
            let at: usize = at
                .parse()
                .map_err(|_| QueryError(format!("at={at:?} is not a step")))?;
            index = at.min(lesson.last());
        }
    }
    let k = lesson.state(index);
    let choices = lesson
        .moves(index, Mode::EveryCall)
        .iter()
        .map(|c| Choice {
            text: narrate::lesson_move(&c.mv, &c.action, &k, lesson.names(), lang),
            refused: c
                .refusal
                .map(|r| narrate::refusal(&r, lesson.names(), lang)),
        })
        .collect();
    let show = Show::from_trace(lesson.scenario(), lesson.trace(), lang);
    Ok(Answer {
        title: show.title.clone(),
        description: show.description.clone(),
        lang: lang.code(),
        flavor: flavor.as_str(),
        index,
        show,
        choices,
        branch: lesson.branch_json(),
        error,
        words: words(lang),
        labels: labels(lang),
    })
}

/// The served page: the HTML player with the sandbox switched on, allowed
/// to ask its own server (and nothing else).
pub fn page(scenario: &Scenario, flavor: Flavor, lang: Lang) -> String {
    html::page(scenario, flavor, lang)
        .replacen(
            "default-src 'none';",
            "default-src 'none'; connect-src 'self';",
            1,
        )
        .replacen(
            "<body data-errors=\"0\">",
            "<body data-errors=\"0\" data-sandbox=\"1\">",
            1,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_parse_and_refuse_garbage() {
        assert_eq!(moves(""), Ok(vec![]));
        assert_eq!(moves("3:5,4:1"), Ok(vec![(3, 5), (4, 1)]));
        assert!(moves("3-5").unwrap_err().contains("AT:CHOICE"));
        assert!(moves("a:1").is_err());
        assert_eq!(param("moves=1:2&lang=ko", "lang"), Some("ko"));
    }

    #[test]
    fn a_bad_query_is_a_typed_error_with_its_reason() {
        let sc = crate::scenario::load_str(
            "t.json",
            r#"{"format": "iocp-sim/1", "title": "t", "ports": [{"id": "P", "concurrency": 1}], "threads": ["T1"], "steps": []}"#,
        )
        .expect("scenario");
        let e = |q| answer(&sc, Flavor::Windows, q).unwrap_err().to_string();
        assert_eq!(e("flavor=linux"), "unknown flavour \"linux\"");
        assert_eq!(e("lang=fr"), "unknown language \"fr\"");
        assert_eq!(e("moves=x"), "move \"x\" is not AT:CHOICE");
        assert_eq!(e("at=z"), "at=\"z\" is not a step");
    }
}
