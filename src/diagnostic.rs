//! Diagnostics a teacher can act on: the offending source line with a caret
//! under the position, and "did you mean ...?" when an unknown key, op or
//! name is close to a known one.
//!
//! The one-line form of every error (its `Display`) stays the form for
//! scripts; [`render`] is the long form, for people (the command uses it
//! when standard error is a terminal).

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use crate::scenario::ScenarioError;

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a likely typo (at most one edit for short words, a third of the
/// word's length for longer ones) and is not `word` itself.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    let mut tie = false;
    for c in candidates.into_iter().filter(|c| *c != word) {
        let d = edit_distance(word, c);
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tie = true,
            _ => {
                best = Some((d, c));
                tie = false;
            }
        }
    }
    // Two equally close candidates: no guess is better than a wrong one.
    best.filter(|&(d, _)| d <= limit && !tie).map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let swap = prev[j] + usize::from(ca != cb);
            cur[j + 1] = swap.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The unknown word a message names and the words it lists as known:
/// serde's `unknown field `expcet`, expected one of `op`, `expect``, and
/// the scenario reader's `unknown thread "T9" (declared: T1, T2)`.
fn unknown_and_known(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = &message[message.find("unknown ")? + "unknown ".len()..];
    let (_kind, rest) = rest.split_once([' ', '`', '"'])?;
    let rest = rest.trim_start_matches(['`', '"']);
    let word = rest.split(['`', '"']).next()?;
    let known = if let Some((_, list)) = rest.split_once("expected one of ") {
        list.split('`').skip(1).step_by(2).collect()
    } else if let Some((_, list)) = rest.split_once("(declared: ") {
        list.trim_end_matches(')').split(", ").collect()
    } else {
        Vec::new()
    };
    Some((word, known))
}

/// "did you mean `X`?" for a message naming an unknown field, variant (an
/// op, a flavour) or id, when one of the words it lists is close.
pub fn hint(message: &str) -> Option<String> {
    let (word, known) = unknown_and_known(message)?;
    did_you_mean(word, known).map(|m| format!("did you mean `{m}`?"))
}

/// The long form of a scenario error for people: for a mistake at a line
/// and column, the line with a caret under it (`text` is the file's
/// contents, if it could be read); then a hint when a known word is close
/// to an unknown one. Otherwise the one-line form and the hint.
pub fn scenario(e: &ScenarioError, text: Option<&str>) -> String {
    let hint = match e {
        ScenarioError::Json { message, .. }
        | ScenarioError::World { message, .. }
        | ScenarioError::Step { message, .. }
        | ScenarioError::Io { message, .. } => hint(message),
    };
    if let (
        ScenarioError::Json {
            path,
            line,
            column,
            step,
            message,
        },
        Some(text),
    ) = (e, text)
    {
        let message = match step {
            Some(n) => format!("step {n}: {message}"),
            None => message.clone(),
        };
        return render(path, text, *line, *column, &message, hint.as_deref());
    }
    match hint {
        Some(h) => format!("error: {e}\n  help: {h}"),
        None => format!("error: {e}"),
    }
}

/// The byte range in `text` to underline for a 1-based `line` and
/// `column`: the quoted word `word` on that line if it is there, else the
/// character at the column (the line's end if the column is past it).
fn span(text: &str, line: usize, column: usize, word: Option<&str>) -> Option<Range<usize>> {
    let mut start = 0;
    let mut lines = text.split_inclusive('\n');
    for _ in 1..line {
        start += lines.next()?.len();
    }
    let body = lines.next()?.trim_end_matches(['\n', '\r']);
    if let Some(w) = word {
        let quoted = format!("\"{w}\"");
        if let Some(i) = body.find(&quoted) {
            return Some(start + i..start + i + quoted.len());
        }
    }
    // The character at the column, or the line's last one; none on an empty line.
    let (at, c) = body
        .char_indices()
        .nth(column.saturating_sub(1))
        .or_else(|| body.char_indices().last())?;
    Some(start + at..start + at + c.len_utf8())
}

