//! The architecture invariants of ARCHITECTURE.md, checked on the source
//! (comments and test modules left out). Each rule here is stated there
//! with this file's name:
//!
//! 1. the model (the crate `crates/iocp-model`) depends on nothing: its
//!    Cargo.toml lists no dependency (dev-dependencies aside), its sources
//!    name no `iocp_sim` and no `extern crate`, and it neither prints nor
//!    touches the OS ([`check_model`]). That nothing outside writes its
//!    fields is kept by the compiler (they are private to the crate), not
//!    by a test;
//! 2. in `src/`, nothing prints or exits but the command's one printer
//!    (`src/cli/mod.rs`, whose `say` escapes every text for the terminal;
//!    the subcommands print through it), `src/main.rs`, the terminal views
//!    (`views::tui`, `views::player`), and `live::control` and
//!    `live::shuttle`, which report a failing schedule on stderr as a test
//!    harness does;
//! 3. only `diff::launch`, the terminal player and the command start
//!    processes or write files; the loaders ([`LOADERS`]) may open and read
//!    the files they are named; `live::control` and `live::shuttle` save a
//!    failing schedule as a scenario and the fuzz checks hand their input to readers that take a
//!    path through a scratch file;
//! 4. the top-level modules of `src/` form no cycle, and neither do the
//!    files of one module (every `crate::` and `super::` path is an edge);
//! 5. no file of `src/` but `escape.rs` has escaping code (an entity such
//!    as `"&lt;"` as a string of its own, or `\u003c`): it is the one
//!    escaper;
//! 6. ARCHITECTURE.md names every file under `src/` and
//!    `crates/iocp-model/src/`, and every file it names there exists
//!    ([`named_files`]);
//! 7. `diagnostic.rs` reads no message text: "did you mean" comes from the
//!    data an error carries, so its string literals hold only its own words
//!    ([`DIAGNOSTIC_WORDS`]), none of the words of the messages it shows
//!    ([`message_words`]).
//!
//! The checkers are plain functions of (path, text) pairs, so the tests at
//! the end run them on small fake trees with a bad line injected.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Files that may print (`println!`, `eprintln!`, `print!`, `eprint!`) or
/// call `process::exit`. Paths are relative to `src/`; a path ending in
/// `/` covers a directory.
const PRINTERS: &[&str] = &[
    "cli/mod.rs",
    "main.rs",
    "views/tui.rs",
    "views/player.rs",
    "live/control.rs",
    "live/shuttle.rs",
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
    "course.rs",
    "lab/config/trace.rs",
    "runner/check.rs",
];

/// The only words `diagnostic.rs` writes in its string literals: its own
/// (rule 7). Any other word there would be a piece of some error's message,
/// which it would hold only to look for it in a message.
const DIAGNOSTIC_WORDS: &[&str] = &["did", "you", "mean", "error", "help", "step"];

/// Files with a narrow, stated use of the file system (see rule 3).
const SCRATCH_WRITERS: &[&str] = &["live/control.rs", "live/shuttle.rs", "fuzzing.rs"];

/// What escaping code writes (an entity as a string of its own, the JSON
/// escape of `<` in a script): `escape.rs` alone (rule 5). An entity
/// inside fixed markup (`"<text>RTL &gt; max</text>"`) escapes nothing.
const ESCAPE_TOKENS: &[&str] = &[
    "\"&lt;\"",
    "\"&gt;\"",
    "\"&amp;\"",
    "\"&quot;\"",
    "\"&apos;\"",
    "\"&#39;\"",
    "\\u003c",
];

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

