//! Every event, every reason inside an event, every rejection and every rule
//! has narration in every language: not missing, not empty, and not simply
//! the English text again. The `kind` functions below match exhaustively
//! (no wildcard arm), so a new variant does not compile until it is listed
//! here, and the coverage assertions then fail until it has a sample.

use std::collections::BTreeSet;

use iocp_sim::model::{
    Action, DeviceId, Event, FailWhy, Fired, Flavor, Names, NoPacketWhy, NoTakeWhy, Origin, Packet,
    PortId, QueueWhy, RejectKind, Rejection, Rule, StatusId, ThreadId, Timeout,
};
use iocp_sim::narrate::{self, Lang};

fn names() -> Names {
    let mut n = Names::new(
        vec!["P".into(), "Q".into()],
        vec!["T1".into(), "T2".into()],
        vec!["sockA".into()],
    );
    n.intern_overlapped("ovA");
    n.intern_label("Sleep(100)");
    n
}

const T: ThreadId = ThreadId(0);
const P: PortId = PortId(0);
const Q: PortId = PortId(1);
const D: DeviceId = DeviceId(0);

fn pk() -> Packet {
    Packet {
        bytes: 10,
        key: 7,
        overlapped: Some(iocp_sim::model::OvId(0)),
        status: StatusId::SUCCESS,
        origin: Origin::Io,
    }
}

/// The variant (and inner reason) of an event, as a name.
fn kind(e: &Event) -> String {
    let sub_take = |w: &NoTakeWhy| match w {
        NoTakeWhy::IocqEmpty => "IocqEmpty",
        NoTakeWhy::AtLimit { .. } => "AtLimit",
    };
    match e {
        Event::Returned { .. } => "Returned".into(),
        Event::LeftPort { .. } => "LeftPort".into(),
        Event::Joined { .. } => "Joined".into(),
        Event::Took { .. } => "Took".into(),
        Event::Waits { why, lifo, .. } => format!("Waits/{}/{lifo}", sub_take(why)),
        Event::PollFailed { why, .. } => format!("PollFailed/{}", sub_take(why)),
        Event::HandedOff { lifo, gated, .. } => format!("HandedOff/{lifo}/{gated}"),
        Event::Queued { why, .. } => match why {
            QueueWhy::NoWaiter => "Queued/NoWaiter".into(),
            QueueWhy::AtLimit { .. } => "Queued/AtLimit".into(),
            QueueWhy::MarkedInserter { .. } => "Queued/MarkedInserter".into(),
        },
        Event::Woke { lifo, .. } => format!("Woke/{lifo}"),
        Event::Held { .. } => "Held".into(),
        Event::Blocked { port, .. } => format!("Blocked/{}", port.is_some()),
        Event::Unblocked { port, .. } => format!("Unblocked/{}", port.is_some()),
        Event::TimedOut { .. } => "TimedOut".into(),
        Event::Exited { port, .. } => format!("Exited/{}", port.is_some()),
        Event::Associated { .. } => "Associated".into(),
        Event::Issued { inline, .. } => format!("Issued/{inline}"),
        Event::Completed { .. } => "Completed".into(),
        Event::NoPacket { why, .. } => match why {
            NoPacketWhy::NotAssociated => "NoPacket/NotAssociated".into(),
            NoPacketWhy::SkipOnSuccess => "NoPacket/SkipOnSuccess".into(),
            NoPacketWhy::PortClosed => "NoPacket/PortClosed".into(),
        },
        Event::Aborted { .. } => "Aborted".into(),
        Event::DeviceClosed { .. } => "DeviceClosed".into(),
        Event::Abandoned { .. } => "Abandoned".into(),
        Event::Stranded { .. } => "Stranded".into(),
        Event::StrandedWoken { .. } => "StrandedWoken".into(),
        Event::Unassociated { .. } => "Unassociated".into(),
        Event::Discarded { .. } => "Discarded".into(),
        Event::PortClosed { .. } => "PortClosed".into(),
        Event::Failed { why } => match why {
            FailWhy::PortClosed(_) => "Failed/PortClosed".into(),
            FailWhy::DeviceClosed(_) => "Failed/DeviceClosed".into(),
            FailWhy::AlreadyAssociated(..) => "Failed/AlreadyAssociated".into(),
        },
    }
}

