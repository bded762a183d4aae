//! Planning: runs a [`Case`] through the model in one flavour, records what
//! the model says can be observed after each step, and writes the probe
//! script that makes real threads do the same steps.
//!
//! Everything here is portable and pure; launching the probe is in
//! [`super::launch`].

use std::fmt::Write as _;

use crate::model::{Action, CallResult, Flavor, Kernel, Outcome, StatusId, ThreadState, Timeout};

use super::case::Case;
use super::observe::{Depth, Pkt, Return, StepObs};

/// The largest get_ex batch the probe supports.
pub const MAX_BATCH: u32 = 64;
/// The largest byte count a completion can carry in the probe (one pipe message).
pub const MAX_BYTES: u64 = 65536;

/// The NTSTATUS a driver completes a request with, for each Win32 error a
/// scenario may name as a completion status (GetQueuedCompletionStatus maps
/// it back with RtlNtStatusToDosError).
pub fn ntstatus_of(error: &str) -> Option<u32> {
    Some(match error {
        "ERROR_ACCESS_DENIED" => 0xC000_0022,
        "ERROR_NOT_ENOUGH_MEMORY" => 0xC000_0017,
        "ERROR_INVALID_PARAMETER" => 0xC000_000D,
        "ERROR_HANDLE_EOF" => 0xC000_0011,
        "ERROR_NETNAME_DELETED" => 0xC000_00C9,
        "ERROR_SEM_TIMEOUT" => 0xC000_00B5,
        "ERROR_BROKEN_PIPE" => 0xC000_014B,
        "ERROR_OPERATION_ABORTED" => 0xC000_0120,
        "ERROR_CONNECTION_REFUSED" => 0xC000_0236,
        "ERROR_NETWORK_UNREACHABLE" => 0xC000_023C,
        "ERROR_HOST_UNREACHABLE" => 0xC000_023D,
        "ERROR_PORT_UNREACHABLE" => 0xC000_023F,
        "ERROR_CONNECTION_ABORTED" => 0xC000_0241,
        _ => return None,
    })
}

/// A step the probe cannot reproduce faithfully.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// 1-based step number.
    pub step: usize,
    /// Why.
    pub reason: String,
}

/// Where a comparison ends early: the first step the model rejects
/// without the scenario expecting it (as `iocp-sim run` stops there, no
/// later step has a model side to compare with).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stop {
    /// 1-based step number of the rejected step.
    pub step: usize,
    /// The op, as tables show it (`get T2`).
    pub op: String,
    /// Why the model rejects it, with the scenario's names.
    pub reason: String,
}

/// A planned comparison: the model's observations and the probe script.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The flavour the model ran in.
    pub flavor: Flavor,
    /// What the model says is observed after each step: steps 1 to
    /// `model.len()`, all of the scenario's unless [`stopped`](Plan::stopped).
    pub model: Vec<StepObs>,
    /// The number of steps in the scenario.
    pub steps: usize,
    /// Set when the model rejects a step the scenario does not expect it
    /// to: the plan (and so the comparison) ends before that step.
    pub stopped: Option<Stop>,
    /// Each step's display op and whether the model rejected it.
    pub ops: Vec<(String, bool)>,
    /// The probe script (see `probe/probe.rs`).
    pub script: String,
    /// Steps that cannot be reproduced; when non-empty the case is
    /// unsupported and must not be reported as agreeing.
    pub unsupported: Vec<Unsupported>,
}

impl Plan {
    /// True if every step can be reproduced by the probe.
    pub fn supported(&self) -> bool {
        self.unsupported.is_empty()
    }
}

/// The op as shown in tables: the op name and its main argument.
pub fn display_op(case: &Case, action: Option<&Action>) -> String {
    let n = &case.names;
    match action {
        None => "-".to_owned(),
        Some(a) => {
            let arg = match *a {
                Action::Associate { device, port, .. } => {
                    format!("{}->{}", n.device(device), n.port(port))
                }
                Action::Issue {
                    device, overlapped, ..
                } => {
                    format!("{} {}", n.device(device), n.overlapped(overlapped))
                }
                Action::Complete { overlapped, .. } => n.overlapped(overlapped).to_owned(),
                Action::Post { port, .. } | Action::ClosePort { port } => n.port(port).to_owned(),
                Action::Get { thread, .. }
                | Action::GetEx { thread, .. }
                | Action::Block { thread, .. }
                | Action::Unblock { thread }
                | Action::Timeout { thread }
                | Action::Exit { thread } => n.thread(thread).to_owned(),
                Action::CloseDevice { device } => n.device(device).to_owned(),
            };
            format!("{} {}", a.op(), arg)
        }
    }
}

