//! Reading scenario files. Two passes over the text: the first reads the
//! world and skips the steps; the second streams the steps one at a time
//! (each resolved and handed to a [`Sink`] before the next is read), so a
//! million-step file runs in flat memory, whatever the order of its keys.

use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::error::{Problem, ScenarioError};
use super::raw::RawScenario;
use super::raw::RawStep;
use super::resolve::{resolve_step, resolve_world};
use super::split::{file_position, Malformed, Scanner};
use super::{Scenario, Step, World};
use crate::model::Names;

/// Receives a scenario as it is read.
pub trait Sink {
    /// The world, before any step.
    fn world(&mut self, world: &World, names: &Names) -> Result<(), ScenarioError>;
    /// One resolved step; an error stops the reading.
    fn step(&mut self, step: Step, names: &Names) -> Result<(), ScenarioError>;
}

/// The top-level keys; the steps are read apart, one at a time.
type RawHeader = RawScenario<IgnoredAny>;

#[derive(Deserialize)]
struct FormatOnly {
    format: Option<serde_json::Value>,
}

#[derive(Clone, Copy)]
enum Source<'a> {
    File(&'a Path),
    Text(&'a str),
}

/// One pass over the JSON text.
trait Pass {
    type Out;
    fn run<'de, R: serde_json::de::Read<'de>>(
        self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<Self::Out, serde_json::Error>;
}

/// Runs a pass over a fresh deserializer of the source, then checks that
/// nothing but white space follows the top-level object.
fn on_source<P: Pass>(src: &Source, pass: P) -> Result<P::Out, serde_json::Error> {
    match src {
        Source::File(p) => {
            let file = File::open(p).map_err(serde_json::Error::io)?;
            let reader = BufReader::with_capacity(1 << 16, file);
            let mut de = serde_json::Deserializer::from_reader(reader);
            let v = pass.run(&mut de)?;
            de.end()?;
            Ok(v)
        }
        Source::Text(t) => {
            let mut de = serde_json::Deserializer::from_str(t);
            let v = pass.run(&mut de)?;
            de.end()?;
            Ok(v)
        }
    }
}

struct HeaderPass;
impl Pass for HeaderPass {
    type Out = RawHeader;
    fn run<'de, R: serde_json::de::Read<'de>>(
        self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<RawHeader, serde_json::Error> {
        RawHeader::deserialize(de)
    }
}

struct FormatPass;
impl Pass for FormatPass {
    type Out = FormatOnly;
    fn run<'de, R: serde_json::de::Read<'de>>(
        self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<FormatOnly, serde_json::Error> {
        FormatOnly::deserialize(de)
    }
}

/// Strips serde_json's " at line L column C" (we print the place ourselves)
/// and replaces the reader's internal type names with what the file needs.
fn bare_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let s = match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    };
    plain_words(s)
}

/// What each internal type of the reader is, in the words of the format.
const SHAPES: &[(&str, &str)] = &[
    ("RawScenario", "a JSON object (the scenario)"),
    ("FormatOnly", "a JSON object (the scenario)"),
    ("RawPort", "a port object { \"id\", \"concurrency\" }"),
    (
        "RawDevice",
        "a device object { \"id\", \"skip_on_success\" }",
    ),
    ("RawStep", "a step object"),
    ("RawExpect", "an expect object"),
    ("RawPortExpect", "a port expectation object"),
    ("RawPacketExpect", "a packet object"),
    ("RawDeviceExpect", "a Device List entry object or null"),
];

/// serde's messages name Rust types ("expected struct RawStep", "untagged
/// enum RawTimeout"); a teacher writing JSON needs the JSON shape instead.
fn plain_words(s: String) -> String {
    if s.contains("enum RawTimeout") {
        return "timeout must be \"infinite\" or a whole number of milliseconds (0 polls)".into();
    }
    for (name, shape) in SHAPES {
        let with_len = format!("expected struct {name} with ");
        if s.starts_with("invalid length") && s.contains(&with_len) {
            return format!("expected {shape}, found an array");
        }
        let plain = format!("struct {name}");
        if let Some(i) = s.find(&plain) {
            // Longer names share a prefix (RawPort, RawPortExpect): match whole words.
            let end = i + plain.len();
            if !s[end..].starts_with(|c: char| c.is_alphanumeric()) {
                return format!("{}{shape}{}", &s[..i], &s[end..]);
            }
        }
    }
    s
}

/// Reads a small JSON file of another format of the project (a
/// challenge, a course) whole into `T`, with the errors a scenario's
/// reader gives: the file that cannot be read, the JSON mistake's line and
/// column, or a `format` (read by `format_of`) other than `understood`.
/// Returns the file's name as messages give it, and the value.
pub(crate) fn read_format<T: serde::de::DeserializeOwned>(
    path: &Path,
    understood: &str,
    format_of: impl Fn(&T) -> &str,
) -> Result<(String, T), ScenarioError> {
    let (source, text) = read_text(path)?;
    let value: T = from_json(&source, &text)?;
    let found = format_of(&value);
    if found != understood {
        return Err(ScenarioError::World {
            path: source,
            problem: format!("format {found:?} is not understood; this build reads {understood:?}")
                .into(),
        });
    }
    Ok((source, value))
}

/// Reads a file whole as text; returns its name as messages give it, and
/// the text.
pub(crate) fn read_text(path: &Path) -> Result<(String, String), ScenarioError> {
    let source = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Ok((source, text)),
        Err(e) => Err(ScenarioError::read(&source, e)),
    }
}

/// Parses a small JSON text of the project's formats into `T`, with the
/// JSON mistake's line and column (`source` names the text in errors).
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    source: &str,
    text: &str,
) -> Result<T, ScenarioError> {
    serde_json::from_str(text).map_err(|e| json_error(source, e, None))
}

