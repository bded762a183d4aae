//! The SVG timeline (`iocp-sim export --svg`): one row per thread, one
//! column per step, each cell showing the thread's state after that step
//! (free, running, waiting, paused, exited) by a pattern that survives
//! black-and-white printing; a numbered disc where a packet was delivered;
//! shaded spans where some port's RTL is over its limit; a row of
//! `current/max` per port; the steps' actions under the axis; a legend.

use std::io::{self, Write};

use super::frame::{self, each_state, Frames, Show};
use crate::escape;
use crate::model::{Flavor, ThreadStatus};
use crate::narrate::Lang;
use crate::narrate::{words, Words};
use crate::runner::Trace;
use crate::scenario::Scenario;

const LEFT: f64 = 120.0;
const COL: f64 = 30.0;
const ROW: f64 = 26.0;
const GAP: f64 = 4.0;

/// A rough width of text in pixels: wide (CJK) characters take about the
/// font size, others a little over half of it.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 {
                size
            } else {
                size * 0.6
            }
        })
        .sum()
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The fill of a state: a pattern id, or a plain colour for "free".
fn fill(state: ThreadStatus) -> &'static str {
    match state {
        ThreadStatus::Running => "url(#st-running)",
        ThreadStatus::Waiting => "url(#st-waiting)",
        ThreadStatus::Paused => "url(#st-paused)",
        ThreadStatus::Exited => "url(#st-exited)",
        ThreadStatus::Free => "#ffffff",
    }
}

const DEFS: &str = r##"<defs>
<pattern id="st-running" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#1b5e20"/></pattern>
<pattern id="st-waiting" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#ffffff"/><path d="M0 1.5H6M0 4.5H6" stroke="#0d47a1" stroke-width="1.4"/></pattern>
<pattern id="st-paused" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><path d="M1.5 0V6" stroke="#8d5a00" stroke-width="2"/></pattern>
<pattern id="st-exited" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1" fill="#616161"/></pattern>
<pattern id="over" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="8" height="8" fill="#ffe3e6"/><path d="M0 0V8" stroke="#b00020" stroke-width="1.2"/></pattern>
</defs>"##;

/// The timeline of `scenario` run in `flavor`, with words in `lang`: what
/// [`write_timeline`] writes.
pub fn timeline(scenario: &Scenario, flavor: Flavor, lang: Lang) -> String {
    let mut out = Vec::new();
    write_timeline(scenario, flavor, lang, &mut out).expect("a Vec takes every byte");
    String::from_utf8(out).expect("the drawing is UTF-8")
}

/// A packet delivered: the step, the thread's name and the key.
struct Delivered {
    index: usize,
    thread: String,
    key: u64,
}

