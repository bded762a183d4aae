//! Rejected actions: what a thread or an OVERLAPPED may not do, and why.
//! A rejected action leaves the model exactly as it was (property 7).

use std::fmt::Write as _;

use super::event::Rule;
use super::ids::{DeviceId, LabelId, Names, OvId, PortId, ThreadId};

/// Why an action was rejected.
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

/// A rejected action: the rule it broke and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rejection {
    /// The rule whose precondition failed.
    pub rule: Rule,
    /// Why.
    pub kind: RejectKind,
}

impl std::fmt::Display for Rejection {
    /// The rule and the reason with numeric ids (`rule 4 (unblock):
    /// NotPaused { thread: ThreadId(1) }`); [`Rejection::message`] names
    /// the ids with a scenario's names instead.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {:?}", self.rule.label(), self.kind)
    }
}

impl std::error::Error for Rejection {}

impl Rejection {
    /// An English explanation naming the ids involved and the state that forbids the action.
    pub fn message(&self, names: &Names) -> String {
        let mut s = String::new();
        let t = |id| names.thread(id).to_owned();
        let p = |id| names.port(id).to_owned();
        let _ = match self.kind {
            RejectKind::UnknownThread(id) => write!(s, "there is no thread #{}", id.0),
            RejectKind::UnknownPort(id) => write!(s, "there is no port #{}", id.0),
            RejectKind::UnknownDevice(id) => write!(s, "there is no device #{}", id.0),
            RejectKind::ThreadWaiting { thread, port } => write!(
                s,
                "{} is waiting in {}'s WTQ; a waiting thread cannot call anything until a packet, a timeout or the port's closing wakes it",
                t(thread),
                p(port)
            ),
            RejectKind::ThreadPaused { thread, port, on } => {
                let _ = write!(s, "{} is paused", t(thread));
                if let Some(on) = on {
                    let _ = write!(s, " on {}", names.label(on));
                }
                if let Some(port) = port {
                    let _ = write!(s, " (in {}'s PTL)", p(port));
                }
                write!(s, "; a paused thread cannot call anything until it is unblocked")
            }
            RejectKind::ThreadExited { thread } => {
                write!(s, "{} has exited and cannot act", t(thread))
            }
            RejectKind::NotPaused { thread } => {
                write!(s, "{} is not paused, so it cannot be unblocked", t(thread))
            }
            RejectKind::NotWaiting { thread } => write!(
                s,
                "{} is not waiting in a WTQ, so no get of its can time out",
                t(thread)
            ),
            RejectKind::InfiniteWait { thread, port } => write!(
                s,
                "{} waits in {}'s WTQ with an INFINITE timeout, which never expires",
                t(thread),
                p(port)
            ),
            RejectKind::OverlappedInUse {
                overlapped,
                pending_on,
            } => {
                let _ = write!(
                    s,
                    "OVERLAPPED {} is still in use: ",
                    names.overlapped(overlapped)
                );
                match pending_on {
                    Some(d) => write!(
                        s,
                        "its request on {} has not completed yet. Reusing an OVERLAPPED before its packet is dequeued corrupts the first request's result; give each outstanding request its own OVERLAPPED",
                        names.device(d)
                    ),
                    None => write!(
                        s,
                        "its completion packet has not been dequeued yet. Reusing an OVERLAPPED before its packet is dequeued corrupts the first request's result; give each outstanding request its own OVERLAPPED"
                    ),
                }
            }
            RejectKind::NotPending { overlapped } => write!(
                s,
                "OVERLAPPED {} has no pending request to complete",
                names.overlapped(overlapped)
            ),
            RejectKind::ZeroBatch { thread } => write!(
                s,
                "{} called get_ex with room for 0 entries; max must be at least 1",
                t(thread)
            ),
        };
        s
    }
}
