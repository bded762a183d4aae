//! Korean narration (한국어 해설), written for students in the words of
//! `docs/glossary.md`, which ties each to the lecture notes' term:
//! 디바이스 리스트, 입출력 완료 큐 (IOCQ), 대기 스레드 큐 (WTQ), 릴리스 스레드
//! 리스트 (RTL), 일시 정지 스레드 리스트 (PTL), 최대 스레드 수.
//!
//! A scenario's name is usually followed by a fixed noun that carries the
//! particle ("T1 스레드가", "P 포트의", "sockA 디바이스를"); where a particle
//! follows a name or a number directly, [`super::particle::with`] picks its
//! form from how the word is read aloud ("OVERLAPPED ovPlain으로").

use super::facts::Facts;
use super::particle::{with, Particle};
use super::words::{GoalWords, LessonWords, PageWords, WhatIfWords, Words};
use crate::goal::{Condition, Goal};
use crate::model::{
    Action, Event, FailWhy, Fired, Flavor, Kernel, MarkChange, Names, NoPacketWhy, NoTakeWhy,
    Outcome, Packet, QueueWhy, RejectKind, Rejection, Rule, ThreadState,
};
use crate::moves::{
    mark_cause, Check, Line, MarkCause, Miss, Mode, Move, NoMark, Quantity, Refusal,
};

/// The Korean words of every view, in the terms of the glossary.
pub const WORDS: Words = Words {
    device_list: "디바이스 리스트",
    iocq: ("IOCQ", "입출력 완료 큐"),
    wtq: ("WTQ", "대기 스레드 큐"),
    rtl: ("RTL", "릴리스 스레드 리스트"),
    ptl: ("PTL", "일시 정지 스레드 리스트"),
    next: "다음",
    head: "맨 앞",
    over_limit: "최대 초과",
    empty: "(비어 있음)",
    step: "단계",
    before: "1단계 전",
    check_only: "(동작 없음: 확인만)",
    note: "메모",
    result: "결과",
    rejected: "거부됨",
    mismatch: "기대와 다름",
    differs: ("", " 기준으로 쓴 기대와 다름"),
    narration: "무슨 일이 왜 일어났나",
    threads: "스레드",
    closed: "닫힘",
    not_associated: "연결 안 됨",
    port: "포트",
    key: "키",
    pending: "진행 중",
    success: "성공",
    flavor: "방식",
    states: ["소속 없음", "실행 중", "대기", "일시 정지", "종료"],
    stopped: "실행이 여기서 멈췄습니다",
    help: "←/→ 단계  숫자 이동  f 방식  Tab 포트  j/k 글  a 만약에  x 목표  s 저장  q 끝",
    goto: "이동할 단계",
    legend: "범례",
    more: "더 보기: PgDn",
    delivered: "패킷 전달 (완료 키)",
    mark: (
        "표시",
        "잠들지 않음 표시: 마지막 get이 잠들지 않고 돌아왔으므로, 이 스레드가 자기 포트에 게시하는 패킷은 대기 스레드에게 바로 전달되지 않고 IOCQ에 쌓입니다 (규칙 2)",
    ),
    mark_name: "잠들지 않음 표시",
    unchanged: "(아무것도 바뀌지 않음)",
    expected: "기대",
    actual: "실제",
    failed: "실패",
    port_title: "포트",
    stranded: "닫힘; 대기 스레드 큐에 아직 잠든 스레드",
    concurrency: "최대 스레드 수",
    header: ("방식", "CPU", "포트", "스레드"),
    cpus: "CPU",
    summary: "요약",
    peak: ("가장 컸던 RTL", "최대 스레드 수", "최대 스레드 수를 넘었음"),
    counters: (
        "단계",
        "전달된 패킷",
        "잃은 패킷",
        "최대 스레드 수를 넘은 채 끝난 단계",
    ),
};

/// The Korean words of the terminal player's what-if.
pub const WHATIF: WhatIfWords = WhatIfWords {
    actions: " 만약에... (지금 모델이 허용하는 동작, 회색: 거부됨과 그 이유) ",
    goals: " 탐색기에게 묻기: 여기서 가장 짧은 길로... ",
    keys: " ↑/↓ 선택  Enter 고르기  Esc 닫기 ",
    goal: GoalWords {
        solve: (
            "목표: ",
            "동작 예산: ",
            "방식: ",
            "탐색기의 가장 짧은 답: ",
            "파일에 적힌 답: ",
        ),
    },
    refused: "거부됨",
    chosen: "만약에: 학생이 직접 고른 동작입니다.",
    already: "여기서 이미 목표가 이루어져 있습니다",
    found: (
        "탐색기가 찾은 가장 짧은 길: 동작 ",
        "개, 이제 한 단계씩 보세요",
    ),
    not_within: ("동작 ", "개 안에는 길이 없습니다 (상태 ", "개 탐색)"),
    too_many: (
        "상태 ",
        "개까지 찾아보았지만 답을 찾지 못했습니다: 가장 짧은 답은 알 수 없습니다",
    ),
    saved: (
        "갈래를 저장했습니다: ",
        " (iocp-sim check로 확인할 수 있습니다)",
    ),
    save_failed: "갈래를 저장할 수 없습니다",
    solved: ("성공: 동작 ", "개, 탐색기의 가장 짧은 답: "),
    none: "없음",
    over_budget: " (예산 초과: 더 적은 동작으로 다시 해 보세요)",
    used_up: "동작을 다 썼습니다: 뒤로(←) 가서 다시 갈라 보거나 ?로 힌트를 보세요",
    before_start: "도전 과제는 더 뒤의 단계에서 시작합니다",
    hint: "힌트",
};

