//! A reference state machine for `proptest-state-machine`: test your own
//! port-like implementation against the model, with shrinking.
//!
//! The model is the reference: [`ReferencePort`] generates a world and a
//! sequence of actions (by default only actions the model accepts), and
//! applies each one to a [`Kernel`], remembering what it [`Observed`]. Your
//! implementation ([`PortLike`]) receives the same actions; [`Against`]
//! compares what it reports with the model after every action, and
//! proptest shrinks a failure to the shortest sequence that shows it.
//!
//! A `post` or an `issue` may name the thread that makes it (`by`): in the
//! Windows flavour a post (or an inline completion) by a thread of the port
//! carrying the queue-wait mark is queued, not handed to a waiter (rule 2),
//! so an implementation must follow the mark to agree with the model.
//!
//! ```
//! use iocp_sim::model::{Action, KernelConfig};
//! use iocp_sim::testing::machine::{check_port, Observed, PortLike, WindowsPort};
//!
//! /// A "port" that forwards to the model itself: it agrees by construction.
//! struct Same(iocp_sim::model::Kernel);
//!
//! impl PortLike for Same {
//!     fn new(config: &KernelConfig) -> Self {
//!         Same(iocp_sim::model::Kernel::new(config))
//!     }
//!     fn apply(&mut self, action: Action) -> Observed {
//!         let mut out = Default::default();
//!         let r = self.0.apply(action, &mut out);
//!         Observed::of(r, &out)
//!     }
//! }
//!
//! let config = proptest::test_runner::Config { cases: 16, ..Default::default() };
//! check_port::<Same, WindowsPort>(config, 1..20).unwrap();
//! ```

use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestError, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

use super::{fmt_action, strategy, WorldShape};
use crate::model::{
    Action, CallResult, Delivery, Flavor, Kernel, KernelConfig, Outcome, Rejection, ThreadId,
    WinError,
};

/// What an implementation reports for one action: the part of the model's
/// [`Outcome`] that a real port shows to its callers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Observed {
    /// The action was refused (the model's [`Rejection`]); nothing changed.
    Rejected(Rejection),
    /// The action ran.
    Done {
        /// The calling thread's result (`Pending` for a thread now waiting).
        result: CallResult,
        /// Packets handed to threads, in order.
        deliveries: Vec<Delivery>,
        /// Threads whose calls ended in failure, with the error, in order.
        failures: Vec<(ThreadId, WinError)>,
    },
}

impl Observed {
    /// What the model reports for an action whose result was `r` and
    /// outcome `out`.
    pub fn of(r: Result<(), Rejection>, out: &Outcome) -> Observed {
        match r {
            Err(rejection) => Observed::Rejected(rejection),
            Ok(()) => Observed::done(out.result, out.deliveries.clone(), out.failures.clone()),
        }
    }

    /// An accepted action's report.
    pub fn done(
        result: CallResult,
        deliveries: Vec<Delivery>,
        failures: Vec<(ThreadId, WinError)>,
    ) -> Observed {
        Observed::Done {
            result,
            deliveries,
            failures,
        }
    }
}

/// The model's side of a state-machine test: the world, the kernel after
/// the actions so far, and what the last action did.
#[derive(Clone)]
pub struct ModelState {
    /// The world it started from.
    pub config: KernelConfig,
    /// The model's state now.
    pub kernel: Kernel,
    /// What the last action did (`None` before the first).
    pub last: Option<Observed>,
    outcome: Outcome,
}

impl ModelState {
    /// The initial state of a world.
    pub fn new(config: KernelConfig) -> ModelState {
        ModelState {
            kernel: Kernel::new(&config),
            config,
            last: None,
            outcome: Outcome::default(),
        }
    }

    /// The world's shape (for [`strategy::action`]).
    pub fn shape(&self) -> WorldShape {
        WorldShape {
            cpus: self.config.cpus,
            ports: self.config.ports.clone(),
            threads: self.config.threads,
            devices: self.config.devices.clone(),
        }
    }
}

impl fmt::Debug for ModelState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The kernel is left out: proptest prints the initial state of a
        // shrunk failure, and the world is what it needs to show.
        write!(f, "{:?}", self.config)
    }
}

