//! The text view: each step's action, narration and the five structures.

use std::fmt::Write as _;

use super::packet_cell;
use crate::model::{Kernel, Names, Outcome, PortId, ThreadStatus};
use crate::narrate::{self, Lang};
use crate::runner::{Applied, StepReport, Summary};
use crate::scenario::{Step, World};
use std::borrow::Cow;

/// The fixed words of the text view in one language.
struct Labels {
    note: &'static str,
    result: &'static str,
    rejected: &'static str,
    unchanged: &'static str,
    mismatch: &'static str,
    expected: &'static str,
    actual: &'static str,
    no_action: &'static str,
    step: &'static str,
    failed: &'static str,
    port: &'static str,
    closed: &'static str,
    stranded: &'static str,
    concurrency: &'static str,
    head: &'static str,
    next: &'static str,
    over_limit: &'static str,
    device_list: &'static str,
    not_associated: &'static str,
    key: &'static str,
    threads: &'static str,
    threads_title: &'static str,
    mark: &'static str,
    summary: &'static str,
    largest_rtl: &'static str,
    limit: &'static str,
    went_over: &'static str,
    steps: &'static str,
    delivered: &'static str,
    lost: &'static str,
    over_steps: &'static str,
    flavor: &'static str,
    cpus: &'static str,
    ports: &'static str,
    /// free, running, waiting, paused, exited.
    states: [&'static str; 5],
}

const EN: Labels = Labels {
    note: "note",
    result: "result",
    rejected: "REJECTED",
    unchanged: "(nothing changed)",
    mismatch: "EXPECTATION FAILED",
    expected: "expected",
    actual: "actual",
    no_action: "(no action: a check)",
    step: "step",
    failed: "failed",
    port: "Port",
    closed: "closed",
    stranded: "closed; still asleep in its WTQ",
    concurrency: "concurrency",
    head: "head>",
    next: "next>",
    over_limit: "  OVER LIMIT!",
    device_list: "Device List",
    not_associated: "not associated",
    key: "key",
    threads: "threads",
    threads_title: "Threads",
    mark: " (queue-wait mark)",
    summary: "== summary ",
    largest_rtl: "largest RTL",
    limit: "limit",
    went_over: "  -- went over the limit",
    steps: "steps",
    delivered: "packets delivered",
    lost: "lost",
    over_steps: "steps ending over a limit",
    flavor: "flavor",
    cpus: "CPUs",
    ports: "ports",
    states: ["free", "running", "waiting", "paused", "exited"],
};

const KO: Labels = Labels {
    note: "메모",
    result: "결과",
    rejected: "거부됨",
    unchanged: "(아무것도 바뀌지 않음)",
    mismatch: "기대와 다름",
    expected: "기대",
    actual: "실제",
    no_action: "(동작 없음: 확인만)",
    step: "단계",
    failed: "실패",
    port: "포트",
    closed: "닫힘",
    stranded: "닫힘; 대기 스레드 큐에 아직 잠든 스레드",
    concurrency: "동시 실행 값",
    head: "맨 앞>",
    next: "다음>",
    over_limit: "  한도 초과!",
    device_list: "디바이스 리스트",
    not_associated: "연결 안 됨",
    key: "키",
    threads: "스레드",
    threads_title: "스레드",
    mark: " (큐 대기 표시)",
    summary: "== 요약 ",
    largest_rtl: "가장 컸던 RTL",
    limit: "한도",
    went_over: "  -- 한도를 넘었음",
    steps: "단계",
    delivered: "전달된 패킷",
    lost: "잃은 패킷",
    over_steps: "한도를 넘은 채 끝난 단계",
    flavor: "방식",
    cpus: "CPU",
    ports: "포트",
    states: ["자유", "실행", "대기", "일시 정지", "종료"],
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::En => &EN,
        Lang::Ko => &KO,
    }
}

fn state_word(l: &Labels, status: ThreadStatus) -> &'static str {
    match status {
        ThreadStatus::Free => l.states[0],
        ThreadStatus::Running => l.states[1],
        ThreadStatus::Waiting => l.states[2],
        ThreadStatus::Paused => l.states[3],
        ThreadStatus::Exited => l.states[4],
    }
}