/// The Korean words of the classroom page's controls.
pub const PAGE: PageWords = PageWords {
    switch_lang: "English",
    index: "목차",
    lessons: "강의",
    challenges: "도전 과제",
    modes: ["스케줄러: 스레드를 실행", "모든 호출"],
    download: "이 갈래를 시나리오 파일로 내려받기",
    explorer: "탐색기에게 묻기",
    reset: "처음부터 다시",
};

/// The Korean label of a rule: `"규칙 2 (insert: 패킷 삽입)"`.
pub fn rule_label(rule: Rule) -> String {
    let what = match rule {
        Rule::Activate => return "activate (스레드 깨우기)".to_owned(),
        Rule::Get => "완료 대기",
        Rule::Insert => "패킷 삽입",
        Rule::Block => "일시 정지",
        Rule::Unblock => "일시 정지 풀림",
        Rule::Timeout => "시간 만료",
        Rule::Exit => "스레드 종료",
        Rule::GetEx => "여러 개 꺼내기",
        Rule::ClosePort => "포트 닫기",
        Rule::Associate => "디바이스 연결",
        Rule::Issue => "입출력 요청",
        Rule::Complete => "입출력 완료",
        Rule::CloseDevice => "디바이스 닫기",
    };
    let n = rule.number().unwrap_or(0);
    format!("규칙 {n} ({}: {what})", rule.name())
}

/// A packet in Korean: `키 7, 0바이트, OVERLAPPED ovA, 성공`.
pub fn packet(p: &Packet, names: &Names) -> String {
    format!(
        "키 {}, {}바이트, {}, {}",
        p.key,
        p.bytes,
        overlapped(p.overlapped.map(|o| names.overlapped(o))),
        WORDS.status(names.status(p.status))
    )
}

/// `OVERLAPPED ovA`, or `OVERLAPPED 없음`.
fn overlapped(o: Option<&str>) -> String {
    match o {
        Some(o) => format!("OVERLAPPED {o}"),
        None => "OVERLAPPED 없음".to_owned(),
    }
}

/// An action in Korean: `T1 스레드가 P 포트에서 get 호출 (타임아웃 무한)`.
pub fn action(a: &Action, n: &Names) -> String {
    let x = Facts::of_action(a, n);
    let timeout = match x.timeout {
        None => "무한".to_owned(),
        Some(ms) => format!("{ms} ms"),
    };
    let text = match *a {
        Action::Associate { .. } => format!(
            "{} 디바이스를 {} 포트와 연결 (완료 키 {})",
            x.device, x.port, x.key
        ),
        Action::Issue { inline: None, .. } => format!(
            "{} 디바이스에 OVERLAPPED {} 입출력 요청",
            x.device,
            with(x.ov(), Particle::EuroRo)
        ),
        Action::Issue { .. } => format!(
            "{} 디바이스에 OVERLAPPED {} 입출력 요청, 즉시 완료 ({}바이트)",
            x.device,
            with(x.ov(), Particle::EuroRo),
            x.bytes
        ),
        Action::Complete { .. } => format!(
            "OVERLAPPED {} 요청 완료 ({}바이트, {})",
            x.ov(),
            x.bytes,
            WORDS.status(x.status)
        ),
        Action::Post { .. } => format!(
            "{} 포트에 패킷 게시 (키 {}, {}바이트, {})",
            x.port,
            x.key,
            x.bytes,
            overlapped(x.overlapped)
        ),
        Action::Get { .. } => format!(
            "{} 스레드가 {} 포트에서 get 호출 (타임아웃 {timeout})",
            x.thread, x.port
        ),
        Action::GetEx { .. } => format!(
            "{} 스레드가 {} 포트에서 get_ex 호출 (최대 {}개, 타임아웃 {timeout})",
            x.thread, x.port, x.max
        ),
        Action::Block { .. } => match x.on {
            Some(l) => format!("{} 스레드가 {l}에서 일시 정지", x.thread),
            None => format!("{} 스레드가 일시 정지", x.thread),
        },
        Action::Unblock { .. } => format!("{} 스레드의 일시 정지가 풀림", x.thread),
        Action::Timeout { .. } => format!("{} 스레드의 get 시간 만료", x.thread),
        Action::Exit { .. } => format!("{} 스레드 종료", x.thread),
        Action::CloseDevice { .. } => format!("{} 디바이스 닫기", x.device),
        Action::ClosePort { .. } => format!("{} 포트 닫기", x.port),
    };
    match x.by {
        Some(t) => format!("{text} ({t} 스레드가 호출)"),
        None => text,
    }
}

