//! The properties of model.md, checked after one step from the states
//! before and after it and the step's [`Outcome`]. Used by the property
//! tests and by the explorer; each check is independent of the rules' code
//! (it recomputes what must hold from the two states).

use super::action::Action;
use super::event::{CallResult, Event, Outcome, WinError};
use super::ids::{PortId, ThreadId};
use super::kernel::{Flavor, Kernel};
use super::wtq::WakeOrder;

/// A property of model.md that a step broke.
///
/// ```
/// use iocp_model::properties::{check_step, Seen, Violation};
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, PortId, ThreadId};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 2));
/// let (p, t0, t1) = (PortId(0), ThreadId(0), ThreadId(1));
/// k.step(Action::get(t0, p))?;
/// k.step(Action::get(t1, p))?;
/// let before = k.clone();
/// let mut out = k.step(Action::post(p, 1))?;
/// check_step(&before, &Action::post(p, 1), Some(&out), &k).unwrap();
/// // An outcome that claims the oldest waiter woke breaks property 4.
/// out.deliveries[0].thread = t0;
/// if let iocp_model::Event::HandedOff { thread, .. } = &mut out.fired[0].event {
///     *thread = t0;
/// }
/// let v: Violation = check_step(&before, &Action::post(p, 1), Some(&out), &k).unwrap_err();
/// assert_eq!(v.property, 4);
/// assert!(matches!(v.seen, Seen::WakeOrder { woke, expected: Some(e), .. } if woke == t0 && e == t1));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Violation {
    /// The property's number (1-7).
    pub property: u8,
    /// What was seen, with the numbers involved (the narration layer
    /// turns it into a sentence).
    pub seen: Seen,
}

/// What a broken property looked like: the numbers a front end needs to
/// explain it.
///
/// ```
/// use iocp_model::properties::{check_step, Seen};
/// use iocp_model::{Action, Flavor, Kernel, KernelConfig, PortId};
///
/// // A rejected action that changed the state breaks property 7.
/// let k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let mut after = k.clone();
/// after.step(Action::post(PortId(0), 1))?;
/// let v = check_step(&k, &Action::close_port(PortId(3)), None, &after).unwrap_err();
/// assert_eq!((v.property, v.seen), (7, Seen::RejectedChanged { op: "close_port" }));
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // fields are the numbers named in each variant's doc
pub enum Seen {
    /// Property 7: the rejected action `op` changed the state.
    RejectedChanged { op: &'static str },
    /// Property 1: `made != queued + delivered + lost`.
    Unconserved {
        made: u64,
        queued: u64,
        delivered: u64,
        lost: u64,
    },
    /// Property 1: the delivered counter rose by `rose` (negative if it
    /// fell) but the step reports `reported` deliveries.
    DeliveredCount { rose: i64, reported: usize },
    /// Property 2: `current` differs from the RTL's length.
    CurrentNotRtl {
        port: PortId,
        current: u32,
        rtl: usize,
    },
    /// Property 3: new idle work (`current < max`, packets and waiters).
    IdleWork {
        port: PortId,
        current: u32,
        max: u32,
        queued: usize,
        waiters: usize,
    },
    /// Property 4: `woke` woke, but the next in wake order was `expected`.
    WakeOrder {
        port: PortId,
        woke: ThreadId,
        expected: Option<ThreadId>,
    },
    /// Property 5: a packet handed to a waiter was not delivered.
    HandedNotDelivered { port: PortId },
    /// Property 5: the packets that entered the IOCQ (`entered`) do not
    /// leave it in FIFO order, or not all of them (`gone`).
    NotFifo {
        port: PortId,
        entered: usize,
        gone: usize,
    },
    /// Property 6: the port released a thread at `current` (before the
    /// release) with `max`.
    ReleasedAtLimit {
        port: PortId,
        current: u32,
        max: u32,
    },
    /// Property 6: action `op` raised `current` from `from` to `to`, past `max`.
    RaisedPastMax {
        port: PortId,
        op: &'static str,
        from: u32,
        to: u32,
        max: u32,
    },
}

impl std::fmt::Display for Violation {
    /// The property and the numbers (`property 2: CurrentNotRtl { .. }`);
    /// the narration layer has the sentence.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "property {}: {:?}", self.property, self.seen)
    }
}

