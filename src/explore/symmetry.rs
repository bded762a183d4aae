//! Symmetry reduction: threads declared together (`count: n`) run the same
//! program, so two states that differ only by a permutation of such threads
//! behave alike (the model's rules never look at a thread's number, only at
//! where the thread is), and the search keeps one of them.
//!
//! [`Symmetry::canonical`] chooses the representative: within each group of
//! interchangeable threads, the threads are sorted by a key made of
//! everything the packed state says about one thread (its packed field from
//! [`Layout::thread_field`], queue-wait mark included, its place in a WTQ,
//! its membership of each RTL and PTL), and renamed in that order
//! everywhere they appear ([`Layout::encode_renamed`]). Two threads with equal keys wait in no WTQ
//! and are packed identically, so swapping them changes no bit: every state
//! of an orbit packs to the same key, and states of different orbits to
//! different keys. The reduced search therefore visits exactly one state per
//! orbit, at the same depth as the unreduced search first meets the orbit.
//!
//! Nothing else in a state names a thread: a packet records who made it
//! only as "a post" or "a request" ([`crate::model::Origin`]), devices and
//! OVERLAPPEDs name devices, and the environment's budgets are global. So
//! the renamings that leave a state unchanged are exactly those that
//! permute threads with equal keys within a group, and
//! [`Symmetry::orbit_size`] counts the states of an orbit from the keys
//! alone: `n! / (c1! c2! ...)` per group of `n` threads whose keys come in
//! runs of `c1`, `c2`, ... equal ones.

use super::condition::Condition;
use super::pack::{Layout, PackError, Renaming};
use super::spec::MAX_THREADS;
use super::world::{Local, World};
use crate::model::Kernel;
use std::ops::Range;

/// The groups of interchangeable threads of a world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symmetry {
    groups: Vec<Range<usize>>,
}

/// `FACTORIALS[n]` is `n!`, for every number of threads a spec may declare
/// (32! is below 2^118, so every orbit size fits a `u128`).
const FACTORIALS: [u128; MAX_THREADS + 1] = {
    let mut f = [1u128; MAX_THREADS + 1];
    let mut i = 1;
    while i <= MAX_THREADS {
        f[i] = f[i - 1] * i as u128;
        i += 1;
    }
    f
};

impl Symmetry {
    /// The world's symmetry, or `None` if no two threads are interchangeable.
    pub fn new(world: &World) -> Option<Symmetry> {
        if world.interchangeable.is_empty() {
            None
        } else {
            Some(Symmetry {
                groups: world.interchangeable.clone(),
            })
        }
    }

    /// Whether searching `world` for `find` (or for property verdicts
    /// alone) may use the reduction: the world declares a group of at least
    /// two interchangeable threads, and the condition, if any, holds in a
    /// state exactly when it holds in every renaming of it
    /// ([`Condition::names_a_thread`] is false). `explore` uses it then
    /// unless told `--no-symmetry`.
    pub fn sound_for(world: &World, find: Option<&Condition>) -> bool {
        !world.interchangeable.is_empty() && !find.is_some_and(Condition::names_a_thread)
    }

    /// The groups of interchangeable threads, as ranges of thread ids.
    pub fn groups(&self) -> &[Range<usize>] {
        &self.groups
    }

    /// Each thread's sort key in `(k, l)`: everything the packed state says
    /// about it, so two threads of a group with equal keys can trade names
    /// without changing the packed state, and two with different keys
    /// cannot.
    fn keys(
        &self,
        layout: &Layout,
        world: &World,
        k: &Kernel,
        l: &Local,
    ) -> Result<[u64; MAX_THREADS], PackError> {
        let mut keys = [0u64; MAX_THREADS];
        for (ti, th) in k.threads().iter().enumerate() {
            // At most 17 bits: 5 + port (4) + count (7) + queue-wait mark (1).
            keys[ti] = layout.thread_field(world, ti, th, l)?.0 << 32;
        }
        for (pi, port) in k.ports().iter().enumerate() {
            // Ports are at most 8 and threads 32: 16 bits for the place in
            // a WTQ, 16 for the lists (two bits per port).
            for (pos, t) in port.wtq().arrival_order().iter().enumerate() {
                keys[t.index()] |= (((pi + 1) * 64 + pos) as u64) << 16;
            }
            for t in port.rtl().as_slice() {
                keys[t.index()] |= 1 << (2 * pi);
            }
            for t in port.ptl().as_slice() {
                keys[t.index()] |= 1 << (2 * pi + 1);
            }
        }
        Ok(keys)
    }

    /// Sets `ren` to the renaming that packs the state `(k, l)` as its
    /// orbit's representative.
    pub fn canonical(
        &self,
        layout: &Layout,
        world: &World,
        k: &Kernel,
        l: &Local,
        ren: &mut Renaming,
    ) -> Result<(), PackError> {
        let n = k.threads().len();
        let keys = self.keys(layout, world, k, l)?;
        *ren = Renaming::IDENTITY;
        for g in &self.groups {
            ren.at_slot[g.clone()].sort_unstable_by_key(|&t| keys[t as usize]);
        }
        for j in 0..n {
            ren.slot_of[ren.at_slot[j] as usize] = j as u8;
        }
        Ok(())
    }

    /// How many distinct packed states the orbit of `(k, l)` holds: the
    /// renamings within the groups, `n!` per group of `n`, divided by those
    /// that leave the state unchanged, which permute threads with equal
    /// keys (`c!` per run of `c` equal keys). At most 32!, so it fits.
    pub fn orbit_size(
        &self,
        layout: &Layout,
        world: &World,
        k: &Kernel,
        l: &Local,
    ) -> Result<u128, PackError> {
        let mut keys = self.keys(layout, world, k, l)?;
        let mut size = 1u128;
        for g in &self.groups {
            let group = &mut keys[g.clone()];
            group.sort_unstable();
            let mut fixed = 1u128;
            for run in group.chunk_by(|a, b| a == b) {
                fixed *= FACTORIALS[run.len()];
            }
            size *= FACTORIALS[group.len()] / fixed;
        }
        Ok(size)
    }
}

#[cfg(test)]
mod tests {
    use super::FACTORIALS;

    #[test]
    fn factorials_are_exact_up_to_32() {
        assert_eq!(FACTORIALS[0], 1);
        assert_eq!(FACTORIALS[5], 120);
        assert_eq!(FACTORIALS[12], 479_001_600);
        assert_eq!(
            FACTORIALS[32],
            263_130_836_933_693_530_167_218_012_160_000_000
        );
    }
}
