//! Snapshot tests of the text view (`render::text`): whole lesson runs as a
//! student sees them with `iocp-sim run`. A change to the narration or the
//! layout shows up here as a reviewable diff (`cargo insta review`, or
//! `INSTA_UPDATE=always cargo test --test integration snapshots::` and read
//! the diff).

use iocp_sim::model::Flavor;
use iocp_sim::narrate::{self, Lang};
use iocp_sim::scenario;

/// The text `iocp-sim run sim-scenarios/<file> [--flavor]` prints: header,
/// every step, summary. In the lesson's own flavour every expectation holds.
fn render_lesson(file: &str, flavor: Option<Flavor>) -> String {
    let path = crate::util::repo("sim-scenarios").join(file);
    let sc = scenario::load(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let flavor = flavor.unwrap_or(sc.world.flavor);
    let out = crate::util::text_view(&sc, flavor, Lang::En);
    assert!(
        flavor != sc.world.flavor || !out.contains(narrate::words(Lang::En).mismatch),
        "{file}: a step fails its expectations:\n{out}"
    );
    out
}

#[test]
fn text_view_of_the_over_subscription_lesson() {
    let out = render_lesson("04-over-subscription.json", None);
    // The point of the lesson must be visible without reading the snapshot.
    assert!(out.contains("went over the limit"), "{out}");
    insta::assert_snapshot!("over_subscription", out);
}

#[test]
fn text_view_of_the_lifo_wake_lesson() {
    let out = render_lesson("02-lifo-wake.json", None);
    insta::assert_snapshot!("lifo_wake", out);
}

#[test]
fn text_view_of_the_close_port_lesson() {
    let out = render_lesson("15-close-port-abandon.json", None);
    assert!(out.contains("ERROR_ABANDONED_WAIT_0"), "{out}");
    insta::assert_snapshot!("close_port_abandon", out);
}

#[test]
fn text_view_of_the_wine_lesson_under_wine() {
    // Under Wine the Windows expectations fail, and the view says so.
    let out = render_lesson("17-wine-vs-windows.json", Some(Flavor::Wine));
    assert!(out.contains("EXPECTATION FAILED"), "{out}");
    insta::assert_snapshot!("wine_lesson_under_wine", out);
}

/// `run --lang ko`: the fixed words of the text view are Korean too.
#[cfg(feature = "cli")]
#[test]
fn korean_text_view_has_no_english_labels() {
    let out = crate::util::bin()
        .args([
            "run",
            "--lang",
            "ko",
            "sim-scenarios/04-over-subscription.json",
        ])
        .output()
        .expect("run the binary");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for ko in [
        "단계 7:",
        "결과:",
        "결과: 성공",
        "결과: 진행 중",
        "최대 초과!",
        "포트 P  (최대 스레드 수 1, max 1)",
        "== 요약",
        "가장 컸던 RTL 2 (최대 스레드 수 1)",
    ] {
        assert!(text.contains(ko), "missing {ko:?}");
    }
    for en in [
        "OVER LIMIT",
        "result:",
        "summary",
        "Threads:",
        "-- step",
        "success",
        "pending",
    ] {
        assert!(
            !text.contains(en),
            "English label {en:?} in the Korean view"
        );
    }
}