/// Writes the timeline to `out` as it is drawn. The drawing goes row by
/// row (one thread, or one port, across every step), so each row walks
/// the recorded run again ([`each_state`]) and views that thread or port
/// only; whole frames are built one at a time, once for what is drawn per
/// step (over-limit spans and deliveries, kept: they are what changed) and
/// once more for the actions at the end. Memory holds the trace and one
/// frame, whatever the drawing's size. Fails only when `out` does.
pub fn write_timeline(
    scenario: &Scenario,
    flavor: Flavor,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    let trace = Trace::record(scenario, flavor);
    let show = Show::header(scenario, &trace, lang);
    let w = words(lang);
    let names = &scenario.names;
    let mut over = Vec::new();
    let mut delivered = Vec::new();
    let mut first = None;
    for f in Frames::new(scenario, &trace, lang) {
        over.push(f.ports.iter().any(|p| p.over));
        delivered.extend(f.deliveries.iter().map(|d| Delivered {
            index: f.index,
            thread: d.thread.clone(),
            key: d.packet.key,
        }));
        first.get_or_insert(f);
    }
    let first = first.expect("frame 0");
    let n = over.len();
    let threads: Vec<&str> = first.threads.iter().map(|t| t.name.as_str()).collect();
    let ports: Vec<(&str, u32)> = first
        .ports
        .iter()
        .map(|p| (p.name.as_str(), p.max))
        .collect();

    let top = 96.0; // title, subtitle, legend
    let axis = top + 18.0; // step numbers
    let grid_top = axis + 8.0;
    let rows_h = threads.len() as f64 * ROW;
    let port_top = grid_top + rows_h + GAP * 2.0;
    let port_h = ports.len() as f64 * ROW;
    let actions_top = port_top + port_h + 10.0;
    let actions_h = 230.0;
    // Wide enough for the grid and the slanted actions under it, the legend
    // and the title.
    let width = (LEFT + n as f64 * COL + 200.0)
        .max(legend(&mut io::sink(), w, 12.0, 0.0)? + 20.0)
        .max(text_width(&show.title, 18.0) + 30.0);
    let height = actions_top + actions_h + 10.0;
    let x = |i: usize| LEFT + i as f64 * COL;

    let s = out;
    write!(
        s,
        r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Noto Sans, Noto Sans CJK KR, Malgun Gothic, Helvetica, Arial, sans-serif" font-size="12">
<title>{}</title>
{DEFS}
<rect width="100%" height="100%" fill="#ffffff"/>
"##,
        escape::markup(&show.title)
    )?;
    // Title and subtitle.
    writeln!(
        s,
        r##"<text x="12" y="24" font-size="18" font-weight="bold">{}</text>"##,
        escape::markup(&show.title)
    )?;
    let port_words: Vec<String> = ports
        .iter()
        .map(|(p, m)| format!("{} {p} (max {m})", w.port))
        .collect();
    writeln!(
        s,
        r##"<text x="12" y="44" fill="#333">{} {} · {} · {}: {}</text>"##,
        escape::markup(w.flavor),
        show.flavor,
        escape::markup(&port_words.join(", ")),
        escape::markup(w.step),
        n - 1
    )?;
    legend(s, w, 12.0, 58.0)?;

    // Over-limit spans, behind everything else.
    let mut i = 0;
    while i < n {
        if !over[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && over[i] {
            i += 1;
        }
        writeln!(
            s,
            r##"<rect class="over-span" data-from="{start}" data-to="{}" x="{}" y="{}" width="{}" height="{}" fill="url(#over)" stroke="#b00020" stroke-width="1.5" stroke-dasharray="4 2"/>"##,
            i - 1,
            x(start) - 1.0,
            axis - 14.0,
            (i - start) as f64 * COL + 2.0,
            port_top + port_h - axis + 14.0
        )?;
        writeln!(
            s,
            r##"<text x="{}" y="{}" font-size="10" font-weight="bold" fill="#b00020">RTL &gt; max</text>"##,
            x(start) + 2.0,
            axis - 16.0
        )?;
    }

    // Step numbers and grid lines.
    for i in 0..n {
        let cx = x(i) + COL / 2.0;
        writeln!(
            s,
            r##"<text x="{cx}" y="{axis}" text-anchor="middle" font-size="10" fill="#333">{i}</text>"##
        )?;
    }
    writeln!(
        s,
        r##"<text x="{}" y="{axis}" text-anchor="end" font-size="10" fill="#333">{}</text>"##,
        LEFT - 8.0,
        escape::markup(w.step)
    )?;

    // One row per thread; each of its three layers walks the run again.
    for (r, name) in threads.iter().enumerate() {
        let y = grid_top + r as f64 * ROW;
        writeln!(
            s,
            r##"<text class="thread-label" x="{}" y="{}" text-anchor="end" font-weight="bold">{}</text>"##,
            LEFT - 8.0,
            y + ROW / 2.0 + 4.0,
            escape::markup(&clip(name, 14))
        )?;
        writeln!(
            s,
            r##"<g class="thread-row" data-thread="{}">"##,
            escape::markup(name)
        )?;
        each_state(&trace, names, |i, state| {
            let t = frame::thread(&state.thread(r), lang);
            writeln!(
                s,
                r##"<rect class="cell {}" x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#424242" stroke-width="0.6"><title>{} · {} {i}: {}{}</title></rect>"##,
                t.state,
                x(i),
                y + 2.0,
                COL,
                ROW - 4.0,
                fill(t.status),
                escape::markup(name),
                escape::markup(w.step),
                escape::markup(t.state_text),
                t.port
                    .as_deref()
                    .map(|p| format!(" @{}", escape::markup(p)))
                    .unwrap_or_default()
            )
        })?;
        // The queue-wait mark: a small diamond in the cell's corner.
        each_state(&trace, names, |i, state| {
            if !frame::thread(&state.thread(r), lang).mark {
                return Ok(());
            }
            let (cx, cy) = (x(i) + COL - 6.0, y + 8.0);
            writeln!(
                s,
                r##"<path class="mark" d="M{cx} {} L{} {cy} L{cx} {} L{} {cy} Z" fill="#ffd54f" stroke="#000000" stroke-width="0.8"><title>{} · {} {i}: {}</title></path>"##,
                cy - 4.0,
                cx + 4.0,
                cy + 4.0,
                cx - 4.0,
                escape::markup(name),
                escape::markup(w.step),
                escape::markup(w.mark.1)
            )
        })?;
        // The port's name at the start of every stretch on one port.
        let mut prev: Option<(ThreadStatus, Option<String>)> = None;
        each_state(&trace, names, |i, state| {
            let t = frame::thread(&state.thread(r), lang);
            let key = (t.status, t.port);
            let associated = matches!(
                t.status,
                ThreadStatus::Running | ThreadStatus::Waiting | ThreadStatus::Paused
            );
            if prev.as_ref() != Some(&key) && associated {
                if let Some(p) = &key.1 {
                    writeln!(
                        s,
                        r##"<text class="port-tag" x="{}" y="{}" font-size="9" fill="{}">{}</text>"##,
                        x(i) + 2.0,
                        y + 11.0,
                        if t.status == ThreadStatus::Running {
                            "#ffffff"
                        } else {
                            "#000000"
                        },
                        escape::markup(&clip(p, 3))
                    )?;
                }
            }
            prev = Some(key);
            Ok::<(), io::Error>(())
        })?;
        writeln!(s, "</g>")?;
        // Deliveries on top of the row.
        for d in delivered.iter().filter(|d| d.thread == *name) {
            delivery(s, w, x(d.index) + COL / 2.0, y + ROW / 2.0, d)?;
        }
    }

    // current/max per port.
    for (r, (name, _)) in ports.iter().enumerate() {
        let y = port_top + r as f64 * ROW;
        writeln!(
            s,
            r##"<text x="{}" y="{}" text-anchor="end" font-size="11">{} {} current</text>"##,
            LEFT - 8.0,
            y + ROW / 2.0 + 4.0,
            escape::markup(w.rtl.0),
            escape::markup(&clip(name, 8))
        )?;
        each_state(&trace, names, |i, state| {
            let p = state.port(r);
            writeln!(
                s,
                r##"<text class="current{}" x="{}" y="{}" text-anchor="middle" font-size="11"{}>{}/{}</text>"##,
                if p.over { " over" } else { "" },
                x(i) + COL / 2.0,
                y + ROW / 2.0 + 4.0,
                if p.over {
                    r##" font-weight="bold" fill="#b00020" text-decoration="underline""##
                } else {
                    ""
                },
                p.current,
                p.max
            )
        })?;
    }
    writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{}" x2="{}" y2="{}" stroke="#000"/>"##,
        port_top - GAP,
        x(n),
        port_top - GAP
    )?;

    // Each step's action, rotated under the grid.
    for f in Frames::new(scenario, &trace, lang).skip(1) {
        let (i, cx) = (f.index, x(f.index) + COL / 2.0 + 4.0);
        writeln!(
            s,
            r##"<text class="action" x="{cx}" y="{actions_top}" font-size="10" fill="#222" transform="rotate(50 {cx} {actions_top})">{} {}</text>"##,
            i,
            escape::markup(&clip(&f.action, 46))
        )?;
    }
    s.write_all(b"</svg>\n")
}

