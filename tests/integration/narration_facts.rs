//! Every clause of the narration that depends on the situation is true at
//! its step, in both languages and all three flavours: for every bundled
//! lesson and a few hundred random scenarios, each sentence's claims are
//! checked against facts read from the model's data (the kernel before and
//! after the step, the step's outcome, the run's deliveries and failures),
//! not against a second copy of the rules:
//!
//! - a get again says "done with its last packet" only when the thread's
//!   previous get delivered one (read from the run's deliveries);
//! - "this is how an over-subscribed port corrects itself" only when the
//!   port was over its limit before the step, "still over" / "full" and
//!   "over" / "at" its limit as the counts say;
//! - joining a port never claims a first call;
//! - "because current < max" only where the flavour checks the limit, and
//!   "does not check the limit" names the Wine the step ran in;
//! - "the oldest waiter" only where the flavour wakes FIFO;
//! - a device close speaks of aborted packets reaching threads only when
//!   its aborted requests made packets, says nothing was aborted when none
//!   was, and puts the crash at the dequeue;
//! - the queue-wait mark is stated as read from NT's source, not measured
//!   on Windows;
//! - "over the limit" after an unblock or a timeout only when it is.

use iocp_sim::model::{
    Action, CallResult, Event, Flavor, Kernel, Names, NoTakeWhy, Outcome, QueueWhy, StatusId,
    ThreadId, WakeOrder, WinError,
};
use iocp_sim::narrate::{self, flavor_name, Lang};
use iocp_sim::testing::strategy::valid_case;
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRunner};

use crate::util::{lessons, load};

/// What the run has shown of each thread so far: whether its last get
/// delivered a packet (`None`: it never called get).
struct History {
    last_get: Vec<Option<bool>>,
}

impl History {
    fn new(threads: usize) -> History {
        History {
            last_get: vec![None; threads],
        }
    }

    /// Records what a step showed: a get that did not fail at once starts
    /// without a packet; each delivery gives its thread one.
    fn record(&mut self, action: &Action, out: &Outcome) {
        if let Action::Get { thread, .. } | Action::GetEx { thread, .. } = *action {
            if out.result != CallResult::Failed(WinError::InvalidHandle) {
                self.last_get[thread.index()] = Some(false);
            }
        }
        for d in &out.deliveries {
            self.last_get[d.thread.index()] = Some(true);
        }
    }
}

