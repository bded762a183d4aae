//! Korean narration (한국어 해설), written for students in the words the
//! lecture uses: 디바이스 리스트, 입출력 완료 큐 (IOCQ), 대기 스레드 큐 (WTQ),
//! 릴리즈 스레드 리스트 (RTL), 일시 정지 스레드 리스트 (PTL).
//!
//! Korean particles (은/는, 이/가, 을/를) depend on how a name ends when read
//! aloud, which a program cannot know for ids such as `T1` or `sockA`. So a
//! scenario's name is always followed by a fixed noun that carries the
//! particle: "T1 스레드가", "P 포트의", "sockA 장치를".

use super::facts::Facts;
use super::words::{PageWords, WhatIfWords, Words};
use crate::goal::{Condition, Goal};
use crate::model::{
    Action, Event, FailWhy, Fired, Kernel, MarkChange, Names, NoPacketWhy, NoTakeWhy, Outcome,
    Packet, QueueWhy, RejectKind, Rejection, Rule, ThreadState,
};
use crate::moves::{
    mark_cause, Check, Line, MarkCause, Miss, Mode, Move, NoMark, Quantity, Refusal,
};

/// The Korean words of every view, in the terms of the lecture notes.
pub const WORDS: Words = Words {
    device_list: "디바이스 리스트",
    iocq: ("IOCQ", "입출력 완료 큐"),
    wtq: ("WTQ", "대기 스레드 큐"),
    rtl: ("RTL", "릴리즈 스레드 리스트"),
    ptl: ("PTL", "일시 정지 스레드 리스트"),
    next: "다음",
    head: "맨 앞",
    over_limit: "한도 초과",
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
    flavor: "방식",
    states: ["자유", "실행", "대기", "멈춤", "종료"],
    stopped: "실행이 여기서 멈췄습니다",
    help: "←/→ 단계  숫자 이동  f 방식  Tab 포트  j/k 글  a 만약에  x 목표  s 저장  q 끝",
    goto: "이동할 단계",
    legend: "범례",
    more: "더 보기: PgDn",
    delivered: "패킷 전달 (완료 키)",
    mark: (
        "표시",
        "큐 대기 표시: 마지막 get이 잠들지 않고 돌아왔으므로, 이 스레드가 자기 포트에 넣는 패킷은 대기 스레드에게 넘겨지지 않고 큐에 쌓입니다 (규칙 2)",
    ),
    mark_name: "큐 대기 표시",
    unchanged: "(아무것도 바뀌지 않음)",
    expected: "기대",
    actual: "실제",
    failed: "실패",
    port_title: "포트",
    stranded: "닫힘; 대기 스레드 큐에 아직 잠든 스레드",
    concurrency: "동시 실행 값",
    header: ("방식", "CPU", "포트", "스레드"),
    cpus: "CPU",
    summary: "요약",
    peak: ("가장 컸던 RTL", "한도", "한도를 넘었음"),
    counters: ("단계", "전달된 패킷", "잃은 패킷", "한도를 넘은 채 끝난 단계"),
};

/// The Korean words of the terminal player's what-if.
pub const WHATIF: WhatIfWords = WhatIfWords {
    actions: " 만약에... (지금 모델이 허용하는 동작, 회색: 거부됨과 그 이유) ",
    goals: " 탐색기에게 묻기: 여기서 가장 짧은 길로... ",
    keys: " ↑/↓ 선택  Enter 고르기  Esc 닫기 ",
    goal_names: [
        "over_limit: RTL이 동시 실행 한도를 넘음",
        "idle_with_work: 포트에 여유가 있고 스레드가 기다리는데 패킷이 쌓여 있음",
        "lost > 0: 패킷을 잃어버림",
    ],
    refused: "거부됨",
    chosen: "만약에: 학생이 직접 고른 동작입니다.",
    already: "여기서 이미 목표가 이루어져 있습니다",
    found: (
        "탐색기가 찾은 가장 짧은 길: ",
        "번의 동작, 이제 한 단계씩 보세요",
    ),
    not_within: ("", "번 안의 동작으로는 닿을 수 없습니다 (상태 ", "개 탐색)"),
    too_many: ("상태 ", "개 한도 안에서 답을 찾지 못했습니다"),
    saved: (
        "갈래를 저장했습니다: ",
        " (iocp-sim check로 확인할 수 있습니다)",
    ),
    save_failed: "갈래를 저장할 수 없습니다",
    status: ("목표 ", " · 동작 ", "/", " · a 동작  ? 힌트  x 답 보기"),
    solved: ("성공: 동작 ", "번, 탐색기의 가장 짧은 답: "),
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
        Rule::Block => "다른 대기로 멈춤",
        Rule::Unblock => "멈춤 해제",
        Rule::Timeout => "시간 만료",
        Rule::Exit => "스레드 종료",
        Rule::GetEx => "여러 개 꺼내기",
        Rule::ClosePort => "포트 닫기",
        Rule::Associate => "장치 연결",
        Rule::Issue => "입출력 요청",
        Rule::Complete => "입출력 완료",
        Rule::CloseDevice => "장치 닫기",
    };
    let n = rule.number().unwrap_or(0);
    format!("규칙 {n} ({}: {what})", rule.name())
}

