//! Unit tests of each rule of `docs/model.md` (activate and rules 1-12), in
//! both flavours where they differ. Each test builds a small world, applies
//! actions, and asserts the exact state (IOCQ, WTQ in wake order, RTL, PTL,
//! `current`, thread states), the step's [`Outcome`] (result, deliveries,
//! failures) and the events fired with their numbers.

use iocp_sim::model::{
    Action, CallResult, Delivery, DeviceId, Event, FailWhy, Fired, Flavor, Kernel, KernelConfig,
    LabelId, Names, NoPacketWhy, NoTakeWhy, Origin, Outcome, OvId, OvUse, Packet, PortId, QueueWhy,
    RejectKind, Rejection, Rule, StatusId, ThreadId, ThreadState, ThreadStatus, Timeout, Wait,
    WinError,
};

use Flavor::{Windows, Wine, Wine10};

// ------------------------------------------------------------ harness

const P0: PortId = PortId(0);
const P1: PortId = PortId(1);
const D0: DeviceId = DeviceId(0);
const D1: DeviceId = DeviceId(1);
const OV_A: OvId = OvId(0);
const OV_B: OvId = OvId(1);
const OV_C: OvId = OvId(2);
const ERR: StatusId = StatusId(2);

#[allow(non_snake_case)]
fn T(n: u32) -> ThreadId {
    ThreadId(n)
}

/// A kernel, the last step's outcome, and the names used in messages.
struct Sim {
    k: Kernel,
    out: Outcome,
    names: Names,
}

impl Sim {
    fn new(flavor: Flavor, cpus: u32, ports: &[u32], threads: usize, devices: &[bool]) -> Sim {
        let k = Kernel::new(&KernelConfig {
            flavor,
            cpus,
            ports: ports.to_vec(),
            threads,
            devices: devices.to_vec(),
        });
        let mut names = Names::new(
            (0..ports.len()).map(|i| format!("port{i}")).collect(),
            (0..threads).map(|i| format!("worker{i}")).collect(),
            (0..devices.len()).map(|i| format!("sock{i}")).collect(),
        );
        for label in ["ovA", "ovB", "ovC"] {
            names.intern_overlapped(label);
        }
        names.intern_status("ERROR_NETNAME_DELETED");
        assert_eq!(names.intern_label("Sleep(100)"), LabelId(0));
        Sim {
            k,
            out: Outcome::default(),
            names,
        }
    }

    /// One port with concurrency `max`, `threads` threads, one plain device.
    fn one(flavor: Flavor, max: u32, threads: usize) -> Sim {
        Sim::new(flavor, 4, &[max], threads, &[false])
    }

    /// Applies an action that must be accepted.
    fn ok(&mut self, a: Action) -> &Outcome {
        if let Err(r) = self.k.apply(a, &mut self.out) {
            panic!(
                "{a:?} rejected: {}",
                iocp_sim::narrate::rejection_reason(&r, &self.names)
            );
        }
        &self.out
    }

    /// Applies actions that must be accepted.
    fn all(&mut self, actions: &[Action]) {
        for &a in actions {
            self.ok(a);
        }
    }

    /// Applies an action that must be rejected, checking it changed nothing.
    fn rejected(&mut self, a: Action) -> Rejection {
        let before = self.k.clone();
        let r = self
            .k
            .apply(a, &mut self.out)
            .expect_err("the action should be rejected");
        assert_eq!(self.k, before, "a rejected {a:?} changed the state");
        assert_eq!(
            self.out,
            Outcome::default(),
            "a rejection leaves an empty outcome"
        );
        r
    }

    /// Applies an accepted call that fails at once with `error` and changes nothing.
    fn fails_unchanged(&mut self, a: Action, error: WinError, rule: Rule, why: FailWhy) {
        let before = self.k.clone();
        self.ok(a);
        assert_eq!(self.k, before, "the failed {a:?} changed the state");
        assert_eq!(self.out.result, CallResult::Failed(error), "{a:?}");
        assert_eq!(self.out.fired, vec![fired(rule, Event::Failed { why })]);
        assert!(self.out.deliveries.is_empty());
    }

    fn iocq(&self, p: PortId) -> Vec<Packet> {
        self.k.port(p).iocq().iter().copied().collect()
    }
    /// The WTQ in the order the flavour wakes it.
    fn wtq(&self, p: PortId) -> Vec<ThreadId> {
        self.k
            .port(p)
            .wtq()
            .wake_order(self.k.flavor().wake_order())
    }
    fn rtl(&self, p: PortId) -> Vec<ThreadId> {
        self.k.port(p).rtl().as_slice().to_vec()
    }
    fn ptl(&self, p: PortId) -> Vec<ThreadId> {
        self.k.port(p).ptl().as_slice().to_vec()
    }
    fn current(&self, p: PortId) -> u32 {
        self.k.port(p).current()
    }
    fn state(&self, t: ThreadId) -> (ThreadState, Option<PortId>) {
        let th = self.k.thread(t);
        (th.state(), th.port())
    }
    fn status(&self, t: ThreadId) -> ThreadStatus {
        self.k.thread(t).status()
    }

    /// The five structures of a port at once: (IOCQ, WTQ in wake order, RTL, PTL, current).
    #[allow(clippy::type_complexity)]
    fn port_view(
        &self,
        p: PortId,
    ) -> (
        Vec<Packet>,
        Vec<ThreadId>,
        Vec<ThreadId>,
        Vec<ThreadId>,
        u32,
    ) {
        (
            self.iocq(p),
            self.wtq(p),
            self.rtl(p),
            self.ptl(p),
            self.current(p),
        )
    }
}

fn fired(rule: Rule, event: Event) -> Fired {
    Fired { rule, event }
}

fn delivery(thread: ThreadId, port: PortId, packet: Packet) -> Delivery {
    Delivery {
        thread,
        port,
        packet,
    }
}

/// The packet of `post(port, key)` (bytes = key, null OVERLAPPED).
fn pp(key: u64) -> Packet {
    Packet {
        bytes: key,
        key,
        overlapped: None,
        status: StatusId::SUCCESS,
        origin: Origin::Post,
    }
}

fn io(bytes: u64, key: u64, ov: OvId, status: StatusId) -> Packet {
    Packet {
        bytes,
        key,
        overlapped: Some(ov),
        status,
        origin: Origin::Io,
    }
}

fn post(port: PortId, key: u64) -> Action {
    Action::Post {
        port,
        key,
        bytes: key,
        overlapped: None,
        by: None,
    }
}
/// `post(port, key)` made by scenario thread `by`.
fn post_by(by: ThreadId, port: PortId, key: u64) -> Action {
    Action::Post {
        port,
        key,
        bytes: key,
        overlapped: None,
        by: Some(by),
    }
}
fn get(thread: ThreadId, port: PortId) -> Action {
    Action::Get {
        thread,
        port,
        timeout: Timeout::Infinite,
    }
}
fn get_ms(thread: ThreadId, port: PortId, ms: u64) -> Action {
    Action::Get {
        thread,
        port,
        timeout: Timeout::Ms(ms),
    }
}
fn poll(thread: ThreadId, port: PortId) -> Action {
    get_ms(thread, port, 0)
}
fn get_ex(thread: ThreadId, port: PortId, max: u32) -> Action {
    Action::GetEx {
        thread,
        port,
        max,
        timeout: Timeout::Infinite,
    }
}
fn block(thread: ThreadId) -> Action {
    Action::Block { thread, on: None }
}
fn unblock(thread: ThreadId) -> Action {
    Action::Unblock { thread }
}
fn associate(device: DeviceId, port: PortId, key: u64) -> Action {
    Action::Associate { device, port, key }
}
fn issue(device: DeviceId, overlapped: OvId) -> Action {
    Action::Issue {
        device,
        overlapped,
        inline: None,
        by: None,
    }
}
fn issue_inline(device: DeviceId, overlapped: OvId, bytes: u64) -> Action {
    Action::Issue {
        device,
        overlapped,
        inline: Some(bytes),
        by: None,
    }
}
/// An inline issue made by scenario thread `by` (completed in its context).
fn issue_inline_by(by: ThreadId, device: DeviceId, overlapped: OvId, bytes: u64) -> Action {
    Action::Issue {
        device,
        overlapped,
        inline: Some(bytes),
        by: Some(by),
    }
}
fn complete(overlapped: OvId, bytes: u64) -> Action {
    Action::Complete {
        overlapped,
        bytes,
        status: StatusId::SUCCESS,
    }
}

const INF: Wait = Wait {
    timeout: Timeout::Infinite,
    batch: None,
};
const RUNNING: ThreadState = ThreadState::Running;
const WAITING: ThreadState = ThreadState::Waiting(INF);

// ------------------------------------------------------------ activate

/// T0 runs with a packet; T1 then T2 wait; p2 is held in the IOCQ at the limit.
fn one_running_two_waiting(flavor: Flavor) -> Sim {
    let mut s = Sim::one(flavor, 1, 3);
    s.all(&[post(P0, 1), get(T(0), P0), get(T(1), P0), get(T(2), P0)]);
    s
}

#[test]
fn activate_on_block_wakes_the_most_recent_waiter_with_the_head_packet() {
    let mut s = one_running_two_waiting(Windows);
    let out = s.ok(post(P0, 2)).clone();
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Insert,
            Event::Queued {
                port: P0,
                packet: pp(2),
                why: QueueWhy::AtLimit { current: 1, max: 1 },
                depth: 1
            }
        )]
    );
    assert!(out.deliveries.is_empty());

    let out = s.ok(block(T(0))).clone();
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Block,
                Event::Blocked {
                    thread: T(0),
                    port: Some(P0),
                    on: None,
                    current: 0
                }
            ),
            fired(
                Rule::Activate,
                Event::Woke {
                    thread: T(2),
                    port: P0,
                    extra: 0,
                    current: 1,
                    max: 1,
                    lifo: true
                }
            ),
        ]
    );
    assert_eq!(out.deliveries, vec![delivery(T(2), P0, pp(2))]);
    assert_eq!(out.result, CallResult::Success);
    assert_eq!(
        s.port_view(P0),
        (vec![], vec![T(1)], vec![T(2)], vec![T(0)], 1)
    );
    assert_eq!(s.state(T(0)), (ThreadState::Paused(None), Some(P0)));
    assert_eq!(s.state(T(2)), (RUNNING, Some(P0)));
    assert_eq!(s.state(T(1)), (WAITING, Some(P0)));
}

