//! The memory a recorded run (`runner::Trace`) holds, measured with a
//! counting allocator: it is below `views::size`'s estimate for every
//! lesson and generated run, and it grows with what changes per step, not
//! with steps × threads. So do the peaks of writing the HTML page and the
//! SVG drawing, and of the terminal player (trace and a few frames).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use iocp_sim::model::{Flavor, Kernel};
use iocp_sim::narrate::Lang;
use iocp_sim::runner::{Runner, Trace};
use iocp_sim::scenario::generate::{wide, workload};
use iocp_sim::scenario::{load, load_str, Scenario};
use iocp_sim::views::player::Player;
use iocp_sim::views::size::estimate;
use iocp_sim::views::svg;

/// Counts the bytes allocated and not yet freed by the current thread.
struct Counting;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

fn count(delta: i64) {
    let _ = LIVE.try_with(|c| {
        let now = c.get() + delta;
        c.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

/// The most bytes live at once while `f` runs, above those live before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let before = live();
    PEAK.with(|p| p.set(before));
    let out = f();
    ((PEAK.with(Cell::get) - before) as u64, out)
}

fn live() -> i64 {
    LIVE.with(Cell::get)
}

// SAFETY: every call is passed on to the system allocator unchanged; the
// counting only reads the layouts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            count(l.size() as i64);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            count(l.size() as i64);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        count(-(l.size() as i64));
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            count(new as i64 - l.size() as i64);
        }
        q
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Bytes of every state of a straight run kept whole (what the trace kept
/// before checkpoints, besides the steps' records).
fn every_state(s: &Scenario, flavor: Flavor) -> u64 {
    let before = live();
    let mut runner = Runner::new(&s.world, flavor);
    let mut states: Vec<Kernel> = vec![runner.kernel().clone()];
    for step in &s.steps {
        let report = runner.step(step, &s.names);
        states.push(runner.kernel().clone());
        if report.unexpected_rejection(step) {
            break;
        }
    }
    drop(runner);
    let bytes = (live() - before) as u64;
    drop(states);
    bytes
}

/// Bytes a trace of `s` in `flavor` holds once recorded and after a few
/// states were asked for, and the estimate; checks one is below the other.
fn measured(s: &Scenario, flavor: Flavor) -> (u64, u64) {
    let e = estimate(s, flavor, u64::MAX);
    let before = live();
    let t = Trace::record(s, flavor);
    let n = t.steps.len();
    for i in [n / 2, n / 3, n, 0, n / 2 + 1] {
        drop(t.state(i));
    }
    let held = (live() - before) as u64 + std::mem::size_of::<Trace>() as u64;
    assert_eq!(
        e.checkpoints,
        t.checkpoints() as u64,
        "{} {flavor:?}",
        s.source
    );
    assert!(
        held <= e.trace,
        "{} {flavor:?}: the trace holds {held} bytes, estimated {}",
        s.source,
        e.trace
    );
    drop(t);
    (held, e.trace)
}

#[test]
fn the_estimate_is_above_the_measured_trace_of_every_lesson() {
    let mut n = 0;
    for p in iocp_sim::course::lesson_files("sim-scenarios".as_ref()).expect("lessons") {
        let s = load(&p).expect("lesson loads");
        for f in Flavor::ALL {
            measured(&s, f);
        }
        n += 1;
    }
    assert!(n >= 10, "{n} lessons");
}

#[test]
fn the_estimate_is_above_the_measured_trace_of_generated_runs() {
    for (t, n) in [(1, 3), (2, 1000), (20, 500), (200, 200), (600, 600)] {
        let s = load_str("w.json", &wide(t, n)).expect("generated");
        let (held, est) = measured(&s, s.world.flavor);
        let every = every_state(&s, s.world.flavor);
        eprintln!("wide {t} {n}: {held} bytes held, {est} estimated, {every} in every state");
    }
    for n in [3, 100, 5000] {
        let s = load_str("l.json", &workload(n)).expect("generated");
        for f in Flavor::ALL {
            let (held, est) = measured(&s, f);
            let every = every_state(&s, f);
            eprintln!(
                "workload {n} {f:?}: {held} bytes held, {est} estimated, {every} in every state"
            );
        }
    }
}

#[test]
fn the_issues_run_holds_a_few_states_not_one_per_step() {
    // 2,000 threads and 2,000 steps (the issue's 110 KB file).
    let s = load_str("w.json", &wide(2000, 2000)).expect("generated");
    let (held, _) = measured(&s, s.world.flavor);
    let every = every_state(&s, s.world.flavor);
    let states = Trace::record(&s, s.world.flavor).checkpoints();
    eprintln!("wide 2000 2000: {held} bytes held ({states} states), {every} in every state");
    assert!(states <= 10, "{states} states kept");
    assert!(held < every / 32, "{held} bytes, {every} for every state");
}

/// Peak heap of the page's engine showing every frame of `s` (given as
/// its `text`), of writing the drawing (to a sink, so the output is not
/// counted) and of a player moving over its run; each below its estimate.
/// Returns (page, drawing, player) peaks.
fn view_peaks(s: &Scenario, text: &str) -> (u64, u64, u64) {
    let f = s.world.flavor;
    let e = estimate(s, f, u64::MAX);
    // The page's engine showing every frame, as the browser asks for them.
    let (page, ()) = peak_of(|| {
        let mut e = iocp_sim::views::web::Engine::new();
        let load = serde_json::json!({ "op": "load", "files": { "p.json": text }, "course": null });
        assert!(e.handle(&load.to_string()).starts_with(r#"{"ok""#));
        let run = e.handle(r#"{"op":"run","file":"p.json","flavor":null,"lang":"en"}"#);
        assert!(run.starts_with(r#"{"ok""#), "{run}");
        for i in 0..=s.steps.len() {
            let q = format!(
                r#"{{"op":"frame","file":"p.json","flavor":null,"lang":"en","index":{i}}}"#
            );
            let f = e.handle(&q);
            assert!(
                f.starts_with(r#"{"ok""#) || f.contains("past the last"),
                "{f}"
            );
        }
    });
    // Its estimate, and the file's text (its own copy, the request's).
    let page_est = e.engine_memory() + 4 * text.len() as u64;
    assert!(
        page <= page_est,
        "{}: the page's engine took {page} bytes, estimated {page_est}",
        s.source
    );
    let (drawing, r) = peak_of(|| svg::write_timeline(s, f, Lang::En, &mut std::io::sink()));
    r.expect("a sink takes every byte");
    assert!(
        drawing <= e.export_memory(),
        "{}: drawing took {drawing} bytes, estimated {}",
        s.source,
        e.export_memory()
    );
    // The scenario the player owns is the caller's, not counted.
    let owned = s.clone();
    let (player, ()) = peak_of(move || {
        let mut p = Player::new(owned, f, Lang::En);
        let last = p.show().last();
        for i in [
            0,
            last / 2,
            last,
            last / 3,
            1.min(last),
            last / 2 + 1,
            last / 2,
        ] {
            p.go(i);
            assert_eq!(p.frame(p.ui().index).index, p.ui().index);
        }
    });
    assert!(
        player <= e.play_memory(),
        "{}: the player took {player} bytes, estimated {}",
        s.source,
        e.play_memory()
    );
    (page, drawing, player)
}

#[test]
fn writing_the_views_and_playing_stay_below_their_memory_estimates() {
    for p in iocp_sim::course::lesson_files("sim-scenarios".as_ref()).expect("lessons") {
        let text = std::fs::read_to_string(&p).expect("lesson reads");
        view_peaks(&load(&p).expect("lesson loads"), &text);
    }
    for (t, n) in [(1, 3), (2, 1000), (20, 300), (150, 150)] {
        let text = wide(t, n);
        let s = load_str("w.json", &text).expect("generated");
        let (page, drawing, player) = view_peaks(&s, &text);
        eprintln!("wide {t} {n}: peaks {page} (page), {drawing} (drawing), {player} (player)");
    }
}

#[test]
fn the_views_hold_a_frame_not_the_output() {
    // 150 threads x 150 steps: every frame as JSON (what the page's engine
    // answers, one frame at a time) and the drawing are about 5 MB each.
    let text = wide(150, 150);
    let s = load_str("w.json", &text).expect("generated");
    let show = iocp_sim::views::Show::new(&s, s.world.flavor, Lang::En);
    let frames = serde_json::to_string(&show.frames).unwrap().len() as u64;
    drop(show);
    let drawing = svg::timeline(&s, s.world.flavor, Lang::En).len() as u64;
    let (page_peak, drawing_peak, player_peak) = view_peaks(&s, &text);
    eprintln!("frames {frames} B; page's engine peak {page_peak}; drawing {drawing} B, peak {drawing_peak}; player peak {player_peak}");
    assert!(
        page_peak * 5 < frames,
        "frames {frames} B, engine peak {page_peak}"
    );
    assert!(
        drawing_peak * 10 < drawing,
        "drawing {drawing} B, peak {drawing_peak}"
    );
    // The player keeps four frames, not every one.
    assert!(player_peak * 5 < frames, "player peak {player_peak}");
}