fn model_obs(case: &Case, k: &Kernel, out: &Outcome, step: usize, op: String) -> StepObs {
    let n = &case.names;
    let mut s = StepObs::new(step, op);
    s.result = out.result.as_str().to_owned();
    for d in &out.deliveries {
        let t = n.thread(d.thread).to_owned();
        let pkt = Pkt {
            key: d.packet.key,
            bytes: d.packet.bytes,
            overlapped: d.packet.overlapped.map(|o| n.overlapped(o).to_owned()),
            status: n.status(d.packet.status).to_owned(),
        };
        match s.returns.iter_mut().find(|(x, _)| *x == t) {
            Some((_, Return::Packets(ps))) => ps.push(pkt),
            _ => s.returns.push((t, Return::Packets(vec![pkt]))),
        }
    }
    for &(t, e) in &out.failures {
        s.returns
            .push((n.thread(t).to_owned(), Return::Error(e.name().to_owned())));
    }
    for (i, p) in k.ports().iter().enumerate() {
        let name = n.port(crate::model::PortId::from_index(i)).to_owned();
        let d = if p.closed() {
            Depth::Closed
        } else {
            Depth::Queued(p.iocq().len() as u64)
        };
        s.depths.push((name, d));
    }
    s.normalize();
    s
}

/// Runs `case` through the model in `flavor` and writes the probe script.
pub fn plan(case: &Case, flavor: Flavor) -> Plan {
    let mut config = case.config.clone();
    config.flavor = flavor;
    let mut kernel = Kernel::new(&config);
    let mut out = Outcome::default();
    let mut model = Vec::new();
    let mut ops = Vec::new();
    let mut unsupported = Vec::new();
    let mut stopped = None;
    // Script lines for the steps; a get with a finite timeout is patched
    // once the step that times it out is known.
    let mut lines: Vec<String> = Vec::new();
    let mut waiting_since: Vec<Option<usize>> = vec![None; config.threads];
    let mut timeout_at: Vec<Option<usize>> = Vec::new();
    let mut pending_per_device = vec![0usize; config.devices.len()];
    let mut instances = vec![1usize; config.devices.len()];
    // The step (index into `lines`) that issued each pending OVERLAPPED.
    let mut issued_at: std::collections::HashMap<crate::model::OvId, usize> = Default::default();
    // Requests completed with an error status are synthesized (see probe.rs).
    let mut synthesized: Vec<usize> = Vec::new();
    let mut synthesized_completions: Vec<usize> = Vec::new();
    let n = &case.names;

    for (i, action) in case.steps.iter().enumerate() {
        let step = i + 1;
        let op = display_op(case, action.as_ref());
        timeout_at.push(None);
        let Some(action) = *action else {
            ops.push((op.clone(), false));
            model.push(model_obs(case, &kernel, &Outcome::default(), step, op));
            lines.push(format!("step {step} nop"));
            continue;
        };
        let before: Vec<ThreadState> = kernel.threads().iter().map(|t| t.state()).collect();
        let rejection = kernel.apply(action, &mut out).err();
        let rejected = rejection.is_some();
        if let Some(r) =
            rejection.filter(|_| !case.rejection_expected.get(i).copied().unwrap_or(false))
        {
            // As in `iocp-sim run`: an unexpected rejection ends the run.
            stopped = Some(Stop {
                step,
                op,
                reason: crate::narrate::rejection_reason(&r, n),
            });
            break;
        }
        if rejected {
            ops.push((op.clone(), true));
            let mut s = model_obs(case, &kernel, &Outcome::default(), step, op);
            s.skipped = true;
            s.result = "rejected".to_owned();
            model.push(s);
            lines.push(format!("step {step} nop"));
            continue;
        }
        let mut unsup = |reason: String| unsupported.push(Unsupported { step, reason });
        let tmo = |t: Timeout| match t {
            Timeout::Infinite => "inf".to_owned(),
            Timeout::Ms(0) => "0".to_owned(),
            Timeout::Ms(_) => "never".to_owned(),
        };
        let line = match action {
            Action::Post {
                port,
                key,
                bytes,
                overlapped,
                by,
            } => {
                if bytes > u32::MAX as u64 {
                    unsup(format!("post of {bytes} bytes does not fit a DWORD"));
                }
                let ov = overlapped.map_or("-".to_owned(), |o| o.0.to_string());
                match by {
                    // The worker posts itself, in its own context (rule 2's mark).
                    Some(t) => format!("post_by {} {} {key} {bytes} {ov}", t.0, port.0),
                    None => format!("post {} {key} {bytes} {ov}", port.0),
                }
            }
            Action::Get {
                thread,
                port,
                timeout,
            } => {
                format!("get {} {} {}", thread.0, port.0, tmo(timeout))
            }
            Action::GetEx {
                thread,
                port,
                max,
                timeout,
            } => {
                if max > MAX_BATCH {
                    unsup(format!(
                        "get_ex with max {max}: the probe takes at most {MAX_BATCH}"
                    ));
                }
                format!("get_ex {} {} {max} {}", thread.0, port.0, tmo(timeout))
            }
            Action::Block { thread, .. } => format!("block {}", thread.0),
            Action::Unblock { thread } => format!("unblock {}", thread.0),
            Action::Timeout { thread } => {
                if let Some(g) = waiting_since[thread.index()] {
                    timeout_at[g - 1] = Some(step);
                }
                format!("timeout {}", thread.0)
            }
            Action::Exit { thread } => format!("exit {}", thread.0),
            Action::Associate { device, port, key } => {
                format!("associate {} {} {key}", device.0, port.0)
            }
            Action::Issue {
                device,
                overlapped,
                inline,
                by,
            } => {
                if by.is_some() && inline.is_some() {
                    unsup("an inline issue by a scenario thread: the probe issues every request from its controller".to_owned());
                }
                if inline.is_some_and(|b| b > MAX_BYTES) {
                    unsup(format!("inline issue of more than {MAX_BYTES} bytes"));
                }
                let d = device.index();
                if inline.is_none() && out.result == CallResult::Pending {
                    issued_at.insert(overlapped, lines.len());
                    pending_per_device[d] += 1;
                    instances[d] = instances[d].max(pending_per_device[d]);
                } else if inline.is_some() && out.result == CallResult::Success {
                    // An inline request reads from a free instance too.
                    instances[d] = instances[d].max(pending_per_device[d] + 1);
                }
                let inl = inline.map_or("-".to_owned(), |b| b.to_string());
                format!("issue {} {} {inl}", device.0, overlapped.0)
            }
            Action::Complete {
                overlapped,
                bytes,
                status,
            } => {
                let nt = if status == StatusId::SUCCESS {
                    String::new()
                } else {
                    if let Some(&at) = issued_at.get(&overlapped) {
                        synthesized.push(at);
                    }
                    synthesized_completions.push(lines.len());
                    match ntstatus_of(n.status(status)) {
                        Some(code) => format!(" {code:08x}"),
                        None => {
                            unsup(format!(
                                "complete with status {}: no NTSTATUS known for it",
                                n.status(status)
                            ));
                            String::new()
                        }
                    }
                };
                if bytes > MAX_BYTES {
                    unsup(format!("complete with {bytes} bytes: at most {MAX_BYTES}"));
                }
                for f in &out.fired {
                    if let crate::model::Event::Completed { device, .. } = f.event {
                        pending_per_device[device.index()] -= 1;
                    }
                }
                issued_at.remove(&overlapped);
                format!("complete {} {bytes}{nt}", overlapped.0)
            }
            Action::CloseDevice { device } => {
                pending_per_device[device.index()] = 0;
                format!("close_device {}", device.0)
            }
            Action::ClosePort { port } => format!("close_port {}", port.0),
        };
        // Track finite waits: the step each one started at.
        for (t, th) in kernel.threads().iter().enumerate() {
            let was = matches!(before[t], ThreadState::Waiting(_));
            match th.state() {
                ThreadState::Waiting(w) if !was => {
                    waiting_since[t] = match w.timeout {
                        Timeout::Ms(ms) if ms > 0 => Some(step),
                        _ => None,
                    };
                }
                ThreadState::Waiting(_) => {}
                _ => waiting_since[t] = None,
            }
        }
        ops.push((op.clone(), false));
        model.push(model_obs(case, &kernel, &out, step, op));
        lines.push(format!("step {step} {line}"));
    }

    for &at in &synthesized {
        lines[at].push_str(" syn");
    }
    for at in synthesized.into_iter().chain(synthesized_completions) {
        ops[at].0.push_str(" (syn)");
        model[at].op.push_str(" (syn)");
    }
    // Finite waits that the scenario times out get `at:K`.
    for (i, at) in timeout_at.iter().enumerate() {
        if let Some(k) = at {
            let l = &mut lines[i];
            if let Some(pos) = l.rfind(" never") {
                l.replace_range(pos.., &format!(" at:{k}"));
            }
        }
    }

    let mut script = String::from("iocp-probe 1\n");
    let _ = writeln!(script, "# {}", case.source.replace('\n', " "));
    for &c in &config.ports {
        let max = if c == 0 { config.cpus } else { c };
        let _ = writeln!(script, "port {max}");
    }
    let _ = writeln!(script, "threads {}", config.threads);
    let _ = writeln!(script, "overlapped {}", n.overlapped_count());
    for (d, &skip) in config.devices.iter().enumerate() {
        let _ = writeln!(script, "device {} {}", u8::from(skip), instances[d]);
    }
    for l in lines {
        script.push_str(&l);
        script.push('\n');
    }
    Plan {
        flavor,
        model,
        steps: case.steps.len(),
        stopped,
        ops,
        script,
        unsupported,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load_str;

    fn case(json: &str) -> Case {
        Case::from_scenario(&load_str("test.json", json).unwrap())
    }

    const WORLD: &str = r#""format": "iocp-sim/1", "title": "t",
        "ports": [{ "id": "P", "concurrency": 0 }], "cpus": 3,
        "threads": ["T1", "T2"], "devices": [{ "id": "D" }]"#;

    fn steps(s: &str) -> Case {
        case(&format!("{{ {WORLD}, \"steps\": [{s}] }}"))
    }

    #[test]
    fn a_finite_wait_is_timed_to_expire_at_its_timeout_step() {
        let c = steps(
            r#"{ "op": "get", "thread": "T1", "port": "P", "timeout": 50 },
               { "op": "get", "thread": "T2", "port": "P", "timeout": 50 },
               { "op": "post", "port": "P" },
               { "op": "timeout", "thread": "T2" }"#,
        );
        let p = plan(&c, Flavor::Wine);
        // Wine wakes T1 (FIFO) at step 3; T2 times out at step 4.
        assert!(p.script.contains("step 1 get 0 0 never\n"), "{}", p.script);
        assert!(p.script.contains("step 2 get 1 0 at:4\n"), "{}", p.script);
        // Concurrency 0 is resolved to the scenario's cpus.
        assert!(p.script.contains("\nport 3\n"), "{}", p.script);
        assert!(p.supported());
    }

    #[test]
    fn devices_get_one_pipe_instance_per_concurrent_request() {
        let c = steps(
            r#"{ "op": "issue", "device": "D", "overlapped": "a" },
               { "op": "issue", "device": "D", "overlapped": "b" },
               { "op": "complete", "overlapped": "a" },
               { "op": "issue", "device": "D", "overlapped": "c" }"#,
        );
        let p = plan(&c, Flavor::Windows);
        assert!(p.script.contains("\ndevice 0 2\n"), "{}", p.script);
        // An inline request needs a free instance while two are pending.
        let c = steps(
            r#"{ "op": "issue", "device": "D", "overlapped": "a" },
               { "op": "issue", "device": "D", "overlapped": "b" },
               { "op": "issue", "device": "D", "overlapped": "c", "inline": true, "bytes": 4 }"#,
        );
        let p = plan(&c, Flavor::Windows);
        assert!(p.script.contains("\ndevice 0 3\n"), "{}", p.script);
    }

    #[test]
    fn an_expected_rejection_is_not_run_and_an_unexpected_one_ends_the_plan() {
        let c = steps(
            r#"{ "op": "get", "thread": "T1", "port": "P" },
               { "op": "get", "thread": "T1", "port": "P", "expect": { "error": "T1" } },
               { "op": "post", "port": "P" },
               { "op": "get", "thread": "T2", "port": "P" },
               { "op": "get", "thread": "T2", "port": "P" },
               { "op": "post", "port": "P" }"#,
        );
        let p = plan(&c, Flavor::Windows);
        assert!(p.script.contains("step 2 nop\n"), "{}", p.script);
        assert!(p.model[1].skipped);
        // T2 took nothing at step 4 and waits; step 5 is rejected without
        // expect.error: the run stops there, as `iocp-sim run` does.
        assert_eq!(p.model.len(), 4);
        assert!(!p.script.contains("step 5"), "{}", p.script);
        assert_eq!(p.steps, 6);
        let stop = p.stopped.expect("the plan says where it stopped");
        assert_eq!((stop.step, stop.op.as_str()), (5, "get T2"));
        assert!(
            stop.reason.starts_with("T2 is waiting in P's WTQ"),
            "{}",
            stop.reason
        );
        // An expected rejection does not stop it.
        let c = steps(
            r#"{ "op": "get", "thread": "T1", "port": "P" },
               { "op": "get", "thread": "T1", "port": "P", "expect": { "error": "T1" } }"#,
        );
        let p = plan(&c, Flavor::Windows);
        assert_eq!((p.model.len(), p.steps, p.stopped), (2, 2, None));
    }

    #[test]
    fn the_model_side_records_returns_and_depths() {
        let c = steps(
            r#"{ "op": "get", "thread": "T1", "port": "P" },
               { "op": "get", "thread": "T2", "port": "P" },
               { "op": "post", "port": "P", "key": 9 }"#,
        );
        let w = plan(&c, Flavor::Windows);
        let f = plan(&c, Flavor::Wine);
        assert_eq!(
            w.model[2].return_lines(),
            vec!["T2 <- key=9 bytes=0 ov=null success"]
        );
        assert_eq!(
            f.model[2].return_lines(),
            vec!["T1 <- key=9 bytes=0 ov=null success"]
        );
        assert_eq!(w.model[2].depth_line(), "depth P=0");
    }
}
