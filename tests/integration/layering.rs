//! The layering of ARCHITECTURE.md ("Architecture invariants"), checked on
//! the source: every `crate::` and `super::` path in `src/**/*.rs` (test
//! modules and comments left out) is an edge between modules, and
//!
//! 1. the model (`src/model`) depends on nothing else in the crate;
//! 2. nothing prints or exits but the command (`src/cli`, `src/main.rs`) and
//!    the terminal views (`views::tui`, `views::player`), and `live::control`,
//!    which reports a failing schedule on stderr as a test harness does;
//! 3. only `diff::launch`, the terminal player and the command start
//!    processes or write files; the loaders ([`LOADERS`]) may open and read
//!    the files they are named; `live::control` saves a failing schedule as
//!    a scenario and the fuzz checks hand their input to readers that take a
//!    path through a scratch file;
//! 4. the top-level modules form no cycle, and neither do the files of one
//!    module.
//!
//! The checker is a plain function of (path, text) pairs, so the tests at
//! the end run it on small fake trees with a bad import injected.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Files that may print (`println!`, `eprintln!`, `print!`, `eprint!`) or
/// call `process::exit`. Paths are relative to `src/`; a path ending in
/// `/` covers a directory.
const PRINTERS: &[&str] = &[
    "cli/",
    "main.rs",
    "views/tui.rs",
    "views/player.rs",
    "live/control.rs",
];

/// Files that may start processes, write files or use the network.
const OS: &[&str] = &[
    "cli/",
    "main.rs",
    "diff/launch.rs",
    "views/tui.rs",
    "views/player.rs",
];

/// Files that may only open and read the files they are given.
const LOADERS: &[&str] = &[
    "scenario/parse.rs",
    "challenge.rs",
    "lab/config.rs",
    "runner/check.rs",
];

/// Files with a narrow, stated use of the file system (see rule 3).
const SCRATCH_WRITERS: &[&str] = &["live/control.rs", "fuzzing.rs"];

/// Reading or opening files.
const READ_TOKENS: &[&str] = &["std::fs", "File::open", "fs::read"];
/// Writing files, processes, the network.
const WRITE_TOKENS: &[&str] = &[
    "std::process",
    "Command::new",
    "std::net",
    "fs::write",
    "File::create",
    "OpenOptions",
    "create_dir",
    "remove_file",
    "remove_dir",
    "set_permissions",
];
const PRINT_TOKENS: &[&str] = &[
    "println!",
    "eprintln!",
    "print!",
    "eprint!",
    "process::exit",
];

fn covers(list: &[&str], path: &str) -> bool {
    list.iter().any(|p| {
        if p.ends_with('/') {
            path.starts_with(p)
        } else {
            path == *p
        }
    })
}

/// The code of a file that ships: comments and inline `#[cfg(test)]`
/// modules (at the end of the file, as everywhere in this crate) removed.
/// A test module in a file of its own is named `tests.rs` (see [`check`]).
fn shipped(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") || t.starts_with("#[cfg(all(test") {
            let next = lines.peek().map_or("", |l| l.trim_end());
            let module = next.trim_start();
            if (module.starts_with("mod ") || module.starts_with("pub mod ")) && next.ends_with('{')
            {
                break; // an inline test module: the rest of the file
            }
        }
        if t.starts_with("//") {
            continue;
        }
        let code = match line.find(" //") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The module path of a file (`explore/pack.rs` -> `["explore", "pack"]`,
/// `lab/mod.rs` -> `["lab"]`, `lib.rs` -> `[]`).
fn module_of(path: &str) -> Vec<String> {
    let stem = path.strip_suffix(".rs").unwrap_or(path);
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// Every module path a file names through `crate::` or `super::` (with
/// `{a, b::c}` groups expanded), absolute from the crate root.
fn targets(path: &str, code: &str) -> Vec<Vec<String>> {
    let here = module_of(path);
    let parent: Vec<String> = here[..here.len().saturating_sub(1)].to_vec();
    let mut out = Vec::new();
    for (root, base) in [("crate::", Vec::new()), ("super::", parent)] {
        let mut rest = code;
        while let Some(i) = rest.find(root) {
            let before = rest[..i].chars().last();
            rest = &rest[i + root.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `xcrate::` or `my_super::`
            }
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let first = ident(item.trim());
                    if !first.is_empty() {
                        out.push([base.clone(), vec![first]].concat());
                    }
                }
            } else {
                let mut segs = base.clone();
                let mut s = rest;
                loop {
                    let id = ident(s);
                    if id.is_empty() {
                        break;
                    }
                    s = &s[id.len()..];
                    segs.push(id);
                    match s.strip_prefix("::") {
                        Some(more) => s = more,
                        None => break,
                    }
                }
                out.push(segs);
            }
        }
    }
    out
}