/// The long form of an error at `line`:`column` (1-based) of `text`, the
/// contents of `path`: the message, the line with a caret under the
/// position, and a hint if there is one. Falls back to `path:line:column:
/// message` when the position is not in the text.
pub fn render(
    path: &str,
    text: &str,
    line: usize,
    column: usize,
    message: &str,
    hint: Option<&str>,
) -> String {
    let word = unknown_and_known(message).map(|(w, _)| w);
    let Some(range) = span(text, line, column, word) else {
        return format!("{path}:{line}:{column}: {message}");
    };
    let snippet = Snippet::source(text).path(path).annotation(
        AnnotationKind::Primary
            .span(range)
            .label(hint.unwrap_or("")),
    );
    let report = [Level::ERROR.primary_title(message).element(snippet)];
    Renderer::plain().render(&report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_words_are_suggested_and_far_ones_are_not() {
        let keys = ["op", "thread", "port", "expect", "note"];
        assert_eq!(did_you_mean("expcet", keys), Some("expect"));
        assert_eq!(did_you_mean("thred", keys), Some("thread"));
        assert_eq!(did_you_mean("prt", keys), Some("port"));
        assert_eq!(did_you_mean("wombat", keys), None);
        assert_eq!(
            did_you_mean("port", keys),
            None,
            "an exact word is not a typo"
        );
    }

    #[test]
    fn serde_messages_give_a_hint_from_their_own_list() {
        let m = "unknown field `expcet`, expected one of `op`, `thread`, `expect`, `note`";
        assert_eq!(hint(m).as_deref(), Some("did you mean `expect`?"));
        let m = "step 1: unknown variant `gett`, expected one of `get`, `post`";
        assert_eq!(hint(m).as_deref(), Some("did you mean `get`?"));
        let m = "unknown thread \"T9\" (declared: T1, T2)";
        assert_eq!(hint(m), None, "T1 and T2 are equally close");
        let m = "unknown thread \"Worker2\" (declared: Worker1, Main)";
        assert_eq!(hint(m).as_deref(), Some("did you mean `Worker1`?"));
        assert_eq!(hint("missing field `title`"), None);
    }

    #[test]
    fn the_offending_line_is_shown_with_a_caret_under_the_word() {
        let text = "{\n  \"steps\": [\n    {\"op\": \"get\", \"expcet\": {}}\n  ]\n}\n";
        let m = "unknown field `expcet`, expected one of `op`, `expect`";
        let out = render("lesson.json", text, 3, 34, m, hint(m).as_deref());
        assert!(out.starts_with(&format!("error: {m}\n")), "{out}");
        assert!(out.contains("--> lesson.json:3:19"), "{out}");
        assert!(
            out.contains("3 |     {\"op\": \"get\", \"expcet\": {}}"),
            "{out}"
        );
        assert!(
            out.contains("  |                   ^^^^^^^^ did you mean `expect`?"),
            "{out}"
        );
    }

    #[test]
    fn scenario_errors_get_their_long_form() {
        let text = "{\n  \"op\": \"gett\"\n}\n";
        let e = ScenarioError::Json {
            path: "l.json".into(),
            line: 2,
            column: 14,
            step: Some(1),
            message: "unknown variant `gett`, expected one of `get`, `post`".into(),
        };
        let long = scenario(&e, Some(text));
        assert!(
            long.starts_with("error: step 1: unknown variant `gett`"),
            "{long}"
        );
        assert!(long.contains("2 |   \"op\": \"gett\""), "{long}");
        assert!(long.contains("^^^^^^ did you mean `get`?"), "{long}");
        assert_eq!(
            scenario(&e, None),
            format!("error: {e}\n  help: did you mean `get`?")
        );
        let e = ScenarioError::World {
            path: "l.json".into(),
            message: "missing field `title`".into(),
        };
        assert_eq!(scenario(&e, Some(text)), format!("error: {e}"));
    }

    #[test]
    fn a_position_past_the_text_falls_back_to_one_line() {
        for (text, line, column) in [("{}\n", 9, 1), ("{}\n", 2, 1), ("{\n\n}", 2, 5), ("", 1, 1)] {
            let out = render("f.json", text, line, column, "boom", None);
            assert_eq!(out, format!("f.json:{line}:{column}: boom"), "{text:?}");
        }
        let out = render("f.json", "{}", 1, 40, "boom", None);
        assert!(
            out.contains("1 | {}"),
            "a column past the end marks the last character: {out}"
        );
    }
}
