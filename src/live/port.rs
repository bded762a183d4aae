//! [`CompletionPort`]: a real synchronization primitive for Rust threads
//! whose every decision is made by [`model::Kernel`](crate::model::Kernel).
//!
//! The port's state is one `Kernel` (one port, threads added as they join)
//! behind a `parking_lot` mutex. A call locks it, applies the call's action,
//! and then carries out what the model decided: each packet the model hands
//! to a thread is put in that thread's mailbox and that thread alone is
//! unparked (every thread waits on a condition variable of its own, so
//! nobody else wakes). A waiting thread returns only when its mailbox holds
//! something; wake-ups without mail are absorbed by a loop and never seen by
//! callers. A finite wait that reaches its deadline applies rule 5.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError};
use parking_lot::{Condvar, Mutex};

use super::local;
use crate::model::{
    Action, CallResult, Event, Kernel, KernelConfig, Outcome, PortId, Rejection, ThreadId,
    ThreadState, Timeout, WinError,
};

/// The only port of a live port's kernel.
pub(crate) const PORT: PortId = PortId(0);

/// The processors of a controlled run's machine (what concurrency 0 means
/// there), the scenario format's default.
pub const CONTROLLED_CPUS: u32 = 4;

/// Gives every port a number of its own, so a thread knows which port it joined.
static NEXT_UID: AtomicU64 = AtomicU64::new(1);

/// Which threads the port releases and wakes: the model's
/// [`Policy`](crate::model::Policy), shared with the lab and the command
/// line. The model makes every decision of every policy, the wake order
/// included (`fifo-limited` is the Windows rules with the oldest waiter
/// woken). A `wine` port wakes nobody when closed (Wine 8): stop its
/// waiters with packets instead.
pub use crate::model::Policy;

/// Why a get returned no packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetError {
    /// WAIT_TIMEOUT: a poll found nothing it may take, or the wait reached
    /// its deadline (rule 5).
    Timeout,
    /// The port was closed under the waiting thread (ERROR_ABANDONED_WAIT_0).
    Abandoned,
    /// The port is closed (ERROR_INVALID_HANDLE); nothing changed.
    Closed,
    /// The model refused the call (for example `get_many` with room for
    /// 0 values); nothing changed.
    Rejected(Rejection),
    /// The call was made inside a [`blocking`](super::blocking) scope: a
    /// thread waiting on something else cannot call get; nothing changed.
    InsideBlocking,
    /// The call was made while the thread is being torn down (from a
    /// thread-local destructor); nothing changed.
    ThreadExiting,
}

impl std::fmt::Display for GetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GetError::Timeout => f.write_str("WAIT_TIMEOUT: no packet"),
            GetError::Abandoned => f.write_str("ERROR_ABANDONED_WAIT_0: the port was closed"),
            GetError::Closed => f.write_str("ERROR_INVALID_HANDLE: the port is closed"),
            GetError::Rejected(r) => write!(f, "the model refused the call ({:?})", r.kind),
            GetError::InsideBlocking => f.write_str("get called inside a blocking scope"),
            GetError::ThreadExiting => f.write_str("the calling thread is exiting"),
        }
    }
}

impl std::error::Error for GetError {}

/// The port is closed (ERROR_INVALID_HANDLE): a post's value comes back;
/// a second [`close`](CompletionPort::close) gives `Closed(())`.
#[derive(Debug, PartialEq, Eq)]
pub struct Closed<T>(pub T);

impl<T> std::fmt::Display for Closed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ERROR_INVALID_HANDLE: the port is closed")
    }
}

impl<T: std::fmt::Debug> std::error::Error for Closed<T> {}

/// What one call did, as the model saw it: for viewers of a live port.
#[derive(Clone, Debug)]
pub struct LiveEvent {
    /// Which call, with the model's thread id of the caller (as
    /// [`CompletionPort::current_thread`] names it).
    pub action: Action,
    /// The rules that fired, the result, the deliveries and failures.
    pub outcome: Outcome,
    /// The port's `current` after the call.
    pub current: u32,
    /// The port's limit.
    pub max: u32,
    /// Packets queued after the call.
    pub queued: u32,
    /// Threads in the WTQ after the call.
    pub waiting: u32,
    /// Threads in the PTL after the call.
    pub paused: u32,
    /// When the call was applied, from the port's creation.
    pub at: Duration,
}

