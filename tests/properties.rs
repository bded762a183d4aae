//! Properties 1-7 of `docs/model.md` (the shared contract), checked with
//! proptest over random sequences of valid and invalid actions on random
//! small worlds.
//!
//! Every step is checked twice: by the model's own
//! [`iocp_sim::model::properties::check_step`], and by this file's
//! independent bookkeeping (the [`Shadow`]), which derives from the actions
//! alone which packets must have been made and in what order they entered
//! each port, which threads wait in each WTQ, and which OVERLAPPEDs are in
//! use. Every post gets a unique completion key and every completion a
//! unique byte count, so each packet can be followed individually.
//!
//! On failure proptest prints the shrunk case as a numbered list of actions.

use std::collections::HashMap;
use std::fmt;

use iocp_sim::model::properties::check_step;
use iocp_sim::model::{
    Action, CallResult, DeviceId, Event, Flavor, Kernel, KernelConfig, LabelId, Names, NoPacketWhy,
    Origin, Outcome, OvId, Packet, PortId, RejectKind, StatusId, ThreadId, ThreadState, Timeout,
    WinError,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{RngAlgorithm, TestCaseError, TestRunner};

/// Cases per property test.
const CASES: u32 = 4000;
/// Longest action sequence.
const MAX_STEPS: usize = 60;
/// Size of the pool of OVERLAPPED labels.
const OVS: u32 = 4;
/// Posts get key `UNIQUE + step`, completions `UNIQUE + step` bytes.
const UNIQUE: u64 = 1000;
/// A failure status other than success and ERROR_OPERATION_ABORTED.
const SOME_ERROR: StatusId = StatusId(2);

// ---------------------------------------------------------------- worlds

/// The shape of a random world.
#[derive(Clone, Debug)]
struct World {
    cpus: u32,
    ports: Vec<u32>,
    threads: usize,
    devices: Vec<bool>,
}

/// One generated test case: a world, a flavour and the actions to apply.
#[derive(Clone)]
struct Case {
    flavor: Flavor,
    world: World,
    actions: Vec<Action>,
}

impl Case {
    fn config(&self) -> KernelConfig {
        KernelConfig {
            flavor: self.flavor,
            cpus: self.world.cpus,
            ports: self.world.ports.clone(),
            threads: self.world.threads,
            devices: self.world.devices.clone(),
        }
    }
}

fn fmt_timeout(t: Timeout) -> String {
    match t {
        Timeout::Infinite => "INFINITE".into(),
        Timeout::Ms(ms) => format!("{ms}ms"),
    }
}

fn fmt_ov(ov: Option<OvId>) -> String {
    match ov {
        Some(o) => format!("ov{}", o.0),
        None => "null".into(),
    }
}

fn fmt_status(s: StatusId) -> &'static str {
    match s {
        StatusId::SUCCESS => "success",
        StatusId::OPERATION_ABORTED => "ERROR_OPERATION_ABORTED",
        _ => "ERROR_NETNAME_DELETED",
    }
}

/// One action as a short line, ids named as in [`names`].
fn fmt_action(a: &Action) -> String {
    match *a {
        Action::Associate { device, port, key } => {
            format!("associate(D{}, P{}, key {key})", device.0, port.0)
        }
        Action::Issue {
            device,
            overlapped,
            inline,
        } => match inline {
            None => format!("issue(D{}, ov{})", device.0, overlapped.0),
            Some(b) => format!("issue(D{}, ov{}, inline {b} bytes)", device.0, overlapped.0),
        },
        Action::Complete {
            overlapped,
            bytes,
            status,
        } => format!(
            "complete(ov{}, {bytes} bytes, {})",
            overlapped.0,
            fmt_status(status)
        ),
        Action::Post {
            port,
            key,
            bytes,
            overlapped,
        } => format!(
            "post(P{}, key {key}, {bytes} bytes, {})",
            port.0,
            fmt_ov(overlapped)
        ),
        Action::Get {
            thread,
            port,
            timeout,
        } => format!("get(T{}, P{}, {})", thread.0, port.0, fmt_timeout(timeout)),
        Action::GetEx {
            thread,
            port,
            max,
            timeout,
        } => format!(
            "get_ex(T{}, P{}, n={max}, {})",
            thread.0,
            port.0,
            fmt_timeout(timeout)
        ),
        Action::Block { thread, .. } => format!("block(T{})", thread.0),
        Action::Unblock { thread } => format!("unblock(T{})", thread.0),
        Action::Timeout { thread } => format!("timeout(T{})", thread.0),
        Action::Exit { thread } => format!("exit(T{})", thread.0),
        Action::CloseDevice { device } => format!("close_device(D{})", device.0),
        Action::ClosePort { port } => format!("close_port(P{})", port.0),
    }
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.world;
        writeln!(
            f,
            "{} world: cpus {}, ports (concurrency) {:?}, {} threads, devices (skip_on_success) {:?}",
            self.flavor.as_str(),
            w.cpus,
            w.ports,
            w.threads,
            w.devices
        )?;
        for (i, a) in self.actions.iter().enumerate() {
            writeln!(f, "  {:>2}. {}", i + 1, fmt_action(a))?;
        }
        Ok(())
    }
}

