//! The memory a recorded run (`runner::Trace`) holds, measured with a
//! counting allocator: it is below `views::size`'s estimate for every
//! lesson and generated run, and it grows with what changes per step, not
//! with steps × threads.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use iocp_sim::model::{Flavor, Thread};
use iocp_sim::runner::Trace;
use iocp_sim::scenario::generate::{wide, workload};
use iocp_sim::scenario::{load, load_str, Scenario};
use iocp_sim::views::size::estimate;

/// Counts the bytes allocated and not yet freed by the current thread.
struct Counting;

thread_local! {
    static LIVE: Cell<i64> = const { Cell::new(0) };
}

fn count(delta: i64) {
    let _ = LIVE.try_with(|c| c.set(c.get() + delta));
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
    for entry in std::fs::read_dir("sim-scenarios").expect("lessons") {
        let p = entry.expect("entry").path();
        if p.extension().is_some_and(|x| x == "json") {
            let s = load(&p).expect("lesson loads");
            for f in Flavor::ALL {
                measured(&s, f);
            }
            n += 1;
        }
    }
    assert!(n >= 10, "{n} lessons");
}

#[test]
fn the_estimate_is_above_the_measured_trace_of_generated_runs() {
    for (t, n) in [(1, 3), (2, 1000), (20, 500), (200, 200), (600, 600)] {
        let s = load_str("w.json", &wide(t, n)).expect("generated");
        let (held, est) = measured(&s, s.world.flavor);
        eprintln!("wide {t} {n}: {held} bytes held, {est} estimated");
    }
    for n in [3, 100, 5000] {
        let s = load_str("l.json", &workload(n)).expect("generated");
        for f in Flavor::ALL {
            let (held, est) = measured(&s, f);
            eprintln!("workload {n} {f:?}: {held} bytes held, {est} estimated");
        }
    }
}

#[test]
fn the_issues_run_holds_a_few_states_not_one_per_step() {
    // 2,000 threads and 2,000 steps (the issue's 110 KB file): one state per
    // step would be 2,001 × 2,000 threads.
    let s = load_str("w.json", &wide(2000, 2000)).expect("generated");
    let (held, _) = measured(&s, s.world.flavor);
    let one_state = (2000 * std::mem::size_of::<Thread>()) as u64;
    eprintln!(
        "wide 2000 2000: {held} bytes held; a state per step: over {}",
        2001 * one_state
    );
    assert!(
        held < 2001 * one_state / 32,
        "{held} bytes: more than 1/32 of a state per step ({one_state} bytes each)"
    );
}