/// Totals of a live port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiveStats {
    /// Actions applied to the model.
    pub calls: u64,
    /// Threads unparked because the model handed them something.
    pub unparks: u64,
    /// Finite waits that reached their deadline (rule 5).
    pub timeouts: u64,
    /// How long the RTL was over the limit (`current > max`), in total,
    /// including the current stretch.
    pub over_limit: Duration,
    /// Events not sent because the viewer's channel was full.
    pub dropped_events: u64,
}

/// The controlled scheduler's view of a port's calls (see `control.rs`).
/// With a hook, a port's waits ignore real deadlines: the hook decides when
/// a finite wait expires, so a schedule replays exactly.
pub(crate) trait Hook: Send + Sync {
    /// A scheduling point: the calling thread is about to make a call.
    fn point(&self);
    /// The calling thread took seat `seat` (under the port's lock).
    fn joined(&self, seat: usize, model: ThreadId);
    /// An action was applied (under the port's lock).
    fn applied(&self, before: &Kernel, action: Action, out: &Outcome, after: &Kernel);
    /// The calling thread is about to wait in the port: let another run.
    fn pass(&self);
    /// The calling thread's wait is over: wait for its turn to go on.
    fn turn(&self);
}

/// A real thread's place at the port: its wake-up signal and its mailbox.
struct Seat<T> {
    wake: Arc<Condvar>,
    mail: Vec<T>,
    failed: Option<WinError>,
    /// The model's id of this seat's thread.
    model: ThreadId,
    /// Controlled runs: the hook let this seat's finite wait expire.
    expire: bool,
}

pub(crate) struct State<T> {
    kernel: Kernel,
    out: Outcome,
    policy: Policy,
    next_key: u64,
    payloads: HashMap<u64, T>,
    seats: Vec<Seat<T>>,
    /// Model thread id -> seat.
    seat_of: Vec<usize>,
    events: Option<Sender<LiveEvent>>,
    stats: LiveStats,
    over_since: Option<Instant>,
    born: Instant,
    hook: Option<Arc<dyn Hook>>,
}

pub(crate) struct Inner<T> {
    pub(crate) uid: u64,
    pub(crate) state: Mutex<State<T>>,
    hook: Option<Arc<dyn Hook>>,
}