/// Which worlds and actions a [`ReferencePort`] generates.
pub trait Scope: 'static {
    /// The worlds to start from.
    fn world() -> BoxedStrategy<KernelConfig>;
    /// The actions to try from `state`.
    fn action(state: &ModelState) -> BoxedStrategy<Action>;
    /// Whether to keep only actions the model accepts (the default). With
    /// `false`, rejected actions are part of the sequence and your
    /// implementation must report [`Observed::Rejected`] with the same
    /// rejection.
    const ONLY_ACCEPTED: bool = true;
}

/// Every kind of action on [`strategy::world`]s, in the Windows flavour,
/// only those the model accepts.
#[derive(Debug)]
pub struct WindowsPort;

/// Every kind of action on [`strategy::world`]s, in the Wine flavour
/// (Wine 8), only those the model accepts.
#[derive(Debug)]
pub struct WinePort;

/// Every kind of action on [`strategy::world`]s, in the Wine 10 flavour
/// (`wine10`), only those the model accepts.
#[derive(Debug)]
pub struct Wine10Port;

fn any_world(flavor: Flavor) -> BoxedStrategy<KernelConfig> {
    strategy::world()
        .prop_map(move |w| w.config(flavor))
        .boxed()
}

impl Scope for WindowsPort {
    fn world() -> BoxedStrategy<KernelConfig> {
        any_world(Flavor::Windows)
    }
    fn action(state: &ModelState) -> BoxedStrategy<Action> {
        strategy::action(&state.shape()).boxed()
    }
}

impl Scope for WinePort {
    fn world() -> BoxedStrategy<KernelConfig> {
        any_world(Flavor::Wine)
    }
    fn action(state: &ModelState) -> BoxedStrategy<Action> {
        strategy::action(&state.shape()).boxed()
    }
}

impl Scope for Wine10Port {
    fn world() -> BoxedStrategy<KernelConfig> {
        any_world(Flavor::Wine10)
    }
    fn action(state: &ModelState) -> BoxedStrategy<Action> {
        strategy::action(&state.shape()).boxed()
    }
}

/// The model as a [`ReferenceStateMachine`], generating what `S` says.
#[derive(Debug)]
pub struct ReferencePort<S>(PhantomData<S>);

impl<S: Scope> ReferenceStateMachine for ReferencePort<S> {
    type State = ModelState;
    type Transition = Action;

    fn init_state() -> BoxedStrategy<ModelState> {
        S::world().prop_map(ModelState::new).boxed()
    }

    fn transitions(state: &ModelState) -> BoxedStrategy<Action> {
        S::action(state)
    }

    fn apply(mut state: ModelState, action: &Action) -> ModelState {
        let r = state.kernel.apply(*action, &mut state.outcome);
        state.last = Some(Observed::of(r, &state.outcome));
        state
    }

    fn preconditions(state: &ModelState, action: &Action) -> bool {
        !S::ONLY_ACCEPTED || state.kernel.validate(*action).is_ok()
    }
}

/// An implementation to check against the model: anything that can be
/// built from a world and be told the model's actions.
pub trait PortLike {
    /// A fresh instance of the world `config`.
    fn new(config: &KernelConfig) -> Self;
    /// Applies one action and reports what it did.
    fn apply(&mut self, action: Action) -> Observed;
    /// Optional deeper comparison after each action (queue lengths,
    /// counters, ...): an error message if the implementation disagrees
    /// with the model's state `model`.
    fn check(&self, model: &Kernel) -> Result<(), String> {
        let _ = model;
        Ok(())
    }
}

/// The state-machine test of implementation `P` against the model, on
/// what scope `S` generates. Use it with `prop_state_machine!` or
/// [`check_port`].
#[derive(Debug)]
pub struct Against<P, S>(PhantomData<(P, S)>);

impl<P: PortLike, S: Scope> StateMachineTest for Against<P, S> {
    type SystemUnderTest = P;
    type Reference = ReferencePort<S>;

    fn init_test(state: &ModelState) -> P {
        P::new(&state.config)
    }

    fn apply(mut sut: P, state: &ModelState, action: Action) -> P {
        let got = sut.apply(action);
        let want = state.last.as_ref().expect("the model applied the action");
        assert_eq!(
            &got,
            want,
            "{}: the implementation (left) disagrees with the model (right)",
            fmt_action(&action)
        );
        sut
    }

    fn check_invariants(sut: &P, state: &ModelState) {
        if let Err(e) = sut.check(&state.kernel) {
            panic!("the implementation's state disagrees with the model: {e}");
        }
    }
}

