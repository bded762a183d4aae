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

use super::pack::{Layout, PackError, Renaming};
use super::world::{Local, World};
use crate::model::Kernel;
use std::ops::Range;

/// The groups of interchangeable threads of a world.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symmetry {
    groups: Vec<Range<usize>>,
}

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
        let mut keys = [0u64; super::spec::MAX_THREADS];
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
        *ren = Renaming::IDENTITY;
        for g in &self.groups {
            ren.at_slot[g.clone()].sort_unstable_by_key(|&t| keys[t as usize]);
        }
        for j in 0..n {
            ren.slot_of[ren.at_slot[j] as usize] = j as u8;
        }
        Ok(())
    }
}
