//! `sim-scenarios/course.json` (the lecture's order and the "surprise
//! first" order of the lessons) and the READMEs that present it: every
//! lesson appears in each path exactly once, the READMEs list each path in
//! the file's order under the path's title, and the lessons where the
//! lecture notes simplify say so under the glossary's heading.

use iocp_sim::course;
use iocp_sim::narrate::Lang;

use crate::util::{lessons, load, repo};

fn bundled() -> course::Course {
    course::load(&repo("sim-scenarios").join(course::FILE_NAME)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_lesson_appears_in_each_path_exactly_once() {
    let c = bundled();
    let names: Vec<String> = lessons()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        c.paths.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["lecture", "surprise"]
    );
    for p in &c.paths {
        let mut got = p.lessons.clone();
        got.sort();
        assert_eq!(got, names, "path {}", p.id);
        for lang in Lang::ALL {
            assert!(
                p.title.exact(lang).is_some(),
                "path {}: no {lang:?} title",
                p.id
            );
        }
    }
    // The lecture's order starts with overlapped I/O and the Device List,
    // as the notes do; the other one with the surprise of lesson 4.
    let lecture = &c.path("lecture").unwrap().lessons;
    assert_eq!(
        lecture[..2],
        ["09-device-list.json", "10-out-of-order-completion.json"]
    );
    assert_eq!(
        c.path("surprise").unwrap().lessons[0],
        "04-over-subscription.json"
    );
    // Lesson 19 needs 4, 6 and 17 before it in both orders.
    for p in &c.paths {
        let at = |n: &str| p.lessons.iter().position(|l| l.starts_with(n)).unwrap();
        for before in ["04", "06", "17"] {
            assert!(at(before) < at("19"), "path {}: {before} after 19", p.id);
        }
    }
    let challenges: Vec<String> = crate::util::json_files(&repo("sim-scenarios/challenges"))
        .iter()
        .map(|p| format!("challenges/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    let mut listed = c.challenges.clone();
    listed.sort();
    assert_eq!(listed, challenges, "course.json lists every challenge");
}

/// The lesson files a README line links to, in order.
fn linked(line: &str) -> Vec<String> {
    line.split("](")
        .skip(1)
        .map(|s| s[..s.find(')').unwrap()].to_owned())
        .collect()
}

#[test]
fn the_readmes_list_each_path_in_the_course_order() {
    let c = bundled();
    for (file, lang) in [("README.md", Lang::En), ("README.ko.md", Lang::Ko)] {
        let text = std::fs::read_to_string(repo("sim-scenarios").join(file)).unwrap();
        for p in &c.paths {
            let title = p.title.exact(lang).unwrap();
            let heading = format!("### {title}");
            let at = text
                .find(&heading)
                .unwrap_or_else(|| panic!("sim-scenarios/{file}: no heading {heading:?}"));
            let order = text[at..]
                .lines()
                .find(|l| l.contains(" → "))
                .unwrap_or_else(|| panic!("sim-scenarios/{file}: no order under {heading:?}"));
            assert_eq!(
                linked(order),
                p.lessons,
                "sim-scenarios/{file}: the order under {heading:?} differs from course.json"
            );
        }
    }
    let root = std::fs::read_to_string(repo("README.md")).unwrap();
    assert!(
        root.contains("sim-scenarios/course.json"),
        "README.md points to the course"
    );
}

/// The lessons where the lecture notes simplify say so, in both languages,
/// under the heading the glossary gives.
#[test]
fn the_lessons_that_differ_from_the_lecture_notes_say_so() {
    let heading = [
        (Lang::En, "Compared with the lecture notes"),
        (Lang::Ko, "강의 자료와 비교"),
    ];
    for name in ["01", "03", "05", "06", "13", "15", "18", "19", "20", "21"] {
        let path = lessons()
            .into_iter()
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
            .unwrap();
        let sc = load(&path);
        for (lang, h) in heading {
            let mut texts = vec![sc.world.title.get(lang).into_owned()];
            texts.extend(
                sc.world
                    .description
                    .iter()
                    .map(|d| d.get(lang).into_owned()),
            );
            texts.extend(
                sc.steps
                    .iter()
                    .filter_map(|s| s.note.as_ref())
                    .map(|n| n.get(lang).into_owned()),
            );
            assert!(
                texts.iter().any(|t| t.contains(h)),
                "{}: no note headed {h:?}",
                path.display()
            );
        }
    }
}
