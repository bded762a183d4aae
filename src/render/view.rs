//! The per-step view model: everything any view shows for one step of a
//! run, read from the model in one place. The text view, the JSON lines of
//! `run --json`, the terminal player's and the HTML page's frames and the
//! SVG timeline all read a [`StepView`] (or, for the state before step 1,
//! a [`StateView`]); none of them walks a [`Kernel`] itself.
//!
//! The view borrows: names are `&str` into the scenario's [`Names`], and
//! the lists are iterators over the kernel's own structures, so building a
//! view allocates nothing (`run --json` writes a million steps through it
//! in flat memory). The words of a language come from
//! [`crate::narrate::words()`], the sentences from [`crate::narrate`].

use crate::model::{
    Action, Device, DeviceId, Event, Fired, Kernel, Names, Outcome, Packet, Port, PortId,
    Rejection, ThreadId, ThreadStatus, WakeOrder,
};
use crate::narrate::{self, words, Lang, Words};
use crate::runner::{Applied, StepReport};
use crate::scenario::{Mismatch, Step};

/// A packet's four IOCQ fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketView<'a> {
    /// Completion key.
    pub key: u64,
    /// Bytes transferred.
    pub bytes: u64,
    /// The OVERLAPPED's label, or `None` for a null OVERLAPPED.
    pub overlapped: Option<&'a str>,
    /// `"success"` or an error name.
    pub status: &'a str,
}

impl<'a> PacketView<'a> {
    /// The view of `p`.
    pub fn new(p: &Packet, names: &'a Names) -> PacketView<'a> {
        PacketView {
            key: p.key,
            bytes: p.bytes,
            overlapped: p.overlapped.map(|o| names.overlapped(o)),
            status: names.status(p.status),
        }
    }

    /// `key 7 | 0 B | ovA | success`, in the words of `w` ("key", and
    /// the status `success`).
    pub fn cell(&self, w: &Words) -> String {
        cell(
            w.key,
            self.key,
            self.bytes,
            self.overlapped.unwrap_or("null"),
            w.status(self.status),
        )
    }
}

/// The one format of a packet cell (see [`PacketView::cell`]).
pub fn cell(key_word: &str, key: u64, bytes: u64, overlapped: &str, status: &str) -> String {
    format!("{key_word} {key} | {bytes} B | {overlapped} | {status}")
}

/// One port and its structures.
#[derive(Clone, Copy, Debug)]
pub struct PortView<'a> {
    /// Its id.
    pub id: PortId,
    /// Its name.
    pub name: &'a str,
    /// The concurrency value it was made with (0: the number of CPUs).
    pub concurrency: u32,
    /// The effective limit.
    pub max: u32,
    /// CurrentCount.
    pub current: u32,
    /// `current > max`.
    pub over: bool,
    /// Closed by rule 8.
    pub closed: bool,
    port: &'a Port,
    names: &'a Names,
    order: WakeOrder,
}

impl<'a> PortView<'a> {
    /// Queued packets, head first.
    pub fn iocq(&self) -> impl Iterator<Item = PacketView<'a>> + 'a {
        let names = self.names;
        self.port
            .iocq()
            .iter()
            .map(move |p| PacketView::new(p, names))
    }

    /// How many packets are queued.
    pub fn iocq_len(&self) -> usize {
        self.port.iocq().len()
    }

    /// Waiting threads in the order the port wakes them (next first).
    pub fn wtq(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let arrival = self.port.wtq().arrival_order();
        let lifo = self.order == WakeOrder::Lifo;
        let names = self.names;
        (0..arrival.len()).map(move |i| {
            let at = if lifo { arrival.len() - 1 - i } else { i };
            names.thread(arrival[at])
        })
    }

    /// Running threads (the RTL), in id order.
    pub fn rtl(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        threads(self.port.rtl().as_slice(), self.names)
    }

    /// Paused threads (the PTL), in id order.
    pub fn ptl(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        threads(self.port.ptl().as_slice(), self.names)
    }
}

fn threads<'a>(ids: &'a [ThreadId], names: &'a Names) -> impl ExactSizeIterator<Item = &'a str> {
    ids.iter().map(move |&t| names.thread(t))
}

