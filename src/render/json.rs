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

/// A key as written: `k!("max")` is `"max":` (see [`Out::key`]).
macro_rules! k {
    ($k:literal) => {
        Key(concat!("\"", $k, "\":"))
    };
}

/// A key already quoted, with its colon; made only by [`k!`], so a bare
/// string cannot be written as a key by mistake.
#[derive(Clone, Copy)]
struct Key(&'static str);

/// A minimal JSON writer: keys, strings (escaped by serde_json), numbers.
struct Out<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
}

impl Out<'_> {
    // Every writer of a fixed piece is inlined, so that each key, a
    // constant at its call site, is copied with a constant length (a few
    // moves, not a call to `memcpy`): keys are most of the output.
    #[inline(always)]
    fn raw(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }
    #[inline(always)]
    fn sep(&mut self) {
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
    }
    #[inline(always)]
    fn open(&mut self, c: u8) {
        self.buf.push(c);
        self.first = true;
    }
    #[inline(always)]
    fn close(&mut self, c: u8) {
        self.buf.push(c);
        self.first = false;
    }
    /// A JSON string (see [`escape::json_string`]).
    #[inline(always)]
    fn string(&mut self, s: &str) {
        escape::json_string(self.buf, s);
    }
    /// A key known to need no escaping (every key this module writes
    /// except names from the scenario, which go through [`Out::name_key`]).
    /// `k` is the key already quoted, with its colon: [`k!`]`("max")`
    /// is `"max":`, one constant copied at once.
    #[inline(always)]
    fn key(&mut self, k: Key) {
        self.sep();
        self.buf.extend_from_slice(k.0.as_bytes());
    }
    /// A key that is a name from the scenario (a port, device or thread id).
    fn name_key(&mut self, k: &str) {
        self.sep();
        self.string(k);
        self.buf.push(b':');
    }
    #[inline(always)]
    fn kstr(&mut self, k: Key, v: &str) {
        self.key(k);
        self.string(v);
    }
    #[inline(always)]
    fn knum(&mut self, k: Key, v: u64) {
        self.key(k);
        self.num(v);
    }
    #[inline(always)]
    fn num(&mut self, v: u64) {
        let mut b = itoa::Buffer::new();
        self.buf.extend_from_slice(b.format(v).as_bytes());
    }
    #[inline(always)]
    fn kbool(&mut self, k: Key, v: bool) {
        self.key(k);
        self.raw(if v { "true" } else { "false" });
    }
    #[inline(always)]
    fn knull(&mut self, k: Key) {
        self.key(k);
        self.raw("null");
    }
    /// A word of the program's own (an op, rule, event, reason, result or
    /// state name): plain ASCII that needs no escaping, copied as it is.
    #[inline(always)]
    fn word(&mut self, w: &'static str) {
        debug_assert!(
            w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
            "{w:?} is not a plain word"
        );
        self.buf.push(b'"');
        self.buf.extend_from_slice(w.as_bytes());
        self.buf.push(b'"');
    }
    #[inline(always)]
    fn kword(&mut self, k: Key, w: &'static str) {
        self.key(k);
        self.word(w);
    }
    fn item_str(&mut self, s: &str) {
        self.sep();
        self.string(s);
    }
    #[inline(always)]
    fn names<'n>(&mut self, k: Key, names: impl IntoIterator<Item = &'n str>) {
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
    o.key(k!("packet"));
    o.open(b'{');
    packet_view(o, &PacketView::new(p, names));
    o.close(b'}');
}

fn packet_view(o: &mut Out, p: &PacketView) {
    o.knum(k!("key"), p.key);
    o.knum(k!("bytes"), p.bytes);
    match p.overlapped {
        Some(ov) => o.kstr(k!("overlapped"), ov),
        None => o.knull(k!("overlapped")),
    }
    o.kstr(k!("status"), p.status);
}

