//! [`Kernel`]: the whole state of a simulated machine (ports, threads,
//! devices, OVERLAPPEDs) and [`Kernel::apply`], which checks an action and
//! hands it to its rule in `rules.rs`.

use super::action::{Action, Timeout};
use super::device_list::{Device, DeviceList};
use super::error::{RejectKind, Rejection};
use super::event::{Outcome, Rule, Touched};
use super::ids::{DeviceId, Ids, OvId, PortId, ThreadId};
use super::iocq::Iocq;
use super::port::Port;
use super::record::{Brief, Record};
use super::thread::{Thread, ThreadState};
use super::wtq::{WakeOrder, Wtq};

/// Which implementation of completion ports to simulate.
///
/// ```
/// use iocp_model::{Flavor, WakeOrder};
///
/// let wine = Flavor::parse("wine").unwrap();
/// assert_eq!(wine.as_str(), "wine");
/// // Wine 8 wakes its oldest waiter and ignores the concurrency value.
/// assert_eq!((wine.wake_order(), wine.gated()), (WakeOrder::Fifo, false));
/// assert!(Flavor::Windows.gated() && Flavor::Windows.keeps_for_marked_inserter());
/// assert!(!Flavor::Wine.abandons_waiters_on_close() && Flavor::Wine10.abandons_waiters_on_close());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// The NT kernel queue: LIFO wake, concurrency limit enforced.
    Windows,
    /// Wine 8's wineserver: FIFO wake, concurrency value ignored, closing
    /// a port leaves its waiters asleep.
    Wine,
    /// Wine 10's wineserver (measured with the probe, docs/differential.md):
    /// LIFO wake, concurrency value ignored, closing a port abandons its
    /// waiters as Windows does.
    Wine10,
}

impl Flavor {
    /// Which end of the WTQ this flavour wakes from.
    #[inline]
    pub fn wake_order(self) -> WakeOrder {
        match self {
            Flavor::Windows | Flavor::Wine10 => WakeOrder::Lifo,
            Flavor::Wine => WakeOrder::Fifo,
        }
    }

    /// True if `max` gates releases (Windows); Wine ignores it.
    #[inline]
    pub fn gated(self) -> bool {
        self == Flavor::Windows
    }

    /// True if rule 2 keeps a packet inserted by a thread of the port that
    /// carries the queue-wait mark (NT's `KiInsertQueue`); Wine has no
    /// such rule, so it never sets the mark.
    #[inline]
    pub fn keeps_for_marked_inserter(self) -> bool {
        self == Flavor::Windows
    }

    /// True if closing a port wakes its waiters with ERROR_ABANDONED_WAIT_0
    /// (Windows, Wine 10). Wine 8 leaves them asleep on the closed port.
    #[inline]
    pub fn abandons_waiters_on_close(self) -> bool {
        self != Flavor::Wine
    }

    /// Every flavour, in the order `--flavor` lists them.
    pub const ALL: [Flavor; 3] = [Flavor::Windows, Flavor::Wine, Flavor::Wine10];

    /// `"windows"`, `"wine"` or `"wine10"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Windows => "windows",
            Flavor::Wine => "wine",
            Flavor::Wine10 => "wine10",
        }
    }

    /// Parses `"windows"`, `"wine"` or `"wine10"`.
    pub fn parse(s: &str) -> Option<Flavor> {
        Flavor::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Where an OVERLAPPED is in its life (rule 10).
///
/// ```
/// use iocp_model::{Action, DeviceId, Flavor, Kernel, KernelConfig, OvId, OvUse, PortId};
///
/// let mut k = Kernel::new(&KernelConfig { devices: vec![false], ..KernelConfig::new(Flavor::Windows, &[1], 1) });
/// let (d, ov) = (DeviceId(0), OvId(0));
/// k.step(Action::associate(d, PortId(0), 9))?;
/// assert_eq!(k.overlapped(ov), OvUse::Free);
/// k.step(Action::issue(d, ov))?;
/// assert_eq!(k.overlapped(ov), OvUse::Pending(d));
/// // Completed: its packet waits in the IOCQ, and the OVERLAPPED stays in use.
/// k.step(Action::complete(ov, 512))?;
/// assert_eq!(k.overlapped(ov), OvUse::Queued);
/// assert_eq!(k.counters().made, 1);
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OvUse {
    /// Free to be used by a new request.
    #[default]
    Free,
    /// A request on this device is pending.
    Pending(DeviceId),
    /// Its request completed and the packet waits to be dequeued.
    Queued,
}

/// Totals kept across a whole run.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, PortId, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// k.step(Action::post(PortId(0), 1))?;
/// k.step(Action::post(PortId(0), 2))?;
/// k.step(Action::get(ThreadId(0), PortId(0)))?;
/// k.step(Action::close_port(PortId(0)))?;
/// let c = k.counters();
/// // Property 1: every packet made is queued, delivered or lost.
/// assert_eq!((c.made, c.delivered, c.lost), (2, 1, 1));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Counters {
    /// Packets made: posts that succeeded, and completions of requests on
    /// devices associated with a port (including those whose port is closed).
    pub made: u64,
    /// Packets handed to threads.
    pub delivered: u64,
    /// Packets lost: discarded by close_port, or made for a closed port.
    pub lost: u64,
}

