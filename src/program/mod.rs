//! Thread programs: the small loop a thread runs (get a packet, handle
//! it, maybe block on something named and post, exit after some packets),
//! the one language in which the explorer's specs (`iocp-sim explore`) and
//! the lessons and challenges (a scenario's thread entries written as
//! objects) say what a thread does. [`spec`] is the language as written
//! and its check; [`Program`] is a program resolved to ids, [`Pc`] where a
//! thread is in it, [`Program::call`] the call it makes next, and
//! [`advance_action`] moves programs on after a step.
//!
//! Like the model, nothing here does I/O or holds a rule of the kernel:
//! what a call does is the model's, what a program does next is here.

pub mod spec;

use crate::model::{Action, LabelId, Names, Outcome, PortId, ThreadId, Timeout, Wait, WinError};
use spec::{ThreadSpec, TimeoutSpec};

/// A program that could not be resolved (a port the names do not have).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramError(pub String);

impl std::fmt::Display for ProgramError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProgramError {}

/// Where a thread is in its loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Pc {
    /// Its next call is the get (or it is waiting inside it).
    Get = 0,
    /// It has a packet; its next call is the block.
    Block = 1,
    /// It is blocked; the environment will unblock it.
    Paused = 2,
    /// Its next call is the post.
    Post = 3,
    /// It has had its packets (or its get failed for good); its next call is exit.
    Exit = 4,
    /// It has exited.
    Done = 5,
}

impl Pc {
    /// The program counter with this number (see the `repr`).
    pub fn from_bits(v: u64) -> Option<Pc> {
        Some(match v {
            0 => Pc::Get,
            1 => Pc::Block,
            2 => Pc::Paused,
            3 => Pc::Post,
            4 => Pc::Exit,
            5 => Pc::Done,
            _ => return None,
        })
    }
}

/// One thread's loop: `get; [exit on a key]; [block; (unblock)]; [post];
/// exit after N packets` (see [`ThreadSpec`]), resolved to ids. The one
/// meaning of a thread program: the explorer's searches and the lessons'
/// scheduler mode both move programs with [`Program::call`] and
/// the explorer's `World::advance` / [`advance_action`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// The port of its get.
    pub port: PortId,
    /// The get's timeout.
    pub timeout: Timeout,
    /// `Some(n)`: GetQueuedCompletionStatusEx with room for n entries.
    pub batch: Option<u32>,
    /// After a packet, block on this label.
    pub block: Option<LabelId>,
    /// Block only after packets with one of these keys (`None`: after every packet).
    pub block_keys: Option<Vec<u64>>,
    /// After a packet (and the block), post `(port, key)`.
    pub post: Option<(PortId, u64)>,
    /// Exit after this many packets.
    pub packets: Option<u32>,
    /// A packet with this key makes the thread exit.
    pub exit_on_key: Option<u64>,
    /// A get that fails with WAIT_TIMEOUT makes the thread exit (else it retries).
    pub exit_on_timeout: bool,
}

impl Program {
    /// The program of a thread spec, its names resolved in `names` (its
    /// block's label interned). The spec is assumed checked
    /// ([`spec::check_program`]); an unknown port is still an error.
    pub fn resolve(t: &ThreadSpec, names: &mut Names) -> Result<Program, ProgramError> {
        let port = |names: &Names, s: &str| {
            names
                .find_port(s)
                .ok_or_else(|| ProgramError(format!("unknown port {s:?}")))
        };
        let get_port = port(names, &t.get.port)?;
        let timeout = match &t.get.timeout {
            None => Timeout::Infinite,
            Some(TimeoutSpec::Ms(ms)) => Timeout::Ms(*ms),
            Some(TimeoutSpec::Word(_)) => Timeout::Infinite,
        };
        Ok(Program {
            port: get_port,
            timeout,
            batch: t.get.batch,
            block: t.block.as_ref().map(|b| names.intern_label(&b.on)),
            block_keys: t.block.as_ref().and_then(|b| b.keys.clone()),
            post: match &t.post {
                Some(p) => Some((
                    match &p.port {
                        Some(name) => port(names, name)?,
                        None => get_port,
                    },
                    p.key,
                )),
                None => None,
            },
            packets: t.packets,
            exit_on_key: t.exit_on_key,
            exit_on_timeout: t.on_timeout.as_deref() == Some("exit"),
        })
    }

    /// What the thread's wait looks like while it sits in the WTQ.
    pub fn wait(&self) -> Wait {
        Wait {
            timeout: self.timeout,
            batch: self.batch,
        }
    }

    /// The call thread `t` running this program makes next at `pc` (for a
    /// thread that is paused or done: an exit, which the model refuses
    /// with the reason).
    #[inline]
    pub fn call(&self, t: ThreadId, pc: Pc) -> Action {
        match pc {
            Pc::Get => match self.batch {
                None => Action::Get {
                    thread: t,
                    port: self.port,
                    timeout: self.timeout,
                },
                Some(max) => Action::GetEx {
                    thread: t,
                    port: self.port,
                    max,
                    timeout: self.timeout,
                },
            },
            Pc::Block => Action::Block {
                thread: t,
                on: self.block,
            },
            Pc::Post => {
                let (port, key) = self.post.expect("pc Post only with a post");
                // A thread program posts by itself (rule 2 reads its mark).
                Action::Post {
                    port,
                    key,
                    bytes: 0,
                    overlapped: None,
                    by: Some(t),
                }
            }
            Pc::Exit | Pc::Paused | Pc::Done => Action::Exit { thread: t },
        }
    }

