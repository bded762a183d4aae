//! The live port on real threads: each rule seen from the threads' side
//! (who wakes, who returns what, when), with the model's state read between
//! calls. Every wait in these tests is bounded: a thread that never wakes
//! fails the test with a message instead of hanging it.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use iocp_sim::live::{blocking, Closed, CompletionPort, GetError, Policy};
use iocp_sim::model::{Kernel, PortId, ThreadId, ThreadStatus};

const P: PortId = PortId(0);
const LONG: Duration = Duration::from_secs(10);

/// Waits until `cond` holds on the port's model state, or fails.
fn settle<T: Send + 'static>(port: &CompletionPort<T>, what: &str, cond: impl Fn(&Kernel) -> bool) {
    let start = Instant::now();
    while !port.inspect(&cond) {
        assert!(start.elapsed() < LONG, "never settled: {what}");
        thread::sleep(Duration::from_millis(1));
    }
}

fn waiting(port: &CompletionPort<u32>, n: usize) {
    settle(port, &format!("{n} waiting"), |k| {
        k.port(P).wtq().len() == n
    });
}

/// A thread that calls get once per message on `go`, reporting what it got
/// with its name; it exits when `go` closes.
fn worker(
    name: &'static str,
    port: &CompletionPort<u32>,
    results: &mpsc::Sender<(&'static str, Result<u32, GetError>)>,
) -> (mpsc::Sender<Option<Duration>>, thread::JoinHandle<()>) {
    let (go, rx) = mpsc::channel::<Option<Duration>>();
    let port = port.clone();
    let results = results.clone();
    let h = thread::spawn(move || {
        while let Ok(timeout) = rx.recv() {
            let r = port.get(timeout);
            if results.send((name, r)).is_err() {
                return;
            }
        }
    });
    (go, h)
}

#[test]
fn the_most_recent_waiter_wakes_and_nobody_else() {
    let port = CompletionPort::<u32>::new(2);
    let (tx, rx) = mpsc::channel();
    let mut ws = Vec::new();
    for (i, name) in ["A", "B", "C"].into_iter().enumerate() {
        let (go, h) = worker(name, &port, &tx);
        go.send(None).unwrap();
        waiting(&port, i + 1);
        ws.push((go, h));
    }
    port.post(1).unwrap();
    assert_eq!(rx.recv_timeout(LONG).unwrap(), ("C", Ok(1)));
    thread::sleep(Duration::from_millis(30));
    assert!(rx.try_recv().is_err(), "a second thread woke");
    port.post(2).unwrap();
    assert_eq!(rx.recv_timeout(LONG).unwrap(), ("B", Ok(2)));
    // The limit (2) is reached: the third packet waits although A waits.
    port.post(3).unwrap();
    thread::sleep(Duration::from_millis(30));
    assert!(rx.try_recv().is_err(), "the limit did not hold");
    port.inspect(|k| {
        assert_eq!(k.port(P).current(), 2);
        assert_eq!(k.port(P).iocq().len(), 1);
        assert_eq!(k.port(P).wtq().len(), 1);
    });
    port.close().unwrap();
    assert_eq!(
        rx.recv_timeout(LONG).unwrap(),
        ("A", Err(GetError::Abandoned))
    );
    for (go, h) in ws {
        drop(go);
        h.join().unwrap();
    }
}

#[test]
fn a_finite_wait_really_times_out_and_counts_again_rule_5() {
    let port = CompletionPort::<u32>::new(1);
    let start = Instant::now();
    assert_eq!(
        port.get(Some(Duration::from_millis(60))),
        Err(GetError::Timeout)
    );
    assert!(start.elapsed() >= Duration::from_millis(60));
    assert_eq!(port.stats().timeouts, 1);
    let me = port.current_thread().unwrap();
    port.inspect(|k| {
        assert_eq!(k.thread(me).status(), ThreadStatus::Running);
        assert_eq!(k.port(P).current(), 1);
    });
    // A poll returns at once.
    let start = Instant::now();
    assert_eq!(port.get(Some(Duration::ZERO)), Err(GetError::Timeout));
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(port.stats().timeouts, 1, "a poll is not a rule-5 timeout");
    // A packet that arrives in time is returned, not a timeout.
    port.post(9).unwrap();
    assert_eq!(port.get(Some(Duration::from_secs(5))), Ok(9));
}

#[test]
fn exit_counts_the_thread_out_and_releases_a_waiter_rule_6() {
    let port = CompletionPort::<u32>::new(1);
    port.post(1).unwrap();
    let (took, took_rx) = mpsc::channel();
    let (leave, leave_rx) = mpsc::channel::<()>();
    let first = {
        let port = port.clone();
        thread::spawn(move || {
            took.send(port.get(None)).unwrap();
            leave_rx.recv().unwrap(); // then exits, still associated
        })
    };
    assert_eq!(took_rx.recv_timeout(LONG).unwrap(), Ok(1));
    let (tx, rx) = mpsc::channel();
    let (go, second) = worker("second", &port, &tx);
    go.send(None).unwrap();
    waiting(&port, 1);
    port.post(2).unwrap(); // at the limit: queued
    thread::sleep(Duration::from_millis(30));
    assert!(rx.try_recv().is_err());
    leave.send(()).unwrap();
    first.join().unwrap();
    assert_eq!(rx.recv_timeout(LONG).unwrap(), ("second", Ok(2)));
    port.inspect(|k| {
        assert_eq!(k.thread(ThreadId(0)).status(), ThreadStatus::Exited);
        assert_eq!(k.port(P).current(), 1);
    });
    drop(go);
    second.join().unwrap();
}

#[test]
fn blocking_releases_another_thread_and_its_return_goes_over_the_limit() {
    let port = CompletionPort::<u32>::new(1);
    port.post(1).unwrap();
    let (took, took_rx) = mpsc::channel();
    let (unblock, unblock_rx) = mpsc::channel::<()>();
    let (done, done_rx) = mpsc::channel();
    let (proceed, proceed_rx) = mpsc::channel::<()>();
    let first = {
        let port = port.clone();
        thread::spawn(move || {
            took.send(port.get(None)).unwrap();
            blocking(|| unblock_rx.recv().unwrap());
            done.send(()).unwrap();
            // Held here until the test has seen the port over its limit:
            // the get below (and the thread's exit) would end that.
            proceed_rx.recv().unwrap();
            // Back from the blocking wait: get again to stop counting.
            port.get(Some(Duration::ZERO))
        })
    };
    assert_eq!(took_rx.recv_timeout(LONG).unwrap(), Ok(1));
    let (tx, rx) = mpsc::channel();
    let (go, second) = worker("second", &port, &tx);
    go.send(None).unwrap();
    settle(&port, "first blocked, second waiting", |k| {
        k.port(P).wtq().len() == 1 || k.port(P).ptl().len() == 1
    });
    port.post(2).unwrap();
    // Either the second waits and the first blocks later, or the reverse:
    // once the first blocks (rule 3), the port releases the second.
    assert_eq!(rx.recv_timeout(LONG).unwrap(), ("second", Ok(2)));
    port.inspect(|k| {
        assert_eq!(k.thread(ThreadId(0)).status(), ThreadStatus::Paused);
        assert_eq!(k.port(P).current(), 1);
    });
    unblock.send(()).unwrap();
    done_rx.recv_timeout(LONG).unwrap();
    // Rule 4: counted again with no check.
    settle(&port, "over the limit", |k| k.port(P).current() == 2);
    // Let some time pass over the limit, so the port's clock can see it.
    thread::sleep(Duration::from_millis(2));
    proceed.send(()).unwrap();
    assert_eq!(first.join().unwrap(), Err(GetError::Timeout));
    assert!(port.stats().over_limit > Duration::ZERO);
    drop(go);
    second.join().unwrap();
}

#[test]
fn get_inside_blocking_is_refused_and_changes_nothing() {
    let port = CompletionPort::<u32>::new(1);
    port.post(1).unwrap();
    assert_eq!(port.get(None), Ok(1));
    let before = port.inspect(|k| k.clone());
    assert_eq!(
        blocking(|| port.get(Some(Duration::ZERO))),
        Err(GetError::InsideBlocking)
    );
    // The scope's block and unblock ran: the thread is back in the RTL.
    port.inspect(|k| {
        assert_eq!(k.port(P), before.port(P));
        assert_eq!(k.thread(ThreadId(0)).status(), ThreadStatus::Running);
    });
}

#[test]
fn close_returns_queued_values_and_refuses_later_calls() {
    let port = CompletionPort::<u32>::new(1);
    port.post(1).unwrap();
    assert_eq!(port.get(None), Ok(1));
    port.post(2).unwrap();
    port.post(3).unwrap();
    assert_eq!(port.close(), Ok(vec![2, 3]));
    assert_eq!(port.close(), Err(Closed(())));
    assert_eq!(port.post(4), Err(Closed(4)));
    assert_eq!(port.get(None), Err(GetError::Closed));
    assert_eq!(port.inspect(|k| k.counters().lost), 2);
}

#[test]
fn get_many_takes_up_to_n_queued_values() {
    let port = CompletionPort::<u32>::new(1);
    for v in 1..=5 {
        port.post(v).unwrap();
    }
    assert_eq!(port.get_many(3, None), Ok(vec![1, 2, 3]));
    assert_eq!(port.get_many(3, None), Ok(vec![4, 5]));
    assert!(matches!(port.get_many(0, None), Err(GetError::Rejected(_))));
}

#[test]
fn fifo_limited_wakes_the_oldest_real_thread_as_the_model_decides() {
    let port = CompletionPort::<u32>::with_policy(1, Policy::FifoLimited);
    let (tx, rx) = mpsc::channel();
    let (go_a, a) = worker("A", &port, &tx);
    go_a.send(None).unwrap();
    waiting(&port, 1);
    let (go_b, b) = worker("B", &port, &tx);
    go_b.send(None).unwrap();
    waiting(&port, 2);
    port.post(1).unwrap();
    assert_eq!(rx.recv_timeout(LONG).unwrap(), ("A", Ok(1)));
    // The model woke its oldest waiter, A (id 0), itself: no identities swapped.
    port.inspect(|k| {
        assert_eq!(k.wake_order(), iocp_sim::model::WakeOrder::Fifo);
        assert_eq!(k.thread(ThreadId(0)).status(), ThreadStatus::Running);
        assert_eq!(k.thread(ThreadId(1)).status(), ThreadStatus::Waiting);
    });
    port.close().unwrap();
    assert_eq!(
        rx.recv_timeout(LONG).unwrap(),
        ("B", Err(GetError::Abandoned))
    );
    drop((go_a, go_b));
    a.join().unwrap();
    b.join().unwrap();
}

#[test]
fn unlimited_policy_releases_every_waiter() {
    let port = CompletionPort::<u32>::with_policy(1, Policy::Wine);
    let (tx, rx) = mpsc::channel();
    let mut ws = Vec::new();
    for (i, name) in ["A", "B"].into_iter().enumerate() {
        let (go, h) = worker(name, &port, &tx);
        go.send(None).unwrap();
        waiting(&port, i + 1);
        ws.push((go, h));
    }
    port.post(1).unwrap();
    port.post(2).unwrap();
    // Oldest first, and the limit 1 does not hold. (Who reports first is
    // the OS's business: B may still be spinning when A's unpark lands.)
    let mut got = [
        rx.recv_timeout(LONG).unwrap(),
        rx.recv_timeout(LONG).unwrap(),
    ];
    got.sort_by_key(|&(name, _)| name);
    assert_eq!(got, [("A", Ok(1)), ("B", Ok(2))]);
    assert_eq!(port.inspect(|k| k.port(P).current()), 2);
    for (go, h) in ws {
        drop(go);
        h.join().unwrap();
    }
}

#[test]
fn a_thread_that_gets_on_another_port_leaves_the_first() {
    let a = CompletionPort::<u32>::new(1);
    let b = CompletionPort::<u32>::new(1);
    a.post(1).unwrap();
    assert_eq!(a.get(None), Ok(1));
    assert_eq!(a.inspect(|k| k.port(P).current()), 1);
    assert_eq!(b.get(Some(Duration::ZERO)), Err(GetError::Timeout));
    assert_eq!(a.inspect(|k| k.port(P).current()), 0);
    assert_eq!(a.current_thread(), None);
    assert_eq!(b.current_thread(), Some(ThreadId(0)));
}

#[test]
fn the_event_stream_reports_each_call() {
    let port = CompletionPort::<u32>::new(1);
    let events = port.events(16);
    port.post(1).unwrap();
    assert_eq!(port.get(None), Ok(1));
    let ops: Vec<&str> = events.try_iter().map(|e| e.action.op()).collect();
    assert_eq!(ops, ["post", "get"]);
}

#[test]
fn a_worker_still_in_its_get_loop_queues_its_own_post_rule_2_exception() {
    let port = CompletionPort::<u32>::new(2);
    // This thread takes a packet without sleeping: it carries the queue-wait mark.
    port.post(1).unwrap();
    assert_eq!(port.get(Some(Duration::ZERO)), Ok(1));
    let (tx, rx) = mpsc::channel();
    let (go, other) = worker("other", &port, &tx);
    go.send(None).unwrap();
    waiting(&port, 1);
    // Its post is queued although a thread waits and the port has room:
    // the poster will take it itself with its next get.
    port.post(2).unwrap();
    thread::sleep(Duration::from_millis(30));
    assert!(
        rx.try_recv().is_err(),
        "the waiter was woken for the worker's own post"
    );
    port.inspect(|k| assert_eq!(k.port(P).iocq().len(), 1));
    assert_eq!(port.get(Some(Duration::ZERO)), Ok(2));
    // The same post from a thread outside the port wakes the waiter at once.
    let outside = port.clone();
    thread::spawn(move || outside.post(3).unwrap())
        .join()
        .unwrap();
    assert_eq!(rx.recv_timeout(LONG).unwrap(), ("other", Ok(3)));
    drop(go);
    other.join().unwrap();
}
