//! What a view of a whole run would cost, computed before it is built.
//!
//! The HTML player and the SVG timeline draw one picture per step of every
//! thread, port and queued packet, so their *output* grows as steps ×
//! threads. [`estimate`] runs the scenario once through [`Runner`] (one
//! state in memory, no frames) and adds up an upper estimate of the bytes
//! each frame will take in each output; `export` refuses a page or drawing
//! whose estimate is over [`MAX_EXPORT_BYTES`] before writing anything.
//!
//! Their *memory* does not grow so: `export` writes the output as it
//! builds it, one frame at a time from the recorded run, and `play` builds
//! the frame shown when it is shown, keeping [`FRAMES_KEPT`]. The estimate
//! bounds that memory too ([`Estimate::export_memory`],
//! [`Estimate::play_memory`]): the recorded run ([`Estimate::trace`]: a
//! [`Trace`](crate::runner::Trace) holds what each step changed and a full
//! state only at its checkpoints, which the estimate places with the
//! trace's own [`CheckpointPolicy`]), the largest state and the largest
//! frame. `play` refuses a run whose memory estimate is over
//! [`MAX_PLAY_BYTES`]. The estimate stops counting once every figure is
//! past the limit.

use std::mem::size_of;
use std::ops::ControlFlow;

use crate::model::{
    Delivery, Device, Fired, Flavor, Kernel, Names, Outcome, OvUse, Packet, Port, ThreadId,
    ThreadState, WinError,
};
use crate::narrate::Lang;
use crate::runner::{Applied, CheckpointPolicy, Runner, StepReport, TraceStep};
use crate::scenario::{Expect, PacketExpect, Scenario, Step, Text};

/// The largest HTML page or SVG drawing `export` writes, in bytes (128 MiB).
pub const MAX_EXPORT_BYTES: u64 = 128 << 20;

/// The largest run the terminal player holds, measured as its estimated
/// memory ([`Estimate::play_memory`]: the trace, a state and the frames it
/// keeps): 128 MiB.
pub const MAX_PLAY_BYTES: u64 = 128 << 20;

/// Upper estimates of the output of one flavour's run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Frames counted (steps + 1, or fewer once `over` is set).
    pub frames: u64,
    /// Bytes of every frame as JSON in one language: what the page's
    /// engine answers for the whole run (one flavour).
    pub html: u64,
    /// Bytes of the SVG timeline.
    pub svg: u64,
    /// Bytes the recorded run ([`crate::runner::Trace`]) holds: every
    /// step's record and every checkpoint, allocator slack included.
    pub trace: u64,
    /// Full states the recorded run holds (the initial one and the
    /// checkpoints), as [`crate::runner::Trace::checkpoints`] counts them.
    pub checkpoints: u64,
    /// Heap bytes of the largest state (a copy of the model's kernel).
    pub state: u64,
    /// Heap bytes of the largest single frame in memory ([`Frame`] and
    /// everything it owns).
    ///
    /// [`Frame`]: crate::views::Frame
    pub frame: u64,
    /// Heap bytes of what the SVG timeline keeps per step while it draws:
    /// every delivery (thread name, step, key) and an over-limit flag.
    pub per_step: u64,
    /// Heap bytes of the fixed parts of writing a view: the page's code
    /// and style, the data around the frames (titles, words), the output
    /// buffer.
    pub fixed: u64,
    /// Counting stopped early because the figures asked for passed the
    /// limit given.
    pub over: bool,
}

/// Frames the terminal player keeps built ([`crate::views::player`]).
pub const FRAMES_KEPT: u64 = 4;

impl Estimate {
    /// Peak heap bytes of `export` writing this flavour's run (the HTML
    /// page writes one flavour's run at a time, the SVG one run): the
    /// trace, the state walked, one frame, what the drawing keeps per step
    /// and the fixed parts. Not the output's size: nothing holds the output.
    pub fn export_memory(&self) -> u64 {
        self.trace + self.state + self.frame + self.per_step + self.fixed
    }

