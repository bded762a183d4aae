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
mod rtl;
mod rules;
mod thread;
mod thread_set;
mod wtq;

pub use action::{Action, Timeout};
pub use device_list::{Device, DeviceList};
pub use error::{RejectKind, Rejection};
pub use event::{
    CallResult, Delivery, Event, FailWhy, Fired, NoPacketWhy, NoTakeWhy, Outcome, QueueWhy, Rule,
    Touched, WinError,
};
pub use ids::{DeviceId, LabelId, Names, OvId, PortId, StatusId, ThreadId};
pub use iocq::Iocq;
pub use kernel::{Counters, Flavor, Kernel, KernelConfig, OvUse};
pub use packet::{Origin, Packet};
pub use parts::{DeviceParts, KernelParts, PartsError, PortParts};
pub use policy::Policy;
pub use port::Port;
pub use ptl::Ptl;
pub use rtl::Rtl;
pub use thread::{Thread, ThreadState, ThreadStatus, Wait};
pub use thread_set::ThreadSet;
pub use wtq::{WakeOrder, Wtq};

#[cfg(test)]
mod tests;
