//! The shadow: an independent checker of the model's properties.
//!
//! Every step is checked twice: by the model's own
//! [`check_step`], and by the shadow's bookkeeping, which derives from
//! the actions alone which packets must have been made and in what order
//! they entered each port, which threads wait in each WTQ, which
//! OVERLAPPEDs are in use, and which threads carry the queue-wait mark
//! (from the results of their own calls; it excuses rule 2's exception to
//! property 3 and must equal the model's). It does not call the model's
//! rules: it follows packets by identity, so the cases must come from
//! [`super::strategy::case`] (or go through [`super::strategy::uniquify`]):
//! every post gets a unique completion key and every completion a unique
//! byte count.

use std::collections::HashMap;
use std::fmt;

use super::{fmt_action, Case, OVS};
use crate::model::properties::check_step;
use crate::model::{
    Action, CallResult, DeviceId, Event, Flavor, Kernel, Names, NoPacketWhy, Origin, Outcome, OvId,
    Packet, PortId, RejectKind, Rejection, StatusId, ThreadId, ThreadState, WinError,
};

/// A step where the model and the shadow (or a property) disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// What was seen, naming the step and its action when known.
    pub message: String,
}

impl Failure {
    fn new(message: String) -> Failure {
        Failure { message }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

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
    /// Per thread: the port it is associated with (as far as property 3
    /// needs it: set by a get, cleared by exit and by close_port).
    assoc: Vec<Option<PortId>>,
    /// Per thread: the queue-wait mark of model.md, derived from the
    /// results of its own calls (Windows only).
    mark: Vec<bool>,
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
            return Err(Failure::new(format!($($arg)+)));
        }
    };
}

type Check = Result<(), Failure>;

impl Shadow {
    fn new(case: &Case) -> Shadow {
        let w = &case.world;
        Shadow {
            // Windows and Wine 10 wake the most recent waiter and abandon
            // waiters on close; Wine 8 does neither.
            lifo: match case.flavor {
                Flavor::Windows | Flavor::Wine10 => true,
                Flavor::Wine => false,
            },
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
            assoc: vec![None; w.threads],
            mark: vec![false; w.threads],
        }
    }

    /// The mark and association after an accepted action, from its result
    /// alone: a get that returned without sleeping (a packet, or a failed
    /// poll) sets the mark; one that sleeps clears it; one that fails with
    /// ERROR_INVALID_HANDLE changes nothing; block and exit clear it.
    fn track_mark(&mut self, a: &Action, out: &Outcome, windows: bool) {
        match *a {
            Action::Get { thread, port, .. } | Action::GetEx { thread, port, .. } => {
                let t = thread.index();
                match out.result {
                    CallResult::Failed(WinError::InvalidHandle) => {}
                    CallResult::Pending => {
                        self.assoc[t] = Some(port);
                        self.mark[t] = false;
                    }
                    _ => {
                        self.assoc[t] = Some(port);
                        self.mark[t] = windows;
                    }
                }
            }
            Action::Block { thread, .. } => self.mark[thread.index()] = false,
            Action::Exit { thread } => {
                self.mark[thread.index()] = false;
                self.assoc[thread.index()] = None;
            }
            Action::ClosePort { port } => {
                for t in self.assoc.iter_mut() {
                    if *t == Some(port) {
                        *t = None;
                    }
                }
            }
            _ => {}
        }
        // Wine leaves a waiter stranded on a closed port; a completion or a
        // timeout wakes it unassociated.
        for f in &out.fired {
            if let Event::StrandedWoken { thread, .. } | Event::Unassociated { thread, .. } =
                f.event
            {
                self.assoc[thread.index()] = None;
            }
        }
    }

    /// True if `a` is an insert into P by a thread of P carrying the mark
    /// (before the step): rule 2's exception to property 3.
    fn marked_insert(&self, a: &Action, p: PortId) -> bool {
        let (target, by) = match *a {
            Action::Post { port, by, .. } => (Some(port), by),
            Action::Issue {
                device,
                inline: Some(_),
                by,
                ..
            } => (self.devs[device.index()].entry.map(|(q, _)| q), by),
            _ => (None, None),
        };
        match by {
            Some(t) if target == Some(p) => {
                self.mark[t.index()] && self.assoc[t.index()] == Some(p)
            }
            _ => false,
        }
    }

