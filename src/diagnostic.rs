//! Diagnostics a teacher can act on: the offending source line with a caret
//! under the position, and "did you mean ...?" when an unknown key, op or
//! name is close to a known one.
//!
//! The one-line form of every error (its `Display`) stays the form for
//! scripts; the long form, for people, is [`scenario`] (scenario and
//! challenge files), [`explore_spec`] (explore specs: the value at the
//! error's JSON path) and [`lab_config`] (lab configurations, TOML), all
//! drawn by one renderer (the command uses them when standard error is a
//! terminal).
//!
//! What is shown comes from the error's data: its position, and for "did
//! you mean" the [`Unknown`] word it carries with the known ones. No
//! message is read back here (`layering::diagnostics_read_no_message_text`
//! keeps it so): an error that names a word without carrying it gets no
//! hint, whatever its words say.

use std::ops::Range;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use crate::escape;
use crate::explore::SpecError;
use crate::lab::ConfigError;
use crate::scenario::{Problem, ScenarioError};
use crate::unknown::Unknown;

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

/// Edit distance over characters, counting a swap of two neighbours
/// (`retyr` for `retry`) as one edit, as typing mistakes go (the optimal
/// string alignment distance).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back (for swaps), the previous one and the current one.
    let mut back: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 0..a.len() {
        cur[0] = i + 1;
        for j in 0..b.len() {
            let change = prev[j] + usize::from(a[i] != b[j]);
            let mut d = change.min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                d = d.min(back[j - 1] + 1);
            }
            cur[j + 1] = d;
        }
        std::mem::swap(&mut back, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// "did you mean `X`?" when one of the words `unknown` lists as known is
/// close to its word.
pub fn hint(unknown: &Unknown) -> Option<String> {
    did_you_mean(&unknown.word, unknown.known.iter().map(String::as_str))
        .map(|m| format!("did you mean `{m}`?"))
}

/// The long form of a scenario error for people: for a mistake at a line
/// and column, the line with a caret under it (`text` is the file's
/// contents, if it could be read); then a hint when a known word is close
/// to the unknown one the error names. Otherwise the one-line form and the
/// hint.
pub fn scenario(e: &ScenarioError, text: Option<&str>) -> String {
    let unknown = e.problem().and_then(Problem::unknown);
    let hint = unknown.and_then(hint);
    if let (
        ScenarioError::Json {
            path,
            line,
            column,
            step,
            problem,
        },
        Some(text),
    ) = (e, text)
    {
        let message = match step {
            Some(n) => format!("step {n}: {problem}"),
            None => problem.to_string(),
        };
        let word = unknown.map(|u| u.word.as_str());
        return render(path, text, *line, *column, &message, word, hint.as_deref());
    }
    // A step's unknown id (a thread, port, device or label): the caret
    // under the word in that step's JSON (the error's JSON path).
    if let (
        ScenarioError::Step {
            path,
            step,
            op,
            problem,
        },
        Some(text),
        Some(u),
    ) = (e, text, unknown)
    {
        let at = e
            .json_path()
            .and_then(|at| json_path_span(text, &at))
            .and_then(|r| quoted_value(text, r, &u.word));
        if let Some(r) = at {
            let message = match op {
                Some(op) => format!("step {step} ({op}): {problem}"),
                None => format!("step {step}: {problem}"),
            };
            return snippet(path, text, r, &message, hint.as_deref());
        }
    }
    one_line(e, hint.as_deref())
}

/// The range of the first string value `"word"` (quotes included, not a
/// key) within `within` of `text`.
fn quoted_value(text: &str, within: Range<usize>, word: &str) -> Option<Range<usize>> {
    let quoted = format!("\"{word}\"");
    let part = text.get(within.clone())?;
    let mut from = 0;
    while let Some(i) = part[from..].find(&quoted) {
        let start = from + i;
        let end = start + quoted.len();
        if !part[end..].trim_start().starts_with(':') {
            return Some(within.start + start..within.start + end);
        }
        from = end;
    }
    None
}

/// The long form of a mistake in an explore spec (`path` names the file,
/// `text` is its contents): the value at fault (found from the error's
/// JSON path, such as `threads[1].get.port`, or its line and column) with
/// a caret under it, and "did you mean" when the spec declares a close
/// name. Falls back to `path: ` and the one-line form.
pub fn explore_spec(e: &SpecError, path: &str, text: &str) -> String {
    let word = e.unknown.as_ref().map(|u| u.word.as_str());
    let (range, message) = match e.position {
        Some((line, column)) => (span(text, line, column, word), e.message.clone()),
        None => (json_path_span(text, &e.at), e.to_string()),
    };
    let hint = e.unknown.as_ref().and_then(hint);
    match range {
        Some(r) => snippet(path, text, r, &message, hint.as_deref()),
        None => one_line(format_args!("{path}: {e}"), hint.as_deref()),
    }
}

/// The long form of a mistake in a lab configuration (`text` is the
/// contents of the file the error names, if it could be read): the line
/// with a caret under the key or value at fault, and "did you mean" for an
/// unknown key, policy, distribution, process or swept key.
pub fn lab_config(e: &ConfigError, text: Option<&str>) -> String {
    let hint = e.unknown.as_deref().and_then(hint);
    let message = e.reason();
    let range = text
        .zip(e.line)
        .and_then(|(text, line)| span(text, line, e.column.unwrap_or(1), None));
    match (range, text) {
        (Some(r), Some(text)) => snippet(&e.file, text, r, &message, hint.as_deref()),
        _ => one_line(e, hint.as_deref()),
    }
}

/// The one-line form of an error, as a long form without a source line:
/// `error: ...` and the hint below it, if any.
fn one_line(e: impl std::fmt::Display, hint: Option<&str>) -> String {
    escape::terminal_owned(match hint {
        Some(h) => format!("error: {e}\n  help: {h}"),
        None => format!("error: {e}"),
    })
}

/// The byte range in `text` to underline for a 1-based `line` and
/// `column`: the quoted word `word` on that line if it is there, else the
/// token (a quoted string, or a run of letters, digits, `_`, `-` and `.`)
/// starting at the column, else the character at the column (the line's
/// end if the column is past it).
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
    let token = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    let rest = &body[at..];
    let len = if c == '"' {
        rest[1..].find('"').map_or(1, |i| i + 2)
    } else if token(c) {
        rest.find(|c| !token(c)).unwrap_or(rest.len())
    } else {
        c.len_utf8()
    };
    Some(start + at..start + at + len)
}