/// The Korean explanation of a rejected action.
pub fn rejection(r: &Rejection, n: &Names) -> String {
    let x = Facts::of_rejection(&r.kind, n);
    let (t, p, d, id) = (x.thread, x.port, x.device, x.unknown);
    let why = match r.kind {
        RejectKind::UnknownThread(_) => format!("{id}번 스레드는 없습니다"),
        RejectKind::UnknownPort(_) => format!("{id}번 포트는 없습니다"),
        RejectKind::UnknownDevice(_) => format!("{id}번 디바이스는 없습니다"),
        RejectKind::ThreadWaiting { .. } => format!(
            "{t} 스레드는 {p} 포트의 대기 스레드 큐(WTQ)에서 기다리는 중입니다. 기다리는 스레드는 패킷, 시간 만료, 포트 닫힘 중 하나로 깨어나기 전까지 아무것도 호출할 수 없습니다"
        ),
        RejectKind::ThreadPaused { port, .. } => {
            let on = x.on.map(|l| format!(" {l}에서")).unwrap_or_default();
            let list = port
                .map(|_| format!(" ({p} 포트의 PTL)"))
                .unwrap_or_default();
            format!(
                "{t} 스레드는{on} 일시 정지해 있습니다{list}. 일시 정지한 스레드는 일시 정지가 풀리기 전까지 아무것도 호출할 수 없습니다"
            )
        }
        RejectKind::ThreadExited { .. } => {
            format!("{t} 스레드는 이미 종료되어 아무것도 할 수 없습니다")
        }
        RejectKind::NotPaused { .. } => {
            format!("{t} 스레드는 일시 정지해 있지 않으므로 일시 정지를 풀 수 없습니다")
        }
        RejectKind::NotWaiting { .. } => format!(
            "{t} 스레드는 대기 스레드 큐(WTQ)에서 기다리고 있지 않으므로 get의 시간이 만료될 수 없습니다"
        ),
        RejectKind::InfiniteWait { .. } => format!(
            "{t} 스레드는 {p} 포트의 WTQ에서 INFINITE 타임아웃으로 기다리므로 시간이 만료되지 않습니다"
        ),
        RejectKind::OverlappedInUse { pending_on, .. } => {
            let still = match pending_on {
                Some(_) => format!("{d} 디바이스에 대한 요청이 아직 완료되지 않았습니다"),
                None => "완료 패킷을 아직 아무 스레드도 꺼내 가지 않았습니다".to_owned(),
            };
            format!(
                "OVERLAPPED {} 아직 사용 중입니다: {still}. Windows는 이런 호출을 받아들이고, 두 요청이 OVERLAPPED 하나를 함께 쓰게 되어 첫 요청의 결과가 망가집니다. 시뮬레이터는 이 실수를 보여 주려고 거부합니다. 진행 중인 요청마다 OVERLAPPED를 따로 두세요",
                with(x.ov(), Particle::EunNeun)
            )
        }
        RejectKind::NotPending { .. } => format!(
            "OVERLAPPED {}에는 완료할 진행 중인 요청이 없습니다",
            x.ov()
        ),
        RejectKind::ZeroBatch { .. } => format!(
            "{t} 스레드가 항목 0개 크기로 get_ex를 호출했습니다. 최대 개수는 1 이상이어야 합니다"
        ),
    };
    format!("{} 위반으로 거부됩니다: {why}.", rule_label(r.rule))
}

/// `prefix n` followed by particle `p` in the form the number's reading
/// asks for (`max 3으로`, `max 1로`).
fn number(prefix: &str, n: u32, p: Particle) -> String {
    with(&format!("{prefix} {n}"), p)
}

