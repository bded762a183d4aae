//! The author's text (`title`, `description`, `note`) in the language asked
//! for: a string is English, an object of languages gives each one, and a
//! missing translation shows the English text behind a visible mark, in
//! `run`, the terminal player and the HTML page alike.

use iocp_sim::model::Flavor;
use iocp_sim::narrate::Lang;
use iocp_sim::render::text;
use iocp_sim::scenario::{self, FALLBACK_MARK};
use iocp_sim::views::player::Player;
use iocp_sim::views::tui::{buffer_text, to_buffer};
use iocp_sim::views::{html, Show};

const BILINGUAL: &str = r#"{
  "format": "iocp-sim/1",
  "title": { "en": "Two workers", "ko": "두 작업자" },
  "description": { "ko": "포트 하나에 스레드 둘.", "en": "One port, two threads." },
  "ports": [{ "id": "P", "concurrency": 1 }],
  "threads": ["T1", "T2"],
  "steps": [
    { "op": "get", "thread": "T1", "port": "P",
      "note": { "en": "T1 sleeps in the WTQ.", "ko": "T1은 대기 스레드 큐에서 잠든다." } },
    { "op": "post", "port": "P", "key": 7, "note": "Only in English." }
  ]
}"#;

fn scenario() -> scenario::Scenario {
    scenario::load_str("bilingual.json", BILINGUAL).expect("the bilingual scenario reads")
}

#[test]
fn show_frames_pick_the_language_and_mark_a_missing_translation() {
    let sc = scenario();
    let ko = Show::new(&sc, Flavor::Windows, Lang::Ko);
    assert_eq!(ko.title, "두 작업자");
    assert_eq!(ko.description.as_deref(), Some("포트 하나에 스레드 둘."));
    assert_eq!(
        ko.frames[1].note.as_deref(),
        Some("T1은 대기 스레드 큐에서 잠든다.")
    );
    assert_eq!(
        ko.frames[2].note.as_deref(),
        Some(&*format!("{FALLBACK_MARK}Only in English."))
    );
    let en = Show::new(&sc, Flavor::Windows, Lang::En);
    assert_eq!(en.title, "Two workers");
    assert_eq!(en.frames[1].note.as_deref(), Some("T1 sleeps in the WTQ."));
    assert_eq!(en.frames[2].note.as_deref(), Some("Only in English."));
}

#[test]
fn run_text_header_and_steps_use_the_language() {
    let sc = scenario();
    let h = text::header(&sc.world, "windows", Lang::Ko);
    assert!(h.starts_with("두 작업자\n포트 하나에 스레드 둘.\n"), "{h}");
    let h = text::header(&sc.world, "windows", Lang::En);
    assert!(
        h.starts_with("Two workers\nOne port, two threads.\n"),
        "{h}"
    );
}

#[test]
fn the_terminal_player_shows_the_korean_note() {
    let mut p = Player::new(scenario(), Flavor::Windows, Lang::Ko);
    p.go(0);
    let s = buffer_text(&to_buffer(&p, p.ui(), 100, 30));
    assert!(s.contains("두 작업자"), "{s}");
    p.go(1);
    let s = buffer_text(&to_buffer(&p, p.ui(), 100, 30));
    assert!(s.contains("대기 스레드 큐에서 잠든다"), "{s}");
    p.go(2);
    let s = buffer_text(&to_buffer(&p, p.ui(), 100, 30));
    assert!(s.contains("[en] Only in English."), "{s}");
}

