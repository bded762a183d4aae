//! [`Store`]: every state found so far, packed, in the order found, with
//! the state it was reached from and the move that reached it. The order of
//! discovery is the breadth-first queue itself, so the search needs no other
//! queue. An open-addressing hash table of state numbers merges duplicates.
//!
//! Memory per state: `8 * words` bytes of key, 4 bytes of parent, 2 bytes of
//! move, and 8 bytes per hash-table slot (the table is kept at most 70%
//! full, so 11.4 to 22.9 bytes per state; see [`Store::bytes`]).

/// A state number: its index in discovery order.
pub type StateId = u32;

/// No more room: the hash table or the arrays could not grow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfMemory;

impl std::fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("out of memory: the state store could not grow")
    }
}

impl std::error::Error for OutOfMemory {}

/// The set of states found, in discovery order.
#[derive(Debug)]
pub struct Store {
    words: usize,
    keys: Vec<u64>,
    parent: Vec<StateId>,
    via: Vec<u16>,
    /// Slots: 0 empty, else `(hash tag << 32) | (id + 1)`.
    table: Vec<u64>,
    len: usize,
    limit: usize,
}

/// The hash of a packed key (the table slot is its low bits, the tag its high 32).
#[inline(always)]
pub fn hash(key: &[u64]) -> u64 {
    let mut h: u64 = 0x243f_6a88_85a3_08d3;
    for &w in key {
        h = (h ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^= h >> 29;
    }
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

/// Asks Linux to back a large, not yet touched allocation with 2 MiB pages:
/// the hash table is read at random, and with 4 KiB pages most look-ups
/// also miss the TLB. Only a hint; elsewhere it does nothing.
fn huge_pages(v: &Vec<u64>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = v.capacity() * 8;
        if bytes < 2 * HUGE {
            return;
        }
        // madvise needs a page-aligned start; round into the allocation.
        let start = (v.as_ptr() as usize).div_ceil(4096) * 4096;
        let end = v.as_ptr() as usize + bytes;
        // SAFETY: the range lies inside `v`'s allocation, which outlives
        // the call; MADV_HUGEPAGE changes no contents, only how the kernel
        // backs the pages.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

impl Store {
    /// An empty store for keys of `words` words, with no memory limit.
    pub fn new(words: usize) -> Store {
        Store::with_limit(words, usize::MAX)
    }

    /// An empty store that refuses to grow past `limit` bytes: an insert
    /// that would need more returns [`OutOfMemory`] before allocating.
    pub fn with_limit(words: usize, limit: usize) -> Store {
        Store {
            words,
            keys: Vec::new(),
            parent: Vec::new(),
            via: Vec::new(),
            table: vec![0; 1 << 12],
            len: 0,
            limit,
        }
    }

    /// Bytes the store would hold after the arrays grow to take one more
    /// state (the table while it is rebuilt counts twice).
    fn bytes_after_next(&self) -> usize {
        let grown = |len: usize, cap: usize, extra: usize, size: usize| {
            if len + extra > cap {
                (cap * 2).max(len + extra) * size
            } else {
                cap * size
            }
        };
        let mut b = grown(self.keys.len(), self.keys.capacity(), self.words, 8)
            + grown(self.parent.len(), self.parent.capacity(), 1, 4)
            + grown(self.via.len(), self.via.capacity(), 1, 2)
            + self.table.len() * 8;
        if (self.len + 1) * 10 > self.table.len() * 7 {
            b += self.table.len() * 16;
        }
        b
    }

    /// Number of states stored.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The packed key of state `id`.
    #[inline]
    pub fn key(&self, id: StateId) -> &[u64] {
        let i = id as usize * self.words;
        &self.keys[i..i + self.words]
    }

    /// The state `id` was reached from (itself for the initial state) and the move code.
    pub fn parent(&self, id: StateId) -> (StateId, u16) {
        (self.parent[id as usize], self.via[id as usize])
    }

    /// Bytes held by the store now.
    pub fn bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.parent.capacity() * 4
            + self.via.capacity() * 2
            + self.table.capacity() * 8
    }

    /// Bytes per state the store needs on average at its current size.
    pub fn bytes_per_state(&self) -> f64 {
        if self.len == 0 {
            0.0
        } else {
            (self.len * (self.words * 8 + 4 + 2) + self.table.len() * 8) as f64 / self.len as f64
        }
    }

    /// Asks the CPU to start loading the table slot of hash `h`, so that
    /// several look-ups overlap their cache misses.
    #[inline(always)]
    pub fn prefetch(&self, h: u64) {
        let i = (h as usize) & (self.table.len() - 1);
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let p = self.table[i..].as_ptr() as *const i8;
            // SAFETY: prefetching is a hint; it never faults or changes memory.
            #[allow(unused_unsafe)]
            unsafe {
                _mm_prefetch(p, _MM_HINT_T0)
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = i;
    }

    /// The second stage of [`Store::prefetch`], once the slot of `h` has
    /// arrived in the cache: if that slot holds a state with the same tag,
    /// asks the CPU to start loading its key, which the look-up will
    /// compare (for most successors, states already found, that key read
    /// is the other cache miss of a look-up).
    #[inline(always)]
    pub fn prefetch_key(&self, h: u64) {
        let slot = self.table[(h as usize) & (self.table.len() - 1)];
        if slot != 0 && slot >> 32 == h >> 32 {
            let i = ((slot as u32) - 1) as usize * self.words;
            #[cfg(target_arch = "x86_64")]
            if let Some(k) = self.keys.get(i) {
                use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
                // SAFETY: prefetching is a hint; it never faults or changes memory.
                #[allow(unused_unsafe)]
                unsafe {
                    _mm_prefetch(k as *const u64 as *const i8, _MM_HINT_T0)
                };
            }
            #[cfg(not(target_arch = "x86_64"))]
            let _ = i;
        }
    }

    /// Adds `key` if it is new; returns its id, or `None` if it was there.
    #[inline]
    pub fn insert(
        &mut self,
        key: &[u64],
        parent: StateId,
        via: u16,
    ) -> Result<Option<StateId>, OutOfMemory> {
        self.insert_hashed(key, hash(key), parent, via)
    }

    /// True if `key` (with hash `h`) is stored.
    #[inline]
    pub fn contains_hashed(&self, key: &[u64], h: u64) -> bool {
        self.slot_of(key, h).is_ok()
    }

    /// [`Store::insert`] with the key's [`hash`] already computed.
    #[inline]
    pub fn insert_hashed(
        &mut self,
        key: &[u64],
        h: u64,
        parent: StateId,
        via: u16,
    ) -> Result<Option<StateId>, OutOfMemory> {
        debug_assert_eq!(key.len(), self.words);
        let tag = h >> 32;
        let mut i = match self.slot_of(key, h) {
            Ok(_) => return Ok(None),
            Err(empty) => empty,
        };
        // A new state. Growing is checked only here, off the path of the
        // duplicates (most look-ups), and refused before allocating.
        let grow_table = (self.len + 1) * 10 > self.table.len() * 7;
        let grow_arrays = self.keys.len() + self.words > self.keys.capacity()
            || self.parent.len() == self.parent.capacity()
            || self.via.len() == self.via.capacity();
        if grow_table || grow_arrays {
            if self.bytes_after_next() > self.limit || self.len >= u32::MAX as usize - 1 {
                return Err(OutOfMemory);
            }
            if grow_table {
                self.grow()?;
                i = self.slot_of(key, h).expect_err("the key is new");
            }
            self.keys.try_reserve(self.words).map_err(|_| OutOfMemory)?;
            self.parent.try_reserve(1).map_err(|_| OutOfMemory)?;
            self.via.try_reserve(1).map_err(|_| OutOfMemory)?;
        }
        let id = self.len as StateId;
        self.keys.extend_from_slice(key);
        self.parent.push(parent);
        self.via.push(via);
        self.table[i] = (tag << 32) | (id as u64 + 1);
        self.len += 1;
        Ok(Some(id))
    }

    /// `Ok(id)` if `key` (with hash `h`) is stored, else `Err(slot)`: the
    /// empty slot where it would go.
    #[inline(always)]
    fn slot_of(&self, key: &[u64], h: u64) -> Result<StateId, usize> {
        let tag = h >> 32;
        let mask = self.table.len() - 1;
        let mut i = (h as usize) & mask;
        loop {
            let slot = self.table[i];
            if slot == 0 {
                return Err(i);
            }
            if slot >> 32 == tag {
                let id = (slot as u32) - 1;
                // Word by word: a slice `==` calls memcmp for two words.
                if self.key(id).iter().zip(key).all(|(a, b)| a == b) {
                    return Ok(id);
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) -> Result<(), OutOfMemory> {
        let size = self.table.len() * 2;
        let mut table: Vec<u64> = Vec::new();
        table.try_reserve_exact(size).map_err(|_| OutOfMemory)?;
        huge_pages(&table);
        table.resize(size, 0);
        let mask = size - 1;
        for id in 0..self.len as StateId {
            let h = hash(self.key(id));
            let mut i = (h as usize) & mask;
            while table[i] != 0 {
                i = (i + 1) & mask;
            }
            table[i] = ((h >> 32) << 32) | (id as u64 + 1);
        }
        self.table = table;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_equal_keys_and_keeps_discovery_order() {
        let mut s = Store::new(2);
        assert_eq!(s.insert(&[1, 2], 0, 0), Ok(Some(0)));
        assert_eq!(s.insert(&[3, 4], 0, 7), Ok(Some(1)));
        assert_eq!(s.insert(&[1, 2], 1, 9), Ok(None));
        for i in 0..10_000u64 {
            s.insert(&[i, i * 3 + 1], 1, 1).unwrap();
        }
        assert_eq!(s.key(1), &[3, 4]);
        assert_eq!(s.parent(1), (0, 7));
        // The second [1, 2] was merged; the 10,000 others are all new.
        assert_eq!(s.len(), 2 + 10_000);
        assert_eq!(s.insert(&[5000, 15001], 0, 0), Ok(None));
    }

    #[test]
    fn a_limited_store_refuses_to_grow_past_its_limit() {
        let mut s = Store::with_limit(1, 100_000);
        let mut stored = 0u64;
        while s.insert(&[stored], 0, 0) != Err(OutOfMemory) {
            stored += 1;
        }
        assert!(s.bytes() <= 100_000, "{} bytes", s.bytes());
        assert!(stored > 1000);
        // Known keys are still found once full.
        assert_eq!(s.insert(&[0], 0, 0), Ok(None));
    }
}
