//! What a step writes down about itself, in the form its caller chose:
//! an [`Outcome`] ([`Kernel::apply`]) keeps everything (the rules that
//! fired, the queue-wait marks, what the step touched), which the runner,
//! the narration, the explorer and the property checks read; a [`Brief`]
//! ([`Kernel::apply_brief`]) keeps only what a caller needs to carry the
//! step out (the result, the deliveries, the failures): the live port's
//! and the lab's form. The rules are written once, against [`Record`];
//! each form gets its own compiled copy of them, and in a [`Brief`]'s the
//! records it does not keep are never built.
//!
//! [`Kernel::apply`]: super::Kernel::apply
//! [`Kernel::apply_brief`]: super::Kernel::apply_brief

use super::event::{
    CallResult, Delivery, Event, Fired, MarkChange, Outcome, Rule, Touched, WinError,
};
use super::ids::{PortId, ThreadId};

/// A record's result, deliveries and failures, borrowed.
type Kept<'a> = (
    &'a mut CallResult,
    &'a mut Vec<Delivery>,
    &'a mut Vec<(ThreadId, WinError)>,
);

/// A form a step's records can take: what the rules write through. The
/// model's own; a caller chooses the form by calling
/// [`Kernel::apply`](super::Kernel::apply) or
/// [`Kernel::apply_brief`](super::Kernel::apply_brief).
pub(crate) trait Record {
    /// Starts a step: forgets the last one's records (keeping the buffers).
    fn begin(&mut self);
    /// What both forms keep: the result, the deliveries, the failures.
    fn kept(&mut self) -> Kept<'_>;
    /// The step's own call result.
    #[inline(always)]
    fn set_result(&mut self, result: CallResult) {
        *self.kept().0 = result;
    }
    /// A packet handed to a thread.
    #[inline(always)]
    fn deliver(&mut self, delivery: Delivery) {
        self.kept().1.push(delivery);
    }
    /// A thread's call ended in failure.
    #[inline(always)]
    fn fail(&mut self, thread: ThreadId, error: WinError) {
        self.kept().2.push((thread, error));
    }
    /// A rule fired.
    fn fire(&mut self, rule: Rule, event: Event);
    /// A thread's queue-wait mark changed.
    fn mark(&mut self, change: MarkChange);
    /// Thread `t` may have been written.
    fn touch_thread(&mut self, t: ThreadId);
    /// Port `p` may have been written.
    fn touch_port(&mut self, p: PortId);
    /// Port `p`'s IOCQ (and so port `p`) may have been written.
    fn touch_iocq(&mut self, p: PortId);
    /// Port `p`'s WTQ (and so port `p`) may have been written.
    fn touch_wtq(&mut self, p: PortId);
    /// A device or the OVERLAPPED table may have been written.
    fn touch_io(&mut self);
}

impl Record for Outcome {
    #[inline(always)]
    fn begin(&mut self) {
        self.clear();
        // From here the rules mark what they write (see `Touched`).
        self.touched = Touched::NONE;
    }
    #[inline(always)]
    fn kept(&mut self) -> Kept<'_> {
        (&mut self.result, &mut self.deliveries, &mut self.failures)
    }
    #[inline(always)]
    fn fire(&mut self, rule: Rule, event: Event) {
        self.fired.push(Fired { rule, event });
    }
    #[inline(always)]
    fn mark(&mut self, change: MarkChange) {
        self.marks.push(change);
    }
    #[inline(always)]
    fn touch_thread(&mut self, t: ThreadId) {
        self.touched.add_thread(t);
    }
    #[inline(always)]
    fn touch_port(&mut self, p: PortId) {
        self.touched.add_port(p);
    }
    #[inline(always)]
    fn touch_iocq(&mut self, p: PortId) {
        self.touched.add_iocq(p);
    }
    #[inline(always)]
    fn touch_wtq(&mut self, p: PortId) {
        self.touched.add_wtq(p);
    }
    #[inline(always)]
    fn touch_io(&mut self) {
        self.touched.add_io();
    }
}

