//! The committed WebAssembly module (`src/views/web/engine.wasm`, the
//! engine every classroom page carries) answers exactly as the host build
//! of the same code (`views::web::Engine`): every request a page makes for
//! every bundled lesson and challenge, in every flavour and both
//! languages, run under Node. A module built from older sources answers
//! differently somewhere (or not at all), so this also finds a module that
//! was not rebuilt after a change (`.ci/wasm-build.sh`); CI's byte-for-byte
//! rebuild (`.ci/wasm-build.sh --check`) is the stronger check.
//!
//! Without `node` on PATH (or `IOCP_SIM_NODE`) the test prints a loud
//! message and passes, unless `IOCP_SIM_REQUIRE_NODE=1`, when it fails.

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use iocp_sim::views::web::Engine;
use serde_json::{json, Value};

fn node() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("IOCP_SIM_NODE") {
        return Some(PathBuf::from(p));
    }
    let found = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("node"))
        .find(|p| p.is_file());
    if found.is_none() {
        if std::env::var("IOCP_SIM_REQUIRE_NODE").as_deref() == Ok("1") {
            panic!("IOCP_SIM_REQUIRE_NODE=1 but no node was found on PATH (apt-get install nodejs, or set IOCP_SIM_NODE)");
        }
        let _ = std::io::stderr().write_all(
            b"\n***************************************************************\n\
              * SKIPPED: no node on PATH; the committed WebAssembly engine  *\n\
              * was NOT compared with the host build. apt-get install -y     *\n\
              * nodejs, or set IOCP_SIM_REQUIRE_NODE=1 to make this fail.    *\n\
              ***************************************************************\n\n",
        );
    }
    found
}

/// Reads JSON requests, one a line, on stdin; writes the module's answer
/// to each, one a line, on stdout.
const DRIVER: &str = r#"
const fs = require('fs');
const readline = require('readline');
const bytes = fs.readFileSync(process.argv[1]);
WebAssembly.instantiate(bytes, {}).then(({ instance }) => {
  const x = instance.exports;
  const enc = new TextEncoder(), dec = new TextDecoder();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out = [];
  rl.on('line', (line) => {
    const req = enc.encode(line);
    const p = x.iocp_alloc(req.length);
    new Uint8Array(x.memory.buffer, p, req.length).set(req);
    const n = x.iocp_call(p, req.length);
    out.push(dec.decode(new Uint8Array(x.memory.buffer, x.iocp_answer(), n)));
  });
  rl.on('close', () => { process.stdout.write(out.join('\n') + '\n'); });
});
"#;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Every file of the bundled course by its name in the page.
fn files() -> serde_json::Map<String, Value> {
    let mut files = serde_json::Map::new();
    for (dir, prefix) in [
        ("sim-scenarios", ""),
        ("sim-scenarios/challenges", "challenges/"),
    ] {
        for e in std::fs::read_dir(repo(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            if p.extension().is_some_and(|x| x == "json") && name != "course.json" {
                let text = std::fs::read_to_string(&p).unwrap();
                files.insert(format!("{prefix}{name}"), Value::from(text));
            }
        }
    }
    files
}

/// The requests a page makes for every file, flavour, language and step,
/// with the host's answers.
fn requests() -> Vec<(String, String)> {
    let files = files();
    let names: Vec<String> = files.keys().cloned().collect();
    let lessons: Vec<&String> = names.iter().filter(|n| !n.contains('/')).collect();
    let challenges: Vec<&String> = names.iter().filter(|n| n.contains('/')).collect();
    let course = json!({
        "paths": [{ "id": "all", "title": "All", "lessons": lessons }],
        "challenges": challenges,
    });
    let mut host = Engine::new();
    let mut out = Vec::new();
    let mut ask = |req: Value| {
        let text = req.to_string();
        let answer = host.handle(&text);
        out.push((text, answer.clone()));
        serde_json::from_str::<Value>(&answer).unwrap()
    };
    ask(json!({ "op": "load", "files": files, "course": course }));
    for lang in ["en", "ko"] {
        ask(json!({ "op": "words", "lang": lang }));
        ask(json!({ "op": "catalog", "lang": lang }));
        for file in &names {
            for flavor in [
                Value::Null,
                json!("windows"),
                json!("wine"),
                json!("wine10"),
            ] {
                let run = ask(json!({ "op": "run", "file": file, "flavor": flavor, "lang": lang }));
                let last = run["ok"]["last"]
                    .as_u64()
                    .unwrap_or_else(|| panic!("{file}: {run}"));
                for i in 0..=last + 1 {
                    ask(
                        json!({ "op": "frame", "file": file, "flavor": flavor, "lang": lang, "index": i }),
                    );
                }
            }
        }
    }
    // Requests a page should never make are refused alike.
    ask(json!({ "op": "frame", "file": "nothing.json", "flavor": null, "lang": "en", "index": 0 }));
    ask(json!({ "op": "dance" }));
    out
}

#[test]
fn the_committed_module_answers_as_the_host_build() {
    let Some(node) = node() else { return };
    let module = repo("src/views/web/engine.wasm");
    let asked = requests();
    let mut child = Command::new(node)
        .arg("-e")
        .arg(DRIVER)
        .arg(&module)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node starts");
    let mut stdin = child.stdin.take().unwrap();
    let lines: Vec<String> = asked.iter().map(|(q, _)| q.clone()).collect();
    let writer = std::thread::spawn(move || {
        for l in lines {
            writeln!(stdin, "{l}").expect("node reads its requests");
        }
    });
    let answers: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| l.expect("node answers"))
        .collect();
    writer.join().unwrap();
    assert!(child.wait().unwrap().success(), "node failed");
    assert_eq!(answers.len(), asked.len(), "one answer per request");
    for ((q, host), wasm) in asked.iter().zip(&answers) {
        assert_eq!(
            wasm, host,
            "the committed module answers differently from the host build (rebuild it: .ci/wasm-build.sh)\nrequest: {}",
            &q[..q.len().min(300)]
        );
    }
    eprintln!(
        "{} requests answered alike by {} ({} bytes) and the host build",
        asked.len(),
        module.display(),
        std::fs::metadata(&module).unwrap().len()
    );
}
