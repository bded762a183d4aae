//! The IOCP scheduling model: pure, deterministic, no I/O.
//!
//! The five structures the class draws are five types:
//!
//! | structure | type | file |
//! |---|---|---|
//! | Device List | [`DeviceList`] | `device_list.rs` |
//! | IO Completion Queue | [`Iocq`] | `iocq.rs` |
//! | Waiting Thread Queue | [`Wtq`] | `wtq.rs` |
//! | Released Thread List | [`Rtl`] | `rtl.rs` |
//! | Paused Thread List | [`Ptl`] | `ptl.rs` |
//!
//! A [`Port`] owns an IOCQ, a WTQ, an RTL, a PTL and the counter `current`.
//! The [`Kernel`] owns every port, thread and device; [`Kernel::apply`]
//! checks an [`Action`] and runs its rule (one function per rule, in
//! `rules.rs`), filling an [`Outcome`] with the rules that fired and why.
//! [`properties`] checks the properties of model.md after any step.
//!
//! Fields are private: everything outside reads through accessors, and a
//! kernel in an arbitrary state is built only through
//! [`Kernel::from_parts`], which checks the invariants the rules keep. The
//! model depends on nothing and has no English prose: refusals and broken
//! properties are data ([`RejectKind`], [`properties::Seen`]) that a front
//! end puts into words (`iocp-sim`'s `narrate` module).
//!
//! # Lesson 4 as actions: the RTL can exceed the concurrency limit
//!
//! `sim-scenarios/04-over-subscription.json`, step by step: a port of
//! concurrency 1, two workers. A worker that blocks on something else stops
//! counting, so the port wakes the other; when the first one's wait ends it
//! runs again *unchecked*, and two threads run on a port whose limit is 1.
//! The port corrects itself only lazily, by making the next caller of get
//! wait although a packet is queued.
//!
//! ```
//! use iocp_model::{properties, Action, Event, Flavor, Kernel, KernelConfig, PortId, Rule, ThreadId};
//!
//! let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 2));
//! let (p, t1, t2) = (PortId(0), ThreadId(0), ThreadId(1));
//! let port = |k: &Kernel| {
//!     let port = k.port(p);
//!     (port.current(), port.iocq().len(), port.wtq().arrival_order().to_vec())
//! };
//!
//! // T1 and T2 wait for work; T2 is the most recent waiter.
//! k.step(Action::get(t1, p))?;
//! k.step(Action::get(t2, p))?;
//! // Packet 1 goes straight to T2 (LIFO): the port is at its limit, 1 of 1.
//! let out = k.step(Action::post(p, 1))?;
//! assert_eq!(out.deliveries[0].thread, t2);
//! // Packet 2 waits in the IOCQ: the port is full, T1 sleeps on.
//! k.step(Action::post(p, 2))?;
//! assert_eq!(port(&k), (1, 1, vec![t1]));
//!
//! // T2 blocks (a database call): it moves to the PTL and stops counting,
//! // and activate wakes T1 with packet 2 so the CPU keeps working.
//! let out = k.step(Action::block(t2))?;
//! assert!(matches!(out.fired.last().map(|f| (f.rule, f.event)),
//!     Some((Rule::Activate, Event::Woke { thread, current: 1, max: 1, .. })) if thread == t1));
//! assert!(k.port(p).ptl().contains(t2));
//!
//! // Packet 3 is queued: T1 runs and the port is at its limit.
//! k.step(Action::post(p, 3))?;
//! // T2's wait ends: back to the RTL with no check against max.
//! let before = k.clone();
//! let out = k.step(Action::unblock(t2))?;
//! assert_eq!(k.port(p).rtl().as_slice(), [t1, t2]);
//! assert!(k.port(p).over_limit(), "current 2 > max 1: nobody is preempted");
//! // Property 6 allows that: only unblock, timeout and a failed poll may.
//! properties::check_step(&before, &Action::unblock(t2), Some(&out), &k).unwrap();
//!
//! // T1 finishes and calls get: current drops to 1, still not below max,
//! // so T1 waits although packet 3 is queued. The port has corrected itself.
//! k.step(Action::get(t1, p))?;
//! assert_eq!(port(&k), (1, 1, vec![t1]));
//! // T2 finishes and takes packet 3 itself (it stops counting, so there is room).
//! let out = k.step(Action::get(t2, p))?;
//! assert_eq!((out.deliveries[0].thread, out.deliveries[0].packet.key), (t2, 3));
//! // With nothing left, T2 waits on top of T1.
//! k.step(Action::get(t2, p))?;
//! assert_eq!(port(&k), (0, 0, vec![t1, t2]));
//! # Ok::<(), iocp_model::Rejection>(())
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod action;
mod device_list;
mod error;
mod event;
mod ids;
mod iocq;
mod kernel;
mod packet;
mod parts;
mod policy;
mod port;
pub mod properties;
mod ptl;
mod record;
mod rtl;
mod rules;
mod thread;
mod thread_set;
mod wtq;

pub use action::{Action, Timeout};
pub use device_list::{Device, DeviceList};
pub use error::{RejectKind, Rejection};
pub use event::{
    CallResult, Delivery, Event, FailWhy, Fired, MarkChange, NoPacketWhy, NoTakeWhy, Outcome,
    QueueWhy, Rule, Touched, WinError,
};
pub use ids::{DeviceId, Ids, LabelId, Names, OvId, PortId, StatusId, ThreadId};
pub use iocq::Iocq;
pub use kernel::{Counters, Flavor, Kernel, KernelConfig, OvUse};
pub use packet::{Origin, Packet};
pub use parts::{DeviceParts, KernelParts, PartsError, PortParts};
pub use policy::Policy;
pub use port::Port;
pub use ptl::Ptl;
pub use record::Brief;
pub use rtl::Rtl;
pub use thread::{Thread, ThreadState, ThreadStatus, Wait};
pub use thread_set::ThreadSet;
pub use wtq::{WakeOrder, Wtq};

#[cfg(test)]
mod tests;
