//! A scenario thread: where it is (free, or associated with one port) and
//! what it is doing (running, waiting in a WTQ, paused, exited).

use super::action::Timeout;
use super::ids::{LabelId, PortId};

/// What a waiting thread asked for.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, PortId, ThreadId, ThreadState, Timeout, Wait};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// k.step(Action::get_with(ThreadId(0), PortId(0), Timeout::Ms(10)))?;
/// assert_eq!(k.thread(ThreadId(0)).state(), ThreadState::Waiting(Wait { timeout: Timeout::Ms(10), batch: None }));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Wait {
    /// Its timeout.
    pub timeout: Timeout,
    /// `None` for GetQueuedCompletionStatus; `Some(n)` for the Ex form with
    /// room for `n` entries.
    pub batch: Option<u32>,
}

/// A thread's state.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, PortId, ThreadId, ThreadState, ThreadStatus, Timeout, Wait};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let t = ThreadId(0);
/// assert_eq!(k.thread(t).status(), ThreadStatus::Free);
/// k.step(Action::get_ex(t, PortId(0), 8))?;
/// let th = k.thread(t);
/// assert_eq!(th.port(), Some(PortId(0)));
/// match th.state() {
///     ThreadState::Waiting(Wait { timeout: Timeout::Infinite, batch: Some(8) }) => {}
///     other => unreachable!("{other:?}"),
/// }
/// assert_eq!(th.status().as_str(), "waiting");
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ThreadState {
    /// Running: in its port's RTL, or free.
    Running,
    /// Inside GetQueuedCompletionStatus(Ex), in its port's WTQ.
    Waiting(Wait),
    /// Blocked on something other than a port (in its port's PTL, if any).
    Paused(Option<LabelId>),
    /// Exited; it can no longer act.
    Exited,
}

/// One thread.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, PortId, ThreadId, ThreadStatus};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let t = ThreadId(0);
/// k.step(Action::post(PortId(0), 1))?;
/// k.step(Action::get(t, PortId(0)))?; // returns at once with the packet
/// let th = k.thread(t);
/// assert_eq!((th.status(), th.port()), (ThreadStatus::Running, Some(PortId(0))));
/// assert!(th.queue_mark(), "its get did not sleep: it is still in its get loop");
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Thread {
    /// What it is doing.
    pub(crate) state: ThreadState,
    /// The port it is associated with (since its first get on it), if any.
    pub(crate) port: Option<PortId>,
    /// The queue-wait mark (NT: `WaitReason` still `WrQueue`): set when a
    /// get/get_ex returned without the thread sleeping, cleared when it
    /// sleeps in a WTQ, blocks or exits. Only rule 2 reads it, and only in
    /// the Windows flavour (Wine has no such rule, so it never sets it).
    pub(crate) queue_mark: bool,
    /// Its last get/get_ex returned a packet (it is working on one): set
    /// when a packet is handed to it, cleared when it calls get/get_ex
    /// again (until that call delivers one), when its wait times out or is
    /// abandoned, and when it exits. The kernel keeps no such flag; the
    /// model keeps it so that rule 1 can say whether a thread calling get
    /// again is done with a packet ([`crate::Event::Returned`]). No rule
    /// reads it.
    pub(crate) got_packet: bool,
}

impl Thread {
    /// A thread that never called get: free and running.
    pub const FREE: Thread = Thread {
        state: ThreadState::Running,
        port: None,
        queue_mark: false,
        got_packet: false,
    };

    /// A thread in the given state. A kernel accepts it only through
    /// [`crate::Kernel::from_parts`], which checks that it agrees with the
    /// ports' lists.
    #[inline]
    pub const fn new(state: ThreadState, port: Option<PortId>, queue_mark: bool) -> Thread {
        Thread {
            state,
            port,
            queue_mark,
            got_packet: false,
        }
    }

    /// The same thread, with [`Thread::got_packet`] set to `got`.
    #[inline]
    pub const fn with_got_packet(mut self, got: bool) -> Thread {
        self.got_packet = got;
        self
    }

    /// What it is doing.
    #[inline]
    pub fn state(&self) -> ThreadState {
        self.state
    }
    /// The port it is associated with (since its first get on it), if any.
    #[inline]
    pub fn port(&self) -> Option<PortId> {
        self.port
    }
    /// The queue-wait mark (NT: `WaitReason` still `WrQueue`), see the field.
    #[inline]
    pub fn queue_mark(&self) -> bool {
        self.queue_mark
    }

    /// Its last get/get_ex returned a packet and it has not called get
    /// since (see the field): what rule 1 reports when it calls get again.
    #[inline]
    pub fn got_packet(&self) -> bool {
        self.got_packet
    }

    /// The state word used by scenario expectations.
    #[inline]
    pub fn status(&self) -> ThreadStatus {
        match (self.state, self.port) {
            (ThreadState::Running, None) => ThreadStatus::Free,
            (ThreadState::Running, Some(_)) => ThreadStatus::Running,
            (ThreadState::Waiting(_), _) => ThreadStatus::Waiting,
            (ThreadState::Paused(_), _) => ThreadStatus::Paused,
            (ThreadState::Exited, _) => ThreadStatus::Exited,
        }
    }
}

/// The thread states a scenario names (`"running"`, `"free"`, ...).
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, ThreadId, ThreadStatus};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// k.step(Action::block(ThreadId(0)))?;
/// assert_eq!(k.thread(ThreadId(0)).status(), ThreadStatus::Paused);
/// k.step(Action::unblock(ThreadId(0)))?;
/// k.step(Action::exit(ThreadId(0)))?;
/// assert_eq!(k.thread(ThreadId(0)).status().as_str(), "exited");
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ThreadStatus {
    /// Running and associated with a port (in its RTL).
    Running,
    /// Running and associated with no port.
    Free,
    /// In a WTQ.
    Waiting,
    /// Blocked on something else (in a PTL, or free).
    Paused,
    /// Exited.
    Exited,
}

impl ThreadStatus {
    /// The word a scenario uses.
    #[inline]
    pub fn as_str(self) -> &'static str {
        match self {
            ThreadStatus::Running => "running",
            ThreadStatus::Free => "free",
            ThreadStatus::Waiting => "waiting",
            ThreadStatus::Paused => "paused",
            ThreadStatus::Exited => "exited",
        }
    }
}