fn json_error(path: &str, e: serde_json::Error, step: Option<usize>) -> ScenarioError {
    if e.is_io() {
        // The operating system's error itself, as the source.
        return ScenarioError::read(path, std::io::Error::from(e));
    }
    let mut message = bare_message(&e);
    if e.is_eof() {
        message = format!("{message} (the file ends before the JSON is complete)");
    }
    ScenarioError::Json {
        path: path.to_owned(),
        line: e.line().max(1),
        // serde_json reports column 0 at the start of a line (e.g. at the end
        // of the file); columns are 1-based in our messages.
        column: e.column().max(1),
        step,
        problem: Problem::json(message),
    }
}

/// What the step pass shares with its caller.
struct StepsState<'a> {
    path: &'a str,
    names: Names,
    sink: &'a mut dyn Sink,
    /// The step being read (1-based), while inside the steps array.
    reading: Option<usize>,
    count: usize,
    failure: Option<ScenarioError>,
    /// Resolve and send each step (false: only read them, to place an error).
    resolve: bool,
}

struct StepsPass<'s, 'a> {
    state: &'s mut StepsState<'a>,
}

impl Pass for StepsPass<'_, '_> {
    type Out = ();
    fn run<'de, R: serde_json::de::Read<'de>>(
        self,
        de: &mut serde_json::Deserializer<R>,
    ) -> Result<(), serde_json::Error> {
        self.deserialize(de)
    }
}