fn delivery(s: &mut dyn Write, w: &Words, cx: f64, cy: f64, d: &Delivered) -> io::Result<()> {
    writeln!(
        s,
        r##"<g class="delivery" data-step="{}"><circle cx="{cx}" cy="{cy}" r="8.5" fill="#ffffff" stroke="#000000" stroke-width="2"/><text x="{cx}" y="{}" text-anchor="middle" font-size="9" font-weight="bold">{}</text><title>{} {}: {} ← {} {}</title></g>"##,
        d.index,
        cy + 3.2,
        d.key,
        escape::markup(w.step),
        d.index,
        escape::markup(&d.thread),
        escape::markup(w.key),
        d.key
    )
}

/// Draws the legend; returns where it ends on the right.
fn legend(s: &mut dyn Write, w: &Words, x0: f64, y0: f64) -> io::Result<f64> {
    let mut x = x0;
    for st in Words::STATE_ORDER {
        writeln!(
            s,
            r##"<rect class="legend" x="{x}" y="{y0}" width="22" height="16" fill="{}" stroke="#424242" stroke-width="0.8"/><text x="{}" y="{}">{}</text>"##,
            fill(st),
            x + 27.0,
            y0 + 12.5,
            escape::markup(w.state(st))
        )?;
        x += 36.0 + 8.0 * w.state(st).chars().count().max(4) as f64;
    }
    writeln!(
        s,
        r##"<circle cx="{}" cy="{}" r="8.5" fill="#ffffff" stroke="#000000" stroke-width="2"/><text x="{}" y="{}" text-anchor="middle" font-size="9" font-weight="bold">7</text><text x="{}" y="{}">{}</text>"##,
        x + 9.0,
        y0 + 8.0,
        x + 9.0,
        y0 + 11.2,
        x + 22.0,
        y0 + 12.5,
        escape::markup(w.delivered)
    )?;
    x += 40.0 + 7.0 * w.delivered.chars().count() as f64;
    writeln!(
        s,
        r##"<path d="M{} {} L{} {} L{} {} L{} {} Z" fill="#ffd54f" stroke="#000000" stroke-width="0.8"/><text x="{}" y="{}">{}</text>"##,
        x + 6.0,
        y0 + 3.0,
        x + 11.0,
        y0 + 8.0,
        x + 6.0,
        y0 + 13.0,
        x + 1.0,
        y0 + 8.0,
        x + 16.0,
        y0 + 12.5,
        escape::markup(w.mark.0)
    )?;
    x += 30.0 + 7.0 * w.mark.0.chars().count() as f64;
    writeln!(
        s,
        r##"<rect x="{x}" y="{y0}" width="22" height="16" fill="url(#over)" stroke="#b00020" stroke-dasharray="4 2"/><text x="{}" y="{}">RTL &gt; max ({})</text>"##,
        x + 27.0,
        y0 + 12.5,
        escape::markup(w.over_limit)
    )?;
    Ok(x + 27.0 + 7.0 * (12 + w.over_limit.chars().count()) as f64)
}