/// What `code` (of the file `shown`) does that it may not: print or exit,
/// write files or start processes, read files; one line per kind.
fn effects(shown: &str, code: &str, print: bool, write: bool, read: bool) -> Vec<String> {
    let has = |tokens: &[&'static str]| tokens.iter().find(|t| mentions(code, t)).copied();
    let mut bad = Vec::new();
    if let (false, Some(t)) = (print, has(PRINT_TOKENS)) {
        bad.push(format!(
            "{shown}: {t} outside the printers (cli prints through `say` in cli/mod.rs, which escapes for the terminal)"
        ));
    }
    if let (false, Some(t)) = (write, has(WRITE_TOKENS)) {
        bad.push(format!(
            "{shown}: {t} (only diff::launch, the terminal player and cli touch the OS)"
        ));
    }
    if let (false, Some(t)) = (read, has(READ_TOKENS)) {
        bad.push(format!("{shown}: {t} outside the loaders"));
    }
    bad
}

/// The violations of rule 1 by the model crate: `manifest` is its
/// Cargo.toml, `files` its sources ((path relative to its `src/`, text)).
fn check_model(manifest: &str, files: &[(String, String)]) -> Vec<String> {
    let mut bad = Vec::new();
    let toml: toml::Table = match manifest.parse() {
        Ok(t) => t,
        Err(e) => return vec![format!("crates/iocp-model/Cargo.toml: {e}")],
    };
    let mut tables: Vec<(String, &toml::Value)> = ["dependencies", "build-dependencies"]
        .iter()
        .filter_map(|k| Some((k.to_string(), toml.get(*k)?)))
        .collect();
    for (target, t) in toml
        .get("target")
        .and_then(|t| t.as_table())
        .into_iter()
        .flatten()
    {
        for k in ["dependencies", "build-dependencies"] {
            if let Some(v) = t.get(k) {
                tables.push((format!("target.{target}.{k}"), v));
            }
        }
    }
    for (name, deps) in tables {
        for dep in deps.as_table().into_iter().flat_map(|d| d.keys()) {
            bad.push(format!(
                "crates/iocp-model/Cargo.toml: [{name}] lists {dep} (the model depends on nothing)"
            ));
        }
    }
    for (path, text) in files {
        if module_of(path).last().is_some_and(|m| m == "tests") {
            continue; // the model's unit tests
        }
        let code = shipped(text);
        let shown = format!("crates/iocp-model/src/{path}");
        for t in ["iocp_sim", "extern crate"] {
            if mentions(&code, t) {
                bad.push(format!("{shown}: {t} (the model depends on nothing)"));
            }
        }
        let pure = effects(&shown, &code, false, false, false);
        bad.extend(
            pure.into_iter()
                .map(|b| format!("{b}; the model does no I/O")),
        );
    }
    bad
}

/// The files under `src/` and `crates/iocp-model/src/` that the code map
/// of ARCHITECTURE.md (`doc`) names, as paths from the repository root. A
/// name in backticks is a path from the root when it has a `/`, and else
/// a file of the directory of the last heading that names one
/// (`` ### `src/views/` `` then `` `frame.rs` `` is `src/views/frame.rs`).
fn named_files(doc: &str) -> BTreeSet<String> {
    let mut dir = String::new();
    let mut out = BTreeSet::new();
    for line in doc.lines() {
        let names = line.split('`').skip(1).step_by(2);
        if line.starts_with('#') {
            dir = names
                .filter(|n| n.ends_with('/'))
                .last()
                .unwrap_or("")
                .to_owned();
            continue;
        }
        for n in names {
            let file = n.rsplit('/').next().unwrap_or(n);
            if !file.contains('.') || file.contains(' ') || file.contains(':') {
                continue; // a directory, a command, an item
            }
            let path = if n.contains('/') {
                n.to_owned()
            } else {
                format!("{dir}{n}")
            };
            if path.starts_with("src/") || path.starts_with("crates/iocp-model/src/") {
                out.insert(path);
            }
        }
    }
    out
}

/// The words of the string literals of `code` (escapes such as `\n` and
/// placeholders such as `{path}` left out) that are not in `allowed`.
fn message_words(code: &str, allowed: &[&str]) -> Vec<String> {
    let b = code.as_bytes();
    let mut literals = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            // A character literal ('"', '\\', b'x'), not a lifetime.
            b'\'' if b.get(i + 2) == Some(&b'\'') => i += 3,
            b'\'' if b.get(i + 1) == Some(&b'\\') && b.get(i + 3) == Some(&b'\'') => i += 4,
            b'"' => {
                let mut text = String::new();
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 2; // an escape: no word of its own
                        text.push(' ');
                        continue;
                    }
                    text.push(b[i] as char);
                    i += 1;
                }
                i += 1;
                literals.push(text);
            }
            _ => i += 1,
        }
    }
    let mut out = Vec::new();
    for lit in literals {
        // Placeholders name variables, not words of a message.
        let mut plain = String::new();
        let mut depth = 0;
        for c in lit.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                c if depth == 0 => plain.push(c),
                _ => {}
            }
        }
        for w in plain.split(|c: char| !c.is_alphabetic()) {
            if !w.is_empty() && !allowed.contains(&w.to_lowercase().as_str()) {
                out.push(w.to_owned());
            }
        }
    }
    out
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
            top.entry(here[0].clone()).or_default().insert(t[0].clone());
        }
        if path == "diagnostic.rs" {
            let words = message_words(&code, DIAGNOSTIC_WORDS);
            if !words.is_empty() {
                bad.push(format!(
                    "src/diagnostic.rs: the words {words:?} in its strings (it reads no message text: \"did you mean\" comes from the error's data)"
                ));
            }
        }
        if path != "escape.rs" {
            if let Some(t) = ESCAPE_TOKENS.iter().find(|t| code.contains(*t)) {
                bad.push(format!("src/{path}: {t} (escape.rs is the one escaper)"));
            }
        }
        let writes = covers(OS, path) || covers(SCRATCH_WRITERS, path);
        bad.extend(effects(
            &format!("src/{path}"),
            &code,
            covers(PRINTERS, path),
            writes,
            writes || covers(LOADERS, path),
        ));
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

