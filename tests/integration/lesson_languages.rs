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
    let s = buffer_text(&to_buffer(p.show(), p.ui(), 100, 30));
    assert!(s.contains("두 작업자"), "{s}");
    p.go(1);
    let s = buffer_text(&to_buffer(p.show(), p.ui(), 100, 30));
    assert!(s.contains("대기 스레드 큐에서 잠든다"), "{s}");
    p.go(2);
    let s = buffer_text(&to_buffer(p.show(), p.ui(), 100, 30));
    assert!(s.contains("[en] Only in English."), "{s}");
}

#[test]
fn the_html_page_carries_the_chosen_language() {
    let sc = scenario();
    let page = html::page(&sc, Flavor::Windows, Lang::Ko);
    assert!(
        page.contains("<title>두 작업자 · iocp-sim</title>"),
        "no Korean title"
    );
    assert!(page.contains("T1은 대기 스레드 큐에서 잠든다."));
    assert!(!page.contains("T1 sleeps in the WTQ."));
    assert!(page.contains("[en] Only in English."));
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
