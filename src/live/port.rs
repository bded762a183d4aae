//! [`CompletionPort`]: a real synchronization primitive for Rust threads
//! whose every decision is made by [`model::Kernel`](crate::model::Kernel).
//!
//! The port's state is one `Kernel` (one port, threads added as they join)
//! behind one lock. A call takes the lock, applies the call's action, and
//! carries out what the model decided: each packet or failure the model
//! hands to a thread goes into that thread's mailbox, and only that thread
//! is told. A waiting thread watches its own mailbox: it spins and yields a
//! little first (a handoff to a thread about to get then costs no context
//! switch), then parks, and the thread that fills the mailbox unparks it
//! only if it did park. Wake-ups without mail are absorbed and never seen
//! by callers. A finite wait that reaches its deadline applies rule 5.
//!
//! The lock, the atomics, parking and thread-locals come from `sync.rs`:
//! the real ones, or shuttle's under the `shuttle` feature (one port, its
//! primitives swapped).

use std::collections::VecDeque;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, TrySendError};

use super::history::{Call, Observe};
use super::local;
use super::sync::{self, AtomicU8, Mutex, MutexGuard, Thread, ACQUIRE, ACQ_REL, RELEASE};
use crate::model::{
    Action, Brief, CallResult, Event, Kernel, KernelConfig, Outcome, PortId, Rejection, ThreadId,
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
///
/// An error for any `T`: its `Debug` shows `Closed(..)` without the value,
/// so `port.post(job)?` and `.unwrap()` work whether or not the job type
/// is `Debug` (take the value out of `.0` to see it).
#[derive(PartialEq, Eq)]
pub struct Closed<T>(pub T);

impl<T> std::fmt::Debug for Closed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Closed(..)")
    }
}

impl<T> std::fmt::Display for Closed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ERROR_INVALID_HANDLE: the port is closed")
    }
}

impl<T> std::error::Error for Closed<T> {}

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
    /// Calls that handed a packet or a failure to a thread waiting in the
    /// port (not the caller): each is a wake-up in the model.
    pub handoffs: u64,
    /// Of those, the ones whose thread had parked and was unparked (a
    /// context switch); the others found their thread still spinning.
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
    /// The calling thread is about to wait in the port: let another run.
    fn pass(&self);
    /// The calling thread's wait is over: wait for its turn to go on.
    fn turn(&self);
}

/// The mailbox has nothing and its owner is not in a call.
const IDLE: u8 = 0;
/// The owner is in a call the model has not decided yet.
const WAITING: u8 = 1;
/// As `WAITING`, and the owner parks (the filler must unpark it).
const PARKED: u8 = 2;
/// The letter holds what the model decided; the owner may take it.
const FULL: u8 = 3;

/// What the model handed a thread for its call.
struct Letter<T> {
    values: Vec<T>,
    failed: Option<WinError>,
    /// Controlled runs: the controller lets this wait expire (rule 5).
    expire: bool,
}

/// A thread's mailbox at a port. Filled only under the port's lock (by
/// whichever call the model's decision came from), emptied by its owner
/// alone, without the port's lock: `state` says whose turn it is.
struct Mailbox<T> {
    state: AtomicU8,
    letter: Mutex<Letter<T>>,
    owner: Thread,
}

/// What the owner found in its mailbox.
enum Taken<T> {
    /// Values (one for `get`, appended to the caller's buffer for `get_many`).
    Values(Option<T>),
    Failed(WinError),
    /// The controller let the wait expire: apply rule 5, then look again.
    Expire,
}

impl<T> Mailbox<T> {
    fn new() -> Mailbox<T> {
        Mailbox {
            state: AtomicU8::new(IDLE),
            letter: Mutex::new(Letter {
                values: Vec::new(),
                failed: None,
                expire: false,
            }),
            owner: sync::current(),
        }
    }

    fn full(&self) -> bool {
        self.state.load(ACQUIRE) == FULL
    }