impl<'de> DeserializeSeed<'de> for StepsPass<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for StepsPass<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scenario object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "steps" {
                map.next_value_seed(StepList {
                    state: &mut *self.state,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct StepList<'s, 'a> {
    state: &'s mut StepsState<'a>,
}

impl<'de> DeserializeSeed<'de> for StepList<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for StepList<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of steps")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let st = self.state;
        loop {
            let number = st.count + 1;
            st.reading = Some(number);
            let Some(raw) = seq.next_element::<RawStep>()? else {
                st.reading = None;
                return Ok(());
            };
            st.reading = None;
            st.count = number;
            if !st.resolve {
                continue;
            }
            let step = match resolve_step(number, raw, &mut st.names) {
                Ok(step) => step,
                Err((op, problem)) => {
                    st.failure = Some(ScenarioError::Step {
                        path: st.path.to_owned(),
                        step: number,
                        op,
                        problem,
                    });
                    return Err(de::Error::custom("step rejected"));
                }
            };
            if let Err(e) = st.sink.step(step, &st.names) {
                st.failure = Some(e);
                return Err(de::Error::custom("stopped by the reader"));
            }
        }
    }
}

/// Accepts steps and does nothing with them (to find where a file is broken).
struct NullSink;

impl Sink for NullSink {
    fn world(&mut self, _: &World, _: &Names) -> Result<(), ScenarioError> {
        Ok(())
    }
    fn step(&mut self, _: Step, _: &Names) -> Result<(), ScenarioError> {
        Ok(())
    }
}

/// The fast path for files (see `split.rs`). `Err(Malformed)` means "read
/// the file again with serde_json's reader to report the mistake";
/// `emitted` tells how many steps already reached the sink.
fn drive_fast<R: std::io::BufRead>(
    open: impl Fn() -> Result<Scanner<R>, Malformed>,
    path: &str,
    sink: &mut dyn Sink,
    emitted: &mut usize,
) -> Result<Result<Names, ScenarioError>, Malformed> {
    // Pass 1: every member but the steps, gathered into one small object.
    let mut sc = open()?;
    let mut header = b"{".to_vec();
    let mut keys: Vec<String> = Vec::new();
    sc.expect(b'{')?;
    if sc.skip_ws()? == Some(b'}') {
        return Err(Malformed);
    }
    loop {
        let key = sc.key()?;
        if keys.contains(&key) {
            return Err(Malformed);
        }
        sc.expect(b':')?;
        if key == "steps" {
            sc.value(None)?;
        } else {
            if header.len() > 1 {
                header.push(b',');
            }
            serde_json::to_writer(&mut header, &key).map_err(|_| Malformed)?;
            header.push(b':');
            sc.value(Some(&mut header))?;
        }
        keys.push(key);
        match sc.skip_ws()? {
            Some(b',') => sc.expect(b',')?,
            Some(b'}') => {
                sc.expect(b'}')?;
                break;
            }
            _ => return Err(Malformed),
        }
    }
    if sc.skip_ws()?.is_some() {
        return Err(Malformed);
    }
    if keys.iter().any(|k| k == "steps") {
        header.extend_from_slice(if header.len() > 1 {
            b",\"steps\":0"
        } else {
            b"\"steps\":0"
        });
    }
    header.push(b'}');
    let Ok(h) = serde_json::from_slice::<RawHeader>(&header) else {
        return Err(Malformed);
    };
    let world = match world_of(h, path) {
        Ok(w) => w,
        Err(e) => return Ok(Err(e)),
    };
    let mut names = world.names();
    if let Err(e) = sink.world(&world, &names) {
        return Ok(Err(e));
    }
    // Pass 2: the steps, one element at a time.
    let mut sc = open()?;
    let mut buf = Vec::with_capacity(1024);
    sc.expect(b'{')?;
    loop {
        let key = sc.key()?;
        sc.expect(b':')?;
        if key != "steps" {
            sc.value(None)?;
        } else {
            sc.expect(b'[')?;
            if sc.skip_ws()? == Some(b']') {
                sc.expect(b']')?;
            } else {
                loop {
                    buf.clear();
                    let start = sc.value(Some(&mut buf))?;
                    let number = *emitted + 1;
                    let raw = match serde_json::from_slice::<RawStep>(&buf) {
                        Ok(raw) => raw,
                        Err(e) => {
                            let (line, column) = file_position(start, &e);
                            return Ok(Err(ScenarioError::Json {
                                path: path.to_owned(),
                                line,
                                column,
                                step: Some(number),
                                problem: Problem::json(bare_message(&e)),
                            }));
                        }
                    };
                    let step = match resolve_step(number, raw, &mut names) {
                        Ok(step) => step,
                        Err((op, problem)) => {
                            return Ok(Err(ScenarioError::Step {
                                path: path.to_owned(),
                                step: number,
                                op,
                                problem,
                            }))
                        }
                    };
                    *emitted = number;
                    if let Err(e) = sink.step(step, &names) {
                        return Ok(Err(e));
                    }
                    match sc.skip_ws()? {
                        Some(b',') => sc.expect(b',')?,
                        Some(b']') => {
                            sc.expect(b']')?;
                            break;
                        }
                        _ => return Err(Malformed),
                    }
                }
            }
        }
        match sc.skip_ws()? {
            Some(b',') => sc.expect(b',')?,
            Some(b'}') => break,
            _ => return Err(Malformed),
        }
    }
    Ok(Ok(names))
}

fn world_of(header: RawHeader, path: &str) -> Result<World, ScenarioError> {
    resolve_world(header).map_err(|problem| ScenarioError::World {
        path: path.to_owned(),
        problem,
    })
}

/// Reads with the fast reader, falling back to the plain one. Files and
/// texts take the same way, so both give the same steps and messages.
fn drive(src: Source, path: &str, sink: &mut dyn Sink) -> Result<Names, ScenarioError> {
    {
        let mut emitted = 0;
        let fast = match src {
            Source::File(file) => drive_fast(
                || {
                    let f = File::open(file)?;
                    Ok(Scanner::new(BufReader::with_capacity(1 << 16, f)))
                },
                path,
                sink,
                &mut emitted,
            ),
            Source::Text(t) => {
                drive_fast(|| Ok(Scanner::new(t.as_bytes())), path, sink, &mut emitted)
            }
        };
        match fast {
            Ok(result) => return result,
            Err(Malformed) if emitted == 0 => {}
            Err(Malformed) => {
                // Steps already reached the sink: find the mistake without
                // sending them again.
                return match drive_slow(src, path, &mut NullSink) {
                    Err(e) => Err(e),
                    Ok(_) => Err(ScenarioError::World {
                        path: path.to_owned(),
                        problem: format!(
                            "the file could not be read past step {emitted}, but no JSON mistake was found; please report this"
                        )
                        .into(),
                    }),
                };
            }
        }
    }
    drive_slow(src, path, sink)
}

/// Files up to this size are read into memory for the plain reader.
const IN_MEMORY: u64 = 64 << 20;

/// The file's text when it is a valid UTF-8 file of at most [`IN_MEMORY`] bytes.
fn small_text(p: &Path) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    File::open(p)
        .ok()?
        .take(IN_MEMORY + 1)
        .read_to_string(&mut text)
        .ok()?;
    (text.len() as u64 <= IN_MEMORY).then_some(text)
}

