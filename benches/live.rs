//! The live port against a crossbeam-channel worker pool doing the same work,
//! side by side in one run, and what bounds a port whose every decision is
//! one model step under one lock.
//!
//! * `pool`: `--packets` `u64` packets (1,000,000) posted by P producer
//!   threads and taken by W worker threads (the shapes P/W = 1/4, 2/2 and
//!   4/4, concurrency = W), each way measured `--reps` times (5),
//!   interleaved, median reported: packets per second, the ratio to the
//!   crossbeam pool of the same shape, and the process's context switches
//!   (voluntary + involuntary, `getrusage`, Linux) per million packets.
//!   Ways: crossbeam `send`/`recv`; the live port's `post`/`get`;
//!   `post`/`get_many_into(64)`; `post_many(64)`/`get_many_into(64)`.
//! * `ping-pong`: round trips between two threads through two ports (two
//!   channels), one packet in flight: the cost of a handoff to a thread
//!   that waits.
//! * `limits`: the two costs every live packet pays, measured alone: the
//!   model's post and get on one thread with no lock (a packet's two model
//!   steps, recorded as a `Brief`, as the port records them), and the port's mutex (`live::lock`) taken twice per packet by
//!   the same P + W threads (the port's lock with nothing inside).
//!
//! Run: `cargo bench --bench live`. Options after `--`: `--reps N`,
//! `--packets N`; `--shape P/W` runs one shape; `--way
//! crossbeam|get|get-many|batch` runs one way, without the ping-pong and
//! the limits (for a profiler); `--stats` prints each live run's
//! `port.stats()` to stderr (handoffs to waiting threads, unparks).
//! `--alone get|get-many N` runs only the port on one thread, nobody
//! contending, N rounds of 64 packets (with `get`, or 64 posts and one
//! `get_many_into(64)`), for counting a packet's instructions:
//! `valgrind --tool=callgrind --toggle-collect='live::alone*' <this
//! binary> --alone get-many 2000`, divided by the 128,000 packets.
//! docs/live.md shows and explains its table.

use std::hint::black_box;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use iocp_sim::live::CompletionPort;
use iocp_sim::model::{Action, Brief, Flavor, Kernel, KernelConfig, PortId, ThreadId, Timeout};

const STOP: u64 = u64::MAX;
/// The batch of `get_many_into` and `post_many`.
const BATCH: usize = 64;
/// Producer/worker shapes.
const SHAPES: [(usize, usize); 3] = [(1, 4), (2, 2), (4, 4)];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Way {
    Crossbeam,
    LiveGet,
    LiveGetMany,
    LiveBatch,
}

impl Way {
    const ALL: [Way; 4] = [
        Way::Crossbeam,
        Way::LiveGet,
        Way::LiveGetMany,
        Way::LiveBatch,
    ];

    /// Its name for `--way`.
    fn key(self) -> &'static str {
        match self {
            Way::Crossbeam => "crossbeam",
            Way::LiveGet => "get",
            Way::LiveGetMany => "get-many",
            Way::LiveBatch => "batch",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Way::Crossbeam => "crossbeam send / recv",
            Way::LiveGet => "live post / get",
            Way::LiveGetMany => "live post / get_many_into(64)",
            Way::LiveBatch => "live post_many(64) / get_many_into(64)",
        }
    }
}

/// The process's context switches so far (Linux), voluntary + involuntary.
fn process_switches() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getrusage writes a plain struct we own.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } == 0 {
            return Some((ru.ru_nvcsw + ru.ru_nivcsw) as u64);
        }
    }
    None
}

/// The packets producer `i` of `n` posts.
fn share(i: usize, n: usize, packets: u64) -> std::ops::Range<u64> {
    let per = packets / n as u64;
    let start = i as u64 * per;
    start..if i + 1 == n { packets } else { start + per }
}

