//! The breadth-first search: every interleaving of the threads' programs
//! and the environment's moves, each distinct state once, properties 1-7
//! checked on every transition.
//!
//! States are numbered in the order found; that order *is* the BFS queue
//! (see [`Store`]), so the first state found that satisfies a condition is
//! one of the closest to the start, and the trace to it is a shortest one.
//! Moves are tried in [`World::moves`] order, so the same spec always gives
//! the same numbers, the same trace and the same counts.

use super::condition::Condition;
use super::pack::{Layout, PackError, Renaming};
use super::store::{hash, OutOfMemory, StateId, Store};
use super::symmetry::Symmetry;
use super::world::{Local, Move, World, WorldError};
use crate::model::properties::{check_step, Violation};
use crate::model::{
    Action, Kernel, KernelParts, Outcome, PartsError, PortId, Rejection, ThreadId, ThreadState,
    Touched,
};

/// How a step is applied. The explorer normally uses the model's own rules
/// ([`ModelRules`]); tests plug in a broken copy of a rule to show that the
/// property checks catch it.
pub trait Rules {
    /// Applies `action` to `k`, as [`Kernel::apply`] does. `out.touched`
    /// must cover what it wrote (the explorer packs and restores only that):
    /// [`Kernel::apply`] fills it; an implementation that builds the kernel
    /// another way calls [`Outcome::clear`] first, which marks everything.
    fn apply(&self, k: &mut Kernel, action: Action, out: &mut Outcome) -> Result<(), Rejection>;
}

/// The rules of `crates/iocp-model/src/rules.rs`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ModelRules;

impl Rules for ModelRules {
    #[inline]
    fn apply(&self, k: &mut Kernel, action: Action, out: &mut Outcome) -> Result<(), Rejection> {
        k.apply(action, out)
    }
}

/// Limits and goals of a search.
#[derive(Clone, Debug)]
pub struct Options {
    /// Stop at the first state where this holds.
    pub find: Option<Condition>,
    /// Keep at most this many distinct states: the search stops when it
    /// meets one more (so a graph of exactly this many is searched whole).
    pub max_states: usize,
    /// Stop when the world ([`World::heap_bytes`]) and the state store
    /// together would need more than this many bytes.
    pub max_bytes: usize,
    /// In every state, also try calls that model.md forbids (a waiting or
    /// paused thread calling get, unblocking a thread that is not paused)
    /// and check they are refused and change nothing (property 7).
    pub probe_invalid: bool,
    /// Call the progress callback every this many expanded states.
    pub progress_every: usize,
    /// Keep one state per orbit of the threads declared together
    /// (`count: n`): see [`super::symmetry`]. Counts are then of orbits
    /// ([`Search::concrete`] tells the concrete graph's size after an
    /// exhaustive search), and [`Search::concrete_path`] turns a path into
    /// one the threads really take. Off by default here; the command turns
    /// it on where [`Symmetry::sound_for`] says it is sound.
    pub symmetry: bool,
    /// Threads expanding states (at least 1). The result is the same
    /// whatever the number.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            find: None,
            max_states: 50_000_000,
            max_bytes: 4 << 30,
            probe_invalid: true,
            progress_every: 1 << 16,
            symmetry: false,
            threads: 1,
        }
    }
}

/// Where a search is, for progress reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Distinct states found.
    pub states: usize,
    /// States expanded.
    pub expanded: usize,
    /// Transitions tried (each checked against the properties).
    pub transitions: u64,
    /// Depth of the states being expanded.
    pub depth: u32,
    /// Bytes held by the store.
    pub bytes: usize,
}

