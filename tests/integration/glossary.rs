//! `docs/glossary.md` is the one source of the terms every text uses: this
//! reads its table and fails when a bundled text (a lesson's, a
//! challenge's or the course's title, description, notes and hints; the
//! READMEs; `docs/model.ko.md`), a narration (every lesson run in every
//! flavour, in both languages) or a fixed word of the views uses a variant
//! the glossary forbids. A failure names the file, where in it, the word
//! found and the glossary's rendering.

use std::path::Path;

use iocp_sim::model::Flavor;
use iocp_sim::narrate::{self, Lang};
use serde_json::Value;

use crate::util::{lessons, load, repo, text_view};

/// One concept of the glossary's table.
#[derive(Debug)]
struct Concept {
    name: String,
    en: Vec<String>,
    ko: Vec<String>,
    /// Forbidden variants, with the language whose texts they are checked
    /// in (`None`: every text, for a variant in Hangul).
    forbidden: Vec<(Option<Lang>, String)>,
}

/// The strings in backticks in `cell`.
fn ticked(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

/// The glossary's concepts, read from `docs/glossary.md`'s table.
fn glossary() -> Vec<Concept> {
    let text = std::fs::read_to_string(repo("docs/glossary.md")).expect("docs/glossary.md");
    let table = &text[text.find("## Terms").expect("a '## Terms' section")..];
    let mut out = Vec::new();
    for line in table.lines().filter(|l| l.starts_with('|')).skip(2) {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        assert_eq!(
            cells.len(),
            5,
            "docs/glossary.md: a row needs 5 cells: {line}"
        );
        let mut forbidden = Vec::new();
        for part in cells[4].split(';') {
            let part = part.trim();
            let lang = if part.starts_with("en:") {
                Lang::En
            } else if part.starts_with("ko:") {
                Lang::Ko
            } else {
                assert!(
                    part.is_empty(),
                    "docs/glossary.md: {part:?} names no language"
                );
                continue;
            };
            for v in ticked(part) {
                let applies = if has_hangul(&v) { None } else { Some(lang) };
                forbidden.push((applies, v));
            }
        }
        out.push(Concept {
            name: cells[0].trim().to_owned(),
            en: ticked(cells[1]),
            ko: ticked(cells[2]),
            forbidden,
        });
    }
    assert!(
        out.len() >= 30,
        "docs/glossary.md: the table has {} rows",
        out.len()
    );
    out
}

/// Where `v` occurs in `text`: anywhere for a variant in Hangul; for one
/// in Latin letters only as a whole word (not inside `skip-on-success`
/// or an API name such as `ERROR_IO_PENDING`).
fn find(text: &str, v: &str) -> Option<usize> {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "_-".contains(c));
    text.match_indices(v).map(|(i, _)| i).find(|&i| {
        has_hangul(v)
            || (!word(text[..i].chars().last()) && !word(text[i + v.len()..].chars().next()))
    })
}

/// Every forbidden variant in `text` (written in `lang`), as one message
/// each: `FILE: WHERE: uses "VARIANT" for CONCEPT; the glossary says "R"`.
fn misuses(g: &[Concept], file: &str, place: &str, lang: Lang, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for c in g {
        for (applies, v) in &c.forbidden {
            if applies.is_some_and(|l| l != lang) {
                continue;
            }
            if let Some(at) = find(text, v) {
                let rendering = match lang {
                    Lang::En => &c.en,
                    _ => &c.ko,
                };
                let start = text[..at]
                    .char_indices()
                    .rev()
                    .nth(20)
                    .map_or(0, |(i, _)| i);
                let end = text[at..]
                    .char_indices()
                    .nth(v.chars().count() + 20)
                    .map_or(text.len(), |(i, _)| at + i);
                out.push(format!(
                    "{file}: {place}: uses {v:?} for \"{}\"; the glossary says \"{}\" (…{}…)",
                    c.name,
                    rendering.join(" / "),
                    text[start..end].replace('\n', " ")
                ));
            }
        }
    }
    out
}