/// A live I/O completion port carrying values of type `T`.
///
/// Cloning gives another handle to the same port. A thread joins the port
/// by calling [`get`](CompletionPort::get) or
/// [`get_many`](CompletionPort::get_many), as in Windows, and stays
/// associated until it exits (rule 6, applied by a thread-local guard) or
/// calls get on another port (it then leaves this one: `current -= 1` and
/// the port may release a waiter, as rule 6 does). Code that waits on
/// anything else while associated should do it inside
/// [`blocking`](super::blocking), so that the port counts it out (rule 3)
/// and back in (rule 4).
pub struct CompletionPort<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for CompletionPort<T> {
    fn clone(&self) -> Self {
        CompletionPort {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<T: Send + 'static> CompletionPort<T> {
    /// A port that releases at most `concurrency` threads at once (the
    /// Windows policy). 0 means the number of processors, as in Windows.
    pub fn new(concurrency: u32) -> CompletionPort<T> {
        CompletionPort::with_policy(concurrency, Policy::Lifo)
    }

    /// A port with a policy other than Windows' (for comparisons).
    pub fn with_policy(concurrency: u32, policy: Policy) -> CompletionPort<T> {
        CompletionPort::build(concurrency, policy, None)
    }

    /// A Windows port whose calls are scheduling points of `hook`. Its
    /// machine has [`CONTROLLED_CPUS`] processors whatever the host has, so
    /// a schedule replays the same everywhere.
    pub(crate) fn controlled(concurrency: u32, hook: Arc<dyn Hook>) -> CompletionPort<T> {
        CompletionPort::build(concurrency, Policy::Lifo, Some(hook))
    }

    fn build(concurrency: u32, policy: Policy, hook: Option<Arc<dyn Hook>>) -> CompletionPort<T> {
        let cpus = match hook {
            Some(_) => CONTROLLED_CPUS,
            None => std::thread::available_parallelism()
                .map(|n| n.get() as u32)
                .unwrap_or(1),
        };
        let mut kernel = Kernel::new(&KernelConfig {
            flavor: policy.flavor(),
            cpus,
            ports: vec![concurrency],
            threads: 0,
            devices: Vec::new(),
        });
        kernel.set_wake_order(policy.wake_order());
        CompletionPort {
            inner: Arc::new(Inner {
                uid: NEXT_UID.fetch_add(1, Ordering::Relaxed),
                state: Mutex::new(State {
                    kernel,
                    out: Outcome::default(),
                    policy,
                    next_key: 0,
                    payloads: HashMap::new(),
                    seats: Vec::new(),
                    seat_of: Vec::new(),
                    events: None,
                    stats: LiveStats::default(),
                    over_since: None,
                    born: Instant::now(),
                    hook: hook.clone(),
                }),
                hook,
            }),
        }
    }

    /// PostQueuedCompletionStatus (rule 2): the model hands `value` to the
    /// waiter it releases, or queues it. A closed port gives it back. A
    /// post by a running thread of this port is made `by` it, so a worker
    /// still in its get loop queues its own follow-up work instead of
    /// waking a second thread (model.md, the queue-wait mark).
    pub fn post(&self, value: T) -> Result<(), Closed<T>> {
        self.point();
        let seat = local::seat_at(self.inner.uid);
        let mut st = self.inner.state.lock();
        let key = st.next_key;
        st.next_key += 1;
        st.payloads.insert(key, value);
        // The poster, if it is a running thread of this port: rule 2's
        // exception (the queue-wait mark) depends on it.
        let by = seat
            .map(|s| st.seats[s].model)
            .filter(|&t| st.kernel.thread(t).state() == ThreadState::Running);
        let action = Action::Post {
            port: PORT,
            key,
            bytes: 0,
            overlapped: None,
            by,
        };
        // Always valid for the model: its port exists and `by` runs.
        let _ = st.apply(action, None);
        if st.out.result == CallResult::Failed(WinError::InvalidHandle) {
            let value = st.payloads.remove(&key);
            return Err(Closed(value.expect("a refused post keeps its value")));
        }
        Ok(())
    }

    /// GetQueuedCompletionStatus (rule 1): one value. `None` waits for ever;
    /// `Some(Duration::ZERO)` polls.
    pub fn get(&self, timeout: Option<Duration>) -> Result<T, GetError> {
        let mut v = self.call(None, timeout)?;
        Ok(v.pop().expect("a successful get carries one packet"))
    }

    /// GetQueuedCompletionStatusEx (rule 7): up to `n` values at once (at
    /// least one on success). `n` must be at least 1.
    pub fn get_many(&self, n: u32, timeout: Option<Duration>) -> Result<Vec<T>, GetError> {
        self.call(Some(n), timeout)
    }

    /// Closes the port (rule 8): waiters return [`GetError::Abandoned`],
    /// associated threads become free, later calls fail with
    /// [`GetError::Closed`]. Returns the values that were still queued (the
    /// model's discarded packets), in queue order. A second close returns
    /// `Err(Closed(()))` and changes nothing.
    pub fn close(&self) -> Result<Vec<T>, Closed<()>> {
        self.point();
        let mut st = self.inner.state.lock();
        let _ = st.apply(Action::ClosePort { port: PORT }, None);
        if st.out.result == CallResult::Failed(WinError::InvalidHandle) {
            return Err(Closed(()));
        }
        let keys: Vec<u64> = st
            .out
            .fired
            .iter()
            .filter_map(|f| match f.event {
                Event::Discarded { packet, .. } => Some(packet.key),
                _ => None,
            })
            .collect();
        Ok(keys
            .into_iter()
            .filter_map(|k| st.payloads.remove(&k))
            .collect())
    }

    /// Reads the model's state (the port is `PortId(0)`), under the lock:
    /// what a viewer or a test observes is a state between two calls.
    pub fn inspect<R>(&self, f: impl FnOnce(&Kernel) -> R) -> R {
        f(&self.inner.state.lock().kernel)
    }

    /// The model's id of the calling thread at this port, if it joined.
    pub fn current_thread(&self) -> Option<ThreadId> {
        let seat = local::seat_at(self.inner.uid)?;
        Some(self.inner.state.lock().seats[seat].model)
    }

    /// The policy the port was made with.
    pub fn policy(&self) -> Policy {
        self.inner.state.lock().policy
    }

    /// Totals so far.
    pub fn stats(&self) -> LiveStats {
        let st = self.inner.state.lock();
        let mut s = st.stats;
        if let Some(since) = st.over_since {
            s.over_limit += since.elapsed();
        }
        s
    }

    /// A stream of what every later call does (the model's events). The
    /// channel holds at most `capacity` events: when the viewer falls
    /// behind, events are dropped and counted ([`LiveStats::dropped_events`])
    /// rather than stalling the port or growing without bound. A new
    /// subscription replaces the previous one.
    pub fn events(&self, capacity: usize) -> Receiver<LiveEvent> {
        let (tx, rx) = crossbeam_channel::bounded(capacity.max(1));
        self.inner.state.lock().events = Some(tx);
        rx
    }

    fn point(&self) {
        if let Some(h) = &self.inner.hook {
            h.point();
        }
    }

    /// The seat of the calling thread, joining the port first if needed
    /// (and leaving the port it was associated with before).
    fn seat(&self) -> Result<usize, GetError> {
        let weak: Weak<dyn local::Member> = Arc::downgrade(&self.inner) as Weak<dyn local::Member>;
        local::join(self.inner.uid, weak, || self.inner.state.lock().add_seat()).map_err(
            |e| match e {
                local::JoinError::Blocking => GetError::InsideBlocking,
                local::JoinError::Exiting => GetError::ThreadExiting,
            },
        )
    }

    fn call(&self, batch: Option<u32>, timeout: Option<Duration>) -> Result<Vec<T>, GetError> {
        self.point();
        let seat = self.seat()?;
        let deadline = timeout.map(|d| Instant::now() + d);
        let model_timeout = match timeout {
            None => Timeout::Infinite,
            Some(d) if d.is_zero() => Timeout::Ms(0),
            // A non-zero wait shorter than 1 ms is still a wait, not a poll.
            Some(d) => Timeout::Ms((d.as_millis() as u64).max(1)),
        };
        let mut st = self.inner.state.lock();
        let thread = st.seats[seat].model;
        let action = match batch {
            None => Action::Get {
                thread,
                port: PORT,
                timeout: model_timeout,
            },
            Some(max) => Action::GetEx {
                thread,
                port: PORT,
                max,
                timeout: model_timeout,
            },
        };
        st.apply(action, Some(seat)).map_err(GetError::Rejected)?;
        let wake = Arc::clone(&st.seats[seat].wake);
        let hook = self.inner.hook.clone();
        loop {
            if let Some(r) = st.take_mail(seat) {
                if let Some(h) = &hook {
                    drop(st);
                    h.turn();
                }
                return r;
            }
            match (&hook, deadline) {
                (Some(h), _) => {
                    // Controlled: let another thread run, then sleep until
                    // mail comes or the controller lets the wait expire.
                    parking_lot::MutexGuard::unlocked(&mut st, || h.pass());
                    while st.seats[seat].mail.is_empty()
                        && st.seats[seat].failed.is_none()
                        && !st.seats[seat].expire
                    {
                        wake.wait(&mut st);
                    }
                    if std::mem::take(&mut st.seats[seat].expire) {
                        st.expire(seat)?;
                    }
                }
                (None, None) => wake.wait(&mut st),
                (None, Some(d)) => {
                    if wake.wait_until(&mut st, d).timed_out() && st.seats[seat].mail.is_empty() {
                        st.expire(seat)?;
                    }
                }
            }
        }
    }
}

impl<T> State<T> {
    fn add_seat(&mut self) -> usize {
        let model = self.kernel.add_thread();
        let seat = self.seats.len();
        self.seats.push(Seat {
            wake: Arc::new(Condvar::new()),
            mail: Vec::new(),
            failed: None,
            model,
            expire: false,
        });
        self.seat_of.push(seat);
        if let Some(h) = &self.hook {
            h.joined(seat, model);
        }
        seat
    }

    /// Rule 5 for a seat whose wait reached its deadline (unless the model
    /// has already decided its call).
    fn expire(&mut self, seat: usize) -> Result<(), GetError> {
        if self.seats[seat].mail.is_empty() && self.seats[seat].failed.is_none() {
            let thread = self.seats[seat].model;
            self.apply(Action::Timeout { thread }, Some(seat))
                .map_err(GetError::Rejected)?;
            self.stats.timeouts += 1;
        }
        Ok(())
    }

    /// What the seat's call returns, if the model has decided it.
    fn take_mail(&mut self, seat: usize) -> Option<Result<Vec<T>, GetError>> {
        let s = &mut self.seats[seat];
        if !s.mail.is_empty() {
            return Some(Ok(std::mem::take(&mut s.mail)));
        }
        s.failed.take().map(|e| {
            Err(match e {
                WinError::WaitTimeout => GetError::Timeout,
                WinError::AbandonedWait0 => GetError::Abandoned,
                _ => GetError::Closed,
            })
        })
    }

    /// Applies one action and carries out the model's decisions: mail for
    /// every thread it handed a packet or a failure, and an unpark for each
    /// of them but the caller (`by`, which reads its own mail).
    pub(crate) fn apply(&mut self, action: Action, by: Option<usize>) -> Result<(), Rejection> {
        let before = self.hook.as_ref().map(|_| self.kernel.clone());
        self.kernel.apply(action, &mut self.out)?;
        if let (Some(h), Some(before)) = (&self.hook, &before) {
            h.applied(before, action, &self.out, &self.kernel);
        }
        self.stats.calls += 1;
        let mut notify: Vec<usize> = Vec::new();
        for d in &self.out.deliveries {
            let seat = self.seat_of[d.thread.index()];
            if let Some(v) = self.payloads.remove(&d.packet.key) {
                self.seats[seat].mail.push(v);
            }
            if Some(seat) != by && !notify.contains(&seat) {
                notify.push(seat);
            }
        }
        for &(t, e) in &self.out.failures {
            let seat = self.seat_of[t.index()];
            self.seats[seat].failed = Some(e);
            if Some(seat) != by && !notify.contains(&seat) {
                notify.push(seat);
            }
        }
        for seat in notify {
            self.seats[seat].wake.notify_one();
            self.stats.unparks += 1;
        }
        let port = self.kernel.port(PORT);
        match (port.over_limit(), self.over_since) {
            (true, None) => self.over_since = Some(Instant::now()),
            (false, Some(since)) => {
                self.stats.over_limit += since.elapsed();
                self.over_since = None;
            }
            _ => {}
        }
        if let Some(tx) = &self.events {
            let ev = LiveEvent {
                action,
                outcome: self.out.clone(),
                current: port.current(),
                max: port.max(),
                queued: port.iocq().len() as u32,
                waiting: port.wtq().len() as u32,
                paused: port.ptl().len() as u32,
                at: self.born.elapsed(),
            };
            match tx.try_send(ev) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => self.stats.dropped_events += 1,
                Err(TrySendError::Disconnected(_)) => self.events = None,
            }
        }
        Ok(())
    }
}

impl<T: Send> local::Member for Inner<T> {
    fn point(&self) {
        if let Some(h) = &self.hook {
            h.point();
        }
    }