/// One pool run; returns the wall time and checks that every packet arrived
/// once (with `stats`, prints the live port's totals).
fn pump(way: Way, producers: usize, workers: usize, packets: u64, stats: bool) -> Duration {
    let start = Instant::now();
    let sum = match way {
        Way::Crossbeam => {
            let (tx, rx) = crossbeam_channel::unbounded::<u64>();
            let ws: Vec<_> = (0..workers)
                .map(|_| {
                    let rx = rx.clone();
                    thread::spawn(move || {
                        let mut s = 0u64;
                        while let Ok(v) = rx.recv() {
                            if v == STOP {
                                break;
                            }
                            s = s.wrapping_add(v);
                        }
                        s
                    })
                })
                .collect();
            let ps: Vec<_> = (0..producers)
                .map(|i| {
                    let tx = tx.clone();
                    thread::spawn(move || {
                        for v in share(i, producers, packets) {
                            tx.send(v).unwrap();
                        }
                    })
                })
                .collect();
            ps.into_iter().for_each(|h| h.join().unwrap());
            for _ in 0..workers {
                tx.send(STOP).unwrap();
            }
            ws.into_iter().map(|h| h.join().unwrap()).sum::<u64>()
        }
        Way::LiveGet | Way::LiveGetMany | Way::LiveBatch => {
            let port = CompletionPort::<u64>::new(workers as u32);
            let ws: Vec<_> = (0..workers)
                .map(|_| {
                    let port = port.clone();
                    thread::spawn(move || live_worker(&port, way))
                })
                .collect();
            let ps: Vec<_> = (0..producers)
                .map(|i| {
                    let port = port.clone();
                    thread::spawn(move || {
                        let range = share(i, producers, packets);
                        if way == Way::LiveBatch {
                            let mut buf = Vec::with_capacity(BATCH);
                            let mut v = range.start;
                            while v < range.end {
                                let end = (v + BATCH as u64).min(range.end);
                                buf.extend(v..end);
                                port.post_many(buf.drain(..)).unwrap();
                                v = end;
                            }
                        } else {
                            for v in range {
                                port.post(v).unwrap();
                            }
                        }
                    })
                })
                .collect();
            ps.into_iter().for_each(|h| h.join().unwrap());
            for _ in 0..workers {
                port.post(STOP).unwrap();
            }
            let r = ws.into_iter().map(|h| h.join().unwrap()).sum::<u64>();
            if stats {
                eprintln!("{producers}/{workers} {}: {:?}", way.name(), port.stats());
            }
            r
        }
    };
    let took = start.elapsed();
    assert_eq!(sum, packets * (packets - 1) / 2, "{}", way.name());
    took
}

/// A live worker: sums packets until it takes a stop (a batch holding more
/// stops than one gives the others back).
fn live_worker(port: &CompletionPort<u64>, way: Way) -> u64 {
    let mut s = 0u64;
    if way == Way::LiveGet {
        while let Ok(v) = port.get(None) {
            if v == STOP {
                break;
            }
            s = s.wrapping_add(v);
        }
        return s;
    }
    let mut buf = Vec::with_capacity(BATCH);
    while port.get_many_into(&mut buf, BATCH as u32, None).is_ok() {
        let stops = buf.iter().filter(|&&v| v == STOP).count();
        s = buf
            .drain(..)
            .filter(|&v| v != STOP)
            .fold(s, u64::wrapping_add);
        if stops > 0 {
            for _ in 1..stops {
                port.post(STOP).unwrap();
            }
            break;
        }
    }
    s
}

/// `rounds` round trips through two live ports or two channels.
fn ping_pong(live: bool, rounds: u64) -> Duration {
    let start = Instant::now();
    if live {
        let (to, back) = (CompletionPort::<u64>::new(1), CompletionPort::<u64>::new(1));
        let (t, b) = (to.clone(), back.clone());
        let h = thread::spawn(move || {
            while let Ok(v) = t.get(None) {
                b.post(v).unwrap();
                if v == STOP {
                    break;
                }
            }
        });
        for i in 0..rounds {
            to.post(i).unwrap();
            back.get(None).unwrap();
        }
        to.post(STOP).unwrap();
        back.get(None).unwrap();
        h.join().unwrap();
    } else {
        let (to, rx) = crossbeam_channel::unbounded::<u64>();
        let (back, brx) = crossbeam_channel::unbounded::<u64>();
        let h = thread::spawn(move || {
            while let Ok(v) = rx.recv() {
                back.send(v).unwrap();
                if v == STOP {
                    break;
                }
            }
        });
        for i in 0..rounds {
            to.send(i).unwrap();
            brx.recv().unwrap();
        }
        to.send(STOP).unwrap();
        brx.recv().unwrap();
        h.join().unwrap();
    }
    start.elapsed()
}

