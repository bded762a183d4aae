//! Writing `iocp-sim/1` files through the reader's own serde shapes
//! (`raw.rs`): an action becomes a [`RawStep`], a port's state a
//! [`RawPortExpect`], a whole scenario a [`RawScenario`], and serde writes
//! them, so a written file has exactly the keys the reader takes. Used by
//! every tool that saves a scenario (the explorer's shortest traces, the
//! controlled scheduler's failing runs, the player's what-if branches).

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

use super::raw::{
    Op, RawDevice, RawExpect, RawPort, RawPortExpect, RawScenario, RawStep, RawThread, RawTimeout,
};
use super::{World, FORMAT};
use crate::model::{Action, Kernel, Names, PortId, ThreadId};
use crate::narrate::facts::Facts;

/// A JSON string literal.
pub fn js(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// A scenario ready to be written: the reader's top-level shape with its steps.
pub(crate) type ScenarioOut = RawScenario<Vec<RawStep>>;

/// The step that applies `a`, with every id named by `n`: the one encoder
/// of actions into the scenario format.
pub(crate) fn action_step(n: &Names, a: &Action) -> RawStep {
    let x = Facts::of_action(a, n);
    let name = |s: &str| Some(s.to_owned());
    let timeout = Some(match x.timeout {
        None => RawTimeout::Word("infinite".to_owned()),
        Some(ms) => RawTimeout::Ms(ms),
    });
    let mut s = RawStep {
        op: Some(Op::of(a)),
        ..RawStep::default()
    };
    match *a {
        Action::Associate { .. } => {
            s.device = name(x.device);
            s.port = name(x.port);
            s.key = Some(x.key);
        }
        Action::Issue { .. } => {
            s.device = name(x.device);
            s.overlapped = Some(name(x.ov()));
            if x.inline {
                s.inline = Some(true);
                s.bytes = Some(x.bytes);
            }
            s.by = x.by.map(str::to_owned);
        }
        Action::Complete { .. } => {
            s.overlapped = Some(name(x.ov()));
            s.bytes = Some(x.bytes);
            s.status = name(x.status);
        }
        Action::Post { .. } => {
            s.port = name(x.port);
            s.key = Some(x.key);
            s.bytes = Some(x.bytes);
            s.overlapped = Some(x.overlapped.map(str::to_owned));
            s.by = x.by.map(str::to_owned);
        }
        Action::Get { .. } => {
            s.thread = name(x.thread);
            s.port = name(x.port);
            s.timeout = timeout;
        }
        Action::GetEx { .. } => {
            s.thread = name(x.thread);
            s.port = name(x.port);
            s.max = Some(x.max.into());
            s.timeout = timeout;
        }
        Action::Block { .. } => {
            s.thread = name(x.thread);
            s.on = x.on.map(str::to_owned);
        }
        Action::Unblock { .. } | Action::Timeout { .. } | Action::Exit { .. } => {
            s.thread = name(x.thread);
        }
        Action::CloseDevice { .. } => s.device = name(x.device),
        Action::ClosePort { .. } => s.port = name(x.port),
    }
    s
}

/// One port's state in `k` as the value of `expect.ports.P`: `current`,
/// `over_limit`, `iocq_len`, and the WTQ (in wake order), RTL and PTL.
pub(crate) fn port_expect(n: &Names, k: &Kernel, p: PortId) -> RawPortExpect {
    let port = k.port(p);
    let names = |ids: &[ThreadId]| ids.iter().map(|t| n.thread(*t).to_owned()).collect();
    RawPortExpect {
        current: Some(port.current().into()),
        over_limit: Some(port.over_limit()),
        iocq_len: Some(port.iocq().len() as u64),
        wtq: Some(names(&port.wtq().wake_order(k.wake_order()))),
        rtl: Some(names(port.rtl().as_slice())),
        ptl: Some(names(port.ptl().as_slice())),
        iocq: None,
    }
}

/// What a step left behind, as its `expect`: `result` (when given), every
/// port's state ([`port_expect`]) and the lost count. Written from a model
/// run, it holds when the scenario is checked.
#[cfg_attr(not(feature = "cli"), allow(dead_code))] // the what-if (cli) and the tests
pub(crate) fn state_expect(n: &Names, k: &Kernel, result: Option<&str>) -> RawExpect {
    let ports = k
        .port_ids()
        .map(|p| (n.port(p).to_owned(), port_expect(n, k, p)))
        .collect();
    RawExpect {
        result: result.map(str::to_owned),
        ports: Some(ports),
        lost: Some(k.counters().lost),
        ..RawExpect::default()
    }
}

/// The top of a scenario with no steps yet: `world`, with its title and
/// description.
pub(crate) fn scenario_of(world: &World) -> ScenarioOut {
    RawScenario {
        format: FORMAT.to_owned(),
        title: world.title.clone(),
        description: world.description.clone(),
        flavor: Some(world.flavor.as_str().to_owned()),
        cpus: Some(world.cpus.into()),
        ports: world
            .ports
            .iter()
            .map(|p| RawPort {
                id: p.id.clone(),
                concurrency: p.concurrency.into(),
            })
            .collect(),
        threads: if world.programs.is_empty() {
            world.threads.iter().cloned().map(RawThread::Id).collect()
        } else {
            world
                .programs
                .iter()
                .cloned()
                .map(RawThread::Program)
                .collect()
        },
        devices: Some(
            world
                .devices
                .iter()
                .map(|d| RawDevice {
                    id: d.id.clone(),
                    skip_on_success: d.skip_on_success,
                })
                .collect(),
        ),
        steps: Vec::new(),
    }
}

/// The text of a scenario file: the top-level keys one per line, one line
/// per step (its nested objects on that line), `{ "key": value }` spacing.
pub(crate) fn scenario_json(sc: &ScenarioOut) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Layout::default());
    sc.serialize(&mut ser).expect("a scenario serialises");
    let mut s = String::from_utf8(out).expect("serde_json writes UTF-8");
    s.push('\n');
    s
}

