//! Why the model refused an action, and what a broken property looked
//! like, in English sentences. The model reports both as data
//! ([`RejectKind`], [`Seen`]); these are their words.

use std::fmt::Write as _;

use super::facts::Facts;
use crate::model::properties::{Seen, Violation};
use crate::model::{Names, RejectKind, Rejection};

/// An English explanation naming the ids involved and the state that
/// forbids the action (`"T1 is not paused, so it cannot be unblocked"`).
pub fn rejection_reason(r: &Rejection, names: &Names) -> String {
    let x = Facts::of_rejection(&r.kind, names);
    let (t, p, d, id) = (x.thread, x.port, x.device, x.unknown);
    match r.kind {
        RejectKind::UnknownThread(_) => format!("there is no thread #{id}"),
        RejectKind::UnknownPort(_) => format!("there is no port #{id}"),
        RejectKind::UnknownDevice(_) => format!("there is no device #{id}"),
        RejectKind::ThreadWaiting { .. } => format!(
            "{t} is waiting in {p}'s WTQ; a waiting thread cannot call anything until a packet, a timeout or the port's closing wakes it"
        ),
        RejectKind::ThreadPaused { port, .. } => {
            let mut s = format!("{t} is paused");
            if let Some(on) = x.on {
                let _ = write!(s, " on {on}");
            }
            if port.is_some() {
                let _ = write!(s, " (in {p}'s PTL)");
            }
            s + "; a paused thread cannot call anything until it is unblocked"
        }
        RejectKind::ThreadExited { .. } => format!("{t} has exited and cannot act"),
        RejectKind::NotPaused { .. } => format!("{t} is not paused, so it cannot be unblocked"),
        RejectKind::NotWaiting { .. } => {
            format!("{t} is not waiting in a WTQ, so no get of its can time out")
        }
        RejectKind::InfiniteWait { .. } => {
            format!("{t} waits in {p}'s WTQ with an INFINITE timeout, which never expires")
        }
        RejectKind::OverlappedInUse { pending_on, .. } => {
            let still = match pending_on {
                Some(_) => format!("its request on {d} has not completed yet"),
                None => "its completion packet has not been dequeued yet".to_owned(),
            };
            format!(
                "OVERLAPPED {} is still in use: {still}. Windows accepts such a call, and the two requests then share one OVERLAPPED, which corrupts the first request's result; the simulator refuses it to show the mistake. Give each outstanding request its own OVERLAPPED",
                x.ov()
            )
        }
        RejectKind::NotPending { .. } => format!(
            "OVERLAPPED {} has no pending request to complete",
            x.ov()
        ),
        RejectKind::ZeroBatch { .. } => {
            format!("{t} called get_ex with room for 0 entries; max must be at least 1")
        }
    }
}

/// A broken property in words: `"property 2 broken: port #0: current 2
/// but the RTL has 1 threads"` (ids as numbers: the property checks see
/// no names).
pub fn violation(v: &Violation) -> String {
    let detail = match v.seen {
        Seen::RejectedChanged { op } => format!("rejected {op} changed the state"),
        Seen::Unconserved {
            made,
            queued,
            delivered,
            lost,
        } => format!("made {made} != queued {queued} + delivered {delivered} + lost {lost}"),
        Seen::DeliveredCount { rose, reported } => format!(
            "delivered count rose by {rose} but the step reports {reported} deliveries"
        ),
        Seen::CurrentNotRtl { port, current, rtl } => format!(
            "port #{}: current {current} but the RTL has {rtl} threads",
            port.0
        ),
        Seen::IdleWork {
            port,
            current,
            max,
            queued,
            waiters,
        } => format!(
            "port #{}: current {current} < max {max} with {queued} queued packets and {waiters} waiters",
            port.0
        ),
        Seen::WakeOrder {
            port,
            woke,
            expected,
        } => format!(
            "port #{}: woke thread #{} but the next in wake order was {:?}",
            port.0,
            woke.0,
            expected.map(|t| t.0)
        ),
        Seen::HandedNotDelivered { port } => format!(
            "port #{}: a packet handed to a waiter was not delivered",
            port.0
        ),
        Seen::NotFifo {
            port,
            entered,
            gone,
        } => format!(
            "port #{}: packets in ({entered}) do not leave in FIFO order or are not conserved ({gone})",
            port.0
        ),
        Seen::ReleasedAtLimit { port, current, max } => format!(
            "port #{}: released a thread at current {current} with max {max}",
            port.0
        ),
        Seen::RaisedPastMax {
            port,
            op,
            from,
            to,
            max,
        } => format!(
            "port #{}: {op} raised current from {from} to {to} past max {max}",
            port.0
        ),
    };
    format!("property {} broken: {detail}", v.property)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{PortId, ThreadId};

    /// The sentences are those the model printed before it reported data
    /// (the explorer's `VIOLATION:` lines and the live port's failures).
    #[test]
    fn violations_read_as_before() {
        let v = |property, seen| violation(&Violation { property, seen });
        let port = PortId(1);
        assert_eq!(
            v(
                2,
                Seen::CurrentNotRtl {
                    port,
                    current: 2,
                    rtl: 1
                }
            ),
            "property 2 broken: port #1: current 2 but the RTL has 1 threads"
        );
        assert_eq!(
            v(7, Seen::RejectedChanged { op: "get" }),
            "property 7 broken: rejected get changed the state"
        );
        assert_eq!(
            v(
                1,
                Seen::Unconserved {
                    made: 3,
                    queued: 1,
                    delivered: 1,
                    lost: 0
                }
            ),
            "property 1 broken: made 3 != queued 1 + delivered 1 + lost 0"
        );
        assert_eq!(
            v(
                1,
                Seen::DeliveredCount {
                    rose: 2,
                    reported: 1
                }
            ),
            "property 1 broken: delivered count rose by 2 but the step reports 1 deliveries"
        );
        assert_eq!(
            v(
                3,
                Seen::IdleWork {
                    port,
                    current: 0,
                    max: 1,
                    queued: 2,
                    waiters: 1
                }
            ),
            "property 3 broken: port #1: current 0 < max 1 with 2 queued packets and 1 waiters"
        );
        assert_eq!(
            v(
                4,
                Seen::WakeOrder {
                    port,
                    woke: ThreadId(0),
                    expected: Some(ThreadId(2))
                }
            ),
            "property 4 broken: port #1: woke thread #0 but the next in wake order was Some(2)"
        );
        assert_eq!(
            v(5, Seen::HandedNotDelivered { port }),
            "property 5 broken: port #1: a packet handed to a waiter was not delivered"
        );
        assert_eq!(
            v(5, Seen::NotFifo { port, entered: 3, gone: 2 }),
            "property 5 broken: port #1: packets in (3) do not leave in FIFO order or are not conserved (2)"
        );
        assert_eq!(
            v(
                6,
                Seen::ReleasedAtLimit {
                    port,
                    current: 1,
                    max: 1
                }
            ),
            "property 6 broken: port #1: released a thread at current 1 with max 1"
        );
        assert_eq!(
            v(
                6,
                Seen::RaisedPastMax {
                    port,
                    op: "post",
                    from: 1,
                    to: 2,
                    max: 1
                }
            ),
            "property 6 broken: port #1: post raised current from 1 to 2 past max 1"
        );
    }
}
