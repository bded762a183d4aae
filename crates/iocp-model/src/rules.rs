//! The rules of model.md, one function each. Every function here is called
//! only after [`Kernel::validate`] accepted the action, so none can fail:
//! a call that fails in Windows (a closed handle, a timeout) is a result,
//! reported in the step's record (an [`Outcome`](super::Outcome) or a
//! [`Brief`](super::Brief)), not a rejection.

use super::action::Timeout;
use super::event::{
    CallResult, Delivery, Event, FailWhy, NoPacketWhy, NoTakeWhy, QueueWhy, Rule, WinError,
};
use super::ids::{DeviceId, LabelId, OvId, PortId, StatusId, ThreadId};
use super::kernel::{set_ov, Counters, Kernel, OvUse};
use super::packet::{Origin, Packet};
use super::port::Port;
use super::record::Record;
use super::thread::{Thread, ThreadState, Wait};
use super::wtq::WakeOrder;

/// A port and one of its threads, borrowed together by a rule that counts
/// the thread or hands it packets (rules 1, 2 and 7, and activate), with
/// what a delivery also writes: the run totals and the OVERLAPPED table.
/// [`Kernel::port_thread`] looks each up once and marks the port and the
/// thread once in the step's [`Touched`](super::event::Touched); the
/// rule then works on these borrows instead of finding (and marking) the
/// port and the thread again at every write.
struct PortThread<'k> {
    p: PortId,
    port: &'k mut Port,
    t: ThreadId,
    thread: &'k mut Thread,
    counters: &'k mut Counters,
    ovs: &'k mut Vec<OvUse>,
}

impl PortThread<'_> {
    /// Hands one packet to the thread: its get returns it.
    #[inline]
    fn deliver(&mut self, packet: Packet, out: &mut impl Record) {
        if packet.origin == Origin::Io {
            if let Some(ov) = packet.overlapped {
                set_ov(self.ovs, ov, OvUse::Free, out);
            }
        }
        self.counters.delivered += 1;
        self.thread.got_packet = true;
        out.deliver(Delivery {
            thread: self.t,
            port: self.p,
            packet,
        });
    }

    /// Moves up to `n` packets from the IOCQ head to the thread, recording
    /// the deliveries and freeing the OVERLAPPEDs of I/O packets. Returns
    /// how many it moved.
    #[inline(always)]
    fn dequeue(&mut self, n: u32, out: &mut impl Record) -> u32 {
        let mut taken = 0;
        while taken < n {
            let Some(packet) = self.port.iocq.pop() else {
                break;
            };
            out.touch_iocq(self.p);
            self.deliver(packet, out);
            taken += 1;
        }
        taken
    }

    /// How many packets a release hands the thread: the room of its
    /// get_ex, or one for a plain get.
    #[inline]
    fn batch(&self) -> u32 {
        match self.thread.state {
            ThreadState::Waiting(wait) => wait.batch.unwrap_or(1),
            _ => 1,
        }
    }

    /// The port releases its waiter (the thread): it leaves the WTQ, takes
    /// up to `n` queued packets (besides any handed to it), runs and is
    /// counted. Returns how many it took from the IOCQ and the port's
    /// `(current, max)` after.
    #[inline(always)]
    fn release(&mut self, order: WakeOrder, n: u32, out: &mut impl Record) -> (u32, u32, u32) {
        self.port.wtq.pop(order);
        out.touch_wtq(self.p);
        let taken = if n > 0 { self.dequeue(n, out) } else { 0 };
        let (current, max) = self.port.count_in(self.t);
        self.thread.state = ThreadState::Running;
        (taken, current, max)
    }
}

/// Sets thread `t`'s (`th`) queue-wait mark to `on`, and records the
/// change in `out.marks` when it is one (the mark is hidden state: views
/// narrate it when it is set and when it is cleared).
#[inline]
fn set_mark(th: &mut Thread, t: ThreadId, on: bool, out: &mut impl Record) {
    if th.queue_mark != on {
        th.queue_mark = on;
        out.mark(super::event::MarkChange { thread: t, set: on });
    }
}

