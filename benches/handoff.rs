//! Post-to-get handoff throughput of the model (target, issue 22: at least
//! 50 million handoffs per second on one core). Two shapes:
//!
//! * `queued`: a thread in the RTL calls get and takes a packet that a post
//!   queued just before (post, then get).
//! * `direct`: a thread calls get and waits in the WTQ; the post hands the
//!   packet to it directly, never touching the IOCQ (get, then post).
//!
//! Each shape is measured in both flavours, and with both forms of a
//! step's record: `queued/windows` fills an [`Outcome`] (every rule that
//! fired, the marks, what the step touched: what the runner, the views and
//! the explorer read), `queued/windows/brief` a [`Brief`] (the result, the
//! deliveries and the failures: what the live port reads). One element =
//! one handoff = two [`Kernel::apply`] calls, each filling the reused
//! record. Each handoff reads its two actions from an array through a
//! reference hidden from the optimiser by `black_box`, as a runner reads
//! them from a scenario's step list. (An earlier version passed each
//! 40-byte action itself through `black_box`: a copy through the stack
//! that no runner makes, with which a `Brief` handoff ran 1.3x (queued)
//! and 1.57x (direct) as long on the 2-vCPU machine, for the same
//! instructions: docs/benchmarks.md, fifth pass.)
//!
//! Run: `cargo bench --bench handoff`. Two groups: `handoff` measures
//! elapsed time, as usual; `handoff/cpu` the CPU time of the thread running
//! the handoffs, which is what "on one core" means when the machine is
//! shared and the process does not get a whole core.
//!
//! For profiling, `HANDOFF_PROFILE=SHAPE/FLAVOR[/brief]:N` (e.g.
//! `direct/windows:1000000`) makes the binary run exactly N handoffs of
//! one shape in [`run_n`] and exit, so `valgrind --tool=callgrind
//! --toggle-collect='handoff::run_n*'` gives instructions per handoff (see
//! docs/benchmarks.md).

use std::hint::black_box;

use criterion::measurement::{Measurement, WallTime};
use criterion::{criterion_group, BenchmarkGroup, Criterion, Throughput};
use iocp_sim::model::{
    Action, Brief, Flavor, Kernel, KernelConfig, Outcome, PortId, Rejection, ThreadId, Timeout,
};

#[path = "common/cpu_time.rs"]
mod cpu_time;
use cpu_time::ThreadCpuTime;

/// Handoffs per measured iteration.
const BATCH: u64 = 1000;

const P: PortId = PortId(0);
const T: ThreadId = ThreadId(0);

const POST: Action = Action::Post {
    port: P,
    key: 7,
    bytes: 512,
    overlapped: None,
    by: None,
};
const GET: Action = Action::Get {
    thread: T,
    port: P,
    timeout: Timeout::Infinite,
};

/// A form of a step's record: how the bench applies a step into it and
/// reads it back.
trait Form: Default {
    /// `k.apply` or `k.apply_brief`.
    fn apply(k: &mut Kernel, action: Action, out: &mut Self) -> Result<(), Rejection>;
    /// Packets the last step handed out.
    fn delivered(&self) -> usize;
}

impl Form for Outcome {
    #[inline(always)]
    fn apply(k: &mut Kernel, action: Action, out: &mut Self) -> Result<(), Rejection> {
        k.apply(action, out)
    }
    fn delivered(&self) -> usize {
        self.deliveries.len()
    }
}

impl Form for Brief {
    #[inline(always)]
    fn apply(k: &mut Kernel, action: Action, out: &mut Self) -> Result<(), Rejection> {
        k.apply_brief(action, out)
    }
    fn delivered(&self) -> usize {
        self.deliveries.len()
    }
}

/// One port (concurrency 1), one thread already in the port's RTL.
fn setup<R: Form>(flavor: Flavor) -> (Kernel, R) {
    // Struct literals (not the newer constructors), so that this file also
    // builds against an older model for side-by-side runs.
    let mut k = Kernel::new(&KernelConfig {
        flavor,
        cpus: 4,
        ports: vec![1],
        threads: 1,
        devices: vec![],
    });
    let mut out = R::default();
    R::apply(&mut k, POST, &mut out).expect("post");
    R::apply(&mut k, GET, &mut out).expect("get");
    assert_eq!(out.delivered(), 1);
    (k, out)
}