/// One Korean sentence (or two) for one fired rule, in a kernel of
/// `flavor`. Every clause that depends on the situation is chosen from the
/// event's facts, as in [`super::en::fired`].
pub fn fired(f: &Fired, n: &Names, flavor: Flavor) -> String {
    let x = Facts::of_fired(f, n, flavor);
    let (t, p, d, system) = (x.thread, x.port, x.device, x.flavor);
    let call = with(x.call, Particle::EulReul);
    let sys = with(system, Particle::EunNeun);
    let (current, before, max) = (x.current, x.before, x.max);
    let pk = || x.packet.map(|pk| packet(&pk, n)).unwrap_or_default();
    let over = if x.over {
        ", 최대 스레드 수 초과"
    } else {
        ""
    };
    let closed = |what| {
        format!("{what} 닫혀 있습니다. 호출은 ERROR_INVALID_HANDLE로 실패하고 아무것도 바뀌지 않습니다.")
    };
    match f.event {
        Event::Returned { .. } => {
            if x.had_packet {
                format!(
                    "{t} 스레드가 {p} 포트에서 {call} 다시 호출합니다. 앞의 패킷 처리를 끝냈다는 뜻이므로 포트는 이 스레드를 더 이상 실행 중으로 세지 않습니다 (이제 current {current})."
                )
            } else {
                format!(
                    "{t} 스레드가 {p} 포트에서 {call} 다시 호출합니다. 앞의 호출은 패킷 없이 WAIT_TIMEOUT으로 돌아왔지만 그 뒤로 실행 중으로 세어졌습니다. 이제 포트는 이 스레드를 세지 않습니다 (current {current})."
                )
            }
        }
        Event::LeftPort { .. } => format!(
            "{t} 스레드가 다른 포트에서 {call} 호출하므로 {p} 포트를 떠납니다. {p} 포트의 current가 줄어 이제 {current}입니다."
        ),
        Event::Joined { .. } => format!(
            "{t} 스레드가 {p} 포트에서 {call} 호출하여 이 포트에 속하게 됩니다."
        ),
        Event::Took { count, .. } => {
            let because = if x.gated {
                format!("current {before} < max {max}이므로 가져갈 수 있습니다.")
            } else {
                format!("{sys} 최대 스레드 수를 검사하지 않으므로 current와 상관없이 가져갑니다 (max {max}).")
            };
            format!(
                "{t} 스레드가 {p} 포트의 입출력 완료 큐(IOCQ)에 쌓인 패킷 {count}개를 곧바로 가져갑니다. {because} 이 스레드는 실행 중으로 세어집니다 (current {current})."
            )
        }
        Event::Waits { why, depth, .. } => {
            let place = if x.lifo {
                format!("대기 스레드 큐(WTQ)의 맨 위에 들어갑니다 (대기 {depth}개). 가장 최근에 기다리기 시작한 스레드가 가장 먼저 깨어나므로(LIFO) 다음에 깨어날 스레드입니다")
            } else {
                format!("대기 스레드 큐(WTQ)의 맨 뒤에 들어갑니다 (대기 {depth}개). {sys} 가장 오래 기다린 스레드부터 깨웁니다(FIFO)")
            };
            match why {
                NoTakeWhy::IocqEmpty => format!(
                    "{p} 포트의 입출력 완료 큐(IOCQ)가 비어 있으므로 {t} 스레드는 잠들어 {place}."
                ),
                NoTakeWhy::AtLimit { .. } => {
                    let state = if x.over {
                        "아직 최대 스레드 수를 넘어 있습니다"
                    } else {
                        "가득 찼습니다"
                    };
                    let correction = if x.at_call > max {
                        format!(
                            " 이 호출 전에 포트는 최대 스레드 수를 넘어 있었습니다(current {} > max {max}). 최대 스레드 수를 넘은 포트는 이렇게, 충분한 스레드가 get을 다시 호출할 때까지 새 일을 주지 않는 방식으로 스스로 바로잡힙니다.",
                            x.at_call
                        )
                    } else {
                        String::new()
                    };
                    format!(
                        "{p} 포트에 패킷이 {}개 쌓여 있지만 current {current} >= {} 포트가 {state}. 그래서 {t} 스레드는 일감이 있는데도 기다려야 하며, {place}.{correction}",
                        x.queued,
                        number("max", max, Particle::EuroRo)
                    )
                }
            }
        }
        Event::PollFailed { why, .. } => {
            let reason = match why {
                NoTakeWhy::IocqEmpty => {
                    format!("{p} 포트의 입출력 완료 큐(IOCQ)가 비어 있으므로")
                }
                NoTakeWhy::AtLimit {
                    current: c, max: m, ..
                } => format!(
                    "패킷이 {}개 쌓여 있지만 포트가 최대 스레드 수{} 있으므로",
                    x.queued,
                    if c > m { "를 넘어" } else { "에 도달해" }
                ),
            };
            format!(
                "{t} 스레드가 타임아웃 0으로 폴링합니다. {reason} 호출은 곧바로 WAIT_TIMEOUT으로 실패합니다. 이 스레드는 계속 실행되며 실행 중으로 세어집니다 (current {current}/{max}{over})."
            )
        }
        Event::HandedOff { extra, .. } => {
            let gate = if x.gated {
                format!("current {before} < max {max}이고")
            } else if x.lifo {
                format!("{sys} 최대 스레드 수를 검사하지 않지만 Windows처럼 get을 가장 최근에 호출한 스레드부터 깨웁니다.")
            } else {
                format!("{sys} 최대 스레드 수를 검사하지 않고,")
            };
            let extra = if extra > 0 {
                format!(" 쌓여 있던 패킷 {extra}개도 함께 가져갑니다.")
            } else {
                String::new()
            };
            format!(
                "패킷({})이 {p} 포트에 도착합니다. {gate} {t} 스레드가 {} 대기 스레드이므로 패킷을 바로 전달받습니다. 패킷은 입출력 완료 큐(IOCQ)를 거치지 않습니다. 이 스레드가 실행됩니다 (current {current}).{extra}",
                pk(),
                if x.lifo { "가장 최근의" } else { "가장 오래된" }
            )
        }
        Event::Queued { why, depth, .. } => match why {
            QueueWhy::NoWaiter => format!(
                "패킷({})이 {p} 포트에 도착합니다. 기다리는 스레드가 없으므로 입출력 완료 큐(IOCQ)의 끝에 붙습니다 (쌓인 패킷 {depth}개).",
                pk()
            ),
            QueueWhy::AtLimit { .. } => format!(
                "패킷({})이 {p} 포트에 도착합니다. 기다리는 스레드는 있지만 current {current} >= max {max}이므로 아무도 깨울 수 없습니다. 패킷은 입출력 완료 큐(IOCQ)의 끝에 붙습니다 (쌓인 패킷 {depth}개).",
                pk()
            ),
            QueueWhy::MarkedInserter { .. } => format!(
                "패킷({})이 {p} 포트에 도착합니다. 기다리는 스레드가 있고 current {current} < max {max}이지만, 패킷을 넣은 {t} 스레드는 이 포트의 스레드이고 아직 잠들지 않음 표시를 달고 있습니다 (마지막 get이 잠들지 않고 돌아왔습니다). 규칙 2는 이런 스레드가 넣은 패킷으로는 대기 스레드를 깨우지 않으므로, 대기 스레드가 잠든 채로 패킷이 입출력 완료 큐(IOCQ)의 끝에 붙습니다 (쌓인 패킷 {depth}개). 이 규칙은 NT의 소스에서 읽은 것입니다(KiInsertQueue: Windows Research Kernel queueobj.c, ReactOS ntoskrnl/ke/queue.c). Wine에는 없고, Windows에서는 아직 측정하지 않았습니다.",
                pk()
            ),
        },
        Event::Woke { extra, .. } => format!(
            "{p} 포트가 {t} 스레드를 깨웁니다. current {before} < max {max}이고, 쌓인 패킷이 있으며, 이 스레드가 {} 기다리기 시작한 스레드이기 때문입니다. 스레드는 맨 앞의 패킷을 가져갑니다{} (current {current}).",
            if x.lifo { "가장 최근에" } else { "가장 먼저" },
            if extra > 0 {
                format!(". 쌓여 있던 패킷 {extra}개도 함께 가져갑니다")
            } else {
                String::new()
            }
        ),
        Event::Held { queued, waiting, .. } => format!(
            "{p} 포트에는 쌓인 패킷 {queued}개와 기다리는 스레드 {waiting}개가 있지만, current {current} >= max {max}이므로 아무도 깨우지 않습니다."
        ),
        Event::Blocked { port, .. } => {
            let on = x.on.map(|l| format!(" {l}에서")).unwrap_or_default();
            match port {
                Some(_) => format!(
                    "{t} 스레드가{on} 일시 정지합니다. {p} 포트의 릴리스 스레드 리스트(RTL)에서 일시 정지 스레드 리스트(PTL)로 옮겨지고 더 이상 실행 중으로 세지 않습니다 (current {current})."
                ),
                None => format!(
                    "{t} 스레드가{on} 일시 정지합니다. 어느 포트에도 속하지 않으므로 어떤 수도 바뀌지 않습니다."
                ),
            }
        }
        Event::Unblocked { port, .. } => match port {
            Some(_) => format!(
                "{t} 스레드의 일시 정지가 풀립니다. {p} 포트의 일시 정지 스레드 리스트(PTL)에서 릴리스 스레드 리스트(RTL)로 돌아가 다시 실행 중으로 세어지며, 이때 최대 스레드 수는 검사하지 않습니다 (current {current}/{max}).{}",
                if x.over {
                    " 이제 RTL이 최대 스레드 수를 넘었습니다. 그렇다고 커널이 실행 중인 스레드를 선점하지는 않습니다."
                } else {
                    ""
                }
            ),
            None => format!(
                "{t} 스레드의 일시 정지가 풀려 다시 실행됩니다. 속한 포트는 없습니다."
            ),
        },
        Event::TimedOut { .. } => format!(
            "{p} 포트에서 기다리던 {t} 스레드의 대기 시간이 만료됩니다. 대기 스레드 큐(WTQ)를 떠나고 호출은 WAIT_TIMEOUT으로 실패하며, 최대 스레드 수 검사 없이 실행 중으로 세어집니다 (current {current}/{max}{over})."
        ),
        Event::Exited { port, .. } => match port {
            Some(_) => format!(
                "{t} 스레드가 종료됩니다. {p} 포트의 릴리스 스레드 리스트(RTL)에서 빠집니다 (current {current})."
            ),
            None => format!("{t} 스레드가 종료됩니다."),
        },
        Event::Associated { key, .. } => format!(
            "{d} 디바이스가 {} {p} 포트와 연결됩니다. 디바이스 리스트에 새 항목이 생기고, 이제 이 디바이스의 요청이 완료되면 이 포트로 가는 패킷이 만들어집니다.",
            with(&format!("완료 키 {key}"), Particle::EuroRo)
        ),
        Event::Issued { inline, .. } => {
            if inline {
                format!(
                    "{d} 디바이스에 OVERLAPPED {} 보낸 요청이 그 자리에서 성공으로 끝납니다.",
                    with(x.ov(), Particle::EuroRo)
                )
            } else {
                format!(
                    "{d} 디바이스에 OVERLAPPED {} 보낸 요청이 진행 중입니다(ERROR_IO_PENDING). 요청한 스레드는 기다리지 않고 다른 일을 계속합니다.",
                    with(x.ov(), Particle::EuroRo)
                )
            }
        }
        Event::Completed { .. } => format!(
            "드라이버가 {d} 디바이스의 OVERLAPPED {} 요청을 완료합니다. 요청은 보낸 순서와 상관없이 완료됩니다.",
            x.ov()
        ),
        Event::NoPacket { why, .. } => match why {
            NoPacketWhy::NotAssociated => format!(
                "{d} 디바이스는 디바이스 리스트에 없으므로 OVERLAPPED {}의 완료 패킷은 만들어지지 않습니다 (대신 OVERLAPPED의 이벤트가 신호 상태가 됩니다).",
                x.ov()
            ),
            NoPacketWhy::SkipOnSuccess => format!(
                "{d} 디바이스는 성공하면 포트를 건너뛰도록(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) 설정되어 있어, 곧바로 성공한 요청은 패킷을 만들지 않습니다. 결과는 호출한 쪽이 직접 처리합니다."
            ),
            NoPacketWhy::PortClosed => format!(
                "{d} 디바이스의 포트가 닫혀 있으므로 OVERLAPPED {}의 완료는 패킷이 되지 못하고 사라집니다. 잃어버린 패킷입니다.",
                x.ov()
            ),
        },
        Event::Aborted { .. } => format!(
            "{d} 디바이스를 닫으면서 OVERLAPPED {} 진행 중이던 요청이 취소됩니다. 요청은 ERROR_OPERATION_ABORTED, 0바이트로 완료됩니다.",
            with(x.ov(), Particle::EuroRo)
        ),
        Event::DeviceClosed { .. } => {
            let then = if x.aborted == 0 {
                "진행 중인 요청이 없었으므로 취소된 것은 없습니다.".to_owned()
            } else if x.packets == 0 {
                format!(
                    "취소된 요청 {}개는 패킷을 만들지 않았으므로(위 참고) 어느 스레드도 받지 않습니다.",
                    x.aborted
                )
            } else {
                format!(
                    "취소된 요청 {}개의 패킷은 그래도 포트의 스레드에게 갑니다. 지금 소켓별 데이터를 해제하는 서버는, GetQueuedCompletionStatus가 이 패킷을 돌려주고 작업자 스레드가 그 데이터를 쓰는 순간 죽습니다.",
                    x.packets
                )
            };
            format!("{d} 디바이스가 닫히고 디바이스 리스트의 항목이 지워집니다. {then}")
        }
        Event::Abandoned { .. } => format!(
            "{p} 포트에서 기다리던 {t} 스레드의 호출이 ERROR_ABANDONED_WAIT_0으로 실패하고, 스레드는 어느 포트에도 속하지 않은 상태(소속 없음)로 돌아갑니다."
        ),
        Event::Stranded { .. } => format!(
            "{system}에서는 포트를 닫아도 대기 스레드 큐의 스레드를 깨우지 않습니다. {t} 스레드는 닫힌 {p} 포트에서 계속 잠들어 있습니다."
        ),
        Event::StrandedWoken { .. } => format!(
            "닫힌 {p} 포트로 가야 할 완료가 도착해 잠들어 있던 {t} 스레드를 깨웁니다. 호출은 ERROR_INVALID_HANDLE로 실패하고 패킷은 사라집니다({system}의 동작)."
        ),
        Event::Unassociated { .. } => format!(
            "{t} 스레드는 더 이상 {p} 포트에 속하지 않습니다."
        ),
        Event::Discarded { .. } => format!(
            "{p} 포트의 입출력 완료 큐(IOCQ)에 남아 있던 패킷({})이 버려집니다. 잃어버린 패킷입니다.",
            pk()
        ),
        Event::PortClosed { .. } => format!(
            "{p} 포트의 마지막 핸들이 닫힙니다. 이후 이 포트를 쓰는 호출은 모두 ERROR_INVALID_HANDLE로 실패합니다."
        ),
        Event::Failed { why } => match why {
            FailWhy::PortClosed(_) => closed(format!("{p} 포트는")),
            FailWhy::DeviceClosed(_) => closed(format!("{d} 디바이스는")),
            FailWhy::AlreadyAssociated(..) => format!(
                "{d} 디바이스는 이미 {p} 포트와 연결되어 있습니다. 디바이스는 한 번만 연결할 수 있으므로 호출은 ERROR_INVALID_PARAMETER로 실패합니다."
            ),
        },
    }
}