const EVENT_KINDS: &[&str] = &[
    "Returned",
    "LeftPort",
    "Joined",
    "Took",
    "Waits/IocqEmpty/true",
    "Waits/IocqEmpty/false",
    "Waits/AtLimit/true",
    "Waits/AtLimit/false",
    "PollFailed/IocqEmpty",
    "PollFailed/AtLimit",
    "HandedOff/true/true",
    "HandedOff/true/false",
    "HandedOff/false/false",
    "Queued/NoWaiter",
    "Queued/AtLimit",
    "Queued/MarkedInserter",
    "Woke/true",
    "Woke/false",
    "Held",
    "Blocked/true",
    "Blocked/false",
    "Unblocked/true",
    "Unblocked/false",
    "TimedOut",
    "Exited/true",
    "Exited/false",
    "Associated",
    "Issued/true",
    "Issued/false",
    "Completed",
    "NoPacket/NotAssociated",
    "NoPacket/SkipOnSuccess",
    "NoPacket/PortClosed",
    "Aborted",
    "DeviceClosed",
    "Abandoned",
    "Stranded",
    "StrandedWoken",
    "Unassociated",
    "Discarded",
    "PortClosed",
    "Failed/PortClosed",
    "Failed/DeviceClosed",
    "Failed/AlreadyAssociated",
];

