//! [`Frame`]: what every classroom view shows for one step, already in
//! words of one language, owned so that a whole run can be kept and moved
//! through. Each frame is copied from the per-step view model
//! ([`crate::render::view`]) of a recorded [`Trace`]; serialised as is into
//! the HTML player.

use std::rc::Rc;

use serde::Serialize;

use crate::model::{Flavor, Kernel, Names, PortId, ThreadStatus};
use crate::narrate::{words, Lang, Words};
use crate::render::view::{self, StateView, StepView};
use crate::runner::{Trace, TraceStep, Walk};
use crate::scenario::{Scenario, ScenarioError};

/// A packet's four IOCQ fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PacketView {
    /// Completion key.
    pub key: u64,
    /// Bytes transferred.
    pub bytes: u64,
    /// The OVERLAPPED's label, or `None` for a null OVERLAPPED.
    pub overlapped: Option<String>,
    /// `"success"` (in the frame's language) or an error name.
    pub status: String,
}

impl PacketView {
    /// The view of `p` in the words of `w` (its status).
    fn new(p: &view::PacketView, w: &Words) -> PacketView {
        PacketView {
            key: p.key,
            bytes: p.bytes,
            overlapped: p.overlapped.map(str::to_owned),
            status: w.status(p.status).to_owned(),
        }
    }

    /// `key 7 | 0 B | ovA | success`, with `key_word` for "key" (the
    /// status is in the frame's words already).
    pub fn cell(&self, key_word: &str) -> String {
        view::cell(
            key_word,
            self.key,
            self.bytes,
            self.overlapped.as_deref().unwrap_or("null"),
            &self.status,
        )
    }
}

/// One port's structures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortView {
    /// Its name.
    pub name: String,
    /// The effective limit.
    pub max: u32,
    /// CurrentCount.
    pub current: u32,
    /// `current > max`.
    pub over: bool,
    /// Closed by rule 8.
    pub closed: bool,
    /// Queued packets, head first.
    pub iocq: Vec<PacketView>,
    /// Waiting threads in the order the port wakes them (next first).
    pub wtq: Vec<String>,
    /// Running threads.
    pub rtl: Vec<String>,
    /// Paused threads.
    pub ptl: Vec<String>,
}

/// One Device List row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceView {
    /// The device's name.
    pub name: String,
    /// `(port, key)` when associated.
    pub port: Option<String>,
    /// The completion key when associated.
    pub key: Option<u64>,
    /// The handle is closed.
    pub closed: bool,
    /// OVERLAPPED labels of requests pending on it.
    pub pending: Vec<String>,
}

/// One thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ThreadView {
    /// Its name.
    pub name: String,
    /// `"free"`, `"running"`, `"waiting"`, `"paused"` or `"exited"` (for
    /// the HTML page's script).
    pub state: &'static str,
    /// The same state, for views that match on it.
    #[serde(skip)]
    pub status: ThreadStatus,
    /// The state word in the view's language.
    pub state_text: &'static str,
    /// The port it is associated with.
    pub port: Option<String>,
    /// True while it carries the queue-wait mark (rule 2).
    pub mark: bool,
}

/// A rule that fired, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleLine {
    /// `"rule 2 (insert)"` or its translation.
    pub label: String,
    /// The sentence.
    pub text: String,
}

/// A packet handed to a thread at this step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeliveryView {
    /// The thread.
    pub thread: String,
    /// The port.
    pub port: String,
    /// The packet.
    pub packet: PacketView,
    /// False when the packet went straight to the thread (rule 2's hand-off);
    /// true when it was taken from the IOCQ.
    pub from_iocq: bool,
}