/// A generated sequence: the initial model state, the actions, and
/// proptest-state-machine's shrinking counter.
pub type Sequence = (ModelState, Vec<Action>, Option<Arc<AtomicUsize>>);

/// [`check_port`] found an implementation that disagrees with the model
/// (or proptest gave up), after shrinking.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Disagreement {
    /// Proptest's report: the panic message of the shrunk failure and the
    /// minimal sequence (the world, then the actions).
    pub message: String,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Disagreement {}

/// Runs [`Against<P, S>`] for `config.cases` sequences of `steps` actions.
pub fn check_port<P: PortLike, S: Scope>(
    config: Config,
    steps: Range<usize>,
) -> Result<(), Disagreement> {
    let mut runner = TestRunner::new(config.clone());
    runner
        .run(
            &ReferencePort::<S>::sequential_strategy(steps),
            |(initial, actions, seen)| {
                Against::<P, S>::test_sequential(config.clone(), initial, actions, seen);
                Ok(())
            },
        )
        .map_err(|e: TestError<Sequence>| Disagreement {
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Forwards to the model; with `LIE`, reports every action as done,
    /// rejected ones included.
    struct Forward<const LIE: bool>(Kernel);

    /// Forwards to the model, but every post and issue as if made from
    /// outside the scenario (`by` dropped): it ignores the queue-wait mark.
    struct Anonymous(Kernel);

    impl PortLike for Anonymous {
        fn new(config: &KernelConfig) -> Self {
            Anonymous(Kernel::new(config))
        }
        fn apply(&mut self, mut action: Action) -> Observed {
            if let Action::Post { by, .. } | Action::Issue { by, .. } = &mut action {
                *by = None;
            }
            let mut out = Outcome::default();
            let r = self.0.apply(action, &mut out);
            Observed::of(r, &out)
        }
    }

    impl<const LIE: bool> PortLike for Forward<LIE> {
        fn new(config: &KernelConfig) -> Self {
            Forward(Kernel::new(config))
        }
        fn apply(&mut self, action: Action) -> Observed {
            let mut out = Outcome::default();
            let r = self.0.apply(action, &mut out);
            Observed::of(if LIE { Ok(()) } else { r }, &out)
        }
    }

    /// Every action, rejected ones included.
    struct Everything;

    impl Scope for Everything {
        fn world() -> BoxedStrategy<KernelConfig> {
            any_world(Flavor::Windows)
        }
        fn action(state: &ModelState) -> BoxedStrategy<Action> {
            strategy::action(&state.shape()).boxed()
        }
        const ONLY_ACCEPTED: bool = false;
    }

    fn config() -> Config {
        Config {
            cases: 32,
            failure_persistence: None,
            ..Config::default()
        }
    }

    #[test]
    fn the_model_agrees_with_itself_on_valid_and_invalid_actions() {
        check_port::<Forward<false>, WindowsPort>(config(), 1..30).unwrap();
        check_port::<Forward<false>, WinePort>(config(), 1..30).unwrap();
        check_port::<Forward<false>, Wine10Port>(config(), 1..30).unwrap();
        check_port::<Forward<false>, Everything>(config(), 1..30).unwrap();
    }

    #[test]
    fn an_implementation_that_accepts_what_the_model_refuses_is_caught() {
        // Only valid actions: nothing to lie about.
        check_port::<Forward<true>, WindowsPort>(config(), 1..30).unwrap();
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = check_port::<Forward<true>, Everything>(config(), 1..30);
        std::panic::set_hook(hook);
        let e = r.expect_err("rejections are part of the comparison");
        assert!(e.message.contains("Rejected"), "{e}");
    }

    #[test]
    fn an_implementation_ignoring_the_queue_wait_mark_is_caught() {
        // Wine has no mark: dropping `by` changes nothing there.
        check_port::<Anonymous, WinePort>(config(), 1..30).unwrap();
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        // A fixed seed: with a random one, 256 cases missed the situation
        // in about 3 runs of 10.
        let r = check_port::<Anonymous, WindowsPort>(
            Config {
                cases: 256,
                rng_seed: proptest::test_runner::RngSeed::Fixed(1),
                ..config()
            },
            1..40,
        );
        std::panic::set_hook(hook);
        let e = r.expect_err("a marked thread's post is queued on Windows");
        assert!(e.message.contains(", by T"), "{e}");
    }
}