fn handoff(c: &mut Criterion) {
    shapes(c.benchmark_group("handoff"));
}

fn handoff_cpu(c: &mut Criterion<ThreadCpuTime>) {
    shapes(c.benchmark_group("handoff/cpu"));
}

/// Both shapes in both flavours with both records, in group `group`.
fn shapes<M: Measurement>(mut group: BenchmarkGroup<'_, M>) {
    group.throughput(Throughput::Elements(BATCH));
    for flavor in [Flavor::Windows, Flavor::Wine] {
        both::<M, Outcome>(&mut group, flavor, "");
        both::<M, Brief>(&mut group, flavor, "/brief");
    }
    group.finish();
}

/// Both shapes in `flavor`, recording `R`, named with `suffix`.
fn both<M: Measurement, R: Form>(group: &mut BenchmarkGroup<'_, M>, flavor: Flavor, suffix: &str) {
    // (a) post queues the packet; the RTL thread's get takes it.
    let k = shape::<M, R>(
        group,
        format!("queued/{}{suffix}", flavor.as_str()),
        flavor,
        [POST, GET],
    );
    assert_eq!(k.port(P).iocq().len(), 0, "each get took the queued packet");
    // (b) get waits in the WTQ; the post hands the packet off directly.
    let k = shape::<M, R>(
        group,
        format!("direct/{}{suffix}", flavor.as_str()),
        flavor,
        [GET, POST],
    );
    assert_eq!(k.port(P).iocq().len(), 0, "each post was handed off");
    assert!(k.port(P).wtq().is_empty());
}

/// One shape: `steps` applied in turn, `BATCH` times per iteration.
/// Returns the kernel after, each handoff checked to deliver one packet.
fn shape<M: Measurement, R: Form>(
    group: &mut BenchmarkGroup<'_, M>,
    name: String,
    flavor: Flavor,
    steps: [Action; 2],
) -> Kernel {
    let (mut k, mut out) = setup::<R>(flavor);
    group.bench_function(name, |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                let steps = black_box(&steps);
                let _ = R::apply(&mut k, steps[0], &mut out);
                let _ = R::apply(&mut k, steps[1], &mut out);
            }
            black_box(&out);
        })
    });
    assert_eq!(out.delivered(), 1, "each handoff delivers one packet");
    k
}

/// Runs exactly `n` handoffs of one shape (`queued` or `direct`).
#[inline(never)]
fn run_n<R: Form>(k: &mut Kernel, out: &mut R, direct: bool, n: u64) {
    let steps = if direct { [GET, POST] } else { [POST, GET] };
    for _ in 0..n {
        let steps = black_box(&steps);
        let _ = R::apply(k, steps[0], out);
        let _ = R::apply(k, steps[1], out);
    }
}

/// `HANDOFF_PROFILE=SHAPE/FLAVOR[/brief]:N`: run N handoffs and exit (for
/// profilers).
fn profile(spec: &str) {
    let (shape, n) = spec
        .split_once(':')
        .expect("HANDOFF_PROFILE=SHAPE/FLAVOR[/brief]:N");
    let (shape, flavor) = shape.split_once('/').expect("SHAPE/FLAVOR");
    let (flavor, brief) = match flavor.strip_suffix("/brief") {
        Some(f) => (f, true),
        None => (flavor, false),
    };
    let flavor = Flavor::parse(flavor).expect("flavor: windows or wine");
    let n: u64 = n.parse().expect("N: a count");
    if brief {
        profile_n::<Brief>(flavor, shape == "direct", n);
    } else {
        profile_n::<Outcome>(flavor, shape == "direct", n);
    }
}

/// [`run_n`] on a fresh setup, checked.
fn profile_n<R: Form>(flavor: Flavor, direct: bool, n: u64) {
    let (mut k, mut out) = setup::<R>(flavor);
    run_n(&mut k, &mut out, direct, n);
    assert_eq!(out.delivered(), 1);
    assert_eq!(k.counters().delivered, n + 1);
}

criterion_group!(benches, handoff);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpuTime(WallTime));
    targets = handoff_cpu
}

fn main() {
    match std::env::var("HANDOFF_PROFILE") {
        Ok(spec) => profile(&spec),
        Err(_) => {
            benches();
            cpu();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