/// Why a search stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// Every reachable state was explored.
    Exhausted,
    /// A state satisfying the `--find` condition was reached (on this port,
    /// for port conditions).
    Found {
        /// The state.
        state: StateId,
        /// The port it holds on.
        port: Option<PortId>,
    },
    /// A transition broke a property.
    Violation {
        /// The state before the transition.
        state: StateId,
        /// The move.
        mv: Move,
        /// For a refused call probed in `state`, the call (no move applies it).
        probe: Option<Action>,
        /// What broke.
        violation: Violation,
    },
    /// A transition did something the explorer cannot represent or that no
    /// program may do (a refused move, a state outside the packed layout),
    /// or a stored state could not be measured for symmetry.
    Broken {
        /// The state before the transition (or the state itself).
        state: StateId,
        /// The move, if a transition broke.
        mv: Option<Move>,
        /// What went wrong.
        message: String,
    },
    /// A stored state did not unpack into a kernel the model accepts (a
    /// bug in the packing or in a rule: [`Kernel::from_parts`] refused it).
    Unpackable {
        /// The state.
        state: StateId,
        /// The invariant it broke.
        error: PartsError,
    },
    /// A state beyond the first `max_states` was met.
    MaxStates,
    /// `max_bytes` was reached, or memory could not be allocated.
    OutOfMemory,
}

/// What a search found.
#[derive(Debug)]
pub struct Search {
    /// Why it stopped.
    pub stop: Stop,
    /// Every state found.
    pub store: Store,
    /// Transitions tried.
    pub transitions: u64,
    /// Refused calls probed (property 7).
    pub probes: u64,
    /// Depth reached: the largest distance from the start of any state found.
    pub depth: u32,
    /// The depth of each state: `level_ends[d]` is one past the last state at depth `d`.
    pub level_ends: Vec<usize>,
    /// The symmetry the search reduced by, if any.
    pub symmetry: Option<Symmetry>,
    /// The states expanded, transitions and probes, each state weighted by
    /// the number of concrete states its orbit holds (1 without symmetry);
    /// `None` once a sum passed `u128::MAX`. See [`Search::concrete`].
    weighted: Option<Concrete>,
}

/// The size of the concrete state graph: what a search without symmetry
/// counts, and what the orbits of a reduced search stand for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Concrete {
    /// Distinct states.
    pub states: u128,
    /// Transitions, each checked against the properties.
    pub transitions: u128,
    /// Forbidden calls probed.
    pub probes: u128,
}

/// Why [`Search::concrete`] has no exact figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotExact {
    /// The search stopped before every reachable state was explored.
    Incomplete,
    /// A sum passed `u128::MAX` (some 3.4e38 states).
    TooLarge,
}

impl Concrete {
    /// Adds a state expanded with `transitions` moves, standing for `orbit`
    /// concrete states; `None` on overflow.
    fn add(self, orbit: u128, transitions: u64, probed: bool) -> Option<Concrete> {
        Some(Concrete {
            states: self.states.checked_add(orbit)?,
            transitions: self
                .transitions
                .checked_add(orbit.checked_mul(u128::from(transitions))?)?,
            probes: self.probes.checked_add(if probed { orbit } else { 0 })?,
        })
    }
}

impl Search {
    /// The size of the concrete state graph, exact, when the search explored
    /// every reachable state: without symmetry, its own counts; with it,
    /// each orbit counted with its size ([`Symmetry::orbit_size`]: every
    /// state of an orbit has as many moves, renamed, and one probe). A
    /// search that stopped early has no exact figures.
    pub fn concrete(&self) -> Result<Concrete, NotExact> {
        if self.stop != Stop::Exhausted {
            return Err(NotExact::Incomplete);
        }
        self.weighted.ok_or(NotExact::TooLarge)
    }

    /// The depth of a state.
    pub fn depth_of(&self, id: StateId) -> u32 {
        self.level_ends.partition_point(|&end| end <= id as usize) as u32
    }