// ---- The lesson API's data in words (moves, refusals, program lines,
// goals and their checks, near misses, the queue-wait mark). ----------

/// A move offered in a lesson (in state `k`), in Korean.
pub fn lesson_move(mv: &Move, a: &Action, k: &Kernel, n: &Names) -> String {
    let x = Facts::of_action(a, n);
    match *mv {
        Move::Run { thread } => format!("{} 스레드 실행: {}", n.thread(thread), call(a, n)),
        Move::Unblock { thread } => match k.thread(thread).state() {
            ThreadState::Paused(Some(l)) => format!(
                "{}이(가) 돌아옴: {} 스레드의 기다림이 끝남",
                n.label(l),
                x.thread
            ),
            _ => format!("{} 스레드의 기다림이 끝남", x.thread),
        },
        Move::Timeout { .. } => format!("{} 스레드의 대기 시간 만료", x.thread),
        Move::Complete { .. } => format!("장치가 {} 요청을 완료", x.ov()),
        Move::Post { .. } => format!("교사가 {} 포트에 패킷 게시 (키 {})", x.port, x.key),
        Move::ClosePort { .. } => format!("{} 포트 닫기", x.port),
        Move::CloseDevice { .. } => format!("{} 장치 닫기", x.device),
        Move::Call { .. } => action(a, n),
    }
}