impl std::error::Error for Violation {}

/// Which properties hold in a flavour: all seven in Windows; 1, 2, 5 and 7
/// in Wine 8; 1, 2, 4 (LIFO wake), 5 and 7 in Wine 10.
pub fn applies(flavor: Flavor, property: u8) -> bool {
    match flavor {
        Flavor::Windows => (1..=7).contains(&property),
        Flavor::Wine => matches!(property, 1 | 2 | 5 | 7),
        Flavor::Wine10 => matches!(property, 1 | 2 | 4 | 5 | 7),
    }
}

/// Checks the properties that hold in `before.flavor()` for one step.
/// `result` is `None` when the action was rejected.
///
/// Some checks first try a shortcut that decides the common case from the
/// step's [`Outcome`] (each documents why it agrees with the general check);
/// [`check_step_full`] skips them, and the two must give the same verdict
/// on every step.
pub fn check_step(
    before: &Kernel,
    action: &Action,
    outcome: Option<&Outcome>,
    after: &Kernel,
) -> Result<(), Violation> {
    check(before, action, outcome, after, true)
}

/// [`check_step`] without its shortcuts: every property by its general
/// comparison. Slower; for tests that show the shortcuts change no verdict.
pub fn check_step_full(
    before: &Kernel,
    action: &Action,
    outcome: Option<&Outcome>,
    after: &Kernel,
) -> Result<(), Violation> {
    check(before, action, outcome, after, false)
}

fn check(
    before: &Kernel,
    action: &Action,
    outcome: Option<&Outcome>,
    after: &Kernel,
    shortcuts: bool,
) -> Result<(), Violation> {
    let flavor = before.flavor();
    let Some(out) = outcome else {
        // Property 7: a rejected action changes nothing.
        if before != after {
            return Err(Violation {
                property: 7,
                seen: Seen::RejectedChanged { op: action.op() },
            });
        }
        return Ok(());
    };
    conservation(before, out, after)?;
    for (p, port) in after.port_ids().zip(after.ports()) {
        // Property 2.
        if port.current as usize != port.rtl.len() {
            return Err(Violation {
                property: 2,
                seen: Seen::CurrentNotRtl {
                    port: p,
                    current: port.current,
                    rtl: port.rtl.len(),
                },
            });
        }
        if !(shortcuts && fifo_packets_simple(p, before, out, after)) {
            fifo_packets(p, before, out, after)?;
        }
        if flavor == Flavor::Windows {
            // Property 3: no *new* idle work, except an insert by a thread
            // of this port carrying the queue-wait mark (rule 2's exception).
            if port.idle_with_work()
                && !before.port(p).idle_with_work()
                && !inserted_by_marked_thread(p, action, before)
            {
                return Err(Violation {
                    property: 3,
                    seen: Seen::IdleWork {
                        port: p,
                        current: port.current,
                        max: port.max,
                        queued: port.iocq.len(),
                        waiters: port.wtq.len(),
                    },
                });
            }
            wake_order(p, before.wake_order(), before, out, 4)?;
            oversubscription_cause(p, action, before, out, after)?;
        } else if applies(flavor, 4) {
            wake_order(p, before.wake_order(), before, out, 4)?;
        }
    }
    Ok(())
}

/// True if `action` inserts into P (a post to P, or an inline issue on a
/// device associated with P) made by a thread associated with P that carries
/// the queue-wait mark before the step.
fn inserted_by_marked_thread(p: PortId, action: &Action, before: &Kernel) -> bool {
    let (target, by) = match *action {
        Action::Post { port, by, .. } => (Some(port), by),
        Action::Issue {
            device,
            inline: Some(_),
            by,
            ..
        } => (
            before
                .devices()
                .get(device)
                .and_then(|d| d.entry)
                .map(|(q, _)| q),
            by,
        ),
        _ => (None, None),
    };
    match (target, by) {
        (Some(q), Some(t)) if q == p => {
            let th = before.thread(t);
            th.queue_mark && th.port == Some(p)
        }
        _ => false,
    }
}

