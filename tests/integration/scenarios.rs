//! The classroom scenarios in `sim-scenarios/`: every expectation holds in
//! the flavour each file declares, every file is documented for the class,
//! the model's properties hold at every step, and the Wine comparison
//! lesson really shows a difference under `--flavor wine`.

use std::path::PathBuf;

use iocp_sim::model::{properties, Flavor};
use iocp_sim::narrate::Lang;
use iocp_sim::runner::{Applied, Runner};
use iocp_sim::scenario::{Scenario, Text};

use crate::util::{lessons, load, repo};

/// The lesson that is meant to be run in both flavours.
const WINE_LESSON: &str = "17-wine-vs-windows.json";

fn lesson_dir() -> PathBuf {
    repo("sim-scenarios")
}

/// Runs a scenario in `flavor` and returns one line per failed expectation,
/// plus a line for a step the model rejected without the file expecting it
/// (such a step ends the run, as in `iocp-sim check`).
fn failures(sc: &Scenario, flavor: Flavor) -> Vec<String> {
    let mut runner = Runner::new(&sc.world, flavor);
    let mut out = Vec::new();
    for step in &sc.steps {
        let report = runner.step(step, &sc.names);
        let op = step.action.map_or("check", |a| a.op());
        for m in &report.mismatches {
            out.push(format!(
                "{}: step {} ({op}): {}: expected {}, actual {}",
                sc.source, step.number, m.key, m.expected, m.actual
            ));
        }
        if report.unexpected_rejection(step) {
            if let Applied::Rejected { message, .. } = &report.applied {
                out.push(format!(
                    "{}: step {} ({op}): rejected without expect.error: {message}",
                    sc.source, step.number
                ));
            }
            break;
        }
    }
    out
}

#[test]
fn there_is_a_full_lesson_sequence() {
    let names: Vec<String> = lessons()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.len() >= 16, "only {} lessons: {names:?}", names.len());
    for (i, name) in names.iter().enumerate() {
        let prefix = format!("{:02}-", i + 1);
        assert!(
            name.starts_with(&prefix),
            "lesson {name} should be number {prefix}.. (files are a numbered sequence with no gaps)"
        );
    }
    assert!(names.iter().any(|n| n == "04-over-subscription.json"));
    assert!(names.iter().any(|n| n == WINE_LESSON));
}

#[test]
fn every_lesson_passes_its_expectations() {
    let mut all = Vec::new();
    for path in lessons() {
        let sc = load(&path);
        all.extend(failures(&sc, sc.world.flavor));
    }
    assert!(
        all.is_empty(),
        "{} failed expectation(s):\n{}",
        all.len(),
        all.join("\n")
    );
}

/// What is wrong with one of a lesson's texts: missing, empty, or a
/// Korean version with no Korean in it (an English copy).
fn text_problems(name: &str, what: &str, text: Option<&Text>) -> Vec<String> {
    let Some(text) = text else {
        return vec![format!("{name}: no {what}")];
    };
    let mut problems = Vec::new();
    for lang in Lang::ALL {
        match text.exact(lang) {
            None => problems.push(format!("{name}: {what} has no {:?} text", lang.code())),
            Some(s) if s.trim().is_empty() => {
                problems.push(format!("{name}: {what} is empty in {:?}", lang.code()))
            }
            Some(s) if lang == Lang::Ko && !s.chars().any(|c| ('가'..='힣').contains(&c)) => {
                problems.push(format!("{name}: {what} in \"ko\" has no Korean: {s:?}"))
            }
            Some(_) => {}
        }
    }
    problems
}