/// A thread's call as its code writes it (the API names stay English).
pub fn call(a: &Action, n: &Names) -> String {
    let x = Facts::of_action(a, n);
    let timeout = match x.timeout {
        None => "INFINITE".to_owned(),
        Some(ms) => format!("{ms} ms"),
    };
    match *a {
        Action::Get { .. } => format!("GetQueuedCompletionStatus({}, {timeout})", x.port),
        Action::GetEx { .. } => format!(
            "GetQueuedCompletionStatusEx({}, {}개, {timeout})",
            x.port, x.max
        ),
        Action::Block { .. } => x.on.map_or("다른 기다림".to_owned(), str::to_owned),
        Action::Post { .. } => format!("PostQueuedCompletionStatus({}, 키 {})", x.port, x.key),
        Action::Exit { .. } => "ExitThread()".to_owned(),
        _ => action(a, n),
    }
}

/// Why a move cannot be made, in one Korean line.
pub fn refusal(r: &Refusal, n: &Names) -> String {
    match r {
        Refusal::Model { rejection: r } => rejection(r, n),
        Refusal::Forbidden { rule: Some(rule) } => {
            let what = match rule.op {
                "poll" => "폴링(타임아웃 0인 get)".to_owned(),
                op => format!("{op} 호출"),
            };
            match rule.thread {
                Some(t) => format!(
                    "이 도전에서는 {} 스레드의 {} 쓸 수 없습니다",
                    n.thread(t),
                    with(&what, Particle::EulReul)
                ),
                None => format!(
                    "이 도전에서는 {} 쓸 수 없습니다",
                    with(&what, Particle::EulReul)
                ),
            }
        }
        Refusal::Forbidden { rule: None } => "이 도전에서는 다른 호출만 쓸 수 있습니다".to_owned(),
        Refusal::BeforeStart { start } => {
            format!("도전은 {start}단계 뒤에서 시작합니다: 거기서부터 움직이세요")
        }
        Refusal::NotOffered {
            mode: Mode::Scheduler,
        } => "이 강의의 스레드에는 실행할 프로그램이 없습니다".to_owned(),
        Refusal::NotOffered {
            mode: Mode::EveryCall,
        } => "이 도전은 스케줄러가 되어 푸는 문제입니다: 스레드의 코드를 실행하세요".to_owned(),
        Refusal::NoSuchStep { at, last } => {
            format!("{at}단계는 없습니다 (마지막은 {last}단계)")
        }
    }
}