    /// The owner's call begins (under the port's lock, before its action).
    fn open(&self) {
        self.state.store(WAITING, RELEASE);
    }

    /// Under the port's lock: the owner's wait reached its deadline and
    /// rule 5 decides it now (the decision goes to the caller's own letter).
    fn shut(&self) {
        self.state.store(IDLE, RELEASE);
    }

    /// Under the port's lock, once the letter is written: tells the owner.
    /// Returns the owner if it had parked: it must be unparked, which the
    /// caller does once it has let go of the port's lock (an unpark is a
    /// system call that other callers need not wait for).
    fn deliver(&self) -> Option<Thread> {
        (self.state.swap(FULL, ACQ_REL) == PARKED).then(|| self.owner.clone())
    }

    /// The owner waits until the letter is full, or `deadline`; returns
    /// whether it is full.
    fn wait(&self, spin: bool, deadline: Option<Instant>) -> bool {
        sync::wait(
            spin,
            deadline,
            || self.full(),
            || {
                self.state
                    .compare_exchange(WAITING, PARKED, ACQ_REL, ACQUIRE)
                    .is_ok()
            },
        )
    }

    /// The owner takes its full letter: a `get`'s value, or a `get_many`'s
    /// values appended to `many`.
    fn take(&self, many: Option<&mut Vec<T>>) -> Taken<T> {
        let mut l = sync::lock(&self.letter);
        let taken = if std::mem::take(&mut l.expire) {
            Taken::Expire
        } else if let Some(e) = l.failed.take() {
            Taken::Failed(e)
        } else {
            match many {
                Some(buf) => {
                    buf.append(&mut l.values);
                    Taken::Values(None)
                }
                None => Taken::Values(l.values.pop()),
            }
        };
        drop(l);
        self.state.store(IDLE, RELEASE);
        taken
    }
}

/// The values of posted packets by key. Keys are handed out in order and
/// the model's queue is FIFO, so the values live in a ring whose front is
/// the oldest value still held (a hole where one was taken out of order).
struct Payloads<T> {
    base: u64,
    ring: VecDeque<Option<T>>,
}

impl<T> Payloads<T> {
    /// Keeps `value`; its key.
    fn insert(&mut self, value: T) -> u64 {
        self.ring.push_back(Some(value));
        self.base + self.ring.len() as u64 - 1
    }

    /// The value of `key`, if held, pushed onto `into` (a delivery's value
    /// into its thread's letter).
    #[inline]
    fn take_to(&mut self, key: u64, into: &mut Vec<T>) {
        if let Some(v) = self.take(key) {
            into.push(v);
        }
    }

    /// The value of `key`, if held.
    #[inline]
    fn take(&mut self, key: u64) -> Option<T> {
        let value = if key == self.base {
            // The oldest: packets mostly leave in the order they came.
            let value = self.ring.pop_front()?;
            self.base += 1;
            value
        } else {
            let i = usize::try_from(key.checked_sub(self.base)?).ok()?;
            self.ring.get_mut(i)?.take()
        };
        while let Some(None) = self.ring.front() {
            self.ring.pop_front();
            self.base += 1;
        }
        value
    }
}

/// A real thread's place at the port.
struct Seat<T> {
    mailbox: Arc<Mailbox<T>>,
    /// The model's id of this seat's thread.
    model: ThreadId,
    /// The call (`LiveStats::calls`) whose decision was last delivered here.
    told: u64,
}