/// Property 1: packets made = queued + delivered + lost, and the step's
/// counter changes match what it reports.
fn conservation(before: &Kernel, out: &Outcome, after: &Kernel) -> Result<(), Violation> {
    let c = after.counters();
    let queued: u64 = after.ports().iter().map(|p| p.iocq.len() as u64).sum();
    if c.made != queued + c.delivered + c.lost {
        return Err(Violation {
            property: 1,
            seen: Seen::Unconserved {
                made: c.made,
                queued,
                delivered: c.delivered,
                lost: c.lost,
            },
        });
    }
    // A signed difference, so a count that fell is reported, not a panic.
    let rose = c.delivered.wrapping_sub(before.counters().delivered) as i64;
    if rose != out.deliveries.len() as i64 {
        return Err(Violation {
            property: 1,
            seen: Seen::DeliveredCount {
                rose,
                reported: out.deliveries.len(),
            },
        });
    }
    Ok(())
}

/// The common cases of property 5, decided without the general comparison:
/// true if the step discarded nothing from P, queued at most one packet
/// `q` into P and handed off at most one packet `h` at P, `h` (if any) is
/// the first packet delivered from P, and P's IOCQ before the step, then
/// `q`, is exactly the other packets delivered from P, in order, then P's
/// IOCQ after the step.
///
/// Sound because it is [`fifo_packets`] with those event lists: when the
/// first delivery from P is `h`, the deliveries left once the handed-off
/// packet is taken out are the others (and the handed-off half of the check
/// holds: one handed off, one skipped); the packets that entered are the
/// IOCQ before the step then `q`; no discarded packet means the packets
/// that left are those deliveries then the IOCQ after. So when this returns
/// true, the full check passes; when it returns false, the full check
/// decides (and words the violation). `tests/integration/properties.rs`
/// compares the two on random steps, honest and corrupted.
fn fifo_packets_simple(p: PortId, before: &Kernel, out: &Outcome, after: &Kernel) -> bool {
    let (mut queued, mut handed) = (None, None);
    for f in &out.fired {
        let (seen, packet) = match f.event {
            Event::Queued { port, packet, .. } if port == p => (&mut queued, packet),
            Event::HandedOff { port, packet, .. } if port == p => (&mut handed, packet),
            Event::Discarded { port, .. } if port == p => return false,
            _ => continue,
        };
        if seen.replace(packet).is_some() {
            return false;
        }
    }
    let mut delivered = out.deliveries.iter().filter(|d| d.port == p);
    if let Some(h) = handed {
        if delivered.next().map(|d| d.packet) != Some(h) {
            return false;
        }
    }
    let (b, a) = (&before.port(p).iocq, &after.port(p).iocq);
    let taken = delivered.clone().count();
    if b.len() + usize::from(queued.is_some()) != taken + a.len()
        || !b.head_is(delivered.map(|d| &d.packet))
    {
        return false;
    }
    match queued {
        None => b.tail_equals(taken, a),
        // The IOCQ after is the rest of the one before, then `q`.
        Some(q) => b.iter().skip(taken).chain([&q]).eq(a.iter()),
    }
}