#[test]
fn the_html_page_carries_the_chosen_language() {
    let page = html::page("bilingual.json", BILINGUAL, Flavor::Windows, Lang::Ko).unwrap();
    assert!(
        page.contains("<title>두 작업자 · iocp-sim</title>"),
        "no Korean title"
    );
    assert!(page.contains(r#"<html lang="ko">"#));
    assert!(page.contains(r#""lang":"ko""#), "the page opens in Korean");
    // What the page shows is what its engine answers in that language.
    let mut e = crate::util::engine(&[("bilingual.json", BILINGUAL)]);
    let (run, frames) = crate::util::engine_frames(&mut e, "bilingual.json", None, "ko");
    assert_eq!(run["title"], "두 작업자");
    assert_eq!(frames[1]["note"], "T1은 대기 스레드 큐에서 잠든다.");
    assert_eq!(
        frames[2]["note"],
        format!("{FALLBACK_MARK}Only in English.")
    );
}

#[test]
fn run_lang_ko_prints_a_bundled_lesson_in_korean() {
    let lesson = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sim-scenarios/04-over-subscription.json"
    );
    let sc = scenario::load(std::path::Path::new(lesson)).expect("lesson 04 reads");
    let out = crate::util::bin()
        .args(["run", lesson, "--lang", "ko"])
        .output()
        .expect("iocp-sim runs");
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    let ko_title = sc
        .world
        .title
        .exact(Lang::Ko)
        .expect("lesson 04 has a Korean title");
    assert!(s.starts_with(ko_title), "{s}");
    for step in &sc.steps {
        let note = step.note.as_ref().and_then(|n| n.exact(Lang::Ko)).unwrap();
        assert!(s.contains(note), "step {} note missing:\n{s}", step.number);
    }
    assert!(!s.contains(FALLBACK_MARK), "{s}");
}

/// The English fixed words: every token of the English words table (the
/// views' words, the text view's labels, the what-if menus) and of the
/// English rule labels, lower-cased.
fn english_fixed_words() -> std::collections::BTreeSet<String> {
    use iocp_sim::model::Rule;
    use iocp_sim::narrate::{self, whatif_words, words};
    let w = words(Lang::En);
    let wi = whatif_words(Lang::En);
    let mut texts: Vec<String> = Vec::new();
    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }
    strings(&serde_json::to_value(w).unwrap(), &mut texts);
    // The text view's words, which the HTML page does not carry.
    let (a, b, c, d) = w.header;
    let (e, f, g) = w.peak;
    let (h, i, j, k) = w.counters;
    for s in [
        w.mark_name,
        w.unchanged,
        w.expected,
        w.actual,
        w.failed,
        w.port_title,
        w.stranded,
        w.concurrency,
        w.cpus,
        w.summary,
        a,
        b,
        c,
        d,
        e,
        f,
        g,
        h,
        i,
        j,
        k,
    ] {
        texts.push(s.to_owned());
    }
    for s in [
        wi.actions,
        wi.goals,
        wi.refused,
        wi.already,
        wi.hint,
        wi.none,
        wi.chosen,
        wi.over_budget,
        wi.used_up,
        wi.before_start,
        wi.save_failed,
    ] {
        texts.push(s.to_owned());
    }
    // The challenge's and the explorer's words, and the goals' ids (a
    // Korean screen shows a goal in words, never as `over_limit`).
    let g = &wi.goal;
    let (e, f) = wi.solved;
    let (s1, s2, s3, s4, s5) = g.solve;
    for s in [
        e,
        f,
        s1,
        s2,
        s3,
        s4,
        s5,
        wi.found.0,
        wi.found.1,
        wi.not_within.0,
        wi.not_within.1,
        wi.not_within.2,
        wi.too_many.0,
        wi.too_many.1,
        "over_limit idle_with_work wake_oldest held lost clean_shutdown aborted_dequeued",
    ] {
        texts.push(s.to_owned());
    }
    // Every goal a challenge can name, in the words a screen shows.
    for goal in [
        "over_limit",
        "idle_with_work",
        "held",
        "held_at_limit",
        "lost > 0",
        "current >= 2",
        "iocq == 1",
        "wtq < 3",
        "rtl > 1",
        "ptl <= 2",
        "wake_oldest",
        "clean_shutdown",
        "aborted_dequeued",
    ] {
        let goal = iocp_sim::goal::Goal::parse(goal).expect("a goal");
        texts.push(narrate::goal(&goal, Lang::En));
    }
    for r in Rule::ALL {
        texts.push(narrate::rule_label(r, Lang::En));
    }
    texts.iter().flat_map(|t| ascii_words(t)).collect()
}

/// The words of ASCII letters in `s`, lower-cased, without the English
/// glosses a Korean sentence gives in parentheses right after a Korean
/// word (`사라집니다(lost)`, `깨어나므로(LIFO)`).
fn ascii_words(s: &str) -> Vec<String> {
    // API names in capitals with underscores (WAIT_TIMEOUT,
    // ERROR_IO_PENDING) are names, not words: they do not count.
    let s: String = s
        .split_inclusive(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map(|t| {
            let word = t.trim_end_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
            let api = word.contains('_')
                && word
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if api {
                &t[word.len()..]
            } else {
                t
            }
        })
        .collect();
    let s = s.as_str();
    let mut kept = String::new();
    let mut prev_hangul = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '(' && prev_hangul {
            let gloss: String = chars.clone().take_while(|&c| c != ')').collect();
            if gloss
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " _-".contains(c))
            {
                for _ in 0..=gloss.chars().count() {
                    chars.next();
                }
                continue;
            }
        }
        prev_hangul = ('\u{AC00}'..='\u{D7A3}').contains(&c);
        kept.push(c);
    }
    kept.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|t| t.len() > 1)
        .map(str::to_ascii_lowercase)
        .collect()
}