/// Everything shown for one step index (0: before step 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// The index: 0 before the first step, then the step number.
    pub index: usize,
    /// The action in words (or the words for "no action").
    pub action: String,
    /// The step's op (`"post"`, ...), if it has one.
    pub op: Option<&'static str>,
    /// The author's note.
    pub note: Option<String>,
    /// The rules that fired, in order, then each queue-wait mark the step
    /// set or cleared (labelled with the mark's name).
    pub rules: Vec<RuleLine>,
    /// The explanation of a rejected action.
    pub rejected: Option<String>,
    /// The step's own call result.
    pub result: Option<&'static str>,
    /// Packets handed to threads.
    pub deliveries: Vec<DeliveryView>,
    /// Threads whose calls failed at this step, with the error.
    pub failures: Vec<(String, &'static str)>,
    /// Expectations that did not hold, each labelled (see [`Show::foreign`]).
    pub mismatches: Vec<String>,
    /// Ports after the step.
    pub ports: Vec<PortView>,
    /// The Device List after the step.
    pub devices: Vec<DeviceView>,
    /// Threads after the step.
    pub threads: Vec<ThreadView>,
    /// Index of the port this step is mostly about (for views that show one).
    pub focus: usize,
}

/// A whole recorded run, ready to show.
#[derive(Clone, Debug, Serialize)]
pub struct Show {
    /// The scenario's title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// `"windows"` or `"wine"`.
    pub flavor: &'static str,
    /// `"en"` or `"ko"`.
    pub lang: &'static str,
    /// Frames 0..=steps.
    pub frames: Vec<Frame>,
    /// Why the run stopped early, if it did.
    pub stopped: Option<String>,
    /// The run is in another flavour than the one the scenario was written
    /// for, so failed expectations show where the flavours differ.
    pub foreign: bool,
    /// The last frame index, also when `frames` is left empty
    /// ([`Show::header`]).
    #[serde(skip)]
    last: usize,
}

impl Show {
    /// Records `scenario` in `flavor` and builds its frames in `lang`.
    pub fn new(scenario: &Scenario, flavor: Flavor, lang: Lang) -> Show {
        let trace = Trace::record(scenario, flavor);
        Show::from_trace(scenario, &trace, lang)
    }

    /// Builds the frames of an already recorded trace.
    pub fn from_trace(scenario: &Scenario, trace: &Trace, lang: Lang) -> Show {
        Show {
            frames: frames(scenario, trace, lang),
            ..Show::header(scenario, trace, lang)
        }
    }

    /// Everything of [`Show::from_trace`] but the frames (left empty), for
    /// views that build the frames one at a time ([`Frames`], [`frame`]).
    pub fn header(scenario: &Scenario, trace: &Trace, lang: Lang) -> Show {
        Show {
            title: scenario.world.title.get(lang).into_owned(),
            description: scenario
                .world
                .description
                .as_ref()
                .map(|d| d.get(lang).into_owned()),
            flavor: trace.flavor.as_str(),
            lang: lang.code(),
            frames: Vec::new(),
            stopped: trace
                .stopped
                .as_ref()
                .map(|e| stop_text(scenario, trace, e, lang)),
            foreign: trace.flavor != scenario.world.flavor,
            last: trace.steps.len(),
        }
    }

    /// The last frame index (of the run, whether or not `frames` holds it).
    pub fn last(&self) -> usize {
        self.last
    }

    /// The header (no frames) with every text put through `f` (the
    /// terminal player escapes them: [`crate::escape::terminal_line`]).
    pub fn header_map_text(&self, f: impl Fn(&str) -> String) -> Show {
        let Show {
            title,
            description,
            flavor,
            lang,
            frames: _,
            stopped,
            foreign,
            last,
        } = self;
        Show {
            title: f(title),
            description: description.as_deref().map(&f),
            flavor,
            lang,
            frames: Vec::new(),
            stopped: stopped.as_deref().map(&f),
            foreign: *foreign,
            last: *last,
        }
    }
}

