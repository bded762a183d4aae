//! The offline HTML player (`iocp-sim export --html`): one self-contained
//! page (no network: a Content-Security-Policy forbids every fetch) with the
//! recorded run in both flavours embedded as JSON and drawn by plain
//! JavaScript. Every text that comes from the scenario reaches the page
//! either HTML-escaped (the `<title>`) or inside the JSON block with `<`,
//! `>` and `&` written as `\u003c`-style escapes, and the script only ever
//! puts it into the page with `textContent`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use super::frame::Show;
use super::words::{words, Words};
use crate::model::Flavor;
use crate::narrate::Lang;
use crate::scenario::Scenario;

const TEMPLATE: &str = include_str!("player.html");

/// Bytes of the page around the frames' data (the player's code and style).
pub const TEMPLATE_BYTES: u64 = TEMPLATE.len() as u64;

#[derive(Serialize)]
struct Data<'a> {
    title: Cow<'a, str>,
    description: Option<Cow<'a, str>>,
    lang: &'static str,
    flavor: &'static str,
    runs: BTreeMap<&'static str, Show>,
    words: &'static Words,
}

/// The whole page for `scenario`, starting in `flavor` (the others are
/// one key or one button away), in `lang`.
pub fn page(scenario: &Scenario, flavor: Flavor, lang: Lang) -> String {
    let runs = Flavor::ALL
        .into_iter()
        .map(|f| (f.as_str(), Show::new(scenario, f, lang)))
        .collect();
    let data = Data {
        title: scenario.world.title.get(lang),
        description: scenario.world.description.as_ref().map(|d| d.get(lang)),
        lang: lang.code(),
        flavor: flavor.as_str(),
        runs,
        words: words(lang),
    };
    let json = serde_json::to_string(&data).expect("frames serialise");
    let (head, tail) = TEMPLATE
        .split_once("{{DATA}}")
        .expect("the template has a data slot");
    let head = head
        .replace("{{LANG}}", lang.code())
        .replace("{{TITLE}}", &escape_html(&data.title));
    let mut out = String::with_capacity(head.len() + json.len() + tail.len());
    out.push_str(&head);
    out.push_str(&script_safe_json(&json));
    out.push_str(tail);
    out
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Makes JSON text safe inside a `<script>` element: no `<` (so no
/// `</script>` or `<!--`), `>` or `&` appears literally, and the two line
/// separators JavaScript once rejected in strings are escaped. The JSON
/// value is unchanged.
pub fn script_safe_json(json: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_json_hides_markup_and_keeps_the_value() {
        let v = serde_json::json!({
            "t": "</script><script>alert(1)</script> <!-- a & b > c \u{2028}\u{2029}"
        });
        let raw = serde_json::to_string(&v).unwrap();
        let safe = script_safe_json(&raw);
        for bad in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!safe.contains(bad), "{bad:?} left in {safe}");
        }
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn escape_html_escapes_the_five_characters() {
        assert_eq!(
            escape_html(r#"<img src=x onerror="a('&')">"#),
            "&lt;img src=x onerror=&quot;a(&#39;&amp;&#39;)&quot;&gt;"
        );
    }
}
