//! Every lesson in sim-scenarios/ through every classroom view, in both
//! flavours and both languages: the terminal picture stays inside its boxes
//! at 80x24 for every step, the timeline is valid SVG with one disc per
//! delivered packet, and the HTML page embeds no raw markup.

use iocp_sim::lesson::Mode;
use iocp_sim::model::Flavor;
use iocp_sim::narrate::Lang;
use iocp_sim::scenario;
use iocp_sim::views::player::Player;
use iocp_sim::views::tui::{buffer_text, to_buffer, Ui};
use iocp_sim::views::{html, svg, words, Show};

use crate::util::{lessons, repo};

const CASES: [(Flavor, Lang); 6] = [
    (Flavor::Windows, Lang::En),
    (Flavor::Wine, Lang::En),
    (Flavor::Wine10, Lang::En),
    (Flavor::Windows, Lang::Ko),
    (Flavor::Wine, Lang::Ko),
    (Flavor::Wine10, Lang::Ko),
];

#[test]
fn every_step_of_every_lesson_fits_the_terminal() {
    for path in lessons() {
        let sc = scenario::load(&path).unwrap();
        for (flavor, lang) in CASES {
            let show = Show::new(&sc, flavor, lang);
            for index in 0..show.frames.len() {
                let ui = Ui {
                    index,
                    ..Ui::default()
                };
                for (w, h) in [(80, 24), (132, 40)] {
                    let s = buffer_text(&to_buffer(&show, &ui, w, h));
                    for line in s.lines().filter(|l| l.starts_with('│')) {
                        assert!(
                            line.ends_with('│'),
                            "{} {flavor:?} {lang:?} step {index} at {w}x{h}: a line leaves its box:\n{s}",
                            path.display()
                        );
                    }
                    let step = format!("{} {index}/{}", words(lang).step, show.last());
                    assert!(
                        s.lines().next().unwrap().contains(&step),
                        "{}: {s}",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn every_lesson_has_a_valid_timeline_and_a_safe_page() {
    for path in lessons() {
        let sc = scenario::load(&path).unwrap();
        for (flavor, lang) in CASES {
            let text = svg::timeline(&sc, flavor, lang);
            let doc = roxmltree::Document::parse(&text)
                .unwrap_or_else(|e| panic!("{} {flavor:?}: invalid SVG: {e}", path.display()));
            let discs = doc
                .descendants()
                .filter(|n| n.attribute("class") == Some("delivery"))
                .count();
            let show = Show::new(&sc, flavor, lang);
            let delivered: usize = show.frames.iter().map(|f| f.deliveries.len()).sum();
            assert_eq!(discs, delivered, "{} {flavor:?}", path.display());
            let spans = doc
                .descendants()
                .filter(|n| n.attribute("class") == Some("over-span"))
                .count();
            let any_over = show.frames.iter().any(|f| f.ports.iter().any(|p| p.over));
            assert_eq!(spans > 0, any_over, "{} {flavor:?}", path.display());
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let page = html::page("lesson.json", &text, sc.world.flavor, Lang::En).unwrap();
        assert_eq!(page.matches("</script>").count(), 4, "{}", path.display());
        assert_eq!(page.matches("<script").count(), 4, "{}", path.display());
    }
}

/// Lesson 19's kept packet: every view shows which thread carries the
/// queue-wait mark, in both languages, and none shows it under Wine (which
/// has no such rule).
#[test]
fn every_view_shows_the_queue_wait_mark() {
    let path = repo("sim-scenarios/19-worker-posts-to-its-own-port.json");
    let sc = scenario::load(&path).unwrap();
    // Step 4: W1 posted while carrying the mark; W2 waits.
    const STEP: usize = 4;
    for lang in [Lang::En, Lang::Ko] {
        let w = words(lang);
        let show = Show::new(&sc, Flavor::Windows, lang);
        let f = &show.frames[STEP];
        let marked: Vec<&str> = f
            .threads
            .iter()
            .filter(|t| t.mark)
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(marked, ["W1"], "{lang:?}");
        // Terminal player.
        let ui = Ui {
            index: STEP,
            ..Ui::default()
        };
        let s = buffer_text(&to_buffer(&show, &ui, 132, 40));
        assert!(s.contains(&format!("+{}", w.mark.0)), "{lang:?}:\n{s}");
        // The player in scheduler mode (the lesson's threads have
        // programs): the code pane takes the threads line's place, and its
        // column heads carry the mark, at 80x24 too.
        let mut p = Player::new(sc.clone(), Flavor::Windows, lang);
        assert_eq!(p.mode(), Mode::Scheduler);
        p.go(STEP);
        let code = p.ui().code.clone().expect("the code pane");
        let running = &f.threads[0].state_text;
        assert_eq!(
            code.threads[0].head,
            format!("W1 {running}@P +{}", w.mark.0)
        );
        assert!(!code.threads[1].head.contains('+'), "{:?}", code.threads[1]);
        let s = buffer_text(&to_buffer(&p, p.ui(), 80, 24));
        assert!(
            s.contains(&format!("W1 {running}@P +{}", w.mark.0)),
            "{lang:?}:\n{s}"
        );
        // HTML player: its engine's frames carry the flag, and the page
        // draws it.
        let text = std::fs::read_to_string(&path).unwrap();
        let mut e = crate::util::engine(&[("19.json", &text)]);
        let (_, frames) =
            crate::util::engine_frames(&mut e, "19.json", Some("windows"), lang.code());
        assert_eq!(frames[STEP]["threads"][0]["mark"], true, "{lang:?}");
        let page = html::page("19.json", &text, Flavor::Windows, lang).unwrap();
        assert!(page.contains("data-mark"), "{lang:?}");
        // SVG timeline: one diamond per marked thread and step.
        let text = svg::timeline(&sc, Flavor::Windows, lang);
        let doc = roxmltree::Document::parse(&text).unwrap();
        let diamonds = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("mark"))
            .count();
        let expected: usize = show
            .frames
            .iter()
            .map(|f| f.threads.iter().filter(|t| t.mark).count())
            .sum();
        assert!(expected > 0);
        assert_eq!(diamonds, expected, "{lang:?}");
    }
    let wine = Show::new(&sc, Flavor::Wine, Lang::En);
    assert!(wine
        .frames
        .iter()
        .all(|f| f.threads.iter().all(|t| !t.mark)));
    // The mark is narrated when it is set and when it is cleared, at the
    // steps the model reports it (step 2: W1's get took a packet without
    // sleeping; step 8: W1 blocked), in every view built on the frames.
    for lang in [Lang::En, Lang::Ko] {
        let show = Show::new(&sc, Flavor::Windows, lang);
        let mark_lines = |i: usize| -> Vec<String> {
            show.frames[i]
                .rules
                .iter()
                .filter(|r| r.label == words(lang).mark_name)
                .map(|r| r.text.clone())
                .collect()
        };
        let set = mark_lines(2);
        assert_eq!(set.len(), 1, "{lang:?}: {set:?}");
        assert!(set[0].contains("W1"), "{set:?}");
        let cleared = mark_lines(8);
        assert_eq!(cleared.len(), 1, "{lang:?}: {cleared:?}");
        assert_ne!(set[0], cleared[0]);
        assert!(mark_lines(5).is_empty(), "no change, no sentence");
        if lang == Lang::En {
            assert!(set[0].starts_with("W1 now carries the queue-wait mark"));
            assert_eq!(cleared[0], "W1's queue-wait mark is cleared: it blocked.");
        }
    }
    assert!(wine
        .frames
        .iter()
        .all(|f| f.rules.iter().all(|r| r.label != words(Lang::En).mark_name)));
    let text = svg::timeline(&sc, Flavor::Wine, Lang::En);
    assert!(!text.contains("class=\"mark\""));
}

#[test]
fn a_frame_built_alone_or_by_the_player_is_the_frame_built_in_order() {
    use iocp_sim::runner::Trace;
    use iocp_sim::views::frame;
    use iocp_sim::views::player::Player;
    for path in lessons() {
        let sc = scenario::load(&path).unwrap();
        for (flavor, lang) in CASES {
            let trace = Trace::record(&sc, flavor);
            let all = frame::frames(&sc, &trace, lang);
            let n = all.len();
            // Backwards and jumping, so no frame is the one after the last.
            for i in (0..n).rev().chain((0..n).step_by(3)) {
                let alone = frame::frame(&sc, &trace, lang, i);
                assert_eq!(alone, all[i], "{} {flavor:?} {lang:?} frame {i}", sc.source);
            }
            let mut p = Player::new(sc.clone(), flavor, lang);
            for i in (0..n).rev().chain([n / 2, 0, n - 1, n / 2]) {
                p.go(i);
                assert_eq!(*p.frame(i), all[i], "{} player frame {i}", sc.source);
            }
        }
    }
}
