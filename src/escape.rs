//! The one escaper of every output: markup (HTML and SVG/XML, text and
//! quoted attributes), JSON inside a `<script>` element, JSON strings
//! written by hand, and text for terminals (control and bidirectional
//! formatting characters). Pure functions; every view calls these and
//! none keeps its own copy.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write as _;

/// True for a character markup escapes or replaces.
fn markup_special(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'') || xml_forbidden(c)
}

/// C0 control characters XML 1.0 does not allow at all (HTML calls them
/// parse errors): every one below space except tab, new line and
/// carriage return.
fn xml_forbidden(c: char) -> bool {
    (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r')
}

/// Escapes text for HTML or XML (SVG) element content and quoted attribute
/// values: `& < > " '` become entities, and the control characters XML
/// forbids become U+FFFD. Text with none of them is returned as it is.
pub fn markup(s: &str) -> Cow<'_, str> {
    if !s.chars().any(markup_special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if xml_forbidden(c) => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Makes JSON text safe inside a `<script>` element: no `<` (so no
/// `</script>` or `<!--`), `>` or `&` appears literally, and the two line
/// separators JavaScript once rejected in strings are escaped. The JSON
/// value is unchanged. What [`ScriptJson`] writes.
pub fn script_json(json: &str) -> String {
    let mut out = Vec::with_capacity(json.len() + 16);
    let mut w = ScriptJson::new(&mut out);
    w.write_all(json.as_bytes())
        .and_then(|()| w.finish())
        .expect("a Vec takes every byte");
    String::from_utf8(out).expect("the escapes keep UTF-8")
}

/// A writer that escapes JSON text as [`script_json`] does on its way to
/// `out`, in whatever pieces it comes (a line separator cut between two
/// writes is held back until its last byte): for JSON written straight
/// into a page by `serde_json::to_writer`. Call [`ScriptJson::finish`] at
/// the end.
pub struct ScriptJson<W: std::io::Write> {
    out: W,
    /// How many bytes of `E2 80` (the start of U+2028 and U+2029) are held.
    held: usize,
}

/// The first two bytes of U+2028 and U+2029 in UTF-8.
const SEPARATOR: [u8; 2] = [0xE2, 0x80];

impl<W: std::io::Write> ScriptJson<W> {
    /// Escapes into `out`.
    pub fn new(out: W) -> ScriptJson<W> {
        ScriptJson { out, held: 0 }
    }

    /// Writes the bytes still held back (at the end of the text).
    pub fn finish(&mut self) -> std::io::Result<()> {
        let held = std::mem::take(&mut self.held);
        self.out.write_all(&SEPARATOR[..held])
    }
}

impl<W: std::io::Write> std::io::Write for ScriptJson<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut run = 0;
        for (i, &b) in buf.iter().enumerate() {
            if self.held > 0 {
                match (self.held, b) {
                    (1, 0x80) => {
                        self.held = 2;
                        run = i + 1;
                        continue;
                    }
                    (2, 0xA8 | 0xA9) => {
                        self.held = 0;
                        run = i + 1;
                        let e: &[u8] = if b == 0xA8 { b"\\u2028" } else { b"\\u2029" };
                        self.out.write_all(e)?;
                        continue;
                    }
                    // Not a separator after all: the held bytes as they were.
                    _ => {
                        self.finish()?;
                        run = i;
                    }
                }
            }
            let escape: Option<&[u8]> = match b {
                b'<' => Some(b"\\u003c"),
                b'>' => Some(b"\\u003e"),
                b'&' => Some(b"\\u0026"),
                _ => None,
            };
            if escape.is_some() || b == SEPARATOR[0] {
                self.out.write_all(&buf[run..i])?;
                run = i + 1;
                match escape {
                    Some(e) => self.out.write_all(e)?,
                    None => self.held = 1,
                }
            }
        }
        self.out.write_all(&buf[run..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// True if `s` has a byte a JSON string must escape: a control byte, `"`
/// or `\\`. Eight bytes at a time ("SWAR"), since most of `run --json`'s
/// output is strings that need nothing.
#[inline]
fn json_needs_escape(s: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(LO) & !v & HI != 0;
    let has_less_than_space = |v: u64| v.wrapping_sub(LO * 0x20) & !v & HI != 0;
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes(c.try_into().expect("chunk of 8"));
        if has_less_than_space(x)
            || has_zero(x ^ (LO * b'"' as u64))
            || has_zero(x ^ (LO * b'\\' as u64))
        {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// Appends `s` as a quoted JSON string to `buf`. Most strings need no
/// escaping and are copied as they are; the others go through
/// serde_json's escaper.
#[inline]
pub fn json_string(buf: &mut Vec<u8>, s: &str) {
    if json_needs_escape(s.as_bytes()) {
        json_string_escaped(buf, s);
    } else {
        buf.reserve(s.len() + 2);
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    }
}

#[cold]
#[inline(never)]
fn json_string_escaped(buf: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *buf, s).expect("writing to a Vec cannot fail");
}

/// True for the characters a terminal would act on instead of showing:
/// control characters (C0 and C1: escape sequences, bells, carriage
/// returns) other than new line and tab, and the bidirectional formatting
/// characters that reorder what follows (overrides, embeddings, isolates,
/// marks).
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text for a terminal: every character a terminal would act on instead of
/// showing (C0 and C1 controls other than new line and tab, and the
/// bidirectional formatting characters) becomes `\u{..}`, visible and
/// inert; the rest (new lines included) is kept.
/// Escaping twice changes nothing more.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if acts_on_terminal(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The length of the escaped form of `c` (`\u{1b}`: 6 bytes).
fn escaped_len(c: char) -> usize {
    let digits = (32 - (c as u32 | 1).leading_zeros()).div_ceil(4) as usize;
    digits + 4
}

/// Where byte `at` of `s` lands in [`terminal`]`(s)`: for a position shown
/// under escaped text (a diagnostic's caret under its source line). `at`
/// is on a character boundary of `s`.
pub fn terminal_offset(s: &str, at: usize) -> usize {
    at + s[..at]
        .chars()
        .filter(|&c| acts_on_terminal(c))
        .map(|c| escaped_len(c) - c.len_utf8())
        .sum::<usize>()
}

/// [`terminal`] for one line of a full-screen picture (the terminal
/// player), which places every character in a cell of its own: new lines
/// and tabs become spaces as well (a tab would move the cursor past the
/// cells the picture counted; a new line would be dropped).
pub fn terminal_line(s: &str) -> Cow<'_, str> {
    if !s.contains(['\n', '\t']) {
        return terminal(s);
    }
    Cow::Owned(terminal_owned(s.replace(['\n', '\t'], " ")))
}

/// [`terminal`] for an owned string (no copy when nothing needs escaping).
pub fn terminal_owned(s: String) -> String {
    match terminal(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(o) => o,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn script_json_is_the_same_whatever_the_pieces_written() {
        use super::{script_json, ScriptJson};
        use std::io::Write as _;
        let text = "a\u{2028}<b>\u{2029}&\u{e2}\u{2000}c\u{2028}";
        let whole = script_json(text);
        assert_eq!(
            whole,
            "a\\u2028\\u003cb\\u003e\\u2029\\u0026\u{e2}\u{2000}c\\u2028"
        );
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            for size in 1..4 {
                let mut out = Vec::new();
                let mut w = ScriptJson::new(&mut out);
                w.write_all(&bytes[..cut]).unwrap();
                for piece in bytes[cut..].chunks(size) {
                    w.write_all(piece).unwrap();
                }
                w.finish().unwrap();
                let got = String::from_utf8(out).unwrap();
                assert_eq!(got, whole, "cut {cut}, pieces of {size}");
            }
        }
    }

    use super::*;

    #[test]
    fn markup_escapes_the_five_characters_and_forbidden_controls() {
        assert_eq!(
            markup(r#"<img src=x onerror="a('&')">"#),
            "&lt;img src=x onerror=&quot;a(&apos;&amp;&apos;)&quot;&gt;"
        );
        assert_eq!(markup("a\u{1}b\tc\n"), "a\u{FFFD}b\tc\n");
        assert!(matches!(markup("스레드 T1"), Cow::Borrowed(_)));
    }

    #[test]
    fn script_json_hides_markup_and_keeps_the_value() {
        let v = serde_json::json!({
            "t": "</script><script>alert(1)</script> <!-- a & b > c \u{2028}\u{2029}"
        });
        let raw = serde_json::to_string(&v).unwrap();
        let safe = script_json(&raw);
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!safe.contains(bad), "{bad:?} left in {safe}");
        }
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn json_scan_finds_every_special_byte_at_every_position() {
        for len in 0..20 {
            let plain = "a".repeat(len);
            assert!(
                !json_needs_escape(plain.as_bytes()),
                "plain text of length {len}"
            );
            for pos in 0..len {
                for special in [b'"', b'\\', b'\n', 0x01, 0x1f] {
                    let mut v = plain.clone().into_bytes();
                    v[pos] = special;
                    assert!(json_needs_escape(&v), "byte {special:#x} at {pos} of {len}");
                }
            }
        }
        assert!(!json_needs_escape("스레드 큐 T1 ~ 0x7f".as_bytes()));
    }

    #[test]
    fn json_string_round_trips() {
        for s in ["plain", "a \"q\" \\ \n \u{1} 스레드"] {
            let mut buf = Vec::new();
            json_string(&mut buf, s);
            let back: String = serde_json::from_slice(&buf).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn terminal_makes_controls_and_bidi_inert_and_is_idempotent() {
        let s = "a\u{1b}[31mred\u{7}\r\u{202E}x\u{2066}\n\tok";
        let once = terminal(s).into_owned();
        assert!(!once.chars().any(acts_on_terminal), "{once:?}");
        assert!(once.contains('\n') && once.contains('\t'));
        assert_eq!(terminal(&once), once.as_str());
        assert_eq!(terminal_owned("plain".to_owned()), "plain");
    }

    #[test]
    fn terminal_offset_follows_each_escape() {
        let s = "a\u{1b}b\u{9b}c\u{202e}d\u{10ffff}e";
        let shown = terminal(s);
        for (i, c) in s.char_indices().filter(|(_, c)| c.is_ascii_lowercase()) {
            let at = terminal_offset(s, i);
            assert_eq!(
                shown[at..].chars().next(),
                Some(c),
                "{c} of {s:?} in {shown}"
            );
        }
        assert_eq!(terminal_offset(s, s.len()), shown.len());
    }

    #[test]
    fn terminal_line_keeps_one_line() {
        assert_eq!(terminal_line("a\tb\nc"), "a b c");
        assert_eq!(
            terminal_line("a\r\n\u{1b}]0;x\u{7}"),
            "a\\u{d} \\u{1b}]0;x\\u{7}"
        );
        assert!(matches!(terminal_line("스레드 T1"), Cow::Borrowed(_)));
    }
}
