//! The text view: each step's action, narration and the five structures.

use std::fmt::Write as _;

use super::view::{PacketView, StateView, StepView};
use crate::escape;
use crate::model::{Kernel, Names, Outcome, PortId, ThreadStatus};
use crate::narrate::{words, Lang, Words};
use crate::runner::{StepReport, Summary};
use crate::scenario::{Step, World};

/// The header printed before step 1.
fn header_raw(world: &World, flavor_name: &str, lang: Lang) -> String {
    let w = words(lang);
    let (flavor, cpus, ports_key, threads_key) = w.header;
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
                format!("{} ({} 0 = {} {})", p.id, w.concurrency, world.cpus, w.cpus)
            } else {
                format!("{} ({} {})", p.id, w.concurrency, p.concurrency)
            }
        })
        .collect();
    let _ = writeln!(
        s,
        "{flavor}: {flavor_name}   {cpus}: {}   {ports_key}: {}   {threads_key}: {}",
        world.cpus,
        ports.join(", "),
        world.threads.join(", ")
    );
    s
}

/// `[key 7 | 0 B | ovA | success]`, in the words of `w`.
fn packet_cell(p: &PacketView, w: &Words) -> String {
    format!("[{}]", p.cell(w))
}

/// One step: what it did, why, and the structures after it.
fn step_raw(v: &StepView) -> String {
    let w = v.words();
    let mut s = String::new();
    let rule = format!("-- {} {}: {} ", w.step, v.step.number, v.action_text());
    let _ = writeln!(s, "{rule:-<72}");
    if let Some(note) = v.note() {
        let _ = writeln!(s, "  {}: {note}", w.note);
    }
    if let Some(why) = v.rejected_text() {
        let _ = writeln!(s, "  {}  {why}", w.rejected);
        let _ = writeln!(s, "  {}", w.unchanged);
    }
    if let Some(result) = v.result() {
        for (label, text) in v.rules().chain(v.marks()) {
            let _ = writeln!(s, "  {label:<18} {text}");
        }
        let _ = write!(s, "  {}: {result}", w.result);
        for d in v.deliveries() {
            let _ = write!(s, "   {} <- {}", d.thread, packet_cell(&d.packet, w));
        }
        for (t, e) in v.failures() {
            let _ = write!(s, "   {t} {}: {e}", w.failed);
        }
        s.push('\n');
    }
    state_raw(&v.state, v.lang, &mut s);
    for line in v.mismatch_lines(w.mismatch) {
        let _ = writeln!(s, "  {line}");
    }
    s
}

/// The five structures of every port, the Device List and the threads.
fn state_raw(state: &StateView, lang: Lang, s: &mut String) {
    let w = words(lang);
    let list = |mut names: Vec<&str>| {
        if names.is_empty() {
            names.push("-");
        }
        names.join(", ")
    };
    for port in state.ports() {
        let _ = write!(s, "  {} {}", w.port_title, port.name);
        if port.closed {
            let stranded: Vec<&str> = port.wtq().collect();
            if stranded.is_empty() {
                let _ = writeln!(s, "  ({})", w.closed);
            } else {
                let _ = writeln!(s, "  ({}: {})", w.stranded, stranded.join(", "));
            }
            continue;
        }
        let _ = writeln!(
            s,
            "  ({} {}, max {})",
            w.concurrency, port.concurrency, port.max
        );
        let iocq: Vec<String> = port.iocq().map(|p| packet_cell(&p, w)).collect();
        let _ = writeln!(
            s,
            "    {} ({}) {}",
            w.iocq.0,
            iocq.len(),
            if iocq.is_empty() {
                "-".to_owned()
            } else {
                format!("{}> {}", w.head, iocq.join(" "))
            }
        );
        let wtq: Vec<&str> = port.wtq().collect();
        let _ = writeln!(
            s,
            "    {}  ({}) {}",
            w.wtq.0,
            wtq.len(),
            if wtq.is_empty() {
                "-".to_owned()
            } else {
                format!("{}> {}", w.next, wtq.join(", "))
            }
        );
        let _ = writeln!(
            s,
            "    {}  {}/{}{} {}",
            w.rtl.0,
            port.current,
            port.max,
            if port.over {
                format!("  {}!", w.over_limit)
            } else {
                String::new()
            },
            list(port.rtl().collect())
        );
        let _ = writeln!(
            s,
            "    {}  ({}) {}",
            w.ptl.0,
            port.ptl().len(),
            list(port.ptl().collect())
        );
    }
    let devices: Vec<String> = state
        .devices()
        .map(|d| match (d.closed, d.entry) {
            (true, _) => format!("{} ({})", d.name, w.closed),
            (false, Some((p, key))) => format!("{} -> {p} {} {key}", d.name, w.key),
            (false, None) => format!("{} ({})", d.name, w.not_associated),
        })
        .collect();
    if !devices.is_empty() {
        let _ = writeln!(s, "  {}: {}", w.device_list, devices.join("; "));
    }
    let threads: Vec<String> = state
        .threads()
        .map(|t| {
            let word = w.state(t.status);
            let mark = if t.mark {
                format!(" ({})", w.mark_name)
            } else {
                String::new()
            };
            match (t.status, t.port) {
                (ThreadStatus::Exited | ThreadStatus::Free, _) | (_, None) => {
                    format!("{} {word}{mark}", t.name)
                }
                (_, Some(p)) => format!("{} {word}@{p}{mark}", t.name),
            }
        })
        .collect();
    let _ = writeln!(s, "  {}: {}", w.threads, threads.join("  "));
}

/// The summary after the last step.
fn summary_raw(summary: &Summary, names: &Names, lang: Lang) -> String {
    let w = words(lang);
    let (largest, limit, went_over) = w.peak;
    let (steps, delivered, lost, over_steps) = w.counters;
    let mut s = String::new();
    let _ = writeln!(s, "{:=<72}", format!("== {} ", w.summary));
    for (i, (peak, max)) in summary.peak.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {}: {largest} {peak} ({limit} {max}){}",
            names.port(PortId::from_index(i)),
            if peak > max {
                format!("  -- {went_over}")
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(
        s,
        "  {steps} {}   {delivered} {}   {lost} {}   {over_steps} {}",
        summary.steps, summary.delivered, summary.lost, summary.over_limit_steps
    );
    s
}

/// The header of a run: title, flavour, ports and threads (terminal-safe).
pub fn header(world: &World, flavor_name: &str, lang: Lang) -> String {
    escape::terminal_owned(header_raw(world, flavor_name, lang))
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
    let view = StepView::new(step, report, outcome, kernel, names, lang);
    escape::terminal_owned(step_raw(&view))
}

/// The five structures of every port and the threads' states (terminal-safe).
pub fn state(kernel: &Kernel, names: &Names, lang: Lang) -> String {
    let mut s = String::new();
    state_raw(&StateView::new(kernel, names), lang, &mut s);
    escape::terminal_owned(s)
}

/// The summary after the last step (terminal-safe).
pub fn summary(summary: &Summary, names: &Names, lang: Lang) -> String {
    escape::terminal_owned(summary_raw(summary, names, lang))
}
