//! The `run --json` wire format (docs/json-output.md) is what the schema
//! `docs/run-json.schema.json` says: every line that `iocp-sim run --json`
//! writes for every bundled lesson, in all three flavours, with and without
//! narration, validates against it.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::{bin, lessons};

const SCHEMA: &str = include_str!("../../docs/run-json.schema.json");

fn validator() -> jsonschema::Validator {
    crate::util::validator(SCHEMA)
}

/// The lines of `iocp-sim run FILE --json ARGS...`, parsed.
fn run_json(file: &std::path::Path, args: &[&str]) -> Vec<Value> {
    let out = bin()
        .arg("run")
        .arg(file)
        .arg("--json")
        .args(args)
        .output()
        .expect("iocp-sim runs");
    // 0: every expectation held; 1: some did not, or 2: the model rejected
    // a step the lesson did not expect (both for a lesson run in the other
    // flavour). The lines written up to there are the format's all the same.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0 | 1))
            || (out.status.code() == Some(2) && stderr.contains("the model rejects this action")),
        "{} {args:?}: {}",
        file.display(),
        stderr
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON value"))
        .collect()
}

#[test]
fn every_lesson_in_every_mode_matches_the_schema() {
    let v = validator();
    let mut events = BTreeSet::new();
    let mut lines = 0;
    for file in lessons() {
        for args in [
            &[][..],
            &["--flavor", "wine"][..],
            &["--flavor", "wine10"][..],
            &["--narration"][..],
            &["--narration", "--lang", "ko"][..],
        ] {
            for (i, line) in run_json(&file, args).iter().enumerate() {
                let errors: Vec<String> = v.iter_errors(line).map(|e| e.to_string()).collect();
                assert!(
                    errors.is_empty(),
                    "{} {args:?} line {}: {errors:?}\n{line}",
                    file.display(),
                    i + 1
                );
                for r in line["rules"].as_array().unwrap() {
                    events.insert(r["event"].as_str().unwrap().to_owned());
                }
                lines += 1;
            }
        }
    }
    assert!(lines > 500, "{lines} lines checked");
    assert!(
        events.len() >= 20,
        "the lessons show most events: {events:?}"
    );
}

/// Every `"event": {"enum": [...]}` list in the schema, wherever it is.
fn event_enums(v: &Value, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            if let Some(list) = m.get("event").and_then(|e| e.get("enum")) {
                let names = list.as_array().expect("an enum is a list");
                out.push(
                    names
                        .iter()
                        .map(|n| n.as_str().expect("event names are strings").to_owned())
                        .collect(),
                );
            }
            m.values().for_each(|x| event_enums(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| event_enums(x, out)),
        _ => {}
    }
}

/// The schema's list of event names is the model's one list
/// (`Event::NAMES`, which `run --json` writes through `Event::name`).
#[test]
fn the_schema_names_every_event_of_the_model() {
    let schema: Value = serde_json::from_str(SCHEMA).unwrap();
    let mut lists = Vec::new();
    event_enums(&schema, &mut lists);
    assert_eq!(lists.len(), 1, "one list of event names in the schema");
    assert_eq!(lists[0], iocp_sim::model::Event::NAMES.to_vec());
}

