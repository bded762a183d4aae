//! Turns raw keys into meaning: checks the world, resolves each step's ids
//! to model ids and checks its arguments, before anything runs.

use std::collections::HashSet;

use super::error::Problem;
use super::expect::resolve_expect;
use super::lookup::{check_status, Lookup};
use super::raw::{Op, RawScenario, RawStep, RawThread, RawTimeout};
use super::{DeviceDecl, PortDecl, Step, World, FORMAT};
use crate::model::{Action, Flavor, Names, ThreadId, Timeout};
use crate::program::spec::{check_program, ThreadSpec, MAX_THREADS};

/// Checks the world: format version, ids non-empty and unique, numbers in range.
pub(crate) fn resolve_world<S>(raw: RawScenario<S>) -> Result<World, Problem> {
    if raw.format != FORMAT {
        return Err(format!(
            "format {:?} is not understood; this build reads {FORMAT:?}",
            raw.format
        )
        .into());
    }
    if let Some((lang, _)) = raw.title.versions().find(|(_, t)| t.contains('\n')) {
        return Err(format!("title ({}) must be one line", lang.code()).into());
    }
    let flavor = match raw.flavor.as_deref() {
        None => Flavor::Windows,
        Some(s) => Flavor::parse(s).ok_or_else(|| Problem::flavor(s))?,
    };
    let cpus = match raw.cpus {
        None => 4,
        Some(n) if (1..=1024).contains(&n) => n as u32,
        Some(n) => return Err(format!("cpus is {n}; it must be between 1 and 1024").into()),
    };
    let mut seen = HashSet::new();
    let mut check_id = |kind: &str, id: &str| -> Result<(), String> {
        if id.is_empty() {
            return Err(format!("a {kind} has an empty id"));
        }
        if !seen.insert(id.to_owned()) {
            return Err(format!(
                "id {id:?} is used twice; ids must be unique across ports, threads and devices"
            ));
        }
        Ok(())
    };
    let mut ports = Vec::new();
    for p in raw.ports {
        check_id("port", &p.id)?;
        if !(0..=u32::MAX as i64).contains(&p.concurrency) {
            return Err(format!(
                "port {:?} has concurrency {}; it must be between 0 and 4294967295 (0 means one per CPU)",
                p.id, p.concurrency
            ).into());
        }
        ports.push(PortDecl {
            id: p.id,
            concurrency: p.concurrency as u32,
        });
    }
    let (threads, programs) = resolve_threads(raw.threads, &ports, &mut check_id)?;
    let mut devices = Vec::new();
    for d in raw.devices.unwrap_or_default() {
        check_id("device", &d.id)?;
        devices.push(DeviceDecl {
            id: d.id,
            skip_on_success: d.skip_on_success,
        });
    }
    Ok(World {
        title: raw.title,
        description: raw.description,
        flavor,
        cpus,
        ports,
        threads,
        programs,
        devices,
    })
}

impl World {
    /// This world with its threads given `programs` instead (a challenge's
    /// own programs for a lesson's threads): checked as a file's thread
    /// entries are, and naming the same threads in the same order.
    pub(crate) fn with_programs(&self, programs: Vec<ThreadSpec>) -> Result<World, String> {
        let mut seen: HashSet<String> = self.ports.iter().map(|p| p.id.clone()).collect();
        seen.extend(self.devices.iter().map(|d| d.id.clone()));
        let mut check_id = |kind: &str, id: &str| -> Result<(), String> {
            if id.is_empty() {
                return Err(format!("a {kind} has an empty id"));
            }
            if !seen.insert(id.to_owned()) {
                return Err(format!("id {id:?} is used twice"));
            }
            Ok(())
        };
        let raw = programs.into_iter().map(RawThread::Program).collect();
        let (threads, programs) = resolve_threads(raw, &self.ports, &mut check_id)?;
        if threads != self.threads {
            return Err(format!(
                "the threads {} differ from the lesson's {}; give each of the lesson's threads its program",
                threads.join(", "),
                self.threads.join(", ")
            ));
        }
        Ok(World {
            threads,
            programs,
            ..self.clone()
        })
    }
}