/// The author's texts of a JSON file: every `title`, `description`,
/// `note` and `hints` value, as (where, language, text).
fn json_texts(v: &Value, path: &str, out: &mut Vec<(String, Lang, String)>) {
    fn text(v: &Value, path: &str, out: &mut Vec<(String, Lang, String)>) {
        match v {
            Value::String(s) => out.push((path.to_owned(), Lang::En, s.clone())),
            Value::Object(o) => {
                for (k, lang) in [("en", Lang::En), ("ko", Lang::Ko)] {
                    if let Some(Value::String(s)) = o.get(k) {
                        out.push((format!("{path}.{k}"), lang, s.clone()));
                    }
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    text(x, &format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if ["title", "description", "note", "hints"].contains(&k.as_str()) {
                    text(x, &here, out);
                } else {
                    json_texts(x, &here, out);
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                json_texts(x, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Every `*.json` file under `dir`, recursively.
fn json_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            json_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "json") {
            out.push(p);
        }
    }
}

#[test]
fn the_glossary_gives_each_concept_both_renderings_and_the_lecture_terms() {
    let g = glossary();
    for c in &g {
        assert!(
            !c.en.is_empty() && !c.ko.is_empty(),
            "{}: a rendering is missing",
            c.name
        );
        for (applies, v) in &c.forbidden {
            // A forbidden variant must not be (part of) an allowed rendering
            // of a language it is checked in.
            let renderings: Vec<&String> = match applies {
                Some(Lang::En) => c.en.iter().collect(),
                Some(_) => c.ko.iter().collect(),
                None => c.en.iter().chain(&c.ko).collect(),
            };
            for r in renderings {
                assert!(
                    !r.contains(v.as_str()),
                    "{}: {v:?} forbids its own {r:?}",
                    c.name
                );
            }
        }
    }
    let find = |name: &str| {
        g.iter()
            .find(|c| c.name.starts_with(name))
            .unwrap_or_else(|| panic!("no concept {name}"))
    };
    // The concurrency value in the lecture's words, and the five
    // structures with the lecture's English names beside the Korean.
    assert_eq!(find("concurrency value").ko[0], "최대 스레드 수");
    for (en, ko) in [
        ("Device List", "디바이스 리스트"),
        ("IO Completion Queue", "입출력 완료 큐"),
        ("Waiting Thread Queue", "대기 스레드 큐"),
        ("Released Thread List", "릴리스 스레드 리스트"),
        ("Paused Thread List", "일시 정지 스레드 리스트"),
    ] {
        let c = find(en);
        assert_eq!((c.en[0].as_str(), c.ko[0].as_str()), (en, ko));
    }
    // The views' tables use the glossary's renderings.
    let w = narrate::words(Lang::Ko);
    assert_eq!(w.concurrency, find("concurrency value").ko[0]);
    assert_eq!(w.device_list, find("Device List").ko[0]);
    assert_eq!(w.rtl.1, find("Released Thread List").ko[0]);
    assert_eq!(w.ptl.1, find("Paused Thread List").ko[0]);
    assert_eq!(w.mark_name, find("queue-wait mark").ko[0]);
}

#[test]
fn no_bundled_text_uses_a_variant_the_glossary_forbids() {
    let g = glossary();
    let mut found = Vec::new();
    let mut files = Vec::new();
    json_under(&repo("sim-scenarios"), &mut files);
    files.sort();
    assert!(files.len() > 25, "{files:?}");
    for f in &files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let mut texts = Vec::new();
        json_texts(&v, "", &mut texts);
        let name = f.strip_prefix(repo("")).unwrap_or(f).display().to_string();
        for (place, lang, text) in texts {
            found.extend(misuses(&g, &name, &place, lang, &text));
        }
    }
    for (file, lang) in [
        ("README.md", Lang::En),
        ("sim-scenarios/README.md", Lang::En),
        ("sim-scenarios/README.ko.md", Lang::Ko),
        ("docs/model.ko.md", Lang::Ko),
    ] {
        let text = std::fs::read_to_string(repo(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (i, line) in text.lines().enumerate() {
            found.extend(misuses(&g, file, &format!("line {}", i + 1), lang, line));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_narration_or_view_word_uses_a_variant_the_glossary_forbids() {
    let g = glossary();
    let mut found = Vec::new();
    for path in lessons() {
        let sc = load(&path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for flavor in Flavor::ALL {
            for lang in Lang::ALL {
                // The checker's report of an expectation that does not
                // hold in another flavour (its key and the two values in
                // the scenario format) is data, shown as it is, like ids.
                let label = narrate::words(lang).mismatch;
                let text: String = text_view(&sc, flavor, lang)
                    .lines()
                    .filter(|l| !l.trim_start().starts_with(label))
                    .collect::<Vec<_>>()
                    .join("\n");
                let place = format!("run --flavor {} --lang {}", flavor.as_str(), lang.code());
                found.extend(misuses(&g, &name, &place, lang, &text));
            }
        }
    }
    for lang in Lang::ALL {
        // The tables' strings (their Debug form, without the field names).
        let debug = format!(
            "{:?}\n{:?}",
            narrate::words(lang),
            narrate::whatif_words(lang)
        );
        let tables: String = debug
            .split('"')
            .skip(1)
            .step_by(2)
            .collect::<Vec<_>>()
            .join("\n");
        found.extend(misuses(
            &g,
            "src/narrate",
            "the words tables",
            lang,
            &tables,
        ));
    }
    found.sort();
    found.dedup();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The checker itself: a forbidden variant is found and reported with the
/// file, the place, the word and the rendering.
#[test]
fn a_forbidden_variant_is_named_with_the_rendering_to_use() {
    let g = glossary();
    let m = misuses(
        &g,
        "x.json",
        "steps[2].note.ko",
        Lang::Ko,
        "포트의 동시 실행 수는 1입니다",
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].starts_with("x.json: steps[2].note.ko: uses \"동시 실행 수\"")
            && m[0].contains("the glossary says \"최대 스레드 수"),
        "{}",
        m[0]
    );
    // A Latin variant counts in its own language only.
    assert_eq!(
        misuses(&g, "x", "y", Lang::Ko, "the concurrency limit").len(),
        0
    );
    assert_eq!(
        misuses(&g, "x", "y", Lang::En, "the concurrency limit").len(),
        1
    );
    assert!(misuses(&g, "x", "y", Lang::En, "최대 스레드 수 한도").len() == 1);
}