    /// The moves from the start to state `id`, then `last`, as threads can
    /// really make them, and `probe` (a forbidden call tried in `id`) with
    /// its thread renamed the same way. Without symmetry these are
    /// [`Search::path`]; with it, each stored move names threads as the
    /// representative of its state's orbit does, so the path is replayed
    /// with `rules` from the start and each move renamed back to the
    /// threads of the concrete state reached.
    pub fn concrete_path<R: Rules>(
        &self,
        world: &World,
        rules: &R,
        id: StateId,
        last: Option<Move>,
        probe: Option<Action>,
    ) -> Result<(Vec<Move>, Option<Action>), WorldError> {
        let mut moves = self.path(id);
        moves.extend(last);
        let Some(sym) = &self.symmetry else {
            return Ok((moves, probe));
        };
        let layout = Layout::new(world);
        let (mut k, mut l) = world.initial()?;
        let mut out = Outcome::default();
        let mut ren = Renaming::IDENTITY;
        let unpackable = |e: PackError| WorldError(format!("replaying a path: {e}"));
        let n = moves.len();
        for (i, mv) in moves.iter_mut().enumerate() {
            sym.canonical(&layout, world, &k, &l, &mut ren)
                .map_err(unpackable)?;
            *mv = mv.renamed(&ren.at_slot);
            if i + 1 == n && last.is_some() {
                // The last move may be the one refused or broken: not applied.
                break;
            }
            let action = world.action(*mv, &l);
            rules.apply(&mut k, action, &mut out).map_err(|r| {
                WorldError(format!(
                    "replaying a path: step {} ({}) was refused: {}",
                    i + 1,
                    action.op(),
                    crate::narrate::rejection_reason(&r, &world.names)
                ))
            })?;
            world.advance(*mv, &out, &mut l);
        }
        let probe = match probe {
            None => None,
            Some(a) => {
                sym.canonical(&layout, world, &k, &l, &mut ren)
                    .map_err(unpackable)?;
                let to = |t: ThreadId| ThreadId(u32::from(ren.at_slot[t.index()]));
                Some(match a {
                    Action::Get {
                        thread,
                        port,
                        timeout,
                    } => Action::Get {
                        thread: to(thread),
                        port,
                        timeout,
                    },
                    Action::Unblock { thread } => Action::Unblock { thread: to(thread) },
                    other => other,
                })
            }
        };
        Ok((moves, probe))
    }

    /// The moves from the start to state `id`, as stored (with symmetry,
    /// in the threads' names of each state's representative).
    pub fn path(&self, id: StateId) -> Vec<Move> {
        let mut moves = Vec::new();
        let mut s = id;
        while s != 0 {
            let (p, via) = self.store.parent(s);
            moves.push(Move::from_code(via));
            s = p;
        }
        moves.reverse();
        moves
    }
}

/// What a worker keeps between states: the kernels and buffers it reuses.
struct Worker {
    before_k: Kernel,
    /// Scratch for unpacking states (see [`Layout::decode`]).
    parts: KernelParts,
    before_l: Local,
    work_k: Kernel,
    moves: Vec<Move>,
    out: Outcome,
    ren: Renaming,
    key: Vec<u64>,
}

/// One expanded state: where its successors end in [`Batch::succ`], how
/// many transitions were tried, and why the search must stop, if it must:
/// `before` stops it before any successor is stored (a move broke a
/// property or the layout), `after` once they are (the probe failed).
struct Expanded {
    succ_end: usize,
    transitions: u64,
    /// The number of concrete states the state stands for (its orbit's
    /// size under symmetry, else 1).
    orbit: u128,
    before: Option<Stop>,
    after: Option<Stop>,
}

/// The expansions of a run of consecutive states, made by one worker.
#[derive(Default)]
struct Batch {
    states: Vec<Expanded>,
    /// Per successor: move code, hash of the key, `--find` result.
    succ: Vec<(u16, u64, Option<Option<PortId>>)>,
    /// The successors' keys, `words` each.
    keys: Vec<u64>,
}

