//! [`World`]: a checked spec turned into ids, the kernel's starting state,
//! each thread's [`Program`] and the moves the environment may make.
//!
//! A search state is a [`Kernel`] plus a [`Local`]: where each thread is in
//! its loop (its [`Pc`] and how many packets it has had) and what the
//! environment has left to do. [`World::moves`] lists the moves enabled in
//! a state, [`World::action`] turns one into a model [`Action`], and
//! [`World::advance`] moves the programs on from what the step did.

use super::spec::{Spec, MAX_SOURCES, MAX_THREADS};
use crate::model::{
    Action, DeviceId, Flavor, Kernel, KernelConfig, Names, Origin, Outcome, OvId, OvUse, Packet,
    PortId, StatusId, ThreadId, ThreadState, Timeout,
};
use crate::program::follow;
pub use crate::program::{Pc, Program};

/// `count` posts of one packet the environment may make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvPost {
    /// The port.
    pub port: PortId,
    /// The key.
    pub key: u64,
    /// How many.
    pub count: u32,
}

/// An overlapped request pending from the start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Its device.
    pub device: DeviceId,
    /// Its OVERLAPPED.
    pub overlapped: OvId,
    /// Bytes its completion transfers.
    pub bytes: u64,
}

/// The state of the threads' programs and of the environment's budgets.
/// Fixed-size arrays (only the first `threads` / `sources` entries are
/// used), so the search copies it without allocating or calling memcpy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Local {
    /// Each thread's program counter.
    pub pc: [Pc; MAX_THREADS],
    /// Packets each thread has had (kept only for threads with a limit, and capped at it).
    pub count: [u8; MAX_THREADS],
    /// Posts left per environment source.
    pub posts_left: [u8; MAX_SOURCES],
    /// Timeouts left, if bounded.
    pub timeouts_left: Option<u32>,
}

/// One move of a search: a thread's next call, or something the environment does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Move {
    /// The thread makes the next call of its program.
    Thread(ThreadId),
    /// The environment ends a thread's block.
    Unblock(ThreadId),
    /// The environment lets a thread's finite wait time out.
    Timeout(ThreadId),
    /// The environment posts from this source.
    Post(u32),
    /// The environment completes this request.
    Complete(u32),
    /// The environment closes a port.
    ClosePort(PortId),
    /// The environment closes a device.
    CloseDevice(DeviceId),
}

impl Move {
    /// The same move with its thread (if any) `t` renamed `to[t]`.
    pub fn renamed(self, to: &[u8]) -> Move {
        let r = |t: ThreadId| ThreadId(u32::from(to[t.index()]));
        match self {
            Move::Thread(t) => Move::Thread(r(t)),
            Move::Unblock(t) => Move::Unblock(r(t)),
            Move::Timeout(t) => Move::Timeout(r(t)),
            other => other,
        }
    }

    /// A 16-bit code, stored with each state to rebuild traces.
    pub fn code(self) -> u16 {
        let (kind, i) = match self {
            Move::Thread(t) => (0, t.0),
            Move::Unblock(t) => (1, t.0),
            Move::Timeout(t) => (2, t.0),
            Move::Post(s) => (3, s),
            Move::Complete(r) => (4, r),
            Move::ClosePort(p) => (5, p.0),
            Move::CloseDevice(d) => (6, d.0),
        };
        ((kind as u16) << 8) | (i as u16 & 0xff)
    }

    /// The move with this code.
    pub fn from_code(code: u16) -> Move {
        let i = (code & 0xff) as u32;
        match code >> 8 {
            0 => Move::Thread(ThreadId(i)),
            1 => Move::Unblock(ThreadId(i)),
            2 => Move::Timeout(ThreadId(i)),
            3 => Move::Post(i),
            4 => Move::Complete(i),
            5 => Move::ClosePort(PortId(i)),
            _ => Move::CloseDevice(DeviceId(i)),
        }
    }
}

