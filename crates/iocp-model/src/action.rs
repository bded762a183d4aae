//! The actions a scenario step can apply: one per kernel call or event.

use super::event::Rule;
use super::ids::{DeviceId, LabelId, OvId, PortId, StatusId, ThreadId};

/// A get's timeout (dwMilliseconds).
///
/// ```
/// use iocp_model::Timeout;
///
/// assert!(Timeout::Ms(0).is_poll());
/// assert!(!Timeout::Ms(10).is_poll() && !Timeout::Infinite.is_poll());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timeout {
    /// INFINITE: wait until a packet comes or the port closes.
    Infinite,
    /// A finite wait; `Ms(0)` polls and never waits.
    Ms(u64),
}

impl Timeout {
    /// A zero timeout: the call polls.
    #[inline]
    pub fn is_poll(self) -> bool {
        self == Timeout::Ms(0)
    }
}

/// One action on the model, with every argument resolved to an id.
///
/// Build one with a struct literal, or with the constructors below for
/// the common cases (a post from outside the scenario with no bytes and no
/// OVERLAPPED, an infinite get, a completion with success...):
///
/// ```
/// use iocp_model::{Action, DeviceId, OvId, PortId, ThreadId, Timeout};
///
/// let (p, t) = (PortId(0), ThreadId(1));
/// assert_eq!(
///     Action::post(p, 7),
///     Action::Post { port: p, key: 7, bytes: 0, overlapped: None, by: None }
/// );
/// assert_eq!(
///     Action::get(t, p),
///     Action::Get { thread: t, port: p, timeout: Timeout::Infinite }
/// );
/// // A worker posting to its own port (rule 2's queue-wait mark), and a poll.
/// assert_eq!(Action::post_by(t, p, 7).op(), "post");
/// assert_eq!(Action::poll(t, p), Action::get_with(t, p, Timeout::Ms(0)));
/// // What a match on an action looks like.
/// let (d, ov) = (DeviceId(0), OvId(3));
/// match Action::issue(d, ov) {
///     Action::Issue { device, overlapped, inline: None, by: None } => {
///         assert_eq!((device, overlapped), (d, ov));
///     }
///     other => unreachable!("{other:?}"),
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // variant fields are named after the scenario keys and model.md
pub enum Action {
    /// Rule 9: CreateIoCompletionPort(device, port, key).
    Associate {
        device: DeviceId,
        port: PortId,
        key: u64,
    },
    /// Rule 10: an overlapped request on `device`; `inline` is `Some(bytes)`
    /// when it completes synchronously with success. `by` is the issuing
    /// thread (`None`: a thread outside the scenario); it matters only for
    /// an inline completion, inserted in the issuer's context.
    Issue {
        device: DeviceId,
        overlapped: OvId,
        inline: Option<u64>,
        by: Option<ThreadId>,
    },
    /// Rule 11: the driver completes the request issued with `overlapped`.
    Complete {
        overlapped: OvId,
        bytes: u64,
        status: StatusId,
    },
    /// Rule 2: PostQueuedCompletionStatus, called by `by` (`None`: a
    /// thread outside the scenario).
    Post {
        port: PortId,
        key: u64,
        bytes: u64,
        overlapped: Option<OvId>,
        by: Option<ThreadId>,
    },
    /// Rule 1: GetQueuedCompletionStatus.
    Get {
        thread: ThreadId,
        port: PortId,
        timeout: Timeout,
    },
    /// Rule 7: GetQueuedCompletionStatusEx with room for `max` entries.
    GetEx {
        thread: ThreadId,
        port: PortId,
        max: u32,
        timeout: Timeout,
    },
    /// Rule 3: the thread enters another wait.
    Block {
        thread: ThreadId,
        on: Option<LabelId>,
    },
    /// Rule 4: the thread's other wait is satisfied.
    Unblock { thread: ThreadId },
    /// Rule 5: the thread's finite get timeout expires.
    Timeout { thread: ThreadId },
    /// Rule 6: the thread exits.
    Exit { thread: ThreadId },
    /// Rule 12: the device handle is closed.
    CloseDevice { device: DeviceId },
    /// Rule 8: the port's last handle is closed.
    ClosePort { port: PortId },
}

/// Constructors for the common actions (every other field at its plain
/// value: no bytes, no OVERLAPPED, a call from a thread outside the
/// scenario, an infinite wait, success). A struct literal says anything else.
impl Action {
    /// Rule 2: PostQueuedCompletionStatus(port, 0, key, NULL) from a thread
    /// outside the scenario.
    #[inline]
    pub const fn post(port: PortId, key: u64) -> Action {
        Action::Post {
            port,
            key,
            bytes: 0,
            overlapped: None,
            by: None,
        }
    }

