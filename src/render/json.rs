//! The JSON view: one object per step, on one line, written straight to a
//! byte buffer so that long runs stream in flat memory.
//!
//! ```json
//! {"step":3,"op":"get","action":{...},"rules":[{"rule":"get","number":1,"event":"took",...}],
//!  "deliveries":[...],"result":"success","results":{},"error":null,"mismatches":[],
//!  "state":{"ports":{"P":{"max":1,"current":1,"over_limit":false,...}},"devices":{...},"threads":{...},"marked":["T1"],"lost":0}}
//! ```
//!
//! `state.marked` lists the threads that carry the queue-wait mark (rule 2);
//! a `post` or `issue` made by a scenario thread has `"by"` in its action.

use std::io::{self, Write};

use super::view::{PacketView, StateView, StepView};
use crate::escape;
use crate::model::{
    Action, Event, FailWhy, Kernel, Names, NoPacketWhy, NoTakeWhy, Outcome, Packet, QueueWhy,
};
use crate::narrate::facts::Facts;
use crate::narrate::{self, Lang};
use crate::runner::{Applied, StepReport};
use crate::scenario::Step;

/// A minimal JSON writer: keys, strings (escaped by serde_json), numbers.
struct Out<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl Out<'_> {
    fn raw(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }
    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }
    fn open(&mut self, c: u8) {
        self.buf.push(c);
        self.first = true;
    }
    fn close(&mut self, c: u8) {
        self.buf.push(c);
        self.first = false;
    }
    /// A JSON string (see [`escape::json_string`]).
    fn string(&mut self, s: &str) {
        escape::json_string(self.buf, s);
    }
    /// A key known to need no escaping (every key this module writes
    /// except names from the scenario, which go through [`Out::name_key`]).
    fn key(&mut self, k: &'static str) {
        self.sep();
        self.buf.reserve(k.len() + 3);
        self.buf.push(b'"');
        self.buf.extend_from_slice(k.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }
    /// A key that is a name from the scenario (a port, device or thread id).
    fn name_key(&mut self, k: &str) {
        self.sep();
        self.string(k);
        self.buf.push(b':');
    }
    fn kstr(&mut self, k: &'static str, v: &str) {
        self.key(k);
        self.string(v);
    }
    fn knum(&mut self, k: &'static str, v: u64) {
        self.key(k);
        self.num(v);
    }
    fn num(&mut self, v: u64) {
        let mut b = itoa::Buffer::new();
        self.buf.extend_from_slice(b.format(v).as_bytes());
    }
    fn kbool(&mut self, k: &'static str, v: bool) {
        self.key(k);
        self.raw(if v { "true" } else { "false" });
    }
    fn knull(&mut self, k: &'static str) {
        self.key(k);
        self.raw("null");
    }
    fn item_str(&mut self, s: &str) {
        self.sep();
        self.string(s);
    }
    fn names<'n>(&mut self, k: &'static str, names: impl IntoIterator<Item = &'n str>) {
        self.key(k);
        self.open(b'[');
        for n in names {
            self.item_str(n);
        }
        self.close(b']');
    }
}

/// `"packet":{...}`.
fn packet_field(o: &mut Out, p: &Packet, names: &Names) {
    o.key("packet");
    o.open(b'{');
    packet_view(o, &PacketView::new(p, names));
    o.close(b'}');
}

fn packet_view(o: &mut Out, p: &PacketView) {
    o.knum("key", p.key);
    o.knum("bytes", p.bytes);
    match p.overlapped {
        Some(ov) => o.kstr("overlapped", ov),
        None => o.knull("overlapped"),
    }
    o.kstr("status", p.status);
}