fn read_tree(dir: &Path, base: &Path, out: &mut Vec<(String, String)>, keep: fn(&Path) -> bool) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            read_tree(&p, base, out, keep);
        } else if keep(&p) {
            let rel = p
                .strip_prefix(base)
                .expect("under its root")
                .to_string_lossy();
            let text = std::fs::read(&p).expect("a source file");
            let text = String::from_utf8_lossy(&text).into_owned();
            out.push((rel.replace('\\', "/"), text));
        }
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (any kind), as (path relative to `dir`, text).
fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut files = Vec::new();
    read_tree(dir, dir, &mut files, |_| true);
    files
}

/// What an adapter over the lesson API may not do: apply or try a model
/// action, list or search moves, move programs, or parse a goal (the
/// rules and their reading live in the model and `lesson`); and read back
/// the text a view drew (a menu's lines, a message) to decide anything.
const ADAPTER_MAY_NOT: &[&str] = &[
    ".apply(",
    "try_action",
    "candidates(",
    "shortest_by",
    "free::shortest(",
    "advance_action",
    "next_call",
    "Runner",
    "Goal::parse",
    "Condition::parse",
    "lines.get(",
    "lines.iter(",
    "message.clone()",
    ".ui().menu",
    ".ui().message",
];

/// The violations of [`ADAPTER_MAY_NOT`] in one file's shipped code.
fn adapter_violations(path: &str, text: &str) -> Vec<String> {
    let code = shipped(text);
    ADAPTER_MAY_NOT
        .iter()
        .filter(|t| code.contains(*t))
        .map(|t| {
            format!(
                "{path}: {t} (an adapter over the lesson API holds no rule and reads no text back)"
            )
        })
        .collect()
}