#[test]
fn wine_block_wakes_nobody_because_no_packet_ever_waits_for_a_waiter() {
    let mut s = one_running_two_waiting(Wine);
    // No gate: the post goes to the oldest waiter at once, past max.
    let out = s.ok(post(P0, 2)).clone();
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Insert,
            Event::HandedOff {
                thread: T(1),
                port: P0,
                packet: pp(2),
                extra: 0,
                current: 2,
                max: 1,
                lifo: false,
                gated: false
            }
        )]
    );
    let out = s.ok(block(T(0))).clone();
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Block,
            Event::Blocked {
                thread: T(0),
                port: Some(P0),
                on: None,
                current: 1
            }
        )]
    );
    assert!(out.deliveries.is_empty());
    assert_eq!(
        s.port_view(P0),
        (vec![], vec![T(2)], vec![T(1)], vec![T(0)], 1)
    );
}

/// Port max 1: T1 runs, T0 returned from a pause so current is 2.
fn over_subscribed(flavor: Flavor, threads: usize) -> Sim {
    let mut s = Sim::one(flavor, 1, threads);
    s.all(&[
        post(P0, 1),
        get(T(0), P0),
        block(T(0)),
        post(P0, 2),
        get(T(1), P0),
    ]);
    let out = s.ok(unblock(T(0))).clone();
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Unblock,
            Event::Unblocked {
                thread: T(0),
                port: Some(P0),
                current: 2,
                max: 1
            }
        )]
    );
    assert!(s.k.port(P0).over_limit());
    assert_eq!(
        s.port_view(P0),
        (vec![], vec![], vec![T(0), T(1)], vec![], 2)
    );
    s
}

#[test]
fn activate_holds_when_the_port_is_still_at_its_limit() {
    let mut s = over_subscribed(Windows, 3);
    s.all(&[get(T(2), P0), post(P0, 3)]);
    assert_eq!(
        s.out.fired,
        vec![fired(
            Rule::Insert,
            Event::Queued {
                port: P0,
                packet: pp(3),
                why: QueueWhy::AtLimit { current: 2, max: 1 },
                depth: 1
            }
        )]
    );
    let out = s.ok(block(T(1))).clone();
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Block,
                Event::Blocked {
                    thread: T(1),
                    port: Some(P0),
                    on: None,
                    current: 1
                }
            ),
            fired(
                Rule::Activate,
                Event::Held {
                    port: P0,
                    current: 1,
                    max: 1,
                    queued: 1,
                    waiting: 1
                }
            ),
        ]
    );
    assert!(out.deliveries.is_empty());
    assert_eq!(
        s.port_view(P0),
        (vec![pp(3)], vec![T(2)], vec![T(0)], vec![T(1)], 1)
    );
}

#[test]
fn activate_wakes_a_get_ex_waiter_with_the_head_packet_and_up_to_n_minus_1_more() {
    let mut s = Sim::one(Windows, 1, 2);
    s.all(&[post(P0, 1), get(T(0), P0), get_ex(T(1), P0, 3)]);
    for key in 2..=5 {
        s.ok(post(P0, key));
    }
    assert_eq!(s.iocq(P0), vec![pp(2), pp(3), pp(4), pp(5)]);
    let out = s.ok(block(T(0))).clone();
    assert_eq!(
        out.fired[1],
        fired(
            Rule::Activate,
            Event::Woke {
                thread: T(1),
                port: P0,
                extra: 2,
                current: 1,
                max: 1,
                lifo: true
            }
        )
    );
    assert_eq!(
        out.deliveries,
        vec![
            delivery(T(1), P0, pp(2)),
            delivery(T(1), P0, pp(3)),
            delivery(T(1), P0, pp(4)),
        ]
    );
    assert_eq!(
        s.port_view(P0),
        (vec![pp(5)], vec![], vec![T(1)], vec![T(0)], 1)
    );
}

#[test]
fn activate_on_exit_releases_a_waiter() {
    let mut s = one_running_two_waiting(Windows);
    s.ok(post(P0, 2));
    let out = s.ok(Action::Exit { thread: T(0) }).clone();
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Exit,
                Event::Exited {
                    thread: T(0),
                    port: Some(P0),
                    current: 0
                }
            ),
            fired(
                Rule::Activate,
                Event::Woke {
                    thread: T(2),
                    port: P0,
                    extra: 0,
                    current: 1,
                    max: 1,
                    lifo: true
                }
            ),
        ]
    );
    assert_eq!(out.deliveries, vec![delivery(T(2), P0, pp(2))]);
    assert_eq!(s.state(T(0)), (ThreadState::Exited, None));
    assert_eq!(s.status(T(0)), ThreadStatus::Exited);
    assert_eq!(s.port_view(P0), (vec![], vec![T(1)], vec![T(2)], vec![], 1));
}

// ------------------------------------------------------------ rule 1: get

#[test]
fn get_by_a_free_thread_joins_the_port_and_takes_the_head_packet() {
    for flavor in [Windows, Wine] {
        let mut s = Sim::one(flavor, 1, 1);
        s.all(&[post(P0, 1), post(P0, 2)]);
        assert_eq!(s.status(T(0)), ThreadStatus::Free);
        let out = s.ok(get(T(0), P0)).clone();
        assert_eq!(out.result, CallResult::Success);
        assert_eq!(
            out.fired,
            vec![
                fired(
                    Rule::Get,
                    Event::Joined {
                        thread: T(0),
                        port: P0
                    }
                ),
                fired(
                    Rule::Get,
                    Event::Took {
                        thread: T(0),
                        port: P0,
                        count: 1,
                        current: 1,
                        max: 1,
                        gated: flavor == Windows
                    }
                ),
            ]
        );
        assert_eq!(out.deliveries, vec![delivery(T(0), P0, pp(1))]);
        assert!(out.failures.is_empty());
        assert_eq!(
            s.port_view(P0),
            (vec![pp(2)], vec![], vec![T(0)], vec![], 1)
        );
        assert_eq!(s.state(T(0)), (RUNNING, Some(P0)));
        assert_eq!(s.status(T(0)), ThreadStatus::Running);
    }
}

#[test]
fn get_by_a_thread_in_the_rtl_stops_counting_it_then_waits_on_an_empty_iocq() {
    let mut s = Sim::one(Windows, 1, 1);
    s.all(&[post(P0, 1), get(T(0), P0)]);
    let out = s.ok(get_ms(T(0), P0, 50)).clone();
    assert_eq!(out.result, CallResult::Pending);
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Get,
                Event::Returned {
                    thread: T(0),
                    port: P0,
                    current: 0,
                    had_packet: true
                }
            ),
            fired(
                Rule::Get,
                Event::Waits {
                    thread: T(0),
                    port: P0,
                    why: NoTakeWhy::IocqEmpty,
                    depth: 1,
                    lifo: true
                }
            ),
        ]
    );
    assert_eq!(s.port_view(P0), (vec![], vec![T(0)], vec![], vec![], 0));
    assert_eq!(
        s.state(T(0)),
        (
            ThreadState::Waiting(Wait {
                timeout: Timeout::Ms(50),
                batch: None
            }),
            Some(P0)
        )
    );
}

#[test]
fn get_on_an_over_limit_port_waits_although_packets_are_queued() {
    let mut s = over_subscribed(Windows, 2);
    s.all(&[post(P0, 3), post(P0, 4)]);
    let out = s.ok(get(T(1), P0)).clone();
    assert_eq!(out.result, CallResult::Pending);
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Get,
                Event::Returned {
                    thread: T(1),
                    port: P0,
                    current: 1,
                    had_packet: true
                }
            ),
            fired(
                Rule::Get,
                Event::Waits {
                    thread: T(1),
                    port: P0,
                    why: NoTakeWhy::AtLimit {
                        current: 1,
                        max: 1,
                        queued: 2,
                        at_call: 2
                    },
                    depth: 1,
                    lifo: true
                }
            ),
        ]
    );
    assert!(out.deliveries.is_empty());
    assert_eq!(
        s.port_view(P0),
        (vec![pp(3), pp(4)], vec![T(1)], vec![T(0)], vec![], 1)
    );
    assert!(!s.k.port(P0).over_limit());
}

/// Rule 1's `Returned` says whether the thread's previous get delivered
/// a packet: after a timeout or a failed poll it did not (the narration's
/// "done with its last packet" reads this); after a take or a wake it did.
#[test]
fn a_get_again_reports_whether_the_last_get_delivered_a_packet() {
    let returned = |out: &Outcome| {
        out.fired.iter().find_map(|f| match f.event {
            Event::Returned { had_packet, .. } => Some(had_packet),
            _ => None,
        })
    };
    for flavor in Flavor::ALL {
        let mut s = Sim::one(flavor, 1, 1);
        s.ok(get_ms(T(0), P0, 10));
        s.ok(Action::Timeout { thread: T(0) });
        assert_eq!(
            returned(s.ok(poll(T(0), P0))),
            Some(false),
            "{flavor:?}: after a timeout"
        );
        assert_eq!(
            returned(s.ok(poll(T(0), P0))),
            Some(false),
            "{flavor:?}: after a failed poll"
        );
        s.ok(post(P0, 1));
        s.ok(poll(T(0), P0));
        assert_eq!(
            returned(s.ok(get_ms(T(0), P0, 10))),
            Some(true),
            "{flavor:?}: after a take"
        );
        s.ok(post(P0, 2));
        assert_eq!(
            returned(s.ok(get(T(0), P0))),
            Some(true),
            "{flavor:?}: after a hand-off"
        );
        assert!(
            !s.k.thread(T(0)).got_packet(),
            "{flavor:?}: a waiter holds no packet"
        );
    }
}

