//! [`Policy`]: the three port behaviours that the workload lab and the
//! live port compare, each a flavour of the model and a wake order.

use super::kernel::Flavor;
use super::wtq::WakeOrder;

/// Which threads a port releases and which waiter it wakes: the behaviours
/// `iocp-sim lab` and `iocp-sim live` compare (`policy = "..."`,
/// `--policy ...`). Each is a [`Flavor`] of the model and a [`WakeOrder`]
/// ([`Kernel::set_wake_order`](crate::Kernel::set_wake_order)): the model
/// makes every decision, the wake order included.
///
/// ```
/// use iocp_model::{Flavor, Kernel, KernelConfig, Policy, WakeOrder};
///
/// let policy = Policy::parse("fifo-limited").unwrap();
/// assert_eq!((policy.flavor(), policy.wake_order()), (Flavor::Windows, WakeOrder::Fifo));
/// let mut k = Kernel::new(&KernelConfig::new(policy.flavor(), &[2], 8));
/// k.set_wake_order(policy.wake_order());
/// assert_eq!(k.wake_order(), WakeOrder::Fifo);
/// assert_eq!(Policy::ALL.map(Policy::as_str), ["lifo", "fifo-limited", "wine"]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Policy {
    /// Windows: the concurrency limit gates releases and the most recent
    /// waiter wakes (flavour `windows`, LIFO).
    Lifo,
    /// The Windows rules with the oldest waiter woken instead (flavour
    /// `windows`, FIFO): to separate what LIFO buys from what the limit buys.
    FifoLimited,
    /// Wine 8: no limit, the oldest waiter first, and closing the port
    /// wakes nobody (flavour `wine`, FIFO).
    Wine,
}

impl Policy {
    /// Every policy, in the order reports list them.
    pub const ALL: [Policy; 3] = [Policy::Lifo, Policy::FifoLimited, Policy::Wine];

    /// The model flavour that makes this policy's decisions.
    pub fn flavor(self) -> Flavor {
        match self {
            Policy::Lifo | Policy::FifoLimited => Flavor::Windows,
            Policy::Wine => Flavor::Wine,
        }
    }

    /// Which waiter a port of this policy wakes.
    pub fn wake_order(self) -> WakeOrder {
        match self {
            Policy::Lifo => WakeOrder::Lifo,
            Policy::FifoLimited | Policy::Wine => WakeOrder::Fifo,
        }
    }

    /// `"lifo"`, `"fifo-limited"` or `"wine"`: the name configurations and
    /// command lines use, and reports print.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Lifo => "lifo",
            Policy::FifoLimited => "fifo-limited",
            Policy::Wine => "wine",
        }
    }

    /// Parses a policy name ([`Policy::as_str`]); `"windows"` and
    /// `"unlimited"`, the names `iocp-sim live` used before the lab and the
    /// live port shared one policy, still read as `lifo` and `wine`.
    pub fn parse(s: &str) -> Option<Policy> {
        match s {
            "windows" => Some(Policy::Lifo),
            "unlimited" => Some(Policy::Wine),
            _ => Policy::ALL.into_iter().find(|p| p.as_str() == s),
        }
    }
}