/// How to build a [`Kernel`].
///
/// ```
/// use iocp_model::{Flavor, KernelConfig};
///
/// // One port of concurrency 1 and two threads on a 4-processor machine.
/// let c = KernelConfig::new(Flavor::Windows, &[1], 2);
/// assert_eq!((c.cpus, c.ports.as_slice(), c.threads), (4, &[1][..], 2));
/// // The same with every field named, and two devices (the second skips
/// // the port when a request succeeds at once).
/// let c = KernelConfig { devices: vec![false, true], ..c };
/// assert_eq!(c.devices.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelConfig {
    /// Windows or Wine.
    pub flavor: Flavor,
    /// Number of processors (used by ports with concurrency 0).
    pub cpus: u32,
    /// Each port's declared concurrency, in id order.
    pub ports: Vec<u32>,
    /// Number of threads.
    pub threads: usize,
    /// Each device's skip-on-success flag, in id order.
    pub devices: Vec<bool>,
}

impl KernelConfig {
    /// A machine of `flavor` with 4 processors (the scenario format's
    /// default), one port per entry of `ports` (its concurrency), `threads`
    /// threads and no device.
    pub fn new(flavor: Flavor, ports: &[u32], threads: usize) -> KernelConfig {
        KernelConfig {
            flavor,
            cpus: 4,
            ports: ports.to_vec(),
            threads,
            devices: Vec::new(),
        }
    }
}

/// The simulated machine: every port, thread, device and OVERLAPPED.
///
/// Pure and deterministic: the same actions give the same states, outcomes
/// and errors. Cloning gives an independent copy (the explorer relies on
/// it); `clone_from` reuses the destination's buffers, so copying a state
/// into a kernel of the same world allocates nothing once they have grown.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, Outcome, PortId, ThreadId, ThreadStatus};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[2], 2));
/// let p = PortId(0);
/// // `step` returns what an action did; `apply` fills an outcome you reuse.
/// k.step(Action::get(ThreadId(0), p))?;
/// let mut out = Outcome::default();
/// for key in 1..=3 {
///     k.apply(Action::post(p, key), &mut out)?;
/// }
/// assert_eq!(k.thread(ThreadId(0)).status(), ThreadStatus::Running);
/// assert_eq!(k.port(p).iocq().len(), 2);
/// // Ids come from the kernel; a lookup with an id from outside is checked.
/// assert_eq!(k.thread_ids().count(), 2);
/// assert!(k.get_port(PortId(7)).is_none());
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Kernel {
    pub(crate) flavor: Flavor,
    /// Which waiter the ports wake: the flavour's, unless set otherwise
    /// ([`Kernel::set_wake_order`]).
    pub(crate) wake: WakeOrder,
    pub(crate) cpus: u32,
    pub(crate) ports: Vec<Port>,
    pub(crate) threads: Vec<Thread>,
    pub(crate) devices: DeviceList,
    pub(crate) ovs: Vec<OvUse>,
    pub(crate) counters: Counters,
}

impl Clone for Kernel {
    fn clone(&self) -> Kernel {
        Kernel {
            flavor: self.flavor,
            wake: self.wake,
            cpus: self.cpus,
            ports: self.ports.clone(),
            threads: self.threads.clone(),
            devices: self.devices.clone(),
            ovs: self.ovs.clone(),
            counters: self.counters,
        }
    }