impl Kernel {
    /// Port `p` and thread `t`, to be written by a rule, with the run
    /// totals and the OVERLAPPED table (see [`PortThread`]): the port and
    /// the thread marked in the step's change marks.
    #[inline(always)]
    fn port_thread(&mut self, p: PortId, t: ThreadId, out: &mut impl Record) -> PortThread<'_> {
        out.touch_port(p);
        out.touch_thread(t);
        PortThread {
            p,
            port: &mut self.ports[p.index()],
            t,
            thread: &mut self.threads[t.index()],
            counters: &mut self.counters,
            ovs: &mut self.ovs,
        }
    }

    /// **activate(P)**: a thread counted by P stopped running (it blocked,
    /// exited or left P). If `current < max`, the IOCQ has a packet and the
    /// WTQ has a waiter, the most recent waiter is released with the head
    /// packet (and, for get_ex, up to n-1 more) and counted. Wakes at most
    /// one thread. Wine has no gate, so it never has anyone to wake here.
    pub(crate) fn activate(&mut self, p: PortId, out: &mut impl Record) {
        if !self.flavor.gated() {
            return;
        }
        let order = self.wake;
        let port = &self.ports[p.index()];
        let Some(w) = port.wtq.next(order) else {
            return;
        };
        if port.iocq.is_empty() {
            return;
        }
        if !port.has_room() {
            out.fire(
                Rule::Activate,
                Event::Held {
                    port: p,
                    current: port.current,
                    max: port.max,
                    queued: port.iocq.len() as u32,
                    waiting: port.wtq.len() as u32,
                },
            );
            return;
        }
        let mut pt = self.port_thread(p, w, out);
        let batch = pt.batch();
        let (taken, current, max) = pt.release(order, batch, out);
        out.fire(
            Rule::Activate,
            Event::Woke {
                thread: w,
                port: p,
                extra: taken - 1,
                current,
                max,
                lifo: order == WakeOrder::Lifo,
            },
        );
    }

    /// **Rule 1 (get)**: GetQueuedCompletionStatus, a get with room for
    /// one packet (see [`Kernel::get`]).
    #[inline(never)] // a copy of `get` of its own: no batch, fewer arguments
    pub(crate) fn rule_get(
        &mut self,
        t: ThreadId,
        p: PortId,
        timeout: Timeout,
        out: &mut impl Record,
    ) {
        self.get(t, p, timeout, None, out);
    }

    /// **Rule 7 (get_ex)**: GetQueuedCompletionStatusEx with room for `max`
    /// packets (see [`Kernel::get`]).
    #[inline(never)]
    pub(crate) fn rule_get_ex(
        &mut self,
        t: ThreadId,
        p: PortId,
        timeout: Timeout,
        max: u32,
        out: &mut impl Record,
    ) {
        self.get(t, p, timeout, Some(max), out);
    }

    /// Rules 1 and 7: GetQueuedCompletionStatus(Ex), `batch` the room of a
    /// get_ex (`None` for a plain get).
    ///
    /// A thread in P's RTL stops counting (`current -= 1`); a thread
    /// associated with another port Q leaves it (`Q.current -= 1`, then
    /// activate(Q)) and joins P. Then: if `current < max` and a packet is
    /// queued, the thread takes it (get_ex: up to n, FIFO) and counts again;
    /// else a zero timeout fails with WAIT_TIMEOUT and the thread counts as
    /// running; else the thread is pushed onto the WTQ. So an over-limit port
    /// makes a caller wait even with packets queued: that is how it corrects
    /// itself. Wine takes a queued packet whatever `current` is.
    #[inline(always)]
    fn get(
        &mut self,
        t: ThreadId,
        p: PortId,
        timeout: Timeout,
        batch: Option<u32>,
        out: &mut impl Record,
    ) {
        let rule = if batch.is_some() {
            Rule::GetEx
        } else {
            Rule::Get
        };
        if self.ports[p.index()].closed {
            self.fail(
                t,
                WinError::InvalidHandle,
                FailWhy::PortClosed(p),
                rule,
                out,
            );
            return;
        }
        let at_call = self.ports[p.index()].current;
        // A thread associated with another port, or with none, joins P
        // first; one in P's RTL is counted out below.
        let counted = match self.threads[t.index()].port {
            Some(q) if q == p => true,
            Some(q) => {
                self.switch_port(t, q, p, rule, out);
                false
            }
            None => {
                self.join(t, p, rule, out);
                false
            }
        };
        let gated = self.flavor.gated();
        let keeps_mark = self.flavor.keeps_for_marked_inserter();
        let lifo = self.wake == WakeOrder::Lifo;
        let mut pt = self.port_thread(p, t, out);
        // Whether the previous get returned a packet; this call starts
        // with none (a packet it takes or is handed sets it again).
        let had_packet = std::mem::replace(&mut pt.thread.got_packet, false);
        if counted {
            // The caller is no longer running for the port.
            let current = pt.port.count_out(t);
            out.fire(
                rule,
                Event::Returned {
                    thread: t,
                    port: p,
                    current,
                    had_packet,
                },
            );
        }
        let port = &*pt.port;
        let why = if port.iocq.is_empty() {
            Some(NoTakeWhy::IocqEmpty)
        } else if gated && !port.has_room() {
            Some(NoTakeWhy::AtLimit {
                current: port.current,
                max: port.max,
                queued: port.iocq.len() as u32,
                at_call,
            })
        } else {
            None
        };
        match why {
            None => {
                let count = match batch {
                    // A plain get takes the head packet (the IOCQ is non-empty here).
                    None => {
                        let packet = pt.port.iocq.pop().expect("IOCQ checked non-empty");
                        out.touch_iocq(p);
                        pt.deliver(packet, out);
                        1
                    }
                    Some(n) => pt.dequeue(n, out),
                };
                let (current, max) = pt.port.count_in(t);
                // It returns without sleeping: still in its get loop, it
                // carries the queue-wait mark (NT's flavour only).
                set_mark(pt.thread, t, keeps_mark, out);
                out.set_result(CallResult::Success);
                out.fire(
                    rule,
                    Event::Took {
                        thread: t,
                        port: p,
                        count,
                        current,
                        max,
                        gated,
                    },
                );
            }
            Some(why) if timeout.is_poll() => {
                // It fails without sleeping: it counts again and keeps the mark.
                let (current, max) = pt.port.count_in(t);
                set_mark(pt.thread, t, keeps_mark, out);
                out.set_result(CallResult::Failed(WinError::WaitTimeout));
                out.fail(t, WinError::WaitTimeout);
                out.fire(
                    rule,
                    Event::PollFailed {
                        thread: t,
                        port: p,
                        why,
                        current,
                        max,
                    },
                );
            }
            Some(why) => {
                pt.port.wtq.push(t);
                out.touch_wtq(p);
                let depth = pt.port.wtq.len() as u32;
                pt.thread.state = ThreadState::Waiting(Wait { timeout, batch });
                // It sleeps: whatever wakes it, it no longer carries the mark.
                set_mark(pt.thread, t, false, out);
                out.set_result(CallResult::Pending);
                out.fire(
                    rule,
                    Event::Waits {
                        thread: t,
                        port: p,
                        why,
                        depth,
                        lifo,
                    },
                );
            }
        }
    }

    /// Rule 1, for a thread associated with port Q that calls get on P:
    /// it leaves Q (`Q.current -= 1`, then activate(Q)) and joins P.
    #[inline(never)] // rare: keeps the get path small
    fn switch_port(
        &mut self,
        t: ThreadId,
        q: PortId,
        p: PortId,
        rule: Rule,
        out: &mut impl Record,
    ) {
        let current = self.port_mut(q, out).count_out(t);
        out.fire(
            rule,
            Event::LeftPort {
                thread: t,
                port: q,
                current,
            },
        );
        self.join(t, p, rule, out);
        self.activate(q, out);
    }

    /// Rule 1: a thread calling get on P becomes associated with P.
    #[inline(never)] // once per thread and port: keeps the get path small
    fn join(&mut self, t: ThreadId, p: PortId, rule: Rule, out: &mut impl Record) {
        self.thread_mut(t, out).port = Some(p);
        out.fire(rule, Event::Joined { thread: t, port: p });
    }

    /// **Rule 2 (insert)**: a packet arrives at P, inserted by thread `by`
    /// (`None`: a thread outside the scenario, or the driver). If
    /// `current < max`, a thread waits, and `by` is not a thread of P
    /// carrying the queue-wait mark, the most recent waiter gets it
    /// directly (it never touches the IOCQ) and counts; otherwise it is
    /// appended to the IOCQ. The mark clause is NT's `KiInsertQueue`
    /// (`Thread->Queue != Queue || Thread->WaitReason != WrQueue`): a
    /// worker still in its get loop will take the packet itself. Wine
    /// hands it to the oldest waiter whatever `current` is.
    #[inline(always)] // the packet stays in registers (a post's hot path)
    pub(crate) fn insert(
        &mut self,
        p: PortId,
        packet: Packet,
        by: Option<ThreadId>,
        out: &mut impl Record,
    ) {
        let gated = self.flavor.gated();
        let order = self.wake;
        self.counters.made += 1;
        let marked = by.filter(|&t| {
            let th = &self.threads[t.index()];
            th.queue_mark && th.port == Some(p)
        });
        let port = &self.ports[p.index()];
        let wakes = (!gated || port.has_room()) && marked.is_none();
        match port.wtq.next(order) {
            Some(w) if wakes => {
                let mut pt = self.port_thread(p, w, out);
                // A plain get takes just this packet; get_ex may take more.
                let more = pt.batch() - 1;
                pt.deliver(packet, out);
                let (extra, current, max) = pt.release(order, more, out);
                out.fire(
                    Rule::Insert,
                    Event::HandedOff {
                        thread: w,
                        port: p,
                        packet,
                        extra,
                        current,
                        max,
                        lifo: order == WakeOrder::Lifo,
                        gated,
                    },
                );
            }
            waiter => {
                let why = match marked {
                    _ if waiter.is_none() => QueueWhy::NoWaiter,
                    Some(thread) if !gated || port.has_room() => QueueWhy::MarkedInserter {
                        thread,
                        current: port.current,
                        max: port.max,
                    },
                    _ => QueueWhy::AtLimit {
                        current: port.current,
                        max: port.max,
                    },
                };
                let iocq = self.iocq_mut(p, out);
                iocq.push(packet);
                out.fire(
                    Rule::Insert,
                    Event::Queued {
                        port: p,
                        packet,
                        why,
                        depth: iocq.len() as u32,
                    },
                );
            }
        }
    }

    /// **Rule 2 (post)**: PostQueuedCompletionStatus inserts a packet made
    /// by the caller `by`. Fails with ERROR_INVALID_HANDLE on a closed port
    /// (changing nothing, the caller's mark included).
    #[inline(never)] // with `insert` inside, so the packet stays in registers
    pub(crate) fn rule_post(
        &mut self,
        p: PortId,
        key: u64,
        bytes: u64,
        overlapped: Option<OvId>,
        by: Option<ThreadId>,
        out: &mut impl Record,
    ) {
        if self.ports[p.index()].closed {
            self.fail_closed(FailWhy::PortClosed(p), Rule::Insert, out);
            return;
        }
        let packet = Packet {
            bytes,
            key,
            overlapped,
            status: StatusId::SUCCESS,
            origin: Origin::Post,
        };
        self.insert(p, packet, by, out);
    }

    /// **Rule 3 (block)**: a running thread enters another wait. If it is
    /// in P's RTL it moves to the PTL, `current -= 1`, and activate(P) may
    /// release a waiter in its place.
    #[inline(never)] // rare: keeps the get/post path through apply small
    pub(crate) fn rule_block(&mut self, t: ThreadId, on: Option<LabelId>, out: &mut impl Record) {
        let port_id = self.threads[t.index()].port;
        let th = self.thread_mut(t, out);
        th.state = ThreadState::Paused(on);
        set_mark(th, t, false, out);
        let current = match port_id {
            Some(p) => {
                let port = self.port_mut(p, out);
                let current = port.count_out(t);
                port.ptl.0.insert(t);
                current
            }
            None => 0,
        };
        out.fire(
            Rule::Block,
            Event::Blocked {
                thread: t,
                port: port_id,
                on,
                current,
            },
        );
        if let Some(p) = port_id {
            self.activate(p, out);
        }
    }

    /// **Rule 4 (unblock)**: a paused thread's wait is satisfied. If it is in
    /// P's PTL it returns to the RTL and `current += 1` *with no check
    /// against max*: this is how the RTL comes to exceed the limit. The
    /// kernel preempts nobody; it only refuses new work until enough threads
    /// call get again.
    #[inline(never)] // rare: keeps the get/post path through apply small
    pub(crate) fn rule_unblock(&mut self, t: ThreadId, out: &mut impl Record) {
        let port_id = self.threads[t.index()].port;
        self.thread_mut(t, out).state = ThreadState::Running;
        let (current, max) = match port_id {
            Some(p) => {
                let port = self.port_mut(p, out);
                port.ptl.0.remove(t);
                port.count_in(t)
            }
            None => (0, 0),
        };
        out.fire(
            Rule::Unblock,
            Event::Unblocked {
                thread: t,
                port: port_id,
                current,
                max,
            },
        );
    }

    /// **Rule 5 (timeout)**: a waiter's finite timeout expires. It leaves
    /// the WTQ and `current += 1`, also unchecked (a second way past max);
    /// its get fails with WAIT_TIMEOUT.
    #[inline(never)] // rare: keeps the get/post path through apply small
    pub(crate) fn rule_timeout(&mut self, t: ThreadId, out: &mut impl Record) {
        let p = self.threads[t.index()]
            .port
            .expect("a waiting thread is associated");
        self.thread_mut(t, out).state = ThreadState::Running;
        let port = self.port_mut(p, out);
        port.wtq.remove(t);
        out.touch_wtq(p);
        out.fail(t, WinError::WaitTimeout);
        if port.closed {
            // A waiter stranded on a closed port (Wine): it times out and
            // belongs to no port any more.
            self.threads[t.index()].port = None;
            out.fire(Rule::Timeout, Event::Unassociated { thread: t, port: p });
            return;
        }
        let (current, max) = port.count_in(t);
        out.fire(
            Rule::Timeout,
            Event::TimedOut {
                thread: t,
                port: p,
                current,
                max,
            },
        );
    }

    /// **Rule 6 (exit)**: a running thread exits. If it is in P's RTL it
    /// leaves P, `current -= 1`, and activate(P) may release a waiter.
    #[inline(never)] // rare: keeps the get/post path through apply small
    pub(crate) fn rule_exit(&mut self, t: ThreadId, out: &mut impl Record) {
        let port_id = self.threads[t.index()].port;
        let th = self.thread_mut(t, out);
        th.state = ThreadState::Exited;
        th.port = None;
        th.got_packet = false;
        set_mark(th, t, false, out);
        let current = match port_id {
            Some(p) => self.port_mut(p, out).count_out(t),
            None => 0,
        };
        out.fire(
            Rule::Exit,
            Event::Exited {
                thread: t,
                port: port_id,
                current,
            },
        );
        if let Some(p) = port_id {
            self.activate(p, out);
        }
    }

    /// **Rule 8 (close_port)**: the port's last handle is closed. Every
    /// waiter wakes with ERROR_ABANDONED_WAIT_0 and is free; queued packets
    /// are discarded and counted as lost; RTL threads become free; PTL
    /// threads stay paused but unassociated. Later uses of the handle fail
    /// with ERROR_INVALID_HANDLE (a second close_port included).
    ///
    /// Wine (measured on Wine 8.0 by the differential suite) wakes nobody:
    /// its waiters stay asleep on the closed port, *stranded*, until a
    /// completion for a device still associated with it wakes the oldest
    /// with ERROR_INVALID_HANDLE (see `completion`) or their timeout expires.
    #[inline(never)] // rare: keeps the get/post path through apply small
    pub(crate) fn rule_close_port(&mut self, p: PortId, out: &mut impl Record) {
        if self.ports[p.index()].closed {
            self.fail_closed(FailWhy::PortClosed(p), Rule::ClosePort, out);
            return;
        }
        let order = self.wake;
        let abandons = self.flavor.abandons_waiters_on_close();
        let port = self.port_mut(p, out);
        port.closed = true;
        let waiters = port.wtq.wake_order(order);
        if abandons {
            port.wtq.drain().for_each(drop);
            out.touch_wtq(p);
        }
        let released = port.rtl.0.take_all();
        let paused = port.ptl.0.take_all();
        port.current = 0;
        let discarded: Vec<Packet> = port.iocq.drain().collect();
        out.touch_iocq(p);
        for w in waiters {
            if !abandons {
                out.fire(Rule::ClosePort, Event::Stranded { thread: w, port: p });
                continue;
            }
            let th = self.thread_mut(w, out);
            th.state = ThreadState::Running;
            th.port = None;
            out.fail(w, WinError::AbandonedWait0);
            out.fire(Rule::ClosePort, Event::Abandoned { thread: w, port: p });
        }
        for t in released.into_iter().chain(paused) {
            self.thread_mut(t, out).port = None;
            out.fire(Rule::ClosePort, Event::Unassociated { thread: t, port: p });
        }
        for packet in discarded {
            if packet.origin == Origin::Io {
                if let Some(ov) = packet.overlapped {
                    set_ov(&mut self.ovs, ov, OvUse::Free, out);
                }
            }
            self.counters.lost += 1;
            out.fire(Rule::ClosePort, Event::Discarded { port: p, packet });
        }
        out.fire(Rule::ClosePort, Event::PortClosed { port: p });
    }

    /// **Rule 9 (associate)**: CreateIoCompletionPort(device, port, key)
    /// adds the device's Device List entry. A device is associated once; a
    /// second association fails with ERROR_INVALID_PARAMETER. A closed
    /// device or port fails with ERROR_INVALID_HANDLE.
    #[inline(never)] // rare: keeps the get/post path through apply small
    pub(crate) fn rule_associate(
        &mut self,
        d: DeviceId,
        p: PortId,
        key: u64,
        out: &mut impl Record,
    ) {
        let dev = self.devices.get(d).expect("validated");
        let fail = if dev.closed {
            Some((WinError::InvalidHandle, FailWhy::DeviceClosed(d)))
        } else if self.ports[p.index()].closed {
            Some((WinError::InvalidHandle, FailWhy::PortClosed(p)))
        } else {
            dev.entry.map(|(old, _)| {
                (
                    WinError::InvalidParameter,
                    FailWhy::AlreadyAssociated(d, old),
                )
            })
        };
        if let Some((error, why)) = fail {
            out.set_result(CallResult::Failed(error));
            out.fire(Rule::Associate, Event::Failed { why });
            return;
        }
        self.device_mut(d, out).entry = Some((p, key));
        out.fire(
            Rule::Associate,
            Event::Associated {
                device: d,
                port: p,
                key,
            },
        );
    }

    /// **Rule 10 (issue)**: an overlapped request starts on D under an
    /// OVERLAPPED that is not in use (reuse was rejected by validation).
    /// Pending: the OVERLAPPED stays in use until its packet is dequeued. A
    /// request that succeeds at once (`inline`) still queues a packet unless
    /// D skips the port on success. An inline completion is inserted in
    /// the issuing thread's context, so rule 2 sees `by` as the inserter.
    #[inline(never)] // rare: keeps the get/post path through apply small
    pub(crate) fn rule_issue(
        &mut self,
        d: DeviceId,
        ov: OvId,
        inline: Option<u64>,
        by: Option<ThreadId>,
        out: &mut impl Record,
    ) {
        if self.devices.get(d).expect("validated").closed {
            self.fail_closed(FailWhy::DeviceClosed(d), Rule::Issue, out);
            return;
        }
        match inline {
            None => {
                self.device_mut(d, out).pending.push(ov);
                set_ov(&mut self.ovs, ov, OvUse::Pending(d), out);
                out.set_result(CallResult::Pending);
                out.fire(
                    Rule::Issue,
                    Event::Issued {
                        device: d,
                        overlapped: ov,
                        inline: false,
                    },
                );
            }
            Some(bytes) => {
                out.set_result(CallResult::Success);
                out.fire(
                    Rule::Issue,
                    Event::Issued {
                        device: d,
                        overlapped: ov,
                        inline: true,
                    },
                );
                let dev = self.devices.get(d).expect("validated");
                if dev.skip_on_success && dev.entry.is_some() {
                    out.fire(
                        Rule::Issue,
                        Event::NoPacket {
                            device: d,
                            overlapped: ov,
                            why: NoPacketWhy::SkipOnSuccess,
                        },
                    );
                } else {
                    self.completion(d, ov, bytes, StatusId::SUCCESS, Rule::Issue, by, out);
                }
            }
        }
    }

    /// **Rule 11 (complete)**: the driver completes a pending request, in
    /// any order. If D is associated, a packet (bytes, key, ov, status) is
    /// inserted into its port; if not, no packet is made.
    #[inline(never)] // rare: keeps the get/post path through apply small
    pub(crate) fn rule_complete(
        &mut self,
        ov: OvId,
        bytes: u64,
        status: StatusId,
        out: &mut impl Record,
    ) {
        let OvUse::Pending(d) = self.overlapped(ov) else {
            unreachable!("validated: OVERLAPPED is pending")
        };
        let dev = self.device_mut(d, out);
        dev.pending.retain(|&o| o != ov);
        out.fire(
            Rule::Complete,
            Event::Completed {
                device: d,
                overlapped: ov,
            },
        );
        self.completion(d, ov, bytes, status, Rule::Complete, None, out);
    }

    /// A finished request on D turns into a packet, or into nothing; true
    /// if it made a packet (queued, or handed to a waiter). `by` is the
    /// thread in whose context it is inserted (inline completions).
    #[allow(clippy::too_many_arguments)] // the packet's fields, the rule and the inserter
    fn completion(
        &mut self,
        d: DeviceId,
        ov: OvId,
        bytes: u64,
        status: StatusId,
        rule: Rule,
        by: Option<ThreadId>,
        out: &mut impl Record,
    ) -> bool {
        let entry = self.devices.get(d).and_then(|dev| dev.entry);
        match entry {
            None => {
                set_ov(&mut self.ovs, ov, OvUse::Free, out);
                out.fire(
                    rule,
                    Event::NoPacket {
                        device: d,
                        overlapped: ov,
                        why: NoPacketWhy::NotAssociated,
                    },
                );
                false
            }
            Some((p, _)) if self.ports[p.index()].closed => {
                set_ov(&mut self.ovs, ov, OvUse::Free, out);
                self.counters.made += 1;
                self.counters.lost += 1;
                out.fire(
                    rule,
                    Event::NoPacket {
                        device: d,
                        overlapped: ov,
                        why: NoPacketWhy::PortClosed,
                    },
                );
                // Only Wine leaves waiters on a closed port: the lost
                // completion wakes the oldest, whose call fails.
                let order = self.wake;
                if let Some(w) = self.wtq_mut(p, out).pop(order) {
                    let th = self.thread_mut(w, out);
                    th.state = ThreadState::Running;
                    th.port = None;
                    out.fail(w, WinError::InvalidHandle);
                    out.fire(rule, Event::StrandedWoken { thread: w, port: p });
                }
                false
            }
            Some((p, key)) => {
                set_ov(&mut self.ovs, ov, OvUse::Queued, out);
                let packet = Packet {
                    bytes,
                    key,
                    overlapped: Some(ov),
                    status,
                    origin: Origin::Io,
                };
                self.insert(p, packet, by, out);
                true
            }
        }
    }

    /// **Rule 12 (close_device)**: every request pending on D completes
    /// with ERROR_OPERATION_ABORTED and 0 bytes, in issue order, then D's
    /// Device List entry is removed. A closed device fails with
    /// ERROR_INVALID_HANDLE.
    #[inline(never)] // rare: keeps the get/post path through apply small
    pub(crate) fn rule_close_device(&mut self, d: DeviceId, out: &mut impl Record) {
        if self.devices.get(d).expect("validated").closed {
            self.fail_closed(FailWhy::DeviceClosed(d), Rule::CloseDevice, out);
            return;
        }
        let pending = std::mem::take(&mut self.device_mut(d, out).pending);
        let (aborted, mut packets) = (pending.len() as u32, 0);
        for ov in pending {
            out.fire(
                Rule::CloseDevice,
                Event::Aborted {
                    device: d,
                    overlapped: ov,
                },
            );
            packets += u32::from(self.completion(
                d,
                ov,
                0,
                StatusId::OPERATION_ABORTED,
                Rule::CloseDevice,
                None,
                out,
            ));
        }
        let dev = self.device_mut(d, out);
        dev.entry = None;
        dev.closed = true;
        out.fire(
            Rule::CloseDevice,
            Event::DeviceClosed {
                device: d,
                aborted,
                packets,
            },
        );
    }

    /// A call on a closed handle (port or device) fails with
    /// ERROR_INVALID_HANDLE and changes nothing.
    fn fail_closed(&mut self, why: FailWhy, rule: Rule, out: &mut impl Record) {
        out.set_result(CallResult::Failed(WinError::InvalidHandle));
        out.fire(rule, Event::Failed { why });
    }

    /// A thread's own call fails at once; it stays exactly where it was.
    fn fail(
        &mut self,
        t: ThreadId,
        error: WinError,
        why: FailWhy,
        rule: Rule,
        out: &mut impl Record,
    ) {
        out.set_result(CallResult::Failed(error));
        out.fail(t, error);
        out.fire(rule, Event::Failed { why });
    }
}