    /// Peak heap bytes of the page's engine ([`crate::views::web`])
    /// showing this flavour's run: what the player holds, the scenario it
    /// read itself (its steps, about as much again as the trace's record
    /// of them) and the step list it answers with (a line per step).
    pub fn engine_memory(&self) -> u64 {
        self.play_memory() + self.trace + self.frames * 512
    }

    /// Peak heap bytes of `play` showing this flavour's run: the trace,
    /// the state it recomputes for a frame, and the frames it keeps.
    pub fn play_memory(&self) -> u64 {
        self.trace + self.state + FRAMES_KEPT * self.frame + self.fixed
    }
}

/// Heap bytes of one frame in memory (a [`crate::views::Frame`] after
/// `step` left `kernel`): every thread, port, queued packet, device and
/// name as owned strings, and the step's words (`words`, as
/// [`step_bytes`] counts them, which also covers the rules, deliveries
/// and failures of an ordinary step) plus each rule fired, delivery,
/// failure and failed expectation beyond.
fn frame_heap(
    kernel: &Kernel,
    names: &Names,
    words: u64,
    outcome: &Outcome,
    report: Option<&StepReport>,
) -> u64 {
    use crate::views::frame::ThreadView;
    use crate::views::frame::{DeliveryView, DeviceView, Frame, PacketView, PortView, RuleLine};
    let name = |s: &str| string(s);
    let longest = names_thread_max(names).max(names_port_max(names)) + ALLOC;
    let packet = size_of::<PacketView>() as u64 + ov_max(names) + 2 * ALLOC + 64;
    let mut b = size_of::<Frame>() as u64 + words;
    b += list::<ThreadView>(kernel.threads().len());
    for (i, t) in kernel.threads().iter().enumerate() {
        b += names.threads().get(i).map_or(0, |n| name(n));
        if t.port().is_some() {
            b += names_port_max(names) + ALLOC;
        }
    }
    b += list::<PortView>(kernel.ports().len());
    for p in kernel.ports() {
        let listed = p.wtq().len() + p.rtl().len() + p.ptl().len();
        b += names_port_max(names) + ALLOC;
        b += list::<PacketView>(p.iocq().len()) + p.iocq().len() as u64 * packet;
        // Three lists of names, and the wake order's own list while built.
        b += 4 * ALLOC
            + listed as u64 * (size_of::<String>() as u64 + longest)
            + (p.wtq().len() * size_of::<ThreadId>()) as u64;
    }
    b += list::<DeviceView>(kernel.devices().len());
    for (_, d) in kernel.devices().iter() {
        b += 2 * (names_port_max(names) + ALLOC).max(longest)
            + list::<String>(d.pending().len())
            + d.pending().len() as u64 * (ov_max(names) + ALLOC);
    }
    // Narration of each rule fired: two strings naming a few ids.
    b += list::<RuleLine>(outcome.fired.len())
        + outcome.fired.len() as u64 * (2 * ALLOC + 600 + 6 * longest);
    b += list::<DeliveryView>(outcome.deliveries.len())
        + outcome.deliveries.len() as u64 * (2 * longest + packet);
    b += list::<(String, &str)>(outcome.failures.len()) + outcome.failures.len() as u64 * longest;
    if let Some(r) = report {
        b += list::<String>(r.mismatches.len())
            + (r.mismatches.iter())
                .map(|m| 160 + ALLOC + (m.key.len() + m.expected.len() + m.actual.len()) as u64)
                .sum::<u64>();
    }
    b
}