/// Each claim checked, with the value its fact had: the coverage test
/// asserts that every claim was seen both true and false.
type Seen = std::collections::BTreeSet<(&'static str, bool)>;

/// The claims of one step's sentences that do not match its facts, as
/// messages naming the step, the language, the claim and the sentence.
fn problems(
    flavor: Flavor,
    before: &Kernel,
    out: &Outcome,
    after: &Kernel,
    names: &Names,
    history: &History,
    seen: &mut Seen,
) -> Vec<String> {
    let mut found = Vec::new();
    let system = flavor_name(flavor);
    let fifo = flavor.wake_order() == WakeOrder::Fifo;
    for f in &out.fired {
        let en = narrate::fired(f, names, flavor, Lang::En);
        let ko = narrate::fired(f, names, flavor, Lang::Ko);
        // A sentence that speaks of Wine names the one the step ran in
        // (the queue-wait mark's sentence says Wine lacks the rule).
        let mark = matches!(
            f.event,
            Event::Queued {
                why: QueueWhy::MarkedInserter { .. },
                ..
            }
        );
        for (lang, text) in [("en", &en), ("ko", &ko)] {
            if !mark
                && text.contains("Wine")
                && (flavor == Flavor::Windows || !text.contains(system))
            {
                found.push(format!(
                    "{}: {lang} speaks of Wine but not of {system}: {text}",
                    flavor.as_str()
                ));
            }
        }
        let mut claim = |fact: bool, (en_says, ko_says): (bool, bool), what: &'static str| {
            seen.insert((what, fact));
            for (lang, says, text) in [("en", en_says, &en), ("ko", ko_says, &ko)] {
                if says != fact {
                    found.push(format!(
                        "{}: {lang} {} {what:?} but the facts say {fact}: {text}",
                        flavor.as_str(),
                        if says { "claims" } else { "does not say" },
                    ));
                }
            }
        };
        match f.event {
            Event::Returned { thread, .. } => {
                let had = history.last_get[thread.index()] == Some(true);
                claim(
                    had,
                    (
                        en.contains("done with its last packet"),
                        ko.contains("앞의 패킷 처리를 끝냈다"),
                    ),
                    "the thread is done with a packet",
                );
                claim(
                    !had,
                    (en.contains("returned no packet"), ko.contains("패킷 없이")),
                    "its last call returned no packet",
                );
            }
            Event::Joined { .. } => claim(
                false,
                (en.contains("first"), ko.contains("처음")),
                "a first call",
            ),
            Event::Took { port, .. } => {
                let gated = flavor.gated();
                claim(
                    gated,
                    (
                        en.contains("because current"),
                        ko.contains("이므로 가져갈 수 있습니다"),
                    ),
                    "current < max let it take",
                );
                if gated {
                    let p = after.port(port);
                    assert!(p.current() - 1 < p.max(), "{en}");
                }
            }
            Event::Waits { port, why, .. } => {
                claim(
                    fifo,
                    (
                        en.contains("wakes the oldest waiter first"),
                        ko.contains("가장 오래 기다린 스레드부터 깨웁니다"),
                    ),
                    "the oldest waiter is woken first",
                );
                if let NoTakeWhy::AtLimit { .. } = why {
                    let (b, a) = (before.port(port), after.port(port));
                    claim(
                        b.current() > b.max(),
                        (
                            en.contains("corrects itself"),
                            ko.contains("스스로 바로잡힙니다"),
                        ),
                        "an over-subscribed port corrects itself",
                    );
                    claim(
                        a.current() > a.max(),
                        (
                            en.contains("still over its limit"),
                            ko.contains("아직 최대 스레드 수를 넘어 있습니다"),
                        ),
                        "the port is still over its limit",
                    );
                }
            }
            Event::PollFailed {
                port,
                why: NoTakeWhy::AtLimit { .. },
                ..
            } => {
                // The caller counts again after the check: the count the
                // limit was checked against is one less.
                let a = after.port(port);
                claim(
                    a.current() - 1 > a.max(),
                    (
                        en.contains("over its limit"),
                        ko.contains("최대 스레드 수를 넘어 있으므로"),
                    ),
                    "the port is over its limit",
                );
            }
            Event::HandedOff { .. } => {
                claim(
                    !flavor.gated(),
                    (
                        en.contains("does not check the limit"),
                        ko.contains("최대 스레드 수를 검사하지 않"),
                    ),
                    "the limit is not checked",
                );
                claim(
                    fifo,
                    (en.contains("oldest waiter"), ko.contains("가장 오래된")),
                    "the oldest waiter gets it",
                );
            }
            Event::Queued {
                why: QueueWhy::MarkedInserter { .. },
                ..
            } => claim(
                true,
                (
                    en.contains("read from NT's source")
                        && en.contains("not yet measured on Windows")
                        && !en.contains("bets"),
                    ko.contains("NT의 소스에서 읽은 것") && ko.contains("아직 측정하지 않았습니다"),
                ),
                "the mark is read from NT's source and unmeasured on Windows",
            ),
            Event::DeviceClosed { device, .. } => {
                let aborted: Vec<_> = out
                    .fired
                    .iter()
                    .filter_map(|g| match g.event {
                        Event::Aborted {
                            device: d,
                            overlapped,
                        } if d == device => Some(overlapped),
                        _ => None,
                    })
                    .collect();
                let made = aborted
                    .iter()
                    .filter(|&&ov| {
                        // The aborted request's packet: its OVERLAPPED with
                        // ERROR_OPERATION_ABORTED, handed to a thread or queued.
                        let aborted_packet = |pk: &iocp_sim::model::Packet| {
                            pk.overlapped == Some(ov) && pk.status == StatusId::OPERATION_ABORTED
                        };
                        out.deliveries.iter().any(|d| aborted_packet(&d.packet))
                            || after
                                .ports()
                                .iter()
                                .any(|p| p.iocq().iter().any(aborted_packet))
                    })
                    .count();
                claim(
                    aborted.is_empty(),
                    (
                        en.contains("nothing was aborted"),
                        ko.contains("취소된 것은 없습니다"),
                    ),
                    "nothing was aborted",
                );
                claim(
                    !aborted.is_empty() && made == 0,
                    (
                        en.contains("made no packet"),
                        ko.contains("패킷을 만들지 않았으므로"),
                    ),
                    "the aborted requests made no packet",
                );
                claim(
                    made > 0,
                    (
                        en.contains("when GetQueuedCompletionStatus returns one of them"),
                        ko.contains("GetQueuedCompletionStatus가 이 패킷을 돌려주고"),
                    ),
                    "aborted packets reach the threads, and a crash comes at their dequeue",
                );
                claim(
                    false,
                    (en.contains("when they arrive"), ko.contains("도착할 때")),
                    "the crash comes when the packets arrive",
                );
            }
            Event::Stranded { .. } | Event::StrandedWoken { .. } => {
                assert!(!flavor.abandons_waiters_on_close(), "{flavor:?}: {en}");
            }
            Event::Unblocked {
                port: Some(port), ..
            } => claim(
                after.port(port).over_limit(),
                (
                    en.contains("over the limit"),
                    ko.contains("이제 RTL이 최대 스레드 수를 넘었습니다"),
                ),
                "the RTL is over the limit",
            ),
            Event::TimedOut { port, .. } => claim(
                after.port(port).over_limit(),
                (
                    en.contains("over the limit"),
                    ko.contains("최대 스레드 수 초과"),
                ),
                "the RTL is over the limit",
            ),
            _ => {}
        }
    }
    found
}