fn sample_events() -> Vec<Fired> {
    let at = NoTakeWhy::AtLimit {
        current: 2,
        max: 1,
        queued: 3,
        at_call: 3,
    };
    let ov = iocp_sim::model::OvId(0);
    let label = Some(iocp_sim::model::LabelId(0));
    let mut v = vec![
        (
            Rule::Get,
            Event::Returned {
                thread: T,
                port: P,
                current: 0,
                had_packet: true,
            },
        ),
        (
            Rule::Get,
            Event::LeftPort {
                thread: T,
                port: Q,
                current: 0,
            },
        ),
        (Rule::Get, Event::Joined { thread: T, port: P }),
        (
            Rule::GetEx,
            Event::Took {
                thread: T,
                port: P,
                count: 2,
                current: 1,
                max: 1,
                gated: true,
            },
        ),
        (
            Rule::Get,
            Event::PollFailed {
                thread: T,
                port: P,
                why: NoTakeWhy::IocqEmpty,
                current: 1,
                max: 1,
            },
        ),
        (
            Rule::Get,
            Event::PollFailed {
                thread: T,
                port: P,
                why: at,
                current: 3,
                max: 1,
            },
        ),
        (
            Rule::Insert,
            Event::Queued {
                port: P,
                packet: pk(),
                why: QueueWhy::NoWaiter,
                depth: 1,
            },
        ),
        (
            Rule::Insert,
            Event::Queued {
                port: P,
                packet: pk(),
                why: QueueWhy::AtLimit { current: 1, max: 1 },
                depth: 2,
            },
        ),
        (
            Rule::Insert,
            Event::Queued {
                port: P,
                packet: pk(),
                why: QueueWhy::MarkedInserter {
                    thread: T,
                    current: 0,
                    max: 1,
                },
                depth: 1,
            },
        ),
        (
            Rule::Activate,
            Event::Held {
                port: P,
                current: 2,
                max: 1,
                queued: 1,
                waiting: 1,
            },
        ),
        (
            Rule::Block,
            Event::Blocked {
                thread: T,
                port: Some(P),
                on: label,
                current: 0,
            },
        ),
        (
            Rule::Block,
            Event::Blocked {
                thread: T,
                port: None,
                on: None,
                current: 0,
            },
        ),
        (
            Rule::Unblock,
            Event::Unblocked {
                thread: T,
                port: Some(P),
                current: 2,
                max: 1,
            },
        ),
        (
            Rule::Unblock,
            Event::Unblocked {
                thread: T,
                port: None,
                current: 0,
                max: 0,
            },
        ),
        (
            Rule::Timeout,
            Event::TimedOut {
                thread: T,
                port: P,
                current: 2,
                max: 1,
            },
        ),
        (
            Rule::Exit,
            Event::Exited {
                thread: T,
                port: Some(P),
                current: 0,
            },
        ),
        (
            Rule::Exit,
            Event::Exited {
                thread: T,
                port: None,
                current: 0,
            },
        ),
        (
            Rule::Associate,
            Event::Associated {
                device: D,
                port: P,
                key: 1,
            },
        ),
        (
            Rule::Issue,
            Event::Issued {
                device: D,
                overlapped: ov,
                inline: true,
            },
        ),
        (
            Rule::Issue,
            Event::Issued {
                device: D,
                overlapped: ov,
                inline: false,
            },
        ),
        (
            Rule::Complete,
            Event::Completed {
                device: D,
                overlapped: ov,
            },
        ),
        (
            Rule::Complete,
            Event::NoPacket {
                device: D,
                overlapped: ov,
                why: NoPacketWhy::NotAssociated,
            },
        ),
        (
            Rule::Issue,
            Event::NoPacket {
                device: D,
                overlapped: ov,
                why: NoPacketWhy::SkipOnSuccess,
            },
        ),
        (
            Rule::Complete,
            Event::NoPacket {
                device: D,
                overlapped: ov,
                why: NoPacketWhy::PortClosed,
            },
        ),
        (
            Rule::CloseDevice,
            Event::Aborted {
                device: D,
                overlapped: ov,
            },
        ),
        (
            Rule::CloseDevice,
            Event::DeviceClosed {
                device: D,
                aborted: 1,
                packets: 1,
            },
        ),
        (Rule::ClosePort, Event::Abandoned { thread: T, port: P }),
        (Rule::ClosePort, Event::Stranded { thread: T, port: P }),
        (Rule::Complete, Event::StrandedWoken { thread: T, port: P }),
        (Rule::ClosePort, Event::Unassociated { thread: T, port: P }),
        (
            Rule::ClosePort,
            Event::Discarded {
                port: P,
                packet: pk(),
            },
        ),
        (Rule::ClosePort, Event::PortClosed { port: P }),
        (
            Rule::Insert,
            Event::Failed {
                why: FailWhy::PortClosed(P),
            },
        ),
        (
            Rule::Issue,
            Event::Failed {
                why: FailWhy::DeviceClosed(D),
            },
        ),
        (
            Rule::Associate,
            Event::Failed {
                why: FailWhy::AlreadyAssociated(D, P),
            },
        ),
    ];
    for lifo in [true, false] {
        v.push((
            Rule::Get,
            Event::Waits {
                thread: T,
                port: P,
                why: NoTakeWhy::IocqEmpty,
                depth: 1,
                lifo,
            },
        ));
        v.push((
            Rule::Get,
            Event::Waits {
                thread: T,
                port: P,
                why: at,
                depth: 2,
                lifo,
            },
        ));
        v.push((
            Rule::Insert,
            Event::HandedOff {
                thread: T,
                port: P,
                packet: pk(),
                extra: 1,
                current: 1,
                max: 1,
                lifo,
                gated: lifo,
            },
        ));
        v.push((
            Rule::Activate,
            Event::Woke {
                thread: T,
                port: P,
                extra: 0,
                current: 1,
                max: 1,
                lifo,
            },
        ));
    }
    // Wine 10: the most recent waiter, with no gate.
    v.push((
        Rule::Insert,
        Event::HandedOff {
            thread: T,
            port: P,
            packet: pk(),
            extra: 0,
            current: 1,
            max: 1,
            lifo: true,
            gated: false,
        },
    ));
    v.into_iter()
        .map(|(rule, event)| Fired { rule, event })
        .collect()
}