fn action(o: &mut Out, a: &Action, names: &Names) {
    let x = Facts::of_action(a, names);
    let (t, p, d) = fields(&x);
    let timeout = |o: &mut Out| match x.timeout {
        None => o.kstr("timeout", "infinite"),
        Some(ms) => o.knum("timeout", ms),
    };
    let by = |o: &mut Out| {
        if let Some(b) = x.by {
            o.kstr("by", b);
        }
    };
    o.key("action");
    o.open(b'{');
    o.kstr("op", a.op());
    match *a {
        Action::Associate { .. } => {
            d(o);
            p(o);
            o.knum("key", x.key);
        }
        Action::Issue { .. } => {
            d(o);
            o.kstr("overlapped", x.ov());
            o.kbool("inline", x.inline);
            o.knum("bytes", x.bytes);
            by(o);
        }
        Action::Complete { .. } => {
            o.kstr("overlapped", x.ov());
            o.knum("bytes", x.bytes);
            o.kstr("status", x.status);
        }
        Action::Post { .. } => {
            p(o);
            o.knum("key", x.key);
            o.knum("bytes", x.bytes);
            match x.overlapped {
                Some(ov) => o.kstr("overlapped", ov),
                None => o.knull("overlapped"),
            }
            by(o);
        }
        Action::Get { .. } => {
            t(o);
            p(o);
            timeout(o);
        }
        Action::GetEx { .. } => {
            t(o);
            p(o);
            o.knum("max", x.max as u64);
            timeout(o);
        }
        Action::Block { .. } => {
            t(o);
            if let Some(l) = x.on {
                o.kstr("on", l);
            }
        }
        Action::Unblock { .. } | Action::Timeout { .. } | Action::Exit { .. } => t(o),
        Action::CloseDevice { .. } => d(o),
        Action::ClosePort { .. } => p(o),
    }
    o.close(b'}');
}

/// Writers of the `"thread"`, `"port"` and `"device"` fields of `x`.
fn fields<'x>(
    x: &'x Facts,
) -> (
    impl Fn(&mut Out) + 'x,
    impl Fn(&mut Out) + 'x,
    impl Fn(&mut Out) + 'x,
) {
    (
        |o: &mut Out| o.kstr("thread", x.thread),
        |o: &mut Out| o.kstr("port", x.port),
        |o: &mut Out| o.kstr("device", x.device),
    )
}