/// Every text a Korean lesson shows: the text view, every terminal player
/// frame, the HTML page's data and the SVG timeline's text.
fn korean_views(sc: &scenario::Scenario) -> Vec<(&'static str, String)> {
    use iocp_sim::runner::Trace;
    use iocp_sim::views::svg;
    let mut out = Vec::new();
    let trace = Trace::record(sc, sc.world.flavor);
    let mut t = text::header(&sc.world, sc.world.flavor.as_str(), Lang::Ko);
    for (i, ts) in trace.steps.iter().enumerate() {
        t += &text::step(
            &ts.step,
            &ts.report,
            &ts.outcome,
            &trace.state(i + 1),
            &sc.names,
            Lang::Ko,
        );
    }
    t += &text::summary(&trace.summary, &sc.names, Lang::Ko);
    out.push(("text", t));
    let mut p = Player::new(sc.clone(), sc.world.flavor, Lang::Ko);
    for i in 0..=p.show().last() {
        p.go(i);
        out.push(("tui", buffer_text(&to_buffer(&p, p.ui(), 140, 45))));
    }
    // The page: every answer of its engine, in Korean (words, the run,
    // every frame).
    let text = std::fs::read_to_string(&sc.source).expect("a bundled lesson");
    let mut e = crate::util::engine(&[("lesson.json", &text)]);
    let words = crate::util::ask(&mut e, &serde_json::json!({ "op": "words", "lang": "ko" }));
    let (run, frames) = crate::util::engine_frames(&mut e, "lesson.json", None, "ko");
    let data = serde_json::json!([words, run, frames]);
    // What the page shows; `state`, `op`, `flavor` and `lang` are ids for
    // the script, not text, and so are a lesson's `modes` (its buttons'
    // words are the page words' `modes`, checked here).
    fn shown(v: &serde_json::Value, out: &mut String) {
        match v {
            serde_json::Value::String(s) => {
                out.push_str(s);
                out.push('\n');
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| shown(x, out)),
            serde_json::Value::Object(o) => o
                .iter()
                .filter(|(k, x)| {
                    let ids = ["scheduler", "every_call"].map(serde_json::Value::from);
                    let mode_ids = x
                        .as_array()
                        .is_some_and(|a| a.iter().all(|m| ids.contains(m)));
                    let id = ["state", "op", "flavor", "lang"].contains(&k.as_str())
                        || (k.as_str() == "modes" && mode_ids);
                    !id
                })
                .for_each(|(_, x)| shown(x, out)),
            _ => {}
        }
    }
    let mut h = String::new();
    shown(&data, &mut h);
    out.push(("html", h));
    let drawing = svg::timeline(sc, sc.world.flavor, Lang::Ko);
    let doc = roxmltree::Document::parse(&drawing).unwrap();
    let s: String = doc
        .descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n");
    out.push(("svg", s));
    out
}

/// The ids and author's text of a scenario, the model's own terms (structure abbreviations,
/// calls, results, errors, ops, rule names) and the flavours: the English a
/// Korean view may show.
fn allowed(sc: &scenario::Scenario) -> std::collections::BTreeSet<String> {
    use iocp_sim::model::{LabelId, OvId, Rule};
    let n = &sc.names;
    let mut ids: Vec<String> = n
        .ports()
        .iter()
        .chain(n.threads())
        .chain(n.devices())
        .cloned()
        .collect();
    ids.extend((0..n.overlapped_count()).map(|i| n.overlapped(OvId(i as u32)).to_owned()));
    ids.extend((0..n.label_count()).map(|i| n.label(LabelId(i as u32)).to_owned()));
    ids.extend(Rule::ALL.iter().map(|r| r.name().to_owned()));
    // The file's path and the author's own text (title, description,
    // notes) are the scenario's.
    ids.push(sc.source.clone());
    let w = &sc.world;
    ids.push(w.title.get(Lang::Ko).into_owned());
    ids.extend(w.description.iter().map(|d| d.get(Lang::Ko).into_owned()));
    ids.extend(
        sc.steps
            .iter()
            .filter_map(|s| s.note.as_ref())
            .map(|n| n.get(Lang::Ko).into_owned()),
    );
    ids.extend(
        [
            "IOCQ WTQ RTL PTL CPU OVERLAPPED LIFO FIFO max current get get_ex post",
            "GetQueuedCompletionStatus GetQueuedCompletionStatusEx INFINITE ms",
            "null windows wine wine10 Wine Windows NT",
            "KiInsertQueue Research Kernel queueobj ReactOS ntoskrnl ke queue",
            // Keys of the keyboard, named as printed on them.
            "Tab PgDn Enter Esc",
        ]
        .map(str::to_owned),
    );
    ids.iter().flat_map(|t| ascii_words(t)).collect()
}

