//! The actions a scenario step can apply: one per kernel call or event.

use super::ids::{DeviceId, LabelId, OvId, PortId, StatusId, ThreadId};

/// A get's timeout (dwMilliseconds).
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

impl Action {
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