/// Aligned to 128 bytes (two cache lines, as crossbeam's `CachePadded` on
/// x86-64), so that the port's lock word lies in a 128-byte block of its
/// own, never on a line with the state it guards: the threads waiting for
/// the lock read that word as they spin, and each read pulled a shared line
/// away from the holder writing the state. Measured side by side with
/// `cargo bench --bench live`: docs/live.md, "The lock word on a line of
/// its own".
#[repr(align(128))]
pub(crate) struct State<T> {
    kernel: Kernel,
    /// The last step in full, when it was recorded so (see [`State::apply`]).
    out: Outcome,
    /// The last step's result, deliveries and failures: what the port
    /// carries out.
    brief: Brief,
    policy: Policy,
    payloads: Payloads<T>,
    seats: Vec<Seat<T>>,
    /// Model thread id -> seat.
    seat_of: Vec<usize>,
    events: Option<Sender<LiveEvent>>,
    stats: LiveStats,
    over_since: Option<Instant>,
    born: Instant,
    observer: Option<Arc<dyn Observe>>,
    /// What the model decided for the caller's own call, taken by the
    /// caller before it lets go of the lock (no mailbox needed).
    own: Letter<T>,
    /// Parked threads the last calls delivered to, unparked by
    /// [`Locked`]'s drop once the lock is let go.
    wake: Vec<Thread>,
}

pub(crate) struct Inner<T> {
    pub(crate) uid: u64,
    state: Mutex<State<T>>,
    hook: Option<Arc<dyn Hook>>,
}

impl<T> Inner<T> {
    /// Takes the port's lock.
    fn lock(&self) -> Locked<'_, T> {
        Locked(Some(sync::lock(&self.state)))
    }
}

// The threads a call must unpark once it has let go of a port's lock.
sync::port_thread_local! {
    static TO_WAKE: std::cell::RefCell<Vec<Thread>> = std::cell::RefCell::new(Vec::new());
}

/// The port's state, locked. When dropped it lets go of the lock and then
/// unparks the threads the calls made under it delivered to, so that no
/// caller waits on the lock while another makes a system call. (A thread
/// being torn down, whose thread-locals are gone, unparks them first.)
struct Locked<'a, T>(Option<MutexGuard<'a, State<T>>>);

impl<T> std::ops::Deref for Locked<'_, T> {
    type Target = State<T>;
    fn deref(&self) -> &State<T> {
        self.0.as_ref().expect("held until dropped")
    }
}

impl<T> std::ops::DerefMut for Locked<'_, T> {
    fn deref_mut(&mut self) -> &mut State<T> {
        self.0.as_mut().expect("held until dropped")
    }
}

impl<T> Drop for Locked<'_, T> {
    #[inline]
    fn drop(&mut self) {
        let Some(st) = self.0.take() else { return };
        if !st.wake.is_empty() {
            Locked::unlock_and_wake(st);
        }
    }
}

impl<T> Locked<'_, T> {
    /// Lets go of the lock, then unparks the threads in `st.wake`.
    #[inline(never)]
    fn unlock_and_wake(mut st: MutexGuard<'_, State<T>>) {
        let moved = TO_WAKE.try_with(|w| w.borrow_mut().append(&mut st.wake));
        if moved.is_err() {
            st.wake.drain(..).for_each(|t| t.unpark());
        }
        drop(st);
        let _ = TO_WAKE.try_with(|w| w.borrow_mut().drain(..).for_each(|t| t.unpark()));
    }
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
///
/// What each call pays: one lock and one model step (a batch call: one
/// lock, and one step per value for [`post_many`](CompletionPort::post_many)).
/// A call that finds the lock taken spins, and parks only if the holder is
/// away for long (the lock never yields: `live::lock`). A get that must
/// wait also spins briefly on its own mailbox and, if nothing comes, parks
/// (a context switch, and an unpark for the thread that fills it, made
/// after that thread lets go of the lock). No call allocates in steady state except
/// [`get_many`](CompletionPort::get_many), which returns a new `Vec`
/// ([`get_many_into`](CompletionPort::get_many_into) fills yours).
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

/// How a get wants its values.
enum Want<'a, T> {
    One,
    Many(u32, &'a mut Vec<T>),
}