/// Property 5 (and the per-packet half of 1): for each port, the packets
/// queued before plus those that entered its IOCQ during the step, in
/// order, are exactly the packets delivered from its IOCQ, then those
/// discarded, then those still queued. A packet handed straight to a waiter
/// never entered the IOCQ, so it is taken out of both sides (it may overtake
/// queued packets: rule 2's queue-wait mark exception). So none is
/// duplicated, none vanishes, and none overtakes another inside the IOCQ.
fn fifo_packets(
    p: PortId,
    before: &Kernel,
    out: &Outcome,
    after: &Kernel,
) -> Result<(), Violation> {
    // Compared as iterators, without collecting: the explorer runs this on
    // every transition.
    let inserted = || {
        out.fired.iter().filter_map(move |f| match f.event {
            Event::Queued { port, packet, .. } if port == p => Some(packet),
            _ => None,
        })
    };
    // Handed-off packets, in step order. Each is delivered right where its
    // insert happened, so skipping, for each in turn, the first delivery
    // equal to it (after the previous one skipped) leaves the deliveries
    // that came from the IOCQ.
    let handed = || {
        out.fired.iter().filter_map(move |f| match f.event {
            Event::HandedOff { port, packet, .. } if port == p => Some(packet),
            _ => None,
        })
    };
    let delivered = || {
        let mut rest = handed();
        let mut next = rest.next();
        out.deliveries
            .iter()
            .filter(move |d| d.port == p)
            .map(|d| d.packet)
            .filter(move |&packet| {
                if Some(packet) == next {
                    next = rest.next();
                    false
                } else {
                    true
                }
            })
    };
    let handed_delivered = handed().count() + delivered().count()
        == out.deliveries.iter().filter(|d| d.port == p).count();
    if !handed_delivered {
        return Err(Violation {
            property: 5,
            seen: Seen::HandedNotDelivered { port: p },
        });
    }
    let discarded = || {
        out.fired.iter().filter_map(move |f| match f.event {
            Event::Discarded { port, packet } if port == p => Some(packet),
            _ => None,
        })
    };
    let entered = || before.port(p).iocq.iter().copied().chain(inserted());
    let gone = || {
        delivered()
            .chain(discarded())
            .chain(after.port(p).iocq.iter().copied())
    };
    if !entered().eq(gone()) {
        return Err(Violation {
            property: 5,
            seen: Seen::NotFifo {
                port: p,
                entered: entered().count(),
                gone: gone().count(),
            },
        });
    }
    Ok(())
}

/// Property 4: the threads the port wakes in a step are the top of its WTQ
/// as it was before the step, in wake order.
#[inline] // once per port and step in the explorer's search
pub fn wake_order(
    p: PortId,
    order: WakeOrder,
    before: &Kernel,
    out: &Outcome,
    property: u8,
) -> Result<(), Violation> {
    // The i-th thread in wake order, without collecting the WTQ.
    let arrival = before.port(p).wtq.arrival_order();
    let expected = |i: usize| match order {
        WakeOrder::Lifo => arrival.len().checked_sub(i + 1).map(|j| arrival[j]),
        WakeOrder::Fifo => arrival.get(i).copied(),
    };
    let woken = out.fired.iter().filter_map(|f| match f.event {
        Event::HandedOff { thread, port, .. } | Event::Woke { thread, port, .. } if port == p => {
            Some(thread)
        }
        _ => None,
    });
    for (i, t) in woken.enumerate() {
        if expected(i) != Some(t) {
            return Err(Violation {
                property,
                seen: Seen::WakeOrder {
                    port: p,
                    woke: t,
                    expected: expected(i),
                },
            });
        }
    }
    Ok(())
}

/// Property 6: `current` rises past `max` only through unblock, timeout or a
/// get that failed at once with WAIT_TIMEOUT; the port itself releases a
/// thread only when `current < max`.
fn oversubscription_cause(
    p: PortId,
    action: &Action,
    before: &Kernel,
    out: &Outcome,
    after: &Kernel,
) -> Result<(), Violation> {
    for f in &out.fired {
        if let Event::HandedOff {
            port, current, max, ..
        }
        | Event::Woke {
            port, current, max, ..
        }
        | Event::Took {
            port, current, max, ..
        } = f.event
        {
            if port == p && current > max {
                return Err(Violation {
                    property: 6,
                    seen: Seen::ReleasedAtLimit {
                        port: p,
                        current: current - 1,
                        max,
                    },
                });
            }
        }
    }
    let (b, a) = (before.port(p), after.port(p));
    if a.current > a.max && a.current > b.current {
        let allowed = match action {
            Action::Unblock { .. } | Action::Timeout { .. } => true,
            Action::Get { .. } | Action::GetEx { .. } => {
                out.result == CallResult::Failed(WinError::WaitTimeout)
            }
            _ => false,
        };
        if !allowed {
            return Err(Violation {
                property: 6,
                seen: Seen::RaisedPastMax {
                    port: p,
                    op: action.op(),
                    from: b.current,
                    to: a.current,
                    max: a.max,
                },
            });
        }
    }
    Ok(())
}