#[test]
fn no_korean_view_shows_english_fixed_words() {
    let fixed = english_fixed_words();
    assert!(fixed.contains("expected") && fixed.contains("paused"));
    let lessons = crate::util::lessons();
    assert!(lessons.len() > 10);
    let mut found = Vec::new();
    for path in &lessons {
        let sc = scenario::load(path).unwrap();
        let ok = allowed(&sc);
        // The checker's report of a failed expectation (its key and the
        // two values) is data shown as it is, like the ids.
        let mut report: Vec<String> = Vec::new();
        for f in iocp_sim::model::Flavor::ALL {
            for ts in iocp_sim::runner::Trace::record(&sc, f).steps {
                for m in ts.report.mismatches {
                    report.extend([m.key, m.expected, m.actual]);
                }
            }
        }
        report.sort_by_key(|r| std::cmp::Reverse(r.len()));
        for (view, mut text) in korean_views(&sc) {
            for r in &report {
                text = text.replace(r.as_str(), " ");
            }
            for word in ascii_words(&text) {
                if fixed.contains(&word) && !ok.contains(&word) {
                    let line = text
                        .lines()
                        .find(|l| ascii_words(l).contains(&word))
                        .unwrap_or_default();
                    found.push(format!(
                        "{} ({view}): {word:?} in {line}",
                        path.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    found.dedup();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// Every word a Korean student sees in a challenge is Korean but API
/// names and ids: the status line (goal, moves, budget), a hint, the
/// result of a move, the explorer's answer, and `challenge --solve`.
#[test]
fn no_korean_challenge_screen_shows_english_words() {
    use crate::util::{bin, choose, key};
    use ratatui::crossterm::event::KeyCode;
    let fixed = english_fixed_words();
    for word in [
        "goal", "budget", "explorer", "shortest", "over", "limit", "oldest",
    ] {
        assert!(fixed.contains(word), "{word}");
    }
    let dir = crate::util::repo("sim-scenarios/challenges");
    let mut found = Vec::new();
    for path in crate::util::json_files(&dir) {
        let ch = iocp_sim::challenge::load(&path).unwrap();
        let ok = allowed(&ch.start);
        let mut screens = Vec::new();
        let mut p = Player::challenge(ch.clone(), Lang::Ko);
        screens.extend(p.ui().message.clone());
        key(&mut p, KeyCode::Char('?'));
        screens.extend(p.ui().message.clone());
        key(&mut p, KeyCode::Char('a'));
        let menu = p.ui().menu.clone().expect("the action list");
        screens.push(menu.title.clone());
        key(&mut p, KeyCode::Esc);
        let first = menu
            .lines
            .iter()
            .find(|(_, refused)| refused.is_none())
            .unwrap();
        choose(&mut p, &first.0);
        screens.extend(p.ui().message.clone());
        key(&mut p, KeyCode::Char('x'));
        screens.extend(p.ui().message.clone());
        screens.push(buffer_text(&to_buffer(&p, p.ui(), 100, 30)));
        let out = bin()
            .args(["challenge", "--solve", "--lang", "ko"])
            .arg(&path)
            .output()
            .unwrap();
        screens.push(String::from_utf8_lossy(&out.stdout).into_owned());
        for text in screens {
            for word in ascii_words(&text) {
                if fixed.contains(&word) && !ok.contains(&word) {
                    found.push(format!(
                        "{}: {word:?} in {text}",
                        path.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    found.dedup();
    assert!(found.is_empty(), "{}", found.join("\n"));
}
