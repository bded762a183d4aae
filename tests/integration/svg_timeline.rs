//! The SVG timeline: valid XML/SVG, one row per thread with its state at
//! every step, delivery marks where the trace delivered packets, shaded
//! spans exactly where a port's RTL is over its limit, escaped text.

use iocp_sim::model::Flavor;
use iocp_sim::narrate::Lang;
use iocp_sim::scenario;
use iocp_sim::views::svg;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

fn oversub_svg(flavor: Flavor, lang: Lang) -> String {
    svg::timeline(&crate::util::oversub(), flavor, lang)
}

fn class_is(n: &roxmltree::Node, class: &str) -> bool {
    n.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|w| w == class))
}

#[test]
fn timeline_is_valid_svg_with_a_row_per_thread() {
    let text = oversub_svg(Flavor::Windows, Lang::En);
    let doc = roxmltree::Document::parse(&text).expect("the timeline is well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some(SVG_NS));
    for a in ["width", "height", "viewBox"] {
        assert!(root.attribute(a).is_some(), "svg has {a}");
    }
    let rows: Vec<_> = doc
        .descendants()
        .filter(|n| class_is(n, "thread-row"))
        .collect();
    let names: Vec<_> = rows
        .iter()
        .map(|r| r.attribute("data-thread").unwrap())
        .collect();
    assert_eq!(names, ["T1", "T2", "T3"]);
    // The state of each thread after each step (0 = before step 1).
    let states = |row: &roxmltree::Node| -> Vec<String> {
        row.children()
            .filter(|c| class_is(c, "cell"))
            .map(|c| {
                c.attribute("class")
                    .unwrap()
                    .split_whitespace()
                    .nth(1)
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let t1 = states(&rows[0]);
    let t2 = states(&rows[1]);
    let t3 = states(&rows[2]);
    assert_eq!(t1.len(), 11, "one cell per step, 0..=10");
    assert_eq!(t1[0], "free");
    assert_eq!(t1[1], "waiting");
    assert_eq!(t1[5], "running", "T1 is released at step 5");
    assert_eq!(t2[3], "running");
    assert_eq!(t2[4], "paused", "T2 blocks at step 4");
    assert_eq!(t2[6], "running", "T2 returns at step 6");
    assert_eq!(t3[7], "free");
    assert_eq!(t3[8], "waiting", "T3 waits although a packet is queued");
    // Each cell says what it is when hovered (a <title>).
    assert!(rows[1]
        .descendants()
        .any(|n| n.tag_name().name() == "title" && n.text() == Some("T2 · step 4: paused @P")));
}

#[test]
fn deliveries_and_over_limit_spans_follow_the_trace() {
    let text = oversub_svg(Flavor::Windows, Lang::En);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let steps: Vec<&str> = doc
        .descendants()
        .filter(|n| class_is(n, "delivery"))
        .map(|n| n.attribute("data-step").unwrap())
        .collect();
    assert_eq!(
        steps,
        ["5", "3", "10"],
        "T1 at step 5; T2 at steps 3 and 10"
    );
    let spans: Vec<(&str, &str)> = doc
        .descendants()
        .filter(|n| class_is(n, "over-span"))
        .map(|n| {
            (
                n.attribute("data-from").unwrap(),
                n.attribute("data-to").unwrap(),
            )
        })
        .collect();
    assert_eq!(spans, [("6", "8")], "RTL 2/1 after steps 6, 7 and 8");
    let over_counts = doc
        .descendants()
        .filter(|n| class_is(n, "current") && class_is(n, "over"))
        .count();
    assert_eq!(over_counts, 3);

    // Wine never goes over here: T1, not T2, gets the first packet, and the
    // run stops at step 4 (T2 is still waiting, so it cannot block).
    let wine = oversub_svg(Flavor::Wine, Lang::En);
    let doc = roxmltree::Document::parse(&wine).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| class_is(n, "over-span"))
            .count(),
        0
    );
    let first = doc.descendants().find(|n| class_is(n, "delivery")).unwrap();
    assert_eq!(first.attribute("data-step"), Some("3"));
}

#[test]
fn legend_states_are_told_apart_without_colour() {
    let text = oversub_svg(Flavor::Windows, Lang::En);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let fills: Vec<&str> = doc
        .descendants()
        .filter(|n| class_is(n, "legend"))
        .map(|n| n.attribute("fill").unwrap())
        .collect();
    assert_eq!(fills.len(), 5);
    let mut unique = fills.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "five different fills: {fills:?}");
    // Every fill but free's (white) is a pattern, defined in the file.
    for f in fills.iter().filter(|f| f.starts_with("url(#")) {
        let id = &f[5..f.len() - 1];
        assert!(
            doc.descendants()
                .any(|n| n.tag_name().name() == "pattern" && n.attribute("id") == Some(id)),
            "{id}"
        );
    }
    assert_eq!(fills.iter().filter(|f| f.starts_with("url(#")).count(), 4);
}

#[test]
fn scenario_text_is_escaped() {
    let text = r#"{
      "format": "iocp-sim/1",
      "title": "<img src=x onerror=alert(1)> & \"quotes\" ]]> \u0001",
      "ports": [{ "id": "P<&>", "concurrency": 1 }],
      "threads": ["<T1>"],
      "steps": [{ "op": "get", "thread": "<T1>", "port": "P<&>" }, { "op": "post", "port": "P<&>" }]
    }"#;
    let sc = scenario::load_str("x.json", text).unwrap();
    for lang in [Lang::En, Lang::Ko] {
        let out = svg::timeline(&sc, Flavor::Windows, lang);
        let doc = roxmltree::Document::parse(&out).expect("still well-formed");
        let title = doc
            .descendants()
            .find(|n| n.tag_name().name() == "title")
            .unwrap();
        // A title with no Korean version is shown in English behind the mark.
        let mark = if lang == Lang::Ko { "[en] " } else { "" };
        assert_eq!(
            title.text(),
            Some(&*format!(
                "{mark}<img src=x onerror=alert(1)> & \"quotes\" ]]> \u{FFFD}"
            ))
        );
        assert!(!doc.descendants().any(|n| n.tag_name().name() == "img"));
        let row = doc
            .descendants()
            .find(|n| class_is(n, "thread-row"))
            .unwrap();
        assert_eq!(row.attribute("data-thread"), Some("<T1>"));
    }
}

#[test]
fn korean_timeline_uses_korean_words() {
    let text = oversub_svg(Flavor::Windows, Lang::Ko);
    roxmltree::Document::parse(&text).unwrap();
    for word in ["실행 중", "대기", "일시 정지", "최대 초과", "단계"] {
        assert!(text.contains(word), "{word}");
    }
}