#[test]
fn the_player_and_the_page_engine_hold_no_rule_and_parse_no_text() {
    let mut bad = Vec::new();
    for f in ["views/player.rs", "views/web.rs"] {
        let text = std::fs::read_to_string(root().join("src").join(f)).expect("the adapter");
        bad.extend(adapter_violations(f, &text));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The check sees what it forbids.
    let planted = "fn pick(&mut self) {\n    let why = self.ui.menu.as_ref().and_then(|m| m.lines.get(i));\n    free::try_action(&k, a);\n}\n";
    assert_eq!(adapter_violations("p.rs", planted).len(), 2);
}

#[test]
fn the_source_keeps_its_layers() {
    let src = root().join("src");
    let mut files = Vec::new();
    read_tree(&src, &src, &mut files, |p| {
        p.extension().is_some_and(|x| x == "rs")
    });
    assert!(files.len() > 50, "read the source tree");
    let bad = check(&files);
    assert!(bad.is_empty(), "layering violations:\n{}", bad.join("\n"));
}

#[test]
fn the_model_depends_on_nothing() {
    let model = root().join("crates/iocp-model");
    let manifest =
        std::fs::read_to_string(model.join("Cargo.toml")).expect("the model's Cargo.toml");
    let mut files = Vec::new();
    let src = model.join("src");
    read_tree(&src, &src, &mut files, |p| {
        p.extension().is_some_and(|x| x == "rs")
    });
    assert!(files.len() > 10, "read the model's sources");
    let bad = check_model(&manifest, &files);
    assert!(
        bad.is_empty(),
        "the model depends on something:\n{}",
        bad.join("\n")
    );
}

#[test]
fn architecture_md_names_every_file_and_only_files_that_exist() {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let split: Vec<_> = doc
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with("```") && l.matches('`').count() % 2 == 1)
        .map(|(i, _)| i + 1)
        .collect();
    assert!(
        split.is_empty(),
        "ARCHITECTURE.md: keep each `name` on one line (lines {split:?})"
    );
    let named = named_files(&doc);
    let mut present = BTreeSet::new();
    for dir in ["src", "crates/iocp-model/src"] {
        for (p, _) in tree(&root().join(dir)) {
            present.insert(format!("{dir}/{p}"));
        }
    }
    assert!(present.len() > 60, "read the trees");
    let missing: Vec<_> = present.difference(&named).collect();
    let stale: Vec<_> = named.difference(&present).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "ARCHITECTURE.md's code map does not name {missing:?}; it names files that do not exist: {stale:?}"
    );
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
        f("cli/mod.rs", "fn say() { print!(\"hi\"); std::process::exit(1) }\n"),
        f("cli/run.rs", "use crate::render::text;\nfn main() { outln!(\"hi\") }\n"),
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

/// Rule 7 on the real `diagnostic.rs`, and on the kind of line it had
/// before errors carried data (finding the word a message names).
#[test]
fn diagnostics_read_no_message_text() {
    let text = std::fs::read_to_string(root().join("src/diagnostic.rs")).expect("diagnostic.rs");
    assert_eq!(
        message_words(&shipped(&text), DIAGNOSTIC_WORDS),
        Vec::<String>::new()
    );
    for line in [
        "fn f(m: &str) -> Option<&str> { m.find(\"unknown \").map(|i| &m[i..]) }\n",
        "fn f(m: &str) -> bool { m.contains(\"(declared: \") }\n",
        "fn f(m: &str) -> usize { m.rfind(\" at line \").unwrap_or(0) }\n",
    ] {
        let bad = check(&with(good_tree(), "diagnostic.rs", line));
        assert_eq!(bad.len(), 1, "{line}: {bad:?}");
        assert!(
            bad[0].starts_with("src/diagnostic.rs: the words"),
            "{bad:?}"
        );
    }
    // Its own words, placeholders, escapes and character literals are fine.
    let own = "fn f(n: u8, e: E) -> String { if n == b'\"' { format!(\"error: {e}\\n  help: did you mean `{n}`?\") } else { format!(\"step {n}: \\\"{e}\\\"\") } }\n";
    assert_eq!(
        check(&with(good_tree(), "diagnostic.rs", own)),
        Vec::<String>::new()
    );
}

#[test]
fn the_checker_passes_a_good_tree() {
    assert_eq!(check(&good_tree()), Vec::<String>::new());
}