/// The model alone: `packets` posts and gets on one thread, no lock, each
/// step recorded as a [`Brief`], as an unwatched live port records it.
fn model_alone(packets: u64) -> Duration {
    let p = PortId(0);
    let t = ThreadId(0);
    let mut k = Kernel::new(&KernelConfig {
        flavor: Flavor::Windows,
        cpus: 2,
        ports: vec![1],
        threads: 1,
        devices: vec![],
    });
    let mut out = Brief::default();
    let start = Instant::now();
    for key in 0..packets {
        // The ids come through `black_box` (the optimiser knows nothing of
        // them), the actions are built in registers, as the port builds
        // them (a whole action through `black_box` is a copy through the
        // stack that the port does not make: docs/benchmarks.md, fifth pass).
        let (p, t) = black_box((p, t));
        let post = Action::Post {
            port: p,
            key,
            bytes: 0,
            overlapped: None,
            by: None,
        };
        k.apply_brief(post, &mut out).unwrap();
        let get = Action::Get {
            thread: t,
            port: p,
            timeout: Timeout::Infinite,
        };
        k.apply_brief(get, &mut out).unwrap();
        black_box(&out);
    }
    start.elapsed()
}

/// The port on one thread, nobody contending: `rounds` rounds of 64
/// packets, each posted and taken by a `get` (`Way::LiveGet`), or all 64
/// posted and taken by one `get_many_into(64)` (the other live ways).
/// For counting what a packet costs in instructions (`--alone`).
#[inline(never)]
fn alone(way: Way, rounds: u64) -> u64 {
    let port = CompletionPort::<u64>::new(1);
    let mut buf = Vec::with_capacity(BATCH);
    let mut sum = 0u64;
    for _ in 0..rounds {
        for v in 0..BATCH as u64 {
            port.post(black_box(v)).unwrap();
            if way == Way::LiveGet {
                sum += port.get(None).unwrap();
            }
        }
        if way != Way::LiveGet {
            port.get_many_into(&mut buf, BATCH as u32, None).unwrap();
            sum += buf.drain(..).sum::<u64>();
        }
    }
    sum
}