/// The error to report when the header pass met `e`. That pass skips the
/// `steps` array, so a mistake inside a step reaches it as a bare syntax
/// error; the steps are read again (without resolving them), and a mistake
/// met inside a step first is reported as the fast reader reports it: with
/// its step, and with the first problem that step has.
fn header_error(src: &Source, path: &str, e: serde_json::Error) -> ScenarioError {
    let mut sink = NullSink;
    let mut state = StepsState {
        path,
        names: Names::default(),
        sink: &mut sink,
        reading: None,
        count: 0,
        failure: None,
        resolve: false,
    };
    if let Err(again) = on_source(src, StepsPass { state: &mut state }) {
        if let Some(step) = state.reading {
            // The header pass only meets a syntax error (or the end) inside
            // the steps; the steps pass meets the first problem of the
            // steps no later in the text (its column may differ by one).
            let first = e.is_syntax()
                || e.is_eof()
                || (again.line(), again.column()) <= (e.line(), e.column());
            if !again.is_io() && first {
                return json_error(path, again, Some(step));
            }
        }
    }
    json_error(path, e, None)
}

/// The plain reader: serde_json over the whole text, twice. Exact positions
/// for every mistake.
fn drive_slow(src: Source, path: &str, sink: &mut dyn Sink) -> Result<Names, ScenarioError> {
    // serde_json's stream reader places some errors one column after its
    // slice reader; a file that fits in memory is read as text, so both
    // readers give identical messages. Larger files stream.
    if let Source::File(p) = src {
        if let Some(text) = small_text(p) {
            return drive_slow(Source::Text(&text), path, sink);
        }
    }
    // Pass 1: the world, skipping the steps.
    let header = match on_source(&src, HeaderPass) {
        Ok(h) => h,
        Err(e) => {
            // A file of another version may fail for another reason first:
            // name the version when that is the problem.
            if let Ok(FormatOnly {
                format: Some(serde_json::Value::String(f)),
            }) = on_source(&src, FormatPass)
            {
                if f != super::FORMAT {
                    return Err(ScenarioError::World {
                        path: path.to_owned(),
                        problem: format!(
                            "format {f:?} is not understood; this build reads {:?}",
                            super::FORMAT
                        )
                        .into(),
                    });
                }
            }
            return Err(header_error(&src, path, e));
        }
    };
    let world = world_of(header, path)?;
    let names = world.names();
    sink.world(&world, &names)?;
    // Pass 2: the steps, one at a time.
    let mut state = StepsState {
        path,
        names,
        sink,
        reading: None,
        count: 0,
        failure: None,
        resolve: true,
    };
    let res = on_source(&src, StepsPass { state: &mut state });
    if let Some(f) = state.failure.take() {
        return Err(f);
    }
    if let Err(e) = res {
        return Err(json_error(path, e, state.reading));
    }
    Ok(state.names)
}