#[test]
fn every_lesson_has_a_title_a_description_and_a_note_and_expectation_per_step_in_every_language() {
    let mut problems = Vec::new();
    for path in lessons() {
        let sc = load(&path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        problems.extend(text_problems(&name, "title", Some(&sc.world.title)));
        problems.extend(text_problems(
            &name,
            "description",
            sc.world.description.as_ref(),
        ));
        if sc.steps.is_empty() {
            problems.push(format!("{name}: no steps"));
        }
        for step in &sc.steps {
            let what = format!("step {} note", step.number);
            problems.extend(text_problems(&name, &what, step.note.as_ref()));
            if step.expect.as_ref().is_none_or(|e| e.count() == 0) {
                problems.push(format!("{name}: step {} has no expectation", step.number));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_lesson_text_check_fails_on_a_missing_or_untranslated_korean_string() {
    assert!(text_problems("x", "note", Some(&Text::plain("hi")))[0].contains("no \"ko\" text"));
    let copy = Text {
        en: "hi".into(),
        ko: Some("hi".into()),
    };
    assert!(text_problems("x", "note", Some(&copy))[0].contains("has no Korean"));
    let good = Text {
        en: "hi".into(),
        ko: Some("안녕 T1".into()),
    };
    assert!(text_problems("x", "note", Some(&good)).is_empty());
}

#[test]
fn the_korean_lesson_plan_names_every_lesson() {
    let readme = std::fs::read_to_string(lesson_dir().join("README.ko.md")).expect("README.ko.md");
    for path in lessons() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            readme.contains(&format!("`{name}`")),
            "sim-scenarios/README.ko.md does not mention {name}"
        );
    }
    assert!(readme.contains("run sim-scenarios/04-over-subscription.json --lang ko"));
}

#[test]
fn the_lesson_plan_names_every_lesson() {
    let readme = std::fs::read_to_string(lesson_dir().join("README.md")).expect("README.md");
    for path in lessons() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            readme.contains(&format!("`{name}`")),
            "sim-scenarios/README.md does not mention {name}"
        );
    }
    assert!(readme.contains("run sim-scenarios/04-over-subscription.json"));
    assert!(readme.contains("check sim-scenarios/"));
}

#[test]
fn the_model_properties_hold_at_every_lesson_step() {
    let mut problems = Vec::new();
    for path in lessons() {
        let sc = load(&path);
        let mut runner = Runner::new(&sc.world, sc.world.flavor);
        for step in &sc.steps {
            let before = runner.kernel().clone();
            let report = runner.step(step, &sc.names);
            let Some(action) = step.action else { continue };
            let outcome = match report.applied {
                Applied::Rejected { .. } => None,
                _ => Some(runner.outcome()),
            };
            if let Err(v) = properties::check_step(&before, &action, outcome, runner.kernel()) {
                problems.push(format!("{}: step {}: {v}", sc.source, step.number));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_wine_lesson_differs_between_flavours() {
    let sc = load(&lesson_dir().join(WINE_LESSON));
    assert_eq!(
        sc.world.flavor,
        Flavor::Windows,
        "its expectations are written for Windows"
    );
    assert!(failures(&sc, Flavor::Windows).is_empty());

    let under_wine = failures(&sc, Flavor::Wine);
    assert!(
        !under_wine.is_empty(),
        "every expectation also holds under Wine: the lesson shows no difference"
    );
    // The class is told to run it with --flavor wine: it must run to the end
    // there too (no step rejected), only with different results.
    assert!(
        under_wine.iter().all(|l| !l.contains("rejected")),
        "a step is rejected under Wine:\n{}",
        under_wine.join("\n")
    );
    // The two differences the notes point at: who is woken first, and how
    // many threads run at once on a port of concurrency 1.
    assert!(
        under_wine.iter().any(|l| l.contains("delivered")),
        "{under_wine:?}"
    );
    let mut win = Runner::new(&sc.world, Flavor::Windows);
    let mut wine = Runner::new(&sc.world, Flavor::Wine);
    let (mut peak_win, mut peak_wine) = (0, 0);
    for step in &sc.steps {
        win.step(step, &sc.names);
        wine.step(step, &sc.names);
        peak_win = peak_win.max(win.kernel().ports()[0].current());
        peak_wine = peak_wine.max(wine.kernel().ports()[0].current());
    }
    assert_eq!(peak_win, 1, "Windows keeps port P at its limit of 1");
    assert_eq!(
        peak_wine, 4,
        "Wine runs all four threads of the measurement at once"
    );
}

#[test]
fn the_korean_lessons_name_the_structures_as_the_views_and_narration_do() {
    let mut all = String::new();
    for path in lessons() {
        let sc = load(&path);
        let mut texts = vec![&sc.world.title];
        texts.extend(sc.world.description.as_ref());
        texts.extend(sc.steps.iter().filter_map(|s| s.note.as_ref()));
        for t in texts {
            all.push_str(t.exact(Lang::Ko).unwrap_or(""));
            all.push('\n');
        }
    }
    let w = iocp_sim::views::words(Lang::Ko);
    for term in [w.device_list, w.iocq.1, w.wtq.1, w.rtl.1, w.ptl.1] {
        assert!(all.contains(term), "no lesson says {term:?}");
    }
    // Other spellings are checked against docs/glossary.md (glossary::).
}

/// The text view and `run --json` show the queue-wait mark of lesson 19
/// (step 4: W1 posted to its own port while carrying it).
#[cfg(feature = "cli")]
#[test]
fn lesson_19_shows_the_mark_in_text_and_json() {
    use crate::util::bin;
    let path = lesson_dir().join("19-worker-posts-to-its-own-port.json");
    let out = bin().arg("run").arg("--json").arg(&path).output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let step4 = lines.iter().find(|v| v["step"] == 4).expect("step 4");
    assert_eq!(step4["state"]["marked"], serde_json::json!(["W1"]));
    assert_eq!(step4["action"]["by"], "W1");
    assert_eq!(step4["rules"][0]["why"], "marked_inserter", "{step4}");
    let out = bin().arg("run").arg(&path).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("W1 running@P (queue-wait mark)  W2 waiting@P"));
}