/// The thread entries: ids, or objects with a program (the explorer's
/// thread entries, checked by [`check_program`], the one check of the
/// program language). Either every thread has a program or none has.
fn resolve_threads(
    raw: Vec<RawThread>,
    ports: &[PortDecl],
    check_id: &mut dyn FnMut(&str, &str) -> Result<(), String>,
) -> Result<(Vec<String>, Vec<ThreadSpec>), String> {
    let port_ids: Vec<&str> = ports.iter().map(|p| p.id.as_str()).collect();
    let mut threads = Vec::new();
    let mut programs = Vec::new();
    let mut without: Option<(usize, String)> = None;
    for (i, t) in raw.into_iter().enumerate() {
        match t {
            RawThread::Id(id) => {
                check_id("thread", &id)?;
                without.get_or_insert((i, id.clone()));
                threads.push(id);
            }
            RawThread::Program(spec) => {
                let at = format!("threads[{i}]");
                let count = spec.count.unwrap_or(1);
                if count == 0 || count as usize > MAX_THREADS {
                    return Err(format!("{at}.count: must be 1 to {MAX_THREADS}"));
                }
                if threads.len() + count as usize > MAX_THREADS {
                    return Err(format!(
                        "{at}: at most {MAX_THREADS} threads may run programs"
                    ));
                }
                check_program(&spec, &at, &port_ids).map_err(|e| e.to_string())?;
                match count {
                    1 => {
                        check_id("thread", &spec.id)?;
                        threads.push(spec.id.clone());
                    }
                    n => {
                        for k in 1..=n {
                            let id = format!("{}{k}", spec.id);
                            check_id("thread", &id)?;
                            threads.push(id);
                        }
                    }
                }
                programs.push(spec);
            }
        }
    }
    if let (Some((i, id)), false) = (without, programs.is_empty()) {
        return Err(format!(
            "threads[{i}]: thread {id:?} has no program while other threads have one; give every thread a program, or none"
        ));
    }
    Ok((threads, programs))
}

/// Resolves one raw step (`number` is 1-based). Errors carry the op, if any.
pub fn resolve_step(
    number: usize,
    raw: RawStep,
    names: &mut Names,
) -> Result<Step, (Option<&'static str>, Problem)> {
    let op = raw.op;
    let op_name = op.map(Op::name);
    let err = |m: Problem| (op_name, m);
    let present = raw.present_args();
    match op {
        None => {
            if raw.off_program.is_some() {
                return Err(err(
                    "key \"off_program\" needs an \"op\": it marks a call made outside a thread's program".into(),
                ));
            }
            if let Some(k) = present.first() {
                return Err(err(format!(
                    "key {k:?} needs an \"op\"; a step without op only checks or narrates"
                )
                .into()));
            }
        }
        Some(op) => {
            if let Some(k) = present.iter().find(|k| !op.allowed().contains(k)) {
                return Err(err(format!(
                    "key {k:?} does not belong to op {}; it takes: {}",
                    op.name(),
                    op.allowed().join(", ")
                )
                .into()));
            }
        }
    }
    let action = match op {
        None => None,
        Some(op) => Some(resolve_action(op, &raw, names).map_err(err)?),
    };
    let expect = match raw.expect {
        None => None,
        Some(e) => Some(resolve_expect(e, op.is_some(), names).map_err(err)?),
    };
    Ok(Step {
        number,
        action,
        note: raw.note,
        expect,
        off_program: raw.off_program.unwrap_or(false),
    })
}

fn required<'a>(v: &'a Option<String>, key: &str, op: Op) -> Result<&'a str, String> {
    v.as_deref()
        .ok_or_else(|| format!("op {} needs {key:?}", op.name()))
}

/// The optional `"by"` of a post or issue: the scenario thread that calls.
fn caller(look: &Lookup, raw: &Option<String>) -> Result<Option<ThreadId>, Problem> {
    raw.as_deref().map(|id| look.thread(id)).transpose()
}