/// `Waits` at the limit says the count when the call began: over the
/// limit (`at_call > max`) only when the caller was counted on an
/// over-subscribed port; a thread joining a full port finds it at the
/// limit.
#[test]
fn waiting_at_the_limit_reports_the_count_when_the_call_began() {
    let at_call = |out: &Outcome| {
        out.fired.iter().find_map(|f| match f.event {
            Event::Waits {
                why: NoTakeWhy::AtLimit { at_call, .. },
                ..
            } => Some(at_call),
            _ => None,
        })
    };
    let mut s = Sim::one(Windows, 1, 2);
    s.all(&[post(P0, 1), get(T(0), P0), post(P0, 2)]);
    assert_eq!(
        at_call(s.ok(get(T(1), P0))),
        Some(1),
        "a full port, not over it"
    );
    let mut s = over_subscribed(Windows, 2);
    s.all(&[post(P0, 3)]);
    assert_eq!(
        at_call(s.ok(get(T(1), P0))),
        Some(2),
        "over the limit when the call began"
    );
}

#[test]
fn wine_get_takes_a_queued_packet_whatever_current_is() {
    let mut s = over_subscribed(Wine, 2);
    s.all(&[post(P0, 3), post(P0, 4)]);
    let out = s.ok(get(T(1), P0)).clone();
    assert_eq!(out.result, CallResult::Success);
    assert_eq!(
        out.fired[1],
        fired(
            Rule::Get,
            Event::Took {
                thread: T(1),
                port: P0,
                count: 1,
                current: 2,
                max: 1,
                gated: false
            }
        )
    );
    assert_eq!(out.deliveries, vec![delivery(T(1), P0, pp(3))]);
    assert_eq!(
        s.port_view(P0),
        (vec![pp(4)], vec![], vec![T(0), T(1)], vec![], 2)
    );
}

#[test]
fn poll_at_the_limit_fails_and_pushes_current_past_max() {
    let mut s = Sim::one(Windows, 1, 2);
    s.all(&[post(P0, 1), get(T(0), P0), post(P0, 2)]);
    let out = s.ok(poll(T(1), P0)).clone();
    assert_eq!(out.result, CallResult::Failed(WinError::WaitTimeout));
    assert_eq!(out.failures, vec![(T(1), WinError::WaitTimeout)]);
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Get,
                Event::Joined {
                    thread: T(1),
                    port: P0
                }
            ),
            fired(
                Rule::Get,
                Event::PollFailed {
                    thread: T(1),
                    port: P0,
                    why: NoTakeWhy::AtLimit {
                        current: 1,
                        max: 1,
                        queued: 1,
                        at_call: 1
                    },
                    current: 2,
                    max: 1
                }
            ),
        ]
    );
    assert!(out.deliveries.is_empty());
    assert_eq!(
        s.port_view(P0),
        (vec![pp(2)], vec![], vec![T(0), T(1)], vec![], 2)
    );
    assert!(s.k.port(P0).over_limit());
    assert_eq!(s.state(T(1)), (RUNNING, Some(P0)));
}

#[test]
fn poll_on_an_empty_iocq_fails_and_counts_the_thread() {
    for flavor in [Windows, Wine] {
        let mut s = Sim::one(flavor, 2, 1);
        let out = s.ok(poll(T(0), P0)).clone();
        assert_eq!(out.result, CallResult::Failed(WinError::WaitTimeout));
        assert_eq!(out.failures, vec![(T(0), WinError::WaitTimeout)]);
        assert_eq!(
            out.fired[1],
            fired(
                Rule::Get,
                Event::PollFailed {
                    thread: T(0),
                    port: P0,
                    why: NoTakeWhy::IocqEmpty,
                    current: 1,
                    max: 2
                }
            )
        );
        assert_eq!(s.port_view(P0), (vec![], vec![], vec![T(0)], vec![], 1));
    }
}

/// P0 and P1 with max 1: T0 runs on P0 with a packet, T1 waits on P0.
fn two_ports(flavor: Flavor) -> Sim {
    let mut s = Sim::new(flavor, 4, &[1, 1], 2, &[]);
    s.all(&[post(P0, 1), get(T(0), P0), get(T(1), P0), post(P0, 2)]);
    s
}

#[test]
fn a_thread_switching_ports_decrements_the_old_port_and_activates_it() {
    let mut s = two_ports(Windows);
    assert_eq!(
        s.port_view(P0),
        (vec![pp(2)], vec![T(1)], vec![T(0)], vec![], 1)
    );
    let out = s.ok(get(T(0), P1)).clone();
    assert_eq!(out.result, CallResult::Pending);
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Get,
                Event::LeftPort {
                    thread: T(0),
                    port: P0,
                    current: 0
                }
            ),
            fired(
                Rule::Get,
                Event::Joined {
                    thread: T(0),
                    port: P1
                }
            ),
            fired(
                Rule::Activate,
                Event::Woke {
                    thread: T(1),
                    port: P0,
                    extra: 0,
                    current: 1,
                    max: 1,
                    lifo: true
                }
            ),
            fired(
                Rule::Get,
                Event::Waits {
                    thread: T(0),
                    port: P1,
                    why: NoTakeWhy::IocqEmpty,
                    depth: 1,
                    lifo: true
                }
            ),
        ]
    );
    assert_eq!(out.deliveries, vec![delivery(T(1), P0, pp(2))]);
    assert_eq!(s.port_view(P0), (vec![], vec![], vec![T(1)], vec![], 1));
    assert_eq!(s.port_view(P1), (vec![], vec![T(0)], vec![], vec![], 0));
    assert_eq!(s.state(T(0)), (WAITING, Some(P1)));
}

#[test]
fn wine_a_thread_switching_ports_wakes_nobody_on_the_old_port() {
    let mut s = two_ports(Wine);
    // Wine handed p2 to T1 at once.
    assert_eq!(
        s.port_view(P0),
        (vec![], vec![], vec![T(0), T(1)], vec![], 2)
    );
    let out = s.ok(get(T(0), P1)).clone();
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Get,
                Event::LeftPort {
                    thread: T(0),
                    port: P0,
                    current: 1
                }
            ),
            fired(
                Rule::Get,
                Event::Joined {
                    thread: T(0),
                    port: P1
                }
            ),
            fired(
                Rule::Get,
                Event::Waits {
                    thread: T(0),
                    port: P1,
                    why: NoTakeWhy::IocqEmpty,
                    depth: 1,
                    lifo: false
                }
            ),
        ]
    );
    assert_eq!(s.port_view(P0), (vec![], vec![], vec![T(1)], vec![], 1));
    assert_eq!(s.port_view(P1), (vec![], vec![T(0)], vec![], vec![], 0));
}

#[test]
fn concurrency_zero_means_the_number_of_cpus() {
    let s = Sim::new(Windows, 3, &[0, 2], 1, &[]);
    assert_eq!((s.k.port(P0).concurrency(), s.k.port(P0).max()), (0, 3));
    assert_eq!((s.k.port(P1).concurrency(), s.k.port(P1).max()), (2, 2));
}

// ------------------------------------------------------------ rule 2: insert

#[test]
fn insert_hands_a_packet_to_the_most_recent_waiter_without_touching_the_iocq() {
    for (flavor, woken, rest, lifo) in [
        (Windows, T(2), vec![T(1), T(0)], true),
        (Wine, T(0), vec![T(1), T(2)], false),
        // Wine 10 wakes the most recent caller of get, as Windows does.
        (Wine10, T(2), vec![T(1), T(0)], true),
    ] {
        let mut s = Sim::one(flavor, 2, 3);
        s.all(&[get(T(0), P0), get(T(1), P0), get(T(2), P0)]);
        let out = s.ok(post(P0, 7)).clone();
        assert_eq!(out.result, CallResult::Success);
        assert_eq!(
            out.fired,
            vec![fired(
                Rule::Insert,
                Event::HandedOff {
                    thread: woken,
                    port: P0,
                    packet: pp(7),
                    extra: 0,
                    current: 1,
                    max: 2,
                    lifo,
                    gated: flavor == Windows
                }
            )],
            "{flavor:?}"
        );
        assert_eq!(out.deliveries, vec![delivery(woken, P0, pp(7))]);
        assert_eq!(s.port_view(P0), (vec![], rest, vec![woken], vec![], 1));
        assert_eq!(s.state(woken), (RUNNING, Some(P0)));
        assert_eq!(s.k.counters().made, 1);
        assert_eq!(s.k.counters().delivered, 1);
    }
}

#[test]
fn insert_with_no_waiter_appends_to_the_iocq_tail() {
    let mut s = Sim::one(Windows, 1, 0);
    s.ok(post(P0, 1));
    let out = s.ok(post(P0, 2)).clone();
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Insert,
            Event::Queued {
                port: P0,
                packet: pp(2),
                why: QueueWhy::NoWaiter,
                depth: 2
            }
        )]
    );
    assert_eq!(s.iocq(P0), vec![pp(1), pp(2)]);
}