/// What one applied action did for its callers: the call's result, the
/// packets handed to threads and the calls that failed, without the rules
/// that fired, the queue-wait marks or what the step touched. Filled by
/// [`Kernel::apply_brief`](super::Kernel::apply_brief): the same step as
/// [`Kernel::apply`](super::Kernel::apply) with an [`Outcome`] (same rules,
/// same new state), recording less, for a caller that only carries
/// decisions out, as the live port does, and pays for no narration it
/// would not read. Reused across steps to avoid allocation, as an outcome
/// is.
///
/// ```
/// use iocp_model::{Action, Brief, CallResult, Flavor, Kernel, KernelConfig, Outcome, PortId, ThreadId, WinError};
///
/// let config = KernelConfig::new(Flavor::Windows, &[1], 1);
/// let (p, t) = (PortId(0), ThreadId(0));
/// let mut k = Kernel::new(&config);
/// let mut brief = Brief::default();
/// k.apply_brief(Action::poll(t, p), &mut brief)?;
/// assert_eq!(brief.result, CallResult::Failed(WinError::WaitTimeout));
/// assert_eq!(brief.failures, [(t, WinError::WaitTimeout)]);
/// k.apply_brief(Action::post(p, 7), &mut brief)?;
/// assert_eq!((brief.result, brief.failures.len()), (CallResult::Success, 0));
///
/// // The same steps recorded in full: the same state, and the outcome's
/// // result, deliveries and failures are the brief.
/// let mut full = Kernel::new(&config);
/// let mut out = Outcome::default();
/// full.apply(Action::poll(t, p), &mut out)?;
/// full.apply(Action::post(p, 7), &mut out)?;
/// assert_eq!(full, k);
/// assert_eq!(Brief::from(&out), brief);
/// assert!(!out.fired.is_empty(), "only the outcome says which rules fired");
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Brief {
    /// The step's own call result.
    pub result: CallResult,
    /// Packets handed to threads, in order.
    pub deliveries: Vec<Delivery>,
    /// Threads whose calls ended in failure at this step, with the error.
    pub failures: Vec<(ThreadId, WinError)>,
}

impl Default for Brief {
    fn default() -> Brief {
        Brief {
            result: CallResult::Success,
            deliveries: Vec::new(),
            failures: Vec::new(),
        }
    }
}

impl Brief {
    /// Makes `self` the brief of `out` (its result, deliveries and
    /// failures), reusing `self`'s buffers: for a caller that recorded a
    /// step in full (to show it) and carries it out from its brief.
    pub fn copy_from(&mut self, out: &Outcome) {
        self.result = out.result;
        self.deliveries.clone_from(&out.deliveries);
        self.failures.clone_from(&out.failures);
    }
}

impl From<&Outcome> for Brief {
    /// The brief of an outcome: its result, deliveries and failures.
    fn from(out: &Outcome) -> Brief {
        let mut brief = Brief::default();
        brief.copy_from(out);
        brief
    }
}

impl Record for Brief {
    #[inline(always)]
    fn begin(&mut self) {
        self.result = CallResult::Success;
        self.deliveries.clear();
        self.failures.clear();
    }
    #[inline(always)]
    fn kept(&mut self) -> Kept<'_> {
        (&mut self.result, &mut self.deliveries, &mut self.failures)
    }
    #[inline(always)]
    fn fire(&mut self, _: Rule, _: Event) {}
    #[inline(always)]
    fn mark(&mut self, _: MarkChange) {}
    #[inline(always)]
    fn touch_thread(&mut self, _: ThreadId) {}
    #[inline(always)]
    fn touch_port(&mut self, _: PortId) {}
    #[inline(always)]
    fn touch_iocq(&mut self, _: PortId) {}
    #[inline(always)]
    fn touch_wtq(&mut self, _: PortId) {}
    #[inline(always)]
    fn touch_io(&mut self) {}
}