/// The event's kind and its numbers, as JSON fields.
fn event(o: &mut Out, e: &Event, names: &Names) {
    let x = Facts::of_event(e, names);
    let (t, p, d) = fields(&x);
    let ov = |o: &mut Out| o.kstr("overlapped", x.ov());
    let current = |o: &mut Out| o.knum("current", x.current as u64);
    let cm = |o: &mut Out| {
        current(o);
        o.knum("max", x.max as u64);
    };
    let wake = |o: &mut Out| o.kstr("wake", if x.lifo { "lifo" } else { "fifo" });
    let pk = |o: &mut Out| {
        if let Some(pk) = &x.packet {
            packet_field(o, pk, names);
        }
    };
    o.kstr("event", e.name());
    match *e {
        Event::Returned { .. } => {
            t(o);
            p(o);
            current(o);
            o.kbool("had_packet", x.had_packet);
        }
        Event::LeftPort { .. } => {
            t(o);
            p(o);
            current(o);
        }
        Event::Joined { .. }
        | Event::Abandoned { .. }
        | Event::Stranded { .. }
        | Event::StrandedWoken { .. }
        | Event::Unassociated { .. } => {
            t(o);
            p(o);
        }
        Event::Took { .. } => {
            t(o);
            p(o);
            o.knum("count", x.count as u64);
            cm(o);
            o.kbool("gated", x.gated);
        }
        Event::Waits { why, .. } => {
            wake(o);
            t(o);
            p(o);
            no_take(o, why);
            o.knum("wtq_len", x.depth as u64);
        }
        Event::PollFailed { why, .. } => {
            t(o);
            p(o);
            no_take(o, why);
            cm(o);
        }
        Event::HandedOff { .. } => {
            t(o);
            p(o);
            pk(o);
            o.knum("extra", x.extra as u64);
            cm(o);
            wake(o);
            o.kbool("gated", x.gated);
        }
        Event::Queued { why, .. } => {
            p(o);
            pk(o);
            match why {
                QueueWhy::NoWaiter => o.kstr("why", "no_waiter"),
                QueueWhy::AtLimit { .. } => {
                    o.kstr("why", "at_limit");
                    cm(o);
                }
                QueueWhy::MarkedInserter { .. } => {
                    o.kstr("why", "marked_inserter");
                    o.kstr("by", x.thread);
                    cm(o);
                }
            }
            o.knum("iocq_len", x.depth as u64);
        }
        Event::Woke { .. } => {
            t(o);
            p(o);
            o.knum("extra", x.extra as u64);
            cm(o);
            wake(o);
        }
        Event::Held { .. } => {
            p(o);
            cm(o);
            o.knum("iocq_len", x.queued as u64);
            o.knum("wtq_len", x.waiting as u64);
        }
        Event::Blocked { port, .. } => {
            t(o);
            if port.is_some() {
                p(o);
                current(o);
            }
            if let Some(l) = x.on {
                o.kstr("on", l);
            }
        }
        Event::Unblocked { port, .. } => {
            t(o);
            if port.is_some() {
                p(o);
                cm(o);
            }
        }
        Event::TimedOut { .. } => {
            t(o);
            p(o);
            cm(o);
        }
        Event::Exited { port, .. } => {
            t(o);
            if port.is_some() {
                p(o);
                current(o);
            }
        }
        Event::Associated { .. } => {
            d(o);
            p(o);
            o.knum("key", x.key);
        }
        Event::Issued { .. } => {
            d(o);
            ov(o);
            o.kbool("inline", x.inline);
        }
        Event::Completed { .. } | Event::Aborted { .. } => {
            d(o);
            ov(o);
        }
        Event::NoPacket { why, .. } => {
            d(o);
            ov(o);
            o.kstr(
                "why",
                match why {
                    NoPacketWhy::NotAssociated => "not_associated",
                    NoPacketWhy::SkipOnSuccess => "skip_on_success",
                    NoPacketWhy::PortClosed => "port_closed",
                },
            );
        }
        Event::DeviceClosed { .. } => {
            d(o);
            o.knum("aborted", x.aborted as u64);
            o.knum("packets", x.packets as u64);
        }
        Event::Discarded { .. } => {
            p(o);
            pk(o);
        }
        Event::PortClosed { .. } => p(o),
        Event::Failed { why } => {
            let (name, device, port) = match why {
                FailWhy::PortClosed(_) => ("port_closed", false, true),
                FailWhy::DeviceClosed(_) => ("device_closed", true, false),
                FailWhy::AlreadyAssociated(..) => ("already_associated", true, true),
            };
            o.kstr("why", name);
            if device {
                d(o);
            }
            if port {
                p(o);
            }
        }
    }
}

fn no_take(o: &mut Out, why: NoTakeWhy) {
    match why {
        NoTakeWhy::IocqEmpty => o.kstr("why", "iocq_empty"),
        NoTakeWhy::AtLimit {
            current,
            max,
            queued,
            at_call,
        } => {
            o.kstr("why", "at_limit");
            o.knum("current_at_call", at_call as u64);
            o.knum("current_before", current as u64);
            o.knum("max", max as u64);
            o.knum("iocq_len", queued as u64);
        }
    }
}

