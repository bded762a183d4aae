//! What each fuzz target checks, as plain functions of the input bytes.
//!
//! The targets in `fuzz/` (cargo-fuzz, nightly) only call these functions,
//! and `tests/integration/fuzz_regressions.rs` replays every file of
//! `fuzz/regressions/<target>/` through them on the stable toolchain, so
//! the checks are written once. Each function panics when it finds a bug
//! (a crash, a broken property, two readers that disagree, an escape that
//! leaked) and returns quietly on any input the program handles correctly,
//! refusals included. See `docs/fuzzing.md`.

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostic;
use crate::explore::{self, Condition, ModelRules, Options, Stop, World};
use crate::lab::{self, report, sweep, LabConfig};
use crate::model::{Flavor, Kernel, Names, Outcome};
use crate::narrate::Lang;
use crate::render::{json, text};
use crate::runner::{Applied, Runner};
use crate::scenario::{self, Scenario, ScenarioError, Sink, Step};
use crate::views::{html, size, svg};

/// The checks of one fuzz target: panics on a bug.
pub type Target = fn(&[u8]);

/// The fuzz targets, by the name of their folder in `fuzz/regressions/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("scenario_bytes", scenario_bytes),
    ("scenario_structured", scenario_structured),
    ("explore_spec", explore_spec),
    ("lab_toml", lab_toml),
    ("export_strings", export_strings),
    ("terminal_text", terminal_text),
];

/// A scratch file for readers that take a path; unique per call.
struct Scratch(PathBuf);