/// Reads a scenario file step by step into `sink`, in flat memory.
pub fn stream(path: &Path, sink: &mut dyn Sink) -> Result<Names, ScenarioError> {
    drive(Source::File(path), &path.display().to_string(), sink)
}

struct Collect {
    world: Option<World>,
    steps: Vec<Step>,
}

impl Sink for Collect {
    fn world(&mut self, world: &World, _: &Names) -> Result<(), ScenarioError> {
        self.world = Some(world.clone());
        Ok(())
    }
    fn step(&mut self, step: Step, _: &Names) -> Result<(), ScenarioError> {
        self.steps.push(step);
        Ok(())
    }
}

fn collect(src: Source, source: String) -> Result<Scenario, ScenarioError> {
    let mut sink = Collect {
        world: None,
        steps: Vec::new(),
    };
    let names = drive(src, &source, &mut sink)?;
    Ok(Scenario {
        source,
        world: sink.world.expect("the world is read before the steps"),
        steps: sink.steps,
        names,
    })
}

/// Reads a whole scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    collect(Source::File(path), path.display().to_string())
}

/// Reads a scenario from text; `name` is used in error messages.
pub fn load_str(name: &str, text: &str) -> Result<Scenario, ScenarioError> {
    collect(Source::Text(text), name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::{load, load_str};
    use crate::scenario::ScenarioError;

    /// A file that cannot be read is an I/O error whose source is the
    /// operating system's error itself (not its words).
    #[test]
    fn an_unreadable_file_keeps_the_os_error_as_its_source() {
        use std::error::Error as _;
        let path = std::env::temp_dir().join("iocp-sim-no-such-dir/none.json");
        let e = load(&path).unwrap_err();
        assert!(
            matches!(e, ScenarioError::Io { writing: false, .. }),
            "{e:?}"
        );
        let io = e
            .source()
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .expect("the io::Error is the source");
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        assert!(e.to_string().contains("cannot read"), "{e}");
    }

    /// Unknown ids, flavours and states are data: the word and the known
    /// ones, whatever the words of the message.
    #[test]
    fn unknown_words_are_data() {
        use crate::scenario::{IdKind, Problem};
        let world = |flavor: &str, steps: &str| {
            format!("{{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"flavor\": \"{flavor}\", \"ports\": [{{\"id\": \"P\", \"concurrency\": 1}}], \"threads\": [\"T1\", \"Main\"], \"steps\": [{steps}]}}")
        };
        let problem = |text: String| load_str("t.json", &text).unwrap_err().problem().cloned();
        let u = |w: &str, known: &[&str]| crate::unknown::Unknown::new(w, known.iter().copied());
        assert_eq!(
            problem(world(
                "windows",
                r#"{"op": "get", "thread": "T2", "port": "P"}"#
            )),
            Some(Problem::UnknownId {
                kind: IdKind::Thread,
                unknown: Box::new(u("T2", &["T1", "Main"]))
            })
        );
        assert_eq!(
            problem(world("winows", "")),
            Some(Problem::UnknownFlavor(Box::new(u(
                "winows",
                &["windows", "wine", "wine10"]
            ))))
        );
        let state = problem(world(
            "windows",
            r#"{"expect": {"threads": {"T1": "runing"}}}"#,
        ));
        assert_eq!(
            state.as_ref().and_then(Problem::unknown),
            Some(&u(
                "runing",
                &["running", "free", "waiting", "paused", "exited"]
            ))
        );
        let op = problem(world("windows", r#"{"op": "gett"}"#));
        assert_eq!(
            op.as_ref()
                .and_then(Problem::unknown)
                .map(|u| u.word.as_str()),
            Some("gett")
        );
    }

    /// The fast block scanner (files) and the plain serde_json reader (text)
    /// must report every mistake at the same place with the same words.
    #[test]
    fn fast_and_plain_readers_report_the_same_errors() {
        let head = "{\n  \"format\": \"iocp-sim/1\",\n  \"title\": \"t\",\n  \"ports\": [{\"id\": \"P\", \"concurrency\": 1}],\n  \"threads\": [\"T1\"],\n  \"steps\": [\n";
        let cases = [
            "    {\"op\": \"post\", \"port\": \"P\"},\n    {\"op\": \"get\", \"thread\": \"T1\", \"port\": \"P\", \"expcet\": {}}\n  ]\n}\n",
            "    {\"op\": \"post\", \"port\": \"P\", \"note\": \"a \\\"quoted\\\" word, and ] and }\"}\n    {\"op\": \"post\", \"port\": \"P\"}\n  ]\n}\n",
            "    {\"op\": \"get\", \"thread\": \"T1\", \"port\": \"P\", \"timeout\": -1}\n  ]\n}\n",
            "    {\"op\": \"get\", \"thread\": \"T9\", \"port\": \"P\"}\n  ]\n}\n",
            "    {\"op\": \"post\", \"port\": \"P\"}\n  ]\n",
            "    {\"op\": \"post\", \"port\": \"P\", \"expect\": {\"ports\": {\"P\": {\"wtq\": \"T1\"}}}}\n  ]\n}\n",
        ];
        // Whole files, not only step tails: the issue's inputs.
        let whole = [
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"get\", \"thread\": \"T0\", \"port\": \"P\"}, {\"op\": \"post\", \"port\": \"P\", \"note\": \"a\u{1}b\"}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\", \"note\": \"a\u{1}b\"}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"get\", \"thread\": \"T1\", \"po\"\":rt P\"}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\"}, {\"op\": \"post\", \"port\": \"P\", \"key\": 2,p}]}",
            "[[",
            "[",
            "",
            "{",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"get\", \"thread\": \"T1\", \"port\": \"P\", \"timeout\": \"x\"}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"nope\"}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": 3}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [1]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\"}, [[]]]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": {}}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\"",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\", \"key\": -1}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\", \"key\": 1, \"key\": 2}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\", \"note\": \"\\ud800\"}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\"} {}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\"},]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\"}], \"steps\": []}",
            "{\"steps\": [{\"op\": \"post\", \"port\": \"P\"}], \"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\", \"expect\": {\"ports\": 1}}]}",
            "{\"format\": \"iocp-sim/1\", \"title\": \"t\", \"ports\": [{\"id\": \"P\", \"concurrency\": 1}], \"threads\": [\"T1\"], \"steps\": [{\"op\": \"post\", \"port\": \"P\"}]} x",
        ];
        let dir = std::env::temp_dir().join(format!("iocp-sim-parse-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let texts = cases
            .iter()
            .map(|tail| format!("{head}{tail}"))
            .chain(whole.iter().map(|w| w.to_string()));
        let mut differ = Vec::new();
        for (i, text) in texts.enumerate() {
            let path = dir.join(format!("case{i}.json"));
            std::fs::write(&path, &text).unwrap();
            let name = path.display().to_string();
            let shown = |r: Result<_, ScenarioError>| match r {
                Ok(_) => "accepted".to_owned(),
                Err(e) => e.to_string(),
            };
            let (fast, plain) = (shown(load(&path)), shown(load_str(&name, &text)));
            if fast != plain {
                differ.push(format!("case {i}:\n  file: {fast}\n  text: {plain}"));
            }
        }
        std::fs::remove_dir_all(&dir).ok();
        assert!(differ.is_empty(), "{}", differ.join("\n"));
    }
}