/// The header printed before step 1.
fn header_raw(world: &World, flavor_name: &str, lang: Lang) -> String {
    let l = labels(lang);
    let mut s = String::new();
    let _ = writeln!(s, "{}", world.title.get(lang));
    if let Some(d) = &world.description {
        let _ = writeln!(s, "{}", d.get(lang));
    }
    let ports: Vec<String> = world
        .ports
        .iter()
        .map(|p| {
            if p.concurrency == 0 {
                format!("{} ({} 0 = {} {})", p.id, l.concurrency, world.cpus, l.cpus)
            } else {
                format!("{} ({} {})", p.id, l.concurrency, p.concurrency)
            }
        })
        .collect();
    let _ = writeln!(
        s,
        "{}: {flavor_name}   cpus: {}   {}: {}   {}: {}",
        l.flavor,
        world.cpus,
        l.ports,
        ports.join(", "),
        l.threads,
        world.threads.join(", ")
    );
    s
}

/// One step: what it did, why, and the structures after it.
fn step_raw(
    step: &Step,
    report: &StepReport,
    outcome: &Outcome,
    kernel: &Kernel,
    names: &Names,
    lang: Lang,
) -> String {
    let l = labels(lang);
    let mut s = String::new();
    let title = match &step.action {
        Some(a) => narrate::action(a, names, lang),
        None => l.no_action.to_owned(),
    };
    let rule = format!("-- {} {}: {title} ", l.step, step.number);
    let _ = writeln!(s, "{rule:-<72}");
    if let Some(note) = &step.note {
        let _ = writeln!(s, "  {}: {}", l.note, note.get(lang));
    }
    match &report.applied {
        Applied::Nothing => {}
        Applied::Rejected { rejection, .. } => {
            let _ = writeln!(
                s,
                "  {}  {}",
                l.rejected,
                narrate::rejection(rejection, names, lang)
            );
            let _ = writeln!(s, "  {}", l.unchanged);
        }
        Applied::Done => {
            for f in &outcome.fired {
                let _ = writeln!(
                    s,
                    "  {:<18} {}",
                    narrate::rule_label(f.rule, lang),
                    narrate::fired(f, names, lang)
                );
            }
            let _ = write!(s, "  {}: {}", l.result, outcome.result.as_str());
            for d in &outcome.deliveries {
                let _ = write!(
                    s,
                    "   {} <- {}",
                    names.thread(d.thread),
                    packet_cell(&d.packet, names)
                );
            }
            for (t, e) in &outcome.failures {
                let _ = write!(s, "   {} {}: {}", names.thread(*t), l.failed, e.name());
            }
            s.push('\n');
        }
    }
    s.push_str(&state(kernel, names, lang));
    for m in &report.mismatches {
        let _ = writeln!(
            s,
            "  {} {}: {} {}, {} {}",
            l.mismatch, m.key, l.expected, m.expected, l.actual, m.actual
        );
    }
    s
}