    fn make(&mut self, packet: Packet) -> Result<usize, Failure> {
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
    fn accept(&mut self, a: &Action) -> Result<Expect, Failure> {
        let mut exp = Expect::default();
        match *a {
            Action::Post {
                port,
                key,
                bytes,
                overlapped,
                ..
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
                ..
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
                    return Err(Failure::new(format!(
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

    fn token_of(&self, packet: &Packet) -> Result<usize, Failure> {
        let Some(&tok) = self.live.get(&ident(packet)) else {
            return Err(Failure::new(format!(
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

/// Which of the shadow's own checks to assert, by property number (1-7 of
/// model.md). [`check_step`] always runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Props(u8);

impl Props {
    /// Every property.
    pub const ALL: Props = Props(0b1111_1110);

    /// Whether property `n` is asserted.
    pub fn has(self, n: u8) -> bool {
        n < 8 && self.0 & (1 << n) != 0
    }

    /// Property `n` alone (1-7).
    pub fn only(n: u8) -> Props {
        Props(if n < 8 { 1 << n } else { 0 })
    }
}

/// Applies the case's actions to a fresh [`Kernel`] and checks every step
/// with [`check_step`] and with the shadow (the properties in `props`).
/// Properties 3 and 6 are only asserted in the Windows flavour. The error
/// names the step (1-based) and its action.
pub fn run_case(case: &Case, props: Props) -> Result<(), Failure> {
    let mut k = Kernel::new(&case.config());
    let mut shadow = Shadow::new(case);
    let names = case.world.names();
    let mut out = Outcome::default();
    for (i, a) in case.actions.iter().enumerate() {
        let before = k.clone();
        let r = k.apply(*a, &mut out);
        step(case, &names, &mut shadow, &before, a, r, &out, &k, props)
            .map_err(|e| Failure::new(format!("step {} {}: {e}", i + 1, fmt_action(a, &names))))?;
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
    r: Result<(), Rejection>,
    out: &Outcome,
    after: &Kernel,
    props: Props,
) -> Check {
    check_step(before, a, r.is_ok().then_some(out), after)
        .map_err(|v| Failure::new(format!("check_step: {v}")))?;
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
        let msg = crate::narrate::rejection_reason(&rejection, names);
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
        Action::ClosePort { port } if !before.port(port).closed() => {
            Some((port, shadow.wtqs[port.index()].clone()))
        }
        _ => None,
    };
    let marked: Vec<bool> = (0..nports)
        .map(|p| shadow.marked_insert(a, PortId::from_index(p)))
        .collect();
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
            if !before.port(port).closed() {
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
        let mut q = Vec::with_capacity(port.iocq().len());
        for packet in port.iocq().iter() {
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
                    shadow.tokens[tok].at == Where::Queued(PortId::from_index(p)),
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
            // A packet inserted and delivered in the same step was handed
            // straight to a waiter: it never entered the IOCQ (and may
            // overtake queued packets, rule 2's queue-wait mark exception).
            let handed = |tok: &usize| {
                exp.inserted.iter().any(|&(_, t)| t == *tok)
                    && matches!(shadow.tokens[*tok].at, Where::Delivered(_))
            };
            let mut entered = queued_before[p].clone();
            entered.extend(
                exp.inserted
                    .iter()
                    .filter(|(q, _)| q.index() == p)
                    .map(|&(_, t)| t)
                    .filter(|t| !handed(t)),
            );
            let mut gone: Vec<usize> = left[p].iter().copied().filter(|t| !handed(t)).collect();
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
                port.wtq().arrival_order() == shadow.wtqs[p].as_slice(),
                "P{p}: WTQ {:?}, shadow {:?}",
                port.wtq().arrival_order(),
                shadow.wtqs[p]
            );
        }
    }

    // ---- Property 2: current == |RTL|, and every thread is where its state says.
    if props.has(2) {
        check_structures(after)?;
    }

    // ---- Property 3 (Windows): no new idle work, except an insert by a
    // thread of the port carrying the queue-wait mark.
    let windows = match case.flavor {
        Flavor::Windows => true,
        // Neither Wine has rule 2's exception: no mark is ever set.
        Flavor::Wine | Flavor::Wine10 => false,
    };
    shadow.track_mark(a, out, windows);
    if props.has(3) && windows {
        let idles = |port: &crate::model::Port| {
            port.current() < port.max() && !port.iocq().is_empty() && !port.wtq().is_empty()
        };
        for (p, port) in after.ports().iter().enumerate() {
            ensure!(
                !idles(port) || idles(before.port(PortId::from_index(p))) || marked[p],
                "P{p} idles: current {} < max {} with {} queued and {} waiting",
                port.current(),
                port.max(),
                port.iocq().len(),
                port.wtq().len()
            );
        }
        for (t, th) in after.threads().iter().enumerate() {
            ensure!(
                th.queue_mark() == shadow.mark[t],
                "T{t}: model's queue-wait mark {} but the shadow's {}",
                th.queue_mark(),
                shadow.mark[t]
            );
        }
    }

    // ---- Property 6 (Windows): over-subscription has a cause.
    if props.has(6) && case.flavor == Flavor::Windows {
        for (p, (b, port)) in before.ports().iter().zip(after.ports()).enumerate() {
            if port.current() > port.max() && port.current() > b.current() {
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
                    b.current(),
                    port.current(),
                    port.max()
                );
                ensure!(
                    port.current() == b.current() + 1,
                    "P{p}: current jumped from {} to {}",
                    b.current(),
                    port.current()
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
pub fn check_structures(k: &Kernel) -> Result<(), Failure> {
    for (p, port) in k.ports().iter().enumerate() {
        ensure!(
            port.current() as usize == port.rtl().len(),
            "P{p}: current {} but |RTL| = {}",
            port.current(),
            port.rtl().len()
        );
        if port.closed() {
            // Wine 8 leaves waiters asleep on a closed port (measured on
            // Wine 8.0; Wine 10 abandons them); nothing else stays.
            ensure!(
                port.rtl().is_empty()
                    && port.ptl().is_empty()
                    && (port.wtq().is_empty() || k.flavor() == Flavor::Wine)
                    && port.iocq().is_empty(),
                "closed P{p} still holds threads or packets"
            );
        }
        let members = port.rtl().len() + port.ptl().len() + port.wtq().len();
        let claimed = k
            .threads()
            .iter()
            .filter(|t| t.port() == Some(PortId::from_index(p)))
            .count();
        ensure!(
            members == claimed,
            "P{p}: {members} threads in RTL+PTL+WTQ but {claimed} threads say they belong to it"
        );
    }
    for (i, t) in k.threads().iter().enumerate() {
        let id = ThreadId::from_index(i);
        if let Some(p) = t.port() {
            let port = k.port(p);
            let (r, w, s) = (
                port.rtl().contains(id),
                port.wtq().contains(id),
                port.ptl().contains(id),
            );
            let ok = match t.state() {
                ThreadState::Running => r && !w && !s,
                ThreadState::Waiting(_) => !r && w && !s,
                ThreadState::Paused(_) => !r && !w && s,
                ThreadState::Exited => false,
            };
            ensure!(
                ok,
                "T{i} is {:?} in P{} but RTL {r}, WTQ {w}, PTL {s}",
                t.state(),
                p.0
            );
        } else {
            ensure!(
                !matches!(t.state(), ThreadState::Waiting(_)),
                "T{i} waits but belongs to no port"
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::WorldShape;

    fn case(actions: Vec<Action>) -> Case {
        let mut c = Case {
            flavor: Flavor::Windows,
            world: WorldShape {
                cpus: 2,
                ports: vec![1],
                threads: 2,
                devices: vec![],
            },
            actions,
        };
        crate::testing::strategy::uniquify(&mut c.actions);
        c
    }

    /// A post to port 0, by `by` when given.
    fn post(by: Option<ThreadId>) -> Action {
        Action::Post {
            port: PortId(0),
            key: 0,
            bytes: 0,
            overlapped: None,
            by,
        }
    }

    /// `thread`'s get on port 0 with no timeout.
    fn get(thread: ThreadId) -> Action {
        Action::Get {
            thread,
            port: PortId(0),
            timeout: crate::model::Timeout::Infinite,
        }
    }

    #[test]
    fn a_lawful_run_passes_every_check() {
        let (t0, t1) = (ThreadId(0), ThreadId(1));
        let c = case(vec![
            get(t0),
            get(t1),
            post(None),
            post(None),
            Action::Block {
                thread: t1,
                on: None,
            },
            Action::Unblock { thread: t1 },
            Action::Unblock { thread: t1 },
        ]);
        assert_eq!(run_case(&c, Props::ALL), Ok(()));
    }

    /// A post by a marked thread of the port leaves work queued while a
    /// thread waits and the port has room: rule 2's exception, which the
    /// shadow's property 3 must accept (and whose mark it must agree on).
    #[test]
    fn a_marked_threads_post_is_queued_and_passes() {
        let (t0, t1) = (ThreadId(0), ThreadId(1));
        let mut c = case(vec![post(None), get(t0), get(t1), post(Some(t0))]);
        c.world.ports = vec![2];
        let mut k = Kernel::new(&c.config());
        let mut out = Outcome::default();
        for a in &c.actions {
            k.apply(*a, &mut out).unwrap();
        }
        assert!(out.deliveries.is_empty(), "queued for T0: {out:?}");
        assert!(k.thread(t0).queue_mark());
        assert_eq!(run_case(&c, Props::ALL), Ok(()));
    }

    #[test]
    fn a_counter_out_of_step_with_the_rtl_is_caught() {
        let c = case(vec![]);
        let k = Kernel::new(&c.config());
        assert_eq!(check_structures(&k), Ok(()));
        let mut parts = k.parts();
        parts.ports[0].current = 1;
        let k = Kernel::from_parts_unchecked(parts);
        let e = check_structures(&k).unwrap_err();
        assert!(e.message.contains("current 1 but |RTL| = 0"), "{e}");
    }
}