/// The flavour a sample event can fire in: the Wine events in Wine 8 (or
/// Wine 10 for a LIFO hand-off without a gate), every other in Windows.
fn flavor_of(f: &Fired) -> Flavor {
    match f.event {
        Event::HandedOff {
            gated: false,
            lifo: true,
            ..
        } => Flavor::Wine10,
        Event::HandedOff { gated: false, .. }
        | Event::Took { gated: false, .. }
        | Event::Waits { lifo: false, .. }
        | Event::Stranded { .. }
        | Event::StrandedWoken { .. } => Flavor::Wine,
        _ => Flavor::Windows,
    }
}

fn has_hangul(s: &str) -> bool {
    s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

#[test]
fn the_samples_cover_every_event_variant_and_reason() {
    let got: BTreeSet<String> = sample_events().iter().map(|f| kind(&f.event)).collect();
    let want: BTreeSet<String> = EVENT_KINDS.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, want, "the samples must cover every event kind exactly");
}

#[test]
fn every_event_has_english_and_korean_text_that_differ() {
    let n = names();
    for f in sample_events() {
        let en = narrate::fired(&f, &n, flavor_of(&f), Lang::En);
        let ko = narrate::fired(&f, &n, flavor_of(&f), Lang::Ko);
        let k = kind(&f.event);
        assert!(!en.trim().is_empty(), "{k}: English text is empty");
        assert!(!ko.trim().is_empty(), "{k}: Korean text is empty");
        assert_ne!(en, ko, "{k}: Korean text is the English text");
        assert!(has_hangul(&ko), "{k}: Korean text has no Hangul: {ko}");
        assert!(!has_hangul(&en), "{k}: English text has Hangul: {en}");
        // Both name the thread/port/device the event is about.
        for who in ["T1", "P", "sockA"] {
            if en.contains(who) {
                assert!(ko.contains(who), "{k}: Korean text lost {who}: {ko}");
            }
        }
    }
}

#[test]
fn each_language_tells_each_event_kind_in_its_own_sentence() {
    let n = names();
    for lang in Lang::ALL {
        let mut by_text: std::collections::BTreeMap<String, String> = Default::default();
        for f in sample_events() {
            let k = kind(&f.event);
            let text = narrate::fired(&f, &n, flavor_of(&f), lang);
            if let Some(other) = by_text.insert(text.clone(), k.clone()) {
                assert_eq!(other, k, "{lang:?}: two event kinds read the same: {text}");
            }
        }
    }
}

#[test]
fn korean_names_the_structures_in_the_class_terms() {
    let n = names();
    let all: String = sample_events()
        .iter()
        .map(|f| narrate::fired(f, &n, flavor_of(f), Lang::Ko))
        .collect();
    for term in [
        "디바이스 리스트",
        "입출력 완료 큐(IOCQ)",
        "대기 스레드 큐(WTQ)",
        "릴리스 스레드 리스트(RTL)",
        "일시 정지 스레드 리스트(PTL)",
    ] {
        assert!(all.contains(term), "no Korean sentence uses {term}");
    }
}

#[test]
fn every_rejection_has_english_and_korean_text_that_differ() {
    let n = names();
    let ov = iocp_sim::model::OvId(0);
    let kinds = [
        RejectKind::UnknownThread(ThreadId(9)),
        RejectKind::UnknownPort(PortId(9)),
        RejectKind::UnknownDevice(DeviceId(9)),
        RejectKind::ThreadWaiting { thread: T, port: P },
        RejectKind::ThreadPaused {
            thread: T,
            port: Some(P),
            on: Some(iocp_sim::model::LabelId(0)),
        },
        RejectKind::ThreadExited { thread: T },
        RejectKind::NotPaused { thread: T },
        RejectKind::NotWaiting { thread: T },
        RejectKind::InfiniteWait { thread: T, port: P },
        RejectKind::OverlappedInUse {
            overlapped: ov,
            pending_on: Some(D),
        },
        RejectKind::NotPending { overlapped: ov },
        RejectKind::ZeroBatch { thread: T },
    ];
    let covered: BTreeSet<&str> = kinds.iter().map(crate::util::reject_kind_name).collect();
    assert_eq!(covered.len(), 12, "every rejection kind has a sample");
    for kind in kinds {
        let r = Rejection {
            rule: Rule::Get,
            kind,
        };
        let en = narrate::rejection(&r, &n, Lang::En);
        let ko = narrate::rejection(&r, &n, Lang::Ko);
        let k = crate::util::reject_kind_name(&kind);
        assert!(!en.trim().is_empty() && !ko.trim().is_empty(), "{k}: empty");
        assert_ne!(en, ko, "{k}");
        assert!(has_hangul(&ko), "{k}: {ko}");
    }
}