/// Names `P0..`, `T0..`, `D0..`, `ov0..` for rejection messages.
fn names(w: &World) -> Names {
    let mut n = Names::new(
        (0..w.ports.len()).map(|i| format!("P{i}")).collect(),
        (0..w.threads).map(|i| format!("T{i}")).collect(),
        (0..w.devices.len()).map(|i| format!("D{i}")).collect(),
    );
    for i in 0..OVS {
        n.intern_overlapped(&format!("ov{i}"));
    }
    n
}

// ------------------------------------------------------------ strategies

fn world() -> impl Strategy<Value = World> {
    (
        1u32..=4,
        prop::collection::vec(0u32..=3, 1..=3),
        1usize..=6,
        prop::collection::vec(any::<bool>(), 0..=3),
    )
        .prop_map(|(cpus, ports, threads, devices)| World {
            cpus,
            ports,
            threads,
            devices,
        })
}

/// An index below `n` most of the time, sometimes `n` itself (an unknown id).
fn id(n: usize) -> BoxedStrategy<u32> {
    if n == 0 {
        Just(0).boxed()
    } else {
        prop_oneof![12 => 0..n as u32, 1 => Just(n as u32)].boxed()
    }
}

fn timeout() -> impl Strategy<Value = Timeout> {
    prop_oneof![
        2 => Just(Timeout::Infinite),
        2 => Just(Timeout::Ms(0)),
        1 => Just(Timeout::Ms(10)),
    ]
}

fn action(w: &World) -> impl Strategy<Value = Action> {
    let t = || id(w.threads).prop_map(ThreadId);
    let p = || id(w.ports.len()).prop_map(PortId);
    let d = || id(w.devices.len()).prop_map(DeviceId);
    let ov = || (0..OVS).prop_map(OvId);
    prop_oneof![
        2 => (d(), p(), 0u64..3).prop_map(|(device, port, key)| Action::Associate { device, port, key }),
        3 => (d(), ov(), prop::option::weighted(0.3, Just(0u64)))
            .prop_map(|(device, overlapped, inline)| Action::Issue { device, overlapped, inline }),
        4 => (ov(), prop_oneof![3 => Just(StatusId::SUCCESS), 1 => Just(SOME_ERROR)])
            .prop_map(|(overlapped, status)| Action::Complete { overlapped, bytes: 0, status }),
        5 => (p(), prop::option::weighted(0.5, ov()))
            .prop_map(|(port, overlapped)| Action::Post { port, key: 0, bytes: 0, overlapped }),
        6 => (t(), p(), timeout()).prop_map(|(thread, port, timeout)| Action::Get { thread, port, timeout }),
        2 => (t(), p(), 0u32..=3, timeout())
            .prop_map(|(thread, port, max, timeout)| Action::GetEx { thread, port, max, timeout }),
        2 => (t(), prop::option::weighted(0.3, Just(LabelId(0))))
            .prop_map(|(thread, on)| Action::Block { thread, on }),
        2 => t().prop_map(|thread| Action::Unblock { thread }),
        2 => t().prop_map(|thread| Action::Timeout { thread }),
        1 => t().prop_map(|thread| Action::Exit { thread }),
        1 => d().prop_map(|device| Action::CloseDevice { device }),
        1 => p().prop_map(|port| Action::ClosePort { port }),
    ]
}

/// Gives every post a unique key and every completion unique bytes, so
/// each packet can be identified.
fn uniquify(actions: &mut [Action]) {
    for (i, a) in actions.iter_mut().enumerate() {
        let u = UNIQUE + i as u64;
        match a {
            Action::Post { key, bytes, .. } => {
                *key = u;
                *bytes = i as u64;
            }
            Action::Complete { bytes, .. } => *bytes = u,
            Action::Issue {
                inline: Some(b), ..
            } => *b = u,
            _ => {}
        }
    }
}

fn case(flavor: Flavor) -> impl Strategy<Value = Case> {
    world()
        .prop_flat_map(|w| {
            let actions = prop::collection::vec(action(&w), 0..=MAX_STEPS);
            (Just(w), actions)
        })
        .prop_map(move |(world, mut actions)| {
            uniquify(&mut actions);
            Case {
                flavor,
                world,
                actions,
            }
        })
}

// --------------------------------------------------------------- shadow

/// Where a packet is, by the shadow's account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Where {
    Queued(PortId),
    Delivered(ThreadId),
    Lost,
}

/// How a packet is recognised in the model's output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Ident {
    /// A post: its unique key.
    Post(u64),
    /// A completion or an inline success: its unique byte count.
    Io(u64),
    /// An abort by close_device (0 bytes): its OVERLAPPED, in use until
    /// the packet is gone, so unique among live packets.
    Abort(OvId),
}

