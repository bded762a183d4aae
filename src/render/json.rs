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

use crate::model::{
    Action, Event, FailWhy, Kernel, Names, NoPacketWhy, NoTakeWhy, Outcome, Packet, PortId,
    QueueWhy, ThreadId, Timeout,
};
use crate::narrate::{self, Lang};
use crate::runner::{Applied, StepReport};
use crate::scenario::Step;

/// True if `s` has a byte JSON must escape: a control byte, `"` or `\\`.
/// Eight bytes at a time ("SWAR"), since most of the output is strings.
fn needs_escape(s: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(LO) & !v & HI != 0;
    let has_less_than_space = |v: u64| v.wrapping_sub(LO * 0x20) & !v & HI != 0;
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes(c.try_into().expect("chunk of 8"));
        if has_less_than_space(x)
            || has_zero(x ^ (LO * b'"' as u64))
            || has_zero(x ^ (LO * b'\\' as u64))
        {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

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
    /// A JSON string. Most strings need no escaping and are copied as they
    /// are; the others go through serde_json's escaper.
    fn string(&mut self, s: &str) {
        let special = needs_escape(s.as_bytes());
        if !special {
            self.buf.reserve(s.len() + 2);
            self.buf.push(b'"');
            self.buf.extend_from_slice(s.as_bytes());
            self.buf.push(b'"');
        } else {
            serde_json::to_writer(&mut *self.buf, s).expect("writing to a Vec cannot fail");
        }
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
    fn threads(&mut self, k: &'static str, ids: impl IntoIterator<Item = ThreadId>, names: &Names) {
        self.key(k);
        self.open(b'[');
        for t in ids {
            self.item_str(names.thread(t));
        }
        self.close(b']');
    }
}

fn packet(o: &mut Out, p: &Packet, names: &Names) {
    o.knum("key", p.key);
    o.knum("bytes", p.bytes);
    match p.overlapped {
        Some(ov) => o.kstr("overlapped", names.overlapped(ov)),
        None => o.knull("overlapped"),
    }
    o.kstr("status", names.status(p.status));
}

fn action(o: &mut Out, a: &Action, names: &Names) {
    let timeout = |o: &mut Out, t: Timeout| match t {
        Timeout::Infinite => o.kstr("timeout", "infinite"),
        Timeout::Ms(ms) => o.knum("timeout", ms),
    };
    o.key("action");
    o.open(b'{');
    o.kstr("op", a.op());
    match *a {
        Action::Associate { device, port, key } => {
            o.kstr("device", names.device(device));
            o.kstr("port", names.port(port));
            o.knum("key", key);
        }
        Action::Issue {
            device,
            overlapped,
            inline,
            by,
        } => {
            o.kstr("device", names.device(device));
            o.kstr("overlapped", names.overlapped(overlapped));
            o.kbool("inline", inline.is_some());
            o.knum("bytes", inline.unwrap_or(0));
            if let Some(t) = by {
                o.kstr("by", names.thread(t));
            }
        }
        Action::Complete {
            overlapped,
            bytes,
            status,
        } => {
            o.kstr("overlapped", names.overlapped(overlapped));
            o.knum("bytes", bytes);
            o.kstr("status", names.status(status));
        }
        Action::Post {
            port,
            key,
            bytes,
            overlapped,
            by,
        } => {
            o.kstr("port", names.port(port));
            o.knum("key", key);
            o.knum("bytes", bytes);
            match overlapped {
                Some(ov) => o.kstr("overlapped", names.overlapped(ov)),
                None => o.knull("overlapped"),
            }
            if let Some(t) = by {
                o.kstr("by", names.thread(t));
            }
        }
        Action::Get {
            thread,
            port,
            timeout: t,
        } => {
            o.kstr("thread", names.thread(thread));
            o.kstr("port", names.port(port));
            timeout(o, t);
        }
        Action::GetEx {
            thread,
            port,
            max,
            timeout: t,
        } => {
            o.kstr("thread", names.thread(thread));
            o.kstr("port", names.port(port));
            o.knum("max", max as u64);
            timeout(o, t);
        }
        Action::Block { thread, on } => {
            o.kstr("thread", names.thread(thread));
            if let Some(l) = on {
                o.kstr("on", names.label(l));
            }
        }
        Action::Unblock { thread } | Action::Timeout { thread } | Action::Exit { thread } => {
            o.kstr("thread", names.thread(thread))
        }
        Action::CloseDevice { device } => o.kstr("device", names.device(device)),
        Action::ClosePort { port } => o.kstr("port", names.port(port)),
    }
    o.close(b'}');
}

/// The event's kind and its numbers, as JSON fields.
fn event(o: &mut Out, e: &Event, names: &Names) {
    let t = |o: &mut Out, id: ThreadId| o.kstr("thread", names.thread(id));
    let p = |o: &mut Out, id: PortId| o.kstr("port", names.port(id));
    let cm = |o: &mut Out, current: u32, max: u32| {
        o.knum("current", current as u64);
        o.knum("max", max as u64);
    };
    match *e {
        Event::Returned {
            thread,
            port,
            current,
        } => {
            o.kstr("event", "returned");
            t(o, thread);
            p(o, port);
            o.knum("current", current as u64);
        }
        Event::LeftPort {
            thread,
            port,
            current,
        } => {
            o.kstr("event", "left_port");
            t(o, thread);
            p(o, port);
            o.knum("current", current as u64);
        }
        Event::Joined { thread, port } => {
            o.kstr("event", "joined");
            t(o, thread);
            p(o, port);
        }
        Event::Took {
            thread,
            port,
            count,
            current,
            max,
        } => {
            o.kstr("event", "took");
            t(o, thread);
            p(o, port);
            o.knum("count", count as u64);
            cm(o, current, max);
        }
        Event::Waits {
            thread,
            port,
            why,
            depth,
            lifo,
        } => {
            o.kstr("event", "waits");
            o.kstr("wake", if lifo { "lifo" } else { "fifo" });
            t(o, thread);
            p(o, port);
            no_take(o, why);
            o.knum("wtq_len", depth as u64);
        }
        Event::PollFailed {
            thread,
            port,
            why,
            current,
            max,
        } => {
            o.kstr("event", "poll_failed");
            t(o, thread);
            p(o, port);
            no_take(o, why);
            cm(o, current, max);
        }
        Event::HandedOff {
            thread,
            port,
            packet: pk,
            extra,
            current,
            max,
            lifo,
            gated,
        } => {
            o.kstr("event", "handed_off");
            t(o, thread);
            p(o, port);
            o.key("packet");
            o.open(b'{');
            packet(o, &pk, names);
            o.close(b'}');
            o.knum("extra", extra as u64);
            cm(o, current, max);
            o.kstr("wake", if lifo { "lifo" } else { "fifo" });
            o.kbool("gated", gated);
        }
        Event::Queued {
            port,
            packet: pk,
            why,
            depth,
        } => {
            o.kstr("event", "queued");
            p(o, port);
            o.key("packet");
            o.open(b'{');
            packet(o, &pk, names);
            o.close(b'}');
            match why {
                QueueWhy::NoWaiter => o.kstr("why", "no_waiter"),
                QueueWhy::AtLimit { current, max } => {
                    o.kstr("why", "at_limit");
                    cm(o, current, max);
                }
                QueueWhy::MarkedInserter {
                    thread,
                    current,
                    max,
                } => {
                    o.kstr("why", "marked_inserter");
                    o.kstr("by", names.thread(thread));
                    cm(o, current, max);
                }
            }
            o.knum("iocq_len", depth as u64);
        }
        Event::Woke {
            thread,
            port,
            extra,
            current,
            max,
            lifo,
        } => {
            o.kstr("event", "woke");
            t(o, thread);
            p(o, port);
            o.knum("extra", extra as u64);
            cm(o, current, max);
            o.kstr("wake", if lifo { "lifo" } else { "fifo" });
        }
        Event::Held {
            port,
            current,
            max,
            queued,
            waiting,
        } => {
            o.kstr("event", "held");
            p(o, port);
            cm(o, current, max);
            o.knum("iocq_len", queued as u64);
            o.knum("wtq_len", waiting as u64);
        }
        Event::Blocked {
            thread,
            port,
            on,
            current,
        } => {
            o.kstr("event", "blocked");
            t(o, thread);
            if let Some(port) = port {
                p(o, port);
                o.knum("current", current as u64);
            }
            if let Some(l) = on {
                o.kstr("on", names.label(l));
            }
        }
        Event::Unblocked {
            thread,
            port,
            current,
            max,
        } => {
            o.kstr("event", "unblocked");
            t(o, thread);
            if let Some(port) = port {
                p(o, port);
                cm(o, current, max);
            }
        }
        Event::TimedOut {
            thread,
            port,
            current,
            max,
        } => {
            o.kstr("event", "timed_out");
            t(o, thread);
            p(o, port);
            cm(o, current, max);
        }
        Event::Exited {
            thread,
            port,
            current,
        } => {
            o.kstr("event", "exited");
            t(o, thread);
            if let Some(port) = port {
                p(o, port);
                o.knum("current", current as u64);
            }
        }
        Event::Associated { device, port, key } => {
            o.kstr("event", "associated");
            o.kstr("device", names.device(device));
            p(o, port);
            o.knum("key", key);
        }
        Event::Issued {
            device,
            overlapped,
            inline,
        } => {
            o.kstr("event", "issued");
            o.kstr("device", names.device(device));
            o.kstr("overlapped", names.overlapped(overlapped));
            o.kbool("inline", inline);
        }
        Event::Completed { device, overlapped } => {
            o.kstr("event", "completed");
            o.kstr("device", names.device(device));
            o.kstr("overlapped", names.overlapped(overlapped));
        }
        Event::NoPacket {
            device,
            overlapped,
            why,
        } => {
            o.kstr("event", "no_packet");
            o.kstr("device", names.device(device));
            o.kstr("overlapped", names.overlapped(overlapped));
            o.kstr(
                "why",
                match why {
                    NoPacketWhy::NotAssociated => "not_associated",
                    NoPacketWhy::SkipOnSuccess => "skip_on_success",
                    NoPacketWhy::PortClosed => "port_closed",
                },
            );
        }
        Event::Aborted { device, overlapped } => {
            o.kstr("event", "aborted");
            o.kstr("device", names.device(device));
            o.kstr("overlapped", names.overlapped(overlapped));
        }
        Event::DeviceClosed { device } => {
            o.kstr("event", "device_closed");
            o.kstr("device", names.device(device));
        }
        Event::Abandoned { thread, port } => {
            o.kstr("event", "abandoned");
            t(o, thread);
            p(o, port);
        }
        Event::Stranded { thread, port } => {
            o.kstr("event", "stranded");
            t(o, thread);
            p(o, port);
        }
        Event::StrandedWoken { thread, port } => {
            o.kstr("event", "stranded_woken");
            t(o, thread);
            p(o, port);
        }
        Event::Unassociated { thread, port } => {
            o.kstr("event", "unassociated");
            t(o, thread);
            p(o, port);
        }
        Event::Discarded { port, packet: pk } => {
            o.kstr("event", "discarded");
            p(o, port);
            o.key("packet");
            o.open(b'{');
            packet(o, &pk, names);
            o.close(b'}');
        }
        Event::PortClosed { port } => {
            o.kstr("event", "port_closed");
            p(o, port);
        }
        Event::Failed { why } => {
            o.kstr("event", "failed");
            match why {
                FailWhy::PortClosed(port) => {
                    o.kstr("why", "port_closed");
                    p(o, port);
                }
                FailWhy::DeviceClosed(d) => {
                    o.kstr("why", "device_closed");
                    o.kstr("device", names.device(d));
                }
                FailWhy::AlreadyAssociated(d, port) => {
                    o.kstr("why", "already_associated");
                    o.kstr("device", names.device(d));
                    p(o, port);
                }
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
        } => {
            o.kstr("why", "at_limit");
            o.knum("current_before", current as u64);
            o.knum("max", max as u64);
            o.knum("iocq_len", queued as u64);
        }
    }
}

/// Writes the state after a step as the value of `"state"`.
fn state(o: &mut Out, kernel: &Kernel, names: &Names) {
    let order = kernel.flavor().wake_order();
    o.key("state");
    o.open(b'{');
    o.key("ports");
    o.open(b'{');
    for (i, port) in kernel.ports().iter().enumerate() {
        o.name_key(names.port(PortId(i as u32)));
        o.open(b'{');
        o.knum("concurrency", port.concurrency() as u64);
        o.knum("max", port.max() as u64);
        o.knum("current", port.current() as u64);
        o.kbool("over_limit", port.over_limit());
        o.kbool("closed", port.closed());
        o.key("iocq");
        o.open(b'[');
        for p in port.iocq().iter() {
            o.sep();
            o.open(b'{');
            packet(o, p, names);
            o.close(b'}');
        }
        o.close(b']');
        o.threads("wtq", port.wtq().wake_order(order), names);
        o.threads("rtl", port.rtl().as_slice().iter().copied(), names);
        o.threads("ptl", port.ptl().as_slice().iter().copied(), names);
        o.close(b'}');
    }
    o.close(b'}');
    o.key("devices");
    o.open(b'{');
    for (id, _) in kernel.devices().iter() {
        o.name_key(names.device(id));
        match kernel.devices().entry(id) {
            Some((p, key)) => {
                o.open(b'{');
                o.kstr("port", names.port(p));
                o.knum("key", key);
                o.close(b'}');
            }
            None => o.raw("null"),
        }
    }
    o.close(b'}');
    o.key("threads");
    o.open(b'{');
    for (i, t) in kernel.threads().iter().enumerate() {
        o.name_key(names.thread(ThreadId(i as u32)));
        o.string(t.status().as_str());
    }
    o.close(b'}');
    // The threads carrying the queue-wait mark (rule 2), in id order.
    o.key("marked");
    o.open(b'[');
    for (i, t) in kernel.threads().iter().enumerate() {
        if t.queue_mark() {
            o.item_str(names.thread(ThreadId(i as u32)));
        }
    }
    o.close(b']');
    o.knum("lost", kernel.counters().lost);
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
    if let Some(n) = &step.note {
        // The note in the narration's language (English without --narration).
        o.kstr("note", &n.get(lang.unwrap_or_default()));
    }
    o.key("rules");
    o.open(b'[');
    if report.applied == Applied::Done {
        for f in &outcome.fired {
            o.sep();
            o.open(b'{');
            o.kstr("rule", f.rule.name());
            match f.rule.number() {
                Some(n) => o.knum("number", n as u64),
                None => o.knull("number"),
            }
            event(o, &f.event, names);
            if let Some(lang) = lang {
                o.kstr("text", &narrate::fired(f, names, lang));
            }
            o.close(b'}');
        }
    }
    o.close(b']');
    o.key("deliveries");
    o.open(b'[');
    if report.applied == Applied::Done {
        for d in &outcome.deliveries {
            o.sep();
            o.open(b'{');
            o.kstr("thread", names.thread(d.thread));
            o.kstr("port", names.port(d.port));
            packet(o, &d.packet, names);
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
    if report.applied == Applied::Done {
        for (t, e) in &outcome.failures {
            o.name_key(names.thread(*t));
            o.string(e.name());
        }
    }
    o.close(b'}');
    match &report.applied {
        Applied::Rejected { message, .. } => o.kstr("error", message),
        _ => o.knull("error"),
    }
    o.key("mismatches");
    o.open(b'[');
    for m in &report.mismatches {
        o.sep();
        o.open(b'{');
        o.kstr("key", &m.key);
        o.kstr("expected", &m.expected);
        o.kstr("actual", &m.actual);
        o.close(b'}');
    }
    o.close(b']');
    state(o, kernel, names);
    o.close(b'}');
    o.buf.push(b'\n');
}

/// Writes `buf` to `w` and clears it (call every few steps).
pub fn flush(buf: &mut Vec<u8>, w: &mut impl Write) -> io::Result<()> {
    w.write_all(buf)?;
    buf.clear();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::needs_escape;

    #[test]
    fn escape_scan_finds_every_special_byte_at_every_position() {
        for len in 0..20 {
            let plain = "a".repeat(len);
            assert!(
                !needs_escape(plain.as_bytes()),
                "plain text of length {len}"
            );
            for pos in 0..len {
                for special in [b'"', b'\\', b'\n', 0x01, 0x1f] {
                    let mut v = plain.clone().into_bytes();
                    v[pos] = special;
                    assert!(needs_escape(&v), "byte {special:#x} at {pos} of {len}");
                }
            }
        }
        assert!(!needs_escape("스레드 큐 T1 ~ 0x7f".as_bytes()));
    }
}