/// One Device List row.
#[derive(Clone, Copy, Debug)]
pub struct DeviceView<'a> {
    /// The device's name.
    pub name: &'a str,
    /// Its Device List entry, `(port, key)`, while associated and open.
    pub entry: Option<(&'a str, u64)>,
    /// The handle is closed.
    pub closed: bool,
    device: &'a Device,
    names: &'a Names,
}

impl<'a> DeviceView<'a> {
    /// OVERLAPPED labels of the requests pending on it, in issue order.
    pub fn pending(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let names = self.names;
        self.device
            .pending()
            .iter()
            .map(move |&o| names.overlapped(o))
    }
}

/// One thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadView<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its state.
    pub status: ThreadStatus,
    /// The port it is associated with.
    pub port: Option<&'a str>,
    /// True while it carries the queue-wait mark (rule 2).
    pub mark: bool,
}

/// The state of the model after a step (or before step 1): every port,
/// the Device List and every thread, named.
#[derive(Clone, Copy, Debug)]
pub struct StateView<'a> {
    kernel: &'a Kernel,
    names: &'a Names,
}

impl<'a> StateView<'a> {
    /// The view of `kernel`, named by `names`.
    pub fn new(kernel: &'a Kernel, names: &'a Names) -> StateView<'a> {
        StateView { kernel, names }
    }

    /// Every port, in id order.
    pub fn ports(&self) -> impl ExactSizeIterator<Item = PortView<'a>> + 'a {
        let v = *self;
        (0..self.kernel.ports().len()).map(move |i| v.port(i))
    }

    /// Port `i` (its id's index), alone: for views that draw one port
    /// across many states. Panics past the last port.
    pub fn port(&self, i: usize) -> PortView<'a> {
        let (names, order) = (self.names, self.kernel.wake_order());
        let id = PortId::from_index(i);
        let port = &self.kernel.ports()[i];
        PortView {
            id,
            name: names.port(id),
            concurrency: port.concurrency(),
            max: port.max(),
            current: port.current(),
            over: port.over_limit(),
            closed: port.closed(),
            port,
            names,
            order,
        }
    }

    /// The Device List, in id order.
    pub fn devices(&self) -> impl Iterator<Item = DeviceView<'a>> + 'a {
        let (names, list) = (self.names, self.kernel.devices());
        list.iter()
            .map(move |(id, device): (DeviceId, &'a Device)| DeviceView {
                name: names.device(id),
                entry: list.entry(id).map(|(p, key)| (names.port(p), key)),
                closed: device.closed(),
                device,
                names,
            })
    }

    /// Every thread, in id order.
    pub fn threads(&self) -> impl ExactSizeIterator<Item = ThreadView<'a>> + 'a {
        let v = *self;
        (0..self.kernel.threads().len()).map(move |i| v.thread(i))
    }

    /// Thread `i` (its id's index), alone: for views that draw one thread
    /// across many states. Panics past the last thread.
    pub fn thread(&self, i: usize) -> ThreadView<'a> {
        let names = self.names;
        let t = &self.kernel.threads()[i];
        ThreadView {
            name: names.thread(ThreadId::from_index(i)),
            status: t.status(),
            port: t.port().map(|p| names.port(p)),
            mark: t.queue_mark(),
        }
    }

    /// Packets lost so far.
    pub fn lost(&self) -> u64 {
        self.kernel.counters().lost
    }
}

/// A packet handed to a thread at this step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryView<'a> {
    /// The thread.
    pub thread: &'a str,
    /// The port.
    pub port: &'a str,
    /// The packet.
    pub packet: PacketView<'a>,
    /// False when the packet went straight to the thread (rule 2's hand-off);
    /// true when it was taken from the IOCQ.
    pub from_iocq: bool,
}

/// Everything shown for one step: the action, what became of it, the rules
/// that fired, the deliveries and failures, the expectations that did not
/// hold, and the state after it.
#[derive(Clone, Copy, Debug)]
pub struct StepView<'a> {
    /// The step (its number, action and note).
    pub step: &'a Step,
    /// What became of the action.
    pub applied: &'a Applied,
    /// Expectations that did not hold after it.
    pub mismatches: &'a [Mismatch],
    /// The state after it.
    pub state: StateView<'a>,
    /// The language of its words.
    pub lang: Lang,
    /// The outcome, when the action ran.
    outcome: Option<&'a Outcome>,
    names: &'a Names,
}