impl Frame {
    /// The frame with every text put through `f` (the terminal player
    /// escapes them: [`crate::escape::terminal_line`]). Every field is
    /// named, so a text added to a frame cannot be forgotten here.
    pub fn map_text(&self, f: impl Fn(&str) -> String) -> Frame {
        let Frame {
            index,
            action,
            op,
            note,
            rules,
            rejected,
            result,
            deliveries,
            failures,
            mismatches,
            ports,
            devices,
            threads,
            focus,
        } = self;
        let all = |v: &[String]| v.iter().map(|s| f(s)).collect::<Vec<_>>();
        let packet = |p: &PacketView| {
            let PacketView {
                key,
                bytes,
                overlapped,
                status,
            } = p;
            PacketView {
                key: *key,
                bytes: *bytes,
                overlapped: overlapped.as_deref().map(&f),
                status: f(status),
            }
        };
        Frame {
            index: *index,
            action: f(action),
            op: *op,
            note: note.as_deref().map(&f),
            rules: rules
                .iter()
                .map(|RuleLine { label, text }| RuleLine {
                    label: f(label),
                    text: f(text),
                })
                .collect(),
            rejected: rejected.as_deref().map(&f),
            result: *result,
            deliveries: deliveries
                .iter()
                .map(|d| {
                    let DeliveryView {
                        thread,
                        port,
                        packet: p,
                        from_iocq,
                    } = d;
                    DeliveryView {
                        thread: f(thread),
                        port: f(port),
                        packet: packet(p),
                        from_iocq: *from_iocq,
                    }
                })
                .collect(),
            failures: failures.iter().map(|(t, e)| (f(t), *e)).collect(),
            mismatches: all(mismatches),
            ports: ports
                .iter()
                .map(|p| {
                    let PortView {
                        name,
                        max,
                        current,
                        over,
                        closed,
                        iocq,
                        wtq,
                        rtl,
                        ptl,
                    } = p;
                    PortView {
                        name: f(name),
                        max: *max,
                        current: *current,
                        over: *over,
                        closed: *closed,
                        iocq: iocq.iter().map(packet).collect(),
                        wtq: all(wtq),
                        rtl: all(rtl),
                        ptl: all(ptl),
                    }
                })
                .collect(),
            devices: devices
                .iter()
                .map(|d| {
                    let DeviceView {
                        name,
                        port,
                        key,
                        closed,
                        pending,
                    } = d;
                    DeviceView {
                        name: f(name),
                        port: port.as_deref().map(&f),
                        key: *key,
                        closed: *closed,
                        pending: all(pending),
                    }
                })
                .collect(),
            threads: threads
                .iter()
                .map(|t| {
                    let ThreadView {
                        name,
                        state,
                        status,
                        state_text,
                        port,
                        mark,
                    } = t;
                    ThreadView {
                        name: f(name),
                        state,
                        status: *status,
                        state_text,
                        port: port.as_deref().map(&f),
                        mark: *mark,
                    }
                })
                .collect(),
            focus: *focus,
        }
    }
}

/// Why the run stopped: the runner's error in English; in another
/// language the same place (file, step, op) and the rejection in that
/// language's words.
fn stop_text(scenario: &Scenario, trace: &Trace, error: &ScenarioError, lang: Lang) -> String {
    let last = trace.state(trace.steps.len());
    let rejected = match trace.steps.last() {
        Some(ts) if lang != Lang::En => StepView::new(
            &ts.step,
            &ts.report,
            &ts.outcome,
            &last,
            &scenario.names,
            lang,
        )
        .rejected_text()
        .map(|why| (ts, why)),
        _ => None,
    };
    match rejected {
        Some((ts, why)) => format!(
            "{}: {} {} ({}): {why}",
            scenario.source,
            words(lang).step,
            ts.step.number,
            ts.step.action.map_or("-", |a| a.op())
        ),
        None => error.to_string(),
    }
}

/// A recorded run as a view draws it: its header and any of its frames,
/// however they are kept (all built, as in a [`Show`], or built on demand,
/// as the terminal player does).
pub trait Run {
    /// The header: title, flavour, language, where the run stopped, the
    /// last index ([`Show::last`]); its `frames` may be empty.
    fn show(&self) -> &Show;
    /// Frame `i`, for `i <= self.show().last()`.
    fn frame(&self, i: usize) -> Rc<Frame>;
}

