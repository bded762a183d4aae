//! `iocp-sim course DIR --html OUT` and `export --html`: one offline file
//! holding a folder's lessons and challenges (each file's own text, the
//! course's orders and the engine), small enough to send; a course file
//! that does not list the folder's lessons is refused with its name.

use std::path::Path;

use serde_json::Value;

use crate::util::{bin, repo, scratch, write};

/// The page's data block (its files, its start, its index).
fn data(page: &Path) -> Value {
    let html = std::fs::read_to_string(page).expect("the page is written");
    let start = html.find(r#"id="iocp-data">"#).expect("the data block") + 15;
    let end = start + html[start..].find("</script>").expect("its end");
    serde_json::from_str(&html[start..end]).expect("the data block is JSON")
}

fn run(args: &[&str], dir: &Path) -> std::process::Output {
    bin()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("iocp-sim runs")
}

#[test]
fn the_bundled_course_is_one_file_under_3_mb_with_every_lesson_and_challenge() {
    let dir = scratch("cli_course", "bundled");
    let o = run(&["course", "--html", "course.html"], &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = dir.join("course.html");
    let bytes = std::fs::metadata(&page).unwrap().len();
    assert!(
        bytes < 3 << 20,
        "the bundled course is {bytes} bytes, over 3 MiB"
    );
    let d = data(&page);
    let files = d["files"].as_object().unwrap();
    let course = iocp_sim::course::load(&repo("sim-scenarios/course.json")).unwrap();
    for p in &course.paths {
        let listed: Vec<&str> = d["course"]["paths"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == p.id.as_str())
            .unwrap_or_else(|| panic!("no path {}", p.id))["lessons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap())
            .collect();
        assert_eq!(listed, p.lessons, "the page keeps the order of {}", p.id);
    }
    for name in course.paths[0].lessons.iter().chain(&course.challenges) {
        let text = std::fs::read_to_string(repo("sim-scenarios").join(name)).unwrap();
        assert_eq!(
            files[name.as_str()],
            text.as_str(),
            "{name} is in the page as written"
        );
    }
    assert_eq!(d["start"], course.paths[0].lessons[0].as_str());
    eprintln!("the bundled course: {bytes} bytes");
}

const LESSON: &str = r#"{"format": "iocp-sim/1", "title": {"en": "A", "ko": "가"},
  "ports": [{"id": "P", "concurrency": 1}], "threads": ["T1", "T2"],
  "steps": [{"op": "get", "thread": "T1", "port": "P"}]}"#;

const CHALLENGE: &str = r#"{"format": "iocp-sim-challenge/1", "title": "C", "description": "D",
  "lesson": "../a.json", "step": 0, "goal": "over_limit", "budget": 4, "shortest": 2, "hints": []}"#;

#[test]
fn a_folder_without_a_course_file_gets_its_lessons_by_name_and_its_challenges() {
    let dir = scratch("cli_course", "default");
    write(&dir, "b.json", &LESSON.replace("\"A\"", "\"B\""));
    write(&dir, "a.json", LESSON);
    std::fs::create_dir_all(dir.join("challenges")).unwrap();
    write(&dir.join("challenges"), "c.json", CHALLENGE);
    let o = run(&["course", ".", "--html", "out.html", "--lang", "ko"], &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d = data(&dir.join("out.html"));
    assert_eq!(
        d["course"]["paths"][0]["lessons"],
        serde_json::json!(["a.json", "b.json"])
    );
    assert_eq!(
        d["course"]["challenges"],
        serde_json::json!(["challenges/c.json"])
    );
    assert_eq!(d["lang"], "ko");
    let html = std::fs::read_to_string(dir.join("out.html")).unwrap();
    assert!(
        html.contains("<title>가 · iocp-sim</title>"),
        "the start's title in Korean"
    );

    // A challenge exported alone carries its lesson, named from its folder.
    let o = run(&["export", "challenges/c.json", "--html", "c.html"], &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d = data(&dir.join("c.html"));
    let names: Vec<&String> = d["files"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["../a.json", "c.json"]);
    assert_eq!(d["start"], "c.json");
}

#[test]
fn a_course_file_that_misses_a_lesson_is_refused_with_its_name() {
    let dir = scratch("cli_course", "bad");
    write(&dir, "a.json", LESSON);
    write(&dir, "b.json", LESSON);
    write(
        &dir,
        "course.json",
        r#"{"format": "iocp-sim-course/1", "paths": [{"id": "x", "title": "X", "lessons": ["a.json"]}], "challenges": []}"#,
    );
    let o = run(&["course", ".", "--html", "out.html"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("course.json") && err.contains("b.json"),
        "{err}"
    );
    assert!(!dir.join("out.html").exists(), "nothing is written");
    // A lesson that does not read is named with its reason.
    write(&dir, "b.json", "{\"format\": \"iocp-sim/1\"");
    std::fs::remove_file(dir.join("course.json")).unwrap();
    let o = run(&["course", ".", "--html", "out.html"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("b.json"), "{err}");
}
