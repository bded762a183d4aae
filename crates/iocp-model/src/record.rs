//! [`Record`]: what a step writes down about itself, chosen by the caller
//! of [`Kernel::apply`](super::Kernel::apply). [`Outcome`] keeps everything
//! (the rules that fired, the queue-wait marks, what the step touched): the
//! runner, the narration, the explorer and the property checks read it.
//! [`Brief`] keeps only what a caller needs to carry the step out (the
//! result, the deliveries, the failures): the live port's form. The rules
//! are written once, against the private [`Recorder`] methods; each form
//! gets its own compiled copy of them, and in [`Brief`]'s the records it
//! does not keep are never built.

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

/// A form a step's records can take: [`Outcome`] (everything) or [`Brief`]
/// (the result, the deliveries and the failures). Sealed: the model's
/// rules write through methods only it can call.
///
/// ```
/// use iocp_model::{Action, Brief, Flavor, Kernel, KernelConfig, Outcome, PortId, ThreadId};
///
/// let config = KernelConfig::new(Flavor::Windows, &[1], 1);
/// let (p, t) = (PortId(0), ThreadId(0));
/// let (mut a, mut b) = (Kernel::new(&config), Kernel::new(&config));
/// let (mut out, mut brief) = (Outcome::default(), Brief::default());
/// for action in [Action::get(t, p), Action::post(p, 7)] {
///     a.apply(action, &mut out)?;
///     b.apply(action, &mut brief)?;
///     // The same step, recorded in two forms.
///     assert_eq!((out.result, &out.deliveries, &out.failures), (brief.result, &brief.deliveries, &brief.failures));
/// }
/// assert_eq!(a, b);
/// assert_eq!(brief.deliveries[0].packet.key, 7);
/// assert!(!out.fired.is_empty(), "only the outcome says which rules fired");
/// # Ok::<(), iocp_model::Rejection>(())
/// ```
pub trait Record: Recorder {}

/// The methods the rules record through. Public in a private module, so
/// that [`Record`] is sealed and these stay the model's own.
pub trait Recorder {
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

impl Record for Outcome {}

impl Recorder for Outcome {
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
/// that fired, the queue-wait marks or what the step touched. The same
/// step as with an [`Outcome`] (same rules, same new state), recording
/// less: for a caller that only carries decisions out, as the live port
/// does, and pays for no narration it would not read. Reused across
/// steps to avoid allocation, as an outcome is.
///
/// ```
/// use iocp_model::{Action, Brief, CallResult, Flavor, Kernel, KernelConfig, PortId, ThreadId, WinError};
///
/// let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 1));
/// let (p, t) = (PortId(0), ThreadId(0));
/// let mut brief = Brief::default();
/// k.apply(Action::poll(t, p), &mut brief)?;
/// assert_eq!(brief.result, CallResult::Failed(WinError::WaitTimeout));
/// assert_eq!(brief.failures, [(t, WinError::WaitTimeout)]);
/// k.apply(Action::post(p, 7), &mut brief)?;
/// assert_eq!((brief.result, brief.failures.len()), (CallResult::Success, 0));
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

impl Record for Brief {}

impl Recorder for Brief {
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