impl Run for Show {
    fn show(&self) -> &Show {
        self
    }

    /// Panics for a [`Show::header`], which holds no frames: draw the
    /// [`Run`] that builds them (the player) instead.
    fn frame(&self, i: usize) -> Rc<Frame> {
        let f = self.frames.get(i).unwrap_or_else(|| {
            panic!(
                "frame {i} of a Show holding {} frames (a header? draw its player)",
                self.frames.len()
            )
        });
        Rc::new(f.clone())
    }
}

/// Frames 0..=n of a trace in `lang`.
pub fn frames(scenario: &Scenario, trace: &Trace, lang: Lang) -> Vec<Frame> {
    let mut out = Vec::with_capacity(trace.steps.len() + 1);
    out.extend(Frames::new(scenario, trace, lang));
    out
}

/// Builds frames of one run: the names, the language and the label of a
/// failed expectation.
#[derive(Debug)]
struct Builder<'a> {
    names: &'a Names,
    lang: Lang,
    label: String,
}

impl<'a> Builder<'a> {
    fn new(scenario: &'a Scenario, trace: &Trace, lang: Lang) -> Builder<'a> {
        let w = words(lang);
        // Expectations are written for the scenario's own flavour; in the other
        // one they tell where it differs rather than that something is wrong.
        let label = if trace.flavor == scenario.world.flavor {
            w.mismatch.to_owned()
        } else {
            format!(
                "{}{}{}:",
                w.differs.0,
                scenario.world.flavor.as_str(),
                w.differs.1
            )
        };
        Builder {
            names: &scenario.names,
            lang,
            label,
        }
    }

    /// Frame 0: the state `k` before step 1.
    fn first(&self, k: &Kernel) -> Frame {
        let initial = StateView::new(k, self.names);
        Frame {
            index: 0,
            action: words(self.lang).before.to_owned(),
            op: None,
            note: None,
            rules: Vec::new(),
            rejected: None,
            result: None,
            deliveries: Vec::new(),
            failures: Vec::new(),
            mismatches: Vec::new(),
            ports: ports(&initial, self.lang),
            devices: devices(&initial),
            threads: threads(&initial, self.lang),
            focus: 0,
        }
    }

    /// The view of step `ts`, which left `after`.
    fn view<'v>(&'v self, ts: &'v TraceStep, after: &'v Kernel) -> StepView<'v> {
        StepView::new(
            &ts.step,
            &ts.report,
            &ts.outcome,
            after,
            self.names,
            self.lang,
        )
    }

    /// Frame `index` of step `ts`, which left `after`; `focus` is the port
    /// the frames up to this one are about ([`StepView::focus`]).
    fn after(&self, index: usize, ts: &TraceStep, after: &Kernel, focus: usize) -> Frame {
        let v = self.view(ts, after);
        Frame {
            index,
            action: v.action_text(),
            op: ts.step.action.map(|a| a.op()),
            note: v.note().map(|n| n.into_owned()),
            rules: v
                .rules()
                .chain(v.marks())
                .map(|(label, text)| RuleLine { label, text })
                .collect(),
            rejected: v.rejected_text(),
            result: v.result(),
            deliveries: v
                .deliveries()
                .map(|d| DeliveryView {
                    thread: d.thread.to_owned(),
                    port: d.port.to_owned(),
                    packet: PacketView::new(&d.packet, words(self.lang)),
                    from_iocq: d.from_iocq,
                })
                .collect(),
            failures: v.failures().map(|(t, e)| (t.to_owned(), e)).collect(),
            mismatches: v.mismatch_lines(&self.label).collect(),
            ports: ports(&v.state, self.lang),
            devices: devices(&v.state),
            threads: threads(&v.state, self.lang),
            focus,
        }
    }
}