fn timeout(raw: &Option<RawTimeout>) -> Result<Timeout, String> {
    match raw {
        None => Ok(Timeout::Infinite),
        Some(RawTimeout::Ms(ms)) => Ok(Timeout::Ms(*ms)),
        Some(RawTimeout::Word(w)) if w == "infinite" => Ok(Timeout::Infinite),
        Some(RawTimeout::Word(w)) => Err(format!(
            "timeout {w:?} is neither \"infinite\" nor a whole number of milliseconds"
        )),
    }
}

fn resolve_action(op: Op, raw: &RawStep, names: &mut Names) -> Result<Action, Problem> {
    let look = Lookup { names };
    let action = match op {
        Op::Associate => Action::Associate {
            device: look.device(required(&raw.device, "device", op)?)?,
            port: look.port(required(&raw.port, "port", op)?)?,
            key: raw.key.unwrap_or(0),
        },
        Op::Issue => {
            let device = look.device(required(&raw.device, "device", op)?)?;
            let by = caller(&look, &raw.by)?;
            let label = match &raw.overlapped {
                Some(Some(l)) => l.clone(),
                _ => return Err("op issue needs \"overlapped\", a label such as \"ovA\"".into()),
            };
            Action::Issue {
                device,
                overlapped: names.intern_overlapped(&label),
                inline: if raw.inline.unwrap_or(false) {
                    Some(raw.bytes.unwrap_or(0))
                } else {
                    None
                },
                by,
            }
        }
        Op::Complete => {
            let label = match &raw.overlapped {
                Some(Some(l)) => l.clone(),
                _ => {
                    return Err(
                        "op complete needs \"overlapped\", the label of a pending request".into(),
                    )
                }
            };
            let status = raw.status.as_deref().unwrap_or("success");
            check_status(status)?;
            Action::Complete {
                overlapped: names.intern_overlapped(&label),
                bytes: raw.bytes.unwrap_or(0),
                status: names.intern_status(status),
            }
        }
        Op::Post => {
            let port = look.port(required(&raw.port, "port", op)?)?;
            let by = caller(&look, &raw.by)?;
            Action::Post {
                port,
                key: raw.key.unwrap_or(0),
                bytes: raw.bytes.unwrap_or(0),
                overlapped: match &raw.overlapped {
                    Some(Some(l)) => Some(names.intern_overlapped(l)),
                    _ => None,
                },
                by,
            }
        }
        Op::Get => Action::Get {
            thread: look.thread(required(&raw.thread, "thread", op)?)?,
            port: look.port(required(&raw.port, "port", op)?)?,
            timeout: timeout(&raw.timeout)?,
        },
        Op::GetEx => {
            let thread = look.thread(required(&raw.thread, "thread", op)?)?;
            let port = look.port(required(&raw.port, "port", op)?)?;
            let max = match raw.max {
                None => {
                    return Err("op get_ex needs \"max\", the number of entries (1 or more)".into())
                }
                Some(m) if (1..=u32::MAX as i64).contains(&m) => m as u32,
                Some(m) if m < 1 => {
                    return Err(
                        format!("max is {m}; get_ex needs room for at least 1 entry").into(),
                    )
                }
                Some(m) => return Err(format!("max is {m}; it must be at most 4294967295").into()),
            };
            Action::GetEx {
                thread,
                port,
                max,
                timeout: timeout(&raw.timeout)?,
            }
        }
        Op::Block => Action::Block {
            thread: look.thread(required(&raw.thread, "thread", op)?)?,
            on: raw.on.as_deref().map(|l| names.intern_label(l)),
        },
        Op::Unblock => Action::Unblock {
            thread: look.thread(required(&raw.thread, "thread", op)?)?,
        },
        Op::Timeout => Action::Timeout {
            thread: look.thread(required(&raw.thread, "thread", op)?)?,
        },
        Op::Exit => Action::Exit {
            thread: look.thread(required(&raw.thread, "thread", op)?)?,
        },
        Op::CloseDevice => Action::CloseDevice {
            device: look.device(required(&raw.device, "device", op)?)?,
        },
        Op::ClosePort => Action::ClosePort {
            port: look.port(required(&raw.port, "port", op)?)?,
        },
    };
    Ok(action)
}
