//! The JSON Schema printed by `iocp-sim schema` agrees with the reader:
//! it accepts every lesson and rejects the mistakes the reader rejects.

use iocp_sim::scenario::schema::json as schema_json;
use serde_json::{json, Value};

fn validator() -> jsonschema::Validator {
    crate::util::validator(&schema_json())
}

fn lessons() -> Vec<(String, Value)> {
    crate::util::lessons()
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.display().to_string(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect()
}

#[test]
fn schema_accepts_every_lesson() {
    let v = validator();
    for (name, doc) in lessons() {
        let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
}

fn minimal(step: Value) -> Value {
    json!({
        "format": "iocp-sim/1",
        "title": "t",
        "ports": [{"id": "P", "concurrency": 1}],
        "threads": ["T1"],
        "steps": [step]
    })
}

#[test]
fn schema_and_reader_reject_the_same_mistakes() {
    let v = validator();
    let bad = [
        json!({"op": "get", "thread": "T1"}),
        json!({"op": "get", "thread": "T1", "port": "P", "expcet": {}}),
        json!({"op": "get", "thread": "T1", "port": "P", "device": "D"}),
        json!({"op": "get_ex", "thread": "T1", "port": "P", "max": 0}),
        json!({"op": "get", "thread": "T1", "port": "P", "timeout": "forever"}),
        json!({"op": "complete", "overlapped": "ov", "status": "oops"}),
        json!({"op": "fly", "thread": "T1"}),
        json!({"expect": {"result": "success"}, "thread": "T1"}),
        json!({"op": "post", "port": "P", "expect": {"threads": {"T1": "sleeping"}}}),
    ];
    for step in bad {
        let doc = minimal(step.clone());
        assert!(!v.is_valid(&doc), "schema accepts {step}");
        let read = iocp_sim::scenario::load_str("bad.json", &doc.to_string());
        assert!(read.is_err(), "reader accepts {step}");
    }
    let good = minimal(
        json!({"op": "get", "thread": "T1", "port": "P", "timeout": 0,
        "expect": {"result": "WAIT_TIMEOUT", "ports": {"P": {"current": 1}}}}),
    );
    assert!(v.is_valid(&good));
    assert!(iocp_sim::scenario::load_str("good.json", &good.to_string()).is_ok());
}

#[test]
fn schema_rejects_other_versions() {
    let mut doc = minimal(json!({"op": "post", "port": "P"}));
    doc["format"] = json!("iocp-sim/2");
    assert!(!validator().is_valid(&doc));
}

#[test]
fn schema_and_reader_agree_on_texts_in_languages() {
    let v = validator();
    let mut good = minimal(json!({"op": "post", "port": "P",
        "note": {"en": "a packet", "ko": "패킷 하나"}}));
    good["title"] = json!({"en": "t", "ko": "제목"});
    good["description"] = json!({"en": "d"});
    assert!(v.is_valid(&good), "schema refuses {good}");
    assert!(iocp_sim::scenario::load_str("good.json", &good.to_string()).is_ok());
    let bad_notes = [
        json!({"ko": "영어 없음"}),
        json!({"en": "a", "kr": "b"}),
        json!({"en": 3}),
        json!(["en", "a"]),
    ];
    for note in bad_notes {
        let doc = minimal(json!({"op": "post", "port": "P", "note": note.clone()}));
        assert!(!v.is_valid(&doc), "schema accepts note {note}");
        let read = iocp_sim::scenario::load_str("bad.json", &doc.to_string());
        assert!(read.is_err(), "reader accepts note {note}");
    }
    let mut two_lines = minimal(json!({"op": "post", "port": "P"}));
    two_lines["title"] = json!({"en": "t", "ko": "둘째\n줄"});
    assert!(!v.is_valid(&two_lines));
    let e = iocp_sim::scenario::load_str("bad.json", &two_lines.to_string()).unwrap_err();
    assert!(e.to_string().contains("title (ko) must be one line"), "{e}");
}