/// A packet in Korean: `키 7, 0바이트, OVERLAPPED ovA, success`.
pub fn packet(p: &Packet, names: &Names) -> String {
    format!(
        "키 {}, {}바이트, {}, {}",
        p.key,
        p.bytes,
        overlapped(p.overlapped.map(|o| names.overlapped(o))),
        names.status(p.status)
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
            "{} 장치를 {} 포트와 연결 (완료 키 {})",
            x.device, x.port, x.key
        ),
        Action::Issue { inline: None, .. } => {
            format!("{} 장치에 OVERLAPPED {}로 입출력 요청", x.device, x.ov())
        }
        Action::Issue { .. } => format!(
            "{} 장치에 OVERLAPPED {}로 입출력 요청, 즉시 완료 ({}바이트)",
            x.device,
            x.ov(),
            x.bytes
        ),
        Action::Complete { .. } => format!(
            "OVERLAPPED {} 요청 완료 ({}바이트, {})",
            x.ov(),
            x.bytes,
            x.status
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
            Some(l) => format!("{} 스레드가 {l}에서 멈춤", x.thread),
            None => format!("{} 스레드가 멈춤", x.thread),
        },
        Action::Unblock { .. } => format!("{} 스레드의 멈춤이 풀림", x.thread),
        Action::Timeout { .. } => format!("{} 스레드의 get 시간 만료", x.thread),
        Action::Exit { .. } => format!("{} 스레드 종료", x.thread),
        Action::CloseDevice { .. } => format!("{} 장치 닫기", x.device),
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
        RejectKind::UnknownDevice(_) => format!("{id}번 장치는 없습니다"),
        RejectKind::ThreadWaiting { .. } => format!(
            "{t} 스레드는 {p} 포트의 대기 스레드 큐(WTQ)에서 기다리는 중입니다. 기다리는 스레드는 패킷, 시간 만료, 포트 닫힘 중 하나로 깨어나기 전까지 아무것도 호출할 수 없습니다"
        ),
        RejectKind::ThreadPaused { port, .. } => {
            let on = x.on.map(|l| format!(" {l}에서")).unwrap_or_default();
            let list = port
                .map(|_| format!(" ({p} 포트의 PTL)"))
                .unwrap_or_default();
            format!(
                "{t} 스레드는{on} 멈춰 있습니다{list}. 멈춘 스레드는 풀려나기(unblock) 전까지 아무것도 호출할 수 없습니다"
            )
        }
        RejectKind::ThreadExited { .. } => {
            format!("{t} 스레드는 이미 종료되어 아무것도 할 수 없습니다")
        }
        RejectKind::NotPaused { .. } => {
            format!("{t} 스레드는 멈춰 있지 않으므로 멈춤을 풀(unblock) 수 없습니다")
        }
        RejectKind::NotWaiting { .. } => format!(
            "{t} 스레드는 대기 스레드 큐(WTQ)에서 기다리고 있지 않으므로 get의 시간이 만료될 수 없습니다"
        ),
        RejectKind::InfiniteWait { .. } => format!(
            "{t} 스레드는 {p} 포트의 WTQ에서 INFINITE 타임아웃으로 기다리므로 시간이 만료되지 않습니다"
        ),
        RejectKind::OverlappedInUse { pending_on, .. } => {
            let still = match pending_on {
                Some(_) => format!("{d} 장치에 대한 요청이 아직 완료되지 않았습니다"),
                None => "완료 패킷을 아직 아무 스레드도 꺼내 가지 않았습니다".to_owned(),
            };
            format!(
                "OVERLAPPED {}는 아직 사용 중입니다: {still}. 패킷을 꺼내기 전에 같은 OVERLAPPED를 다시 쓰면 첫 요청의 결과가 망가집니다. 진행 중인 요청마다 OVERLAPPED를 따로 두세요",
                x.ov()
            )
        }
        RejectKind::NotPending { .. } => format!(
            "OVERLAPPED {}에는 완료할 대기 중인 요청이 없습니다",
            x.ov()
        ),
        RejectKind::ZeroBatch { .. } => format!(
            "{t} 스레드가 항목 0개 크기로 get_ex를 호출했습니다. 최대 개수는 1 이상이어야 합니다"
        ),
    };
    format!("{} 위반으로 거부됩니다: {why}.", rule_label(r.rule))
}

