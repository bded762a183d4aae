//! Writing `iocp-sim/1` text: an action's fields, an author's text, a
//! port's state as an expectation, and a whole scenario. Used by every tool
//! that saves a scenario (the explorer's shortest traces, the player's
//! what-if branches), so they all write the format the same way.

use std::fmt::Write as _;

use super::text::Text;
use super::World;
use crate::model::{Action, Kernel, Names, PortId, ThreadId, Timeout};

/// A JSON string literal.
pub fn js(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

fn timeout_json(t: Timeout) -> String {
    match t {
        Timeout::Infinite => "\"infinite\"".to_owned(),
        Timeout::Ms(ms) => ms.to_string(),
    }
}

/// An author's text: a string when it has only English, else
/// `{"en": ..., "ko": ...}`.
pub fn text_json(t: &Text) -> String {
    match &t.ko {
        None => js(&t.en),
        Some(ko) => format!("{{ \"en\": {}, \"ko\": {} }}", js(&t.en), js(ko)),
    }
}

/// `, "by": "T"` for an action called by a scenario thread, else nothing.
fn by_field(n: &Names, by: Option<ThreadId>) -> String {
    by.map_or(String::new(), |t| format!(", \"by\": {}", js(n.thread(t))))
}

/// The scenario-file fields of an action (`"op": ..., ...`).
pub fn action_fields(n: &Names, a: &Action) -> String {
    match *a {
        Action::Associate { device, port, key } => format!(
            "\"op\": \"associate\", \"device\": {}, \"port\": {}, \"key\": {key}",
            js(n.device(device)),
            js(n.port(port))
        ),
        Action::Issue {
            device,
            overlapped,
            inline,
            by,
        } => {
            let mut s = format!(
                "\"op\": \"issue\", \"device\": {}, \"overlapped\": {}",
                js(n.device(device)),
                js(n.overlapped(overlapped))
            );
            if let Some(b) = inline {
                let _ = write!(s, ", \"inline\": true, \"bytes\": {b}");
            }
            s.push_str(&by_field(n, by));
            s
        }
        Action::Complete {
            overlapped,
            bytes,
            status,
        } => format!(
            "\"op\": \"complete\", \"overlapped\": {}, \"bytes\": {bytes}, \"status\": {}",
            js(n.overlapped(overlapped)),
            js(n.status(status))
        ),
        Action::Post {
            port,
            key,
            bytes,
            overlapped,
            by,
        } => format!(
            "\"op\": \"post\", \"port\": {}, \"key\": {key}, \"bytes\": {bytes}, \"overlapped\": {}{}",
            js(n.port(port)),
            overlapped.map_or("null".to_owned(), |o| js(n.overlapped(o))),
            by_field(n, by)
        ),
        Action::Get {
            thread,
            port,
            timeout,
        } => format!(
            "\"op\": \"get\", \"thread\": {}, \"port\": {}, \"timeout\": {}",
            js(n.thread(thread)),
            js(n.port(port)),
            timeout_json(timeout)
        ),
        Action::GetEx {
            thread,
            port,
            max,
            timeout,
        } => format!(
            "\"op\": \"get_ex\", \"thread\": {}, \"port\": {}, \"max\": {max}, \"timeout\": {}",
            js(n.thread(thread)),
            js(n.port(port)),
            timeout_json(timeout)
        ),
        Action::Block { thread, on } => {
            let mut s = format!("\"op\": \"block\", \"thread\": {}", js(n.thread(thread)));
            if let Some(l) = on {
                let _ = write!(s, ", \"on\": {}", js(n.label(l)));
            }
            s
        }
        Action::Unblock { thread } => {
            format!("\"op\": \"unblock\", \"thread\": {}", js(n.thread(thread)))
        }
        Action::Timeout { thread } => {
            format!("\"op\": \"timeout\", \"thread\": {}", js(n.thread(thread)))
        }
        Action::Exit { thread } => format!("\"op\": \"exit\", \"thread\": {}", js(n.thread(thread))),
        Action::CloseDevice { device } => format!(
            "\"op\": \"close_device\", \"device\": {}",
            js(n.device(device))
        ),
        Action::ClosePort { port } => {
            format!("\"op\": \"close_port\", \"port\": {}", js(n.port(port)))
        }
    }
}

/// One port's state in `k` as the value of `expect.ports.P`: `current`,
/// `over_limit`, `iocq_len`, and the WTQ (in wake order), RTL and PTL.
pub fn port_expect(n: &Names, k: &Kernel, p: PortId) -> String {
    let port = k.port(p);
    let names = |ids: &[ThreadId]| {
        ids.iter()
            .map(|t| js(n.thread(*t)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "{{ \"current\": {}, \"over_limit\": {}, \"iocq_len\": {}, \"wtq\": [{}], \"rtl\": [{}], \"ptl\": [{}] }}",
        port.current(),
        port.over_limit(),
        port.iocq().len(),
        names(&port.wtq().wake_order(k.flavor().wake_order())),
        names(port.rtl().as_slice()),
        names(port.ptl().as_slice()),
    )
}

/// One step to write: its action (or none), note and `expect` object (JSON).
#[derive(Clone, Debug)]
pub struct StepOut {
    /// The action, or `None` for a step that only narrates or checks.
    pub action: Option<Action>,
    /// The note.
    pub note: Option<Text>,
    /// The `expect` object, as JSON text.
    pub expect: Option<String>,
}

/// A whole scenario: `world` (with `title` and `description` as given),
/// then `steps`.
pub fn scenario_json(
    world: &World,
    title: &Text,
    description: Option<&Text>,
    names: &Names,
    steps: &[StepOut],
) -> String {
    let mut s = String::new();
    s.push_str("{\n  \"format\": \"iocp-sim/1\",\n");
    let _ = writeln!(s, "  \"title\": {},", text_json(title));
    if let Some(d) = description {
        let _ = writeln!(s, "  \"description\": {},", text_json(d));
    }
    let _ = writeln!(s, "  \"flavor\": \"{}\",", world.flavor.as_str());
    let _ = writeln!(s, "  \"cpus\": {},", world.cpus);
    let ports: Vec<String> = world
        .ports
        .iter()
        .map(|p| {
            format!(
                "{{ \"id\": {}, \"concurrency\": {} }}",
                js(&p.id),
                p.concurrency
            )
        })
        .collect();
    let _ = writeln!(s, "  \"ports\": [{}],", ports.join(", "));
    let threads: Vec<String> = world.threads.iter().map(|t| js(t)).collect();
    let _ = writeln!(s, "  \"threads\": [{}],", threads.join(", "));
    let devices: Vec<String> = world
        .devices
        .iter()
        .map(|d| {
            format!(
                "{{ \"id\": {}, \"skip_on_success\": {} }}",
                js(&d.id),
                d.skip_on_success
            )
        })
        .collect();
    let _ = writeln!(s, "  \"devices\": [{}],", devices.join(", "));
    s.push_str("  \"steps\": [\n");
    let lines: Vec<String> = steps
        .iter()
        .map(|st| {
            let mut fields = Vec::new();
            if let Some(a) = &st.action {
                fields.push(action_fields(names, a));
            }
            if let Some(n) = &st.note {
                fields.push(format!("\"note\": {}", text_json(n)));
            }
            if let Some(e) = &st.expect {
                fields.push(format!("\"expect\": {e}"));
            }
            format!("    {{ {} }}", fields.join(",\n      "))
        })
        .collect();
    s.push_str(&lines.join(",\n"));
    s.push_str("\n  ]\n}\n");
    s
}