fn ident(p: &Packet) -> Ident {
    match p.origin {
        Origin::Post => Ident::Post(p.key),
        Origin::Io if p.bytes == 0 => {
            Ident::Abort(p.overlapped.expect("I/O packets carry an OVERLAPPED"))
        }
        Origin::Io => Ident::Io(p.bytes),
    }
}

/// One packet made during the run.
struct Token {
    packet: Packet,
    at: Where,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SOv {
    Free,
    Pending(DeviceId),
    Queued,
}

struct SDev {
    entry: Option<(PortId, u64)>,
    skip: bool,
    closed: bool,
    pending: Vec<OvId>,
}

/// Bookkeeping derived from the actions alone, independent of the model.
struct Shadow {
    lifo: bool,
    port_closed: Vec<bool>,
    devs: Vec<SDev>,
    ovs: Vec<SOv>,
    tokens: Vec<Token>,
    live: HashMap<Ident, usize>,
    /// Per port: the tokens queued, in FIFO order.
    queues: Vec<Vec<usize>>,
    /// Per port: waiting threads in arrival order.
    wtqs: Vec<Vec<ThreadId>>,
}

/// What the shadow expects of one accepted step.
#[derive(Default)]
struct Expect {
    /// Tokens inserted this step, with their port, in insertion order.
    inserted: Vec<(PortId, usize)>,
    /// Tokens made for a closed port this step.
    lost_at_birth: Vec<usize>,
}

macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(TestCaseError::fail(format!($($arg)+)));
        }
    };
}

type Check = Result<(), TestCaseError>;

impl Shadow {
    fn new(case: &Case) -> Shadow {
        let w = &case.world;
        Shadow {
            // Windows and Wine 10 wake the most recent waiter and abandon
            // waiters on close; Wine 8 does neither.
            lifo: case.flavor != Flavor::Wine,
            port_closed: vec![false; w.ports.len()],
            devs: w
                .devices
                .iter()
                .map(|&skip| SDev {
                    entry: None,
                    skip,
                    closed: false,
                    pending: Vec::new(),
                })
                .collect(),
            ovs: vec![SOv::Free; OVS as usize],
            tokens: Vec::new(),
            live: HashMap::new(),
            queues: vec![Vec::new(); w.ports.len()],
            wtqs: vec![Vec::new(); w.ports.len()],
        }
    }

    fn make(&mut self, packet: Packet) -> Result<usize, TestCaseError> {
        let id = self.tokens.len();
        let prev = self.live.insert(ident(&packet), id);
        ensure!(
            prev.is_none(),
            "shadow: two live packets look alike: {packet:?}"
        );
        self.tokens.push(Token {
            packet,
            at: Where::Lost,
        });
        Ok(id)
    }

    /// A token leaves the system (delivered or lost): its identity and, for
    /// I/O packets, its OVERLAPPED become free.
    fn retire(&mut self, tok: usize, at: Where) {
        let packet = self.tokens[tok].packet;
        self.tokens[tok].at = at;
        self.live.remove(&ident(&packet));
        if packet.origin == Origin::Io {
            if let Some(ov) = packet.overlapped {
                self.ovs[ov.index()] = SOv::Free;
            }
        }
    }

    /// A request on `d` under `ov` finished: a packet, or none (rules 10, 11, 12).
    fn completion(
        &mut self,
        d: DeviceId,
        ov: OvId,
        bytes: u64,
        status: StatusId,
        exp: &mut Expect,
    ) -> Check {
        match self.devs[d.index()].entry {
            None => self.ovs[ov.index()] = SOv::Free,
            Some((p, key)) => {
                let tok = self.make(Packet {
                    bytes,
                    key,
                    overlapped: Some(ov),
                    status,
                    origin: Origin::Io,
                })?;
                if self.port_closed[p.index()] {
                    self.retire(tok, Where::Lost);
                    exp.lost_at_birth.push(tok);
                } else {
                    self.ovs[ov.index()] = SOv::Queued;
                    self.tokens[tok].at = Where::Queued(p);
                    exp.inserted.push((p, tok));
                }
            }
        }
        Ok(())
    }

    /// Predicts, from the shadow alone, whether an OVERLAPPED action must be
    /// rejected: `Some(true)` rejected, `Some(false)` accepted, `None` when
    /// the shadow does not judge this action.
    fn ov_rejects(&self, a: &Action) -> Option<bool> {
        match *a {
            Action::Issue {
                device, overlapped, ..
            } if device.index() < self.devs.len() => {
                Some(self.ovs[overlapped.index()] != SOv::Free)
            }
            Action::Complete { overlapped, .. } => {
                Some(!matches!(self.ovs[overlapped.index()], SOv::Pending(_)))
            }
            _ => None,
        }
    }

