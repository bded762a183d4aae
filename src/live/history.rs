//! A live port's calls as the model saw them, kept where a failure must be
//! shown (the controlled scheduler's runs, shuttle builds), and written as
//! an `iocp-sim/1` scenario through the explorer's writer (and so
//! `scenario::write`, the one encoder) for `run`, `play` and `export`.

use crate::explore::trace::{scenario_json, Step};
use crate::explore::{Move, Pc, World};
use crate::model::properties::check_step;
use crate::model::{Action, Kernel, KernelConfig, Names, Outcome, ThreadId};

/// Sees every call the model applies, under the port's lock: the
/// controlled scheduler (`control.rs`) and shuttle builds (`shuttle.rs`)
/// check properties 1-7 and record the calls there.
pub(crate) trait Observe: Send + Sync {
    /// A thread took seat `seat`, model id `model`.
    fn joined(&self, seat: usize, model: ThreadId);
    /// An action was applied.
    fn applied(&self, call: &Call<'_>);
}

/// One call as the port's observer sees it (under the port's lock).
pub(crate) struct Call<'a> {
    /// The state before the call.
    pub(crate) before: &'a Kernel,
    /// The model id of the calling thread, if it is at this port.
    pub(crate) by: Option<ThreadId>,
    pub(crate) action: Action,
    pub(crate) out: &'a Outcome,
    /// The state after the call.
    pub(crate) after: &'a Kernel,
}

/// One applied call.
pub(crate) struct Recorded {
    /// The model thread that made it (`None`: a thread not at the port).
    pub(crate) by: Option<ThreadId>,
    pub(crate) action: Action,
    pub(crate) outcome: Outcome,
    pub(crate) after: Kernel,
}

/// A port's calls from its first one.
#[derive(Default)]
pub(crate) struct History {
    /// The state before the first call.
    first: Option<Kernel>,
    steps: Vec<Recorded>,
}

impl History {
    /// Checks properties 1-7 of `docs/model.md` on one call and records
    /// it; a broken property is described, with the call's number.
    pub(crate) fn record_checked(&mut self, call: &Call<'_>) -> Result<(), String> {
        let violation = check_step(call.before, &call.action, Some(call.out), call.after).err();
        if self.first.is_none() {
            self.first = Some(call.before.clone());
        }
        self.steps.push(Recorded {
            by: call.by,
            action: call.action,
            outcome: call.out.clone(),
            after: call.after.clone(),
        });
        match violation {
            None => Ok(()),
            Some(v) => Err(format!(
                "{} (step {}, {})",
                crate::narrate::violation(&v),
                self.steps.len(),
                call.action.op()
            )),
        }
    }

    /// Calls recorded.
    #[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
    pub(crate) fn len(&self) -> usize {
        self.steps.len()
    }

    /// No call recorded.
    #[cfg_attr(not(feature = "shuttle"), allow(dead_code))]
    pub(crate) fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The calls as an `iocp-sim/1` scenario titled `name`, described as
    /// `found` (the tool and what went wrong); `thread_name` names each
    /// model thread. Empty when no call was made.
    pub(crate) fn scenario(
        &self,
        name: &str,
        found: &str,
        thread_name: impl Fn(ThreadId) -> String,
    ) -> String {
        let Some(first) = &self.first else {
            return String::new();
        };
        let last = self.steps.last().map_or(first, |r| &r.after);
        // Ids are unique across the port (P) and the threads.
        let mut threads: Vec<String> = Vec::new();
        for t in last.thread_ids() {
            let mut name = thread_name(t);
            if name.is_empty() {
                name = format!("T{}", t.index() + 1);
            }
            let mut k = t.index() + 1;
            let base = name.clone();
            while name == "P" || threads.contains(&name) {
                name = format!("{base}-{k}");
                k += 1;
            }
            threads.push(name);
        }
        // A live port's kernel has one port, P.
        let concurrency: Vec<u32> = first.ports().iter().map(|p| p.concurrency()).collect();
        let world = World {
            title: name.to_owned(),
            description: None,
            flavor: first.flavor(),
            config: KernelConfig {
                flavor: first.flavor(),
                cpus: first.cpus(),
                ports: concurrency.clone(),
                threads: threads.len(),
                devices: Vec::new(),
            },
            names: Names::new(vec!["P".to_owned()], threads, Vec::new()),
            concurrency,
            skip_on_success: Vec::new(),
            setup: Vec::new(),
            programs: Vec::new(),
            env_posts: Vec::new(),
            requests: Vec::new(),
            timeouts: None,
            close_ports: Vec::new(),
            close_devices: Vec::new(),
            templates: Vec::new(),
            packet_bound: 0,
            heap_bytes: 0,
            interchangeable: Vec::new(),
        };
        let steps: Vec<Step> = self
            .steps
            .iter()
            .map(|r| Step {
                mv: match (r.action, r.by) {
                    (Action::Timeout { thread }, _) => Move::Timeout(thread),
                    (_, Some(t)) => Move::Thread(t),
                    (Action::ClosePort { port }, None) => Move::ClosePort(port),
                    (_, None) => Move::Post(0),
                },
                action: r.action,
                pc: Some(Pc::Get),
                outcome: r.outcome.clone(),
                rejected: None,
                after: r.after.clone(),
            })
            .collect();
        scenario_json(&world, name, found, &steps, None)
    }
}