/// A spec resolved to ids, ready to explore.
#[derive(Clone, Debug)]
pub struct World {
    /// The spec's title.
    pub title: String,
    /// The spec's description.
    pub description: Option<String>,
    /// The flavour explored.
    pub flavor: Flavor,
    /// How the kernel is built.
    pub config: KernelConfig,
    /// Names of every object.
    pub names: Names,
    /// Each port's declared concurrency (for the scenario file).
    pub concurrency: Vec<u32>,
    /// Each device's skip-on-success flag.
    pub skip_on_success: Vec<bool>,
    /// Actions applied before the search starts (associations, issues).
    pub setup: Vec<Action>,
    /// Each thread's loop.
    pub programs: Vec<Program>,
    /// Environment posts.
    pub env_posts: Vec<EnvPost>,
    /// Requests pending from the start, in issue order.
    pub requests: Vec<Request>,
    /// Bound on timeouts.
    pub timeouts: Option<u32>,
    /// Ports the environment may close.
    pub close_ports: Vec<PortId>,
    /// Devices the environment may close.
    pub close_devices: Vec<DeviceId>,
    /// Every packet that can exist, so a queue entry packs into a small index.
    pub templates: Vec<Packet>,
    /// Most packets that can be in flight at once (env posts + requests).
    pub packet_bound: u32,
    /// An upper estimate of the heap this world holds (names, programs,
    /// tables), counted against `--max-memory` with the state store.
    pub heap_bytes: usize,
    /// The threads declared together with `count: n` (n > 1), as ranges of
    /// thread ids: they run the same program, so any two of them can trade
    /// places (the symmetry reduction uses this).
    pub interchangeable: Vec<std::ops::Range<usize>>,
}

/// A world could not be built (the setup was refused by the model).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorldError(pub String);

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WorldError {}