    /// Applies an accepted action to the shadow; returns what it expects of
    /// the model's outcome.
    fn accept(&mut self, a: &Action) -> Result<Expect, TestCaseError> {
        let mut exp = Expect::default();
        match *a {
            Action::Post {
                port,
                key,
                bytes,
                overlapped,
            } => {
                if !self.port_closed[port.index()] {
                    let tok = self.make(Packet {
                        bytes,
                        key,
                        overlapped,
                        status: StatusId::SUCCESS,
                        origin: Origin::Post,
                    })?;
                    self.tokens[tok].at = Where::Queued(port);
                    exp.inserted.push((port, tok));
                }
            }
            Action::Associate { device, port, key } => {
                let dev = &mut self.devs[device.index()];
                if !dev.closed && !self.port_closed[port.index()] && dev.entry.is_none() {
                    dev.entry = Some((port, key));
                }
            }
            Action::Issue {
                device,
                overlapped,
                inline,
            } => {
                let dev = &self.devs[device.index()];
                if !dev.closed {
                    ensure!(
                        self.ovs[overlapped.index()] == SOv::Free,
                        "issue accepted with ov{} in use",
                        overlapped.0
                    );
                    match inline {
                        None => {
                            self.devs[device.index()].pending.push(overlapped);
                            self.ovs[overlapped.index()] = SOv::Pending(device);
                        }
                        Some(_) if dev.skip && dev.entry.is_some() => {}
                        Some(bytes) => {
                            self.completion(device, overlapped, bytes, StatusId::SUCCESS, &mut exp)?
                        }
                    }
                }
            }
            Action::Complete {
                overlapped,
                bytes,
                status,
            } => {
                let SOv::Pending(d) = self.ovs[overlapped.index()] else {
                    return Err(TestCaseError::fail(format!(
                        "complete accepted for ov{} which is not pending",
                        overlapped.0
                    )));
                };
                self.devs[d.index()].pending.retain(|&o| o != overlapped);
                self.completion(d, overlapped, bytes, status, &mut exp)?;
            }
            Action::CloseDevice { device } => {
                if !self.devs[device.index()].closed {
                    let pending = std::mem::take(&mut self.devs[device.index()].pending);
                    for ov in pending {
                        self.completion(device, ov, 0, StatusId::OPERATION_ABORTED, &mut exp)?;
                    }
                    let dev = &mut self.devs[device.index()];
                    dev.entry = None;
                    dev.closed = true;
                }
            }
            Action::ClosePort { port } => {
                self.port_closed[port.index()] = true;
            }
            Action::Get { .. }
            | Action::GetEx { .. }
            | Action::Block { .. }
            | Action::Unblock { .. }
            | Action::Exit { .. } => {}
            Action::Timeout { thread } => {
                let found = self.wtqs.iter_mut().find_map(|q| {
                    q.iter().position(|&t| t == thread).map(|i| {
                        q.remove(i);
                    })
                });
                ensure!(
                    found.is_some(),
                    "timeout(T{}) accepted but T{} waits in no WTQ",
                    thread.0,
                    thread.0
                );
            }
        }
        Ok(exp)
    }

    fn token_of(&self, packet: &Packet) -> Result<usize, TestCaseError> {
        let Some(&tok) = self.live.get(&ident(packet)) else {
            return Err(TestCaseError::fail(format!(
                "a packet nobody made (or already gone): {packet:?}"
            )));
        };
        ensure!(
            self.tokens[tok].packet == *packet,
            "packet changed: made {:?}, seen {packet:?}",
            self.tokens[tok].packet
        );
        Ok(tok)
    }
}

// -------------------------------------------------------------- checks

/// Which of this file's own checks a test asserts (check_step always runs).
#[derive(Clone, Copy)]
struct Props(u8);

impl Props {
    fn has(self, n: u8) -> bool {
        self.0 & (1 << n) != 0
    }
    fn only(n: u8) -> Props {
        Props(1 << n)
    }
}

