//! What is compared after each step ([`StepObs`]), and how the probe's
//! line output is read back into it ([`parse_probe_output`]).
//!
//! Both sides are reduced to the same three observable facts per step:
//! the step's own call result, the threads whose GetQueuedCompletionStatus(Ex)
//! returned (with the packets or the error), and every port's queue depth.

use std::fmt;

use crate::model::{Names, OvId, PortId, ThreadId};

/// What one thread's get/get_ex returned during a step.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Return {
    /// It dequeued these packets (one for get, up to n for get_ex).
    Packets(Vec<Pkt>),
    /// The call failed without a packet (WAIT_TIMEOUT, ERROR_ABANDONED_WAIT_0, ...).
    Error(String),
    /// The real thread could not make the step's call: it was still inside
    /// an earlier wait (the model thought it was running).
    Busy,
}

/// A dequeued completion packet, with names instead of ids.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pkt {
    /// Completion key.
    pub key: u64,
    /// Bytes transferred.
    pub bytes: u64,
    /// OVERLAPPED label, `None` for a null OVERLAPPED.
    pub overlapped: Option<String>,
    /// `"success"` or an error name.
    pub status: String,
}

impl fmt::Display for Pkt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "key={} bytes={} ov={} {}",
            self.key,
            self.bytes,
            self.overlapped.as_deref().unwrap_or("null"),
            self.status
        )
    }
}

/// A port's queue depth after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Depth {
    /// Packets in the IOCQ (NtQueryIoCompletion's Depth).
    Queued(u64),
    /// The port's handle is closed: nothing can be queried.
    Closed,
    /// The query failed.
    Unknown,
}

impl fmt::Display for Depth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Depth::Queued(n) => write!(f, "{n}"),
            Depth::Closed => f.write_str("closed"),
            Depth::Unknown => f.write_str("?"),
        }
    }
}

/// The observable facts of one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepObs {
    /// 1-based step number.
    pub step: usize,
    /// The op, with its main argument (`"post P"`, `"get T1"`), or `"-"`.
    pub op: String,
    /// The model rejected the action: the probe did not run it and its
    /// result is not compared (returns and depths still are).
    pub skipped: bool,
    /// The step's own call result: `"success"`, `"pending"` or an error name.
    pub result: String,
    /// Threads whose get returned during the step, sorted by thread name
    /// (the real kernel wakes several threads concurrently, so the order
    /// across threads within one step is not observable).
    pub returns: Vec<(String, Return)>,
    /// Each port's depth, in port order.
    pub depths: Vec<(String, Depth)>,
    /// Probe warnings (timing); shown, never compared.
    pub warnings: Vec<String>,
}