impl World {
    /// Resolves a spec. `flavor` overrides the spec's own. The spec is
    /// checked again first ([`super::spec::check`]), so the world built is
    /// bounded by the spec limits whatever the caller did.
    pub fn new(spec: &Spec, flavor: Option<Flavor>) -> Result<World, WorldError> {
        super::spec::check(spec).map_err(|e| WorldError(e.to_string()))?;
        let flavor = flavor
            .or_else(|| spec.flavor.as_deref().and_then(Flavor::parse))
            .unwrap_or(Flavor::Windows);
        let cpus = spec.cpus.unwrap_or(4);
        let port_names: Vec<String> = spec.ports.iter().map(|p| p.id.clone()).collect();
        let mut thread_names = Vec::new();
        for t in &spec.threads {
            match t.count.unwrap_or(1) {
                1 => thread_names.push(t.id.clone()),
                n => (1..=n).for_each(|i| thread_names.push(format!("{}{i}", t.id))),
            }
        }
        let device_names: Vec<String> = spec.devices.iter().map(|d| d.id.clone()).collect();
        let mut names = Names::new(port_names, thread_names, device_names);
        let port = |names: &Names, s: &str| {
            names
                .find_port(s)
                .ok_or_else(|| WorldError(format!("unknown port {s:?}")))
        };
        let mut setup = Vec::new();
        let mut requests = Vec::new();
        for (i, d) in spec.devices.iter().enumerate() {
            let device = DeviceId::from_index(i);
            setup.push(Action::Associate {
                device,
                port: port(&names, &d.port)?,
                key: d.key,
            });
            for n in 1..=d.requests {
                let overlapped = names.intern_overlapped(&format!("{}.ov{n}", d.id));
                setup.push(Action::Issue {
                    device,
                    overlapped,
                    inline: None,
                    by: None,
                });
                requests.push(Request {
                    device,
                    overlapped,
                    bytes: d.bytes,
                });
            }
        }
        let mut programs = Vec::new();
        let mut interchangeable = Vec::new();
        for t in &spec.threads {
            let program = Program::resolve(t, &mut names).map_err(|e| WorldError(e.0))?;
            let first = programs.len();
            for _ in 0..t.count.unwrap_or(1) {
                programs.push(program.clone());
            }
            if programs.len() - first > 1 {
                interchangeable.push(first..programs.len());
            }
        }
        let mut env_posts = Vec::new();
        for p in &spec.environment.posts {
            env_posts.push(EnvPost {
                port: port(&names, &p.port)?,
                key: p.key,
                count: p.count.unwrap_or(1),
            });
        }
        let mut close_ports = Vec::new();
        for p in &spec.environment.close_ports {
            let id = port(&names, p)?;
            if !close_ports.contains(&id) {
                close_ports.push(id);
            }
        }
        let mut close_devices = Vec::new();
        for d in &spec.environment.close_devices {
            let id = names
                .find_device(d)
                .ok_or_else(|| WorldError(format!("unknown device {d:?}")))?;
            if !close_devices.contains(&id) {
                close_devices.push(id);
            }
        }
        let mut templates: Vec<Packet> = Vec::new();
        let mut add = |p: Packet| {
            if !templates.contains(&p) {
                templates.push(p);
            }
        };
        let post_packet = |key| Packet {
            bytes: 0,
            key,
            overlapped: None,
            status: StatusId::SUCCESS,
            origin: Origin::Post,
        };
        for p in &env_posts {
            add(post_packet(p.key));
        }
        for p in &programs {
            if let Some((_, key)) = p.post {
                add(post_packet(key));
            }
        }
        for r in &requests {
            let key = spec.devices[r.device.index()].key;
            add(Packet {
                bytes: r.bytes,
                key,
                overlapped: Some(r.overlapped),
                status: StatusId::SUCCESS,
                origin: Origin::Io,
            });
            add(Packet {
                bytes: 0,
                key,
                overlapped: Some(r.overlapped),
                status: StatusId::OPERATION_ABORTED,
                origin: Origin::Io,
            });
        }
        let packet_bound = env_posts.iter().map(|p| p.count).sum::<u32>() + requests.len() as u32;
        let strings: usize = [&spec.title, spec.description.as_deref().unwrap_or("")]
            .iter()
            .map(|s| s.len())
            .chain(names.ports().iter().map(|s| s.len() + 24))
            .chain(names.threads().iter().map(|s| s.len() + 24))
            .chain(names.devices().iter().map(|s| s.len() + 24))
            .chain(
                spec.devices
                    .iter()
                    .map(|d| (d.id.len() + 40) * d.requests as usize),
            )
            .chain(
                spec.threads
                    .iter()
                    .map(|t| t.block.as_ref().map_or(0, |b| b.on.len() + 24)),
            )
            .chain(programs.iter().map(|p| {
                p.block_keys
                    .as_ref()
                    .map_or(0, |k| k.len() * std::mem::size_of::<u64>())
            }))
            .sum();
        let heap_bytes = strings
            + setup.len() * std::mem::size_of::<Action>()
            + programs.len() * std::mem::size_of::<Program>()
            + requests.len() * std::mem::size_of::<Request>()
            + env_posts.len() * std::mem::size_of::<EnvPost>()
            + templates.len() * std::mem::size_of::<Packet>()
            + interchangeable.len() * std::mem::size_of::<std::ops::Range<usize>>();
        let config = KernelConfig {
            flavor,
            cpus,
            ports: spec.ports.iter().map(|p| p.concurrency).collect(),
            threads: programs.len(),
            devices: spec.devices.iter().map(|d| d.skip_on_success).collect(),
        };
        Ok(World {
            title: spec.title.clone(),
            description: spec.description.clone(),
            flavor,
            concurrency: config.ports.clone(),
            skip_on_success: config.devices.clone(),
            config,
            names,
            setup,
            programs,
            env_posts,
            requests,
            timeouts: spec.environment.timeouts,
            close_ports,
            close_devices,
            templates,
            packet_bound,
            heap_bytes,
            interchangeable,
        })
    }

    /// The kernel after the setup actions, and the programs at their start.
    pub fn initial(&self) -> Result<(Kernel, Local), WorldError> {
        let mut k = Kernel::new(&self.config);
        let mut out = Outcome::default();
        for (i, a) in self.setup.iter().enumerate() {
            k.apply(*a, &mut out).map_err(|r| {
                WorldError(format!(
                    "setup step {} ({}) was refused: {}",
                    i + 1,
                    a.op(),
                    crate::narrate::rejection_reason(&r, &self.names)
                ))
            })?;
        }
        let mut local = Local {
            pc: [Pc::Get; MAX_THREADS],
            count: [0; MAX_THREADS],
            posts_left: [0; MAX_SOURCES],
            timeouts_left: self.timeouts,
        };
        for (left, p) in local.posts_left.iter_mut().zip(&self.env_posts) {
            *left = p.count as u8;
        }
        Ok((k, local))
    }

