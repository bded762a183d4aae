//! [`Frame`]: what every view shows for one step, already in words of one
//! language. Built from a recorded [`Trace`]; serialised as is into the
//! HTML player.

use serde::Serialize;

use crate::model::{Event, Flavor, Kernel, Names, Outcome, Packet, PortId, ThreadId};
use crate::narrate::{self, Lang};
use crate::runner::{Applied, Trace};
use crate::scenario::Scenario;

use super::words::{state_index, words};

/// A packet's four IOCQ fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PacketView {
    /// Completion key.
    pub key: u64,
    /// Bytes transferred.
    pub bytes: u64,
    /// The OVERLAPPED's label, or `None` for a null OVERLAPPED.
    pub overlapped: Option<String>,
    /// `"success"` or an error name.
    pub status: String,
}

impl PacketView {
    fn new(p: &Packet, names: &Names) -> PacketView {
        PacketView {
            key: p.key,
            bytes: p.bytes,
            overlapped: p.overlapped.map(|o| names.overlapped(o).to_owned()),
            status: names.status(p.status).to_owned(),
        }
    }

    /// `key 7 | 0 B | ovA | success`, with `key_word` for "key".
    pub fn cell(&self, key_word: &str) -> String {
        format!(
            "{key_word} {} | {} B | {} | {}",
            self.key,
            self.bytes,
            self.overlapped.as_deref().unwrap_or("null"),
            self.status
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
    /// `"free"`, `"running"`, `"waiting"`, `"paused"` or `"exited"`.
    pub state: &'static str,
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
    /// The rules that fired, in order.
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
            title: scenario.world.title.get(lang).into_owned(),
            description: scenario
                .world
                .description
                .as_ref()
                .map(|d| d.get(lang).into_owned()),
            flavor: trace.flavor.as_str(),
            lang: lang.code(),
            frames: frames(scenario, trace, lang),
            stopped: trace.stopped.as_ref().map(|e| e.to_string()),
            foreign: trace.flavor != scenario.world.flavor,
        }
    }

    /// The last frame index.
    pub fn last(&self) -> usize {
        self.frames.len() - 1
    }
}

/// Frames 0..=n of a trace in `lang`.
pub fn frames(scenario: &Scenario, trace: &Trace, lang: Lang) -> Vec<Frame> {
    let names = &scenario.names;
    let w = words(lang);
    let mut out = Vec::with_capacity(trace.steps.len() + 1);
    let empty = Outcome::default();
    let mut focus = 0;
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
    out.push(Frame {
        index: 0,
        action: w.before.to_owned(),
        op: None,
        note: None,
        rules: Vec::new(),
        rejected: None,
        result: None,
        deliveries: Vec::new(),
        failures: Vec::new(),
        mismatches: Vec::new(),
        ports: ports(&trace.initial, names),
        devices: devices(&trace.initial, names),
        threads: threads(&trace.initial, names, lang),
        focus,
    });
    let mut walk = trace.walk();
    while let Some(ts) = walk.step() {
        let after = walk.kernel();
        let done = ts.report.applied == Applied::Done;
        let outcome = if done { &ts.outcome } else { &empty };
        if let Some(p) = outcome.fired.iter().find_map(|f| event_port(&f.event)) {
            focus = p.index();
        } else if let Some(p) = ts.step.action.and_then(action_port) {
            focus = p.index();
        }
        let handed: Vec<ThreadId> = outcome
            .fired
            .iter()
            .filter_map(|f| match f.event {
                Event::HandedOff { thread, .. } => Some(thread),
                _ => None,
            })
            .collect();
        let mut seen_direct = Vec::new();
        let deliveries = outcome
            .deliveries
            .iter()
            .map(|d| {
                let direct = handed.contains(&d.thread) && !seen_direct.contains(&d.thread);
                if direct {
                    seen_direct.push(d.thread);
                }
                DeliveryView {
                    thread: names.thread(d.thread).to_owned(),
                    port: names.port(d.port).to_owned(),
                    packet: PacketView::new(&d.packet, names),
                    from_iocq: !direct,
                }
            })
            .collect();
        out.push(Frame {
            index: walk.index(),
            action: match &ts.step.action {
                Some(a) => narrate::action(a, names, lang),
                None => w.check_only.to_owned(),
            },
            op: ts.step.action.map(|a| a.op()),
            note: ts.step.note.as_ref().map(|n| n.get(lang).into_owned()),
            rules: outcome
                .fired
                .iter()
                .map(|f| RuleLine {
                    label: narrate::rule_label(f.rule, lang),
                    text: narrate::fired(f, names, lang),
                })
                .collect(),
            rejected: match &ts.report.applied {
                Applied::Rejected { rejection, .. } => {
                    Some(narrate::rejection(rejection, names, lang))
                }
                _ => None,
            },
            result: match ts.report.applied {
                Applied::Done => Some(outcome.result.as_str()),
                _ => None,
            },
            deliveries,
            failures: outcome
                .failures
                .iter()
                .map(|(t, e)| (names.thread(*t).to_owned(), e.name()))
                .collect(),
            mismatches: ts
                .report
                .mismatches
                .iter()
                .map(|m| {
                    format!(
                        "{label} {}: expected {}, actual {}",
                        m.key, m.expected, m.actual
                    )
                })
                .collect(),
            ports: ports(after, names),
            devices: devices(after, names),
            threads: threads(after, names, lang),
            focus,
        });
    }
    out
}