/// Applies `actions` from `start` in `flavor`, checking every step's
/// sentences; a rejected action is skipped. The problems, each with its
/// step number.
fn walk(
    flavor: Flavor,
    start: Kernel,
    actions: &[Action],
    names: &Names,
    seen: &mut Seen,
) -> Vec<String> {
    let mut k = start;
    let mut history = History::new(k.threads().len());
    let mut out = Outcome::default();
    let mut found = Vec::new();
    for (i, a) in actions.iter().enumerate() {
        let before = k.clone();
        if k.apply(*a, &mut out).is_err() {
            continue;
        }
        for p in problems(flavor, &before, &out, &k, names, &history, seen) {
            found.push(format!("step {}: {p}", i + 1));
        }
        history.record(a, &out);
    }
    found
}

/// Every bundled lesson in every flavour, its sentences checked; the
/// problems, each with the lesson's file.
fn walk_lessons(seen: &mut Seen) -> Vec<String> {
    let mut found = Vec::new();
    for path in lessons() {
        let sc = load(&path);
        let actions: Vec<Action> = sc.steps.iter().filter_map(|s| s.action).collect();
        for flavor in Flavor::ALL {
            let k = iocp_sim::runner::Runner::new(&sc.world, flavor)
                .kernel()
                .clone();
            for p in walk(flavor, k, &actions, &sc.names, seen) {
                found.push(format!(
                    "{}: {p}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    found
}

#[test]
fn every_lesson_says_only_what_its_steps_do_in_every_flavour() {
    let mut seen = Seen::new();
    let found = walk_lessons(&mut seen);
    assert!(found.is_empty(), "{}", found.join("\n"));
    // The lessons meet most claims both ways on their own (the random
    // scenarios add the rest: see the coverage test below).
    assert!(seen.len() >= 20, "{seen:?}");
}

/// A few hundred random valid scenarios per flavour (proptest, seeded; a
/// failure prints the shrunk case).
fn random(flavor: Flavor) {
    let config = ProptestConfig {
        cases: 150,
        rng_algorithm: RngAlgorithm::XorShift,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&valid_case(flavor), |c| {
        let names = c.world.names();
        let found = walk(
            flavor,
            Kernel::new(&c.config()),
            &c.actions,
            &names,
            &mut Seen::new(),
        );
        prop_assert!(found.is_empty(), "{}", found.join("\n"));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn random_scenarios_say_only_what_their_steps_do_windows() {
    random(Flavor::Windows);
}

#[test]
fn random_scenarios_say_only_what_their_steps_do_wine() {
    random(Flavor::Wine);
}

#[test]
fn random_scenarios_say_only_what_their_steps_do_wine10() {
    random(Flavor::Wine10);
}

/// The checks can fail: over the lessons and the random scenarios, every
/// claim is met both where its fact holds and where it does not (a claim
/// seen one way only would pass whatever the sentence said the other way).
#[test]
fn every_claim_is_checked_both_where_it_holds_and_where_it_does_not() {
    use proptest::strategy::ValueTree;
    let mut seen = Seen::new();
    let mut found = walk_lessons(&mut seen);
    let mut runner = TestRunner::deterministic();
    for flavor in Flavor::ALL {
        for _ in 0..300 {
            let c = valid_case(flavor).new_tree(&mut runner).unwrap().current();
            let names = c.world.names();
            found.extend(walk(
                flavor,
                Kernel::new(&c.config()),
                &c.actions,
                &names,
                &mut seen,
            ));
        }
    }
    let one_sided: Vec<_> = seen
        .iter()
        .filter(|(what, fact)| !seen.contains(&(*what, !fact)))
        // Always true or always false by design: checked one way only.
        .filter(|(what, _)| {
            ![
                "a first call",
                "the crash comes when the packets arrive",
                "the mark is read from NT's source and unmeasured on Windows",
            ]
            .contains(what)
        })
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
    assert!(
        one_sided.is_empty(),
        "claims met one way only: {one_sided:?}"
    );
    assert!(seen.len() >= 20, "{seen:?}");
}

/// The history reads deliveries and failures only: a thread that timed
/// out has no packet; one woken with a packet has one.
#[test]
fn the_history_follows_deliveries() {
    let mut h = History::new(2);
    let get = Action::Get {
        thread: ThreadId(0),
        port: iocp_sim::model::PortId(0),
        timeout: iocp_sim::model::Timeout::Infinite,
    };
    h.record(&get, &Outcome::default());
    assert_eq!(h.last_get[0], Some(false));
    let out = Outcome {
        deliveries: vec![iocp_sim::model::Delivery {
            thread: ThreadId(0),
            port: iocp_sim::model::PortId(0),
            packet: iocp_sim::model::Packet {
                bytes: 0,
                key: 1,
                overlapped: None,
                status: iocp_sim::model::StatusId::SUCCESS,
                origin: iocp_sim::model::Origin::Post,
            },
        }],
        ..Outcome::default()
    };
    h.record(
        &Action::Exit {
            thread: ThreadId(1),
        },
        &out,
    );
    assert_eq!(h.last_get, [Some(true), None]);
}