#[test]
fn every_rule_label_and_action_exists_in_both_languages() {
    let n = names();
    for rule in Rule::ALL {
        let en = narrate::rule_label(rule, Lang::En);
        let ko = narrate::rule_label(rule, Lang::Ko);
        assert!(!en.is_empty() && !ko.is_empty(), "{rule:?}");
        assert_ne!(en, ko, "{rule:?}");
        assert!(
            ko.contains(rule.name()),
            "{rule:?}: {ko} should name the rule"
        );
    }
    let ov = iocp_sim::model::OvId(0);
    let actions = [
        Action::Associate {
            device: D,
            port: P,
            key: 1,
        },
        Action::Issue {
            device: D,
            overlapped: ov,
            inline: None,
            by: None,
        },
        Action::Issue {
            device: D,
            overlapped: ov,
            inline: Some(5),
            by: Some(T),
        },
        Action::Complete {
            overlapped: ov,
            bytes: 1,
            status: StatusId::SUCCESS,
        },
        Action::Post {
            port: P,
            key: 1,
            bytes: 0,
            overlapped: None,
            by: None,
        },
        Action::Post {
            port: P,
            key: 1,
            bytes: 0,
            overlapped: None,
            by: Some(T),
        },
        Action::Get {
            thread: T,
            port: P,
            timeout: Timeout::Infinite,
        },
        Action::GetEx {
            thread: T,
            port: P,
            max: 2,
            timeout: Timeout::Ms(0),
        },
        Action::Block {
            thread: T,
            on: None,
        },
        Action::Unblock { thread: T },
        Action::Timeout { thread: T },
        Action::Exit { thread: T },
        Action::CloseDevice { device: D },
        Action::ClosePort { port: P },
    ];
    for a in actions {
        let en = narrate::action(&a, &n, Lang::En);
        let ko = narrate::action(&a, &n, Lang::Ko);
        assert_ne!(en, ko, "{a:?}");
        assert!(has_hangul(&ko), "{a:?}: {ko}");
    }
}

#[test]
fn lang_codes_round_trip() {
    for l in Lang::ALL {
        assert_eq!(Lang::parse(l.code()), Some(l));
    }
    assert_eq!(Lang::parse("fr"), None);
}