impl<T: Send + 'static> CompletionPort<T> {
    /// A port that releases at most `concurrency` threads at once (the
    /// Windows policy). 0 means the number of processors, as in Windows.
    pub fn new(concurrency: u32) -> CompletionPort<T> {
        CompletionPort::with_policy(concurrency, Policy::Lifo)
    }

    /// A port with a policy other than Windows' (for comparisons).
    pub fn with_policy(concurrency: u32, policy: Policy) -> CompletionPort<T> {
        CompletionPort::build(concurrency, policy, None, super::shuttle::observer())
    }

    /// A Windows port whose calls are scheduling points of `hook`, seen by
    /// `observer`. Its machine has [`CONTROLLED_CPUS`] processors whatever
    /// the host has, so a schedule replays the same everywhere.
    #[cfg(not(feature = "shuttle"))]
    pub(crate) fn controlled(
        concurrency: u32,
        hook: Arc<dyn Hook>,
        observer: Arc<dyn Observe>,
    ) -> CompletionPort<T> {
        CompletionPort::build(concurrency, Policy::Lifo, Some(hook), Some(observer))
    }

    fn build(
        concurrency: u32,
        policy: Policy,
        hook: Option<Arc<dyn Hook>>,
        observer: Option<Arc<dyn Observe>>,
    ) -> CompletionPort<T> {
        let cpus = match (&hook, &observer) {
            (None, None) => std::thread::available_parallelism()
                .map(|n| n.get() as u32)
                .unwrap_or(1),
            // Checked runs replay the same on every machine.
            _ => CONTROLLED_CPUS,
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
                uid: NEXT_UID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                state: Mutex::new(State {
                    kernel,
                    out: Outcome::default(),
                    brief: Brief::default(),
                    policy,
                    payloads: Payloads {
                        base: 0,
                        ring: VecDeque::new(),
                    },
                    seats: Vec::new(),
                    seat_of: Vec::new(),
                    events: None,
                    stats: LiveStats::default(),
                    over_since: None,
                    born: Instant::now(),
                    observer,
                    own: Letter {
                        values: Vec::new(),
                        failed: None,
                        expire: false,
                    },
                    wake: Vec::new(),
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
        self.post_many(std::iter::once(value))
            .map_err(|Closed(mut v)| Closed(v.pop().expect("a refused post keeps its value")))
    }

    /// Posts every value of `values` in order, each one PostQueuedCompletionStatus
    /// (one model step, rule 2), all under one lock: no other call comes
    /// between them, and the batch pays for one lock instead of one per
    /// value. A closed port takes none of them and gives them all back.
    /// `port.post_many(buf.drain(..))` reuses `buf`.
    pub fn post_many(&self, values: impl IntoIterator<Item = T>) -> Result<(), Closed<Vec<T>>> {
        self.point();
        let seat = local::seat_at(self.inner.uid);
        let mut st = self.inner.lock();
        // The poster, if it is a running thread of this port: rule 2's
        // exception (the queue-wait mark) depends on it. Its own posts do
        // not change that.
        let by = seat
            .map(|s| st.seats[s].model)
            .filter(|&t| st.kernel.thread(t).state() == ThreadState::Running);
        let mut values = values.into_iter();
        while let Some(value) = values.next() {
            let key = st.payloads.insert(value);
            let action = Action::Post {
                port: PORT,
                key,
                bytes: 0,
                overlapped: None,
                by,
            };
            // Always valid for the model: its port exists and `by` runs.
            let _ = st.apply(action, None);
            if st.brief.result == CallResult::Failed(WinError::InvalidHandle) {
                // Closed, so nothing of this batch went in (the lock is held).
                let mut back: Vec<T> = st.payloads.take(key).into_iter().collect();
                back.extend(values);
                return Err(Closed(back));
            }
        }
        Ok(())
    }

    /// GetQueuedCompletionStatus (rule 1): one value. `None` waits for ever;
    /// `Some(Duration::ZERO)` polls.
    pub fn get(&self, timeout: Option<Duration>) -> Result<T, GetError> {
        let mut one = None;
        self.call(Want::One, timeout, &mut one)?;
        Ok(one.expect("a successful get carries one packet"))
    }

    /// GetQueuedCompletionStatusEx (rule 7): up to `n` values at once (at
    /// least one on success), in a new `Vec`. `n` must be at least 1.
    pub fn get_many(&self, n: u32, timeout: Option<Duration>) -> Result<Vec<T>, GetError> {
        let mut v = Vec::new();
        self.get_many_into(&mut v, n, timeout)?;
        Ok(v)
    }

    /// [`get_many`](CompletionPort::get_many) into `buf`: appends up to `n`
    /// values (at least one on success) and returns how many. With a `buf`
    /// kept between calls, no call allocates once it has grown to `n`.
    pub fn get_many_into(
        &self,
        buf: &mut Vec<T>,
        n: u32,
        timeout: Option<Duration>,
    ) -> Result<usize, GetError> {
        let before = buf.len();
        self.call(Want::Many(n, buf), timeout, &mut None)?;
        Ok(buf.len() - before)
    }

    /// Closes the port (rule 8): waiters return [`GetError::Abandoned`],
    /// associated threads become free, later calls fail with
    /// [`GetError::Closed`]. Returns the values that were still queued (the
    /// model's discarded packets), in queue order. A second close returns
    /// `Err(Closed(()))` and changes nothing.
    pub fn close(&self) -> Result<Vec<T>, Closed<()>> {
        self.point();
        let mut st = self.inner.lock();
        // Recorded in full: the discarded packets are in its events.
        let _ = st.apply_as(Action::ClosePort { port: PORT }, None, true);
        if st.brief.result == CallResult::Failed(WinError::InvalidHandle) {
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
            .filter_map(|k| st.payloads.take(k))
            .collect())
    }

    /// Reads the model's state (the port is `PortId(0)`), under the lock:
    /// what a viewer or a test observes is a state between two calls.
    pub fn inspect<R>(&self, f: impl FnOnce(&Kernel) -> R) -> R {
        f(&self.inner.lock().kernel)
    }

    /// The model's id of the calling thread at this port, if it joined.
    pub fn current_thread(&self) -> Option<ThreadId> {
        let seat = local::seat_at(self.inner.uid)?;
        Some(self.inner.lock().seats[seat].model)
    }

    /// The policy the port was made with.
    pub fn policy(&self) -> Policy {
        self.inner.lock().policy
    }

    /// Totals so far.
    pub fn stats(&self) -> LiveStats {
        let st = self.inner.lock();
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
        self.inner.lock().events = Some(tx);
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
        let member = || Arc::downgrade(&self.inner) as Weak<dyn local::Member>;
        local::join(self.inner.uid, member, || self.inner.lock().add_seat()).map_err(|e| match e {
            local::JoinError::Blocking => GetError::InsideBlocking,
            local::JoinError::Exiting => GetError::ThreadExiting,
        })
    }

    /// A get: applies it, then waits for the model's decision in the
    /// calling thread's mailbox (a `get`'s value goes to `one`).
    fn call(
        &self,
        want: Want<'_, T>,
        timeout: Option<Duration>,
        one: &mut Option<T>,
    ) -> Result<(), GetError> {
        self.point();
        let seat = self.seat()?;
        let deadline = timeout.and_then(|d| Instant::now().checked_add(d));
        let model_timeout = match timeout {
            None => Timeout::Infinite,
            Some(d) if d.is_zero() => Timeout::Ms(0),
            // A non-zero wait shorter than 1 ms is still a wait, not a poll.
            Some(d) => Timeout::Ms((d.as_millis() as u64).max(1)),
        };
        let mut st = self.inner.lock();
        let thread = st.seats[seat].model;
        let (action, mut many) = match want {
            Want::One => (
                Action::Get {
                    thread,
                    port: PORT,
                    timeout: model_timeout,
                },
                None,
            ),
            Want::Many(max, buf) => (
                Action::GetEx {
                    thread,
                    port: PORT,
                    max,
                    timeout: model_timeout,
                },
                Some(buf),
            ),
        };
        st.apply(action, Some(seat)).map_err(GetError::Rejected)?;
        let hook = self.inner.hook.as_deref();
        if let Some(r) = st.take_own(many.as_deref_mut(), one) {
            // Decided at once (a packet was there, or a poll found none).
            drop(st);
            if let Some(h) = hook {
                h.turn();
            }
            return r;
        }
        // The model made the thread wait: its decision comes by mail.
        let mailbox = Arc::clone(&st.seats[seat].mailbox);
        mailbox.open();
        drop(st);
        if let Some(h) = hook {
            // Controlled: let another thread run; the controller, not the
            // clock, lets a finite wait expire.
            h.pass();
        }
        let deadline = if hook.is_some() { None } else { deadline };
        let result = loop {
            if !mailbox.wait(hook.is_none(), deadline) {
                // The deadline: rule 5, unless the model decided first.
                let mut st = self.inner.lock();
                if mailbox.full() {
                    continue;
                }
                mailbox.shut();
                st.expire(seat)?;
                break st
                    .take_own(many.as_deref_mut(), one)
                    .expect("rule 5 decides at once");
            }
            match mailbox.take(many.as_deref_mut()) {
                Taken::Values(v) => {
                    *one = v;
                    break Ok(());
                }
                Taken::Failed(e) => break Err(get_error(e)),
                Taken::Expire => {
                    let mut st = self.inner.lock();
                    st.expire(seat)?;
                    break st
                        .take_own(many.as_deref_mut(), one)
                        .expect("rule 5 decides at once");
                }
            }
        };
        if let Some(h) = hook {
            h.turn();
        }
        result
    }
}

/// What a get returns for the model's failure.
fn get_error(e: WinError) -> GetError {
    match e {
        WinError::WaitTimeout => GetError::Timeout,
        WinError::AbandonedWait0 => GetError::Abandoned,
        _ => GetError::Closed,
    }
}

impl<T> State<T> {
    fn add_seat(&mut self) -> usize {
        let model = self.kernel.add_thread();
        let seat = self.seats.len();
        self.seats.push(Seat {
            mailbox: Arc::new(Mailbox::new()),
            model,
            told: 0,
        });
        self.seat_of.push(seat);
        if let Some(o) = &self.observer {
            o.joined(seat, model);
        }
        seat
    }

    /// Rule 5 for a seat whose wait reached its deadline (the caller checked
    /// that the model has not decided its call yet).
    fn expire(&mut self, seat: usize) -> Result<(), GetError> {
        let thread = self.seats[seat].model;
        self.apply(Action::Timeout { thread }, Some(seat))
            .map_err(GetError::Rejected)?;
        self.stats.timeouts += 1;
        Ok(())
    }

    /// Applies one action and carries out the model's decisions: every
    /// packet and failure it handed out goes into its thread's mailbox, and
    /// each such thread is told once (`by`, the caller, reads its own).
    pub(crate) fn apply(&mut self, action: Action, by: Option<usize>) -> Result<(), Rejection> {
        self.apply_as(action, by, false)
    }

    /// [`State::apply`], the step recorded in full in `out` if `full` or
    /// if someone watches the port (an observer, an event channel), else
    /// only as a [`Brief`]: the same step, without the records nobody
    /// reads (about a third of the model's cost of a handoff).
    ///
    /// Inlined into each call, so that a post's or a get's step is
    /// dispatched where the action is known and nothing unwatched pays for
    /// the watched path (kept out of line): the lock is held for all of
    /// it (docs/live.md, "Less work under the lock").
    #[inline(always)]
    fn apply_as(&mut self, action: Action, by: Option<usize>, full: bool) -> Result<(), Rejection> {
        if full || self.observer.is_some() || self.events.is_some() {
            return self.apply_watched(action, by);
        }
        self.kernel.apply_brief(action, &mut self.brief)?;
        self.carry_out(by);
        Ok(())
    }

    /// [`State::apply_as`] for a port someone watches: the step in full,
    /// shown to the observer and sent as a [`LiveEvent`].
    #[inline(never)]
    fn apply_watched(&mut self, action: Action, by: Option<usize>) -> Result<(), Rejection> {
        let before = self.observer.as_ref().map(|_| self.kernel.clone());
        self.kernel.apply(action, &mut self.out)?;
        if let (Some(o), Some(before)) = (&self.observer, &before) {
            o.applied(&Call {
                before,
                by: by.map(|s| self.seats[s].model),
                action,
                out: &self.out,
                after: &self.kernel,
            });
        }
        self.brief.copy_from(&self.out);
        self.carry_out(by);
        if let Some(tx) = &self.events {
            let port = self.kernel.port(PORT);
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

    /// Carries out the last step's brief (its deliveries and failures, if
    /// any) and keeps the port's totals.
    #[inline(always)]
    fn carry_out(&mut self, by: Option<usize>) {
        self.stats.calls += 1;
        if !(self.brief.deliveries.is_empty() && self.brief.failures.is_empty()) {
            // Most posts only queue: nothing to carry out.
            self.deliver(by);
        }
        let over = self.kernel.port(PORT).over_limit();
        match (over, self.over_since) {
            (true, None) => self.over_since = Some(Instant::now()),
            (false, Some(since)) => {
                self.stats.over_limit += since.elapsed();
                self.over_since = None;
            }
            _ => {}
        }
    }

    /// The last step's deliveries and failures into their threads'
    /// mailboxes, or, for the caller (`by`), into `own`.
    #[inline(never)]
    fn deliver(&mut self, by: Option<usize>) {
        let State {
            brief: out,
            seats,
            seat_of,
            payloads,
            stats,
            own,
            wake,
            ..
        } = self;
        let caller = by.map(|s| seats[s].model);
        if out.failures.is_empty() && out.deliveries.iter().all(|d| Some(d.thread) == caller) {
            // A get that took its packets at once: they are the caller's
            // alone, and nobody else is told anything.
            for d in &out.deliveries {
                payloads.take_to(d.packet.key, &mut own.values);
            }
            return;
        }
        let step = stats.calls;
        // A thread's packets are consecutive: one lock of its letter each.
        let mut i = 0;
        while i < out.deliveries.len() {
            let thread = out.deliveries[i].thread;
            let seat = seat_of[thread.index()];
            let mut letter = (Some(seat) != by).then(|| sync::lock(&seats[seat].mailbox.letter));
            let values = match &mut letter {
                Some(l) => &mut l.values,
                None => &mut own.values,
            };
            while i < out.deliveries.len() && out.deliveries[i].thread == thread {
                payloads.take_to(out.deliveries[i].packet.key, values);
                i += 1;
            }
        }
        for &(thread, e) in &out.failures {
            let seat = seat_of[thread.index()];
            if Some(seat) == by {
                own.failed = Some(e);
            } else {
                sync::lock(&seats[seat].mailbox.letter).failed = Some(e);
            }
        }
        // Only once every letter is written is anyone told.
        let told =
            (out.deliveries.iter().map(|d| d.thread)).chain(out.failures.iter().map(|f| f.0));
        let mut last = None;
        for thread in told {
            // A thread's packets are consecutive: look it up once.
            if last.replace(thread) == Some(thread) {
                continue;
            }
            let seat = seat_of[thread.index()];
            let s = &mut seats[seat];
            if Some(seat) == by || s.told == step {
                continue;
            }
            s.told = step;
            stats.handoffs += 1;
            if let Some(t) = s.mailbox.deliver() {
                stats.unparks += 1;
                wake.push(t);
            }
        }
    }

    /// The caller's own call, if the model decided it in the last step:
    /// a `get`'s value into `one`, a `get_many`'s values appended to `many`.
    fn take_own(
        &mut self,
        many: Option<&mut Vec<T>>,
        one: &mut Option<T>,
    ) -> Option<Result<(), GetError>> {
        if let Some(e) = self.own.failed.take() {
            return Some(Err(get_error(e)));
        }
        if self.own.values.is_empty() {
            return None;
        }
        match many {
            Some(buf) => buf.append(&mut self.own.values),
            None => *one = self.own.values.pop(),
        }
        Some(Ok(()))
    }
}

impl<T: Send> local::Member for Inner<T> {
    fn point(&self) {
        if let Some(h) = &self.hook {
            h.point();
        }
    }

    fn apply_for(&self, seat: usize, make: &dyn Fn(ThreadId) -> Action) {
        let mut st = self.lock();
        let thread = st.seats[seat].model;
        // A thread's own exit, block or unblock is always valid for the model
        // (it runs, or it is paused inside `blocking`); nothing to report,
        // and nothing handed to the thread itself.
        let _ = st.apply(make(thread), Some(seat));
        debug_assert!(st.own.values.is_empty() && st.own.failed.is_none());
    }
}

/// What the controller may do to a port it schedules.
#[cfg(not(feature = "shuttle"))]
pub(crate) trait Control: Send + Sync {
    /// Lets a seat's finite wait expire (rule 5), waking its thread.
    fn expire_wait(&self, seat: usize);
    /// Closes the port (to end a run that cannot go on).
    fn shut(&self);
}

#[cfg(not(feature = "shuttle"))]
impl<T: Send> Control for Inner<T> {
    fn expire_wait(&self, seat: usize) {
        let mut st = self.lock();
        let st = &mut *st;
        if let Some(s) = st.seats.get_mut(seat) {
            if !s.mailbox.full() {
                sync::lock(&s.mailbox.letter).expire = true;
                st.wake.extend(s.mailbox.deliver());
            }
        }
    }

    fn shut(&self) {
        let _ = self.lock().apply(Action::ClosePort { port: PORT }, None);
    }
}

#[cfg(not(feature = "shuttle"))]
impl<T: Send + 'static> CompletionPort<T> {
    /// The port as the controller sees it.
    pub(crate) fn control(&self) -> Arc<dyn Control> {
        Arc::clone(&self.inner) as Arc<dyn Control>
    }
}

#[cfg(test)]
mod tests {
    use super::Payloads;
    use std::collections::VecDeque;

    /// The port's lock word shares no 128-byte block (two cache lines) with
    /// the state it guards, whatever order the compiler gives the fields.
    #[cfg(not(feature = "shuttle"))]
    #[test]
    fn the_lock_word_has_a_128_byte_block_of_its_own() {
        let port = super::CompletionPort::<u64>::new(2);
        let m = &port.inner.state;
        // SAFETY: only the lock's address is read, not its state.
        let lock = unsafe { m.raw() } as *const _ as usize;
        let start = m.data_ptr() as usize;
        let end = start + std::mem::size_of::<super::State<u64>>();
        let state_blocks = start / 128..=(end - 1) / 128;
        assert!(
            !state_blocks.contains(&(lock / 128)),
            "lock word at {lock:#x}, state at {start:#x}..{end:#x}"
        );
    }

    /// Values come back by key in any order, each once, and the ring lets
    /// go of the ones taken from its front (its keys stay valid).
    #[test]
    fn payloads_are_taken_by_key_in_any_order() {
        let mut p = Payloads {
            base: 0,
            ring: VecDeque::new(),
        };
        let keys: Vec<u64> = ["a", "b", "c", "d"].map(|v| p.insert(v)).to_vec();
        assert_eq!(keys, [0, 1, 2, 3]);
        assert_eq!(p.take(2), Some("c"), "from the middle");
        assert_eq!(p.take(2), None, "taken once");
        assert_eq!(p.take(0), Some("a"), "the oldest");
        assert_eq!((p.base, p.ring.len()), (1, 3));
        assert_eq!(p.take(1), Some("b"));
        assert_eq!((p.base, p.ring.len()), (3, 1), "the taken front goes");
        assert_eq!(p.take(0), None, "a key below the ring");
        assert_eq!(p.take(9), None, "a key beyond it");
        assert_eq!(p.insert("e"), 4);
        assert_eq!(p.take(3), Some("d"));
        assert_eq!(p.take(4), Some("e"));
        assert!(p.ring.is_empty());
        assert_eq!(p.insert("f"), 5);
    }
}