/// What every worker shares: the world, the rules and the packing.
struct Expander<'a, R> {
    world: &'a World,
    rules: &'a R,
    layout: &'a Layout,
    symmetry: Option<&'a Symmetry>,
    opts: &'a Options,
}

impl<R: Rules> Expander<'_, R> {
    /// Packs a state into `key`, as its orbit's representative under
    /// symmetry. A successor of `parent` (its key, kernel and locals, and
    /// what the step touched) is packed by copying what the move left
    /// alone: in place with [`Layout::encode_touched`] (no renaming), or
    /// with [`Layout::encode_successor`] (symmetry).
    fn pack(
        &self,
        k: &Kernel,
        l: &Local,
        ren: &mut Renaming,
        key: &mut [u64],
        parent: Option<(&[u64], &Kernel, &Local, &Touched)>,
    ) -> Result<(), PackError> {
        if let Some(sym) = self.symmetry {
            sym.canonical(self.layout, self.world, k, l, ren)?;
        }
        let Some((pkey, pk, pl, touched)) = parent else {
            return self.layout.encode_renamed(self.world, k, l, key, ren);
        };
        if self.symmetry.is_some() {
            self.layout
                .encode_successor(self.world, k, l, key, ren, (pkey, pk, pl))?;
        } else {
            self.layout
                .encode_touched(self.world, k, l, key, (pkey, pk, pl), touched)?;
        }
        #[cfg(debug_assertions)]
        {
            let mut full = vec![0; key.len()];
            self.layout
                .encode_renamed(self.world, k, l, &mut full, ren)
                .expect("packs as the successor did");
            debug_assert_eq!(
                &full[..],
                &key[..],
                "encode_successor differs from encode_renamed"
            );
        }
        Ok(())
    }

    fn worker(&self, k0: &Kernel, l0: &Local) -> Worker {
        Worker {
            before_k: k0.clone(),
            parts: k0.parts(),
            before_l: *l0,
            work_k: k0.clone(),
            moves: Vec::new(),
            out: Outcome::default(),
            ren: Renaming::IDENTITY,
            key: vec![0; self.layout.words],
        }
    }

    /// Expands states `ids` (read from `store`) into `batch`: every
    /// successor, each transition checked against the properties, then the
    /// probe. Stops at the first state that stops the search.
    fn expand(
        &self,
        store: &Store,
        ids: std::ops::Range<usize>,
        w: &mut Worker,
        batch: &mut Batch,
    ) {
        batch.states.clear();
        batch.succ.clear();
        batch.keys.clear();
        for id in ids {
            let e = self.expand_one(store, id as StateId, w, batch);
            let stop = e.before.is_some() || e.after.is_some();
            batch.states.push(e);
            if stop {
                break;
            }
        }
    }

    /// A stored state whose orbit could not be measured (it unpacked into
    /// a thread its program cannot be in): a bug, reported like a state
    /// that does not fit the layout.
    fn broken_orbit(&self, id: StateId, message: String, mut e: Expanded) -> Expanded {
        e.before = Some(Stop::Broken {
            state: id,
            mv: None,
            message: format!("its orbit could not be measured: {message}"),
        });
        e
    }

    fn expand_one(
        &self,
        store: &Store,
        id: StateId,
        w: &mut Worker,
        batch: &mut Batch,
    ) -> Expanded {
        let (world, layout) = (self.world, self.layout);
        let mut e = Expanded {
            succ_end: batch.succ.len(),
            transitions: 0,
            orbit: 1,
            before: None,
            after: None,
        };
        let decoded = layout.decode(
            world,
            store.key(id),
            &mut w.parts,
            &mut w.before_k,
            &mut w.before_l,
        );
        if let Err(error) = decoded {
            e.before = Some(Stop::Unpackable { state: id, error });
            return e;
        }
        if let Some(sym) = self.symmetry {
            match sym.orbit_size(layout, world, &w.before_k, &w.before_l) {
                Ok(n) => e.orbit = n,
                Err(PackError(message)) => return self.broken_orbit(id, message, e),
            }
        }
        world.moves(&w.before_k, &w.before_l, &mut w.moves);
        // The work kernel equals `before_k` at the start of each move:
        // copied once here, then restored after each move (only what the
        // move touched).
        w.work_k.clone_from(&w.before_k);
        for i in 0..w.moves.len() {
            let mv = w.moves[i];
            let mut work_l = w.before_l;
            let action = world.action(mv, &work_l);
            e.transitions += 1;
            if let Err(rej) = self.rules.apply(&mut w.work_k, action, &mut w.out) {
                e.before = Some(match check_step(&w.before_k, &action, None, &w.work_k) {
                    Err(violation) => Stop::Violation {
                        state: id,
                        mv,
                        probe: None,
                        violation,
                    },
                    Ok(()) => Stop::Broken {
                        state: id,
                        mv: Some(mv),
                        message: format!(
                            "the program's {} was refused: {}",
                            action.op(),
                            crate::narrate::rejection_reason(&rej, &world.names)
                        ),
                    },
                });
                return e;
            }
            if let Err(violation) = check_step(&w.before_k, &action, Some(&w.out), &w.work_k) {
                e.before = Some(Stop::Violation {
                    state: id,
                    mv,
                    probe: None,
                    violation,
                });
                return e;
            }
            world.advance(mv, &w.out, &mut work_l);
            let parent = Some((store.key(id), &w.before_k, &w.before_l, &w.out.touched));
            if let Err(PackError(message)) =
                self.pack(&w.work_k, &work_l, &mut w.ren, &mut w.key, parent)
            {
                e.before = Some(Stop::Broken {
                    state: id,
                    mv: Some(mv),
                    message: format!("state does not fit the packed layout: {message}"),
                });
                return e;
            }
            let found = self.opts.find.as_ref().and_then(|c| c.holds(&w.work_k));
            let h = hash(&w.key);
            batch.keys.extend_from_slice(&w.key);
            batch.succ.push((mv.code(), h, found));
            // After the last move, only the probe needs `work_k` back (the
            // next state copies it whole).
            if i + 1 < w.moves.len() || self.opts.probe_invalid {
                w.work_k.restore_from(&w.before_k, &w.out.touched);
            }
        }
        e.succ_end = batch.succ.len();
        if self.opts.probe_invalid {
            // `work_k` equals `before_k` again (restored after each move).
            e.after = probe(
                world,
                self.rules,
                id,
                &w.before_k,
                &mut w.work_k,
                &mut w.out,
            );
        }
        e
    }
}