fn event_port(e: &Event) -> Option<PortId> {
    match *e {
        Event::Returned { port, .. }
        | Event::Joined { port, .. }
        | Event::Took { port, .. }
        | Event::Waits { port, .. }
        | Event::PollFailed { port, .. }
        | Event::HandedOff { port, .. }
        | Event::Queued { port, .. }
        | Event::Woke { port, .. }
        | Event::Held { port, .. }
        | Event::TimedOut { port, .. }
        | Event::Associated { port, .. }
        | Event::Abandoned { port, .. }
        | Event::Stranded { port, .. }
        | Event::StrandedWoken { port, .. }
        | Event::Unassociated { port, .. }
        | Event::Discarded { port, .. }
        | Event::PortClosed { port } => Some(port),
        Event::Blocked { port, .. }
        | Event::Unblocked { port, .. }
        | Event::Exited { port, .. } => port,
        Event::LeftPort { .. }
        | Event::Issued { .. }
        | Event::Completed { .. }
        | Event::NoPacket { .. }
        | Event::Aborted { .. }
        | Event::DeviceClosed { .. }
        | Event::Failed { .. } => None,
    }
}

fn action_port(a: crate::model::Action) -> Option<PortId> {
    use crate::model::Action as A;
    match a {
        A::Associate { port, .. }
        | A::Post { port, .. }
        | A::Get { port, .. }
        | A::GetEx { port, .. }
        | A::ClosePort { port } => Some(port),
        _ => None,
    }
}

fn list(ids: &[ThreadId], names: &Names) -> Vec<String> {
    ids.iter().map(|&t| names.thread(t).to_owned()).collect()
}

fn ports(k: &Kernel, names: &Names) -> Vec<PortView> {
    let order = k.flavor().wake_order();
    k.ports()
        .iter()
        .enumerate()
        .map(|(i, p)| PortView {
            name: names.port(PortId(i as u32)).to_owned(),
            max: p.max(),
            current: p.current(),
            over: p.over_limit(),
            closed: p.closed(),
            iocq: p
                .iocq()
                .iter()
                .map(|pk| PacketView::new(pk, names))
                .collect(),
            wtq: list(&p.wtq().wake_order(order), names),
            rtl: list(p.rtl().as_slice(), names),
            ptl: list(p.ptl().as_slice(), names),
        })
        .collect()
}

fn devices(k: &Kernel, names: &Names) -> Vec<DeviceView> {
    k.devices()
        .iter()
        .map(|(id, d)| {
            let entry = k.devices().entry(id);
            DeviceView {
                name: names.device(id).to_owned(),
                port: entry.map(|(p, _)| names.port(p).to_owned()),
                key: entry.map(|(_, key)| key),
                closed: d.closed(),
                pending: d
                    .pending()
                    .iter()
                    .map(|&o| names.overlapped(o).to_owned())
                    .collect(),
            }
        })
        .collect()
}

fn threads(k: &Kernel, names: &Names, lang: Lang) -> Vec<ThreadView> {
    let w = words(lang);
    k.threads()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let s = t.status();
            ThreadView {
                name: names.thread(ThreadId(i as u32)).to_owned(),
                state: s.as_str(),
                state_text: w.states[state_index(s)],
                port: t.port().map(|p| names.port(p).to_owned()),
                mark: t.queue_mark(),
            }
        })
        .collect()
}
