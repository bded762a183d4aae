//! The live port against the usual ways to hand work to a pool of threads:
//! a crossbeam-channel worker pool and `std::sync::mpsc` (its receiver
//! shared behind a mutex), on the same workloads.
//!
//! * `handoff`: post-to-get latency, as a ping-pong between two threads
//!   (one element = one round trip = two handoffs).
//! * `throughput`: one producer, four workers, 20,000 packets per iteration.
//! * Context switches per million packets of the throughput workload (the
//!   process's voluntary + involuntary switches, from `getrusage` on Linux),
//!   printed before the criterion groups.
//!
//! Run: `cargo bench --bench live`.

use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iocp_sim::live::CompletionPort;

const WORKERS: usize = 4;
const PACKETS: u64 = 20_000;
const STOP: u64 = u64::MAX;

/// A pool: post a packet, and the way to end it.
trait Pool {
    fn name(&self) -> &'static str;
    /// Runs `packets` through `WORKERS` workers; returns the sum they saw.
    fn pump(&self, packets: u64) -> u64;
    /// `rounds` round trips between this thread and one worker.
    fn ping_pong(&self, rounds: u64);
}

struct Live;
struct Crossbeam;
struct Mpsc;

fn sum_workers<F: Fn() -> u64 + Send + Clone + 'static>(f: F) -> Vec<thread::JoinHandle<u64>> {
    (0..WORKERS)
        .map(|_| {
            let f = f.clone();
            thread::spawn(f)
        })
        .collect()
}

impl Pool for Live {
    fn name(&self) -> &'static str {
        "live-port"
    }
    fn pump(&self, packets: u64) -> u64 {
        let port = CompletionPort::<u64>::new(WORKERS as u32);
        let p = port.clone();
        let hs = sum_workers(move || {
            let mut s = 0u64;
            while let Ok(v) = p.get(None) {
                if v == STOP {
                    break;
                }
                s = s.wrapping_add(v);
            }
            s
        });
        for v in 0..packets {
            port.post(v).unwrap();
        }
        for _ in 0..WORKERS {
            port.post(STOP).unwrap();
        }
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    }
    fn ping_pong(&self, rounds: u64) {
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
    }
}

impl Pool for Crossbeam {
    fn name(&self) -> &'static str {
        "crossbeam-channel"
    }
    fn pump(&self, packets: u64) -> u64 {
        let (tx, rx) = crossbeam_channel::unbounded::<u64>();
        let hs = sum_workers(move || {
            let mut s = 0u64;
            while let Ok(v) = rx.recv() {
                if v == STOP {
                    break;
                }
                s = s.wrapping_add(v);
            }
            s
        });
        for v in 0..packets {
            tx.send(v).unwrap();
        }
        for _ in 0..WORKERS {
            tx.send(STOP).unwrap();
        }
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    }
    fn ping_pong(&self, rounds: u64) {
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
}

impl Pool for Mpsc {
    fn name(&self) -> &'static str {
        "std-mpsc"
    }
    fn pump(&self, packets: u64) -> u64 {
        let (tx, rx) = mpsc::channel::<u64>();
        let rx = Arc::new(Mutex::new(rx));
        let hs = sum_workers(move || {
            let mut s = 0u64;
            loop {
                let v = rx.lock().unwrap().recv();
                match v {
                    Ok(STOP) | Err(_) => break,
                    Ok(v) => s = s.wrapping_add(v),
                }
            }
            s
        });
        for v in 0..packets {
            tx.send(v).unwrap();
        }
        for _ in 0..WORKERS {
            tx.send(STOP).unwrap();
        }
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    }
    fn ping_pong(&self, rounds: u64) {
        let (to, rx) = mpsc::channel::<u64>();
        let (back, brx) = mpsc::channel::<u64>();
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
}

fn pools() -> [&'static dyn Pool; 3] {
    [&Live, &Crossbeam, &Mpsc]
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

fn switches_per_million() {
    const N: u64 = 200_000;
    for pool in pools() {
        let Some(a) = process_switches() else {
            println!("context switches: not reported on this OS");
            return;
        };
        let sum = pool.pump(N);
        assert_eq!(sum, N * (N - 1) / 2);
        let b = process_switches().unwrap_or(a);
        println!(
            "context switches per million packets ({WORKERS} workers, {N} packets): {:>9.0}  {}",
            (b - a) as f64 * 1e6 / N as f64,
            pool.name()
        );
    }
}

fn bench(c: &mut Criterion) {
    switches_per_million();
    let mut g = c.benchmark_group("handoff");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(1000));
    for pool in pools() {
        g.bench_function(pool.name(), |b| b.iter(|| pool.ping_pong(1000)));
    }
    g.finish();
    let mut g = c.benchmark_group("throughput");
    g.sample_size(10).measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(PACKETS));
    for pool in pools() {
        g.bench_function(pool.name(), |b| b.iter(|| pool.pump(PACKETS)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