/// The table of events in docs/json-output.md names the model's events,
/// each once, and nothing else.
#[test]
fn the_documented_events_are_the_model_s_events() {
    let doc = include_str!("../../docs/json-output.md");
    let start = doc.find("| event | fields |").expect("the table of events");
    let mut documented: Vec<&str> = doc[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .flat_map(|l| l.split('|').nth(1).unwrap_or("").split(','))
        .map(|cell| cell.trim().trim_matches('`'))
        .collect();
    let mut names = iocp_sim::model::Event::NAMES.to_vec();
    documented.sort_unstable();
    names.sort_unstable();
    assert_eq!(documented, names);
}

#[test]
fn the_schema_rejects_a_renamed_or_missing_field() {
    let v = validator();
    let file = lessons().into_iter().next().unwrap();
    let mut line = run_json(&file, &[])[2].clone();
    assert!(v.is_valid(&line));
    let port = line["state"]["ports"].as_object_mut().unwrap();
    let p = port.values_mut().next().unwrap().as_object_mut().unwrap();
    let current = p.remove("current").unwrap();
    assert!(!v.is_valid(&line), "a port without current");
    line["state"]["ports"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .next()
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert("curent".into(), current);
    assert!(!v.is_valid(&line), "a misspelled field");
}

/// Lesson 19 (a worker posts to its own port) shows the queue-wait mark on
/// the wire: `by` in a post's action, a packet queued for a marked
/// inserter, and `state.marked`; the schema holds them to their shape.
#[test]
fn lesson_19_shows_by_and_the_queue_wait_mark() {
    let v = validator();
    let file = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sim-scenarios/19-worker-posts-to-its-own-port.json"
    ));
    let lines = run_json(file, &[]);
    for line in &lines {
        assert!(v.is_valid(line), "{line}");
    }
    let posted_by_w1 = lines
        .iter()
        .position(|l| l["op"] == "post" && l["action"]["by"] == "W1")
        .expect("a post by W1");
    let line = &lines[posted_by_w1];
    let queued = &line["rules"][0];
    assert_eq!(queued["event"], "queued", "{line}");
    assert_eq!(queued["why"], "marked_inserter", "{line}");
    assert_eq!(queued["by"], "W1", "{line}");
    assert_eq!(line["state"]["marked"], serde_json::json!(["W1"]), "{line}");
    assert!(
        lines.iter().any(|l| l["op"] == "post"
            && l["action"].get("by").is_none()
            && l["rules"][0]["event"] == "handed_off"),
        "a post from outside is handed to the waiter"
    );

    // The schema: `marked` is required, `by` is a thread name, and a
    // marked_inserter queueing names its thread.
    let mut broken = line.clone();
    broken["state"].as_object_mut().unwrap().remove("marked");
    assert!(!v.is_valid(&broken), "a state without marked");
    let mut broken = line.clone();
    broken["action"]["by"] = serde_json::json!(1);
    assert!(!v.is_valid(&broken), "by is a name");
    let mut broken = line.clone();
    broken["rules"][0].as_object_mut().unwrap().remove("by");
    assert!(!v.is_valid(&broken), "marked_inserter without by");

    // Neither Wine has the queue-wait mark.
    for flavor in ["wine", "wine10"] {
        for line in run_json(file, &["--flavor", flavor]) {
            assert_eq!(line["state"]["marked"], serde_json::json!([]), "{line}");
        }
    }
}

/// Lesson 1's handoffs under each flavour: `gated` says whether the
/// concurrency limit was checked (only Windows checks it), `wake` which end
/// of the WTQ was woken; the schema requires `gated` on every handoff.
#[test]
fn handed_off_says_gated_and_wake_per_flavour() {
    let v = validator();
    let file = &lessons()[0];
    for (flavor, gated, wake) in [
        ("windows", true, "lifo"),
        ("wine", false, "fifo"),
        ("wine10", false, "lifo"),
    ] {
        let lines = run_json(file, &["--flavor", flavor]);
        let handoffs: Vec<&Value> = lines
            .iter()
            .flat_map(|l| l["rules"].as_array().unwrap())
            .filter(|r| r["event"] == "handed_off")
            .collect();
        assert!(!handoffs.is_empty(), "{flavor}: lesson 1 hands off");
        for h in &handoffs {
            assert_eq!(h["gated"], gated, "{flavor}: {h}");
            assert_eq!(h["wake"], wake, "{flavor}: {h}");
        }
        let mut line = lines
            .into_iter()
            .find(|l| l["rules"][0]["event"] == "handed_off")
            .expect("a step whose first rule is a handoff");
        assert!(v.is_valid(&line), "{line}");
        line["rules"][0].as_object_mut().unwrap().remove("gated");
        assert!(!v.is_valid(&line), "{flavor}: a handoff without gated");
    }
}