/// Frame `i` of `trace` (a run of `scenario`) in `lang`, built alone: the
/// state recomputed by the trace from its nearest checkpoint
/// ([`Trace::state`]), the step's record, and the focus of the last step
/// before that moved it (found without any state). The same frame as
/// `frames(..)[i]`; panics if `i` is past the last step.
pub fn frame(scenario: &Scenario, trace: &Trace, lang: Lang, i: usize) -> Frame {
    let b = Builder::new(scenario, trace, lang);
    let k = trace.state(i);
    match i.checked_sub(1) {
        None => b.first(&k),
        Some(step) => {
            let focus = trace.steps[..i]
                .iter()
                .rev()
                .find_map(|ts| b.view(ts, &trace.initial).focus());
            b.after(i, &trace.steps[step], &k, focus.map_or(0, PortId::index))
        }
    }
}

/// The frames of a trace built one at a time, in order (frame 0 first),
/// holding one state: what [`frames`] collects, for views that write each
/// frame out as it is built.
#[derive(Debug)]
pub struct Frames<'a> {
    builder: Builder<'a>,
    walk: Walk<'a>,
    /// Frame 0 not yet given.
    first: bool,
    focus: usize,
}

impl<'a> Frames<'a> {
    /// Frames of `trace`, a run of `scenario`, in `lang`.
    pub fn new(scenario: &'a Scenario, trace: &'a Trace, lang: Lang) -> Frames<'a> {
        Frames {
            builder: Builder::new(scenario, trace, lang),
            walk: trace.walk(),
            first: true,
            focus: 0,
        }
    }
}

impl Iterator for Frames<'_> {
    type Item = Frame;

    fn next(&mut self) -> Option<Frame> {
        if self.first {
            self.first = false;
            return Some(self.builder.first(self.walk.kernel()));
        }
        let ts = self.walk.step()?;
        let after = self.walk.kernel();
        if let Some(p) = self.builder.view(ts, after).focus() {
            self.focus = p.index();
        }
        Some(self.builder.after(self.walk.index(), ts, after, self.focus))
    }
}

/// The states of a trace one at a time, in order (0: before step 1), for
/// views that draw one thread or port across every step (a row) without
/// building whole frames: `each(index, state)` is called for every state.
/// The first error `each` returns stops the walk and is returned.
pub fn each_state<E>(
    trace: &Trace,
    names: &Names,
    mut each: impl FnMut(usize, StateView<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let mut walk = trace.walk();
    each(0, StateView::new(walk.kernel(), names))?;
    while walk.step().is_some() {
        each(walk.index(), StateView::new(walk.kernel(), names))?;
    }
    Ok(())
}

fn owned<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    names.map(str::to_owned).collect()
}

fn ports(state: &StateView, lang: Lang) -> Vec<PortView> {
    state.ports().map(|p| port(&p, lang)).collect()
}

/// A port as [`Frame::ports`] shows it, in `lang`.
pub fn port(p: &view::PortView, lang: Lang) -> PortView {
    PortView {
        name: p.name.to_owned(),
        max: p.max,
        current: p.current,
        over: p.over,
        closed: p.closed,
        iocq: p
            .iocq()
            .map(|pk| PacketView::new(&pk, words(lang)))
            .collect(),
        wtq: owned(p.wtq()),
        rtl: owned(p.rtl()),
        ptl: owned(p.ptl()),
    }
}

fn devices(state: &StateView) -> Vec<DeviceView> {
    state
        .devices()
        .map(|d| DeviceView {
            name: d.name.to_owned(),
            port: d.entry.map(|(p, _)| p.to_owned()),
            key: d.entry.map(|(_, key)| key),
            closed: d.closed,
            pending: owned(d.pending()),
        })
        .collect()
}

fn threads(state: &StateView, lang: Lang) -> Vec<ThreadView> {
    state.threads().map(|t| thread(&t, lang)).collect()
}

/// A thread as [`Frame::threads`] shows it, in `lang`.
pub fn thread(t: &view::ThreadView, lang: Lang) -> ThreadView {
    ThreadView {
        name: t.name.to_owned(),
        state: t.status.as_str(),
        status: t.status,
        state_text: words(lang).state(t.status),
        port: t.port.map(str::to_owned),
        mark: t.mark,
    }
}