/// The lock alone: the same threads as a pool of this shape, each taking a
/// mutex of the port's kind as often as its posts or gets would (two per packet).
fn lock_alone(producers: usize, workers: usize, packets: u64) -> Duration {
    let m = Arc::new(iocp_sim::live::lock::Mutex::new(0u64));
    let start = Instant::now();
    let hs: Vec<_> = (0..producers)
        .map(|i| share(i, producers, packets))
        .chain((0..workers).map(|i| share(i, workers, packets)))
        .map(|range| {
            let m = Arc::clone(&m);
            thread::spawn(move || {
                for v in range {
                    *m.lock() += black_box(v);
                }
            })
        })
        .collect();
    hs.into_iter().for_each(|h| h.join().unwrap());
    let took = start.elapsed();
    assert_eq!(*m.lock(), packets * (packets - 1));
    took
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut reps = 5usize;
    let mut packets = 1_000_000u64;
    let mut only = None;
    let mut way_only = None;
    let mut stats = false;
    let mut one_thread = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().and_then(|v| v.parse().ok());
        match a.as_str() {
            "--reps" => reps = value().expect("--reps N"),
            "--packets" => packets = value().expect("--packets N") as u64,
            "--stats" => stats = true,
            "--way" => {
                let v = args.next().unwrap_or_default();
                way_only = Way::ALL.iter().position(|w| w.key() == v);
                assert!(
                    way_only.is_some(),
                    "--way: crossbeam, get, get-many or batch"
                );
            }
            "--shape" => {
                let v = args.next().unwrap_or_default();
                only = SHAPES.iter().position(|&(p, w)| format!("{p}/{w}") == v);
                assert!(only.is_some(), "--shape P/W, one of 1/4, 2/2, 4/4");
            }
            "--alone" => {
                let v = args.next().unwrap_or_default();
                let way = [Way::LiveGet, Way::LiveGetMany]
                    .into_iter()
                    .find(|w| w.key() == v);
                let rounds = args.next().and_then(|n| n.parse().ok());
                one_thread = way.zip(rounds);
                assert!(one_thread.is_some(), "--alone get|get-many ROUNDS");
            }
            _ => {} // `--bench` and cargo's other flags
        }
    }
    if let Some((way, rounds)) = one_thread {
        let start = Instant::now();
        let sum = alone(way, rounds);
        let took = start.elapsed();
        assert_eq!(sum, rounds * (BATCH as u64 * (BATCH as u64 - 1) / 2));
        println!(
            "{}, one thread: {} packets in {took:.2?}",
            way.name(),
            rounds * BATCH as u64
        );
        return;
    }
    let reps = reps.max(1);
    println!(
        "live port vs crossbeam-channel: {packets} packets, median of {reps} interleaved runs, \
         {} cores",
        thread::available_parallelism().map_or(0, |n| n.get())
    );
    // (shape, way) -> (packets/s, switches per million) per rep
    let mut rate = vec![vec![Vec::new(); Way::ALL.len()]; SHAPES.len()];
    let mut cs = vec![vec![Vec::new(); Way::ALL.len()]; SHAPES.len()];
    let mut limits: Vec<Vec<f64>> = vec![Vec::new(); SHAPES.len() + 1];
    let mut pings = [Vec::new(), Vec::new()];
    const ROUNDS: u64 = 20_000;
    for _ in 0..reps {
        for (s, &(p, w)) in SHAPES.iter().enumerate() {
            if only.is_some_and(|o| o != s) {
                continue;
            }
            for (i, &way) in Way::ALL.iter().enumerate() {
                if way_only.is_some_and(|o| o != i) {
                    continue;
                }
                let a = process_switches();
                let took = pump(way, p, w, packets, stats);
                let b = process_switches();
                rate[s][i].push(packets as f64 / took.as_secs_f64());
                if let (Some(a), Some(b)) = (a, b) {
                    cs[s][i].push((b - a) as f64 * 1e6 / packets as f64);
                }
            }
            if way_only.is_none() {
                limits[s + 1].push(packets as f64 / lock_alone(p, w, packets).as_secs_f64());
            }
        }
        if way_only.is_none() {
            limits[0].push(packets as f64 / model_alone(packets).as_secs_f64());
            for (i, live) in [false, true].into_iter().enumerate() {
                pings[i].push(ROUNDS as f64 / ping_pong(live, ROUNDS).as_secs_f64());
            }
        }
    }
    println!();
    println!(
        "{:<6} {:<40} {:>10} {:>13} {:>14}",
        "P/W", "way", "M pkt/s", "/ crossbeam", "cs per M pkt"
    );
    for (s, &(p, w)) in SHAPES.iter().enumerate() {
        if only.is_some_and(|o| o != s) {
            continue;
        }
        let base = if rate[s][0].is_empty() {
            f64::NAN
        } else {
            median(&mut rate[s][0].clone())
        };
        for (i, way) in Way::ALL.iter().enumerate() {
            if rate[s][i].is_empty() {
                continue;
            }
            let r = median(&mut rate[s][i]);
            let c = if cs[s][i].is_empty() {
                "n/a".to_owned()
            } else {
                format!("{:.0}", median(&mut cs[s][i]))
            };
            println!(
                "{:<6} {:<40} {:>10.2} {:>13.3} {:>14}",
                format!("{p}/{w}"),
                way.name(),
                r / 1e6,
                r / base,
                c
            );
        }
    }
    if way_only.is_some() {
        return;
    }
    println!();
    println!("ping-pong, round trips per second (one packet in flight):");
    println!("  crossbeam  {:>10.0}", median(&mut pings[0]));
    println!("  live port  {:>10.0}", median(&mut pings[1]));
    println!();
    println!("limits, packets per second if a packet cost only:");
    println!(
        "  its two model steps (post + get, one thread, no lock)  {:>8.2} M",
        median(&mut limits[0]) / 1e6
    );
    for (s, &(p, w)) in SHAPES.iter().enumerate() {
        if only.is_some_and(|o| o != s) {
            continue;
        }
        println!(
            "  its two lock acquisitions, {p}/{w} threads contending   {:>8.2} M",
            median(&mut limits[s + 1]) / 1e6
        );
    }
}