/// States a worker expands per round (the store grows only between rounds).
const ROUND: usize = 4096;

/// How many successors ahead of the one being stored its hash-table slot
/// is prefetched.
const FAR: usize = 16;

/// How many successors ahead the key its slot points to is prefetched.
const NEAR: usize = 8;

/// Explores `world` breadth-first with `rules`, on `opts.threads` threads.
///
/// The result does not depend on the number of threads: each round, the
/// workers expand consecutive runs of the states waiting in the queue (the
/// store, read only meanwhile), then one thread stores their successors in
/// state order, exactly as a single thread expanding them one by one would
/// (same numbers, same parents, same stop).
pub fn search<R: Rules + Sync>(
    world: &World,
    rules: &R,
    opts: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Search, WorldError> {
    let layout = Layout::new(world);
    let (k0, l0) = world.initial()?;
    // The world counts against the budget too; what is left bounds the store.
    let budget = opts.max_bytes.saturating_sub(world.heap_bytes);
    let mut store = Store::with_limit(layout.words, budget);
    let mut result = Search {
        stop: Stop::Exhausted,
        store: Store::new(layout.words),
        transitions: 0,
        probes: 0,
        depth: 0,
        level_ends: Vec::new(),
        symmetry: if opts.symmetry {
            Symmetry::new(world)
        } else {
            None
        },
        weighted: Some(Concrete::default()),
    };
    let sym = result.symmetry.clone();
    let ex = Expander {
        world,
        rules,
        layout: &layout,
        symmetry: sym.as_ref(),
        opts,
    };
    let threads = opts.threads.max(1);
    let mut workers: Vec<Worker> = (0..threads).map(|_| ex.worker(&k0, &l0)).collect();
    let mut batches: Vec<Batch> = (0..threads).map(|_| Batch::default()).collect();
    {
        let w = &mut workers[0];
        ex.pack(&k0, &l0, &mut w.ren, &mut w.key, None)
            .map_err(|e| WorldError(e.to_string()))?;
        store
            .insert(&w.key, 0, u16::MAX)
            .map_err(|_| WorldError("out of memory".to_owned()))?;
    }
    let finish = |mut r: Search, store: Store, stop: Stop, level_end: usize| {
        r.stop = stop;
        r.level_ends.push(level_end.min(store.len()));
        if store.len() > level_end {
            r.level_ends.push(store.len());
        }
        r.depth = r.level_ends.len() as u32 - 1;
        r.store = store;
        Ok(r)
    };
    if let Some(c) = &opts.find {
        if let Some(port) = c.holds(&k0) {
            return finish(result, store, Stop::Found { state: 0, port }, 1);
        }
    }
    let words = layout.words;
    let mut cur: usize = 0;
    let mut level_end: usize = 1;
    let mut depth: u32 = 0;
    let mut next_report = opts.progress_every.max(1);
    while cur < store.len() {
        // Expand: each worker a run of consecutive states.
        let waiting = store.len() - cur;
        let per = waiting.div_ceil(threads).clamp(1, ROUND);
        let runs: Vec<std::ops::Range<usize>> = (0..threads)
            .map(|i| {
                let a = (cur + i * per).min(store.len());
                a..(a + per).min(store.len())
            })
            .collect();
        if threads == 1 {
            for (i, run) in runs.iter().enumerate() {
                ex.expand(&store, run.clone(), &mut workers[i], &mut batches[i]);
            }
        } else {
            let store = &store;
            let ex = &ex;
            std::thread::scope(|s| {
                for ((w, b), run) in workers.iter_mut().zip(batches.iter_mut()).zip(&runs) {
                    let run = run.clone();
                    s.spawn(move || ex.expand(store, run, w, b));
                }
            });
        }
        // Store: in state order, as one thread would.
        for (batch, run) in batches.iter().zip(&runs) {
            // The table is far larger than the caches: each look-up's slot
            // is fetched FAR successors ahead and its key NEAR ahead, so the
            // misses overlap (a round's successors are too many for the
            // prefetches made while expanding to still be in the cache).
            for &(_, h, _) in batch.succ.iter().take(FAR) {
                store.prefetch(h);
            }
            for &(_, h, _) in batch.succ.iter().take(NEAR) {
                store.prefetch_key(h);
            }
            let mut first = 0;
            for (e, id) in batch.states.iter().zip(run.clone()) {
                debug_assert_eq!(id, cur);
                if cur == level_end {
                    result.level_ends.push(level_end);
                    depth += 1;
                    level_end = store.len();
                }
                result.transitions += e.transitions;
                if let Some(stop) = &e.before {
                    return finish(result, store, stop.clone(), level_end);
                }
                for j in first..e.succ_end {
                    if let Some(&(_, h, _)) = batch.succ.get(j + FAR) {
                        store.prefetch(h);
                    }
                    if let Some(&(_, h, _)) = batch.succ.get(j + NEAR) {
                        store.prefetch_key(h);
                    }
                    let (code, h, found) = batch.succ[j];
                    let key = &batch.keys[j * words..(j + 1) * words];
                    // The limit stops the search at the first state beyond
                    // it, not at the last one within it: a graph of exactly
                    // `max_states` states is searched to the end.
                    if store.len() >= opts.max_states && !store.contains_hashed(key, h) {
                        return finish(result, store, Stop::MaxStates, level_end);
                    }
                    match store.insert_hashed(key, h, id as StateId, code) {
                        Ok(Some(new)) => {
                            if let Some(port) = found {
                                let stop = Stop::Found { state: new, port };
                                return finish(result, store, stop, level_end);
                            }
                        }
                        Ok(None) => {}
                        Err(OutOfMemory) => {
                            return finish(result, store, Stop::OutOfMemory, level_end)
                        }
                    }
                }
                first = e.succ_end;
                if let Some(stop) = &e.after {
                    return finish(result, store, stop.clone(), level_end);
                }
                if opts.probe_invalid {
                    result.probes += 1;
                }
                result.weighted = result
                    .weighted
                    .and_then(|c| c.add(e.orbit, e.transitions, opts.probe_invalid));
                cur += 1;
                if cur >= next_report {
                    next_report += opts.progress_every.max(1);
                    let bytes = store.bytes();
                    progress(&Progress {
                        states: store.len(),
                        expanded: cur,
                        transitions: result.transitions,
                        depth,
                        bytes,
                    });
                    if bytes > budget {
                        return finish(result, store, Stop::OutOfMemory, level_end);
                    }
                }
            }
        }
    }
    let end = level_end;
    finish(result, store, Stop::Exhausted, end)
}

/// Tries one call model.md forbids in state `id` (`work` equal to
/// `before`): the first thread that waits, is paused or has exited calls
/// get; if every thread runs, the first one is unblocked. It must be
/// refused and change nothing.
fn probe<R: Rules>(
    world: &World,
    rules: &R,
    id: StateId,
    before: &Kernel,
    work: &mut Kernel,
    out: &mut Outcome,
) -> Option<Stop> {
    let threads = before.threads();
    let action = match threads
        .iter()
        .position(|t| t.state() != ThreadState::Running)
    {
        Some(i) => Action::Get {
            thread: ThreadId::from_index(i),
            port: world.programs[i].port,
            timeout: world.programs[i].timeout,
        },
        None => Action::Unblock {
            thread: ThreadId(0),
        },
    };
    let mv = Move::Thread(ThreadId(0));
    match rules.apply(work, action, out) {
        // No move: the trace printed ends in `state`, and the message
        // names the call.
        Ok(()) => Some(Stop::Broken {
            state: id,
            mv: None,
            message: format!(
                "the model accepted a forbidden call ({} by a thread that is not running, or unblock of a running thread)",
                action.op()
            ),
        }),
        Err(_) => check_step(before, &action, None, work)
            .err()
            .map(|violation| Stop::Violation {
                state: id,
                mv,
                probe: Some(action),
                violation,
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::Concrete;

    /// The weighted sums never wrap: past `u128::MAX` they give up, and the
    /// command then prints orbits only.
    #[test]
    fn concrete_sums_refuse_to_overflow() {
        let c = Concrete::default().add(6, 4, true).unwrap();
        assert_eq!(
            c,
            Concrete {
                states: 6,
                transitions: 24,
                probes: 6
            }
        );
        assert_eq!(c.add(1, 0, false).unwrap().probes, 6);
        let full = Concrete {
            states: u128::MAX - 1,
            ..Concrete::default()
        };
        assert!(full.add(1, 0, false).is_some());
        assert!(full.add(2, 0, false).is_none());
        let big = u128::MAX / 3 + 1;
        assert!(Concrete::default().add(big, 3, false).is_none());
        assert!(Concrete::default().add(big, 2, false).is_some());
        let probed = Concrete {
            probes: u128::MAX,
            ..Concrete::default()
        };
        assert!(probed.add(1, 1, true).is_none());
    }
}