/// One line of a thread's program, as short code (op names as the
/// scenario format writes them; the rest in Korean).
pub fn line(l: &Line, n: &Names) -> String {
    match l {
        Line::Loop => "loop {".to_owned(),
        Line::Get {
            port,
            timeout,
            batch,
        } => {
            let t = timeout.map_or(String::new(), |ms| format!(", {ms} ms"));
            match batch {
                None => format!("get({}{t})", n.port(*port)),
                Some(b) => format!("get_ex({}, {b}개{t})", n.port(*port)),
            }
        }
        Line::Handle => "패킷 처리".to_owned(),
        Line::ExitOnKey { key } => format!("키 {key}이면 exit"),
        Line::Block { on, keys: None } => n.label(*on).to_owned(),
        Line::Block { on, keys: Some(k) } => {
            format!("키 {}이면 {}", keys_list(k), n.label(*on))
        }
        Line::Post { port, key } => format!("post({}, 키 {key})", n.port(*port)),
        Line::ExitAfter { packets } => format!("패킷 {packets}개 뒤 exit"),
        Line::End => "}".to_owned(),
        Line::Exit => "exit".to_owned(),
    }
}

/// `1`, `1, 2`: the keys a block waits after.
fn keys_list(k: &[u64]) -> String {
    k.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

/// A goal in Korean words.
pub fn goal(g: &Goal) -> String {
    match g {
        Goal::State(Condition::OverLimit) => {
            "RTL이 최대 스레드 수를 넘음 (current > max)".to_owned()
        }
        Goal::State(Condition::IdleWithWork) => {
            "포트에 여유가 있고 스레드가 기다리는데 패킷이 쌓여 있음".to_owned()
        }
        Goal::State(Condition::Held) => "스레드가 WTQ에서 기다리는데 패킷이 쌓여 있음".to_owned(),
        Goal::State(Condition::HeldAtLimit) => {
            "current >= max 이라서, 패킷이 쌓여 있는데도 스레드가 WTQ에서 잠들어 있음".to_owned()
        }
        Goal::State(Condition::Lost(cmp, k)) => format!("잃은 패킷 수 {} {k}", cmp.as_str()),
        Goal::State(Condition::Port(m, cmp, k)) => {
            format!("{} {} {k}", metric(*m), cmp.as_str())
        }
        Goal::WakeOldest => "둘 이상 기다리는 스레드 중 가장 오래 기다린 스레드를 깨움".to_owned(),
        Goal::CleanShutdown => "모든 스레드가 종료하고 포트가 닫힘, 잃은 패킷 없음".to_owned(),
        Goal::AbortedDequeued => "닫힌 장치의 취소된 패킷을 모두 꺼냄".to_owned(),
    }
}

/// A per-port count of a goal, in Korean.
fn metric(m: crate::goal::Metric) -> &'static str {
    use crate::goal::Metric;
    match m {
        Metric::Current => "current",
        Metric::Iocq => "IOCQ의 패킷 수",
        Metric::Wtq => "WTQ의 스레드 수",
        Metric::Rtl => "RTL의 스레드 수",
        Metric::Ptl => "PTL의 스레드 수",
    }
}

/// One condition of a goal, checked, in Korean.
pub fn check(c: &Check, n: &Names) -> String {
    let what = match c.quantity {
        Quantity::Current => "current",
        Quantity::Iocq => "IOCQ",
        Quantity::Wtq => "WTQ",
        Quantity::Rtl => "RTL",
        Quantity::Ptl => "PTL",
        Quantity::Lost => "잃은 패킷",
        Quantity::Alive => "종료하지 않은 스레드",
        Quantity::OpenPorts => "열린 포트",
        Quantity::QueuedAborted => "큐에 남은 취소된 패킷",
        Quantity::Waiters => "기다리는 스레드",
    };
    let target = if c.target_is_max {
        format!("max {}", c.target)
    } else {
        c.target.to_string()
    };
    let port = c
        .port
        .map(|p| format!("{} 포트: ", n.port(p)))
        .unwrap_or_default();
    let verdict = if c.holds { "됨" } else { "아직" };
    format!(
        "{port}{what} {} {} {target}: {verdict}",
        c.value,
        c.cmp.as_str()
    )
}

