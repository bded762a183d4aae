//! Proptest strategies for worlds and action sequences.
//!
//! The actions mix valid and invalid ones on purpose (unknown ids, a waiting
//! thread calling again, an OVERLAPPED reused while in use, ...), so that
//! rejections are tested too; [`valid_case`] keeps only what the model
//! accepts, for properties about well-behaved programs.

use proptest::prelude::*;

use super::{Case, WorldShape, OVS};
use crate::model::{
    Action, DeviceId, Flavor, Kernel, LabelId, Outcome, OvId, PortId, StatusId, ThreadId, Timeout,
};

/// The longest action sequence [`case`] generates.
pub const MAX_STEPS: usize = 60;
/// Posts get key `UNIQUE + step`, completions `UNIQUE + step` bytes (see [`uniquify`]).
pub const UNIQUE: u64 = 1000;
/// The failure status completions use besides success (status id 2, named
/// `ERROR_NETNAME_DELETED` by [`super::WorldShape::names`]).
pub const SOME_ERROR: StatusId = StatusId(2);

/// Small worlds: 1-4 processors, 1-3 ports of concurrency 0-3, 1-6 threads,
/// 0-3 devices.
pub fn world() -> impl Strategy<Value = WorldShape> {
    (
        1u32..=4,
        prop::collection::vec(0u32..=3, 1..=3),
        1usize..=6,
        prop::collection::vec(any::<bool>(), 0..=3),
    )
        .prop_map(|(cpus, ports, threads, devices)| WorldShape {
            cpus,
            ports,
            threads,
            devices,
        })
}

/// An index below `n` most of the time, sometimes `n` itself (an unknown id).
fn id(n: usize) -> BoxedStrategy<u32> {
    if n == 0 {
        Just(0).boxed()
    } else {
        prop_oneof![12 => 0..n as u32, 1 => Just(n as u32)].boxed()
    }
}

/// Timeouts: infinite, a poll (0 ms), or 10 ms.
pub fn timeout() -> impl Strategy<Value = Timeout> {
    prop_oneof![
        2 => Just(Timeout::Infinite),
        2 => Just(Timeout::Ms(0)),
        1 => Just(Timeout::Ms(10)),
    ]
}

/// Any action on world `w`, valid or not: ids are sometimes unknown, and
/// nothing is done to keep the sequence legal. Some posts and issues are
/// made by a scenario thread (`by`), so that rule 2's queue-wait mark
/// exception is reached.
pub fn action(w: &WorldShape) -> impl Strategy<Value = Action> {
    let t = || id(w.threads).prop_map(ThreadId);
    let p = || id(w.ports.len()).prop_map(PortId);
    let d = || id(w.devices.len()).prop_map(DeviceId);
    let ov = || (0..OVS).prop_map(OvId);
    prop_oneof![
        2 => (d(), p(), 0u64..3).prop_map(|(device, port, key)| Action::Associate { device, port, key }),
        3 => (d(), ov(), prop::option::weighted(0.3, Just(0u64)), prop::option::weighted(0.1, t()))
            .prop_map(|(device, overlapped, inline, by)| Action::Issue { device, overlapped, inline, by }),
        4 => (ov(), prop_oneof![3 => Just(StatusId::SUCCESS), 1 => Just(SOME_ERROR)])
            .prop_map(|(overlapped, status)| Action::Complete { overlapped, bytes: 0, status }),
        7 => (p(), prop::option::weighted(0.5, ov()), prop::option::weighted(0.2, t()))
            .prop_map(|(port, overlapped, by)| Action::Post { port, key: 0, bytes: 0, overlapped, by }),
        6 => (t(), p(), timeout()).prop_map(|(thread, port, timeout)| Action::Get { thread, port, timeout }),
        2 => (t(), p(), 0u32..=3, timeout())
            .prop_map(|(thread, port, max, timeout)| Action::GetEx { thread, port, max, timeout }),
        2 => (t(), prop::option::weighted(0.3, Just(LabelId(0))))
            .prop_map(|(thread, on)| Action::Block { thread, on }),
        2 => t().prop_map(|thread| Action::Unblock { thread }),
        2 => t().prop_map(|thread| Action::Timeout { thread }),
        1 => t().prop_map(|thread| Action::Exit { thread }),
        1 => d().prop_map(|device| Action::CloseDevice { device }),
        1 => p().prop_map(|port| Action::ClosePort { port }),
    ]
}

/// Gives every post a unique key and every completion unique bytes, so
/// that each packet can be followed individually (the [`super::shadow`]
/// checker relies on it).
pub fn uniquify(actions: &mut [Action]) {
    for (i, a) in actions.iter_mut().enumerate() {
        let u = UNIQUE + i as u64;
        match a {
            Action::Post { key, bytes, .. } => {
                *key = u;
                *bytes = i as u64;
            }
            Action::Complete { bytes, .. } => *bytes = u,
            Action::Issue {
                inline: Some(b), ..
            } => *b = u,
            _ => {}
        }
    }
}

/// A random world and up to [`MAX_STEPS`] actions on it, valid and invalid
/// mixed, made unique by [`uniquify`].
pub fn case(flavor: Flavor) -> impl Strategy<Value = Case> {
    world()
        .prop_flat_map(|w| {
            let actions = prop::collection::vec(action(&w), 0..=MAX_STEPS);
            (Just(w), actions)
        })
        .prop_map(move |(world, mut actions)| {
            uniquify(&mut actions);
            Case {
                flavor,
                world,
                actions,
            }
        })
}

/// Like [`case`], but only the actions the model accepts, in order: each
/// action is kept if [`Kernel::apply`] accepts it after the ones kept
/// before it. Shrinks like [`case`].
pub fn valid_case(flavor: Flavor) -> impl Strategy<Value = Case> {
    case(flavor).prop_map(|mut c| {
        keep_accepted(&mut c);
        c
    })
}

/// Removes from `case` every action the model rejects (judged in order,
/// on the state the kept actions lead to).
pub fn keep_accepted(case: &mut Case) {
    let mut k = Kernel::new(&case.config());
    let mut out = Outcome::default();
    case.actions.retain(|a| k.apply(*a, &mut out).is_ok());
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn valid_cases_are_accepted_and_mixed_cases_are_not() {
        let mut runner = TestRunner::deterministic();
        let (mut kept, mut rejected_in_mixed) = (0, 0);
        for _ in 0..200 {
            let c = case(Flavor::Windows)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            let mut k = Kernel::new(&c.config());
            let mut out = Outcome::default();
            rejected_in_mixed += c
                .actions
                .iter()
                .filter(|a| k.apply(**a, &mut out).is_err())
                .count();
            let v = valid_case(Flavor::Windows)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            let mut k = Kernel::new(&v.config());
            for a in &v.actions {
                assert!(k.apply(*a, &mut out).is_ok(), "{v:?}");
            }
            kept += v.actions.len();
        }
        assert!(kept > 1000, "valid cases are not empty: {kept}");
        assert!(rejected_in_mixed > 1000, "{rejected_in_mixed}");
    }
}