/// The layout [`scenario_json`] writes: the scenario's keys one per line,
/// one step per line (its `expect` on a line of its own), everything else
/// on one line with a space inside braces and after colons and commas
/// (`{ "op": "get", "thread": "T1" }`).
#[derive(Default)]
struct Layout {
    /// The open objects and arrays, outermost first.
    open: Vec<Frame>,
    /// The last key of the scenario object (`"steps"`, ...), and whether it
    /// is being written.
    top_key: String,
    in_top_key: bool,
    /// A step's key is about to be written: its separator waits for the
    /// key's text (`first` key or not).
    step_key: Option<bool>,
}

/// An open object or array.
#[derive(Default)]
struct Frame {
    /// Has an entry yet.
    has: bool,
    /// The `steps` array: one entry per line.
    spread: bool,
}

impl Layout {
    fn mark_entry(&mut self) -> bool {
        self.open.last_mut().is_some_and(|f| {
            f.has = true;
            f.spread
        })
    }

    /// True while writing the keys of a step (an object in `steps`).
    fn in_step(&self) -> bool {
        self.open.len() == 3 && self.open[1].spread
    }
}

impl Formatter for Layout {
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.open.last().is_some_and(|f| f.spread) {
            w.write_all(b"\n    ")?;
        }
        self.open.push(Frame::default());
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        let f = self.open.pop().expect("an open object");
        match (self.open.is_empty(), f.has) {
            (true, _) => w.write_all(b"\n}"),
            (false, true) => w.write_all(b" }"),
            (false, false) => w.write_all(b"}"),
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.mark_entry();
        if self.open.len() == 1 {
            self.top_key.clear();
            self.in_top_key = true;
            return w.write_all(if first { b"\n  " } else { b",\n  " });
        }
        if self.in_step() {
            self.step_key = Some(first);
            return Ok(());
        }
        w.write_all(if first { b" " } else { b", " })
    }

