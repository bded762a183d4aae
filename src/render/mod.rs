//! Views of a run: plain text for terminals and classrooms ([`text`]) and
//! one JSON object per step for programs ([`json`]). Both only read the
//! model; neither does any I/O beyond the writer they are given.

pub mod json;
pub mod text;

use crate::model::{Action, Names, Packet, Timeout};

/// An action in words: `get T1 on P (timeout infinite)`.
pub fn describe_action(action: &Action, names: &Names) -> String {
    let timeout = |t: Timeout| match t {
        Timeout::Infinite => "infinite".to_owned(),
        Timeout::Ms(ms) => format!("{ms} ms"),
    };
    let by = match *action {
        Action::Post { by: Some(t), .. } | Action::Issue { by: Some(t), .. } => {
            format!(" by {}", names.thread(t))
        }
        _ => String::new(),
    };
    let text = match *action {
        Action::Associate { device, port, key } => format!(
            "associate {} with {} (key {key})",
            names.device(device),
            names.port(port)
        ),
        Action::Issue {
            device,
            overlapped,
            inline,
            ..
        } => match inline {
            None => format!(
                "issue a request on {} with OVERLAPPED {}",
                names.device(device),
                names.overlapped(overlapped)
            ),
            Some(bytes) => format!(
                "issue a request on {} with OVERLAPPED {} that completes at once ({bytes} bytes)",
                names.device(device),
                names.overlapped(overlapped)
            ),
        },
        Action::Complete {
            overlapped,
            bytes,
            status,
        } => format!(
            "complete OVERLAPPED {} ({bytes} bytes, {})",
            names.overlapped(overlapped),
            names.status(status)
        ),
        Action::Post {
            port,
            key,
            bytes,
            overlapped,
            ..
        } => format!(
            "post to {} (key {key}, {bytes} bytes, {})",
            names.port(port),
            overlapped
                .map(|o| format!("OVERLAPPED {}", names.overlapped(o)))
                .unwrap_or_else(|| "no OVERLAPPED".into())
        ),
        Action::Get {
            thread,
            port,
            timeout: t,
        } => format!(
            "{} calls get on {} (timeout {})",
            names.thread(thread),
            names.port(port),
            timeout(t)
        ),
        Action::GetEx {
            thread,
            port,
            max,
            timeout: t,
        } => format!(
            "{} calls get_ex on {} (up to {max} entries, timeout {})",
            names.thread(thread),
            names.port(port),
            timeout(t)
        ),
        Action::Block { thread, on } => match on {
            Some(l) => format!("{} blocks on {}", names.thread(thread), names.label(l)),
            None => format!("{} blocks", names.thread(thread)),
        },
        Action::Unblock { thread } => format!("{} unblocks", names.thread(thread)),
        Action::Timeout { thread } => format!("{}'s get times out", names.thread(thread)),
        Action::Exit { thread } => format!("{} exits", names.thread(thread)),
        Action::CloseDevice { device } => format!("close {}", names.device(device)),
        Action::ClosePort { port } => format!("close {}", names.port(port)),
    };
    text + &by
}

/// A packet's four IOCQ fields, compactly: `[key 7 | 0 B | ovA | success]`.
pub fn packet_cell(p: &Packet, names: &Names) -> String {
    format!(
        "[key {} | {} B | {} | {}]",
        p.key,
        p.bytes,
        p.overlapped.map(|o| names.overlapped(o)).unwrap_or("null"),
        names.status(p.status)
    )
}