fn action(o: &mut Out, a: &Action, names: &Names) {
    let x = Facts::of_action(a, names);
    let (t, p, d) = fields(&x);
    let timeout = |o: &mut Out| match x.timeout {
        None => o.kword(k!("timeout"), "infinite"),
        Some(ms) => o.knum(k!("timeout"), ms),
    };
    let by = |o: &mut Out| {
        if let Some(b) = x.by {
            o.kstr(k!("by"), b);
        }
    };
    o.key(k!("action"));
    o.open(b'{');
    o.kword(k!("op"), a.op());
    match *a {
        Action::Associate { .. } => {
            d(o);
            p(o);
            o.knum(k!("key"), x.key);
        }
        Action::Issue { .. } => {
            d(o);
            o.kstr(k!("overlapped"), x.ov());
            o.kbool(k!("inline"), x.inline);
            o.knum(k!("bytes"), x.bytes);
            by(o);
        }
        Action::Complete { .. } => {
            o.kstr(k!("overlapped"), x.ov());
            o.knum(k!("bytes"), x.bytes);
            o.kstr(k!("status"), x.status);
        }
        Action::Post { .. } => {
            p(o);
            o.knum(k!("key"), x.key);
            o.knum(k!("bytes"), x.bytes);
            match x.overlapped {
                Some(ov) => o.kstr(k!("overlapped"), ov),
                None => o.knull(k!("overlapped")),
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
            o.knum(k!("max"), x.max as u64);
            timeout(o);
        }
        Action::Block { .. } => {
            t(o);
            if let Some(l) = x.on {
                o.kstr(k!("on"), l);
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
        |o: &mut Out| o.kstr(k!("thread"), x.thread),
        |o: &mut Out| o.kstr(k!("port"), x.port),
        |o: &mut Out| o.kstr(k!("device"), x.device),
    )
}

/// The event's kind and its numbers, as JSON fields.
fn event(o: &mut Out, e: &Event, names: &Names) {
    let x = Facts::of_event(e, names);
    let (t, p, d) = fields(&x);
    let ov = |o: &mut Out| o.kstr(k!("overlapped"), x.ov());
    let current = |o: &mut Out| o.knum(k!("current"), x.current as u64);
    let cm = |o: &mut Out| {
        current(o);
        o.knum(k!("max"), x.max as u64);
    };
    let wake = |o: &mut Out| o.kword(k!("wake"), if x.lifo { "lifo" } else { "fifo" });
    let pk = |o: &mut Out| {
        if let Some(pk) = &x.packet {
            packet_field(o, pk, names);
        }
    };
    o.kword(k!("event"), e.name());
    match *e {
        Event::Returned { .. } => {
            t(o);
            p(o);
            current(o);
            o.kbool(k!("had_packet"), x.had_packet);
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
            o.knum(k!("count"), x.count as u64);
            cm(o);
            o.kbool(k!("gated"), x.gated);
        }
        Event::Waits { why, .. } => {
            wake(o);
            t(o);
            p(o);
            no_take(o, why);
            o.knum(k!("wtq_len"), x.depth as u64);
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
            o.knum(k!("extra"), x.extra as u64);
            cm(o);
            wake(o);
            o.kbool(k!("gated"), x.gated);
        }
        Event::Queued { why, .. } => {
            p(o);
            pk(o);
            match why {
                QueueWhy::NoWaiter => o.kword(k!("why"), "no_waiter"),
                QueueWhy::AtLimit { .. } => {
                    o.kword(k!("why"), "at_limit");
                    cm(o);
                }
                QueueWhy::MarkedInserter { .. } => {
                    o.kword(k!("why"), "marked_inserter");
                    o.kstr(k!("by"), x.thread);
                    cm(o);
                }
            }
            o.knum(k!("iocq_len"), x.depth as u64);
        }
        Event::Woke { .. } => {
            t(o);
            p(o);
            o.knum(k!("extra"), x.extra as u64);
            cm(o);
            wake(o);
        }
        Event::Held { .. } => {
            p(o);
            cm(o);
            o.knum(k!("iocq_len"), x.queued as u64);
            o.knum(k!("wtq_len"), x.waiting as u64);
        }
        Event::Blocked { port, .. } => {
            t(o);
            if port.is_some() {
                p(o);
                current(o);
            }
            if let Some(l) = x.on {
                o.kstr(k!("on"), l);
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
            o.knum(k!("key"), x.key);
        }
        Event::Issued { .. } => {
            d(o);
            ov(o);
            o.kbool(k!("inline"), x.inline);
        }
        Event::Completed { .. } | Event::Aborted { .. } => {
            d(o);
            ov(o);
        }
        Event::NoPacket { why, .. } => {
            d(o);
            ov(o);
            o.kword(
                k!("why"),
                match why {
                    NoPacketWhy::NotAssociated => "not_associated",
                    NoPacketWhy::SkipOnSuccess => "skip_on_success",
                    NoPacketWhy::PortClosed => "port_closed",
                },
            );
        }
        Event::DeviceClosed { .. } => {
            d(o);
            o.knum(k!("aborted"), x.aborted as u64);
            o.knum(k!("packets"), x.packets as u64);
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
            o.kword(k!("why"), name);
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
        NoTakeWhy::IocqEmpty => o.kword(k!("why"), "iocq_empty"),
        NoTakeWhy::AtLimit {
            current,
            max,
            queued,
            at_call,
        } => {
            o.kword(k!("why"), "at_limit");
            o.knum(k!("current_at_call"), at_call as u64);
            o.knum(k!("current_before"), current as u64);
            o.knum(k!("max"), max as u64);
            o.knum(k!("iocq_len"), queued as u64);
        }
    }
}

/// Writes the state after a step as the value of `"state"`.
fn state(o: &mut Out, view: &StateView) {
    o.key(k!("state"));
    o.open(b'{');
    o.key(k!("ports"));
    o.open(b'{');
    for port in view.ports() {
        o.name_key(port.name);
        o.open(b'{');
        o.knum(k!("concurrency"), port.concurrency as u64);
        o.knum(k!("max"), port.max as u64);
        o.knum(k!("current"), port.current as u64);
        o.kbool(k!("over_limit"), port.over);
        o.kbool(k!("closed"), port.closed);
        o.key(k!("iocq"));
        o.open(b'[');
        for p in port.iocq() {
            o.sep();
            o.open(b'{');
            packet_view(o, &p);
            o.close(b'}');
        }
        o.close(b']');
        o.names(k!("wtq"), port.wtq());
        o.names(k!("rtl"), port.rtl());
        o.names(k!("ptl"), port.ptl());
        o.close(b'}');
    }
    o.close(b'}');
    o.key(k!("devices"));
    o.open(b'{');
    for d in view.devices() {
        o.name_key(d.name);
        match d.entry {
            Some((p, key)) => {
                o.open(b'{');
                o.kstr(k!("port"), p);
                o.knum(k!("key"), key);
                o.close(b'}');
            }
            None => o.raw("null"),
        }
    }
    o.close(b'}');
    o.key(k!("threads"));
    o.open(b'{');
    for t in view.threads() {
        o.name_key(t.name);
        o.word(t.status.as_str());
    }
    o.close(b'}');
    // The threads carrying the queue-wait mark (rule 2), in id order.
    o.names(
        k!("marked"),
        view.threads().filter(|t| t.mark).map(|t| t.name),
    );
    o.knum(k!("lost"), view.lost());
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
    o.knum(k!("step"), step.number as u64);
    match &step.action {
        Some(a) => {
            o.kword(k!("op"), a.op());
            action(o, a, names);
        }
        None => {
            o.knull(k!("op"));
            o.knull(k!("action"));
        }
    }
    if let Some(n) = view.note() {
        o.kstr(k!("note"), &n);
    }
    o.key(k!("rules"));
    o.open(b'[');
    for f in view.fired() {
        o.sep();
        o.open(b'{');
        o.kword(k!("rule"), f.rule.name());
        match f.rule.number() {
            Some(n) => o.knum(k!("number"), n as u64),
            None => o.knull(k!("number")),
        }
        event(o, &f.event, names);
        if let Some(lang) = lang {
            o.kstr(k!("text"), &narrate::fired(f, names, kernel.flavor(), lang));
        }
        o.close(b'}');
    }
    o.close(b']');
    o.key(k!("deliveries"));
    o.open(b'[');
    for d in view.deliveries() {
        o.sep();
        o.open(b'{');
        o.kstr(k!("thread"), d.thread);
        o.kstr(k!("port"), d.port);
        packet_view(o, &d.packet);
        o.close(b'}');
    }
    o.close(b']');
    o.key(k!("marks"));
    o.open(b'[');
    if report.applied == Applied::Done {
        for m in &outcome.marks {
            o.sep();
            o.open(b'{');
            o.kstr(k!("thread"), names.thread(m.thread));
            o.kbool(k!("set"), m.set);
            o.close(b'}');
        }
    }
    o.close(b']');
    match &report.applied {
        Applied::Nothing => o.knull(k!("result")),
        Applied::Done => o.kword(k!("result"), outcome.result.as_str()),
        Applied::Rejected { .. } => o.kword(k!("result"), "rejected"),
    }
    o.key(k!("results"));
    o.open(b'{');
    for (t, e) in view.failures() {
        o.name_key(t);
        o.word(e);
    }
    o.close(b'}');
    match &report.applied {
        Applied::Rejected { message, .. } => o.kstr(k!("error"), message),
        _ => o.knull(k!("error")),
    }
    o.key(k!("mismatches"));
    o.open(b'[');
    for m in view.mismatches {
        o.sep();
        o.open(b'{');
        o.kstr(k!("key"), &m.key);
        o.kstr(k!("expected"), &m.expected);
        o.kstr(k!("actual"), &m.actual);
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
