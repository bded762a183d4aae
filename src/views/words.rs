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
    help: "←/→ step  0-9 go  f flavour  Tab port  a what-if  x goal  s save  q quit",
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
    help: "←/→ 단계  숫자 이동  f 방식  Tab 포트  j/k 글  a 만약에  x 목표  s 저장  q 끝",
    goto: "이동할 단계",
    legend: "범례",
    more: "더 보기: PgDn",
    delivered: "패킷 전달 (완료 키)",
    mark: (
        "표시",
        "큐 대기 표시: 마지막 get이 잠들지 않고 돌아왔으므로, 이 스레드가 자기 포트에 넣는 패킷은 대기 스레드에게 넘겨지지 않고 큐에 쌓입니다 (규칙 2)",
    ),
};

/// The words of the terminal player's what-if (its menus and messages).
#[derive(Debug)]
pub struct WhatIfWords {
    /// Title of the list of actions.
    pub actions: &'static str,
    /// Title of the list of goals.
    pub goals: &'static str,
    /// The keys of a menu.
    pub keys: &'static str,
    /// The goals offered, in the order of [`crate::views::player::GOALS`].
    pub goal_names: [&'static str; 3],
    /// Before the reason a chosen action is refused.
    pub refused: &'static str,
    /// The note of a step the student chose (English, Korean are both
    /// written into a saved branch).
    pub chosen: &'static str,
    /// The goal already holds.
    pub already: &'static str,
    /// Before the number of moves found.
    pub found: (&'static str, &'static str),
    /// Not reachable within the depth searched: before depth, before states.
    pub not_within: (&'static str, &'static str, &'static str),
    /// The search kept too many states.
    pub too_many: (&'static str, &'static str),
    /// The branch was saved: before the path, after it.
    pub saved: (&'static str, &'static str),
    /// Saving failed.
    pub save_failed: &'static str,
    /// A challenge's status: before the goal, before the moves, before the budget, the keys.
    pub status: (&'static str, &'static str, &'static str, &'static str),
    /// Solved: before the moves, before the explorer's shortest.
    pub solved: (&'static str, &'static str),
    /// The explorer finds no answer (said after "shortest").
    pub none: &'static str,
    /// Reached, but with more moves than the budget.
    pub over_budget: &'static str,
    /// The budget is used up without reaching the goal.
    pub used_up: &'static str,
    /// Branching before the challenge's start is not allowed.
    pub before_start: &'static str,
    /// "hint".
    pub hint: &'static str,
}

const WHATIF_EN: WhatIfWords = WhatIfWords {
    actions: " What if... (actions the model allows now; grey: refused, with the reason) ",
    goals: " Ask the explorer: the shortest way from here to... ",
    keys: " ↑/↓ choose  Enter pick  Esc close ",
    goal_names: [
        "over_limit: the RTL over the concurrency limit",
        "idle_with_work: a packet queued while a thread waits and the port has room",
        "lost > 0: a packet lost",
    ],
    refused: "refused",
    chosen: "What-if: a move chosen by hand.",
    already: "the goal already holds here",
    found: (
        "the explorer's shortest way: ",
        " move(s), now step by step",
    ),
    not_within: ("not reachable within ", " moves (", " states searched)"),
    too_many: ("no answer within the bound of ", " states"),
    saved: ("branch saved as ", " (iocp-sim check accepts it)"),
    save_failed: "cannot save the branch",
    status: ("goal ", " · moves ", "/", " · a move  ? hint  x answer"),
    solved: ("solved in ", " move(s); the explorer's shortest: "),
    none: "none",
    over_budget: " (over the budget: try again with fewer)",
    used_up: "budget used up: step back (←) and branch again, or ? for a hint",
    before_start: "the challenge starts at a later step",
    hint: "hint",
};

const WHATIF_KO: WhatIfWords = WhatIfWords {
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

/// The what-if words of `lang`.
pub fn whatif_words(lang: Lang) -> &'static WhatIfWords {
    match lang {
        Lang::En => &WHATIF_EN,
        Lang::Ko => &WHATIF_KO,
    }
}

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