/// The Korean particle after a placeholder written by hand (`{x}는`,
/// `OVERLAPPED {}로`) in a line with Hangul: wrong for half of the ids
/// (`ov1는`, `ovPlain로`). Such a particle goes through
/// `narrate::particle::with`, which reads the id aloud.
fn hand_written_particles(path: &str, text: &str) -> Vec<String> {
    let hangul = |l: &str| l.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if !hangul(line) {
            continue;
        }
        for (at, _) in line.match_indices('}') {
            let rest = &line[at + 1..];
            let particle = ["은", "는", "가", "을", "를", "으로", "로", "과", "와"]
                .iter()
                .any(|p| rest.starts_with(p))
                || rest.starts_with("이 ");
            if particle {
                found.push(format!("{path}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn no_korean_sentence_writes_a_particle_after_a_placeholder_by_hand() {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.extend(hand_written_particles(&p.display().to_string(), &text));
            }
        }
    }
    let mut found = Vec::new();
    walk(&crate::util::repo("src"), &mut found);
    assert!(found.is_empty(), "{}", found.join("\n"));
    // The check finds what it is for.
    let bad = r#"format!("OVERLAPPED {}로 보낸 요청", ov); format!("{t}는 {x}이 잠듭니다")"#;
    assert_eq!(hand_written_particles("x.rs", bad).len(), 3);
    assert!(
        hand_written_particles("x.rs", r#"format!("{t} 스레드가 {n}개, {c}입니다")"#).is_empty()
    );
}

/// The particle helper on the ids the bundled lessons use: each reads
/// as a Korean reader says it.
#[test]
fn particles_follow_how_the_lessons_ids_are_read() {
    use iocp_sim::narrate::particle::{with, Particle};
    assert_eq!(with("ov1", Particle::EunNeun), "ov1은");
    assert_eq!(with("ovPlain", Particle::EuroRo), "ovPlain으로");
    assert_eq!(with("recvB", Particle::EuroRo), "recvB로");
    assert_eq!(with("send1", Particle::EuroRo), "send1으로");
    assert_eq!(with("max 3", Particle::EuroRo), "max 3으로");
    assert_eq!(
        with("GetQueuedCompletionStatus", Particle::EulReul),
        "GetQueuedCompletionStatus를"
    );
    assert_eq!(with("Wine 8", Particle::EunNeun), "Wine 8은");
}

/// The lesson API's data (moves, refusals, program lines, goals, checks,
/// near misses, queue-wait marks) has words in every language: not empty,
/// and not the English again. The samples cover every variant (the match
/// in `lesson_kind` has no wildcard, so a new variant must be added here).
#[test]
fn every_lesson_datum_has_english_and_korean_words_that_differ() {
    use iocp_sim::goal::{Cmp, Condition, Goal, Metric};
    use iocp_sim::lesson::{
        Check, Line, MarkCause, Miss, Mode, Move, MoveRule, NoMark, Quantity, Refusal,
    };
    use iocp_sim::model::{Flavor, Kernel, KernelConfig, LabelId, MarkChange, Outcome, OvId};
    let n = names();
    let k = Kernel::new(&KernelConfig {
        flavor: Flavor::Windows,
        cpus: 4,
        ports: vec![1, 1],
        threads: 2,
        devices: vec![false],
    });
    let moves = [
        Move::Run { thread: T },
        Move::Unblock { thread: T },
        Move::Timeout { thread: T },
        Move::Complete {
            overlapped: OvId(0),
        },
        Move::Post { port: P, key: 3 },
        Move::ClosePort { port: P },
        Move::CloseDevice { device: D },
        Move::Call {
            action: Action::Exit { thread: T },
        },
    ];
    // T1 runs a program: get on P.
    let program = iocp_sim::program::Program {
        port: P,
        timeout: Timeout::Infinite,
        batch: None,
        block: None,
        block_keys: None,
        post: None,
        packets: None,
        exit_on_key: None,
        exit_on_timeout: false,
    };
    let (programs, pos) = (
        vec![program.clone(), program],
        iocp_sim::program::Positions::start(2),
    );
    let action = |m: &Move| m.call(Some(&pos), Some(&programs)).expect("a call");
    let mut texts: Vec<(String, [String; 2])> = Vec::new();
    let both = |f: &dyn Fn(Lang) -> String| [f(Lang::En), f(Lang::Ko)];
    for m in &moves {
        let a = action(m);
        texts.push((
            format!("{m:?}"),
            both(&|l| narrate::lesson_move(m, &a, &k, &n, l)),
        ));
    }
    let rule = |op| MoveRule { op, thread: None };
    let refusals = [
        Refusal::Model {
            rejection: Rejection {
                rule: Rule::Unblock,
                kind: RejectKind::NotPaused { thread: T },
            },
        },
        Refusal::Forbidden {
            rule: Some(rule("poll")),
        },
        Refusal::Forbidden {
            rule: Some(MoveRule {
                op: "timeout",
                thread: Some(T),
            }),
        },
        Refusal::Forbidden { rule: None },
        Refusal::BeforeStart { start: 3 },
        Refusal::NotOffered {
            mode: Mode::Scheduler,
        },
        Refusal::NotOffered {
            mode: Mode::EveryCall,
        },
        Refusal::NoSuchStep { at: 9, last: 4 },
    ];
    for r in &refusals {
        texts.push((format!("{r:?}"), both(&|l| narrate::refusal(r, &n, l))));
    }
    let lines = [
        Line::Loop,
        Line::Get {
            port: P,
            timeout: Some(100),
            batch: Some(2),
        },
        Line::Handle,
        Line::ExitOnKey { key: 0 },
        Line::Block {
            on: LabelId(0),
            keys: Some(vec![1]),
        },
        Line::Post { port: P, key: 9 },
        Line::ExitAfter { packets: 2 },
        Line::End,
        Line::Exit,
    ];
    for line in &lines {
        let [en, ko] = both(&|l| narrate::line(line, &n, l));
        assert!(!en.is_empty() && !ko.is_empty(), "{line:?}");
        // Code lines keep their API and op names: only those with words differ.
        if matches!(
            line,
            Line::Handle | Line::ExitOnKey { .. } | Line::Block { .. } | Line::ExitAfter { .. }
        ) {
            texts.push((format!("{line:?}"), [en, ko]));
        }
    }
    let goals = [
        Goal::State(Condition::OverLimit),
        Goal::State(Condition::IdleWithWork),
        Goal::State(Condition::Held),
        Goal::State(Condition::HeldAtLimit),
        Goal::State(Condition::Lost(Cmp::Gt, 0)),
        Goal::WakeOldest,
        Goal::CleanShutdown,
        Goal::AbortedDequeued,
    ];
    for g in &goals {
        texts.push((format!("{g:?}"), both(&|l| narrate::goal(g, l))));
    }
    // A port condition names its structure in words, then the comparison.
    let formula = Goal::State(Condition::Port(Metric::Iocq, Cmp::Ge, 2));
    assert_eq!(
        narrate::goal(&formula, Lang::En),
        "packets in the IOCQ >= 2"
    );
    for q in [
        Quantity::Current,
        Quantity::Lost,
        Quantity::Alive,
        Quantity::OpenPorts,
        Quantity::QueuedAborted,
        Quantity::Waiters,
    ] {
        let c = Check {
            port: None,
            quantity: q,
            value: 1,
            cmp: Cmp::Eq,
            target: 0,
            target_is_max: false,
            holds: false,
        };
        texts.push((format!("{q:?}"), both(&|l| narrate::check(&c, &n, l))));
    }
    let misses = [
        Miss::HandedOff {
            thread: ThreadId(1),
            port: P,
            by: Some(T),
            no_mark: Some(NoMark::NoSuchRule),
        },
        Miss::HandedOff {
            thread: ThreadId(1),
            port: P,
            by: Some(T),
            no_mark: Some(NoMark::Never),
        },
        Miss::HandedOff {
            thread: ThreadId(1),
            port: P,
            by: Some(T),
            no_mark: Some(NoMark::Since {
                step: 2,
                cause: MarkCause::Blocked,
            }),
        },
        Miss::NotOldest {
            woken: ThreadId(1),
            oldest: T,
            port: P,
        },
        Miss::Slept {
            thread: T,
            port: P,
            why: NoTakeWhy::IocqEmpty,
        },
        Miss::Discarded { port: P, count: 2 },
        Miss::Stranded { thread: T, port: Q },
    ];
    for m in &misses {
        texts.push((format!("{m:?}"), both(&|l| narrate::miss(m, &n, l))));
    }
    let out = Outcome::default();
    for set in [true, false] {
        let m = MarkChange { thread: T, set };
        texts.push((
            format!("mark {set}"),
            both(&|l| narrate::mark(&m, &out, &n, l)),
        ));
    }
    for (what, [en, ko]) in &texts {
        assert!(!en.trim().is_empty(), "{what}: no English");
        assert!(has_hangul(ko), "{what}: no Korean in {ko:?}");
        assert_ne!(en, ko, "{what}");
    }
}
