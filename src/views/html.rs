//! The offline HTML player (`iocp-sim export --html`): one self-contained
//! page (no network: a Content-Security-Policy forbids every fetch) with the
//! recorded run in both flavours embedded as JSON and drawn by plain
//! JavaScript. Every text that comes from the scenario reaches the page
//! either HTML-escaped (the `<title>`) or inside the JSON block with `<`,
//! `>` and `&` written as `\u003c`-style escapes, and the script only ever
//! puts it into the page with `textContent`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::frame::{Frames, Show};
use crate::escape::{self, ScriptJson};
use crate::model::Flavor;
use crate::narrate::Lang;
use crate::narrate::{words, Words};
use crate::runner::Trace;
use crate::scenario::Scenario;

const TEMPLATE: &str = include_str!("player.html");

/// Bytes of the page around the frames' data (the player's code and style).
pub const TEMPLATE_BYTES: u64 = TEMPLATE.len() as u64;

/// Where each run's frames go in the data serialised with empty frames.
const NO_FRAMES: &str = r#""frames":[]"#;

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
/// one key or one button away), in `lang`: what [`write_page`] writes.
pub fn page(scenario: &Scenario, flavor: Flavor, lang: Lang) -> String {
    let mut out = Vec::new();
    write_page(scenario, flavor, lang, &mut out).expect("a Vec takes every byte");
    String::from_utf8(out).expect("the page is UTF-8")
}

/// Writes the page for `scenario` to `out` as it is built: one flavour's
/// run recorded at a time, its frames built, serialised and escaped one
/// at a time, so memory holds one trace and one frame whatever the page's
/// size. Fails only when `out` does.
pub fn write_page(
    scenario: &Scenario,
    flavor: Flavor,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Everything but the frames, serialised with empty frame lists; the
    // frames are written in their place. `"frames":[]` cannot occur inside
    // a JSON string (its quotes would be escaped there), so the places
    // found are the runs', in the map's order.
    let runs = Flavor::ALL
        .into_iter()
        .map(|f| {
            let trace = Trace::record(scenario, f);
            (f.as_str(), Show::header(scenario, &trace, lang))
        })
        .collect();
    let data = Data {
        title: scenario.world.title.get(lang),
        description: scenario.world.description.as_ref().map(|d| d.get(lang)),
        lang: lang.code(),
        flavor: flavor.as_str(),
        runs,
        words: words(lang),
    };
    let json = serde_json::to_string(&data)?;
    let (head, tail) = TEMPLATE
        .split_once("{{DATA}}")
        .expect("the template has a data slot");
    let head = head
        .replace("{{LANG}}", lang.code())
        .replace("{{TITLE}}", &escape::markup(&data.title));
    out.write_all(head.as_bytes())?;
    let mut safe = ScriptJson::new(&mut *out);
    let mut rest = json.as_str();
    for key in data.runs.keys() {
        let f = Flavor::parse(key).expect("a run per flavour");
        let (before, after) = rest
            .split_once(NO_FRAMES)
            .expect("every run has a frame list");
        safe.write_all(before.as_bytes())?;
        safe.write_all(br#""frames":["#)?;
        let trace = Trace::record(scenario, f);
        for (i, frame) in Frames::new(scenario, &trace, lang).enumerate() {
            if i > 0 {
                safe.write_all(b",")?;
            }
            serde_json::to_writer(&mut safe, &frame)?;
        }
        safe.write_all(b"]")?;
        rest = after;
    }
    safe.write_all(rest.as_bytes())?;
    safe.finish()?;
    out.write_all(tail.as_bytes())
}