impl<'a> StepView<'a> {
    /// The view of one step: `outcome` and `kernel` are the runner's after
    /// it (the outcome is ignored unless the action ran).
    pub fn new(
        step: &'a Step,
        report: &'a StepReport,
        outcome: &'a Outcome,
        kernel: &'a Kernel,
        names: &'a Names,
        lang: Lang,
    ) -> StepView<'a> {
        StepView {
            step,
            applied: &report.applied,
            mismatches: &report.mismatches,
            state: StateView::new(kernel, names),
            lang,
            outcome: (report.applied == Applied::Done).then_some(outcome),
            names,
        }
    }

    /// The words of the view's language.
    pub fn words(&self) -> &'static Words {
        words(self.lang)
    }

    /// The rules that fired, in order (none unless the action ran).
    pub fn fired(&self) -> &'a [Fired] {
        self.outcome.map_or(&[], |o| &o.fired)
    }

    /// The step's own call result, when its action ran, in the view's
    /// language (`success`, `pending` in its words; an error by its name).
    pub fn result(&self) -> Option<&'static str> {
        let lang = self.lang;
        self.outcome.map(|o| narrate::result(o.result, lang))
    }

    /// The rejection, when the model refused the action.
    pub fn rejection(&self) -> Option<&'a Rejection> {
        match self.applied {
            Applied::Rejected { rejection, .. } => Some(rejection),
            _ => None,
        }
    }

    /// Packets handed to threads, in order.
    pub fn deliveries(&self) -> impl ExactSizeIterator<Item = DeliveryView<'a>> + 'a {
        let (names, fired) = (self.names, self.fired());
        let all = self.outcome.map_or(&[][..], |o| &o.deliveries);
        all.iter().enumerate().map(move |(i, d)| {
            // A thread's first delivery came by hand-off when the step handed
            // it a packet; the rest (and every other) came from the IOCQ.
            let handed = fired
                .iter()
                .any(|f| matches!(f.event, Event::HandedOff { thread, .. } if thread == d.thread));
            let first = !all[..i].iter().any(|e| e.thread == d.thread);
            DeliveryView {
                thread: names.thread(d.thread),
                port: names.port(d.port),
                packet: PacketView::new(&d.packet, names),
                from_iocq: !(handed && first),
            }
        })
    }

    /// Threads whose calls failed at this step, with the error's name.
    pub fn failures(&self) -> impl ExactSizeIterator<Item = (&'a str, &'static str)> + 'a {
        let names = self.names;
        self.outcome
            .map_or(&[][..], |o| &o.failures)
            .iter()
            .map(move |(t, e)| (names.thread(*t), e.name()))
    }

    /// The action in words, or the words for a step without one.
    pub fn action_text(&self) -> String {
        match &self.step.action {
            Some(a) => narrate::action(a, self.names, self.lang),
            None => self.words().check_only.to_owned(),
        }
    }

    /// The author's note in the view's language.
    pub fn note(&self) -> Option<std::borrow::Cow<'a, str>> {
        self.step.note.as_ref().map(|n| n.get(self.lang))
    }

    /// Each rule that fired: its label and its sentence.
    pub fn rules(&self) -> impl ExactSizeIterator<Item = (String, String)> + 'a {
        let (names, lang) = (self.names, self.lang);
        let flavor = self.state.kernel.flavor();
        self.fired().iter().map(move |f| {
            (
                narrate::rule_label(f.rule, lang),
                narrate::fired(f, names, flavor, lang),
            )
        })
    }

    /// Each queue-wait mark the step set or cleared (hidden state, which
    /// only rule 2 reads): the mark's name as a label, and the sentence.
    pub fn marks(&self) -> impl ExactSizeIterator<Item = (String, String)> + 'a {
        let (names, lang) = (self.names, self.lang);
        let label = self.words().mark_name;
        let out = self.outcome;
        out.map_or(&[][..], |o| &o.marks).iter().map(move |m| {
            let o = out.expect("marks come from an outcome");
            (label.to_owned(), narrate::mark(m, o, names, lang))
        })
    }

    /// The explanation of a rejected action.
    pub fn rejected_text(&self) -> Option<String> {
        self.rejection()
            .map(|r| narrate::rejection(r, self.names, self.lang))
    }

    /// Each expectation that did not hold, as a line after `label`:
    /// `label ports.P.wtq: expected [T1], actual []`.
    pub fn mismatch_lines(&self, label: &'a str) -> impl ExactSizeIterator<Item = String> + 'a {
        let w = self.words();
        self.mismatches.iter().map(move |m| {
            format!(
                "{label} {}: {} {}, {} {}",
                m.key, w.expected, m.expected, w.actual, m.actual
            )
        })
    }

    /// The port this step is mostly about: the first one an event names,
    /// else the one its action names.
    pub fn focus(&self) -> Option<PortId> {
        self.fired()
            .iter()
            .find_map(|f| event_port(&f.event))
            .or_else(|| self.step.action.and_then(action_port))
    }
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

fn action_port(a: Action) -> Option<PortId> {
    match a {
        Action::Associate { port, .. }
        | Action::Post { port, .. }
        | Action::Get { port, .. }
        | Action::GetEx { port, .. }
        | Action::ClosePort { port } => Some(port),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Flavor;
    use crate::runner::Trace;
    use crate::scenario;

    const HANDOFF_THEN_QUEUE: &str = r#"{
      "format": "iocp-sim/1", "title": "t",
      "ports": [{ "id": "P", "concurrency": 1 }],
      "threads": ["T1", "T2", "T3"],
      "steps": [
        { "op": "get", "thread": "T2", "port": "P" },
        { "op": "get", "thread": "T3", "port": "P" },
        { "op": "get", "thread": "T1", "port": "P" },
        { "op": "post", "port": "P", "key": 1 },
        { "op": "post", "port": "P", "key": 2 },
        { "op": "get", "thread": "T1", "port": "P" }
      ]
    }"#;

    /// Every state of `t`, recomputed.
    fn states(t: &Trace) -> Vec<Kernel> {
        (0..=t.steps.len()).map(|i| t.state(i)).collect()
    }

    fn view<'a>(
        sc: &'a scenario::Scenario,
        t: &'a Trace,
        states: &'a [Kernel],
        i: usize,
    ) -> StepView<'a> {
        let ts = &t.steps[i - 1];
        StepView::new(
            &ts.step,
            &ts.report,
            &ts.outcome,
            &states[i],
            &sc.names,
            Lang::En,
        )
    }

    #[test]
    fn deliveries_tell_a_hand_off_from_a_packet_taken_from_the_iocq() {
        let sc = scenario::load_str("t.json", HANDOFF_THEN_QUEUE).unwrap();
        let t = Trace::record(&sc, Flavor::Windows);
        let s = states(&t);
        let handed: Vec<_> = view(&sc, &t, &s, 4).deliveries().collect();
        assert_eq!(handed.len(), 1);
        assert_eq!((handed[0].thread, handed[0].from_iocq), ("T1", false));
        assert_eq!(view(&sc, &t, &s, 5).deliveries().len(), 0);
        let taken: Vec<_> = view(&sc, &t, &s, 6).deliveries().collect();
        assert_eq!((taken[0].thread, taken[0].packet.key), ("T1", 2));
        assert!(taken[0].from_iocq);
        assert_eq!(view(&sc, &t, &s, 6).focus(), Some(PortId(0)));
    }

    #[test]
    fn the_wtq_is_shown_in_the_order_the_flavour_wakes() {
        let sc = scenario::load_str("t.json", HANDOFF_THEN_QUEUE).unwrap();
        for (flavor, want) in [
            (Flavor::Windows, ["T1", "T3", "T2"]),
            (Flavor::Wine, ["T2", "T3", "T1"]),
        ] {
            let t = Trace::record(&sc, flavor);
            let k = t.state(3);
            let state = StateView::new(&k, &sc.names);
            let port = state.ports().next().unwrap();
            assert_eq!(port.wtq().collect::<Vec<_>>(), want, "{flavor:?}");
            assert_eq!(port.wtq().len(), 3);
            assert_eq!(port.rtl().len() + port.ptl().len() + port.iocq_len(), 0);
        }
    }
}