#[test]
fn post_carries_its_fields_and_its_overlapped_label_is_not_tracked() {
    let mut s = Sim::one(Windows, 1, 0);
    s.ok(Action::Post {
        port: P0,
        key: 9,
        bytes: 512,
        overlapped: Some(OV_A),
        by: None,
    });
    assert_eq!(
        s.iocq(P0),
        vec![Packet {
            bytes: 512,
            key: 9,
            overlapped: Some(OV_A),
            status: StatusId::SUCCESS,
            origin: Origin::Post
        }]
    );
    assert_eq!(s.k.overlapped(OV_A), OvUse::Free);
    s.ok(issue(D0, OV_A)); // the label is free for a real request
    assert_eq!(s.k.overlapped(OV_A), OvUse::Pending(D0));
}

// ------------------------------------------------------------ rules 3-6

#[test]
fn block_and_unblock_of_a_free_thread_touch_no_port() {
    let mut s = Sim::one(Windows, 1, 1);
    let out = s
        .ok(Action::Block {
            thread: T(0),
            on: Some(LabelId(0)),
        })
        .clone();
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Block,
            Event::Blocked {
                thread: T(0),
                port: None,
                on: Some(LabelId(0)),
                current: 0
            }
        )]
    );
    assert_eq!(s.state(T(0)), (ThreadState::Paused(Some(LabelId(0))), None));
    assert_eq!(s.status(T(0)), ThreadStatus::Paused);
    let out = s.ok(unblock(T(0))).clone();
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Unblock,
            Event::Unblocked {
                thread: T(0),
                port: None,
                current: 0,
                max: 0
            }
        )]
    );
    assert_eq!(s.state(T(0)), (RUNNING, None));
    assert_eq!(s.port_view(P0), (vec![], vec![], vec![], vec![], 0));
}

#[test]
fn unblock_returns_to_the_rtl_with_no_check_against_max() {
    for flavor in [Windows, Wine] {
        // over_subscribed asserts the Unblocked event (current 2, max 1) and the state.
        let s = over_subscribed(flavor, 2);
        assert_eq!(s.state(T(0)), (RUNNING, Some(P0)));
    }
}

#[test]
fn timeout_releases_the_waiter_unchecked_with_wait_timeout() {
    let mut s = Sim::one(Windows, 1, 2);
    s.all(&[post(P0, 1), get(T(0), P0), get_ms(T(1), P0, 10)]);
    let out = s.ok(Action::Timeout { thread: T(1) }).clone();
    assert_eq!(out.result, CallResult::Success);
    assert_eq!(out.failures, vec![(T(1), WinError::WaitTimeout)]);
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Timeout,
            Event::TimedOut {
                thread: T(1),
                port: P0,
                current: 2,
                max: 1
            }
        )]
    );
    assert!(out.deliveries.is_empty());
    assert_eq!(
        s.port_view(P0),
        (vec![], vec![], vec![T(0), T(1)], vec![], 2)
    );
    assert!(s.k.port(P0).over_limit());
}

#[test]
fn timeout_takes_the_thread_out_of_the_middle_of_the_wtq() {
    let mut s = Sim::one(Windows, 1, 3);
    s.all(&[get(T(0), P0), get_ms(T(1), P0, 10), get(T(2), P0)]);
    s.ok(Action::Timeout { thread: T(1) });
    assert_eq!(
        s.port_view(P0),
        (vec![], vec![T(2), T(0)], vec![T(1)], vec![], 1)
    );
}

#[test]
fn exit_of_a_free_thread_fires_only_exit() {
    let mut s = Sim::one(Windows, 1, 1);
    let out = s.ok(Action::Exit { thread: T(0) }).clone();
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Exit,
            Event::Exited {
                thread: T(0),
                port: None,
                current: 0
            }
        )]
    );
    assert_eq!(s.state(T(0)), (ThreadState::Exited, None));
}

// ------------------------------------------------------------ rule 7: get_ex

#[test]
fn get_ex_takes_a_batch_and_counts_as_one_thread() {
    for flavor in [Windows, Wine] {
        let mut s = Sim::one(flavor, 1, 1);
        for key in 1..=4 {
            s.ok(post(P0, key));
        }
        let out = s.ok(get_ex(T(0), P0, 3)).clone();
        assert_eq!(out.result, CallResult::Success);
        assert_eq!(
            out.fired,
            vec![
                fired(
                    Rule::GetEx,
                    Event::Joined {
                        thread: T(0),
                        port: P0
                    }
                ),
                fired(
                    Rule::GetEx,
                    Event::Took {
                        thread: T(0),
                        port: P0,
                        count: 3,
                        current: 1,
                        max: 1,
                        gated: flavor == Windows
                    }
                ),
            ]
        );
        assert_eq!(
            out.deliveries,
            vec![
                delivery(T(0), P0, pp(1)),
                delivery(T(0), P0, pp(2)),
                delivery(T(0), P0, pp(3))
            ]
        );
        assert_eq!(
            s.port_view(P0),
            (vec![pp(4)], vec![], vec![T(0)], vec![], 1)
        );
        // Fewer queued than room: it takes what there is.
        let out = s.ok(get_ex(T(0), P0, 3)).clone();
        assert_eq!(out.deliveries, vec![delivery(T(0), P0, pp(4))]);
        assert_eq!(s.current(P0), 1);
    }
}

#[test]
fn get_ex_waiter_gets_a_post_handed_off() {
    let mut s = Sim::one(Windows, 1, 1);
    let out = s.ok(get_ex(T(0), P0, 4)).clone();
    assert_eq!(out.result, CallResult::Pending);
    assert_eq!(
        s.state(T(0)),
        (
            ThreadState::Waiting(Wait {
                timeout: Timeout::Infinite,
                batch: Some(4)
            }),
            Some(P0)
        )
    );
    let out = s.ok(post(P0, 1)).clone();
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Insert,
            Event::HandedOff {
                thread: T(0),
                port: P0,
                packet: pp(1),
                extra: 0,
                current: 1,
                max: 1,
                lifo: true,
                gated: true
            }
        )]
    );
    assert_eq!(out.deliveries, vec![delivery(T(0), P0, pp(1))]);
}

#[test]
fn get_ex_with_room_for_zero_is_rejected() {
    let mut s = Sim::one(Windows, 1, 1);
    let r = s.rejected(get_ex(T(0), P0, 0));
    assert_eq!(
        r,
        Rejection {
            rule: Rule::GetEx,
            kind: RejectKind::ZeroBatch { thread: T(0) }
        }
    );
    assert!(iocp_sim::narrate::rejection_reason(&r, &s.names).contains("worker0"));
}

// ------------------------------------------------------------ rule 8: close_port

/// max 1: T3 paused in the PTL, T0 running, T1 then T2 waiting, two packets queued.
fn busy_port(flavor: Flavor) -> Sim {
    let mut s = Sim::new(flavor, 4, &[1, 1], 5, &[false]);
    s.all(&[
        post(P0, 1),
        get(T(3), P0),
        block(T(3)),
        post(P0, 2),
        get(T(0), P0),
        get(T(1), P0),
        get(T(2), P0),
        associate(D0, P0, 40),
        issue(D0, OV_A),
        complete(OV_A, 100),
        post(P0, 4),
    ]);
    if flavor == Windows {
        assert_eq!(
            s.port_view(P0),
            (
                vec![io(100, 40, OV_A, StatusId::SUCCESS), pp(4)],
                vec![T(2), T(1)],
                vec![T(0)],
                vec![T(3)],
                1
            )
        );
    }
    s
}

#[test]
fn close_port_abandons_waiters_frees_the_rtl_unassociates_the_ptl_and_loses_packets() {
    let mut s = busy_port(Windows);
    let out = s.ok(Action::ClosePort { port: P0 }).clone();
    assert_eq!(out.result, CallResult::Success);
    assert_eq!(
        out.failures,
        vec![
            (T(2), WinError::AbandonedWait0),
            (T(1), WinError::AbandonedWait0)
        ]
    );
    assert!(out.deliveries.is_empty());
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::ClosePort,
                Event::Abandoned {
                    thread: T(2),
                    port: P0
                }
            ),
            fired(
                Rule::ClosePort,
                Event::Abandoned {
                    thread: T(1),
                    port: P0
                }
            ),
            fired(
                Rule::ClosePort,
                Event::Unassociated {
                    thread: T(0),
                    port: P0
                }
            ),
            fired(
                Rule::ClosePort,
                Event::Unassociated {
                    thread: T(3),
                    port: P0
                }
            ),
            fired(
                Rule::ClosePort,
                Event::Discarded {
                    port: P0,
                    packet: io(100, 40, OV_A, StatusId::SUCCESS)
                }
            ),
            fired(
                Rule::ClosePort,
                Event::Discarded {
                    port: P0,
                    packet: pp(4)
                }
            ),
            fired(Rule::ClosePort, Event::PortClosed { port: P0 }),
        ]
    );
    assert!(s.k.port(P0).closed());
    assert_eq!(s.port_view(P0), (vec![], vec![], vec![], vec![], 0));
    for t in [T(0), T(1), T(2)] {
        assert_eq!(s.state(t), (RUNNING, None), "{t:?}");
        assert_eq!(s.status(t), ThreadStatus::Free);
    }
    assert_eq!(s.state(T(3)), (ThreadState::Paused(None), None));
    let c = s.k.counters();
    assert_eq!((c.made, c.delivered, c.lost), (4, 2, 2));
    // A later unblock makes the paused thread free, touching no port.
    let out = s.ok(unblock(T(3))).clone();
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Unblock,
            Event::Unblocked {
                thread: T(3),
                port: None,
                current: 0,
                max: 0
            }
        )]
    );
    assert_eq!(s.status(T(3)), ThreadStatus::Free);
}