/// True if `code` has `token` not preceded by a letter, digit or `_`
/// (`print!` is not in `eprint!`).
fn mentions(code: &str, token: &str) -> bool {
    code.match_indices(token).any(|(i, _)| {
        !code[..i]
            .chars()
            .last()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

fn ident(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The layering violations in `files` ((path relative to `src/`, text)),
/// one line each; empty when every rule holds.
fn check(files: &[(String, String)]) -> Vec<String> {
    let mut bad = Vec::new();
    let known: BTreeSet<String> = files.iter().map(|(p, _)| module_of(p).join("/")).collect();
    // Edges between top-level modules, and between files of one module.
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut inner: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in files {
        let code = shipped(text);
        let here = module_of(path);
        if here.is_empty() || here.last().is_some_and(|m| m == "tests") {
            continue; // lib.rs and main.rs declare and re-export; tests.rs is test code
        }
        for t in targets(path, &code) {
            if t.is_empty() || t[0] == here[0] {
                // Inside one top-level module: an edge between its files
                // when both paths name one (`lab/sim` -> `lab/config`).
                let (Some(a), Some(b)) = (here.get(1), t.get(1)) else {
                    continue;
                };
                let b_file = format!("{}/{b}", here[0]);
                if a != b && known.contains(&b_file) {
                    inner
                        .entry(format!("{}/{a}", here[0]))
                        .or_default()
                        .insert(b_file);
                }
                continue;
            }
            if here[0] == "model" {
                bad.push(format!(
                    "src/{path}: the model uses crate::{} (it depends on nothing)",
                    t.join("::")
                ));
            }
            top.entry(here[0].clone()).or_default().insert(t[0].clone());
        }
        let has = |tokens: &[&'static str]| tokens.iter().find(|t| mentions(&code, t)).copied();
        if !covers(PRINTERS, path) {
            if let Some(t) = has(PRINT_TOKENS) {
                bad.push(format!(
                    "src/{path}: {t} outside the command (only cli prints or exits)"
                ));
            }
        }
        if !covers(OS, path) && !covers(SCRATCH_WRITERS, path) {
            if let Some(t) = has(WRITE_TOKENS) {
                bad.push(format!(
                    "src/{path}: {t} (only diff::launch, the terminal player and cli touch the OS)"
                ));
            }
            if !covers(LOADERS, path) {
                if let Some(t) = has(READ_TOKENS) {
                    bad.push(format!("src/{path}: {t} outside the loaders"));
                }
            }
        }
    }
    for c in cycles(&top) {
        bad.push(format!(
            "a cycle between top-level modules: {}",
            c.join(" -> ")
        ));
    }
    for c in cycles(&inner) {
        bad.push(format!("a cycle between files: {}", c.join(" -> ")));
    }
    bad
}

/// One cycle through each strongly connected part of `g`, as the path
/// `a -> b -> ... -> a` (none when `g` is acyclic).
fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let mut found: Vec<Vec<String>> = Vec::new();
    let mut seen_in_cycle: BTreeSet<String> = BTreeSet::new();
    for start in g.keys() {
        if seen_in_cycle.contains(start) {
            continue;
        }
        // Breadth-first from `start` back to `start`: the shortest cycle.
        let mut prev: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        let mut closed = None;
        while let Some(n) = queue.pop_front() {
            for m in g.get(&n).into_iter().flatten() {
                if m == start {
                    closed = Some(n.clone());
                    break;
                }
                if !prev.contains_key(m) {
                    prev.insert(m.clone(), n.clone());
                    queue.push_back(m.clone());
                }
            }
            if closed.is_some() {
                break;
            }
        }
        if let Some(mut n) = closed {
            // `n` closes the cycle; walk back to `start`.
            let mut c = vec![start.clone()];
            while &n != start {
                c.push(n.clone());
                n = prev[&n].clone();
            }
            c.push(start.clone());
            c.reverse();
            seen_in_cycle.extend(c.iter().cloned());
            found.push(c);
        }
    }
    found
}

fn read_tree(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            read_tree(&p, base, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            let rel = p.strip_prefix(base).expect("under src").to_string_lossy();
            let text = std::fs::read_to_string(&p).expect("a source file");
            out.push((rel.replace('\\', "/"), text));
        }
    }
}

#[test]
fn the_source_keeps_its_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    read_tree(&src, &src, &mut files);
    assert!(files.len() > 50, "read the source tree");
    let bad = check(&files);
    assert!(bad.is_empty(), "layering violations:\n{}", bad.join("\n"));
}

/// A small tree that keeps every rule; each test below breaks one.
fn good_tree() -> Vec<(String, String)> {
    let f = |p: &str, t: &str| (p.to_owned(), t.to_owned());
    vec![
        f("lib.rs", "pub mod model;\npub mod scenario;\npub mod render;\n"),
        f("model/mod.rs", "pub mod kernel;\nuse self::kernel::Kernel;\n"),
        f("model/kernel.rs", "use super::ids::Id;\n"),
        f("scenario/parse.rs", "use std::fs::File;\nuse crate::model::Kernel;\n"),
        f("scenario/raw.rs", "use super::parse::x;\n"),
        f(
            "render/text.rs",
            "use crate::{model::Names, scenario::Step};\n// println!(\"only a comment\")\n",
        ),
        f("cli/run.rs", "use crate::render::text;\nfn main() { println!(\"hi\"); std::process::exit(1) }\n"),
        f(
            "diff/launch.rs",
            "use std::process::Command;\n#[cfg(test)]\nmod tests {\n    fn t() { println!(\"tests may\") }\n}\n",
        ),
    ]
}

fn with(mut files: Vec<(String, String)>, path: &str, line: &str) -> Vec<(String, String)> {
    match files.iter_mut().find(|(p, _)| p == path) {
        Some((_, t)) => t.push_str(line),
        None => files.push((path.to_owned(), line.to_owned())),
    }
    files
}

#[test]
fn the_checker_passes_a_good_tree() {
    assert_eq!(check(&good_tree()), Vec::<String>::new());
}

#[test]
fn the_checker_sees_the_model_import_anything() {
    let bad = check(&with(
        good_tree(),
        "model/kernel.rs",
        "use crate::scenario::Step;\n",
    ));
    assert_eq!(bad.len(), 2, "{bad:?}"); // the import, and the cycle it makes
    assert!(
        bad[0].contains("the model uses crate::scenario::Step"),
        "{bad:?}"
    );
}

#[test]
fn the_checker_sees_a_cycle_between_modules() {
    let bad = check(&with(
        good_tree(),
        "scenario/raw.rs",
        "fn f() { crate::render::text::g() }\n",
    ));
    assert_eq!(
        bad,
        ["a cycle between top-level modules: render -> scenario -> render"]
    );
}

#[test]
fn the_checker_sees_a_cycle_between_files() {
    let bad = check(&with(
        good_tree(),
        "scenario/parse.rs",
        "use super::raw::RawStep;\n",
    ));
    assert_eq!(
        bad,
        ["a cycle between files: scenario/parse -> scenario/raw -> scenario/parse"]
    );
}

#[test]
fn the_checker_sees_printing_and_the_os_outside_their_places() {
    let bad = check(&with(
        good_tree(),
        "render/text.rs",
        "fn f() { eprintln!(\"x\") }\n",
    ));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(
        bad[0].starts_with("src/render/text.rs: eprintln!"),
        "{bad:?}"
    );
    let bad = check(&with(
        good_tree(),
        "render/text.rs",
        "use std::process::Command;\n",
    ));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("touch the OS"), "{bad:?}");
    // A test module declared in its own file hides nothing after it.
    let after = "#[cfg(test)]\nmod tests;\nfn f() { print!(\"x\") }\n";
    let bad = check(&with(good_tree(), "render/text.rs", after));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("print!"), "{bad:?}");
    let bad = check(&with(good_tree(), "render/text.rs", "use std::fs::File;\n"));
    assert_eq!(bad, ["src/render/text.rs: std::fs outside the loaders"]);
    // A loader reads, but does not write.
    let bad = check(&with(
        good_tree(),
        "scenario/parse.rs",
        "fn f() { std::fs::write(p, b) }\n",
    ));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].contains("fs::write"), "{bad:?}");
}
