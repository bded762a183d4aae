//! `Kernel::add_thread`: threads that appear at run time (the live port's
//! real threads join when they first call get).

use iocp_sim::model::{
    Action, CallResult, Flavor, Kernel, KernelConfig, Outcome, PortId, RejectKind, ThreadId,
    ThreadStatus, Timeout,
};

#[test]
fn added_threads_get_the_next_ids_start_free_and_obey_the_rules() {
    let mut k = Kernel::new(&KernelConfig {
        flavor: Flavor::Windows,
        cpus: 1,
        ports: vec![1],
        threads: 0,
        devices: vec![],
    });
    let mut out = Outcome::default();
    let get = |t| Action::Get {
        thread: ThreadId(t),
        port: PortId(0),
        timeout: Timeout::Infinite,
    };
    // Before it is added, the thread is unknown and the kernel is unchanged.
    let before = k.clone();
    let err = k.apply(get(0), &mut out).unwrap_err();
    assert_eq!(err.kind, RejectKind::UnknownThread(ThreadId(0)));
    assert_eq!(k, before);

    assert_eq!(k.add_thread(), ThreadId(0));
    assert_eq!(k.add_thread(), ThreadId(1));
    assert_eq!(k.threads().len(), 2);
    assert_eq!(k.thread(ThreadId(1)).status(), ThreadStatus::Free);

    k.apply(get(0), &mut out).unwrap();
    assert_eq!(out.result, CallResult::Pending);
    k.apply(get(1), &mut out).unwrap();
    assert_eq!(out.result, CallResult::Pending);
    // The most recent waiter is woken: the added threads are ordinary threads.
    k.apply(
        Action::Post {
            port: PortId(0),
            key: 7,
            bytes: 0,
            overlapped: None,
            by: None,
        },
        &mut out,
    )
    .unwrap();
    assert_eq!(out.deliveries.len(), 1);
    assert_eq!(out.deliveries[0].thread, ThreadId(1));
    assert_eq!(k.port(PortId(0)).current(), 1);
}