#[test]
fn every_use_of_a_closed_port_fails_with_invalid_handle_and_changes_nothing() {
    let mut s = busy_port(Windows);
    s.ok(Action::ClosePort { port: P0 });
    let closed = FailWhy::PortClosed(P0);
    let bad = WinError::InvalidHandle;
    s.fails_unchanged(post(P0, 9), bad, Rule::Insert, closed);
    assert!(s.out.failures.is_empty());
    s.fails_unchanged(Action::ClosePort { port: P0 }, bad, Rule::ClosePort, closed);
    s.fails_unchanged(associate(DeviceId(0), P0, 1), bad, Rule::Associate, closed);
    s.fails_unchanged(get(T(0), P0), bad, Rule::Get, closed);
    assert_eq!(s.out.failures, vec![(T(0), bad)]);
    s.fails_unchanged(poll(T(0), P0), bad, Rule::Get, closed);
    s.fails_unchanged(get_ex(T(0), P0, 2), bad, Rule::GetEx, closed);
    assert_eq!(s.out.failures, vec![(T(0), bad)]);
    assert_eq!(s.status(T(0)), ThreadStatus::Free);
}

#[test]
fn a_device_associated_before_the_close_makes_a_new_association_fail() {
    // D0 points at the closed P0: associating it anywhere is a second association.
    let mut s = busy_port(Windows);
    s.ok(Action::ClosePort { port: P0 });
    s.fails_unchanged(
        associate(D0, P1, 1),
        WinError::InvalidParameter,
        Rule::Associate,
        FailWhy::AlreadyAssociated(D0, P0),
    );
}

#[test]
fn get_on_a_closed_port_leaves_a_thread_in_another_ports_rtl_where_it_was() {
    for flavor in [Windows, Wine] {
        let mut s = Sim::new(flavor, 4, &[1, 1], 1, &[]);
        s.all(&[post(P1, 1), get(T(0), P1), Action::ClosePort { port: P0 }]);
        s.fails_unchanged(
            get(T(0), P0),
            WinError::InvalidHandle,
            Rule::Get,
            FailWhy::PortClosed(P0),
        );
        assert_eq!(s.state(T(0)), (RUNNING, Some(P1)));
        assert_eq!(s.port_view(P1), (vec![], vec![], vec![T(0)], vec![], 1));
    }
}

#[test]
fn a_completion_for_a_device_whose_port_is_closed_is_lost() {
    let mut s = Sim::one(Windows, 1, 0);
    s.all(&[
        associate(D0, P0, 5),
        issue(D0, OV_A),
        Action::ClosePort { port: P0 },
    ]);
    let out = s.ok(complete(OV_A, 10)).clone();
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Complete,
                Event::Completed {
                    device: D0,
                    overlapped: OV_A
                }
            ),
            fired(
                Rule::Complete,
                Event::NoPacket {
                    device: D0,
                    overlapped: OV_A,
                    why: NoPacketWhy::PortClosed
                }
            ),
        ]
    );
    let c = s.k.counters();
    assert_eq!((c.made, c.delivered, c.lost), (1, 0, 1));
    assert_eq!(s.k.overlapped(OV_A), OvUse::Free);
}

/// Measured on Wine 8.0 by the differential suite
/// (tests/diff-scenarios/close-port.json): closing a port wakes none of its
/// waiters; a completion meant for the closed port wakes the oldest with
/// ERROR_INVALID_HANDLE; a finite wait still times out.
#[test]
fn wine_close_port_leaves_waiters_asleep_until_a_late_completion_or_timeout() {
    let mut s = Sim::new(Wine, 4, &[2], 3, &[false]);
    s.all(&[
        associate(D0, P0, 5),
        issue(D0, OV_A),
        get(T(0), P0),
        get(T(1), P0),
        get_ms(T(2), P0, 100),
    ]);
    let out = s.ok(Action::ClosePort { port: P0 }).clone();
    assert!(out.failures.is_empty(), "Wine abandons nobody");
    assert_eq!(
        &out.fired[..3],
        &[
            fired(
                Rule::ClosePort,
                Event::Stranded {
                    thread: T(0),
                    port: P0
                }
            ),
            fired(
                Rule::ClosePort,
                Event::Stranded {
                    thread: T(1),
                    port: P0
                }
            ),
            fired(
                Rule::ClosePort,
                Event::Stranded {
                    thread: T(2),
                    port: P0
                }
            ),
        ]
    );
    assert_eq!(s.wtq(P0), vec![T(0), T(1), T(2)]);
    assert_eq!(s.status(T(0)), ThreadStatus::Waiting);
    // A stranded thread is still inside its call: it cannot call anything.
    s.rejected(get(T(0), P0));
    // A post to the closed port fails and wakes nobody.
    s.fails_unchanged(
        post(P0, 1),
        WinError::InvalidHandle,
        Rule::Insert,
        FailWhy::PortClosed(P0),
    );
    // The late completion is lost and wakes the oldest waiter with an error.
    let out = s.ok(complete(OV_A, 10)).clone();
    assert_eq!(out.failures, vec![(T(0), WinError::InvalidHandle)]);
    assert!(out.deliveries.is_empty());
    assert_eq!(s.k.counters().lost, 1);
    assert_eq!(s.state(T(0)), (RUNNING, None));
    assert_eq!(s.wtq(P0), vec![T(1), T(2)]);
    // A finite wait on the closed port times out and leaves the thread free.
    let out = s.ok(Action::Timeout { thread: T(2) }).clone();
    assert_eq!(out.failures, vec![(T(2), WinError::WaitTimeout)]);
    assert_eq!(s.state(T(2)), (RUNNING, None));
    assert_eq!((s.wtq(P0), s.current(P0)), (vec![T(1)], 0));
}

#[test]
fn windows_close_port_abandons_the_same_waiters_and_a_late_completion_wakes_nobody() {
    let mut s = Sim::new(Windows, 4, &[2], 2, &[false]);
    s.all(&[
        associate(D0, P0, 5),
        issue(D0, OV_A),
        get(T(0), P0),
        get(T(1), P0),
    ]);
    let out = s.ok(Action::ClosePort { port: P0 }).clone();
    assert_eq!(
        out.failures,
        vec![
            (T(1), WinError::AbandonedWait0),
            (T(0), WinError::AbandonedWait0)
        ]
    );
    let out = s.ok(complete(OV_A, 10)).clone();
    assert!(out.failures.is_empty());
    assert_eq!(s.k.counters().lost, 1);
}

#[test]
fn close_port_frees_the_overlapped_of_a_discarded_io_packet() {
    let mut s = Sim::one(Windows, 1, 0);
    s.all(&[
        associate(D0, P0, 5),
        issue(D0, OV_A),
        complete(OV_A, 10),
        Action::ClosePort { port: P0 },
    ]);
    assert_eq!(s.k.overlapped(OV_A), OvUse::Free);
}

// ------------------------------------------------------------ rule 9: associate

#[test]
fn associate_adds_the_device_list_entry_once() {
    let mut s = Sim::new(Windows, 4, &[1, 1], 0, &[false, false]);
    let out = s.ok(associate(D0, P0, 77)).clone();
    assert_eq!(out.result, CallResult::Success);
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Associate,
            Event::Associated {
                device: D0,
                port: P0,
                key: 77
            }
        )]
    );
    assert_eq!(s.k.devices().entry(D0), Some((P0, 77)));
    assert_eq!(s.k.devices().entry(D1), None);
    for again in [associate(D0, P0, 77), associate(D0, P1, 1)] {
        s.fails_unchanged(
            again,
            WinError::InvalidParameter,
            Rule::Associate,
            FailWhy::AlreadyAssociated(D0, P0),
        );
    }
}

#[test]
fn every_use_of_a_closed_device_fails_with_invalid_handle_and_changes_nothing() {
    let mut s = Sim::new(Windows, 4, &[1], 0, &[false, false]);
    s.all(&[associate(D0, P0, 1), Action::CloseDevice { device: D0 }]);
    let why = FailWhy::DeviceClosed(D0);
    let bad = WinError::InvalidHandle;
    s.fails_unchanged(associate(D0, P0, 1), bad, Rule::Associate, why);
    s.fails_unchanged(issue(D0, OV_A), bad, Rule::Issue, why);
    s.fails_unchanged(issue_inline(D0, OV_A, 5), bad, Rule::Issue, why);
    s.fails_unchanged(
        Action::CloseDevice { device: D0 },
        bad,
        Rule::CloseDevice,
        why,
    );
    // A never-associated device closes too, and is then unusable.
    s.ok(Action::CloseDevice { device: D1 });
    s.fails_unchanged(
        associate(D1, P0, 1),
        bad,
        Rule::Associate,
        FailWhy::DeviceClosed(D1),
    );
}

// ------------------------------------------------------------ rule 10: issue

#[test]
fn issue_leaves_a_request_pending_under_its_overlapped() {
    let mut s = Sim::one(Windows, 1, 0);
    s.ok(associate(D0, P0, 3));
    let out = s.ok(issue(D0, OV_A)).clone();
    assert_eq!(out.result, CallResult::Pending);
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Issue,
            Event::Issued {
                device: D0,
                overlapped: OV_A,
                inline: false
            }
        )]
    );
    assert_eq!(s.k.overlapped(OV_A), OvUse::Pending(D0));
    assert_eq!(s.k.devices().get(D0).unwrap().pending(), vec![OV_A]);
    assert!(s.iocq(P0).is_empty());
}

#[test]
fn inline_success_still_queues_a_packet_without_skip_on_success() {
    let mut s = Sim::one(Windows, 1, 0);
    s.ok(associate(D0, P0, 3));
    let out = s.ok(issue_inline(D0, OV_A, 64)).clone();
    assert_eq!(out.result, CallResult::Success);
    let packet = io(64, 3, OV_A, StatusId::SUCCESS);
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Issue,
                Event::Issued {
                    device: D0,
                    overlapped: OV_A,
                    inline: true
                }
            ),
            fired(
                Rule::Insert,
                Event::Queued {
                    port: P0,
                    packet,
                    why: QueueWhy::NoWaiter,
                    depth: 1
                }
            ),
        ]
    );
    assert_eq!(s.iocq(P0), vec![packet]);
    assert_eq!(s.k.overlapped(OV_A), OvUse::Queued);
    assert!(s.k.devices().get(D0).unwrap().pending().is_empty());
}