/// The five structures of every port, the Device List and the threads.
fn state_raw(kernel: &Kernel, names: &Names, lang: Lang) -> String {
    let l = labels(lang);
    let mut s = String::new();
    let order = kernel.flavor().wake_order();
    for (i, port) in kernel.ports().iter().enumerate() {
        let pid = PortId(i as u32);
        let _ = write!(s, "  {} {}", l.port, names.port(pid));
        if port.closed() {
            let stranded: Vec<&str> = port
                .wtq()
                .wake_order(order)
                .into_iter()
                .map(|t| names.thread(t))
                .collect();
            if stranded.is_empty() {
                let _ = writeln!(s, "  ({})", l.closed);
            } else {
                let _ = writeln!(s, "  ({}: {})", l.stranded, stranded.join(", "));
            }
            continue;
        }
        let _ = writeln!(
            s,
            "  ({} {}, max {})",
            l.concurrency,
            port.concurrency(),
            port.max()
        );
        let iocq: Vec<String> = port.iocq().iter().map(|p| packet_cell(p, names)).collect();
        let _ = writeln!(
            s,
            "    IOCQ ({}) {}",
            iocq.len(),
            if iocq.is_empty() {
                "-".to_owned()
            } else {
                format!("{} {}", l.head, iocq.join(" "))
            }
        );
        let wtq: Vec<&str> = port
            .wtq()
            .wake_order(order)
            .into_iter()
            .map(|t| names.thread(t))
            .collect();
        let _ = writeln!(
            s,
            "    WTQ  ({}) {}",
            wtq.len(),
            if wtq.is_empty() {
                "-".to_owned()
            } else {
                format!("{} {}", l.next, wtq.join(", "))
            }
        );
        let list = |ids: &[crate::model::ThreadId]| {
            if ids.is_empty() {
                "-".to_owned()
            } else {
                ids.iter()
                    .map(|&t| names.thread(t))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        let _ = writeln!(
            s,
            "    RTL  {}/{}{} {}",
            port.current(),
            port.max(),
            if port.over_limit() { l.over_limit } else { "" },
            list(port.rtl().as_slice())
        );
        let _ = writeln!(
            s,
            "    PTL  ({}) {}",
            port.ptl().len(),
            list(port.ptl().as_slice())
        );
    }
    let devices: Vec<String> = kernel
        .devices()
        .iter()
        .map(|(id, d)| match (d.closed(), d.entry()) {
            (true, _) => format!("{} ({})", names.device(id), l.closed),
            (false, Some((p, key))) => {
                format!("{} -> {} {} {key}", names.device(id), names.port(p), l.key)
            }
            (false, None) => format!("{} ({})", names.device(id), l.not_associated),
        })
        .collect();
    if !devices.is_empty() {
        let _ = writeln!(s, "  {}: {}", l.device_list, devices.join("; "));
    }
    let threads: Vec<String> = kernel
        .threads()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let id = crate::model::ThreadId(i as u32);
            let word = state_word(l, t.status());
            let mark = if t.queue_mark() { l.mark } else { "" };
            match (t.status(), t.port()) {
                (ThreadStatus::Exited | ThreadStatus::Free, _) | (_, None) => {
                    format!("{} {word}{mark}", names.thread(id))
                }
                (_, Some(p)) => format!("{} {word}@{}{mark}", names.thread(id), names.port(p)),
            }
        })
        .collect();
    let _ = writeln!(s, "  {}: {}", l.threads_title, threads.join("  "));
    s
}

/// The summary after the last step.
fn summary_raw(summary: &Summary, names: &Names, lang: Lang) -> String {
    let l = labels(lang);
    let mut s = String::new();
    let _ = writeln!(s, "{:=<72}", l.summary);
    for (i, (peak, max)) in summary.peak.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {}: {} {peak} ({} {max}){}",
            names.port(PortId(i as u32)),
            l.largest_rtl,
            l.limit,
            if peak > max { l.went_over } else { "" }
        );
    }
    let _ = writeln!(
        s,
        "  {} {}   {} {}   {} {}   {} {}",
        l.steps,
        summary.steps,
        l.delivered,
        summary.delivered,
        l.lost,
        summary.lost,
        l.over_steps,
        summary.over_limit_steps
    );
    s
}

/// True for the characters a terminal would act on instead of showing:
/// control characters (C0 and C1: escape sequences, bells, carriage
/// returns) other than new line and tab, and the bidirectional formatting
/// characters that reorder what follows (overrides, embeddings, isolates,
/// marks).
fn acts_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The one escaper of the text views: every character of [`acts_on_terminal`]
/// becomes `\u{..}`, visible and inert; the rest (new lines included) is
/// kept. Escaping twice changes nothing more.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(acts_on_terminal) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if acts_on_terminal(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn safe(s: String) -> String {
    match terminal_safe(&s) {
        Cow::Borrowed(_) => s,
        Cow::Owned(o) => o,
    }
}

/// The header of a run: title, flavour, ports and threads (terminal-safe).
pub fn header(world: &World, flavor_name: &str, lang: Lang) -> String {
    safe(header_raw(world, flavor_name, lang))
}

/// One step: the action, the narration of every rule that fired, the
/// result and the state after it (terminal-safe).
pub fn step(
    step: &Step,
    report: &StepReport,
    outcome: &Outcome,
    kernel: &Kernel,
    names: &Names,
    lang: Lang,
) -> String {
    safe(step_raw(step, report, outcome, kernel, names, lang))
}

/// The five structures of every port and the threads' states (terminal-safe).
pub fn state(kernel: &Kernel, names: &Names, lang: Lang) -> String {
    safe(state_raw(kernel, names, lang))
}

/// The summary after the last step (terminal-safe).
pub fn summary(summary: &Summary, names: &Names, lang: Lang) -> String {
    safe(summary_raw(summary, names, lang))
}