/// Bytes one frame of `kernel` takes: (HTML data, SVG drawing).
fn frame_bytes(kernel: &Kernel, names: &Names) -> (u64, u64) {
    let mut html = 200u64;
    let mut svg = 0u64;
    for (i, t) in kernel.threads().iter().enumerate() {
        let name = names.threads().get(i).map_or(0, String::len) as u64;
        let label = match t.state() {
            ThreadState::Paused(Some(l)) => names.label(l).len() as u64,
            _ => 0,
        };
        // {"name":..,"state":..,"state_text":..,"port":..} with escapes.
        html += 96 + 2 * name + 2 * label + 2 * names_port_max(names);
        // One cell with its class, fill and tooltip.
        svg += 200 + 2 * name + 2 * label;
        if t.queue_mark() {
            // The queue-wait mark's diamond with its tooltip.
            svg += 250 + 2 * name + 2 * mark_text_max();
        }
    }
    for p in kernel.ports() {
        let queued = p.iocq().len() as u64;
        let listed = (p.wtq().len() + p.rtl().len() + p.ptl().len()) as u64;
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
        .map(|i| names.overlapped(crate::model::OvId::from_index(i)).len())
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

/// Estimates the output of `scenario` run in `flavor` (and the memory of
/// writing it); stops counting once both output figures are above
/// `limit`, which is all `export` asks.
pub fn estimate(scenario: &Scenario, flavor: Flavor, limit: u64) -> Estimate {
    estimate_until(scenario, flavor, |e| e.html > limit && e.svg > limit)
}

/// Estimates what the classroom page's engine would hold and answer for
/// `scenario` in `flavor` ([`Estimate::engine_memory`], and
/// [`Estimate::html`], every frame as JSON: the work of showing every
/// step); stops counting once either is above `limit`.
pub fn estimate_page(scenario: &Scenario, flavor: Flavor, limit: u64) -> Estimate {
    estimate_until(scenario, flavor, |e| {
        e.html > limit || e.engine_memory() > limit
    })
}

/// Checks [`estimate_page`] against `limit`: the page's engine must hold
/// the run, and every frame of it together must stay within the limit.
pub fn check_page(scenario: &Scenario, flavor: Flavor, limit: u64) -> Result<(), TooLarge> {
    let e = estimate_page(scenario, flavor, limit);
    check(e.engine_memory(), limit, "its run in the page")?;
    check(e.html, limit, "every step of its run in the page")
}

/// Estimates the memory of playing `scenario` in `flavor`
/// ([`Estimate::play_memory`]); stops counting once it is above `limit`.
pub fn estimate_play(scenario: &Scenario, flavor: Flavor, limit: u64) -> Estimate {
    estimate_until(scenario, flavor, |e| e.play_memory() > limit)
}

/// Counts step by step until `enough` holds (then sets `over`) or the run ends.
fn estimate_until(
    scenario: &Scenario,
    flavor: Flavor,
    enough: impl Fn(&Estimate) -> bool,
) -> Estimate {
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
            .map(|i| names.label(crate::model::LabelId::from_index(i)).len())
            .max()
            .unwrap_or(0) as u64;
    let mut runner = Runner::new(&scenario.world, flavor);
    let mut policy = CheckpointPolicy::new(names);
    let ovs = names.overlapped_count() as u64;
    let (h, s) = frame_bytes(runner.kernel(), names);
    let mut largest = kernel_bytes(runner.kernel(), ovs);
    let texts: u64 = Lang::ALL
        .iter()
        .map(|&l| {
            scenario.world.title.get(l).len()
                + scenario
                    .world
                    .description
                    .as_ref()
                    .map_or(0, |d| d.get(l).len())
        })
        .sum::<usize>() as u64;
    let mut e = Estimate {
        frames: 1,
        html: h,
        svg: s,
        state: largest,
        frame: frame_heap(
            runner.kernel(),
            names,
            step_bytes(None, longest),
            &Outcome::default(),
            None,
        ),
        per_step: 1,
        // The data around the frames (every title and description several
        // times over, the words), the output buffer, the error that may
        // stop the run. (Not the page's code: a page holds no frames, and
        // its engine, which builds them, does not hold the page.)
        fixed: 8 * texts + (64 << 10) + (8 << 10),
        trace: (size_of::<crate::runner::Trace>() + scenario.steps.len() * size_of::<TraceStep>())
            as u64
            + ALLOC
            + list::<(u32, u32)>(scenario.world.ports.len())
            + kernel_bytes(runner.kernel(), ovs),
        checkpoints: 1,
        over: false,
    };
    runner.run(
        &scenario.steps,
        names,
        &scenario.source,
        |step, report, runner| {
            // Enough before this step: it is not counted.
            if enough(&e) {
                e.over = true;
                return ControlFlow::Break(());
            }
            let (h, s) = frame_bytes(runner.kernel(), names);
            let words = step_bytes(step.note.as_ref(), longest);
            e.frames += 1;
            e.html += h + words;
            e.svg += s + words / 8;
            e.trace += record_bytes(step, &report, runner.outcome());
            let outcome = runner.outcome();
            e.frame = e.frame.max(frame_heap(
                runner.kernel(),
                names,
                words,
                outcome,
                Some(&report),
            ));
            e.per_step += 1 + outcome.deliveries.len() as u64
                * (size_of::<(usize, String, u64)>() as u64 + names_thread_max(names) + ALLOC);
            if policy.after_step(runner.kernel(), runner.outcome()) {
                // The checkpoint, and as much again for the list's spare room.
                e.checkpoints += 1;
                e.trace +=
                    kernel_bytes(runner.kernel(), ovs) + 2 * size_of::<(usize, Kernel)>() as u64;
            }
            largest = largest.max(kernel_bytes(runner.kernel(), ovs));
            if report.unexpected_rejection(step) {
                // The error that stopped the run: its path and the message.
                if let Applied::Rejected { message, .. } = &report.applied {
                    e.trace += string(&scenario.source) + 2 * string(message);
                }
            }
            ControlFlow::Continue(())
        },
    );
    // The last state asked for, which the trace keeps.
    e.trace += largest;
    e.state = largest;
    // Both lists grow by doubling: up to twice their contents.
    e.per_step = 2 * e.per_step + 2 * ALLOC;
    e
}

/// Allocator slack per heap block (header and rounding), generous.
const ALLOC: u64 = 32;

/// Heap bytes of a list of `n` items of type `T` (nothing when empty).
fn list<T>(n: usize) -> u64 {
    if n == 0 {
        0
    } else {
        (n * size_of::<T>()) as u64 + ALLOC
    }
}

/// Heap bytes of a string.
fn string(s: &str) -> u64 {
    if s.is_empty() {
        0
    } else {
        s.len() as u64 + ALLOC
    }
}

fn opt_string(s: Option<&str>) -> u64 {
    s.map_or(0, string)
}

/// Bytes of a full state (a clone, whose lists are exactly as long as
/// their contents): the kernel, its threads, ports with their four
/// queues, devices with their pending requests, and OVERLAPPEDs (`ovs`
/// at most, each pending on one device at most).
fn kernel_bytes(k: &Kernel, ovs: u64) -> u64 {
    let ports: u64 = k
        .ports()
        .iter()
        .map(|p| {
            list::<Packet>(p.iocq().len())
                + 3 * ALLOC
                + ((p.wtq().len() + p.rtl().len() + p.ptl().len()) * size_of::<ThreadId>()) as u64
        })
        .sum();
    size_of::<Kernel>() as u64
        + list::<Port>(k.ports().len())
        + ports
        + list::<crate::model::Thread>(k.threads().len())
        + list::<Device>(k.devices().len())
        + k.devices().len() as u64 * ALLOC
        + ovs * (size_of::<OvUse>() + size_of::<crate::model::OvId>()) as u64
        + ALLOC
}

/// Heap bytes of one step's record in a trace (its size in the list is
/// counted once for every step of the scenario): the step's copy (note,
/// expectations), the report (rejection, failed expectations) and the
/// outcome (rules fired, deliveries, failures).
fn record_bytes(step: &Step, report: &StepReport, outcome: &Outcome) -> u64 {
    let note = step
        .note
        .as_ref()
        .map_or(0, |t| string(&t.en) + opt_string(t.ko.as_deref()));
    let expect = step.expect.as_ref().map_or(0, expect_bytes);
    // The report is kept as built, spare room included.
    let room = |s: &String| match s.capacity() {
        0 => 0,
        c => c as u64 + ALLOC,
    };
    let rejected = match &report.applied {
        Applied::Rejected { message, .. } => room(message),
        _ => 0,
    };
    let mismatches = list::<crate::scenario::Mismatch>(report.mismatches.capacity())
        + (report.mismatches.iter())
            .map(|m| room(&m.key) + room(&m.expected) + room(&m.actual))
            .sum::<u64>();
    let outcome = list::<Fired>(outcome.fired.len())
        + list::<Delivery>(outcome.deliveries.len())
        + list::<(ThreadId, WinError)>(outcome.failures.len());
    note + expect + rejected + mismatches + outcome
}

/// Heap bytes of a step's expectations.
fn expect_bytes(e: &Expect) -> u64 {
    fn packets(p: Option<&Vec<PacketExpect>>) -> u64 {
        p.map_or(0, |v| {
            list::<PacketExpect>(v.len())
                + (v.iter())
                    .map(|p| {
                        opt_string(p.overlapped.as_ref().and_then(|o| o.as_deref()))
                            + opt_string(p.status.as_deref())
                    })
                    .sum::<u64>()
        })
    }
    let ids = |v: &Option<Vec<ThreadId>>| v.as_ref().map_or(0, |v| list::<ThreadId>(v.len()));
    let ports: u64 = (e.ports.iter())
        .map(|(_, p)| packets(p.iocq.as_ref()) + ids(&p.wtq) + ids(&p.rtl) + ids(&p.ptl))
        .sum();
    list::<(crate::model::PortId, crate::scenario::PortExpect)>(e.ports.len())
        + ports
        + list::<(
            crate::model::DeviceId,
            Option<crate::scenario::DeviceExpect>,
        )>(e.devices.len())
        + list::<(ThreadId, crate::scenario::StateWord)>(e.threads.len())
        + packets(e.delivered.as_ref())
        + opt_string(e.result.as_deref())
        + (e.results.as_ref()).map_or(0, |r| {
            list::<(ThreadId, String)>(r.len()) + r.iter().map(|(_, s)| string(s)).sum::<u64>()
        })
        + opt_string(e.error.as_deref())
}

/// A run too large to show; its message names the estimate, the limit and
/// what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge {
    /// What would be built, e.g. `"the HTML page"`.
    pub what: String,
    /// Its estimated size in bytes.
    pub bytes: u64,
    /// The limit in bytes.
    pub limit: u64,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} would take more than {} MiB (limit {} MiB, estimated before building it): show fewer steps or threads, or use `run --json`, which streams any length",
            self.what,
            self.bytes >> 20,
            self.limit >> 20
        )
    }
}