    /// The moves enabled in a state, in a fixed order (threads by id, then
    /// unblocks, timeouts, posts, completions, closes), so searches are deterministic.
    pub fn moves(&self, k: &Kernel, l: &Local, out: &mut Vec<Move>) {
        out.clear();
        for (i, th) in k.threads().iter().enumerate() {
            if th.state() == ThreadState::Running
                && matches!(l.pc[i], Pc::Get | Pc::Block | Pc::Post | Pc::Exit)
            {
                out.push(Move::Thread(ThreadId::from_index(i)));
            }
        }
        for (i, th) in k.threads().iter().enumerate() {
            if matches!(th.state(), ThreadState::Paused(_)) {
                out.push(Move::Unblock(ThreadId::from_index(i)));
            }
        }
        if l.timeouts_left != Some(0) {
            for (i, th) in k.threads().iter().enumerate() {
                if let ThreadState::Waiting(w) = th.state() {
                    if matches!(w.timeout, Timeout::Ms(ms) if ms > 0) {
                        out.push(Move::Timeout(ThreadId::from_index(i)));
                    }
                }
            }
        }
        for (s, left) in l.posts_left[..self.env_posts.len()].iter().enumerate() {
            if *left > 0 {
                out.push(Move::Post(s as u32));
            }
        }
        for (r, req) in self.requests.iter().enumerate() {
            if matches!(k.overlapped(req.overlapped), OvUse::Pending(_)) {
                out.push(Move::Complete(r as u32));
            }
        }
        for &p in &self.close_ports {
            if !k.port(p).closed() {
                out.push(Move::ClosePort(p));
            }
        }
        for &d in &self.close_devices {
            if !k.devices().get(d).is_some_and(|dev| dev.closed()) {
                out.push(Move::CloseDevice(d));
            }
        }
    }

    /// The model action a move makes.
    pub fn action(&self, m: Move, l: &Local) -> Action {
        match m {
            Move::Thread(t) => self.programs[t.index()].call(t, l.pc[t.index()]),
            Move::Unblock(t) => Action::Unblock { thread: t },
            Move::Timeout(t) => Action::Timeout { thread: t },
            Move::Post(s) => {
                let p = &self.env_posts[s as usize];
                Action::Post {
                    port: p.port,
                    key: p.key,
                    bytes: 0,
                    overlapped: None,
                    by: None,
                }
            }
            Move::Complete(r) => {
                let req = &self.requests[r as usize];
                Action::Complete {
                    overlapped: req.overlapped,
                    bytes: req.bytes,
                    status: StatusId::SUCCESS,
                }
            }
            Move::ClosePort(port) => Action::ClosePort { port },
            Move::CloseDevice(device) => Action::CloseDevice { device },
        }
    }

    /// Moves the programs and budgets on after `m` was applied with `out`.
    pub fn advance(&self, m: Move, out: &Outcome, l: &mut Local) {
        match m {
            Move::Thread(t) => {
                let i = t.index();
                let prog = &self.programs[i];
                match l.pc[i] {
                    Pc::Block => l.pc[i] = Pc::Paused,
                    Pc::Post => l.pc[i] = prog.finish(l.count[i]),
                    Pc::Exit => l.pc[i] = Pc::Done,
                    _ => {}
                }
            }
            Move::Unblock(t) => {
                let i = t.index();
                if l.pc[i] == Pc::Paused {
                    l.pc[i] = self.programs[i].after_block(l.count[i]);
                }
            }
            Move::Timeout(_) => {
                if let Some(n) = &mut l.timeouts_left {
                    *n = n.saturating_sub(1);
                }
            }
            Move::Post(s) => l.posts_left[s as usize] -= 1,
            Move::Complete(_) | Move::ClosePort(_) | Move::CloseDevice(_) => {}
        }
        follow(&self.programs, out, &mut l.pc, &mut l.count);
    }
}