/// The long form of an error at `line`:`column` (1-based) of `text`, the
/// contents of `path`: the message, the line with a caret under the
/// position (under the quoted `word` if it is on that line), and a hint if
/// there is one. Falls back to `path:line:column: message` when the
/// position is not in the text.
pub fn render(
    path: &str,
    text: &str,
    line: usize,
    column: usize,
    message: &str,
    word: Option<&str>,
    hint: Option<&str>,
) -> String {
    match span(text, line, column, word) {
        Some(range) => snippet(path, text, range, message, hint),
        None => escape::terminal_owned(format!("{path}:{line}:{column}: {message}")),
    }
}

/// The one renderer: `message`, then the source line(s) of `range` in
/// `text` (the contents of `path`) with a caret under it, labelled with
/// the hint. A range over several lines is cut at the end of its first.
fn snippet(
    path: &str,
    text: &str,
    range: Range<usize>,
    message: &str,
    hint: Option<&str>,
) -> String {
    // On character boundaries, at least one character long (none at the
    // very end), and no further than the end of its first line.
    let mut start = (0..=range.start.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    // Not inside the line's leading whitespace when the line has more: the
    // renderer trims that whitespace from long lines and its width
    // arithmetic overflows when the caret is in it (found by fuzzing:
    // fuzz/regressions/explore_spec/diagnostic-carriage-returns.json).
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    if let Some(i) = text[line_start..line_end].find(|c: char| !c.is_whitespace()) {
        start = start.max(line_start + i);
    }
    let mut end = range.end.max(start + 1).min(line_end).max(start);
    while !text.is_char_boundary(end) {
        end += 1;
    }
    // Everything shown is escaped for the terminal. The source line is
    // escaped before its layout, so the caret moves with the escapes; the
    // position named stays the file's own column.
    let line = text[line_start..line_end].trim_end_matches('\r');
    let shown = escape::terminal(line);
    let at = |i: usize| escape::terminal_offset(line, (i - line_start).min(line.len()));
    let number = text[..line_start].matches('\n').count() + 1;
    let path = escape::terminal(path);
    let snippet = Snippet::source(&*shown)
        .line_start(number)
        .path(&*path)
        .annotation(
            AnnotationKind::Primary
                .span(at(start)..at(end))
                .label(escape::terminal(hint.unwrap_or(""))),
        );
    let report = [Level::ERROR
        .primary_title(escape::terminal(message))
        .element(snippet)];
    let out = Renderer::plain().render(&report);
    let column = text[line_start..start].chars().count() + 1;
    let shown_column = shown[..at(start)].chars().count() + 1;
    if column == shown_column {
        return out;
    }
    out.replacen(
        &format!("{path}:{number}:{shown_column}"),
        &format!("{path}:{number}:{column}"),
        1,
    )
}

/// The byte range of the value at a JSON path such as
/// `environment.posts[0].port` or `threads` in the JSON `text`; for a path
/// that goes deeper than the text, the deepest value found. `None` if the
/// text is not JSON or the path is malformed.
fn json_path_span(text: &str, path: &str) -> Option<Range<usize>> {
    let mut s = Scan {
        b: text.as_bytes(),
        i: 0,
    };
    s.ws();
    let mut found = s.i..s.clone().skip_value()?;
    for part in path.split('.') {
        // `name`, `name[i]` or `name[i][j]`: a key, then indices.
        let mut pieces = part.split('[');
        let mut segs: Vec<Result<&str, usize>> = vec![Ok(pieces.next()?)];
        for ix in pieces {
            segs.push(Err(ix.strip_suffix(']')?.parse().ok()?));
        }
        for seg in segs {
            let here = match seg {
                Ok(k) => s.member(k),
                Err(n) => s.element(n),
            };
            let Some(start) = here else {
                return Some(found);
            };
            found = start..s.clone().skip_value()?;
        }
    }
    Some(found)
}

/// A position in JSON text, for [`json_path_span`]; every step moves
/// forward, so a scan ends on any input.
#[derive(Clone)]
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.b.get(self.i) == Some(&c)).then(|| self.i += 1)
    }

    /// Skips a string starting at the cursor; returns its contents' range.
    fn string(&mut self) -> Option<Range<usize>> {
        self.eat(b'"')?;
        let start = self.i;
        loop {
            match self.b.get(self.i)? {
                b'\\' => self.i += 2,
                b'"' => break,
                _ => self.i += 1,
            }
        }
        self.i += 1;
        Some(start..self.i - 1)
    }

    /// Skips the value at the cursor; returns where it ends.
    fn skip_value(&mut self) -> Option<usize> {
        self.ws();
        match self.b.get(self.i)? {
            b'"' => {
                self.string()?;
            }
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.b.get(self.i)? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => depth -= 1,
                        _ => {}
                    }
                    self.i += 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            _ => {
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    self.i += 1;
                }
            }
        }
        Some(self.i)
    }

    /// Moves into the object at the cursor to the value of `key`; returns
    /// where that value starts.
    fn member(&mut self, key: &str) -> Option<usize> {
        self.eat(b'{')?;
        loop {
            let k = self.string()?;
            self.eat(b':')?;
            self.ws();
            if &self.b[k] == key.as_bytes() {
                return Some(self.i);
            }
            self.skip_value()?;
            self.eat(b',')?;
        }
    }

    /// Moves into the array at the cursor to its element `n` (from 0);
    /// returns where it starts.
    fn element(&mut self, n: usize) -> Option<usize> {
        self.eat(b'[')?;
        for _ in 0..n {
            self.skip_value()?;
            self.eat(b',')?;
        }
        self.ws();
        Some(self.i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unknown id in a step has its caret under the word in that step
    /// (the error carries the step's number and the word, not a position),
    /// and "did you mean" from the ids declared.
    #[test]
    fn a_steps_unknown_id_is_shown_under_the_caret() {
        let text = "{\n  \"format\": \"iocp-sim/1\", \"title\": \"t\",\n  \"ports\": [{ \"id\": \"P\", \"concurrency\": 1 }],\n  \"threads\": [\"T1\", \"T2\"],\n  \"steps\": [\n    { \"op\": \"get\", \"thread\": \"T1\", \"port\": \"P\", \"note\": \"T11\" },\n    { \"op\": \"get\", \"thread\": \"T11\", \"port\": \"P\" }\n  ]\n}\n";
        let e = crate::scenario::load_str("l.json", text).unwrap_err();
        let out = scenario(&e, Some(text));
        assert!(out.contains("--> l.json:7:30"), "{out}");
        assert!(
            out.contains(r#"7 |     { "op": "get", "thread": "T11", "port": "P" }"#),
            "{out}"
        );
        assert!(
            out.contains("  |                              ^^^^^ did you mean `T1`?"),
            "{out}"
        );
        // Without the text, the one line.
        assert!(!scenario(&e, None).contains("-->"));
    }

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
    fn a_hint_comes_from_the_known_words_of_the_data() {
        let u = |w: &str, known: &[&str]| Unknown::new(w, known.iter().copied());
        let keys = ["op", "thread", "expect", "note"];
        assert_eq!(
            hint(&u("expcet", &keys)).as_deref(),
            Some("did you mean `expect`?")
        );
        assert_eq!(
            hint(&u("T9", &["T1", "T2"])),
            None,
            "T1 and T2 are equally close"
        );
        assert_eq!(
            hint(&u("Worker2", &["Worker1", "Main"])).as_deref(),
            Some("did you mean `Worker1`?")
        );
        assert_eq!(
            hint(&u("lifp", &["lifo", "fifo-limited", "wine"])).as_deref(),
            Some("did you mean `lifo`?")
        );
        assert_eq!(hint(&u("wombat", &keys)), None);
    }

    /// The words of an error are never read for a hint: an error that
    /// says "unknown" without carrying the word gets none, and one that
    /// carries it gets one whatever it says.
    #[test]
    fn hints_come_from_data_not_from_words() {
        let says_unknown = ScenarioError::World {
            path: "l.json".into(),
            problem: Problem::Invalid(
                "unknown thread \"Worker2\" (declared: Worker1, Main)".into(),
            ),
        };
        assert_eq!(
            scenario(&says_unknown, None),
            format!("error: {says_unknown}")
        );
        let carries = ScenarioError::World {
            path: "l.json".into(),
            problem: Problem::Json {
                message: "nothing to see".into(),
                unknown: Some(Box::new(Unknown::new("Worker2", ["Worker1", "Main"]))),
            },
        };
        assert_eq!(
            scenario(&carries, None),
            "error: l.json: nothing to see\n  help: did you mean `Worker1`?"
        );
    }

    #[test]
    fn the_offending_line_is_shown_with_a_caret_under_the_word() {
        let text = "{\n  \"steps\": [\n    {\"op\": \"get\", \"expcet\": {}}\n  ]\n}\n";
        let m = "unknown field `expcet`, expected one of `op`, `expect`";
        let h = hint(&Unknown::new("expcet", ["op", "expect"]));
        let out = render("lesson.json", text, 3, 34, m, Some("expcet"), h.as_deref());
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
    fn a_line_with_controls_is_shown_escaped_with_the_caret_under_the_word() {
        // A C1 CSI and a right-to-left override before the word, a CRLF
        // line end after it, controls in the path: the escapes are shown,
        // the caret follows them, and the position named is the file's own.
        let text = "{\r\n  \"t\": \"\u{9b}2J\u{202e}\", \"expcet\": {}\r\n}\r\n";
        let m = "unknown field `expcet`, expected one of `op`, `expect`";
        let u = Unknown::new("expcet", ["op", "expect"]);
        let out = render(
            "l\u{1b}[2J.json",
            text,
            2,
            16,
            m,
            Some("expcet"),
            hint(&u).as_deref(),
        );
        assert_eq!(crate::escape::terminal(&out), out.as_str(), "{out}");
        assert!(out.contains("--> l\\u{1b}[2J.json:2:16"), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.contains("\"expcet\""))
            .expect("the line");
        assert!(
            lines[at].ends_with(r#"  "t": "\u{9b}2J\u{202e}", "expcet": {}"#),
            "{out}"
        );
        assert_eq!(
            lines[at].find("\"expcet\""),
            lines[at + 1].find('^'),
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
            problem: Problem::json("unknown variant `gett`, expected one of `get`, `post`".into()),
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
            problem: Problem::json("missing field `title`".into()),
        };
        assert_eq!(scenario(&e, Some(text)), format!("error: {e}"));
    }

    #[test]
    fn a_position_past_the_text_falls_back_to_one_line() {
        for (text, line, column) in [("{}\n", 9, 1), ("{}\n", 2, 1), ("{\n\n}", 2, 5), ("", 1, 1)] {
            let out = render("f.json", text, line, column, "boom", None, None);
            assert_eq!(out, format!("f.json:{line}:{column}: boom"), "{text:?}");
        }
        let out = render("f.json", "{}", 1, 40, "boom", None, None);
        assert!(
            out.contains("1 | {}"),
            "a column past the end marks the last character: {out}"
        );
    }

    #[test]
    fn a_swap_of_neighbours_is_one_edit() {
        assert_eq!(edit_distance("retyr", "retry"), 1);
        assert_eq!(edit_distance("expcet", "expect"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(did_you_mean("retyr", ["retry", "exit"]), Some("retry"));
    }

    const SPEC: &str = "{\n  \"ports\": [{\"id\": \"P\", \"n\": 1}],\n  \"threads\": [\n    {\"id\": \"A\", \"get\": {\"port\": \"P\"}},\n    {\"id\": \"B\", \"get\": {\"port\": \"Q\", \"t\": [1, [2, 3]]}}\n  ],\n  \"e\": {\"close\": [\"P\", \"X\"]}\n}\n";

    #[test]
    fn a_json_path_finds_its_value() {
        let at = |path| json_path_span(SPEC, path).map(|r| &SPEC[r]);
        assert_eq!(at("threads[1].get.port"), Some("\"Q\""));
        assert_eq!(at("threads[0].id"), Some("\"A\""));
        assert_eq!(at("ports[0].n"), Some("1"));
        assert_eq!(at("e.close[1]"), Some("\"X\""));
        assert_eq!(at("threads[1].get.t[1][0]"), Some("2"));
        assert_eq!(at("threads[1].get.t[1]"), Some("[2, 3]"));
        // Deeper than the text: the deepest value found.
        assert_eq!(at("e.close[5]"), Some("[\"P\", \"X\"]"));
        assert_eq!(at("threads[0].get.batch"), Some("{\"port\": \"P\"}"));
        assert_eq!(at("ports[0"), None, "a malformed path");
    }

    #[test]
    fn a_json_path_in_broken_text_ends_without_a_panic() {
        let paths = ["threads[1].get.port", "e.close[1]", "ports", "x[3][2]"];
        for end in 0..=SPEC.len() {
            for path in paths {
                if let Some(r) = json_path_span(&SPEC[..end], path) {
                    assert!(r.start <= r.end && r.end <= end, "{end} {path}");
                }
            }
        }
        for text in [
            "",
            "\"",
            "\"\\",
            "[[[[",
            "]]]",
            "{\"a\":",
            "{\"a\" 1}",
            "nul",
        ] {
            let _ = json_path_span(text, "a[0].b");
        }
    }

    #[test]
    fn explore_spec_errors_point_at_the_value_of_their_path() {
        let text = "{\"format\": \"iocp-sim-explore/1\", \"title\": \"t\",\n \"ports\": [{\"id\": \"P\", \"concurrency\": 1}],\n \"threads\": [{\"id\": \"A\", \"get\": {\"port\": \"Q\"}}]}";
        let e = crate::explore::parse(text).unwrap_err();
        assert_eq!(e.at, "threads[0].get.port");
        let long = explore_spec(&e, "s.json", text);
        assert!(
            long.starts_with("error: threads[0].get.port: unknown port \"Q\"\n"),
            "{long}"
        );
        assert!(long.contains("3 |  \"threads\""), "{long}");
        assert!(long.contains("^^^ did you mean `P`?"), "{long}");
        // No text to show: the one line, with the path.
        assert_eq!(
            explore_spec(&e, "s.json", ""),
            format!("error: s.json: {e}\n  help: did you mean `P`?")
        );
    }

    #[test]
    fn lab_config_errors_without_a_line_keep_one_line() {
        let e = crate::lab::LabConfig::from_toml(
            "cpus = 1\nthreads = 1\ncompletions = 1\n",
            "c.toml",
            std::path::Path::new("."),
        )
        .unwrap_err();
        assert_eq!(e.line, None);
        assert_eq!(lab_config(&e, Some("cpus = 1\n")), format!("error: {e}"));
        let e = crate::lab::LabConfig::from_toml(
            "cpus = 1\nthraeds = 1\n",
            "c.toml",
            std::path::Path::new("."),
        )
        .unwrap_err();
        let long = lab_config(&e, Some("cpus = 1\nthraeds = 1\n"));
        assert!(long.contains("2 | thraeds = 1"), "{long}");
        assert!(
            long.contains("  | ^^^^^^^ did you mean `threads`?"),
            "{long}"
        );
        assert_eq!(
            lab_config(&e, None),
            format!("error: {e}\n  help: did you mean `threads`?")
        );
    }

    #[test]
    fn every_cut_of_a_spec_shows_without_a_panic() {
        let text = "{\"format\": \"iocp-sim-explore/1\", \"title\": \"포트 한계\",\n \"ports\": [{\"id\": \"P\", \"concurrency\": 1}],\n \"threads\": [{\"id\": \"A\", \"get\": {\"port\": \"Q\"}}]}";
        let e = crate::explore::parse(text).unwrap_err();
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let cut = &text[..end];
            let _ = explore_spec(&e, "s.json", cut);
            if let Err(e) = crate::explore::parse(cut) {
                let _ = explore_spec(&e, "s.json", cut);
            }
        }
        // Ranges off character boundaries or past the text are mended.
        for (a, b) in [(0, 0), (43, 44), (44, 45), (500, 600), (3, 2)] {
            let _ = snippet("s.json", text, a..b, "m", None);
        }
    }

    #[test]
    fn a_caret_in_the_leading_whitespace_of_a_long_line_moves_to_its_text() {
        // The renderer's margin arithmetic overflowed here (a panic in a
        // build with overflow checks), found by fuzzing explore specs.
        let text = format!("{{\n{}{}\n}}", " ".repeat(30), "x".repeat(200));
        let long = snippet("s.json", &text, 2..3, "m", None);
        assert!(long.contains('^'), "{long}");
        let line = long.lines().find(|l| l.contains('^')).unwrap();
        let caret = line.find('^').unwrap();
        let shown = long.lines().find(|l| l.contains("xxx")).unwrap();
        assert_eq!(shown.find('x'), Some(caret), "{long}");
    }
}
