//! What a view of a whole run would cost, computed before it is built.
//!
//! The HTML player and the SVG timeline hold one picture per step of every
//! thread, port and queued packet, so their size grows as steps × threads.
//! [`estimate`] runs the scenario once through [`Runner`] (one state in
//! memory, no frames) and adds up an upper estimate of the bytes each
//! frame will take; `export` and `play` refuse a run whose estimate is over
//! their limit ([`MAX_EXPORT_BYTES`], [`MAX_PLAY_BYTES`]) instead of being
//! killed for memory half way. The estimate stops counting once it passes
//! the limit, so it costs at most about `limit / 64` thread visits.

use crate::model::{Flavor, Kernel, Names, ThreadState};
use crate::narrate::Lang;
use crate::runner::Runner;
use crate::scenario::{Scenario, Text};

/// The largest HTML page or SVG drawing `export` writes, in bytes (128 MiB).
pub const MAX_EXPORT_BYTES: u64 = 128 << 20;

/// The largest run the terminal player holds, measured as the frames'
/// estimated size in bytes (the same measure as the page's: 128 MiB).
pub const MAX_PLAY_BYTES: u64 = 128 << 20;

/// Upper estimates of the output of one flavour's run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Frames counted (steps + 1, or fewer once `over` is set).
    pub frames: u64,
    /// Bytes of the frames' data in the HTML page (one flavour).
    pub html: u64,
    /// Bytes of the SVG timeline.
    pub svg: u64,
    /// Counting stopped early because both figures passed the limit given.
    pub over: bool,
}

/// Bytes one frame of `kernel` takes: (HTML data, SVG drawing).
fn frame_bytes(kernel: &Kernel, names: &Names) -> (u64, u64) {
    let mut html = 200u64;
    let mut svg = 0u64;
    for (i, t) in kernel.threads().iter().enumerate() {
        let name = names.threads().get(i).map_or(0, String::len) as u64;
        let label = match t.state {
            ThreadState::Paused(Some(l)) => names.label(l).len() as u64,
            _ => 0,
        };
        // {"name":..,"state":..,"state_text":..,"port":..} with escapes.
        html += 96 + 2 * name + 2 * label + 2 * names_port_max(names);
        // One cell with its class, fill and tooltip.
        svg += 200 + 2 * name + 2 * label;
        if t.queue_mark {
            // The queue-wait mark's diamond with its tooltip.
            svg += 250 + 2 * name + 2 * mark_text_max();
        }
    }
    for p in kernel.ports() {
        let queued = p.iocq.len() as u64;
        let listed = (p.wtq.len() + p.rtl.len() + p.ptl.len()) as u64;
        let longest = names_thread_max(names) + 4;
        html +=
            200 + 2 * names_port_max(names) + queued * (110 + 2 * ov_max(names)) + listed * longest;
        svg += 300;
    }
    html += kernel.devices().len() as u64 * (80 + 2 * names_port_max(names) + 40);
    (html, svg)
}

/// The longest tooltip of the queue-wait mark, in any language.
fn mark_text_max() -> u64 {
    Lang::ALL
        .iter()
        .map(|&l| crate::narrate::words(l).mark.1.len())
        .max()
        .unwrap_or(0) as u64
}

fn names_port_max(names: &Names) -> u64 {
    names.ports().iter().map(String::len).max().unwrap_or(0) as u64
}

fn names_thread_max(names: &Names) -> u64 {
    names.threads().iter().map(String::len).max().unwrap_or(0) as u64
}

fn ov_max(names: &Names) -> u64 {
    (0..names.overlapped_count())
        .map(|i| names.overlapped(crate::model::OvId(i as u32)).len())
        .max()
        .unwrap_or(0) as u64
}

/// Bytes of one step's words (action, rules, note, deliveries): generous
/// for any step, plus the note and the longest name that may be quoted.
/// A note counts in every language it is shown in (a missing translation
/// shows the English behind the fallback mark).
fn step_bytes(note: Option<&Text>, longest: u64) -> u64 {
    let note = note.map_or(0, |t| Lang::ALL.iter().map(|&l| t.get(l).len()).sum());
    4096 + 2 * note as u64 + 16 * longest
}

/// Estimates the frames of `scenario` run in `flavor`; stops counting once
/// both figures are above `limit`.
pub fn estimate(scenario: &Scenario, flavor: Flavor, limit: u64) -> Estimate {
    let names = &scenario.names;
    let longest = names
        .ports()
        .iter()
        .chain(names.threads())
        .chain(names.devices())
        .map(String::len)
        .max()
        .unwrap_or(0) as u64
        + (0..names.label_count())
            .map(|i| names.label(crate::model::LabelId(i as u32)).len())
            .max()
            .unwrap_or(0) as u64;
    let mut runner = Runner::new(&scenario.world, flavor);
    let (h, s) = frame_bytes(runner.kernel(), names);
    let mut e = Estimate {
        frames: 1,
        html: h,
        svg: s,
        over: false,
    };
    for step in &scenario.steps {
        if e.html > limit && e.svg > limit {
            e.over = true;
            break;
        }
        let report = runner.step(step, names);
        let (h, s) = frame_bytes(runner.kernel(), names);
        let words = step_bytes(step.note.as_ref(), longest);
        e.frames += 1;
        e.html += h + words;
        e.svg += s + words / 8;
        if report.unexpected_rejection(step) {
            break;
        }
    }
    e
}

/// Refuses a run too large to show: `Err` names the estimate, the limit
/// and what to do; `what` is e.g. `"the HTML page"`.
pub fn check(bytes: u64, limit: u64, what: &str) -> Result<(), String> {
    if bytes <= limit {
        return Ok(());
    }
    Err(format!(
        "{what} would take more than {} MiB (limit {} MiB, estimated before building it): show fewer steps or threads, or use `run --json`, which streams any length",
        bytes >> 20,
        limit >> 20
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::{html, svg};

    fn lessons() -> Vec<Scenario> {
        let mut out = Vec::new();
        for e in std::fs::read_dir("sim-scenarios").expect("lessons") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "json") {
                out.push(crate::scenario::load(&p).expect("lesson loads"));
            }
        }
        out
    }

    #[test]
    fn the_estimate_is_above_what_is_built() {
        for s in lessons() {
            let f = s.world.flavor;
            let e = estimate(&s, f, u64::MAX);
            // The page holds every flavour's run.
            let all: u64 = Flavor::ALL
                .into_iter()
                .map(|g| estimate(&s, g, u64::MAX).html)
                .sum();
            let page = html::page(&s, f, crate::narrate::Lang::En).len() as u64;
            let drawing = svg::timeline(&s, f, crate::narrate::Lang::En).len() as u64;
            assert!(
                page <= all + (64 << 10),
                "{}: page {page} > {all} (every flavour)",
                s.source
            );
            assert!(drawing <= e.svg, "{}: svg {drawing} > {e:?}", s.source);
        }
    }
}