const MODEL_TOML: &str = "[package]\nname = \"m\"\n\n[features]\nunchecked = []\n\n[dependencies]\n\n[dev-dependencies]\nx = \"1\"\n";

fn model_tree() -> Vec<(String, String)> {
    let f = |p: &str, t: &str| (p.to_owned(), t.to_owned());
    vec![
        f(
            "lib.rs",
            "//! iocp_sim words it.\nmod kernel;\n#[cfg(test)]\nmod tests;\n",
        ),
        f(
            "kernel.rs",
            "use crate::ids::Id;\nuse std::collections::VecDeque;\n",
        ),
        f("tests.rs", "fn t() { println!(\"tests may\") }\n"),
    ]
}

#[test]
fn the_model_checker_passes_a_model_with_no_dependencies() {
    assert_eq!(check_model(MODEL_TOML, &model_tree()), Vec::<String>::new());
}

#[test]
fn the_model_checker_sees_a_dependency() {
    for (toml, section) in [
        (
            "[dependencies]\nserde = \"1\"\n",
            "[dependencies] lists serde",
        ),
        (
            "[dependencies.serde]\nversion = \"1\"\n",
            "[dependencies] lists serde",
        ),
        (
            "[build-dependencies]\ncc = \"1\"\n",
            "[build-dependencies] lists cc",
        ),
        (
            "[target.'cfg(unix)'.dependencies]\nlibc = \"1\"\n",
            "[target.cfg(unix).dependencies] lists libc",
        ),
    ] {
        let manifest = format!("[package]\nname = \"m\"\n{toml}");
        let bad = check_model(&manifest, &model_tree());
        assert_eq!(bad.len(), 1, "{toml}: {bad:?}");
        assert!(bad[0].contains(section), "{toml}: {bad:?}");
    }
}

#[test]
fn the_model_checker_sees_the_model_use_iocp_sim_print_or_touch_the_os() {
    for (line, seen) in [
        ("use iocp_sim::narrate;\n", "iocp_sim"),
        ("extern crate serde;\n", "extern crate"),
        ("fn f() { eprintln!(\"x\") }\n", "eprintln!"),
        ("fn f() { Command::new(p) }\n", "Command::new"),
        ("fn f() { std::fs::read(p) }\n", "std::fs"),
    ] {
        let bad = check_model(MODEL_TOML, &with(model_tree(), "kernel.rs", line));
        assert!(
            bad.len() == 1
                && bad[0].starts_with("crates/iocp-model/src/kernel.rs: ")
                && bad[0].contains(seen),
            "{line}: {bad:?}"
        );
    }
}

#[test]
fn the_file_list_is_read_from_headings_and_paths() {
    let doc = "# Title: `src/not-a-dir.rs`\n\
               - `src/lib.rs`: the library; `cargo test --test integration`\n\
               ### `src/views/`\n\
               - `frame.rs`, `player.html`: frames; `Kernel::from_parts`, `docs/model.md`\n\
               - `crates/iocp-model/src/rules.rs` and the directory `render/`\n";
    let named: Vec<_> = named_files(doc).into_iter().collect();
    assert_eq!(
        named,
        [
            "crates/iocp-model/src/rules.rs",
            "src/lib.rs",
            "src/views/frame.rs",
            "src/views/player.html",
        ]
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
    // A subcommand prints through the escaping printer, not by itself.
    let bad = check(&with(
        good_tree(),
        "cli/run.rs",
        "fn g() { println!(\"x\") }\n",
    ));
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad[0].starts_with("src/cli/run.rs: println!"), "{bad:?}");
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
    let bad = check(&with(
        good_tree(),
        "render/text.rs",
        "fn f() { s.replace('<', \"&lt;\") }\n",
    ));
    assert_eq!(
        bad,
        ["src/render/text.rs: \"&lt;\" (escape.rs is the one escaper)"]
    );
    let bad = check(&with(
        good_tree(),
        "escape.rs",
        "fn f() { s.replace('<', \"&lt;\") }\n",
    ));
    assert_eq!(bad, Vec::<String>::new());
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
