//! The fixed words of the classroom views in each language: structure
//! names, markers, the help line. Narration itself comes from
//! [`crate::narrate`].

use crate::narrate::Lang;

/// The words one language uses in the views.
#[derive(Debug, serde::Serialize)]
pub struct Words {
    /// "Device List".
    pub device_list: &'static str,
    /// Short and long name of the IOCQ.
    pub iocq: (&'static str, &'static str),
    /// Short and long name of the WTQ.
    pub wtq: (&'static str, &'static str),
    /// Short and long name of the RTL.
    pub rtl: (&'static str, &'static str),
    /// Short and long name of the PTL.
    pub ptl: (&'static str, &'static str),
    /// Marks the thread the WTQ wakes next.
    pub next: &'static str,
    /// Marks the head packet of the IOCQ.
    pub head: &'static str,
    /// The over-limit marker of an RTL.
    pub over_limit: &'static str,
    /// Shown in an empty box.
    pub empty: &'static str,
    /// "step".
    pub step: &'static str,
    /// Shown as the action of index 0.
    pub before: &'static str,
    /// A step with no action.
    pub check_only: &'static str,
    /// The author's note.
    pub note: &'static str,
    /// "result".
    pub result: &'static str,
    /// "rejected".
    pub rejected: &'static str,
    /// "expectation failed".
    pub mismatch: &'static str,
    /// Before and after the scenario's flavour, for an expectation that
    /// does not hold in the other flavour.
    pub differs: (&'static str, &'static str),
    /// "narration".
    pub narration: &'static str,
    /// "threads".
    pub threads: &'static str,
    /// "closed".
    pub closed: &'static str,
    /// "not associated".
    pub not_associated: &'static str,
    /// "port".
    pub port: &'static str,
    /// "key".
    pub key: &'static str,
    /// "pending".
    pub pending: &'static str,
    /// "flavour".
    pub flavor: &'static str,
    /// The thread state words: free, running, waiting, paused, exited.
    pub states: [&'static str; 5],
    /// The run stopped early here.
    pub stopped: &'static str,
    /// The help line of the terminal player.
    pub help: &'static str,
    /// The prompt while a step number is typed.
    pub goto: &'static str,
    /// "Legend".
    pub legend: &'static str,
    /// The narration pane has more below (PgDn).
    pub more: &'static str,
    /// The legend entry of a packet delivery.
    pub delivered: &'static str,
    /// The queue-wait mark: a short tag shown next to a marked thread, and
    /// its explanation (legends, tooltips).
    pub mark: (&'static str, &'static str),
}

const EN: Words = Words {
    device_list: "Device List",
    iocq: ("IOCQ", "IO Completion Queue"),
    wtq: ("WTQ", "Waiting Thread Queue"),
    rtl: ("RTL", "Released Thread List"),
    ptl: ("PTL", "Paused Thread List"),
    next: "next",
    head: "head",
    over_limit: "OVER LIMIT",
    empty: "(empty)",
    step: "step",
    before: "before step 1",
    check_only: "(no action: a check)",
    note: "note",
    result: "result",
    rejected: "REJECTED",
    mismatch: "EXPECTATION FAILED",
    differs: ("differs from the expectation written for ", ""),
    narration: "What happened and why",
    threads: "Threads",
    closed: "closed",
    not_associated: "not associated",
    port: "port",
    key: "key",
    pending: "pending",
    flavor: "flavour",
    states: ["free", "running", "waiting", "paused", "exited"],
    stopped: "the run stopped here",
    help: "←/→ step  Home/End  0-9 Enter: go to  f flavour  Tab port  PgUp/Dn text  q quit",
    goto: "go to step",
    legend: "Legend",
    more: "more: PgDn",
    delivered: "packet delivered (its key)",
    mark: (
        "mark",
        "queue-wait mark: its last get returned without sleeping, so a packet it posts to its port is queued, not handed to a waiter (rule 2)",
    ),
};

const KO: Words = Words {
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
    help: "←/→ 단계  Home/End  숫자 Enter: 이동  f 방식  Tab 포트  PgUp/Dn 글  q 끝",
    goto: "이동할 단계",
    legend: "범례",
    more: "더 보기: PgDn",
    delivered: "패킷 전달 (완료 키)",
    mark: (
        "표시",
        "큐 대기 표시: 마지막 get이 잠들지 않고 돌아왔으므로, 이 스레드가 자기 포트에 넣는 패킷은 대기 스레드에게 넘겨지지 않고 큐에 쌓입니다 (규칙 2)",
    ),
};

/// The words of `lang`.
pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Ko => &KO,
    }
}

/// The index of a thread state word in [`Words::states`]
/// (`"free"`, `"running"`, `"waiting"`, `"paused"`, `"exited"`).
pub fn state_index(status: crate::model::ThreadStatus) -> usize {
    use crate::model::ThreadStatus as S;
    match status {
        S::Free => 0,
        S::Running => 1,
        S::Waiting => 2,
        S::Paused => 3,
        S::Exited => 4,
    }
}
