//! Stress test of the live port: many threads, many packets, random
//! blocking and timeouts, for a bounded time. Checks that no packet is lost
//! or duplicated, that no thread is stranded (every worker takes its stop
//! packet and exits), and that `current == |RTL|` whenever a monitor looks.
//!
//! The default budget is small, for `cargo test`; the ignored test runs
//! millions of packets: `cargo test --release --test live_stress -- --ignored`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use iocp_sim::live::{blocking, CompletionPort, Policy};
use iocp_sim::model::{PortId, ThreadStatus};

const P: PortId = PortId(0);
const STOP: u64 = u64::MAX;

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) % n
    }
}

fn stress(
    workers: usize,
    producers: usize,
    packets: u64,
    concurrency: u32,
    policy: Policy,
    budget: Duration,
) {
    let start = Instant::now();
    let port = CompletionPort::<u64>::with_policy(concurrency, policy);
    let received = Arc::new(AtomicU64::new(0));
    let (done_tx, done_rx) = mpsc::channel::<(usize, Vec<u64>, u32)>();

    // The monitor: current == |RTL| whenever it looks.
    let stop_monitor = Arc::new(AtomicBool::new(false));
    let monitor = {
        let port = port.clone();
        let stop = Arc::clone(&stop_monitor);
        thread::spawn(move || {
            let mut looks = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let (current, rtl) = port.inspect(|k| (k.port(P).current(), k.port(P).rtl().len()));
                assert_eq!(current as usize, rtl, "current != |RTL|");
                looks += 1;
                thread::yield_now();
            }
            looks
        })
    };

    let mut handles = Vec::new();
    for w in 0..workers {
        let port = port.clone();
        let received = Arc::clone(&received);
        let done = done_tx.clone();
        handles.push(thread::spawn(move || {
            let mut rng = Rng(0x1234_5678 + w as u64 * 7919);
            let mut got = Vec::new();
            let mut timeouts = 0u32;
            loop {
                let r = match rng.below(16) {
                    0 => port.get(Some(Duration::ZERO)).map(|v| vec![v]),
                    1 => port.get(Some(Duration::from_micros(200))).map(|v| vec![v]),
                    2 => port.get_many(4, None),
                    _ => port.get(None).map(|v| vec![v]),
                };
                let Ok(vs) = r else {
                    timeouts += 1;
                    continue;
                };
                let stop = vs.contains(&STOP);
                for v in vs {
                    if v == STOP {
                        continue;
                    }
                    got.push(v);
                    received.fetch_add(1, Ordering::Relaxed);
                }
                if stop {
                    break;
                }
                match rng.below(8) {
                    0 => blocking(|| thread::sleep(Duration::from_micros(rng.below(50)))),
                    1 => blocking(thread::yield_now),
                    _ => {}
                }
            }
            done.send((w, got, timeouts)).unwrap();
        }));
    }
    drop(done_tx);

    let per = packets / producers as u64;
    let total = per * producers as u64;
    let mut prods = Vec::new();
    for p in 0..producers {
        let port = port.clone();
        prods.push(thread::spawn(move || {
            for i in 0..per {
                port.post(p as u64 * per + i).unwrap();
                if i % 16 == 0 {
                    // Let the queue drain now and then, so threads wait and
                    // are woken by posts, not only take queued packets.
                    while port.inspect(|k| !k.port(P).iocq().is_empty()) {
                        thread::yield_now();
                    }
                }
            }
        }));
    }
    for p in prods {
        p.join().unwrap();
    }
    while received.load(Ordering::Relaxed) < total {
        if start.elapsed() > budget {
            let state = port.inspect(|k| format!("{:?}", k.port(P)));
            panic!(
                "stranded: {} of {total} packets received after {budget:?}; port {state}",
                received.load(Ordering::Relaxed)
            );
        }
        thread::sleep(Duration::from_millis(1));
    }
    // Every packet is in: one stop per worker, posted one at a time after the
    // previous worker has stopped, so each worker takes exactly one.
    let mut seen = vec![0u32; total as usize];
    let mut timeouts = 0u64;
    for finished in 0..workers {
        port.post(STOP).unwrap();
        let Ok((w, got, t)) = done_rx.recv_timeout(budget.saturating_sub(start.elapsed())) else {
            let state = port.inspect(|k| format!("{:?}", k.port(P)));
            panic!("stranded: {finished} of {workers} workers stopped; port {state}");
        };
        timeouts += t as u64;
        for v in got {
            seen[v as usize] += 1;
        }
        assert!(w < workers);
    }
    for h in handles {
        h.join().unwrap();
    }
    stop_monitor.store(true, Ordering::Relaxed);
    let looks = monitor.join().unwrap();
    let lost: Vec<usize> = (0..seen.len()).filter(|&i| seen[i] == 0).collect();
    let dup: Vec<usize> = (0..seen.len()).filter(|&i| seen[i] > 1).collect();
    assert!(
        lost.is_empty(),
        "{} packets lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    assert!(
        dup.is_empty(),
        "{} packets duplicated, e.g. {:?}",
        dup.len(),
        &dup[..dup.len().min(5)]
    );
    port.inspect(|k| {
        let port = k.port(P);
        assert_eq!(port.current(), 0);
        assert!(port.iocq().is_empty() && port.wtq().is_empty() && port.ptl().is_empty());
        assert!(k
            .threads()
            .iter()
            .all(|t| t.status() == ThreadStatus::Exited));
        let c = k.counters();
        assert_eq!(c.made, c.delivered);
        assert_eq!(c.delivered, total + workers as u64);
    });
    let stats = port.stats();
    eprintln!(
        "{policy:?}: {total} packets, {workers} workers, {producers} producers, concurrency {concurrency}: \
         {:?}, {looks} monitor looks, {} unparks, {timeouts} failed gets",
        start.elapsed(),
        stats.unparks
    );
}

#[test]
fn many_threads_many_packets_nothing_lost_nobody_stranded() {
    stress(16, 3, 60_000, 4, Policy::Lifo, Duration::from_secs(120));
}

#[test]
fn concurrency_one_with_blocking() {
    stress(8, 2, 10_000, 1, Policy::Lifo, Duration::from_secs(120));
}

#[test]
fn fifo_limited_policy() {
    stress(
        12,
        2,
        20_000,
        3,
        Policy::FifoLimited,
        Duration::from_secs(120),
    );
}

#[test]
fn unlimited_policy() {
    stress(12, 2, 20_000, 3, Policy::Wine, Duration::from_secs(120));
}

#[test]
#[ignore = "long: millions of packets (run with --release -- --ignored)"]
fn long_run() {
    stress(64, 4, 2_000_000, 8, Policy::Lifo, Duration::from_secs(600));
}