/// One Korean sentence (or two) for one fired rule.
pub fn fired(f: &Fired, n: &Names) -> String {
    let x = Facts::of_fired(f, n);
    let (t, p, d, call) = (x.thread, x.port, x.device, x.call);
    let (current, before, max) = (x.current, x.before, x.max);
    let pk = || x.packet.map(|pk| packet(&pk, n)).unwrap_or_default();
    let over = if x.over { ", 한도 초과" } else { "" };
    let closed = |what| {
        format!("{what} 닫혀 있습니다. 호출은 ERROR_INVALID_HANDLE로 실패하고 아무것도 바뀌지 않습니다.")
    };
    match f.event {
        Event::Returned { .. } => format!(
            "{t} 스레드가 {p} 포트에서 {call}를 다시 호출합니다. 앞의 패킷 처리를 끝냈다는 뜻이므로 포트는 이 스레드를 더 이상 실행 중으로 세지 않습니다 (이제 current {current})."
        ),
        Event::LeftPort { .. } => format!(
            "{t} 스레드가 다른 포트에서 기다리려고 {p} 포트를 떠납니다. {p} 포트의 current가 줄어 이제 {current}입니다."
        ),
        Event::Joined { .. } => format!(
            "{t} 스레드가 {p} 포트에서 {call}를 처음 호출하여 이 포트와 연결됩니다."
        ),
        Event::Took { count, .. } => format!(
            "{t} 스레드가 {p} 포트의 입출력 완료 큐(IOCQ)에 쌓인 패킷 {count}개를 곧바로 가져갑니다. current {before} < max {max}이므로 가져갈 수 있습니다. 이 스레드는 실행 중으로 세어집니다 (current {current})."
        ),
        Event::Waits { why, depth, .. } => {
            let place = if x.lifo {
                format!("대기 스레드 큐(WTQ)의 맨 위에 들어갑니다 (대기 {depth}개). 가장 최근에 기다리기 시작한 스레드가 가장 먼저 깨어나므로(LIFO) 다음에 깨어날 스레드입니다")
            } else {
                format!("대기 스레드 큐(WTQ)의 맨 뒤에 들어갑니다 (대기 {depth}개). Wine은 가장 오래 기다린 스레드부터 깨웁니다(FIFO)")
            };
            match why {
                NoTakeWhy::IocqEmpty => format!(
                    "{p} 포트의 입출력 완료 큐(IOCQ)가 비어 있으므로 {t} 스레드는 잠들어 {place}."
                ),
                NoTakeWhy::AtLimit { .. } => format!(
                    "{p} 포트에 패킷이 {}개 쌓여 있지만 current {current} >= max {max}로 포트가 가득 찼습니다. 그래서 {t} 스레드는 일감이 있는데도 기다려야 하며, {place}. 한도를 넘은 포트는 이렇게 스스로 바로잡힙니다.",
                    x.queued
                ),
            }
        }
        Event::PollFailed { why, .. } => {
            let reason = match why {
                NoTakeWhy::IocqEmpty => {
                    format!("{p} 포트의 입출력 완료 큐(IOCQ)가 비어 있으므로")
                }
                NoTakeWhy::AtLimit { .. } => {
                    format!("패킷이 {}개 쌓여 있지만 포트가 한도에 도달했으므로", x.queued)
                }
            };
            format!(
                "{t} 스레드가 타임아웃 0으로 확인(폴링)합니다. {reason} 호출은 곧바로 WAIT_TIMEOUT으로 실패합니다. 이 스레드는 계속 실행되며 실행 중으로 세어집니다 (current {current}/{max}{over})."
            )
        }
        Event::HandedOff { extra, .. } => {
            let gate = if x.gated {
                format!("current {before} < max {max}이고")
            } else if x.lifo {
                "Wine 10은 한도를 검사하지 않지만 Windows처럼 get을 가장 최근에 호출한 스레드부터 깨웁니다.".to_owned()
            } else {
                "Wine은 한도를 검사하지 않고,".to_owned()
            };
            let extra = if extra > 0 {
                format!(" 쌓여 있던 패킷 {extra}개도 함께 가져갑니다.")
            } else {
                String::new()
            };
            format!(
                "패킷({})이 {p} 포트에 도착합니다. {gate} {t} 스레드가 {} 대기 스레드이므로 패킷을 직접 받습니다. 패킷은 입출력 완료 큐(IOCQ)를 거치지 않습니다. 이 스레드가 실행됩니다 (current {current}).{extra}",
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
                "패킷({})이 {p} 포트에 도착합니다. 기다리는 스레드는 있지만 current {current} >= max {max}이므로 누구도 풀어 줄 수 없습니다. 패킷은 입출력 완료 큐(IOCQ)의 끝에 붙습니다 (쌓인 패킷 {depth}개).",
                pk()
            ),
            QueueWhy::MarkedInserter { .. } => format!(
                "패킷({})이 {p} 포트에 도착합니다. 기다리는 스레드가 있고 current {current} < max {max}이지만, 패킷을 넣은 {t} 스레드는 이 포트의 스레드이고 아직 큐 대기 표시를 달고 있습니다 (마지막 get이 잠들지 않고 돌아왔습니다). 커널은 이 스레드가 곧 get을 다시 불러 패킷을 직접 가져가리라 보고 두 번째 스레드를 깨우지 않습니다. 그래서 대기 스레드가 잠든 채로 패킷이 입출력 완료 큐(IOCQ)의 끝에 붙습니다 (쌓인 패킷 {depth}개). (NT의 KiInsertQueue: Windows Research Kernel queueobj.c, ReactOS ntoskrnl/ke/queue.c)",
                pk()
            ),
        },
        Event::Woke { extra, .. } => format!(
            "{p} 포트가 {t} 스레드를 깨웁니다. current {before} < max {max}이고, 쌓인 패킷이 있으며, 이 스레드가 {} 기다리기 시작한 스레드이기 때문입니다. 스레드는 맨 앞의 패킷{}을 가져갑니다 (current {current}).",
            if x.lifo { "가장 최근에" } else { "가장 먼저" },
            if extra > 0 {
                format!("과 {extra}개의 패킷")
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
                    "{t} 스레드가{on} 멈춥니다. {p} 포트의 릴리즈 스레드 리스트(RTL)에서 일시 정지 스레드 리스트(PTL)로 옮겨지고 더 이상 실행 중으로 세지 않습니다 (current {current})."
                ),
                None => format!(
                    "{t} 스레드가{on} 멈춥니다. 어느 포트와도 연결되어 있지 않으므로 어떤 카운트도 바뀌지 않습니다."
                ),
            }
        }
        Event::Unblocked { port, .. } => match port {
            Some(_) => format!(
                "{t} 스레드의 다른 대기가 끝납니다. {p} 포트의 일시 정지 스레드 리스트(PTL)에서 릴리즈 스레드 리스트(RTL)로 돌아가 다시 실행 중으로 세어지며, 이때 한도는 검사하지 않습니다 (current {current}/{max}).{}",
                if x.over {
                    " 이제 RTL이 한도를 넘었습니다. 그렇다고 실행 중인 스레드를 강제로 멈추게 하지는 않습니다."
                } else {
                    ""
                }
            ),
            None => format!(
                "{t} 스레드의 다른 대기가 끝나 다시 실행됩니다. 연결된 포트는 없습니다."
            ),
        },
        Event::TimedOut { .. } => format!(
            "{p} 포트에서 기다리던 {t} 스레드의 대기 시간이 만료됩니다. 대기 스레드 큐(WTQ)를 떠나고 호출은 WAIT_TIMEOUT으로 실패하며, 한도 검사 없이 실행 중으로 세어집니다 (current {current}/{max}{over})."
        ),
        Event::Exited { port, .. } => match port {
            Some(_) => format!(
                "{t} 스레드가 종료됩니다. {p} 포트의 릴리즈 스레드 리스트(RTL)에서 빠집니다 (current {current})."
            ),
            None => format!("{t} 스레드가 종료됩니다."),
        },
        Event::Associated { key, .. } => format!(
            "{d} 장치가 완료 키 {key}로 {p} 포트와 연결됩니다. 디바이스 리스트에 새 항목이 생기고, 이제 이 장치의 입출력이 완료되면 이 포트에 패킷이 쌓입니다."
        ),
        Event::Issued { inline, .. } => {
            if inline {
                format!(
                    "{d} 장치에 OVERLAPPED {}로 보낸 요청이 그 자리에서 성공으로 끝납니다.",
                    x.ov()
                )
            } else {
                format!(
                    "{d} 장치에 OVERLAPPED {}로 보낸 요청이 진행 중(pending)입니다. 요청한 스레드는 기다리지 않고 다른 일을 계속합니다.",
                    x.ov()
                )
            }
        }
        Event::Completed { .. } => format!(
            "드라이버가 {d} 장치의 OVERLAPPED {} 요청을 완료합니다. 요청은 보낸 순서와 상관없이 완료됩니다.",
            x.ov()
        ),
        Event::NoPacket { why, .. } => match why {
            NoPacketWhy::NotAssociated => format!(
                "{d} 장치는 디바이스 리스트에 없으므로 OVERLAPPED {}의 완료 패킷은 만들어지지 않습니다 (대신 OVERLAPPED의 이벤트가 신호 상태가 됩니다).",
                x.ov()
            ),
            NoPacketWhy::SkipOnSuccess => format!(
                "{d} 장치는 성공하면 포트를 건너뛰도록(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS) 설정되어 있어, 곧바로 성공한 요청은 패킷을 만들지 않습니다. 결과는 호출한 쪽이 직접 처리합니다."
            ),
            NoPacketWhy::PortClosed => format!(
                "{d} 장치의 포트가 닫혀 있으므로 OVERLAPPED {}의 완료는 패킷이 되지 못하고 사라집니다(lost).",
                x.ov()
            ),
        },
        Event::Aborted { .. } => format!(
            "{d} 장치를 닫으면서 OVERLAPPED {}로 진행 중이던 요청이 취소됩니다. 요청은 ERROR_OPERATION_ABORTED, 0바이트로 완료됩니다.",
            x.ov()
        ),
        Event::DeviceClosed { .. } => format!(
            "{d} 장치가 닫히고 디바이스 리스트의 항목이 지워집니다. 취소된 패킷을 꺼내기 전에 소켓별 데이터를 해제하는 서버는 그 패킷이 도착할 때 죽습니다."
        ),
        Event::Abandoned { .. } => format!(
            "{p} 포트에서 기다리던 {t} 스레드의 호출이 ERROR_ABANDONED_WAIT_0으로 실패하고, 스레드는 어느 포트에도 속하지 않은 상태(free)로 돌아갑니다."
        ),
        Event::Stranded { .. } => format!(
            "Wine에서는 포트를 닫아도 대기 스레드 큐의 스레드를 깨우지 않습니다. {t} 스레드는 닫힌 {p} 포트에서 계속 잠들어 있습니다."
        ),
        Event::StrandedWoken { .. } => format!(
            "닫힌 {p} 포트로 가야 할 완료가 도착해 잠들어 있던 {t} 스레드를 깨웁니다. 호출은 ERROR_INVALID_HANDLE로 실패하고 패킷은 사라집니다(Wine의 동작)."
        ),
        Event::Unassociated { .. } => format!(
            "{t} 스레드는 더 이상 {p} 포트와 연결되어 있지 않습니다."
        ),
        Event::Discarded { .. } => format!(
            "{p} 포트의 입출력 완료 큐(IOCQ)에 남아 있던 패킷({})이 버려집니다. 잃어버린 패킷(lost)입니다.",
            pk()
        ),
        Event::PortClosed { .. } => format!(
            "{p} 포트의 마지막 핸들이 닫힙니다. 이후 이 포트를 쓰는 호출은 모두 ERROR_INVALID_HANDLE로 실패합니다."
        ),
        Event::Failed { why } => match why {
            FailWhy::PortClosed(_) => closed(format!("{p} 포트는")),
            FailWhy::DeviceClosed(_) => closed(format!("{d} 장치는")),
            FailWhy::AlreadyAssociated(..) => format!(
                "{d} 장치는 이미 {p} 포트와 연결되어 있습니다. 장치는 한 번만 연결할 수 있으므로 호출은 ERROR_INVALID_PARAMETER로 실패합니다."
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
        Move::Run { .. } => format!("{} 스레드 실행: {}", x.thread, call(a, n)),
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
                    "이 도전에서는 {} 스레드의 {what}을(를) 쓸 수 없습니다",
                    n.thread(t)
                ),
                None => format!("이 도전에서는 {what}을(를) 쓸 수 없습니다"),
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

/// One line of a thread's program, as code (comments in Korean).
pub fn line(l: &Line, n: &Names) -> String {
    match l {
        Line::Loop => "loop {".to_owned(),
        Line::Get {
            port,
            timeout,
            batch,
        } => {
            let t = timeout.map_or("INFINITE".to_owned(), |ms| format!("{ms} ms"));
            match batch {
                None => format!("  GetQueuedCompletionStatus({}, {t})", n.port(*port)),
                Some(b) => format!(
                    "  GetQueuedCompletionStatusEx({}, {b}개, {t})",
                    n.port(*port)
                ),
            }
        }
        Line::Handle => "    패킷 처리".to_owned(),
        Line::ExitOnKey { key } => format!("    키가 {key}이면 break"),
        Line::Block { on, keys: None } => format!("    {}", n.label(*on)),
        Line::Block { on, keys: Some(k) } => {
            format!("    키가 {k:?} 중 하나이면 {}", n.label(*on))
        }
        Line::Post { port, key } => {
            format!(
                "    PostQueuedCompletionStatus({}, 키 {key})",
                n.port(*port)
            )
        }
        Line::ExitAfter { packets } => format!("    패킷 {packets}개를 처리했으면 break"),
        Line::End => "}".to_owned(),
        Line::Exit => "ExitThread()".to_owned(),
    }
}

/// A goal in Korean words.
pub fn goal(g: &Goal) -> String {
    match g {
        Goal::State(Condition::OverLimit) => {
            "RTL이 동시 실행 한도를 넘음 (current > max)".to_owned()
        }
        Goal::State(Condition::IdleWithWork) => {
            "포트에 여유가 있고 스레드가 기다리는데 패킷이 쌓여 있음".to_owned()
        }
        Goal::State(Condition::Held) => "스레드가 WTQ에서 기다리는데 패킷이 쌓여 있음".to_owned(),
        Goal::State(Condition::HeldAtLimit) => {
            "current >= max 이라서, 패킷이 쌓여 있는데도 스레드가 WTQ에서 잠들어 있음".to_owned()
        }
        Goal::State(Condition::Lost(cmp, k)) => format!("잃은 패킷 {} {k}", cmp.as_str()),
        Goal::State(Condition::Port(m, cmp, k)) => format!("{} {} {k}", m.as_str(), cmp.as_str()),
        Goal::WakeOldest => "둘 이상 기다리는 스레드 중 가장 오래 기다린 스레드 깨우기".to_owned(),
        Goal::CleanShutdown => "모든 스레드가 종료하고 포트가 닫힘, 잃은 패킷 없음".to_owned(),
        Goal::AbortedDequeued => "닫힌 장치의 취소된 패킷을 모두 꺼냄".to_owned(),
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
                            "이 방식(Wine)에는 큐 대기 표시가 아예 없습니다".to_owned()
                        }
                        NoMark::Never => "아직 get을 호출한 적이 없습니다".to_owned(),
                        NoMark::Since { step, cause } => format!(
                            "{step}단계에서 {}",
                            match cause {
                                MarkCause::Slept => "get 안에서 WTQ에 잠들었습니다",
                                MarkCause::Blocked => "다른 기다림으로 멈췄습니다",
                                MarkCause::Exited => "종료했습니다",
                            }
                        ),
                    };
                    format!("{base} {b} 스레드에게는 큐 대기 표시가 없었습니다: {since}.")
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
            "{t} 스레드에 큐 대기 표시가 생겼습니다: get이 잠들지 않고 돌아왔으므로, 이 스레드가 자기 포트에 게시하는 패킷은 기다리는 스레드를 깨우지 않고 IOCQ에 남아 이 스레드를 기다립니다 (규칙 2)."
        );
    }
    match mark_cause(m.thread, out) {
        MarkCause::Slept => {
            format!("{t} 스레드의 큐 대기 표시가 지워졌습니다: WTQ에서 잠들었습니다.")
        }
        MarkCause::Blocked => {
            format!("{t} 스레드의 큐 대기 표시가 지워졌습니다: 다른 기다림으로 멈췄습니다.")
        }
        MarkCause::Exited => format!("{t} 스레드의 큐 대기 표시가 지워졌습니다: 종료했습니다."),
    }
}

/// The note of a step the explorer's answer made, in Korean.
pub fn explorer_note(g: &Goal, j: usize, n: usize) -> String {
    format!("탐색기가 찾은 {g}까지의 가장 짧은 길: {n}번 중 {j}번째 동작입니다.")
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
