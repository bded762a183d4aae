//! The one escaper of every output: markup (HTML and SVG/XML, text and
//! quoted attributes), JSON inside a `<script>` element, JSON strings
//! written by hand, and text for terminals (control and bidirectional
//! formatting characters). Pure functions; every view calls these and
//! none keeps its own copy.

use std::borrow::Cow;
use std::fmt::Write as _;

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
/// value is unchanged.
pub fn script_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// True if `s` has a byte a JSON string must escape: a control byte, `"`
/// or `\\`. Eight bytes at a time ("SWAR"), since most of `run --json`'s
/// output is strings that need nothing.
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
pub fn json_string(buf: &mut Vec<u8>, s: &str) {
    if json_needs_escape(s.as_bytes()) {
        serde_json::to_writer(&mut *buf, s).expect("writing to a Vec cannot fail");
    } else {
        buf.reserve(s.len() + 2);
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    }
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

/// [`terminal`] for an owned string (no copy when nothing needs escaping).
pub fn terminal_owned(s: String) -> String {
    match terminal(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(o) => o,
    }
}

#[cfg(test)]
mod tests {
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
}