/// Writes the state after a step as the value of `"state"`.
fn state(o: &mut Out, view: &StateView) {
    o.key("state");
    o.open(b'{');
    o.key("ports");
    o.open(b'{');
    for port in view.ports() {
        o.name_key(port.name);
        o.open(b'{');
        o.knum("concurrency", port.concurrency as u64);
        o.knum("max", port.max as u64);
        o.knum("current", port.current as u64);
        o.kbool("over_limit", port.over);
        o.kbool("closed", port.closed);
        o.key("iocq");
        o.open(b'[');
        for p in port.iocq() {
            o.sep();
            o.open(b'{');
            packet_view(o, &p);
            o.close(b'}');
        }
        o.close(b']');
        o.names("wtq", port.wtq());
        o.names("rtl", port.rtl());
        o.names("ptl", port.ptl());
        o.close(b'}');
    }
    o.close(b'}');
    o.key("devices");
    o.open(b'{');
    for d in view.devices() {
        o.name_key(d.name);
        match d.entry {
            Some((p, key)) => {
                o.open(b'{');
                o.kstr("port", p);
                o.knum("key", key);
                o.close(b'}');
            }
            None => o.raw("null"),
        }
    }
    o.close(b'}');
    o.key("threads");
    o.open(b'{');
    for t in view.threads() {
        o.name_key(t.name);
        o.string(t.status.as_str());
    }
    o.close(b'}');
    // The threads carrying the queue-wait mark (rule 2), in id order.
    o.names("marked", view.threads().filter(|t| t.mark).map(|t| t.name));
    o.knum("lost", view.lost());
    o.close(b'}');
}

/// Appends one step as a JSON object and a newline to `buf`. With `lang`,
/// each fired rule also carries its narration as `"text"`.
pub fn step(
    buf: &mut Vec<u8>,
    step: &Step,
    report: &StepReport,
    outcome: &Outcome,
    kernel: &Kernel,
    names: &Names,
    lang: Option<Lang>,
) {
    // The note in the narration's language (English without --narration).
    let view = StepView::new(
        step,
        report,
        outcome,
        kernel,
        names,
        lang.unwrap_or_default(),
    );
    let o = &mut Out { buf, first: true };
    o.open(b'{');
    o.knum("step", step.number as u64);
    match &step.action {
        Some(a) => {
            o.kstr("op", a.op());
            action(o, a, names);
        }
        None => {
            o.knull("op");
            o.knull("action");
        }
    }
    if let Some(n) = view.note() {
        o.kstr("note", &n);
    }
    o.key("rules");
    o.open(b'[');
    for f in view.fired() {
        o.sep();
        o.open(b'{');
        o.kstr("rule", f.rule.name());
        match f.rule.number() {
            Some(n) => o.knum("number", n as u64),
            None => o.knull("number"),
        }
        event(o, &f.event, names);
        if let Some(lang) = lang {
            o.kstr("text", &narrate::fired(f, names, kernel.flavor(), lang));
        }
        o.close(b'}');
    }
    o.close(b']');
    o.key("deliveries");
    o.open(b'[');
    for d in view.deliveries() {
        o.sep();
        o.open(b'{');
        o.kstr("thread", d.thread);
        o.kstr("port", d.port);
        packet_view(o, &d.packet);
        o.close(b'}');
    }
    o.close(b']');
    o.key("marks");
    o.open(b'[');
    if report.applied == Applied::Done {
        for m in &outcome.marks {
            o.sep();
            o.open(b'{');
            o.kstr("thread", names.thread(m.thread));
            o.kbool("set", m.set);
            o.close(b'}');
        }
    }
    o.close(b']');
    match &report.applied {
        Applied::Nothing => o.knull("result"),
        Applied::Done => o.kstr("result", outcome.result.as_str()),
        Applied::Rejected { .. } => o.kstr("result", "rejected"),
    }
    o.key("results");
    o.open(b'{');
    for (t, e) in view.failures() {
        o.name_key(t);
        o.string(e);
    }
    o.close(b'}');
    match &report.applied {
        Applied::Rejected { message, .. } => o.kstr("error", message),
        _ => o.knull("error"),
    }
    o.key("mismatches");
    o.open(b'[');
    for m in view.mismatches {
        o.sep();
        o.open(b'{');
        o.kstr("key", &m.key);
        o.kstr("expected", &m.expected);
        o.kstr("actual", &m.actual);
        o.close(b'}');
    }
    o.close(b']');
    state(o, &view.state);
    o.close(b'}');
    o.buf.push(b'\n');
}

/// Writes `buf` to `w` and clears it (call every few steps).
pub fn flush(buf: &mut Vec<u8>, w: &mut impl Write) -> io::Result<()> {
    w.write_all(buf)?;
    buf.clear();
    Ok(())
}
