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
use crate::escape;
use crate::model::Flavor;
use crate::narrate::Lang;
use crate::narrate::{words, Words};
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
        .replace("{{TITLE}}", &escape::markup(&data.title));
    let mut out = String::with_capacity(head.len() + json.len() + tail.len());
    out.push_str(&head);
    out.push_str(&escape::script_json(&json));
    out.push_str(tail);
    out
}