#[test]
fn inline_success_with_skip_on_success_makes_no_packet() {
    let mut s = Sim::new(Windows, 4, &[1], 0, &[true]);
    s.ok(associate(D0, P0, 3));
    let out = s.ok(issue_inline(D0, OV_A, 64)).clone();
    assert_eq!(out.result, CallResult::Success);
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Issue,
                Event::Issued {
                    device: D0,
                    overlapped: OV_A,
                    inline: true
                }
            ),
            fired(
                Rule::Issue,
                Event::NoPacket {
                    device: D0,
                    overlapped: OV_A,
                    why: NoPacketWhy::SkipOnSuccess
                }
            ),
        ]
    );
    assert!(s.iocq(P0).is_empty());
    assert_eq!(s.k.overlapped(OV_A), OvUse::Free);
    assert_eq!(s.k.counters().made, 0);
    // A request that pends on a skip-on-success device still completes to the port.
    s.all(&[issue(D0, OV_B), complete(OV_B, 8)]);
    assert_eq!(s.iocq(P0), vec![io(8, 3, OV_B, StatusId::SUCCESS)]);
}

#[test]
fn inline_success_on_an_unassociated_device_makes_no_packet() {
    for skip in [false, true] {
        let mut s = Sim::new(Windows, 4, &[1], 0, &[skip]);
        let out = s.ok(issue_inline(D0, OV_A, 64)).clone();
        assert_eq!(
            out.fired[1],
            fired(
                Rule::Issue,
                Event::NoPacket {
                    device: D0,
                    overlapped: OV_A,
                    why: NoPacketWhy::NotAssociated
                }
            ),
            "skip_on_success {skip}"
        );
        assert_eq!(out.fired.len(), 2);
        assert_eq!(s.k.overlapped(OV_A), OvUse::Free);
        assert_eq!(s.k.counters().made, 0);
    }
}

#[test]
fn overlapped_reuse_is_rejected_while_pending_and_while_queued_and_allowed_after_dequeue() {
    let mut s = Sim::new(Windows, 4, &[1], 1, &[false, false]);
    s.all(&[associate(D0, P0, 3), issue(D0, OV_A)]);

    let r = s.rejected(issue(D1, OV_A));
    assert_eq!(
        r,
        Rejection {
            rule: Rule::Issue,
            kind: RejectKind::OverlappedInUse {
                overlapped: OV_A,
                pending_on: Some(D0)
            }
        }
    );
    let m = iocp_sim::narrate::rejection_reason(&r, &s.names);
    assert!(m.contains("ovA") && m.contains("sock0"), "{m}");

    s.ok(complete(OV_A, 10));
    assert_eq!(s.k.overlapped(OV_A), OvUse::Queued);
    let r = s.rejected(issue(D0, OV_A));
    assert_eq!(
        r.kind,
        RejectKind::OverlappedInUse {
            overlapped: OV_A,
            pending_on: None
        }
    );
    assert!(iocp_sim::narrate::rejection_reason(&r, &s.names).contains("ovA"));
    // Completing it again is not possible either: it is not pending.
    let r = s.rejected(complete(OV_A, 10));
    assert_eq!(
        r,
        Rejection {
            rule: Rule::Complete,
            kind: RejectKind::NotPending { overlapped: OV_A }
        }
    );

    s.ok(get(T(0), P0));
    assert_eq!(
        s.out.deliveries,
        vec![delivery(T(0), P0, io(10, 3, OV_A, StatusId::SUCCESS))]
    );
    assert_eq!(s.k.overlapped(OV_A), OvUse::Free);
    s.ok(issue(D1, OV_A));
    assert_eq!(s.k.overlapped(OV_A), OvUse::Pending(D1));
}

#[test]
fn an_overlapped_handed_off_directly_is_free_at_once() {
    let mut s = Sim::one(Windows, 1, 1);
    s.all(&[
        associate(D0, P0, 3),
        get(T(0), P0),
        issue(D0, OV_A),
        complete(OV_A, 1),
    ]);
    assert_eq!(s.out.deliveries.len(), 1);
    assert_eq!(s.k.overlapped(OV_A), OvUse::Free);
}

// ------------------------------------------------------------ rule 11: complete

#[test]
fn requests_complete_out_of_order_and_queue_in_completion_order() {
    let mut s = Sim::one(Windows, 1, 0);
    s.all(&[
        associate(D0, P0, 3),
        issue(D0, OV_A),
        issue(D0, OV_B),
        issue(D0, OV_C),
    ]);
    let out = s
        .ok(Action::Complete {
            overlapped: OV_C,
            bytes: 30,
            status: ERR,
        })
        .clone();
    let c = io(30, 3, OV_C, ERR);
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Complete,
                Event::Completed {
                    device: D0,
                    overlapped: OV_C
                }
            ),
            fired(
                Rule::Insert,
                Event::Queued {
                    port: P0,
                    packet: c,
                    why: QueueWhy::NoWaiter,
                    depth: 1
                }
            ),
        ]
    );
    assert_eq!(s.k.devices().get(D0).unwrap().pending(), vec![OV_A, OV_B]);
    s.all(&[complete(OV_A, 10), complete(OV_B, 20)]);
    assert_eq!(
        s.iocq(P0),
        vec![
            c,
            io(10, 3, OV_A, StatusId::SUCCESS),
            io(20, 3, OV_B, StatusId::SUCCESS)
        ]
    );
    assert!(s.k.devices().get(D0).unwrap().pending().is_empty());
}

#[test]
fn a_completion_on_an_unassociated_device_makes_no_packet() {
    let mut s = Sim::one(Windows, 1, 0);
    s.ok(issue(D0, OV_A));
    let out = s.ok(complete(OV_A, 5)).clone();
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::Complete,
                Event::Completed {
                    device: D0,
                    overlapped: OV_A
                }
            ),
            fired(
                Rule::Complete,
                Event::NoPacket {
                    device: D0,
                    overlapped: OV_A,
                    why: NoPacketWhy::NotAssociated
                }
            ),
        ]
    );
    assert_eq!(s.k.overlapped(OV_A), OvUse::Free);
    assert_eq!(s.k.counters().made, 0);
}

#[test]
fn a_completion_is_handed_to_a_waiter_like_a_post() {
    let mut s = Sim::one(Windows, 1, 2);
    s.all(&[
        associate(D0, P0, 3),
        get(T(0), P0),
        get(T(1), P0),
        issue(D0, OV_A),
    ]);
    let out = s.ok(complete(OV_A, 5)).clone();
    assert_eq!(
        out.fired[1],
        fired(
            Rule::Insert,
            Event::HandedOff {
                thread: T(1),
                port: P0,
                packet: io(5, 3, OV_A, StatusId::SUCCESS),
                extra: 0,
                current: 1,
                max: 1,
                lifo: true,
                gated: true
            }
        )
    );
}

// ------------------------------------------------------------ rule 12: close_device

#[test]
fn close_device_aborts_pending_requests_in_issue_order_then_removes_the_entry() {
    let mut s = Sim::one(Windows, 1, 0);
    s.all(&[
        associate(D0, P0, 3),
        issue(D0, OV_A),
        issue(D0, OV_B),
        issue(D0, OV_C),
        complete(OV_B, 20),
    ]);
    let out = s.ok(Action::CloseDevice { device: D0 }).clone();
    assert_eq!(out.result, CallResult::Success);
    let a = io(0, 3, OV_A, StatusId::OPERATION_ABORTED);
    let c = io(0, 3, OV_C, StatusId::OPERATION_ABORTED);
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::CloseDevice,
                Event::Aborted {
                    device: D0,
                    overlapped: OV_A
                }
            ),
            fired(
                Rule::Insert,
                Event::Queued {
                    port: P0,
                    packet: a,
                    why: QueueWhy::NoWaiter,
                    depth: 2
                }
            ),
            fired(
                Rule::CloseDevice,
                Event::Aborted {
                    device: D0,
                    overlapped: OV_C
                }
            ),
            fired(
                Rule::Insert,
                Event::Queued {
                    port: P0,
                    packet: c,
                    why: QueueWhy::NoWaiter,
                    depth: 3
                }
            ),
            fired(
                Rule::CloseDevice,
                Event::DeviceClosed {
                    device: D0,
                    aborted: 2,
                    packets: 2
                }
            ),
        ]
    );
    assert_eq!(s.iocq(P0), vec![io(20, 3, OV_B, StatusId::SUCCESS), a, c]);
    let dev = s.k.devices().get(D0).unwrap();
    assert!(dev.closed() && dev.pending().is_empty());
    assert_eq!(s.k.devices().entry(D0), None);
    assert_eq!(s.k.overlapped(OV_A), OvUse::Queued);
}

#[test]
fn close_device_hands_aborted_requests_to_waiters() {
    for (flavor, first) in [(Windows, T(1)), (Wine, T(0))] {
        let mut s = Sim::one(flavor, 2, 2);
        s.all(&[
            associate(D0, P0, 3),
            get(T(0), P0),
            get(T(1), P0),
            issue(D0, OV_A),
            issue(D0, OV_B),
        ]);
        let out = s.ok(Action::CloseDevice { device: D0 }).clone();
        let second = if first == T(1) { T(0) } else { T(1) };
        assert_eq!(
            out.deliveries,
            vec![
                delivery(first, P0, io(0, 3, OV_A, StatusId::OPERATION_ABORTED)),
                delivery(second, P0, io(0, 3, OV_B, StatusId::OPERATION_ABORTED)),
            ],
            "{flavor:?}"
        );
        assert_eq!(s.current(P0), 2);
    }
}

