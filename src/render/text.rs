//! The text view: each step's action, narration and the five structures.

use std::fmt::Write as _;

use super::packet_cell;
use crate::model::{Kernel, Names, Outcome, PortId, ThreadStatus};
use crate::narrate::{self, Lang};
use crate::runner::{Applied, StepReport, Summary};
use crate::scenario::{Step, World};

/// The header printed before step 1.
pub fn header(world: &World, flavor_name: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", world.title);
    if let Some(d) = &world.description {
        let _ = writeln!(s, "{d}");
    }
    let ports: Vec<String> = world
        .ports
        .iter()
        .map(|p| {
            if p.concurrency == 0 {
                format!("{} (concurrency 0 = {} CPUs)", p.id, world.cpus)
            } else {
                format!("{} (concurrency {})", p.id, p.concurrency)
            }
        })
        .collect();
    let _ = writeln!(
        s,
        "flavor: {flavor_name}   cpus: {}   ports: {}   threads: {}",
        world.cpus,
        ports.join(", "),
        world.threads.join(", ")
    );
    s
}

/// One step: what it did, why, and the structures after it.
pub fn step(
    step: &Step,
    report: &StepReport,
    outcome: &Outcome,
    kernel: &Kernel,
    names: &Names,
    lang: Lang,
) -> String {
    let mut s = String::new();
    let title = match &step.action {
        Some(a) => narrate::action(a, names, lang),
        None => "(no action: a check)".to_owned(),
    };
    let rule = format!("-- step {}: {title} ", step.number);
    let _ = writeln!(s, "{rule:-<72}");
    if let Some(note) = &step.note {
        let _ = writeln!(s, "  note: {note}");
    }
    match &report.applied {
        Applied::Nothing => {}
        Applied::Rejected { rejection, .. } => {
            let _ = writeln!(
                s,
                "  REJECTED  {}",
                narrate::rejection(rejection, names, lang)
            );
            let _ = writeln!(s, "  (nothing changed)");
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
            let _ = write!(s, "  result: {}", outcome.result.as_str());
            for d in &outcome.deliveries {
                let _ = write!(
                    s,
                    "   {} <- {}",
                    names.thread(d.thread),
                    packet_cell(&d.packet, names)
                );
            }
            for (t, e) in &outcome.failures {
                let _ = write!(s, "   {} failed: {}", names.thread(*t), e.name());
            }
            s.push('\n');
        }
    }
    s.push_str(&state(kernel, names));
    for m in &report.mismatches {
        let _ = writeln!(
            s,
            "  EXPECTATION FAILED {}: expected {}, actual {}",
            m.key, m.expected, m.actual
        );
    }
    s
}

/// The five structures of every port, the Device List and the threads.
pub fn state(kernel: &Kernel, names: &Names) -> String {
    let mut s = String::new();
    let order = kernel.flavor().wake_order();
    for (i, port) in kernel.ports().iter().enumerate() {
        let pid = PortId(i as u32);
        let _ = write!(s, "  Port {}", names.port(pid));
        if port.closed {
            let stranded: Vec<&str> = port
                .wtq
                .wake_order(order)
                .into_iter()
                .map(|t| names.thread(t))
                .collect();
            if stranded.is_empty() {
                let _ = writeln!(s, "  (closed)");
            } else {
                let _ = writeln!(
                    s,
                    "  (closed; still asleep in its WTQ: {})",
                    stranded.join(", ")
                );
            }
            continue;
        }
        let _ = writeln!(s, "  (concurrency {}, max {})", port.concurrency, port.max);
        let iocq: Vec<String> = port.iocq.iter().map(|p| packet_cell(p, names)).collect();
        let _ = writeln!(
            s,
            "    IOCQ ({}) {}",
            iocq.len(),
            if iocq.is_empty() {
                "-".to_owned()
            } else {
                format!("head> {}", iocq.join(" "))
            }
        );
        let wtq: Vec<&str> = port
            .wtq
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
                format!("next> {}", wtq.join(", "))
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
            port.current,
            port.max,
            if port.over_limit() {
                "  OVER LIMIT!"
            } else {
                ""
            },
            list(port.rtl.as_slice())
        );
        let _ = writeln!(
            s,
            "    PTL  ({}) {}",
            port.ptl.len(),
            list(port.ptl.as_slice())
        );
    }
    let devices: Vec<String> = kernel
        .devices()
        .iter()
        .map(|(id, d)| match (d.closed, d.entry) {
            (true, _) => format!("{} (closed)", names.device(id)),
            (false, Some((p, key))) => {
                format!("{} -> {} key {key}", names.device(id), names.port(p))
            }
            (false, None) => format!("{} (not associated)", names.device(id)),
        })
        .collect();
    if !devices.is_empty() {
        let _ = writeln!(s, "  Device List: {}", devices.join("; "));
    }
    let threads: Vec<String> = kernel
        .threads()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let id = crate::model::ThreadId(i as u32);
            let word = t.status().as_str();
            match (t.status(), t.port) {
                (ThreadStatus::Exited | ThreadStatus::Free, _) | (_, None) => {
                    format!("{} {word}", names.thread(id))
                }
                (_, Some(p)) => format!("{} {word}@{}", names.thread(id), names.port(p)),
            }
        })
        .collect();
    let _ = writeln!(s, "  Threads: {}", threads.join("  "));
    s
}

/// The summary after the last step.
pub fn summary(summary: &Summary, names: &Names) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{:=<72}", "== summary ");
    for (i, (peak, max)) in summary.peak.iter().enumerate() {
        let _ = writeln!(
            s,
            "  {}: largest RTL {peak} (limit {max}){}",
            names.port(PortId(i as u32)),
            if peak > max {
                "  -- went over the limit"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(
        s,
        "  steps {}   packets delivered {}   lost {}   steps ending over a limit {}",
        summary.steps, summary.delivered, summary.lost, summary.over_limit_steps
    );
    s
}