    /// Reuses `self`'s buffers (no allocation once they have grown).
    #[inline]
    fn clone_from(&mut self, source: &Kernel) {
        self.flavor = source.flavor;
        self.wake = source.wake;
        self.cpus = source.cpus;
        self.ports.clone_from(&source.ports);
        self.threads.clone_from(&source.threads);
        self.devices.clone_from(&source.devices);
        self.ovs.clone_from(&source.ovs);
        self.counters = source.counters;
    }
}

impl Kernel {
    /// A fresh machine: every port open and empty, every thread free.
    pub fn new(config: &KernelConfig) -> Kernel {
        Kernel {
            flavor: config.flavor,
            wake: config.flavor.wake_order(),
            cpus: config.cpus,
            ports: config
                .ports
                .iter()
                .map(|&c| Port::new(c, config.cpus))
                .collect(),
            threads: vec![Thread::FREE; config.threads],
            devices: DeviceList::new(config.devices.iter().copied()),
            ovs: Vec::new(),
            counters: Counters::default(),
        }
    }

    /// Adds one thread, free and running, and returns its id (the next
    /// unused one). For front ends whose threads appear at run time (the
    /// live port: a real thread joins when it first calls get); the rules
    /// never add threads themselves.
    pub fn add_thread(&mut self) -> ThreadId {
        let id = ThreadId::from_index(self.threads.len());
        self.threads.push(Thread::FREE);
        id
    }