#[test]
fn close_device_on_an_unassociated_device_aborts_without_packets() {
    let mut s = Sim::one(Windows, 1, 0);
    s.ok(issue(D0, OV_A));
    let out = s.ok(Action::CloseDevice { device: D0 }).clone();
    assert_eq!(
        out.fired,
        vec![
            fired(
                Rule::CloseDevice,
                Event::Aborted {
                    device: D0,
                    overlapped: OV_A
                }
            ),
            fired(
                Rule::CloseDevice,
                Event::NoPacket {
                    device: D0,
                    overlapped: OV_A,
                    why: NoPacketWhy::NotAssociated
                }
            ),
            fired(
                Rule::CloseDevice,
                Event::DeviceClosed {
                    device: D0,
                    aborted: 1,
                    packets: 0
                }
            ),
        ]
    );
    assert_eq!(s.k.overlapped(OV_A), OvUse::Free);
}

// ------------------------------------------------------------ rejections

#[test]
fn every_rejection_kind_leaves_the_state_unchanged_and_names_the_offender() {
    // T0 waits INFINITE, T1 waits 10ms, T2 paused on Sleep(100) in the PTL,
    // T3 exited, T4 free and running; ovA pending on sock0.
    let mut s = Sim::new(Windows, 4, &[2], 5, &[false]);
    s.all(&[
        poll(T(2), P0),
        Action::Block {
            thread: T(2),
            on: Some(LabelId(0)),
        },
        get(T(0), P0),
        get_ms(T(1), P0, 10),
        Action::Exit { thread: T(3) },
        associate(D0, P0, 1),
        issue(D0, OV_A),
    ]);
    let cases: Vec<(Action, Rule, RejectKind, &[&str])> = vec![
        (
            get(T(9), P0),
            Rule::Get,
            RejectKind::UnknownThread(T(9)),
            &["#9"],
        ),
        (
            get(T(4), PortId(5)),
            Rule::Get,
            RejectKind::UnknownPort(PortId(5)),
            &["#5"],
        ),
        (
            associate(DeviceId(3), P0, 1),
            Rule::Associate,
            RejectKind::UnknownDevice(DeviceId(3)),
            &["#3"],
        ),
        (
            post(PortId(2), 1),
            Rule::Insert,
            RejectKind::UnknownPort(PortId(2)),
            &["#2"],
        ),
        (
            get(T(0), P0),
            Rule::Get,
            RejectKind::ThreadWaiting {
                thread: T(0),
                port: P0,
            },
            &["worker0", "port0"],
        ),
        (
            block(T(1)),
            Rule::Block,
            RejectKind::ThreadWaiting {
                thread: T(1),
                port: P0,
            },
            &["worker1", "port0"],
        ),
        (
            get_ex(T(2), P0, 2),
            Rule::GetEx,
            RejectKind::ThreadPaused {
                thread: T(2),
                port: Some(P0),
                on: Some(LabelId(0)),
            },
            &["worker2", "Sleep(100)", "port0"],
        ),
        (
            Action::Exit { thread: T(2) },
            Rule::Exit,
            RejectKind::ThreadPaused {
                thread: T(2),
                port: Some(P0),
                on: Some(LabelId(0)),
            },
            &["worker2"],
        ),
        (
            get(T(3), P0),
            Rule::Get,
            RejectKind::ThreadExited { thread: T(3) },
            &["worker3"],
        ),
        (
            unblock(T(3)),
            Rule::Unblock,
            RejectKind::ThreadExited { thread: T(3) },
            &["worker3"],
        ),
        (
            Action::Timeout { thread: T(3) },
            Rule::Timeout,
            RejectKind::ThreadExited { thread: T(3) },
            &["worker3"],
        ),
        (
            unblock(T(4)),
            Rule::Unblock,
            RejectKind::NotPaused { thread: T(4) },
            &["worker4"],
        ),
        (
            unblock(T(0)),
            Rule::Unblock,
            RejectKind::NotPaused { thread: T(0) },
            &["worker0"],
        ),
        (
            Action::Timeout { thread: T(4) },
            Rule::Timeout,
            RejectKind::NotWaiting { thread: T(4) },
            &["worker4"],
        ),
        (
            Action::Timeout { thread: T(2) },
            Rule::Timeout,
            RejectKind::NotWaiting { thread: T(2) },
            &["worker2"],
        ),
        (
            Action::Timeout { thread: T(0) },
            Rule::Timeout,
            RejectKind::InfiniteWait {
                thread: T(0),
                port: P0,
            },
            &["worker0", "port0", "INFINITE"],
        ),
        (
            issue(D0, OV_A),
            Rule::Issue,
            RejectKind::OverlappedInUse {
                overlapped: OV_A,
                pending_on: Some(D0),
            },
            &["ovA", "sock0"],
        ),
        (
            complete(OV_B, 1),
            Rule::Complete,
            RejectKind::NotPending { overlapped: OV_B },
            &["ovB"],
        ),
        (
            get_ex(T(4), P0, 0),
            Rule::GetEx,
            RejectKind::ZeroBatch { thread: T(4) },
            &["worker4"],
        ),
    ];
    for (action, rule, kind, words) in cases {
        let r = s.rejected(action);
        assert_eq!(r, Rejection { rule, kind }, "{action:?}");
        assert_eq!(s.k.validate(action), Err(r), "validate agrees with apply");
        let m = iocp_sim::narrate::rejection_reason(&r, &s.names);
        for w in words {
            assert!(m.contains(w), "message for {action:?} should name {w}: {m}");
        }
    }
    // The timed waiter can time out; it was untouched by all of the above.
    s.ok(Action::Timeout { thread: T(1) });
    assert_eq!(s.out.failures, vec![(T(1), WinError::WaitTimeout)]);
}

#[test]
fn rule_numbers_and_labels_match_model_md() {
    let numbers: Vec<Option<u8>> = Rule::ALL.iter().map(|r| r.number()).collect();
    let mut expected = vec![None];
    expected.extend((1..=12).map(Some));
    assert_eq!(numbers, expected);
    assert_eq!(Rule::Unblock.label(), "rule 4 (unblock)");
    assert_eq!(Rule::Activate.label(), "activate");
}

// ------------------------------------------------------------ Wine 10
// Each difference of the `wine10` flavour measured with the probe
// (docs/differential.md), pinned against Windows and Wine 8.

#[test]
fn wine10_wakes_the_most_recent_waiter_and_ignores_the_limit() {
    // Concurrency 1, three waiters, three posts: Windows releases one
    // (LIFO) and queues the rest; Wine 8 releases all three oldest first;
    // Wine 10 releases all three, most recent first.
    for (flavor, order, queued) in [
        (Windows, vec![T(2)], 2),
        (Wine, vec![T(0), T(1), T(2)], 0),
        (Wine10, vec![T(2), T(1), T(0)], 0),
    ] {
        let mut s = Sim::one(flavor, 1, 3);
        s.all(&[get(T(0), P0), get(T(1), P0), get(T(2), P0)]);
        let mut woken = Vec::new();
        for key in 1..=3 {
            let out = s.ok(post(P0, key)).clone();
            woken.extend(out.deliveries.iter().map(|d| d.thread));
        }
        assert_eq!(woken, order, "{flavor:?}");
        assert_eq!(s.iocq(P0).len(), queued, "{flavor:?}");
        assert_eq!(s.current(P0), order.len() as u32, "{flavor:?}");
    }
    // Nothing ever waits for room in Wine 10: a get takes a queued packet
    // over the limit, and a block wakes nobody.
    let mut s = over_subscribed(Wine10, 2);
    s.all(&[post(P0, 3)]);
    let out = s.ok(get(T(1), P0)).clone();
    assert_eq!(out.deliveries, vec![delivery(T(1), P0, pp(3))]);
    assert_eq!(s.current(P0), 2);
}

#[test]
fn wine10_close_port_abandons_waiters_and_a_late_completion_wakes_nobody() {
    // Wine 8 strands these waiters (see the test above); Wine 10 fails
    // them with ERROR_ABANDONED_WAIT_0 as Windows does, most recent first.
    let mut s = Sim::new(Wine10, 4, &[2], 2, &[false]);
    s.all(&[
        associate(D0, P0, 5),
        issue(D0, OV_A),
        get(T(0), P0),
        get(T(1), P0),
    ]);
    let out = s.ok(Action::ClosePort { port: P0 }).clone();
    assert_eq!(
        out.failures,
        vec![
            (T(1), WinError::AbandonedWait0),
            (T(0), WinError::AbandonedWait0)
        ]
    );
    assert!(!out
        .fired
        .iter()
        .any(|f| matches!(f.event, Event::Stranded { .. })));
    assert_eq!(s.state(T(0)), (RUNNING, None));
    assert_eq!(s.state(T(1)), (RUNNING, None));
    let out = s.ok(complete(OV_A, 10)).clone();
    assert!(out.failures.is_empty());
    assert_eq!(s.k.counters().lost, 1);
}

#[test]
fn wine10_is_named_and_parsed() {
    assert_eq!(Flavor::parse("wine10"), Some(Wine10));
    assert_eq!(Wine10.as_str(), "wine10");
    assert!(!Wine10.gated());
    assert!(Wine10.abandons_waiters_on_close());
    assert_eq!(Flavor::parse("wine"), Some(Wine));
    assert_eq!(Flavor::parse("wine9"), None);
}

// ------------------------------------------------ rule 2: the queue-wait mark

fn mark(s: &Sim, t: ThreadId) -> bool {
    s.k.thread(t).queue_mark()
}

/// Port P0 with concurrency 2: worker0 took a queued packet at once (it
/// carries the mark), worker1 waits in the WTQ, `current` is 1.
fn marked_worker_and_a_waiter(flavor: Flavor) -> Sim {
    let mut s = Sim::one(flavor, 2, 2);
    s.all(&[post(P0, 1), get(T(0), P0), get(T(1), P0)]);
    assert_eq!(s.port_view(P0), (vec![], vec![T(1)], vec![T(0)], vec![], 1));
    s
}