impl Scratch {
    fn new(bytes: &[u8]) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let p = std::env::temp_dir().join(format!("iocp-sim-fuzz-{}-{n}.json", std::process::id()));
        std::fs::write(&p, bytes).expect("write the scratch file");
        Scratch(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Collects what the stream reader sends.
#[derive(Default)]
struct Collect {
    steps: Vec<Step>,
}

impl Sink for Collect {
    fn world(&mut self, _: &scenario::World, _: &Names) -> Result<(), ScenarioError> {
        Ok(())
    }
    fn step(&mut self, step: Step, _: &Names) -> Result<(), ScenarioError> {
        self.steps.push(step);
        Ok(())
    }
}

/// Scenario bytes: the stream reader, the whole-file reader and the text
/// reader agree (same steps, or the same message); a scenario read is run
/// with its expectations in both flavours with property 7 checked by clone
/// comparison, and rendered as text (terminal-safe), JSON (valid), HTML and
/// SVG (when small).
pub fn scenario_bytes(data: &[u8]) {
    let file = Scratch::new(data);
    let name = file.0.display().to_string();
    let whole = scenario::load(&file.0);
    let mut collect = Collect::default();
    let streamed = scenario::stream(&file.0, &mut collect);
    match (&whole, &streamed) {
        (Ok(s), Ok(_)) => assert_eq!(
            s.steps, collect.steps,
            "stream and load read different steps"
        ),
        (Err(a), Err(b)) => assert_eq!(
            a.to_string(),
            b.to_string(),
            "stream and load word an error differently"
        ),
        (a, b) => panic!("load {:?} but stream {:?}", a.is_ok(), b.is_ok()),
    }
    if let (Err(e), Ok(text)) = (&whole, std::str::from_utf8(data)) {
        // The long form of the error must show whatever the text.
        let _ = diagnostic::scenario(e, Some(text));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let plain = scenario::load_str(&name, text);
        match (&whole, &plain) {
            (Ok(a), Ok(b)) => assert_eq!(
                a.steps, b.steps,
                "file and text readers read different steps"
            ),
            (Err(a), Err(b)) => assert_eq!(
                a.to_string(),
                b.to_string(),
                "file and text readers word an error differently"
            ),
            (a, b) => panic!(
                "file reader {:?} but text reader {:?}",
                a.is_ok(),
                b.is_ok()
            ),
        }
    }
    if let Ok(s) = whole {
        check_scenario(&s, std::str::from_utf8(data).ok());
    }
}

/// Runs a scenario that was read in both flavours and renders it; with
/// its `text`, also as the page and the browser's engine show it.
fn check_scenario(s: &Scenario, text: Option<&str>) {
    for flavor in [Flavor::Windows, Flavor::Wine] {
        let mut runner = Runner::new(&s.world, flavor);
        let mut buf = Vec::new();
        let mut shown = text::header(&s.world, flavor.as_str(), Lang::En);
        let mut before: Kernel = runner.kernel().clone();
        runner.run(&s.steps, &s.names, &s.source, |step, report, runner| {
            if let Applied::Rejected { .. } = report.applied {
                // Property 7: a rejected action changes nothing.
                assert_eq!(
                    &before,
                    runner.kernel(),
                    "a rejected action changed the kernel"
                );
            }
            if let Some(action) = step.action {
                let outcome: Option<&Outcome> = match report.applied {
                    Applied::Done => Some(runner.outcome()),
                    _ => None,
                };
                if let Err(v) =
                    crate::model::properties::check_step(&before, &action, outcome, runner.kernel())
                {
                    panic!("step {}: {v}", step.number);
                }
            }
            json::step(
                &mut buf,
                step,
                &report,
                runner.outcome(),
                runner.kernel(),
                &s.names,
                Some(Lang::Ko),
            );
            shown.push_str(&text::step(
                step,
                &report,
                runner.outcome(),
                runner.kernel(),
                &s.names,
                Lang::En,
            ));
            before.clone_from(runner.kernel());
            ControlFlow::Continue(())
        });
        shown.push_str(&text::summary(runner.summary(), &s.names, Lang::En));
        assert_eq!(
            crate::escape::terminal(&shown),
            shown.as_str(),
            "text output is not terminal-safe"
        );
        for line in buf.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(line) {
                panic!(
                    "run --json wrote invalid JSON ({e}): {}",
                    String::from_utf8_lossy(line)
                );
            }
        }
    }
    let small = 4 << 20;
    let e = size::estimate(s, s.world.flavor, small);
    if let (true, Some(text)) = (e.html <= small && e.svg <= small, text) {
        let page =
            html::page("fuzz.json", text, s.world.flavor, Lang::En).expect("the text was read");
        check_page(&page);
        check_engine(text, e.frames);
    }
    if e.html <= small && e.svg <= small {
        let drawing = svg::timeline(s, s.world.flavor, Lang::Ko);
        check_svg(&drawing);
    }
}

/// The browser's engine answers every frame of the text in both languages
/// (or refuses in words), and never panics.
fn check_engine(text: &str, frames: u64) {
    let mut engine = crate::views::web::Engine::new();
    let files = serde_json::json!({ "op": "load", "files": { "fuzz.json": text }, "course": null });
    assert!(engine.handle(&files.to_string()).starts_with(r#"{"ok""#));
    for lang in ["en", "ko"] {
        let run = engine.handle(&format!(
            r#"{{"op":"run","file":"fuzz.json","flavor":null,"lang":"{lang}"}}"#
        ));
        assert!(run.starts_with(r#"{"ok""#), "{run}");
        for i in 0..frames {
            let f = engine.handle(&format!(
                r#"{{"op":"frame","file":"fuzz.json","flavor":"wine","lang":"{lang}","index":{i}}}"#
            ));
            assert!(
                f.starts_with(r#"{"ok""#) || f.contains("past the last step"),
                "{f}"
            );
        }
    }
}

/// The page's data cannot close its script element early.
fn check_page(page: &str) {
    let start = page.find("<script").expect("the page has a script");
    let body = &page[start..];
    let scripts = body.matches("</script").count();
    let opened = body.matches("<script").count();
    assert_eq!(scripts, opened, "a string closed a script element early");
}

/// The drawing's text cannot open elements: every `<` starts a known tag.
fn check_svg(drawing: &str) {
    for (i, _) in drawing.match_indices('<') {
        let rest = &drawing[i + 1..];
        let ok = [
            "?xml", "svg", "/svg", "title", "/title", "defs", "/defs", "pattern", "/pattern",
            "rect", "/rect", "circle", "path", "/path", "text", "/text", "g", "/g", "line",
            "tspan", "/tspan", "polyline", "polygon",
        ]
        .iter()
        .any(|t| rest.starts_with(t));
        assert!(
            ok,
            "the SVG holds an unexpected element: {}",
            &rest[..rest.len().min(40)]
        );
    }
}

/// A byte reader for the structured targets.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn below(&mut self, n: u8) -> u8 {
        self.byte() % n.max(1)
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Valid skeletons with arbitrary steps: two ports, three threads, two
/// devices, and then one step per three bytes (every op, any ids, with and
/// without expectations), written as JSON and checked as in
/// [`scenario_bytes`]. The fuzzer reaches the model instead of the parser.
pub fn scenario_structured(data: &[u8]) {
    let mut b = Bytes(data);
    let flavor = if b.byte() & 1 == 0 { "windows" } else { "wine" };
    let c1 = b.below(4);
    let c2 = b.below(3);
    let mut steps = Vec::new();
    while !b.is_empty() && steps.len() < 200 {
        let op = b.below(14);
        let t = format!("T{}", b.below(3) + 1);
        let p = if b.byte() & 1 == 0 { "P" } else { "Q" };
        let d = if b.byte() & 1 == 0 { "d1" } else { "d2" };
        let ov = format!("ov{}", b.below(3));
        let key = b.below(4);
        let step = match op {
            0 => format!(r#"{{"op":"get","thread":"{t}","port":"{p}"}}"#),
            1 => format!(
                r#"{{"op":"get","thread":"{t}","port":"{p}","timeout":{}}}"#,
                b.below(3)
            ),
            2 => format!(
                r#"{{"op":"get_ex","thread":"{t}","port":"{p}","max":{}}}"#,
                b.below(3) + 1
            ),
            3 => format!(r#"{{"op":"post","port":"{p}","key":{key}}}"#),
            4 => format!(r#"{{"op":"associate","device":"{d}","port":"{p}","key":{key}}}"#),
            5 => format!(r#"{{"op":"issue","device":"{d}","overlapped":"{ov}"}}"#),
            6 => format!(r#"{{"op":"complete","overlapped":"{ov}","bytes":{key}}}"#),
            7 => format!(r#"{{"op":"block","thread":"{t}","on":"io"}}"#),
            8 => format!(r#"{{"op":"unblock","thread":"{t}"}}"#),
            9 => format!(r#"{{"op":"timeout","thread":"{t}"}}"#),
            10 => format!(r#"{{"op":"exit","thread":"{t}"}}"#),
            11 => format!(r#"{{"op":"close_port","port":"{p}"}}"#),
            12 => format!(r#"{{"op":"close_device","device":"{d}"}}"#),
            _ => format!(
                r#"{{"op":"post","port":"{p}","expect":{{"ports":{{"{p}":{{"current":{key}}}}}}}}}"#
            ),
        };
        steps.push(step);
    }
    let text = format!(
        r#"{{"format":"iocp-sim/1","title":"fuzz","flavor":"{flavor}","cpus":2,"ports":[{{"id":"P","concurrency":{c1}}},{{"id":"Q","concurrency":{c2}}}],"threads":["T1","T2","T3"],"devices":[{{"id":"d1"}},{{"id":"d2","skip_on_success":true}}],"steps":[{}]}}"#,
        steps.join(",")
    );
    scenario_bytes(text.as_bytes());
}

/// Explore spec bytes: parse (a spec refused has its long error form
/// shown); a spec accepted builds a world and is
/// searched under small caps; the search must not find a property broken
/// or the packed layout overflowing; a state found with `--find` is
/// written as a scenario that reads back and whose expectations hold.
pub fn explore_spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let spec = match explore::parse(text) {
        Ok(spec) => spec,
        Err(e) => {
            let _ = diagnostic::explore_spec(&e, "fuzz.json", text);
            return;
        }
    };
    let world = World::new(&spec, None).expect("a checked spec builds a world");
    let cond = Condition::parse(["over_limit", "held", "lost > 0", "wtq >= 2"][data.len() % 4])
        .expect("condition");
    let opts = Options {
        find: Some(cond),
        max_states: 3000,
        max_bytes: 16 << 20,
        probe_invalid: true,
        ..Options::default()
    };
    let search =
        explore::search(&world, &ModelRules, &opts, &mut |_| {}).expect("the search starts");
    match &search.stop {
        Stop::Violation { violation, .. } => panic!(
            "explore found a model bug: {}",
            crate::narrate::violation(violation)
        ),
        Stop::Broken { message, .. } => panic!("explore broke: {message}"),
        Stop::Found { state, port } => {
            let (_, json) = explore::trace::found_scenario(
                &world, &search, *state, &cond, *port, "fuzz", "fuzz",
            )
            .expect("the trace replays");
            let s = scenario::load_str("trace.json", &json).expect("the trace reads back");
            let mut runner = Runner::new(&s.world, s.world.flavor);
            let stopped = runner.run(&s.steps, &s.names, &s.source, |_, report, _| {
                assert!(
                    report.mismatches.is_empty(),
                    "the written trace fails its expectations: {:?}\n{json}",
                    report.mismatches
                );
                ControlFlow::Continue(())
            });
            assert!(stopped.is_none(), "the written trace is rejected:\n{json}");
        }
        _ => {}
    }
}

/// Lab TOML: parse (a configuration refused has its long error form
/// shown); a configuration accepted is swept (at most 4 points)
/// with at most 300 completions each; every result is sane and every
/// report is built.
pub fn lab_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (mut config, axes) =
        match LabConfig::from_toml(text, "fuzz.toml", std::path::Path::new("sim-scenarios/lab")) {
            Ok(x) => x,
            Err(e) => {
                let _ = diagnostic::lab_config(&e, Some(text));
                return;
            }
        };
    config.completions = config.completions.min(300);
    config.threads = config.threads.min(64);
    if config.expected_slices() > 1e5 {
        return;
    }
    let Ok(points) = sweep::expand(&config, &axes) else {
        return;
    };
    let points: Vec<_> = points.into_iter().take(4).collect();
    let results: Vec<_> = points.iter().map(|p| lab::run(&p.config)).collect();
    for r in &results {
        if let Err(e) = r.check_sane() {
            panic!("the lab reports nonsense: {e}");
        }
    }
    let _ = report::describe(&config);
    let _ = report::single(&results[0]);
    let _ = report::table(&points, &results);
    let _ = report::csv(&points, &results);
    for (_, drawing) in report::plots(&points, &results) {
        check_svg(&drawing);
    }
}

/// Export with fuzzed strings: the bytes become the title, description,
/// ids, a block label and a note of a valid scenario; the HTML, the SVG
/// and the text must escape them.
pub fn export_strings(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut parts = text
        .split('\u{0}')
        .map(|s| s.chars().take(200).collect::<String>());
    let mut next = |fallback: &str| {
        parts
            .next()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| fallback.to_owned())
    };
    let (title, desc, port, t1, t2, label, note) = (
        next("t"),
        next("d"),
        next("P"),
        next("T1"),
        next("T2"),
        next("io"),
        next("n"),
    );
    if port == t1 || t1 == t2 || port == t2 {
        return;
    }
    let js = scenario::write::js;
    let (title, desc, port, t1, t2, label, note) = (
        js(&title),
        js(&desc),
        js(&port),
        js(&t1),
        js(&t2),
        js(&label),
        js(&note),
    );
    let scenario = format!(
        r#"{{"format":"iocp-sim/1","title":{title},"description":{desc},"ports":[{{"id":{port},"concurrency":1}}],"threads":[{t1},{t2}],"steps":[
        {{"op":"get","thread":{t1},"port":{port},"note":{note}}},
        {{"op":"post","port":{port},"key":1}},
        {{"op":"block","thread":{t1},"on":{label}}},
        {{"op":"get","thread":{t2},"port":{port}}},
        {{"op":"unblock","thread":{t1}}}]}}"#
    );
    let Ok(s) = scenario::load_str("fuzz.json", &scenario) else {
        return;
    };
    check_scenario(&s, Some(&scenario));
}

/// True for a character a terminal acts on instead of showing: C0 controls
/// but new line and tab, DEL, C1 controls, and the bidirectional formatting
/// characters. Written apart from [`crate::escape`], as the oracle it is
/// checked against.
fn acts(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n' && c != '\t')
        || (0x7f..=0x9f).contains(&u)
        || matches!(u, 0x61c | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069)
}

/// Panics if `shown`, text that reaches a terminal as it is, holds a
/// character a terminal acts on.
fn assert_inert(what: &str, shown: &str) {
    if let Some(c) = shown.chars().find(|&c| acts(c)) {
        panic!("{what}: {c:?} reaches the terminal raw in {shown:?}");
    }
}

/// The terminal escaper on `s`: nothing it returns acts on a terminal,
/// escaping twice changes nothing more, every character not escaped is
/// kept in order and every escaped one can be read back, and a byte
/// offset maps to its character's place ([`escape::terminal_offset`]).
/// What the command prints (through the escaper) meets this.
///
/// [`escape::terminal_offset`]: crate::escape::terminal_offset
fn check_escaper(s: &str) {
    use crate::escape::{terminal, terminal_line, terminal_offset};
    let shown = terminal(s);
    assert_inert("escape::terminal", &shown);
    assert_eq!(terminal(&shown), shown, "escaping twice changed the text");
    if !s.contains("\\u{") {
        let mut back = String::new();
        let mut rest = &*shown;
        while let Some(i) = rest.find("\\u{") {
            back.push_str(&rest[..i]);
            let end = rest[i..].find('}').expect("an escape ends") + i;
            let code = u32::from_str_radix(&rest[i + 3..end], 16).expect("hex");
            back.push(char::from_u32(code).expect("a character"));
            rest = &rest[end + 1..];
        }
        back.push_str(rest);
        assert_eq!(back, s, "the escaped text does not read back");
    }
    // Sixteen places or so (each is found from the start of the text).
    let step = (s.len() / 16).max(1);
    for (i, c) in s
        .char_indices()
        .filter(|(i, _)| i % step == 0 || *i + 4 > s.len())
    {
        let at = terminal_offset(s, i);
        let expect = if acts(c) {
            format!("\\u{{{:x}}}", c as u32)
        } else {
            c.to_string()
        };
        assert!(
            shown[at..].starts_with(&expect),
            "byte {i} of {s:?} is not at {at} of {shown:?}"
        );
    }
    let line = terminal_line(s);
    assert_inert("escape::terminal_line", &line);
    assert!(
        !line.contains(['\n', '\t']),
        "a line keeps a new line or tab"
    );
}

/// Where a player's picture has its box corners and sides.
#[cfg(feature = "cli")]
fn box_edges(buf: &ratatui::buffer::Buffer) -> Vec<(u16, u16, &str)> {
    let a = buf.area;
    let mut v = Vec::new();
    for y in a.top()..a.bottom() {
        for x in a.left()..a.right() {
            let sym = buf[(x, y)].symbol();
            if ["┌", "┐", "└", "┘", "│"].contains(&sym) {
                v.push((x, y, sym));
            }
        }
    }
    v
}

/// Draws the frame shown (at 80x24 and 40x12) and the last frame (80x24)
/// of `p` and of `plain`, the same run in plain words: no cell holds a
/// character a terminal acts on, and at 80x24 every box corner and side of the plain
/// run is in its place.
#[cfg(feature = "cli")]
fn check_player(p: &mut crate::views::player::Player, plain: &mut crate::views::player::Player) {
    use crate::views::tui::to_buffer;
    let last = p.show().last();
    for (i, sizes) in [
        (p.ui().index, &[(80, 24), (40, 12)][..]),
        (last, &[(80, 24)]),
    ] {
        p.go(i);
        plain.go(i);
        for &(w, h) in sizes {
            let buf = to_buffer(&*p, p.ui(), w, h);
            for cell in buf.content() {
                assert_inert(&format!("the player, frame {i} at {w}x{h}"), cell.symbol());
            }
            if (w, h) == (80, 24) {
                // Every corner and side of the plain picture is in place
                // (the text may hold box characters of its own).
                let clean = to_buffer(&*plain, plain.ui(), w, h);
                for (x, y, edge) in box_edges(&clean) {
                    assert!(
                        buf[(x, y)].symbol() == edge,
                        "frame {i}: the text moved the box edge at {x},{y}:\n{}",
                        crate::views::tui::buffer_text(&buf)
                    );
                }
            }
        }
    }
}

/// The players of [`terminal_text`]: the lesson in both languages (with
/// the action menu open) and a challenge with its hint shown.
#[cfg(feature = "cli")]
fn players(s: &Scenario, plain: &Scenario, source: &str, title: &str, desc: &str, hint: &str) {
    use crate::challenge::Challenge;
    use crate::explore::free::Goal;
    use crate::scenario::Text;
    use crate::views::player::Player;

    for lang in [Lang::En, Lang::Ko] {
        let mut p = Player::new(s.clone(), Flavor::Windows, lang);
        let mut q = Player::new(plain.clone(), Flavor::Windows, lang);
        check_player(&mut p, &mut q);
        if lang == Lang::En {
            // The action menu names every thread, port, device and label.
            p.go(1);
            q.go(1);
            p.open_actions();
            q.open_actions();
            check_player(&mut p, &mut q);
        }
    }
    let challenge = |s: &Scenario, title: &str, hint: &str| Challenge {
        source: source.to_owned(),
        title: Text::plain(title),
        description: Text::plain(desc),
        start: s.clone(),
        step: 1,
        flavor: Flavor::Windows,
        goal: Goal::State(Condition::parse("over_limit").expect("a goal")),
        budget: 4,
        shortest: Some(2),
        hints: vec![Text::plain(hint)],
        restrictions: crate::moves::Restrictions::default(),
    };
    let mut p = Player::challenge(challenge(s, title, hint), Lang::En);
    // The plain hint is the hostile one as the escaper shows it: the same
    // visible characters, so its box wraps to the same height.
    let shown = crate::escape::terminal(hint);
    let mut q = Player::challenge(challenge(plain, "t", &shown), Lang::En);
    p.hint();
    q.hint();
    check_player(&mut p, &mut q);
}

/// Terminal text: the bytes, cut at each 0xFF byte, become every author
/// field of a scenario (title, description, a note, the ids of a port,
/// two threads and a device, an OVERLAPPED label, a block label), a
/// challenge (title, description, a hint), an explore spec and a lab
/// configuration (its name). Every text output that reaches a terminal
/// holds no character a terminal acts on: `run`'s text view, the players'
/// pictures (every cell, at three sizes, with the action menu and a hint;
/// the boxes stay where a plain run has them), the long form of errors
/// that show a source line holding the fields, and the diff table, each
/// escaped where it is laid out; and what the command prints through its
/// escaper (the explorer's trace, the lab's description, every error's
/// one line) meets [`check_escaper`].
pub fn terminal_text(data: &[u8]) {
    check_escaper(&String::from_utf8_lossy(data));
    let mut fields = data.split(|&b| b == 0xFF).map(|f| {
        String::from_utf8_lossy(f)
            .chars()
            .take(100)
            .collect::<String>()
    });
    let mut next = |fallback: &str| fields.next().unwrap_or_else(|| fallback.to_owned());
    let title = next("t");
    let desc = next("d");
    let note = next("n");
    let ids = [
        next("P"),
        next("T1"),
        next("T2"),
        next("D"),
        next("o"),
        next("L"),
    ];
    let hint = next("h");
    let name = next("lab");
    // Plain words of the same shape, for the layout check.
    let plain_ids = ["P", "T1", "T2", "D", "o", "L"].map(str::to_owned);

    let scenario_text = |title: &str, desc: &str, note: &str, ids: &[String; 6]| {
        let js = scenario::write::js;
        let [port, t1, t2, dev, ov, label] = ids.each_ref().map(|s| js(s));
        format!(
            r#"{{"format":"iocp-sim/1","title":{},"description":{},"ports":[{{"id":{port},"concurrency":1}}],"threads":[{t1},{t2}],"devices":[{{"id":{dev}}}],"steps":[
            {{"op":"get","thread":{t1},"port":{port},"note":{}}},
            {{"op":"associate","device":{dev},"port":{port},"key":3}},
            {{"op":"issue","device":{dev},"overlapped":{ov}}},
            {{"op":"post","port":{port},"key":1}},
            {{"op":"block","thread":{t1},"on":{label}}},
            {{"op":"get","thread":{t2},"port":{port}}},
            {{"op":"unblock","thread":{t1}}},
            {{"op":"complete","overlapped":{ov},"bytes":7}}]}}"#,
            js(title),
            js(desc),
            js(note)
        )
    };
    let source = format!("{title}.json");
    if let Ok(s) = scenario::load_str(&source, &scenario_text(&title, &desc, &note, &ids)) {
        // `run`'s text view (escaped where it is written) and JSON (the
        // page and the drawing are `export_strings`'s).
        check_scenario(&s, None);
        let plan = crate::diff::plan(&crate::diff::Case::from_scenario(&s), Flavor::Wine);
        let table = crate::diff::table(&plan.model, &plan.model, &title, &desc);
        assert_inert("the diff table", &table);
        check_escaper(&plan.script);
        // The players (with the `cli` feature), beside the same run in
        // plain words.
        #[cfg(feature = "cli")]
        {
            let plain = scenario::load_str("plain.json", &scenario_text("t", "d", "n", &plain_ids))
                .expect("the plain scenario reads");
            players(&s, &plain, &source, &title, &desc, &hint);
        }
        #[cfg(not(feature = "cli"))]
        let _ = (&plain_ids, &hint);
    }

    // Errors that show the line: the fields raw in the source (a control
    // character in a string is itself the mistake; else the unknown key).
    let raw = format!(r#"{{"format":"iocp-sim/1","title":"{title}", "{note}": 1}}"#);
    if let Err(e) = scenario::load_str(&source, &raw) {
        assert_inert(
            "a scenario error's long form",
            &diagnostic::scenario(&e, Some(&raw)),
        );
        check_escaper(&e.to_string());
    }
    let raw = format!(
        "{{\"format\":\"iocp-sim-explore/1\",\"title\":\"{title}\",\"ports\":[{{\"id\":\"P\",\"concurrency\":1}}],\n\"threads\":[{{\"id\":\"W\",\"get\":{{\"port\":\"{}\"}}}}]}}",
        ids[0]
    );
    if let Err(e) = explore::parse(&raw) {
        assert_inert(
            "an explore spec error's long form",
            &diagnostic::explore_spec(&e, &source, &raw),
        );
        check_escaper(&e.to_string());
    }
    let raw = format!(
        "name = \"{name}\"\npolicy = \"{}\"\ncompletions = 10\n",
        ids[1]
    );
    match LabConfig::from_toml(&raw, &source, std::path::Path::new(".")) {
        Err(e) => {
            assert_inert(
                "a lab error's long form",
                &diagnostic::lab_config(&e, Some(&raw)),
            );
            check_escaper(&e.to_string());
        }
        Ok((config, _)) => check_escaper(&report::describe(&config)),
    }
    let js = scenario::write::js;
    let toml_name = js(&name);
    let lab = format!("name = {toml_name}\ncompletions = 10\n");
    if let Ok((config, _)) = LabConfig::from_toml(&lab, "fuzz.toml", std::path::Path::new(".")) {
        check_escaper(&report::describe(&config));
    }

    // The explorer: its title line and the trace to a state found.
    let spec = format!(
        r#"{{"format":"iocp-sim-explore/1","title":{},"description":{},"ports":[{{"id":{},"concurrency":1}}],"threads":[{{"id":{},"count":2,"get":{{"port":{}}},"packets":1}}],"environment":{{"posts":[{{"port":{},"key":1,"count":1}}]}}}}"#,
        js(&title),
        js(&desc),
        js(&ids[0]),
        js(&ids[1]),
        js(&ids[0]),
        js(&ids[0])
    );
    let Ok(spec) = explore::parse(&spec) else {
        return;
    };
    let Ok(world) = World::new(&spec, None) else {
        return;
    };
    check_escaper(&world.title);
    let cond = Condition::parse("wtq >= 2").expect("condition");
    let opts = Options {
        find: Some(cond),
        max_states: 300,
        max_bytes: 16 << 20,
        ..Options::default()
    };
    let search =
        explore::search(&world, &ModelRules, &opts, &mut |_| {}).expect("the search starts");
    if let Stop::Found { state, port } = &search.stop {
        let (steps, _) =
            explore::trace::found_scenario(&world, &search, *state, &cond, *port, "t", "d")
                .expect("the trace replays");
        check_escaper(&explore::trace::text(&world, &steps));
    }
}