impl std::error::Error for TooLarge {}

/// Refuses a run too large to show; `what` is e.g. `"the HTML page"`.
pub fn check(bytes: u64, limit: u64, what: &str) -> Result<(), TooLarge> {
    if bytes <= limit {
        return Ok(());
    }
    Err(TooLarge {
        what: what.to_owned(),
        bytes,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::svg;

    fn lessons() -> Vec<Scenario> {
        let mut out = Vec::new();
        for p in crate::course::lesson_files("sim-scenarios".as_ref()).expect("lessons") {
            out.push(crate::scenario::load(&p).expect("lesson loads"));
        }
        out
    }

    #[test]
    fn too_large_names_the_estimate_the_limit_and_what_to_do() {
        assert_eq!(check(5 << 20, 5 << 20, "the page"), Ok(()));
        let e = check((9 << 20) + 1, 5 << 20, "the page").unwrap_err();
        assert_eq!((e.bytes, e.limit), ((9 << 20) + 1, 5 << 20));
        assert_eq!(
            e.to_string(),
            "the page would take more than 9 MiB (limit 5 MiB, estimated before building it): show fewer steps or threads, or use `run --json`, which streams any length"
        );
    }

    #[test]
    fn the_estimate_is_above_what_is_built() {
        for s in lessons() {
            let f = s.world.flavor;
            let e = estimate(&s, f, u64::MAX);
            // What the page's engine answers: every frame, as JSON.
            for lang in crate::narrate::Lang::ALL {
                let show = crate::views::Show::new(&s, f, lang);
                let frames = serde_json::to_string(&show.frames).unwrap().len() as u64;
                assert!(
                    frames <= e.html,
                    "{}: frames {frames} > {}",
                    s.source,
                    e.html
                );
            }
            let drawing = svg::timeline(&s, f, crate::narrate::Lang::En).len() as u64;
            assert!(drawing <= e.svg, "{}: svg {drawing} > {e:?}", s.source);
        }
    }
}