    /// Where the loop goes once a packet is handled (and any block and post
    /// done), with `count` packets had.
    #[inline]
    pub(crate) fn finish(&self, count: u8) -> Pc {
        match self.packets {
            Some(n) if count as u32 >= n => Pc::Exit,
            _ => Pc::Get,
        }
    }

    #[inline]
    pub(crate) fn after_block(&self, count: u8) -> Pc {
        if self.post.is_some() {
            Pc::Post
        } else {
            self.finish(count)
        }
    }

    /// Where the loop goes after a get returned these packets' `keys`.
    #[inline]
    pub(crate) fn after_packets(&self, count: u8, keys: impl Iterator<Item = u64> + Clone) -> Pc {
        if let Some(k) = self.exit_on_key {
            if keys.clone().any(|x| x == k) {
                return Pc::Exit;
            }
        }
        let blocks = match &self.block_keys {
            _ if self.block.is_none() => false,
            None => true,
            Some(ks) => keys.clone().any(|x| ks.contains(&x)),
        };
        if blocks {
            Pc::Block
        } else {
            self.after_block(count)
        }
    }
}

/// Moves the programs on after what a step did to their threads: a
/// delivery ends a get (the loop goes on to the exit, block or post its
/// packets ask for), and a failed get retries or exits. Shared by
/// the explorer's `World::advance` and [`advance_action`].
#[inline]
pub fn follow(programs: &[Program], out: &Outcome, pc: &mut [Pc], count: &mut [u8]) {
    for d in &out.deliveries {
        let i = d.thread.index();
        if let Some(n) = programs[i].packets {
            count[i] = (count[i] as u32 + 1).min(n) as u8;
        }
    }
    // Decided from the final count and every key, so a get_ex batch counts as a whole.
    for d in &out.deliveries {
        let i = d.thread.index();
        let keys = out
            .deliveries
            .iter()
            .filter(move |e| e.thread == d.thread)
            .map(|e| e.packet.key);
        pc[i] = programs[i].after_packets(count[i], keys);
    }
    for &(t, e) in &out.failures {
        let i = t.index();
        pc[i] = match e {
            WinError::WaitTimeout if !programs[i].exit_on_timeout => Pc::Get,
            _ => Pc::Exit,
        };
    }
}

/// Moves the programs on after any `action` a lesson applied with `out`,
/// whether or not it was the next call of a program: a thread's own call
/// puts its program where that call leaves it (in its get, in its block,
/// past its post, done), and the world's moves (unblock, timeout, posts
/// from outside, completions, closes) as the explorer's `World::advance` does
/// (the explorer's budgets of posts and timeouts are not a lesson's). A call
/// outside a thread's program (a student's every-call move, or a lesson
/// step marked `off_program`) is followed the same way, so the program
/// goes on from there.
pub fn advance_action(
    programs: &[Program],
    action: &Action,
    out: &Outcome,
    pc: &mut [Pc],
    count: &mut [u8],
) {
    match *action {
        Action::Get { thread, .. } | Action::GetEx { thread, .. } => pc[thread.index()] = Pc::Get,
        Action::Block { thread, .. } => pc[thread.index()] = Pc::Paused,
        Action::Exit { thread } => pc[thread.index()] = Pc::Done,
        Action::Post { by: Some(t), .. } if pc[t.index()] == Pc::Post => {
            let i = t.index();
            pc[i] = programs[i].finish(count[i]);
        }
        Action::Unblock { thread } if pc[thread.index()] == Pc::Paused => {
            let i = thread.index();
            pc[i] = programs[i].after_block(count[i]);
        }
        _ => {}
    }
    follow(programs, out, pc, count);
}

/// Where each thread is in its program: its [`Pc`] and how many packets
/// it has had (counted only for programs that exit after some packets).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Positions {
    /// Each thread's program counter, by thread id.
    pub pc: Vec<Pc>,
    /// Packets each thread has had, by thread id.
    pub count: Vec<u8>,
}

impl Positions {
    /// `threads` programs at their start (about to call get).
    pub fn start(threads: usize) -> Positions {
        Positions {
            pc: vec![Pc::Get; threads],
            count: vec![0; threads],
        }
    }

    /// The call thread `t` makes next (its program's, at its pc).
    pub fn next_call(&self, programs: &[Program], t: ThreadId) -> Action {
        programs[t.index()].call(t, self.pc[t.index()])
    }

    /// Moves the programs on after `action` was applied with `out`
    /// ([`advance_action`]).
    pub fn advance(&mut self, programs: &[Program], action: &Action, out: &Outcome) {
        advance_action(programs, action, out, &mut self.pc, &mut self.count);
    }
}

/// The thread whose own call `a` is: the caller of a get, get_ex, block or
/// exit, and the `by` of a post or issue. The other actions are made by
/// the world outside the threads (an unblock, a timeout, a completion, a
/// post from outside, an association, a close).
pub fn caller(a: &Action) -> Option<ThreadId> {
    match *a {
        Action::Get { thread, .. }
        | Action::GetEx { thread, .. }
        | Action::Block { thread, .. }
        | Action::Exit { thread } => Some(thread),
        Action::Post { by, .. } | Action::Issue { by, .. } => by,
        Action::Associate { .. }
        | Action::Complete { .. }
        | Action::Unblock { .. }
        | Action::Timeout { .. }
        | Action::CloseDevice { .. }
        | Action::ClosePort { .. } => None,
    }
}