    fn apply_for(&self, seat: usize, make: &dyn Fn(ThreadId) -> Action) {
        let mut st = self.state.lock();
        let thread = st.seats[seat].model;
        // A thread's own exit, block or unblock is always valid for the model
        // (it runs, or it is paused inside `blocking`); nothing to report.
        let _ = st.apply(make(thread), Some(seat));
    }
}

/// What the controller may do to a port it schedules.
pub(crate) trait Control: Send + Sync {
    /// Lets a seat's finite wait expire (rule 5), waking its thread.
    fn expire_wait(&self, seat: usize);
    /// Closes the port (to end a run that cannot go on).
    fn shut(&self);
}

impl<T: Send> Control for Inner<T> {
    fn expire_wait(&self, seat: usize) {
        let st = &mut *self.state.lock();
        if let Some(s) = st.seats.get_mut(seat) {
            s.expire = true;
            s.wake.notify_one();
        }
    }

    fn shut(&self) {
        let _ = self
            .state
            .lock()
            .apply(Action::ClosePort { port: PORT }, None);
    }
}

impl<T: Send + 'static> CompletionPort<T> {
    /// The port as the controller sees it.
    pub(crate) fn control(&self) -> Arc<dyn Control> {
        Arc::clone(&self.inner) as Arc<dyn Control>
    }
}