    /// The flavour simulated.
    #[inline]
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }
    /// Which waiter the ports wake: the flavour's ([`Flavor::wake_order`])
    /// unless [`Kernel::set_wake_order`] chose the other.
    #[inline]
    pub fn wake_order(&self) -> WakeOrder {
        self.wake
    }
    /// Makes every port wake its waiters in `order` from now on, whatever
    /// the flavour does (the lab's and the live port's `fifo-limited`
    /// policy: the Windows rules, the oldest waiter woken). Every other rule
    /// stays the flavour's, and property 4 checks this order.
    ///
    /// ```
    /// use iocp_model::{Action, Kernel, KernelConfig, PortId, ThreadId, WakeOrder};
    ///
    /// let mut k = Kernel::new(&KernelConfig::new(iocp_model::Flavor::Windows, &[1], 2));
    /// k.set_wake_order(WakeOrder::Fifo);
    /// let (p, t0, t1) = (PortId(0), ThreadId(0), ThreadId(1));
    /// k.step(Action::get(t0, p)).unwrap();
    /// k.step(Action::get(t1, p)).unwrap();
    /// let out = k.step(Action::post(p, 1)).unwrap();
    /// assert_eq!(out.deliveries[0].thread, t0, "the oldest waiter wakes");
    /// ```
    #[inline]
    pub fn set_wake_order(&mut self, order: WakeOrder) {
        self.wake = order;
    }
    /// Number of processors.
    #[inline]
    pub fn cpus(&self) -> u32 {
        self.cpus
    }
    /// Every port, in id order.
    #[inline]
    pub fn ports(&self) -> &[Port] {
        &self.ports
    }
    /// One port. Panics on an id this kernel does not have (use
    /// [`Kernel::get_port`] for ids from outside).
    #[inline]
    pub fn port(&self, id: PortId) -> &Port {
        &self.ports[id.index()]
    }
    /// One port, or `None` for an id this kernel does not have.
    #[inline]
    pub fn get_port(&self, id: PortId) -> Option<&Port> {
        self.ports.get(id.index())
    }
    /// Every port's id, in order (`PortId(0)`, `PortId(1)`, ...).
    #[inline]
    pub fn port_ids(&self) -> Ids<PortId> {
        PortId::first(self.ports.len())
    }
    /// Every thread, in id order.
    #[inline]
    pub fn threads(&self) -> &[Thread] {
        &self.threads
    }
    /// One thread. Panics on an id this kernel does not have (use
    /// [`Kernel::get_thread`] for ids from outside).
    #[inline]
    pub fn thread(&self, id: ThreadId) -> &Thread {
        &self.threads[id.index()]
    }
    /// One thread, or `None` for an id this kernel does not have.
    #[inline]
    pub fn get_thread(&self, id: ThreadId) -> Option<&Thread> {
        self.threads.get(id.index())
    }
    /// Every thread's id, in order.
    #[inline]
    pub fn thread_ids(&self) -> Ids<ThreadId> {
        ThreadId::first(self.threads.len())
    }
    /// Every device's id, in order.
    #[inline]
    pub fn device_ids(&self) -> Ids<DeviceId> {
        DeviceId::first(self.devices.len())
    }
    /// The Device List.
    #[inline]
    pub fn devices(&self) -> &DeviceList {
        &self.devices
    }
    /// Run totals.
    #[inline]
    pub fn counters(&self) -> Counters {
        self.counters
    }
    /// Where an OVERLAPPED is in its life.
    #[inline]
    pub fn overlapped(&self, id: OvId) -> OvUse {
        self.ovs.get(id.index()).copied().unwrap_or_default()
    }

    /// Applies one action and returns what it did: [`Kernel::apply`] into a
    /// new [`Outcome`]. A loop that applies many actions should reuse one
    /// outcome with `apply`, which allocates nothing once it has grown.
    ///
    /// ```
    /// use iocp_model::{Action, CallResult, Flavor, Kernel, KernelConfig, PortId, ThreadId};
    ///
    /// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
    /// let (p, t) = (PortId(0), ThreadId(0));
    /// assert_eq!(k.step(Action::get(t, p))?.result, CallResult::Pending);
    /// let out = k.step(Action::post(p, 7))?;
    /// assert_eq!((out.deliveries[0].thread, out.deliveries[0].packet.key), (t, 7));
    /// // T0 runs: it cannot be timed out; the refusal names the rule and why.
    /// let refused = k.step(Action::timeout(t)).unwrap_err();
    /// assert_eq!(refused.rule, iocp_model::Rule::Timeout);
    /// # Ok::<(), iocp_model::Rejection>(())
    /// ```
    pub fn step(&mut self, action: Action) -> Result<Outcome, Rejection> {
        let mut out = Outcome::default();
        self.apply(action, &mut out)?;
        Ok(out)
    }

    /// Applies one action. On success `out` describes what happened; on
    /// rejection the kernel is exactly as before and `out` is cleared.
    /// `out`'s buffers are reused: no allocation once they have grown (the
    /// form for loops; [`Kernel::step`] returns a new outcome).
    /// `#[inline]`, as [`Kernel::apply_brief`]: compiled in its caller's
    /// crate, where a loop's steps each get their own dispatch (measured:
    /// docs/benchmarks.md, fifth pass).
    #[inline]
    pub fn apply(&mut self, action: Action, out: &mut Outcome) -> Result<(), Rejection> {
        self.apply_to(action, out)
    }

    /// [`Kernel::apply`], recording only the result, the deliveries and the
    /// failures in `out` (a [`Brief`]): the same step and the same new
    /// state, about a third cheaper per handoff, for a caller that carries
    /// the model's decisions out and reads no narration (the live port,
    /// the lab). `#[inline]`: compiled in its caller's crate, as the live
    /// port's hot path wants it (measured: docs/live.md).
    #[inline]
    pub fn apply_brief(&mut self, action: Action, out: &mut Brief) -> Result<(), Rejection> {
        self.apply_to(action, out)
    }

    /// The one body of [`Kernel::apply`] and [`Kernel::apply_brief`]:
    /// validates, then dispatches to the action's rule, which records in
    /// `out`'s form.
    #[inline(always)]
    fn apply_to<R: Record>(&mut self, action: Action, out: &mut R) -> Result<(), Rejection> {
        out.begin();
        self.check(action)?;
        match action {
            Action::Associate { device, port, key } => self.rule_associate(device, port, key, out),
            Action::Issue {
                device,
                overlapped,
                inline,
                by,
            } => self.rule_issue(device, overlapped, inline, by, out),
            Action::Complete {
                overlapped,
                bytes,
                status,
            } => self.rule_complete(overlapped, bytes, status, out),
            Action::Post {
                port,
                key,
                bytes,
                overlapped,
                by,
            } => self.rule_post(port, key, bytes, overlapped, by, out),
            Action::Get {
                thread,
                port,
                timeout,
            } => self.rule_get(thread, port, timeout, out),
            Action::GetEx {
                thread,
                port,
                max,
                timeout,
            } => self.rule_get_ex(thread, port, timeout, max, out),
            Action::Block { thread, on } => self.rule_block(thread, on, out),
            Action::Unblock { thread } => self.rule_unblock(thread, out),
            Action::Timeout { thread } => self.rule_timeout(thread, out),
            Action::Exit { thread } => self.rule_exit(thread, out),
            Action::CloseDevice { device } => self.rule_close_device(device, out),
            Action::ClosePort { port } => self.rule_close_port(port, out),
        }
        Ok(())
    }

    /// Checks an action's preconditions without changing anything.
    #[inline]
    pub fn validate(&self, action: Action) -> Result<(), Rejection> {
        self.check(action)
    }

    /// [`Kernel::validate`], always inlined into the step.
    #[inline(always)]
    fn check(&self, action: Action) -> Result<(), Rejection> {
        let rule = action.rule();
        let reject = |kind| Err(Rejection { rule, kind });
        match action {
            Action::Associate { device, port, .. } => {
                self.known_device(device, rule)?;
                self.known_port(port, rule)
            }
            Action::Issue {
                device,
                overlapped,
                by,
                ..
            } => {
                self.known_device(device, rule)?;
                match self.overlapped(overlapped) {
                    OvUse::Free => {}
                    OvUse::Pending(d) => {
                        return reject(RejectKind::OverlappedInUse {
                            overlapped,
                            pending_on: Some(d),
                        })
                    }
                    OvUse::Queued => {
                        return reject(RejectKind::OverlappedInUse {
                            overlapped,
                            pending_on: None,
                        })
                    }
                }
                match by {
                    Some(t) => self.can_call(t, rule),
                    None => Ok(()),
                }
            }
            Action::Complete { overlapped, .. } => match self.overlapped(overlapped) {
                OvUse::Pending(_) => Ok(()),
                _ => reject(RejectKind::NotPending { overlapped }),
            },
            Action::Post { port, by, .. } => {
                self.known_port(port, rule)?;
                match by {
                    Some(t) => self.can_call(t, rule),
                    None => Ok(()),
                }
            }
            Action::Get { thread, port, .. } => {
                self.known_port(port, rule)?;
                self.can_call(thread, rule)
            }
            Action::GetEx {
                thread, port, max, ..
            } => {
                self.known_port(port, rule)?;
                self.can_call(thread, rule)?;
                if max == 0 {
                    return reject(RejectKind::ZeroBatch { thread });
                }
                Ok(())
            }
            Action::Block { thread, .. } | Action::Exit { thread } => self.can_call(thread, rule),
            Action::Unblock { thread } => {
                self.known_thread(thread, rule)?;
                match self.threads[thread.index()].state {
                    ThreadState::Paused(_) => Ok(()),
                    ThreadState::Exited => reject(RejectKind::ThreadExited { thread }),
                    _ => reject(RejectKind::NotPaused { thread }),
                }
            }
            Action::Timeout { thread } => {
                self.known_thread(thread, rule)?;
                let t = &self.threads[thread.index()];
                match t.state {
                    ThreadState::Waiting(w) if w.timeout == Timeout::Infinite => {
                        reject(RejectKind::InfiniteWait {
                            thread,
                            port: t.port.expect("a waiting thread is associated"),
                        })
                    }
                    ThreadState::Waiting(_) => Ok(()),
                    ThreadState::Exited => reject(RejectKind::ThreadExited { thread }),
                    _ => reject(RejectKind::NotWaiting { thread }),
                }
            }
            Action::CloseDevice { device } => self.known_device(device, rule),
            Action::ClosePort { port } => self.known_port(port, rule),
        }
    }

    #[inline(always)]
    fn known_thread(&self, thread: ThreadId, rule: Rule) -> Result<(), Rejection> {
        if thread.index() < self.threads.len() {
            Ok(())
        } else {
            Err(Rejection {
                rule,
                kind: RejectKind::UnknownThread(thread),
            })
        }
    }

    #[inline(always)]
    fn known_port(&self, port: PortId, rule: Rule) -> Result<(), Rejection> {
        if port.index() < self.ports.len() {
            Ok(())
        } else {
            Err(Rejection {
                rule,
                kind: RejectKind::UnknownPort(port),
            })
        }
    }

    #[inline(always)]
    fn known_device(&self, device: DeviceId, rule: Rule) -> Result<(), Rejection> {
        if device.index() < self.devices.len() {
            Ok(())
        } else {
            Err(Rejection {
                rule,
                kind: RejectKind::UnknownDevice(device),
            })
        }
    }

    /// A thread may make a call only while it runs.
    #[inline(always)]
    fn can_call(&self, thread: ThreadId, rule: Rule) -> Result<(), Rejection> {
        self.known_thread(thread, rule)?;
        let t = &self.threads[thread.index()];
        let kind = match t.state {
            ThreadState::Running => return Ok(()),
            ThreadState::Waiting(_) => RejectKind::ThreadWaiting {
                thread,
                port: t.port.expect("a waiting thread is associated"),
            },
            ThreadState::Paused(on) => RejectKind::ThreadPaused {
                thread,
                port: t.port,
                on,
            },
            ThreadState::Exited => RejectKind::ThreadExited { thread },
        };
        Err(Rejection { rule, kind })
    }

    /// Thread `t`, to be written by a rule: marked in the step's change marks.
    #[inline(always)]
    pub(crate) fn thread_mut(&mut self, t: ThreadId, out: &mut impl Record) -> &mut Thread {
        out.touch_thread(t);
        &mut self.threads[t.index()]
    }

    /// Port `p`, to be written by a rule: marked in the step's change marks.
    #[inline(always)]
    pub(crate) fn port_mut(&mut self, p: PortId, out: &mut impl Record) -> &mut Port {
        out.touch_port(p);
        &mut self.ports[p.index()]
    }

    /// Port `p`'s IOCQ, to be written by a rule: marked in the step's change marks.
    #[inline(always)]
    pub(crate) fn iocq_mut(&mut self, p: PortId, out: &mut impl Record) -> &mut Iocq {
        out.touch_iocq(p);
        &mut self.ports[p.index()].iocq
    }

    /// Port `p`'s WTQ, to be written by a rule: marked in the step's change marks.
    #[inline(always)]
    pub(crate) fn wtq_mut(&mut self, p: PortId, out: &mut impl Record) -> &mut Wtq {
        out.touch_wtq(p);
        &mut self.ports[p.index()].wtq
    }

    /// Device `d` (validated), to be written by a rule: marked in the step's change marks.
    #[inline(always)]
    pub(crate) fn device_mut(&mut self, d: DeviceId, out: &mut impl Record) -> &mut Device {
        out.touch_io();
        self.devices.get_mut(d).expect("validated")
    }

    /// Copies back from `before` what `touched` says may differ (of a
    /// port: its counters, flags and RTL and PTL, and its IOCQ and WTQ only
    /// if marked), and the run totals: if `self` was equal to `before` and then changed only
    /// by one [`Kernel::apply`] whose outcome said `touched`, it is equal
    /// to `before` again (checked in debug builds), at the cost of what
    /// the step touched instead of a whole [`Clone::clone_from`]. Given
    /// anything else (another kernel, another step's marks), `self` may
    /// mix the two states; with [`Touched::ALL`] it is a plain copy.
    pub fn restore_from(&mut self, before: &Kernel, touched: &Touched) {
        if touched.far()
            || self.ports.len() != before.ports.len()
            || self.threads.len() != before.threads.len()
        {
            self.clone_from(before);
            return;
        }
        let mut ports = touched.port_mask();
        while ports != 0 {
            let i = ports.trailing_zeros() as usize;
            ports &= ports - 1;
            if let (Some(p), Some(b)) = (self.ports.get_mut(i), before.ports.get(i)) {
                let bit = 1u64 << i;
                p.restore_from(
                    b,
                    touched.iocq_mask() & bit != 0,
                    touched.wtq_mask() & bit != 0,
                );
            }
        }
        let mut threads = touched.thread_mask();
        while threads != 0 {
            let i = threads.trailing_zeros() as usize;
            threads &= threads - 1;
            if let (Some(t), Some(b)) = (self.threads.get_mut(i), before.threads.get(i)) {
                *t = *b;
            }
        }
        if touched.io() {
            self.devices.clone_from(&before.devices);
            self.ovs.clone_from(&before.ovs);
        }
        self.counters = before.counters;
        debug_assert!(
            self == before,
            "restore_from: the step wrote something it did not mark"
        );
    }
}

/// Sets OVERLAPPED `id`'s use in `ovs` (a kernel's table) to `state`, marked
/// in the step's change marks. Takes the table rather than the kernel, so that a rule
/// holding a port and a thread can free an I/O packet's OVERLAPPED.
#[inline]
pub(crate) fn set_ov(ovs: &mut Vec<OvUse>, id: OvId, state: OvUse, out: &mut impl Record) {
    out.touch_io();
    let i = id.index();
    if i >= ovs.len() {
        if state == OvUse::Free {
            return;
        }
        ovs.resize(i + 1, OvUse::Free);
    }
    ovs[i] = state;
    // Keep the table canonical (no trailing Free) so equal states compare equal.
    while ovs.last() == Some(&OvUse::Free) {
        ovs.pop();
    }
}