    /// Rule 2: the same post made by scenario thread `by` (a worker of the
    /// port may carry the queue-wait mark: see model.md).
    #[inline]
    pub const fn post_by(by: ThreadId, port: PortId, key: u64) -> Action {
        Action::Post {
            port,
            key,
            bytes: 0,
            overlapped: None,
            by: Some(by),
        }
    }

    /// Rule 1: GetQueuedCompletionStatus with an INFINITE timeout.
    #[inline]
    pub const fn get(thread: ThreadId, port: PortId) -> Action {
        Action::get_with(thread, port, Timeout::Infinite)
    }

    /// Rule 1: GetQueuedCompletionStatus with `timeout`.
    #[inline]
    pub const fn get_with(thread: ThreadId, port: PortId, timeout: Timeout) -> Action {
        Action::Get {
            thread,
            port,
            timeout,
        }
    }

    /// Rule 1: a zero-timeout get (a poll: it never waits).
    #[inline]
    pub const fn poll(thread: ThreadId, port: PortId) -> Action {
        Action::get_with(thread, port, Timeout::Ms(0))
    }

    /// Rule 7: GetQueuedCompletionStatusEx with room for `max` entries and
    /// an INFINITE timeout.
    #[inline]
    pub const fn get_ex(thread: ThreadId, port: PortId, max: u32) -> Action {
        Action::GetEx {
            thread,
            port,
            max,
            timeout: Timeout::Infinite,
        }
    }

    /// Rule 3: the thread blocks on something other than a port (no label).
    #[inline]
    pub const fn block(thread: ThreadId) -> Action {
        Action::Block { thread, on: None }
    }

    /// Rule 4: the thread's other wait ends.
    #[inline]
    pub const fn unblock(thread: ThreadId) -> Action {
        Action::Unblock { thread }
    }

    /// Rule 5: the thread's finite get timeout expires.
    #[inline]
    pub const fn timeout(thread: ThreadId) -> Action {
        Action::Timeout { thread }
    }

    /// Rule 6: the thread exits.
    #[inline]
    pub const fn exit(thread: ThreadId) -> Action {
        Action::Exit { thread }
    }

    /// Rule 9: CreateIoCompletionPort(device, port, key).
    #[inline]
    pub const fn associate(device: DeviceId, port: PortId, key: u64) -> Action {
        Action::Associate { device, port, key }
    }

    /// Rule 10: an overlapped request that goes pending, issued from a
    /// thread outside the scenario.
    #[inline]
    pub const fn issue(device: DeviceId, overlapped: OvId) -> Action {
        Action::Issue {
            device,
            overlapped,
            inline: None,
            by: None,
        }
    }

    /// Rule 11: the driver completes the request of `overlapped` with
    /// success and `bytes` bytes.
    #[inline]
    pub const fn complete(overlapped: OvId, bytes: u64) -> Action {
        Action::Complete {
            overlapped,
            bytes,
            status: StatusId::SUCCESS,
        }
    }

    /// Rule 12: the device handle is closed.
    #[inline]
    pub const fn close_device(device: DeviceId) -> Action {
        Action::CloseDevice { device }
    }

    /// Rule 8: the port's last handle is closed.
    #[inline]
    pub const fn close_port(port: PortId) -> Action {
        Action::ClosePort { port }
    }

    /// The rule this action invokes (the rule a refusal of it names).
    #[inline]
    pub fn rule(&self) -> Rule {
        match self {
            Action::Associate { .. } => Rule::Associate,
            Action::Issue { .. } => Rule::Issue,
            Action::Complete { .. } => Rule::Complete,
            Action::Post { .. } => Rule::Insert,
            Action::Get { .. } => Rule::Get,
            Action::GetEx { .. } => Rule::GetEx,
            Action::Block { .. } => Rule::Block,
            Action::Unblock { .. } => Rule::Unblock,
            Action::Timeout { .. } => Rule::Timeout,
            Action::Exit { .. } => Rule::Exit,
            Action::CloseDevice { .. } => Rule::CloseDevice,
            Action::ClosePort { .. } => Rule::ClosePort,
        }
    }

    /// The op name used in scenario files.
    #[inline]
    pub fn op(&self) -> &'static str {
        match self {
            Action::Associate { .. } => "associate",
            Action::Issue { .. } => "issue",
            Action::Complete { .. } => "complete",
            Action::Post { .. } => "post",
            Action::Get { .. } => "get",
            Action::GetEx { .. } => "get_ex",
            Action::Block { .. } => "block",
            Action::Unblock { .. } => "unblock",
            Action::Timeout { .. } => "timeout",
            Action::Exit { .. } => "exit",
            Action::CloseDevice { .. } => "close_device",
            Action::ClosePort { .. } => "close_port",
        }
    }
}