fn run_case(case: &Case, props: Props) -> Check {
    let mut k = Kernel::new(&case.config());
    let mut shadow = Shadow::new(case);
    let names = names(&case.world);
    let mut out = Outcome::default();
    for (i, a) in case.actions.iter().enumerate() {
        let before = k.clone();
        let r = k.apply(*a, &mut out);
        step(case, &names, &mut shadow, &before, a, r, &out, &k, props)
            .map_err(|e| TestCaseError::fail(format!("step {} {}: {e}", i + 1, fmt_action(a))))?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn step(
    case: &Case,
    names: &Names,
    shadow: &mut Shadow,
    before: &Kernel,
    a: &Action,
    r: Result<(), iocp_sim::model::Rejection>,
    out: &Outcome,
    after: &Kernel,
    props: Props,
) -> Check {
    check_step(before, a, r.is_ok().then_some(out), after)
        .map_err(|v| TestCaseError::fail(format!("check_step: {v}")))?;
    let ov_rejects = shadow.ov_rejects(a);
    let rejection = match r {
        Err(rej) => rej,
        Ok(()) => {
            if props.has(7) {
                if let Some(rejects) = ov_rejects {
                    ensure!(!rejects, "accepted although its OVERLAPPED forbids it");
                }
            }
            return accepted(case, shadow, before, a, out, after, props);
        }
    };
    if props.has(7) {
        ensure!(
            before == after,
            "rejected ({:?}) but the state changed",
            rejection.kind
        );
        ensure!(
            *out == Outcome::default(),
            "rejected but the outcome is not empty: {out:?}"
        );
        ensure!(
            after.validate(*a) == Err(rejection),
            "validate disagrees with apply about {:?}",
            rejection.kind
        );
        if let Some(rejects) = ov_rejects {
            let about_ov = matches!(
                rejection.kind,
                RejectKind::OverlappedInUse { .. } | RejectKind::NotPending { .. }
            );
            ensure!(
                rejects == about_ov,
                "shadow says OVERLAPPED rejection {rejects}, model rejected with {:?}",
                rejection.kind
            );
        }
        let msg = rejection.message(names);
        let named = match rejection.kind {
            RejectKind::UnknownThread(t) => format!("#{}", t.0),
            RejectKind::UnknownPort(p) => format!("#{}", p.0),
            RejectKind::UnknownDevice(d) => format!("#{}", d.0),
            RejectKind::ThreadWaiting { thread, .. }
            | RejectKind::ThreadPaused { thread, .. }
            | RejectKind::ThreadExited { thread }
            | RejectKind::NotPaused { thread }
            | RejectKind::NotWaiting { thread }
            | RejectKind::InfiniteWait { thread, .. }
            | RejectKind::ZeroBatch { thread } => names.thread(thread).to_owned(),
            RejectKind::OverlappedInUse { overlapped, .. }
            | RejectKind::NotPending { overlapped } => names.overlapped(overlapped).to_owned(),
        };
        ensure!(
            msg.contains(&named),
            "rejection message {msg:?} does not name {named}"
        );
    }
    Ok(())
}

fn accepted(
    case: &Case,
    shadow: &mut Shadow,
    before: &Kernel,
    a: &Action,
    out: &Outcome,
    after: &Kernel,
    props: Props,
) -> Check {
    let nports = after.ports().len();
    // Snapshot the shadow queues before this step's inserts and removals.
    let queued_before: Vec<Vec<usize>> = shadow.queues.clone();
    let wtq_closing: Option<(PortId, Vec<ThreadId>)> = match *a {
        Action::ClosePort { port } if !before.port(port).closed => {
            Some((port, shadow.wtqs[port.index()].clone()))
        }
        _ => None,
    };
    let exp = shadow.accept(a)?;

    // ---- Property 1: every packet exactly once in an IOCQ, delivered or lost.
    let mut left: Vec<Vec<usize>> = vec![Vec::new(); nports];
    for d in &out.deliveries {
        let tok = shadow.token_of(&d.packet)?;
        if props.has(1) {
            ensure!(
                shadow.tokens[tok].at == Where::Queued(d.port),
                "packet {:?} delivered from P{} but it was {:?}",
                d.packet,
                d.port.0,
                shadow.tokens[tok].at
            );
        }
        shadow.retire(tok, Where::Delivered(d.thread));
        left[d.port.index()].push(tok);
    }
    let mut lost_now = 0usize;
    for f in &out.fired {
        match f.event {
            Event::Discarded { port, packet } => {
                let tok = shadow.token_of(&packet)?;
                if props.has(1) {
                    ensure!(
                        shadow.tokens[tok].at == Where::Queued(port),
                        "packet {packet:?} discarded from P{} but it was {:?}",
                        port.0,
                        shadow.tokens[tok].at
                    );
                }
                shadow.retire(tok, Where::Lost);
                left[port.index()].push(tok);
            }
            Event::NoPacket {
                why: NoPacketWhy::PortClosed,
                ..
            } => lost_now += 1,
            _ => {}
        }
    }
    if props.has(1) {
        ensure!(
            lost_now == exp.lost_at_birth.len(),
            "{lost_now} completions reported lost for a closed port, expected {}",
            exp.lost_at_birth.len()
        );
        if let Action::ClosePort { port } = *a {
            if !before.port(port).closed {
                ensure!(
                    left[port.index()].len() == queued_before[port.index()].len()
                        && out.deliveries.is_empty(),
                    "close_port(P{}) discarded {} packets; {} were queued",
                    port.0,
                    left[port.index()].len(),
                    queued_before[port.index()].len()
                );
            }
        }
    }
    // The IOCQs after the step, as tokens.
    let mut now_queued: Vec<Vec<usize>> = Vec::with_capacity(nports);
    for port in after.ports() {
        let mut q = Vec::with_capacity(port.iocq.len());
        for packet in port.iocq.iter() {
            q.push(shadow.token_of(packet)?);
        }
        now_queued.push(q);
    }
    if props.has(1) {
        let mut seen = vec![false; shadow.tokens.len()];
        for (p, q) in now_queued.iter().enumerate() {
            for &tok in q {
                ensure!(
                    !seen[tok],
                    "packet {:?} queued twice",
                    shadow.tokens[tok].packet
                );
                seen[tok] = true;
                ensure!(
                    shadow.tokens[tok].at == Where::Queued(PortId(p as u32)),
                    "packet {:?} sits in P{p}'s IOCQ but it was {:?}",
                    shadow.tokens[tok].packet,
                    shadow.tokens[tok].at
                );
            }
        }
        let (mut queued, mut delivered, mut lost) = (0u64, 0u64, 0u64);
        for (tok, t) in shadow.tokens.iter().enumerate() {
            match t.at {
                Where::Queued(_) => {
                    ensure!(
                        seen[tok],
                        "packet {:?} vanished: in no IOCQ, not delivered, not lost",
                        t.packet
                    );
                    queued += 1;
                }
                Where::Delivered(_) => delivered += 1,
                Where::Lost => lost += 1,
            }
        }
        let c = after.counters();
        ensure!(
            (c.made, c.delivered, c.lost) == (shadow.tokens.len() as u64, delivered, lost),
            "model counts made {} delivered {} lost {}; shadow {} / {delivered} / {lost} ({queued} queued)",
            c.made,
            c.delivered,
            c.lost,
            shadow.tokens.len()
        );
    }

    // ---- Property 5: each port's packets leave in the order they entered.
    if props.has(5) {
        for p in 0..nports {
            let mut entered = queued_before[p].clone();
            entered.extend(
                exp.inserted
                    .iter()
                    .filter(|(q, _)| q.index() == p)
                    .map(|&(_, t)| t),
            );
            let mut gone = left[p].clone();
            gone.extend(now_queued[p].iter().copied());
            ensure!(
                entered == gone,
                "P{p}: packets entered in order {entered:?} but left/remain in order {gone:?}"
            );
        }
    }
    shadow.queues = now_queued;

    // ---- Property 4 (Windows LIFO; Wine FIFO): the thread woken is the next in wake order.
    for f in &out.fired {
        // Wine leaves waiters asleep on a closed port; a completion meant
        // for it wakes the oldest (Event::StrandedWoken).
        if let Event::HandedOff { thread, port, .. }
        | Event::Woke { thread, port, .. }
        | Event::StrandedWoken { thread, port } = f.event
        {
            let q = &mut shadow.wtqs[port.index()];
            let next = if shadow.lifo {
                q.pop()
            } else if q.is_empty() {
                None
            } else {
                Some(q.remove(0))
            };
            if props.has(4) {
                ensure!(
                    next == Some(thread),
                    "P{} woke T{} but the next in wake order was {:?}",
                    port.0,
                    thread.0,
                    next
                );
            }
        }
    }
    if let Some((p, waiters)) = wtq_closing {
        let abandoned: Vec<ThreadId> = out
            .fired
            .iter()
            .filter_map(|f| match f.event {
                Event::Abandoned { thread, .. } => Some(thread),
                _ => None,
            })
            .collect();
        let mut expected = waiters;
        if shadow.lifo {
            expected.reverse();
        } else {
            // Wine abandons nobody: the waiters stay in the closed port's WTQ.
            expected.clear();
        }
        if props.has(4) {
            ensure!(
                abandoned == expected,
                "close_port(P{}) abandoned {abandoned:?}, expected {expected:?}",
                p.0
            );
        }
        if shadow.lifo {
            shadow.wtqs[p.index()].clear();
        }
    }
    match *a {
        Action::Get { thread, port, .. } | Action::GetEx { thread, port, .. }
            if out.result == CallResult::Pending =>
        {
            shadow.wtqs[port.index()].push(thread)
        }
        _ => {}
    }
    if props.has(4) {
        for (p, port) in after.ports().iter().enumerate() {
            ensure!(
                port.wtq.arrival_order() == shadow.wtqs[p].as_slice(),
                "P{p}: WTQ {:?}, shadow {:?}",
                port.wtq.arrival_order(),
                shadow.wtqs[p]
            );
        }
    }

    // ---- Property 2: current == |RTL|, and every thread is where its state says.
    if props.has(2) {
        check_structures(after)?;
    }

    // ---- Property 3 (Windows): no idle work.
    if props.has(3) && case.flavor == Flavor::Windows {
        for (p, port) in after.ports().iter().enumerate() {
            ensure!(
                !(port.current < port.max && !port.iocq.is_empty() && !port.wtq.is_empty()),
                "P{p} idles: current {} < max {} with {} queued and {} waiting",
                port.current,
                port.max,
                port.iocq.len(),
                port.wtq.len()
            );
        }
    }

    // ---- Property 6 (Windows): over-subscription has a cause.
    if props.has(6) && case.flavor == Flavor::Windows {
        for (p, (b, port)) in before.ports().iter().zip(after.ports()).enumerate() {
            if port.current > port.max && port.current > b.current {
                let cause = match *a {
                    Action::Unblock { .. } | Action::Timeout { .. } => true,
                    Action::Get { .. } | Action::GetEx { .. } => {
                        out.result == CallResult::Failed(WinError::WaitTimeout)
                    }
                    _ => false,
                };
                ensure!(
                    cause,
                    "P{p}: current rose from {} to {} past max {} without an unblock, a timeout or a failed poll",
                    b.current,
                    port.current,
                    port.max
                );
                ensure!(
                    port.current == b.current + 1,
                    "P{p}: current jumped from {} to {}",
                    b.current,
                    port.current
                );
            }
        }
        for f in &out.fired {
            if let Event::HandedOff {
                port, current, max, ..
            }
            | Event::Woke {
                port, current, max, ..
            }
            | Event::Took {
                port, current, max, ..
            } = f.event
            {
                ensure!(
                    current <= max,
                    "P{} released a thread while at or over its limit (now {current}/{max})",
                    port.0
                );
            }
        }
    }
    Ok(())
}

/// Property 2 and the structure invariants behind it: `current == |RTL|`;
/// a thread is in at most one structure, the one its state names.
fn check_structures(k: &Kernel) -> Check {
    for (p, port) in k.ports().iter().enumerate() {
        ensure!(
            port.current as usize == port.rtl.len(),
            "P{p}: current {} but |RTL| = {}",
            port.current,
            port.rtl.len()
        );
        if port.closed {
            // Wine leaves waiters asleep on a closed port (measured on Wine
            // 8.0); nothing else stays.
            ensure!(
                port.rtl.is_empty()
                    && port.ptl.is_empty()
                    && (port.wtq.is_empty() || k.flavor() == Flavor::Wine)
                    && port.iocq.is_empty(),
                "closed P{p} still holds threads or packets"
            );
        }
        let members = port.rtl.len() + port.ptl.len() + port.wtq.len();
        let claimed = k
            .threads()
            .iter()
            .filter(|t| t.port == Some(PortId(p as u32)))
            .count();
        ensure!(
            members == claimed,
            "P{p}: {members} threads in RTL+PTL+WTQ but {claimed} threads say they belong to it"
        );
    }
    for (i, t) in k.threads().iter().enumerate() {
        let id = ThreadId(i as u32);
        if let Some(p) = t.port {
            let port = k.port(p);
            let (r, w, s) = (
                port.rtl.contains(id),
                port.wtq.contains(id),
                port.ptl.contains(id),
            );
            let ok = match t.state {
                ThreadState::Running => r && !w && !s,
                ThreadState::Waiting(_) => !r && w && !s,
                ThreadState::Paused(_) => !r && !w && s,
                ThreadState::Exited => false,
            };
            ensure!(
                ok,
                "T{i} is {:?} in P{} but RTL {r}, WTQ {w}, PTL {s}",
                t.state,
                p.0
            );
        } else {
            ensure!(
                !matches!(t.state, ThreadState::Waiting(_)),
                "T{i} waits but belongs to no port"
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- tests

/// `CASES` per property, or `PROPTEST_CASES` from the environment for a
/// quicker or a deeper run. A failing seed is saved next to this file in
/// `properties.proptest-regressions` and replayed first on the next run.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES);
    ProptestConfig {
        cases,
        source_file: Some(file!()),
        // ChaCha in a debug build costs most of the run; XorShift is plenty here.
        rng_algorithm: RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

fn check(flavor: Flavor, property: u8) {
    let mut runner = TestRunner::new(config());
    let result = runner.run(&case(flavor), |c| run_case(&c, Props::only(property)));
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn prop1_conservation_windows() {
    check(Flavor::Windows, 1);
}

#[test]
fn prop1_conservation_wine() {
    check(Flavor::Wine, 1);
}

#[test]
fn prop2_current_equals_rtl_windows() {
    check(Flavor::Windows, 2);
}

#[test]
fn prop2_current_equals_rtl_wine() {
    check(Flavor::Wine, 2);
}

#[test]
fn prop3_no_idle_work_windows() {
    check(Flavor::Windows, 3);
}

#[test]
fn prop4_lifo_wake_windows() {
    check(Flavor::Windows, 4);
}

/// Not a property of model.md, but its Wine section: Wine wakes the oldest waiter.
#[test]
fn wine_wakes_fifo() {
    check(Flavor::Wine, 4);
}

#[test]
fn prop5_fifo_packets_windows() {
    check(Flavor::Windows, 5);
}

#[test]
fn prop5_fifo_packets_wine() {
    check(Flavor::Wine, 5);
}

#[test]
fn prop6_oversubscription_has_cause_windows() {
    check(Flavor::Windows, 6);
}

#[test]
fn prop7_rejection_changes_nothing_windows() {
    check(Flavor::Windows, 7);
}

#[test]
fn prop7_rejection_changes_nothing_wine() {
    check(Flavor::Wine, 7);
}

/// Wine 10 (measured with the probe): the properties of Wine 8, plus LIFO wake.
#[test]
fn wine10_properties_1_2_4_5_7() {
    for property in [1, 2, 4, 5, 7] {
        check(Flavor::Wine10, property);
    }
}

/// The generator is not vacuous: over a fixed sample it reaches every rule,
/// the interesting events and every kind of rejection.
#[test]
fn generator_reaches_every_rule_and_rejection() {
    let mut runner = TestRunner::deterministic();
    let strategy = case(Flavor::Windows);
    let mut events: HashMap<&'static str, usize> = HashMap::new();
    let mut rejections: HashMap<&'static str, usize> = HashMap::new();
    let (mut over_limit, mut accepted, mut rejected) = (0, 0, 0);
    for _ in 0..1500 {
        let c = strategy.new_tree(&mut runner).expect("a case").current();
        let mut k = Kernel::new(&c.config());
        let mut out = Outcome::default();
        for a in &c.actions {
            match k.apply(*a, &mut out) {
                Ok(()) => {
                    accepted += 1;
                    for f in &out.fired {
                        *events.entry(event_name(&f.event)).or_default() += 1;
                    }
                    over_limit += k.ports().iter().filter(|p| p.over_limit()).count();
                }
                Err(r) => {
                    rejected += 1;
                    *rejections.entry(reject_name(&r.kind)).or_default() += 1;
                }
            }
        }
    }
    for e in [
        "Returned",
        "LeftPort",
        "Joined",
        "Took",
        "Waits",
        "PollFailed",
        "HandedOff",
        "Queued",
        "Woke",
        "Held",
        "Blocked",
        "Unblocked",
        "TimedOut",
        "Exited",
        "Associated",
        "Issued",
        "Completed",
        "NoPacket",
        "Aborted",
        "DeviceClosed",
        "Abandoned",
        "Unassociated",
        "Discarded",
        "PortClosed",
        "Failed",
    ] {
        assert!(
            events.get(e).copied().unwrap_or(0) > 0,
            "no {e} event in the sample: {events:?}"
        );
    }
    for r in [
        "UnknownThread",
        "UnknownPort",
        "UnknownDevice",
        "ThreadWaiting",
        "ThreadPaused",
        "ThreadExited",
        "NotPaused",
        "NotWaiting",
        "InfiniteWait",
        "OverlappedInUse",
        "NotPending",
        "ZeroBatch",
    ] {
        assert!(
            rejections.get(r).copied().unwrap_or(0) > 0,
            "no {r} rejection: {rejections:?}"
        );
    }
    assert!(over_limit > 0, "no step left a port over its limit");
    assert!(
        accepted > rejected,
        "{accepted} accepted vs {rejected} rejected"
    );
}

fn event_name(e: &Event) -> &'static str {
    match e {
        Event::Returned { .. } => "Returned",
        Event::LeftPort { .. } => "LeftPort",
        Event::Joined { .. } => "Joined",
        Event::Took { .. } => "Took",
        Event::Waits { .. } => "Waits",
        Event::PollFailed { .. } => "PollFailed",
        Event::HandedOff { .. } => "HandedOff",
        Event::Queued { .. } => "Queued",
        Event::Woke { .. } => "Woke",
        Event::Held { .. } => "Held",
        Event::Blocked { .. } => "Blocked",
        Event::Unblocked { .. } => "Unblocked",
        Event::TimedOut { .. } => "TimedOut",
        Event::Exited { .. } => "Exited",
        Event::Associated { .. } => "Associated",
        Event::Issued { .. } => "Issued",
        Event::Completed { .. } => "Completed",
        Event::NoPacket { .. } => "NoPacket",
        Event::Aborted { .. } => "Aborted",
        Event::DeviceClosed { .. } => "DeviceClosed",
        Event::Abandoned { .. } => "Abandoned",
        Event::Stranded { .. } => "Stranded",
        Event::StrandedWoken { .. } => "StrandedWoken",
        Event::Unassociated { .. } => "Unassociated",
        Event::Discarded { .. } => "Discarded",
        Event::PortClosed { .. } => "PortClosed",
        Event::Failed { .. } => "Failed",
    }
}

fn reject_name(k: &RejectKind) -> &'static str {
    match k {
        RejectKind::UnknownThread(_) => "UnknownThread",
        RejectKind::UnknownPort(_) => "UnknownPort",
        RejectKind::UnknownDevice(_) => "UnknownDevice",
        RejectKind::ThreadWaiting { .. } => "ThreadWaiting",
        RejectKind::ThreadPaused { .. } => "ThreadPaused",
        RejectKind::ThreadExited { .. } => "ThreadExited",
        RejectKind::NotPaused { .. } => "NotPaused",
        RejectKind::NotWaiting { .. } => "NotWaiting",
        RejectKind::InfiniteWait { .. } => "InfiniteWait",
        RejectKind::OverlappedInUse { .. } => "OverlappedInUse",
        RejectKind::NotPending { .. } => "NotPending",
        RejectKind::ZeroBatch { .. } => "ZeroBatch",
    }
}