/// Why the last move missed the goal, in Korean.
pub fn miss(m: &Miss, n: &Names) -> String {
    match *m {
        Miss::HandedOff {
            thread,
            port,
            by,
            no_mark,
        } => {
            let (t, p) = (n.thread(thread), n.port(port));
            let base = format!(
                "규칙 2가 패킷을 {p} 포트에서 기다리던 {t} 스레드에게 바로 넘겨서, 패킷이 IOCQ에 닿지 않았습니다."
            );
            match (by, no_mark) {
                (Some(b), Some(why)) => {
                    let b = n.thread(b);
                    let since = match why {
                        NoMark::NoSuchRule => {
                            "이 방식(Wine)에는 잠들지 않음 표시가 아예 없습니다".to_owned()
                        }
                        NoMark::Never => "아직 get을 호출한 적이 없습니다".to_owned(),
                        NoMark::Since { step, cause } => format!(
                            "{step}단계에서 {}",
                            match cause {
                                MarkCause::Slept => "get 안에서 WTQ에 잠들었습니다",
                                MarkCause::Blocked => "다른 기다림으로 일시 정지했습니다",
                                MarkCause::Exited => "종료했습니다",
                            }
                        ),
                    };
                    format!("{base} {b} 스레드에게는 잠들지 않음 표시가 없었습니다: {since}.")
                }
                _ => base,
            }
        }
        Miss::NotOldest {
            woken,
            oldest,
            port,
        } => format!(
            "{} 포트는 가장 최근에 기다린 {} 스레드를 깨웠습니다. 가장 오래 기다린 {} 스레드는 아직 기다립니다.",
            n.port(port),
            n.thread(woken),
            n.thread(oldest)
        ),
        Miss::Slept { thread, port, why } => {
            let because = match why {
                NoTakeWhy::IocqEmpty => "IOCQ가 비어 있었습니다".to_owned(),
                NoTakeWhy::AtLimit { current, max, .. } => {
                    format!("current {current} >= max {max}였습니다")
                }
            };
            format!(
                "{} 스레드가 {} 포트의 WTQ에서 잠들었으므로 실행 중으로 세어지지 않습니다 ({because}).",
                n.thread(thread),
                n.port(port)
            )
        }
        Miss::Discarded { port, count } => format!(
            "{} 포트를 닫으면서 쌓여 있던 패킷 {count}개를 버렸습니다: 잃어버린 패킷입니다.",
            n.port(port)
        ),
        Miss::Stranded { thread, port } => format!(
            "{} 스레드는 닫힌 {} 포트에서 계속 잠들어 있습니다(Wine은 아무도 깨우지 않습니다): 영영 종료할 수 없습니다.",
            n.thread(thread),
            n.port(port)
        ),
    }
}

/// A thread's queue-wait mark set or cleared by a step, in Korean.
pub fn mark(m: &MarkChange, out: &Outcome, n: &Names) -> String {
    let t = n.thread(m.thread);
    if m.set {
        return format!(
            "{t} 스레드에 잠들지 않음 표시가 생겼습니다: get이 잠들지 않고 돌아왔으므로, 이 스레드가 자기 포트에 게시하는 패킷은 기다리는 스레드를 깨우지 않고 IOCQ에 남아 이 스레드를 기다립니다 (규칙 2)."
        );
    }
    match mark_cause(m.thread, out) {
        MarkCause::Slept => {
            format!("{t} 스레드의 잠들지 않음 표시가 지워졌습니다: WTQ에서 잠들었습니다.")
        }
        MarkCause::Blocked => {
            format!(
                "{t} 스레드의 잠들지 않음 표시가 지워졌습니다: 다른 기다림으로 일시 정지했습니다."
            )
        }
        MarkCause::Exited => format!("{t} 스레드의 잠들지 않음 표시가 지워졌습니다: 종료했습니다."),
    }
}

/// The note of a step the explorer's answer made, in Korean.
pub fn explorer_note(g: &Goal, j: usize, n: usize) -> String {
    format!(
        "탐색기가 찾은 가장 짧은 길('{}'): 동작 {n}개 중 {j}번째입니다.",
        goal(g)
    )
}

/// The title of a saved branch, in Korean.
pub fn branch_title(title: &str) -> String {
    format!("만약에: {title}")
}

/// The description of a saved branch of `source`, in Korean.
pub fn branch_description(source: &str) -> String {
    format!(
        "{source}에서 갈라진 '만약에' 갈래입니다: 갈라진 곳까지는 원래 강의의 단계이고, 그 뒤는 플레이어에서 직접 고른 동작입니다. 모든 단계의 기대값은 모델의 실행 결과로 적었습니다."
    )
}

/// The Korean words of the players' lesson controls.
pub const LESSON: LessonWords = LessonWords {
    modes: ("스케줄러", "모든 호출"),
    menus: (
        " 스케줄러 모드: 스레드 실행, 또는 바깥 세계의 동작 (회색: 거부됨) ",
        " 모든 호출 모드: 어느 스레드든 어떤 호출이든 (회색: 거부됨) ",
    ),
    switched: (
        "스케줄러 모드: 스레드의 코드를 실행합니다 (m: 모든 호출)",
        "모든 호출 모드: 어느 스레드든 어떤 호출이든 할 수 있습니다 (m: 스케줄러)",
    ),
    one_mode: "이 강의에는 동작 방식이 하나뿐입니다",
    code: "스레드의 코드: 저마다 루프 (▶ 다음 호출)",
    help: "←/→ 단계  a 동작  m 모드  x 목표  w 이유  f 방식  s 저장  q 끝",
    status: ("동작 ", "/", " · a 동작  ? 힌트  w 이유  t 과제  x 답 보기"),
    task: "도전 과제",
    goal: "목표: ",
    budget: "허용된 동작 수: ",
    why: "왜 아직 아닐까?",
    reached: "목표에 도달했습니다",
    no_goal: "아직 목표가 없습니다: x를 눌러 고르세요",
    ask_why: " · w: 왜 아직 아닐까",
    close: " 아무 키나 누르면 닫힙니다 ",
    shortest: "탐색기의 가장 짧은 답: ",
};
