//! Rejected actions: what a thread or an OVERLAPPED may not do, and why.
//! A rejected action leaves the model exactly as it was (property 7).

use super::event::Rule;
use super::ids::{DeviceId, LabelId, OvId, PortId, ThreadId};

/// Why an action was rejected.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, OvId, RejectKind};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// // Only a pending request can complete.
/// let r = k.step(Action::complete(OvId(0), 0)).unwrap_err();
/// assert_eq!(r.kind, RejectKind::NotPending { overlapped: OvId(0) });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // variant fields are named after the scenario keys and model.md
pub enum RejectKind {
    /// No thread has this id.
    UnknownThread(ThreadId),
    /// No port has this id.
    UnknownPort(PortId),
    /// No device has this id.
    UnknownDevice(DeviceId),
    /// The thread waits in a port's WTQ and cannot call anything.
    ThreadWaiting { thread: ThreadId, port: PortId },
    /// The thread is blocked on something else and cannot call anything.
    ThreadPaused {
        thread: ThreadId,
        port: Option<PortId>,
        on: Option<LabelId>,
    },
    /// The thread has exited.
    ThreadExited { thread: ThreadId },
    /// unblock of a thread that is not paused.
    NotPaused { thread: ThreadId },
    /// timeout of a thread that is not waiting.
    NotWaiting { thread: ThreadId },
    /// timeout of a thread that waits with an INFINITE timeout.
    InfiniteWait { thread: ThreadId, port: PortId },
    /// issue with an OVERLAPPED that is still in use.
    OverlappedInUse {
        overlapped: OvId,
        pending_on: Option<DeviceId>,
    },
    /// complete of an OVERLAPPED that has no pending request.
    NotPending { overlapped: OvId },
    /// get_ex with room for zero entries.
    ZeroBatch { thread: ThreadId },
}

impl RejectKind {
    /// The reason's name as programs see it (`"thread_waiting"`): a
    /// refusal written as data (the lesson API's JSON).
    pub fn name(&self) -> &'static str {
        match self {
            RejectKind::UnknownThread(_) => "unknown_thread",
            RejectKind::UnknownPort(_) => "unknown_port",
            RejectKind::UnknownDevice(_) => "unknown_device",
            RejectKind::ThreadWaiting { .. } => "thread_waiting",
            RejectKind::ThreadPaused { .. } => "thread_paused",
            RejectKind::ThreadExited { .. } => "thread_exited",
            RejectKind::NotPaused { .. } => "not_paused",
            RejectKind::NotWaiting { .. } => "not_waiting",
            RejectKind::InfiniteWait { .. } => "infinite_wait",
            RejectKind::OverlappedInUse { .. } => "overlapped_in_use",
            RejectKind::NotPending { .. } => "not_pending",
            RejectKind::ZeroBatch { .. } => "zero_batch",
        }
    }
}

/// A rejected action: the rule it broke and why.
///
/// ```
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, PortId, RejectKind, Rejection, Rule, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let (p, t) = (PortId(0), ThreadId(0));
/// k.step(Action::get(t, p))?;
/// let before = k.clone();
/// // A waiting thread cannot call anything: refused, and nothing changed.
/// let r: Rejection = k.step(Action::post_by(t, p, 1)).unwrap_err();
/// assert_eq!(r.rule, Rule::Insert);
/// assert!(matches!(r.kind, RejectKind::ThreadWaiting { thread, port } if thread == t && port == p));
/// assert_eq!(k, before);
/// assert!(matches!(k.step(Action::unblock(ThreadId(5))), Err(Rejection { kind: RejectKind::UnknownThread(_), .. })));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rejection {
    /// The rule whose precondition failed.
    pub rule: Rule,
    /// Why.
    pub kind: RejectKind,
}

impl std::fmt::Display for Rejection {
    /// The rule and the reason with numeric ids (`rule 4 (unblock):
    /// NotPaused { thread: ThreadId(1) }`); the narration layer
    /// (`iocp_sim::narrate::rejection`) explains it with a scenario's names.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {:?}", self.rule.label(), self.kind)
    }
}

impl std::error::Error for Rejection {}