#[test]
fn mark_is_set_by_a_get_that_takes_a_packet_at_once_or_a_failed_poll() {
    let mut s = Sim::one(Windows, 1, 3);
    assert!(!mark(&s, T(0)), "a free thread has no mark");
    s.ok(post(P0, 1));
    s.ok(get(T(0), P0));
    assert!(mark(&s, T(0)), "took a queued packet without sleeping");
    s.ok(poll(T(1), P0));
    assert_eq!(s.out.result, CallResult::Failed(WinError::WaitTimeout));
    assert!(
        mark(&s, T(1)),
        "a zero-timeout poll that failed did not sleep"
    );
    s.ok(Action::GetEx {
        thread: T(2),
        port: P0,
        max: 2,
        timeout: Timeout::Ms(0),
    });
    assert!(mark(&s, T(2)), "get_ex is a get too");
    // Wine 8 and Wine 10 have no such rule: they never set the mark.
    for flavor in [Wine, Wine10] {
        let mut w = Sim::one(flavor, 1, 1);
        w.all(&[post(P0, 1), get(T(0), P0)]);
        assert!(!mark(&w, T(0)), "{flavor:?}");
    }
}

#[test]
fn mark_is_cleared_by_sleeping_in_the_wtq_however_the_thread_wakes() {
    // Woken by a handoff.
    let mut s = marked_worker_and_a_waiter(Windows);
    s.ok(get(T(0), P0));
    assert_eq!(s.state(T(0)), (WAITING, Some(P0)));
    assert!(!mark(&s, T(0)), "sleeping in the WTQ clears the mark");
    s.ok(post(P0, 2)); // handed to worker0, the most recent waiter
    assert_eq!(s.state(T(0)), (RUNNING, Some(P0)));
    assert!(!mark(&s, T(0)), "woken by a handoff: still no mark");
    // Woken by a timeout.
    let mut s = Sim::one(Windows, 1, 1);
    s.all(&[post(P0, 1), get(T(0), P0), get_ms(T(0), P0, 10)]);
    s.ok(Action::Timeout { thread: T(0) });
    assert_eq!(s.state(T(0)), (RUNNING, Some(P0)));
    assert!(!mark(&s, T(0)), "woken by its timeout: no mark");
    // Woken by activate.
    let mut s = Sim::one(Windows, 1, 2);
    s.all(&[post(P0, 1), get(T(0), P0), get(T(1), P0), post(P0, 2)]);
    assert!(mark(&s, T(0)));
    s.ok(block(T(0)));
    assert!(!mark(&s, T(0)), "blocking clears the mark");
    assert_eq!(s.state(T(1)), (RUNNING, Some(P0)), "activate woke worker1");
    assert!(!mark(&s, T(1)), "woken by activate: no mark");
    s.ok(unblock(T(0)));
    assert!(!mark(&s, T(0)), "unblocking does not bring it back");
}

#[test]
fn mark_is_cleared_by_exit_and_kept_by_a_call_that_fails_with_invalid_handle() {
    let mut s = Sim::new(Windows, 4, &[1, 1], 2, &[]);
    s.all(&[post(P0, 1), get(T(0), P0), Action::ClosePort { port: P1 }]);
    assert!(mark(&s, T(0)));
    // A get on a closed port changes nothing, the mark included (set)...
    s.fails_unchanged(
        get(T(0), P1),
        WinError::InvalidHandle,
        Rule::Get,
        FailWhy::PortClosed(P1),
    );
    assert!(mark(&s, T(0)));
    // ... and (not set).
    assert!(!mark(&s, T(1)));
    s.fails_unchanged(
        get(T(1), P1),
        WinError::InvalidHandle,
        Rule::Get,
        FailWhy::PortClosed(P1),
    );
    assert!(!mark(&s, T(1)));
    s.ok(Action::Exit { thread: T(0) });
    assert!(!mark(&s, T(0)), "exit clears the mark");
}

#[test]
fn a_marked_worker_posting_to_its_own_port_keeps_the_packet_queued_while_a_waiter_sleeps() {
    let mut s = marked_worker_and_a_waiter(Windows);
    assert!(mark(&s, T(0)));
    let out = s.ok(post_by(T(0), P0, 2)).clone();
    assert_eq!(out.result, CallResult::Success);
    assert_eq!(
        out.fired,
        vec![fired(
            Rule::Insert,
            Event::Queued {
                port: P0,
                packet: pp(2),
                why: QueueWhy::MarkedInserter {
                    thread: T(0),
                    current: 1,
                    max: 2
                },
                depth: 1
            }
        )]
    );
    assert!(out.deliveries.is_empty());
    // Idle work: a packet queued, a thread waiting, current < max.
    assert_eq!(
        s.port_view(P0),
        (vec![pp(2)], vec![T(1)], vec![T(0)], vec![], 1)
    );
    assert!(mark(&s, T(0)), "posting does not change the mark");
    // The worker comes back for it, as the kernel bet.
    s.ok(get(T(0), P0));
    assert_eq!(s.out.deliveries, vec![delivery(T(0), P0, pp(2))]);
    assert_eq!(s.port_view(P0), (vec![], vec![T(1)], vec![T(0)], vec![], 1));
}

#[test]
fn an_outside_post_overtakes_the_kept_packet() {
    let mut s = marked_worker_and_a_waiter(Windows);
    s.ok(post_by(T(0), P0, 2));
    let out = s.ok(post(P0, 3)).clone();
    assert_eq!(
        out.deliveries,
        vec![delivery(T(1), P0, pp(3))],
        "the later packet goes straight to the waiter"
    );
    assert_eq!(
        s.port_view(P0),
        (vec![pp(2)], vec![], vec![T(0), T(1)], vec![], 2),
        "the kept packet is still queued"
    );
}

#[test]
fn the_mark_clause_needs_the_mark_the_same_port_and_the_windows_flavour() {
    let handed = |s: &Sim| {
        matches!(
            s.out.fired[..],
            [Fired {
                event: Event::HandedOff { .. },
                ..
            }]
        )
    };
    // No `by`: the call comes from outside the scenario, as before.
    let mut s = marked_worker_and_a_waiter(Windows);
    s.ok(post(P0, 2));
    assert!(handed(&s));
    // A worker that slept since its last get has no mark.
    let mut s = marked_worker_and_a_waiter(Windows);
    s.all(&[block(T(0)), unblock(T(0))]);
    s.ok(post_by(T(0), P0, 2));
    assert!(handed(&s));
    // A marked thread of another port: its post to P0 is handed off.
    let mut s = Sim::new(Windows, 4, &[2, 1], 2, &[]);
    s.all(&[post(P1, 1), get(T(0), P1), get(T(1), P0)]);
    assert!(mark(&s, T(0)));
    s.ok(post_by(T(0), P0, 2));
    assert!(handed(&s));
    // A free thread (no port) is not a thread of P0.
    let mut s = Sim::one(Windows, 2, 2);
    s.ok(get(T(1), P0));
    s.ok(post_by(T(0), P0, 2));
    assert!(handed(&s));
    // Wine 8 and Wine 10: no such rule.
    for flavor in [Wine, Wine10] {
        let mut s = marked_worker_and_a_waiter(flavor);
        s.ok(post_by(T(0), P0, 2));
        assert!(handed(&s), "{flavor:?}");
    }
}

#[test]
fn an_inline_completion_by_a_marked_worker_is_queued_but_a_driver_completion_is_handed_off() {
    let mut s = marked_worker_and_a_waiter(Windows);
    s.ok(associate(D0, P0, 5));
    let out = s.ok(issue_inline_by(T(0), D0, OV_A, 64)).clone();
    let kept = io(64, 5, OV_A, StatusId::SUCCESS);
    assert!(
        out.fired.contains(&fired(
            Rule::Insert,
            Event::Queued {
                port: P0,
                packet: kept,
                why: QueueWhy::MarkedInserter {
                    thread: T(0),
                    current: 1,
                    max: 2
                },
                depth: 1
            }
        )),
        "{:?}",
        out.fired
    );
    assert_eq!(s.iocq(P0), vec![kept]);
    // A pending request's completion is made by the driver, not the worker.
    s.ok(issue(D0, OV_B));
    let out = s.ok(complete(OV_B, 8)).clone();
    assert_eq!(
        out.deliveries,
        vec![delivery(T(1), P0, io(8, 5, OV_B, StatusId::SUCCESS))]
    );
    assert_eq!(s.iocq(P0), vec![kept]);
}

#[test]
fn by_must_be_a_running_thread() {
    let mut s = Sim::one(Windows, 2, 4);
    s.all(&[get(T(0), P0), block(T(1)), Action::Exit { thread: T(2) }]);
    for (t, kind) in [
        (
            T(0),
            RejectKind::ThreadWaiting {
                thread: T(0),
                port: P0,
            },
        ),
        (
            T(1),
            RejectKind::ThreadPaused {
                thread: T(1),
                port: None,
                on: None,
            },
        ),
        (T(2), RejectKind::ThreadExited { thread: T(2) }),
        (T(9), RejectKind::UnknownThread(T(9))),
    ] {
        let r = s.rejected(post_by(t, P0, 1));
        assert_eq!(r.rule, Rule::Insert);
        assert_eq!(r.kind, kind);
        let r = s.rejected(issue_inline_by(t, D0, OV_A, 1));
        assert_eq!((r.rule, r.kind), (Rule::Issue, kind));
    }
    // A free running thread and a thread in an RTL may call.
    s.ok(post_by(T(3), P0, 1));
    s.ok(post(P0, 2));
    s.ok(get(T(3), P0));
    s.ok(post_by(T(3), P0, 3));
}