    fn begin_string<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        if self.step_key.is_some() {
            return Ok(()); // written with the key's text
        }
        w.write_all(b"\"")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        if self.in_top_key {
            self.top_key.push_str(fragment);
        }
        if let Some(first) = self.step_key.take() {
            let sep: &[u8] = match (first, fragment) {
                (true, _) => b" ",
                (false, "expect") => b",\n      ",
                (false, _) => b", ",
            };
            w.write_all(sep)?;
            w.write_all(b"\"")?;
        }
        w.write_all(fragment.as_bytes())
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.in_top_key = false;
        w.write_all(b": ")
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        let spread = self.open.len() == 1 && self.top_key == "steps";
        self.open.push(Frame { has: false, spread });
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        let f = self.open.pop().expect("an open array");
        w.write_all(if f.spread && f.has { b"\n  ]" } else { b"]" })
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        let spread = self.mark_entry();
        match (first, spread) {
            (true, _) => Ok(()),
            (false, true) => w.write_all(b","),
            (false, false) => w.write_all(b", "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    /// Reads a lesson through the reader's shapes and writes it back.
    fn rewrite(text: &str) -> String {
        let raw: ScenarioOut = serde_json::from_str(text).expect("a lesson fits the shapes");
        scenario_json(&raw)
    }

    /// read(lesson) -> write -> read gives the same world and steps, and
    /// writing again gives the same text.
    #[test]
    fn every_lesson_reads_back_the_same_after_writing() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/sim-scenarios");
        let mut n = 0;
        for path in crate::course::lesson_files(dir.as_ref()).expect("sim-scenarios") {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).expect("a lesson");
            let written = rewrite(&text);
            let (a, b) = (load_str(&name, &text), load_str(&name, &written));
            let (a, b) = (
                a.expect("the lesson reads"),
                b.expect("the written lesson reads"),
            );
            assert_eq!(a.world, b.world, "{name}");
            assert_eq!(a.steps, b.steps, "{name}\n{written}");
            assert_eq!(rewrite(&written), written, "{name}");
            n += 1;
        }
        assert!(n >= 12, "the lessons are there");
    }

    #[cfg(feature = "proptest")]
    mod generated {
        use proptest::prelude::*;

        use super::super::*;
        use crate::model::{Flavor, Outcome};
        use crate::narrate::{self, Lang};
        use crate::runner::{Applied, Runner};
        use crate::scenario::{load_str, Text, World};
        use crate::testing::strategy::valid_case;
        use crate::testing::Case;

        /// The scenario of a generated case: every action with a note (in
        /// two languages when `ko`) and the state the model left as its
        /// expectation.
        fn written(case: &Case, ko: bool) -> String {
            let names = case.world.names();
            let world = World {
                description: ko.then(|| Text {
                    en: "with\nlines".into(),
                    ko: Some("여러 줄".into()),
                }),
                ..case
                    .world
                    .scenario_world(case.flavor, Text::plain("generated \"case\""))
            };
            let mut sc = scenario_of(&world);
            let mut k = Kernel::new(&case.config());
            let mut out = Outcome::default();
            for (i, a) in case.actions.iter().enumerate() {
                k.apply(*a, &mut out).expect("a valid case");
                sc.steps.push(RawStep {
                    note: Some(Text {
                        en: format!("step {i}: {}", narrate::action(a, &names, Lang::En)),
                        ko: ko.then(|| narrate::action(a, &names, Lang::Ko)),
                    }),
                    expect: Some(state_expect(&names, &k, Some(out.result.as_str()))),
                    ..action_step(&names, a)
                });
            }
            scenario_json(&sc)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]

            /// write(generated scenario) then read gives the same actions
            /// and notes, and its expectations (the model's state) hold.
            #[test]
            fn a_written_scenario_reads_back(
                case in prop_oneof![valid_case(Flavor::Windows), valid_case(Flavor::Wine)],
                ko in any::<bool>(),
            ) {
                let json = written(&case, ko);
                let sc = load_str("generated", &json).map_err(|e| {
                    TestCaseError::fail(format!("{e}\n{json}"))
                })?;
                let names = case.world.names();
                prop_assert_eq!(sc.steps.len(), case.actions.len());
                let mut runner = Runner::new(&sc.world, case.flavor);
                for (step, a) in sc.steps.iter().zip(&case.actions) {
                    let back = step.action.expect("every step has its action");
                    prop_assert_eq!(
                        narrate::action(&back, &sc.names, Lang::En),
                        narrate::action(a, &names, Lang::En)
                    );
                    let report = runner.step(step, &sc.names);
                    prop_assert_eq!(&report.applied, &Applied::Done);
                    prop_assert!(report.mismatches.is_empty(), "{:?}\n{}", report.mismatches, json);
                }
                prop_assert_eq!(super::rewrite(&json), json);
            }
        }
    }
}