impl StepObs {
    /// A step with nothing observed yet.
    pub fn new(step: usize, op: String) -> StepObs {
        StepObs {
            step,
            op,
            skipped: false,
            result: "success".to_owned(),
            returns: Vec::new(),
            depths: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Sorts the returns by thread name so that two observations compare
    /// independently of the order in which concurrent returns were seen.
    pub fn normalize(&mut self) {
        self.returns.sort_by(|a, b| a.0.cmp(&b.0));
    }

    /// The returns as display lines (`"T2 <- key=7 bytes=0 ov=null success"`).
    pub fn return_lines(&self) -> Vec<String> {
        let mut v = Vec::new();
        for (t, r) in &self.returns {
            match r {
                Return::Packets(ps) => {
                    for p in ps {
                        v.push(format!("{t} <- {p}"));
                    }
                }
                Return::Error(e) => v.push(format!("{t} <- {e}")),
                Return::Busy => v.push(format!("{t} busy (still in a wait)")),
            }
        }
        v
    }

    /// The depths as one display line (`"depth P=1 Q=closed"`).
    pub fn depth_line(&self) -> String {
        let mut s = String::from("depth");
        for (p, d) in &self.depths {
            s.push_str(&format!(" {p}={d}"));
        }
        s
    }
}

/// The name of a Win32 error code as scenarios write it.
pub fn error_name(code: u32) -> String {
    match code {
        0 => "success".to_owned(),
        6 => "ERROR_INVALID_HANDLE".to_owned(),
        64 => "ERROR_NETNAME_DELETED".to_owned(),
        87 => "ERROR_INVALID_PARAMETER".to_owned(),
        109 => "ERROR_BROKEN_PIPE".to_owned(),
        234 => "ERROR_MORE_DATA".to_owned(),
        258 => "WAIT_TIMEOUT".to_owned(),
        735 => "ERROR_ABANDONED_WAIT_0".to_owned(),
        995 => "ERROR_OPERATION_ABORTED".to_owned(),
        997 => "ERROR_IO_PENDING".to_owned(),
        1236 => "ERROR_CONNECTION_ABORTED".to_owned(),
        _ => format!("error {code}"),
    }
}

/// The probe's output could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeOutputError {
    /// 1-based line of the probe's output.
    pub line: usize,
    /// What was wrong.
    pub reason: String,
}

impl fmt::Display for ProbeOutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "probe output line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for ProbeOutputError {}

fn code_or_word(s: &str) -> String {
    match s.parse::<u32>() {
        Ok(c) => error_name(c),
        Err(_) => s.to_owned(),
    }
}

/// Reads the probe's output (see the header of `probe/probe.rs`) into one
/// [`StepObs`] per step, naming ids with `names`. `ops` gives each step's
/// display op (from the plan) so both sides print the same thing.
pub fn parse_probe_output(
    text: &str,
    names: &Names,
    ops: &[(String, bool)],
) -> Result<Vec<StepObs>, ProbeOutputError> {
    let mut out: Vec<StepObs> = Vec::new();
    let mut cur: Option<StepObs> = None;
    let mut done = false;
    for (i, line) in text.lines().enumerate() {
        let err = |reason: &str| ProbeOutputError {
            line: i + 1,
            reason: format!("{reason}: {line:?}"),
        };
        let w: Vec<&str> = line.split_whitespace().collect();
        if w.is_empty() {
            continue;
        }
        let num = |j: usize| -> Result<u64, ProbeOutputError> {
            w.get(j)
                .and_then(|x| x.parse::<u64>().ok())
                .ok_or_else(|| err("expected a number"))
        };
        let id = |j: usize| -> Result<u32, ProbeOutputError> {
            w.get(j)
                .and_then(|x| x.parse::<u32>().ok())
                .ok_or_else(|| err("expected an id"))
        };
        match w[0] {
            "probe" | "done" => done = w[0] == "done",
            "step" => {
                let k = num(1)? as usize;
                let (op, skipped) = ops.get(k - 1).cloned().unwrap_or_default();
                let mut s = StepObs::new(k, op);
                s.skipped = skipped;
                cur = Some(s);
            }
            "result" | "ret" | "depth" | "warn" | "end" => {
                let s = cur.as_mut().ok_or_else(|| err("line outside a step"))?;
                match w[0] {
                    "result" => s.result = code_or_word(w.get(1).copied().unwrap_or("?")),
                    "warn" => {
                        // "thread 2" -> "thread T3"
                        let mut words: Vec<String> = Vec::new();
                        for (j, x) in w[1..].iter().enumerate() {
                            let after_thread = j > 0 && w[j] == "thread";
                            match x.parse::<u32>() {
                                Ok(t) if after_thread => {
                                    words.push(names.thread(ThreadId(t)).to_owned())
                                }
                                _ => words.push((*x).to_owned()),
                            }
                        }
                        s.warnings.push(words.join(" "));
                    }
                    "depth" => {
                        let p = names.port(PortId(id(1)?)).to_owned();
                        let d = match w.get(2).copied() {
                            Some("closed") => Depth::Closed,
                            Some(x) => x.parse().map(Depth::Queued).unwrap_or(Depth::Unknown),
                            None => Depth::Unknown,
                        };
                        s.depths.push((p, d));
                    }
                    "ret" => {
                        let t = names.thread(ThreadId(id(1)?)).to_owned();
                        let r = match w.get(2).copied() {
                            Some("err") => Return::Error(error_name(num(3)? as u32)),
                            Some("busy") => Return::Busy,
                            Some("pkt") => {
                                let ov = match w.get(5).copied() {
                                    Some("-") => None,
                                    Some(x) => match x.parse::<u32>() {
                                        Ok(o) => Some(names.overlapped(OvId(o)).to_owned()),
                                        Err(_) => Some(x.to_owned()),
                                    },
                                    None => return Err(err("missing OVERLAPPED")),
                                };
                                Return::Packets(vec![Pkt {
                                    key: num(3)?,
                                    bytes: num(4)?,
                                    overlapped: ov,
                                    status: error_name(num(6)? as u32),
                                }])
                            }
                            _ => return Err(err("unknown return kind")),
                        };
                        // get_ex packets come as several lines for one thread.
                        match (s.returns.last_mut(), r) {
                            (Some((lt, Return::Packets(ps))), Return::Packets(more))
                                if *lt == t =>
                            {
                                ps.extend(more)
                            }
                            (_, r) => s.returns.push((t, r)),
                        }
                    }
                    _ => {
                        let mut s = cur.take().expect("checked above");
                        s.normalize();
                        out.push(s);
                    }
                }
            }
            _ => return Err(err("unknown line")),
        }
    }
    if !done {
        return Err(ProbeOutputError {
            line: text.lines().count(),
            reason: "the probe stopped before `done`".to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        let mut n = Names::new(
            vec!["P".into()],
            vec!["T1".into(), "T2".into()],
            vec!["D".into()],
        );
        n.intern_overlapped("A");
        n
    }

    #[test]
    fn reads_returns_depths_and_batches() {
        let text = "probe 1\nstep 1 get_ex\nresult success\nret 1 pkt 7 3 0 0\nret 1 pkt 8 0 - 995\nret 0 err 258\ndepth 0 2\nend 1\ndone\n";
        let ops = vec![("get_ex T2".to_owned(), false)];
        let v = parse_probe_output(text, &names(), &ops).unwrap();
        assert_eq!(v.len(), 1);
        let s = &v[0];
        assert_eq!(s.result, "success");
        assert_eq!(s.op, "get_ex T2");
        assert_eq!(
            s.returns[0],
            ("T1".into(), Return::Error("WAIT_TIMEOUT".into()))
        );
        match &s.returns[1] {
            (t, Return::Packets(ps)) => {
                assert_eq!(t, "T2");
                assert_eq!(ps.len(), 2);
                assert_eq!(ps[0].overlapped.as_deref(), Some("A"));
                assert_eq!(ps[1].status, "ERROR_OPERATION_ABORTED");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(s.depths, vec![("P".into(), Depth::Queued(2))]);
    }

    #[test]
    fn truncated_output_is_an_error() {
        let text = "probe 1\nstep 1 post\nresult success\n";
        assert!(parse_probe_output(text, &names(), &[]).is_err());
    }
}
