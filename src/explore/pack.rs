//! The packed state: a [`Kernel`] and a [`Local`] as a fixed number of
//! 64-bit words, so the explorer stores millions of states in a flat array
//! and merges duplicates by comparing a few words.
//!
//! The [`Layout`] gives each field just the bits its bounds need (they come
//! from the spec: how many threads, how many packets can exist, ...). What
//! is packed, per port: `current`, closed, the IOCQ (length, then each
//! packet as an index into [`World::templates`]), the WTQ (length, then
//! thread ids in arrival order), the RTL and PTL as bit sets; per thread:
//! state, port, program counter, packet count, and the queue-wait mark
//! only for threads whose program posts (no other thread's mark can
//! influence anything, so it is left out of the canonical form and spec
//! without such posts keep the same state counts); per device: closed; per
//! request: its OVERLAPPED's use; then the environment's budgets and the
//! `lost` counter.
//!
//! What is *not* packed: the `made` and `delivered` counters, which only
//! grow and which no rule reads (a server loop that posts for ever would
//! otherwise never repeat a state). Decoding sets `delivered = 0` and
//! `made = queued + lost`, which keeps property 1's equation exact.
//! Everything else the rules read is packed, so two states with the same
//! key behave the same from then on.

use super::spec::MAX_THREADS;
use super::world::{Local, Pc, World};
use crate::model::{
    Counters, DeviceParts, Kernel, KernelParts, OvUse, PartsError, Port, PortParts, Thread,
    ThreadId, ThreadState, Touched,
};

/// Bits needed for the values `0..=n`.
pub fn bits_for(n: u64) -> u32 {
    64 - n.leading_zeros()
}

/// A state does not fit its layout: the model produced something the spec's
/// bounds say cannot happen (a bug in a rule, or in the layout).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackError(pub String);

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "state does not fit the packed layout: {}", self.0)
    }
}

impl std::error::Error for PackError {}

/// A renaming of the threads: thread `t` is packed in slot `slot_of[t]`,
/// and slot `j` holds thread `at_slot[j]` (the inverse). Only the first
/// `threads` entries are used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Renaming {
    /// The slot of each thread.
    pub slot_of: [u8; MAX_THREADS],
    /// The thread in each slot.
    pub at_slot: [u8; MAX_THREADS],
}

impl Renaming {
    /// Every thread keeps its id.
    pub const IDENTITY: Renaming = {
        let mut ids = [0u8; MAX_THREADS];
        let mut i = 0;
        while i < MAX_THREADS {
            ids[i] = i as u8;
            i += 1;
        }
        Renaming {
            slot_of: ids,
            at_slot: ids,
        }
    };
}

/// The field widths for one world.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Words per state.
    pub words: usize,
    /// Bits used.
    pub bits: u32,
    threads: usize,
    tid_bits: u32,
    port_bits: u32,
    current_bits: u32,
    qlen_bits: u32,
    queue_cap: usize,
    tmpl_bits: u32,
    wlen_bits: u32,
    count_bits: Vec<u32>,
    /// Per thread: 1 if its program posts (its queue-wait mark is packed), else 0.
    mark_bits: Vec<u32>,
    post_bits: Vec<u32>,
    timeout_bits: u32,
    lost_bits: u32,
    /// Per thread: where its field starts when packed with no renaming,
    /// and its width (see [`Layout::thread_field`]).
    thread_at: Vec<(u32, u32)>,
    /// Bits per port (port `i` starts at bit `i * per_port`).
    per_port: u32,
    /// Where a port's WTQ field, and its RTL and PTL bits, start in it.
    wtq_at: u32,
    lists_at: u32,
    /// Where the devices' and OVERLAPPEDs' fields start.
    io_at: u32,
    /// Where the environment's budgets and `lost` start (to the end).
    tail_at: u32,
    entries: Vec<Option<(crate::model::PortId, u64)>>,
}

/// Packs fields into words, keeping the word being filled in a register
/// (read-modify-write of memory per field made encoding twice as slow).
struct Writer<'a> {
    words: &'a mut [u64],
    w: usize,
    acc: u64,
    nbits: u32,
    overflow: bool,
}

impl Writer<'_> {
    /// Appends the low `bits` bits of `v` (`bits` below 64; 0 appends
    /// nothing, and then `v` must be 0). A value wider than `bits` is
    /// recorded as an overflow.
    #[inline(always)]
    fn put(&mut self, v: u64, bits: u32) {
        debug_assert!(bits < 64);
        self.overflow |= (v >> bits) != 0;
        // With bits == 0, v is 0 (or overflow is set): nothing changes but nbits.
        self.acc |= v << self.nbits;
        let total = self.nbits + bits;
        if total >= 64 {
            self.words[self.w] = self.acc;
            self.w += 1;
            self.acc = if self.nbits == 0 {
                0
            } else {
                v >> (64 - self.nbits)
            };
            self.nbits = total - 64;
        } else {
            self.nbits = total;
        }
    }

    /// [`Writer::put`] for a field of up to 64 bits, with no overflow check.
    #[inline(always)]
    fn put_wide(&mut self, v: u64, bits: u32) {
        if bits == 64 {
            self.put(v & u32::MAX as u64, 32);
            self.put(v >> 32, 32);
        } else {
            self.put(v, bits);
        }
    }

    /// Appends `bits` zero bits.
    #[inline(always)]
    fn skip(&mut self, bits: u32) {
        let total = self.nbits + bits;
        if total >= 64 {
            // The word being filled, then whole zero words, then a partial one.
            self.words[self.w] = self.acc;
            self.w += 1;
            let mut rest = total - 64;
            while rest >= 64 {
                self.words[self.w] = 0;
                self.w += 1;
                rest -= 64;
            }
            self.acc = 0;
            self.nbits = rest;
        } else {
            self.nbits = total;
        }
    }

    #[inline(always)]
    fn finish(&mut self) {
        if self.nbits > 0 {
            self.words[self.w] = self.acc;
        }
    }

    /// A writer that overwrites `words` from bit `at` on, keeping the bits
    /// below it (finish with [`Writer::finish_within`], or with
    /// [`Writer::finish`] when it writes to the end).
    #[inline(always)]
    fn at(words: &mut [u64], at: u32) -> Writer<'_> {
        let (w, nbits) = ((at / 64) as usize, at % 64);
        let acc = if nbits == 0 {
            0
        } else {
            words[w] & ((1u64 << nbits) - 1)
        };
        Writer {
            words,
            w,
            acc,
            nbits,
            overflow: false,
        }
    }

    /// Like [`Writer::finish`], keeping the bits past the last one written.
    #[inline(always)]
    fn finish_within(&mut self) {
        if self.nbits > 0 {
            let keep = self.words[self.w] & !((1u64 << self.nbits) - 1);
            self.words[self.w] = self.acc | keep;
        }
    }
}

struct Reader<'a> {
    words: &'a [u64],
    pos: u32,
}

impl Reader<'_> {
    /// Appends the bits from here up to `end` to `w` (nothing if `end` is
    /// not past here), and moves here to `end`.
    #[inline(always)]
    fn copy_to(&mut self, w: &mut Writer<'_>, end: u32) {
        while self.pos < end {
            let bits = (end - self.pos).min(56);
            w.put(self.get(bits), bits);
        }
    }

    #[inline(always)]
    fn get(&mut self, bits: u32) -> u64 {
        if bits == 0 {
            return 0;
        }
        let w = (self.pos / 64) as usize;
        let off = self.pos % 64;
        let mut v = self.words[w] >> off;
        if off + bits > 64 {
            v |= self.words[w + 1] << (64 - off);
        }
        self.pos += bits;
        if bits == 64 {
            v
        } else {
            v & ((1u64 << bits) - 1)
        }
    }
}

/// Reads fields in order, keeping the word being read in a register (as
/// [`Writer`] does for writing): what [`Layout::decode`] uses.
struct Stream<'a> {
    words: &'a [u64],
    /// The next word to load.
    next: usize,
    /// The unread bits of the current word, lowest first (higher bits 0).
    cur: u64,
    left: u32,
}

impl Stream<'_> {
    fn new(words: &[u64]) -> Stream<'_> {
        Stream {
            words,
            next: 0,
            cur: 0,
            left: 0,
        }
    }

    /// The next `bits` bits (below 64; 0 reads nothing and gives 0). Past
    /// the key's end, zeros.
    #[inline(always)]
    fn get(&mut self, bits: u32) -> u64 {
        debug_assert!(bits < 64);
        let mask = (1u64 << bits) - 1;
        if bits <= self.left {
            let v = self.cur & mask;
            self.cur >>= bits;
            self.left -= bits;
            v
        } else {
            let word = self.words.get(self.next).copied().unwrap_or(0);
            self.next += 1;
            let v = (self.cur | (word << self.left)) & mask;
            let used = bits - self.left;
            self.cur = word >> used;
            self.left = 64 - used;
            v
        }
    }

    /// Passes over `bits` bits.
    #[inline(always)]
    fn skip(&mut self, mut bits: u32) {
        while bits > 0 {
            let b = bits.min(63);
            self.get(b);
            bits -= b;
        }
    }
}

impl Layout {
    /// The layout of a world's states.
    pub fn new(world: &World) -> Layout {
        let threads = world.programs.len();
        let ports = world.config.ports.len();
        let tid_bits = bits_for(threads.saturating_sub(1) as u64);
        let port_bits = bits_for(ports as u64);
        let current_bits = bits_for(threads as u64);
        let bound = world.packet_bound as u64;
        let qlen_bits = bits_for(bound);
        let tmpl_bits = bits_for(world.templates.len().saturating_sub(1) as u64);
        let wlen_bits = bits_for(threads as u64);
        let count_bits: Vec<u32> = world
            .programs
            .iter()
            .map(|p| p.packets.map_or(0, |n| bits_for(n as u64)))
            .collect();
        let mark_bits: Vec<u32> = world
            .programs
            .iter()
            .map(|p| u32::from(p.post.is_some()))
            .collect();
        let post_bits: Vec<u32> = world
            .env_posts
            .iter()
            .map(|p| bits_for(p.count as u64))
            .collect();
        let timeout_bits = world.timeouts.map_or(0, |n| bits_for(n as u64));
        let lost_bits = bits_for(bound);
        let per_port = current_bits
            + 1
            + qlen_bits
            + bound as u32 * tmpl_bits
            + wlen_bits
            + threads as u32 * tid_bits
            + 2 * threads as u32;
        let per_thread = 2 + port_bits + 3;
        let mut thread_at = Vec::with_capacity(threads);
        let mut at = ports as u32 * per_port;
        for ti in 0..threads {
            let width = per_thread + count_bits[ti] + mark_bits[ti];
            thread_at.push((at, width));
            at += width;
        }
        let io_at = at;
        let tail_at = io_at + world.config.devices.len() as u32 + 2 * world.requests.len() as u32;
        let bits = tail_at + post_bits.iter().sum::<u32>() + timeout_bits + lost_bits;
        Layout {
            words: (bits as usize).div_ceil(64).max(1),
            bits,
            threads,
            tid_bits,
            port_bits,
            current_bits,
            qlen_bits,
            queue_cap: bound as usize,
            tmpl_bits,
            wlen_bits,
            count_bits,
            mark_bits,
            post_bits,
            timeout_bits,
            lost_bits,
            thread_at,
            per_port,
            wtq_at: current_bits + 1 + qlen_bits + bound as u32 * tmpl_bits,
            lists_at: per_port - 2 * threads as u32,
            io_at,
            tail_at,
            entries: (0..world.config.devices.len())
                .map(|d| {
                    world.setup.iter().find_map(|a| match a {
                        crate::model::Action::Associate { device, port, key }
                            if device.index() == d =>
                        {
                            Some((*port, *key))
                        }
                        _ => None,
                    })
                })
                .collect(),
        }
    }

    /// Packs a state into `key` (which must have [`Layout::words`] words).
    pub fn encode(
        &self,
        world: &World,
        k: &Kernel,
        l: &Local,
        key: &mut [u64],
    ) -> Result<(), PackError> {
        self.encode_renamed(world, k, l, key, &Renaming::IDENTITY)
    }

    /// The packed field of one thread: its state (2 bits), port, program
    /// counter (3 bits), packet count and, if its program posts, its
    /// queue-wait mark (1 bit), and the field's width. The one
    /// place that turns a model thread into bits: the encoding and the
    /// symmetry reduction's sort keys both use it.
    #[inline(always)]
    pub fn thread_field(
        &self,
        world: &World,
        ti: usize,
        th: &Thread,
        l: &Local,
    ) -> Result<(u64, u32), PackError> {
        let prog = &world.programs[ti];
        let state = match th.state() {
            ThreadState::Running => 0,
            ThreadState::Waiting(wait) if wait == prog.wait() => 1,
            ThreadState::Paused(on) if on == prog.block => 2,
            ThreadState::Exited => 3,
            other => return Err(not_its_program(ti, other)),
        };
        let port = th.port().map_or(0, |p| p.0 as u64 + 1);
        let count = l.count[ti] as u64;
        if (port >> self.port_bits) != 0 || (count >> self.count_bits[ti]) != 0 {
            return Err(out_of_bounds(ti));
        }
        // The mark only for threads whose program posts: no other thread's
        // mark can influence anything (see the module docs).
        let mark = u64::from(th.queue_mark() && self.mark_bits[ti] != 0);
        let v = state
            | port << 2
            | (l.pc[ti] as u8 as u64) << (2 + self.port_bits)
            | count << (5 + self.port_bits)
            | mark << (5 + self.port_bits + self.count_bits[ti]);
        Ok((
            v,
            5 + self.port_bits + self.count_bits[ti] + self.mark_bits[ti],
        ))
    }

    /// [`Layout::encode`] with the threads renamed: thread `t` is packed in
    /// slot `ren.slot_of[t]` and named so in every WTQ, RTL and PTL. The
    /// symmetry reduction packs interchangeable threads in a canonical order
    /// this way (see [`super::symmetry`]).
    pub fn encode_renamed(
        &self,
        world: &World,
        k: &Kernel,
        l: &Local,
        key: &mut [u64],
        ren: &Renaming,
    ) -> Result<(), PackError> {
        self.encode_with(world, k, l, key, ren, None)
    }

    /// [`Layout::encode_renamed`] for a successor of a state whose key is
    /// `parent.0` (packed with no renaming, as [`Layout::decode`] reads
    /// it) and which decodes to `parent.1` and `parent.2`: a thread whose
    /// model state, program counter and packet count are the same as in the
    /// parent gets its field copied from the parent's key instead of packed
    /// again (a move changes one or two threads). The key is the one
    /// [`Layout::encode_renamed`] gives: a thread's field is a function of
    /// exactly those three values, and the parent's fields passed the same
    /// checks when it was packed.
    pub fn encode_successor(
        &self,
        world: &World,
        k: &Kernel,
        l: &Local,
        key: &mut [u64],
        ren: &Renaming,
        parent: (&[u64], &Kernel, &Local),
    ) -> Result<(), PackError> {
        self.encode_with(world, k, l, key, ren, Some(parent))
    }

    fn encode_with(
        &self,
        world: &World,
        k: &Kernel,
        l: &Local,
        key: &mut [u64],
        ren: &Renaming,
        parent: Option<(&[u64], &Kernel, &Local)>,
    ) -> Result<(), PackError> {
        // Every word is written (the fields and the skips cover all the bits).
        let mut w = Writer::at(key, 0);
        for (pi, port) in k.ports().iter().enumerate() {
            self.put_port(world, pi, port, ren, &mut w)?;
        }
        // Unchanged threads whose fields lie next to each other in the
        // parent's key are copied as one run of bits.
        let mut run = Reader {
            words: parent.map_or(&[][..], |p| p.0),
            pos: 0,
        };
        let mut run_end = 0;
        let threads = k.threads();
        for &ti in &ren.at_slot[..threads.len()] {
            let ti = ti as usize;
            let th = &threads[ti];
            if let Some((_, pk, pl)) = parent {
                if l.pc[ti] == pl.pc[ti] && l.count[ti] == pl.count[ti] && *th == pk.threads()[ti] {
                    let (at, bits) = self.thread_at[ti];
                    if at != run_end {
                        run.copy_to(&mut w, run_end);
                        run.pos = at;
                    }
                    run_end = at + bits;
                    continue;
                }
            }
            run.copy_to(&mut w, run_end);
            let (v, bits) = self.thread_field(world, ti, th, l)?;
            w.put(v, bits);
        }
        run.copy_to(&mut w, run_end);
        self.put_io(world, k, &mut w)?;
        self.put_tail(k, l, &mut w);
        debug_assert_eq!(w.w * 64 + w.nbits as usize, self.bits as usize);
        w.finish();
        if w.overflow {
            return Err(PackError(
                "a counter is larger than the spec's bounds allow".to_owned(),
            ));
        }
        Ok(())
    }

    /// [`Layout::encode`] of a successor of the state whose key is
    /// `parent.0` (packed with no renaming), whose kernel and locals are
    /// `parent.1` and `parent.2`,
    /// reached by one step that wrote at most the model's `touched`: the
    /// parent's key is copied, and only the fields of the ports and threads
    /// named there (and of the threads whose program counter or packet
    /// count moved), of the devices and OVERLAPPEDs if the step
    /// touched them, and the environment's budgets and `lost` if they
    /// moved, are packed again, in place. The key is the one [`Layout::encode`] gives: each
    /// field is a function of the parts of the state it packs, every field
    /// has a fixed place when nothing is renamed, and the fields copied
    /// passed the same checks when the parent was packed. The search
    /// compares the two in debug builds.
    pub fn encode_touched(
        &self,
        world: &World,
        k: &Kernel,
        l: &Local,
        key: &mut [u64],
        parent: (&[u64], &Kernel, &Local),
        touched: &Touched,
    ) -> Result<(), PackError> {
        if touched.far() {
            return self.encode(world, k, l, key);
        }
        let (pkey, pk, pl) = parent;
        let local_changed = threads_changed(l, pl, self.threads);
        copy_words(key, pkey);
        let mut overflow = false;
        let ports = k.ports();
        let mut mask = touched.port_mask();
        while mask != 0 {
            let pi = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let Some(port) = ports.get(pi) else {
                continue;
            };
            let bit = 1u64 << pi;
            let (iocq, wtq) = (
                touched.iocq_mask() & bit != 0,
                touched.wtq_mask() & bit != 0,
            );
            overflow |= self.repack_port(world, pi, port, key, iocq, wtq)?;
        }
        let threads = k.threads();
        let mut mask = touched.thread_mask() | local_changed;
        while mask != 0 {
            let ti = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            let Some(th) = threads.get(ti) else {
                continue;
            };
            let (v, bits) = self.thread_field(world, ti, th, l)?;
            set_field(key, self.thread_at[ti].0, bits, v);
        }
        if touched.io() {
            let mut w = Writer::at(key, self.io_at);
            self.put_io(world, k, &mut w)?;
            w.finish_within();
        }
        // The tail is packed again only if one of its fields moved, in a
        // word of its own, then put in place.
        let tail_moved = l.posts_left != pl.posts_left
            || l.timeouts_left != pl.timeouts_left
            || k.counters().lost != pk.counters().lost;
        let tail = self.bits - self.tail_at;
        if tail_moved && tail < 64 {
            let mut word = [0u64];
            let mut w = Writer::at(&mut word, 0);
            self.put_tail(k, l, &mut w);
            w.finish();
            overflow |= w.overflow;
            set_field(key, self.tail_at, tail, word[0]);
        } else if tail_moved {
            let mut w = Writer::at(key, self.tail_at);
            self.put_tail(k, l, &mut w);
            debug_assert_eq!(w.w * 64 + w.nbits as usize, self.bits as usize);
            w.finish_within();
            overflow |= w.overflow;
        }
        if overflow {
            return Err(PackError(
                "a counter is larger than the spec's bounds allow".to_owned(),
            ));
        }
        Ok(())
    }

    /// Packs one port: `current`, closed, the IOCQ (length, then each
    /// packet's template, then empty slots), the WTQ (length, then thread
    /// slots, then empty ones), the RTL and PTL as bit sets.
    #[inline(always)]
    fn put_port(
        &self,
        world: &World,
        pi: usize,
        port: &Port,
        ren: &Renaming,
        w: &mut Writer<'_>,
    ) -> Result<(), PackError> {
        w.put(port.current() as u64, self.current_bits);
        w.put(port.closed() as u64, 1);
        self.put_iocq(world, pi, port, w)?;
        self.put_wtq(port, ren, w);
        self.put_lists(port, ren, w);
        Ok(())
    }

    /// Packs a port's IOCQ: its length, then each packet as an index into
    /// the templates, then empty slots.
    #[inline(always)]
    fn put_iocq(
        &self,
        world: &World,
        pi: usize,
        port: &Port,
        w: &mut Writer<'_>,
    ) -> Result<(), PackError> {
        let qlen = port.iocq().len();
        if qlen > self.queue_cap {
            return Err(PackError(format!(
                "port #{pi} queues {qlen} packets but at most {} can exist",
                self.queue_cap
            )));
        }
        w.put(qlen as u64, self.qlen_bits);
        let mut last = 0;
        for packet in port.iocq().iter() {
            // Packets in a row are often alike: try the last one's first.
            let i = if world.templates.get(last) == Some(packet) {
                Some(last)
            } else {
                world.templates.iter().position(|t| t == packet)
            };
            let Some(i) = i else {
                return Err(PackError(format!(
                    "port #{pi} queues a packet no move can make: {packet:?}"
                )));
            };
            w.put(i as u64, self.tmpl_bits);
            last = i;
        }
        w.skip((self.queue_cap - qlen) as u32 * self.tmpl_bits);
        Ok(())
    }

    /// Packs a port's WTQ: its length, then the threads' slots in arrival
    /// order, then empty ones.
    #[inline(always)]
    fn put_wtq(&self, port: &Port, ren: &Renaming, w: &mut Writer<'_>) {
        let wtq = port.wtq().arrival_order();
        w.put(wtq.len() as u64, self.wlen_bits);
        for t in wtq {
            w.put(ren.slot_of[t.index()] as u64, self.tid_bits);
        }
        w.skip((self.threads - wtq.len().min(self.threads)) as u32 * self.tid_bits);
    }

    /// A port's RTL bits then its PTL bits, as one field.
    #[inline(always)]
    fn lists(&self, port: &Port, ren: &Renaming) -> u64 {
        let mut lists = 0u64;
        for t in port.rtl().as_slice() {
            lists |= 1 << ren.slot_of[t.index()];
        }
        for t in port.ptl().as_slice() {
            lists |= 1 << (ren.slot_of[t.index()] as usize + self.threads);
        }
        lists
    }

    /// Packs a port's RTL bits then its PTL bits, as one field.
    #[inline(always)]
    fn put_lists(&self, port: &Port, ren: &Renaming, w: &mut Writer<'_>) {
        w.put_wide(self.lists(port, ren), 2 * self.threads as u32);
    }

    /// [`Layout::put_port`] in place for a port the step touched: its
    /// IOCQ and WTQ only if the step may have written them.
    #[inline(always)]
    fn repack_port(
        &self,
        world: &World,
        pi: usize,
        port: &Port,
        key: &mut [u64],
        iocq: bool,
        wtq: bool,
    ) -> Result<bool, PackError> {
        let at = pi as u32 * self.per_port;
        let id = &Renaming::IDENTITY;
        if iocq && wtq {
            let mut w = Writer::at(key, at);
            self.put_port(world, pi, port, id, &mut w)?;
            debug_assert_eq!(w.w * 64 + w.nbits as usize, (at + self.per_port) as usize);
            w.finish_within();
            return Ok(w.overflow);
        }
        let mut overflow;
        if iocq {
            let mut w = Writer::at(key, at);
            w.put(port.current() as u64, self.current_bits);
            w.put(port.closed() as u64, 1);
            self.put_iocq(world, pi, port, &mut w)?;
            w.finish_within();
            overflow = w.overflow;
        } else {
            // `current` and closed, as put_port packs them.
            let current = port.current() as u64;
            overflow = current >> self.current_bits != 0;
            let head = current | (port.closed() as u64) << self.current_bits;
            set_field(
                key,
                at,
                self.current_bits + 1,
                head & ((2 << self.current_bits) - 1),
            );
        }
        if wtq {
            let mut w = Writer::at(key, at + self.wtq_at);
            self.put_wtq(port, id, &mut w);
            w.finish_within();
            overflow |= w.overflow;
        }
        let bits = 2 * self.threads as u32;
        if bits < 64 {
            set_field(key, at + self.lists_at, bits, self.lists(port, id));
        } else {
            let mut w = Writer::at(key, at + self.lists_at);
            self.put_lists(port, id, &mut w);
            debug_assert_eq!(w.w * 64 + w.nbits as usize, (at + self.per_port) as usize);
            w.finish_within();
        }
        Ok(overflow)
    }

    /// Packs the devices (closed flags; their Device List entries and
    /// pending lists are checked against the spec) and each request's
    /// OVERLAPPED use.
    #[inline]
    fn put_io(&self, world: &World, k: &Kernel, w: &mut Writer<'_>) -> Result<(), PackError> {
        let mut seen = [0usize; super::spec::MAX_DEVICES];
        for (d, dev) in k.devices().iter() {
            w.put(dev.closed() as u64, 1);
            let expected = if dev.closed() {
                None
            } else {
                self.entries[d.index()]
            };
            if dev.entry() != expected {
                return Err(PackError(format!(
                    "device #{} has Device List entry {:?}",
                    d.0,
                    dev.entry()
                )));
            }
        }
        for req in &world.requests {
            let v = match k.overlapped(req.overlapped) {
                OvUse::Free => 0,
                OvUse::Pending(d) => {
                    let dev = k.devices().get(d).expect("device exists");
                    let n = &mut seen[d.index()];
                    if d != req.device || dev.pending().get(*n) != Some(&req.overlapped) {
                        return Err(PackError(format!(
                            "OVERLAPPED #{} is pending out of issue order",
                            req.overlapped.0
                        )));
                    }
                    *n += 1;
                    1
                }
                OvUse::Queued => 2,
            };
            w.put(v, 2);
        }
        for (d, dev) in k.devices().iter() {
            if dev.pending().len() != seen[d.index()] {
                return Err(PackError(format!(
                    "device #{} has requests pending that no spec request made",
                    d.0
                )));
            }
        }
        Ok(())
    }

    /// Packs the environment's budgets and the `lost` counter (the last fields).
    #[inline(always)]
    fn put_tail(&self, k: &Kernel, l: &Local, w: &mut Writer<'_>) {
        for (s, &bits) in self.post_bits.iter().enumerate() {
            w.put(l.posts_left[s] as u64, bits);
        }
        w.put(l.timeouts_left.unwrap_or(0) as u64, self.timeout_bits);
        w.put(k.counters().lost, self.lost_bits);
    }

    /// Unpacks `key` into `k` and `l`. The kernel is rebuilt through the
    /// model's checked constructor ([`Kernel::swap_parts`]) from `parts`, a
    /// scratch buffer of this world (any state: it is overwritten, and
    /// holds `k`'s previous state afterwards), so nothing is copied or
    /// allocated once the buffers have grown. `k` and `l` must
    /// come from this world. Fails only if the key does not hold a state
    /// the model accepts (a bug in the packing or in a rule).
    pub fn decode(
        &self,
        world: &World,
        key: &[u64],
        parts: &mut KernelParts,
        k: &mut Kernel,
        l: &mut Local,
    ) -> Result<(), PartsError> {
        let config = &world.config;
        let mut r = Stream::new(key);
        let mut queued = 0u64;
        parts.flavor = config.flavor;
        parts.cpus = config.cpus;
        parts
            .ports
            .resize_with(config.ports.len(), PortParts::default);
        for (port, &concurrency) in parts.ports.iter_mut().zip(&config.ports) {
            port.concurrency = concurrency;
            port.current = r.get(self.current_bits) as u32;
            port.closed = r.get(1) != 0;
            let qlen = r.get(self.qlen_bits) as usize;
            port.iocq.clear();
            for _ in 0..qlen {
                let i = r.get(self.tmpl_bits) as usize;
                port.iocq.push_back(world.templates[i]);
            }
            r.skip((self.queue_cap - qlen) as u32 * self.tmpl_bits);
            queued += qlen as u64;
            let wlen = r.get(self.wlen_bits) as usize;
            port.wtq.clear();
            for _ in 0..wlen {
                port.wtq
                    .push(ThreadId::from_index(r.get(self.tid_bits) as usize));
            }
            r.skip((self.threads - wlen) as u32 * self.tid_bits);
            for (set, mask) in [
                (&mut port.rtl, r.get(self.threads as u32)),
                (&mut port.ptl, r.get(self.threads as u32)),
            ] {
                set.clear();
                let mut m = mask;
                while m != 0 {
                    set.push(ThreadId(m.trailing_zeros()));
                    m &= m - 1;
                }
            }
        }
        // Each thread's field, in the order Layout::thread_field packs it.
        parts.threads.resize(self.threads, Thread::FREE);
        for (ti, th) in parts.threads.iter_mut().enumerate() {
            let prog = &world.programs[ti];
            // The whole field at once, then its parts.
            let v = r.get(self.thread_at[ti].1);
            let (pb, cb) = (self.port_bits, self.count_bits[ti]);
            let state = match v & 3 {
                0 => ThreadState::Running,
                1 => ThreadState::Waiting(prog.wait()),
                2 => ThreadState::Paused(prog.block),
                _ => ThreadState::Exited,
            };
            let p = (v >> 2) & ((1 << pb) - 1);
            let port = if p == 0 {
                None
            } else {
                Some(crate::model::PortId(p as u32 - 1))
            };
            l.pc[ti] = Pc::from_bits((v >> (2 + pb)) & 7).unwrap_or(Pc::Done);
            l.count[ti] = ((v >> (5 + pb)) & ((1 << cb) - 1)) as u8;
            let mark = (v >> (5 + pb + cb)) & u64::from(self.mark_bits[ti]) != 0;
            *th = Thread::new(state, port, mark);
        }
        parts
            .devices
            .resize_with(config.devices.len(), DeviceParts::default);
        for ((dev, &skip), entry) in parts
            .devices
            .iter_mut()
            .zip(&config.devices)
            .zip(&self.entries)
        {
            let closed = r.get(1) != 0;
            dev.closed = closed;
            dev.entry = if closed { None } else { *entry };
            dev.skip_on_success = skip;
            dev.pending.clear();
        }
        parts.ovs.clear();
        for req in &world.requests {
            let state = match r.get(2) {
                1 => {
                    parts.devices[req.device.index()]
                        .pending
                        .push(req.overlapped);
                    OvUse::Pending(req.device)
                }
                2 => OvUse::Queued,
                _ => OvUse::Free,
            };
            let i = req.overlapped.index();
            if parts.ovs.len() <= i {
                parts.ovs.resize(i + 1, OvUse::Free);
            }
            parts.ovs[i] = state;
        }
        while parts.ovs.last() == Some(&OvUse::Free) {
            parts.ovs.pop();
        }
        for (s, &bits) in self.post_bits.iter().enumerate() {
            l.posts_left[s] = r.get(bits) as u8;
        }
        let t = r.get(self.timeout_bits) as u32;
        if l.timeouts_left.is_some() {
            l.timeouts_left = Some(t);
        }
        let lost = r.get(self.lost_bits);
        parts.counters = Counters {
            made: queued + lost,
            delivered: 0,
            lost,
        };
        k.swap_parts(parts)
    }
}

/// `dst.copy_from_slice(src)` without a call to `memcpy` for the short
/// keys of most specs (a call costs more than the copy).
#[inline(always)]
fn copy_words(dst: &mut [u64], src: &[u64]) {
    match (dst, src) {
        ([d0], [s0]) => *d0 = *s0,
        ([d0, d1], [s0, s1]) => (*d0, *d1) = (*s0, *s1),
        ([d0, d1, d2], [s0, s1, s2]) => (*d0, *d1, *d2) = (*s0, *s1, *s2),
        (dst, src) => dst.copy_from_slice(src),
    }
}

/// Writes the `bits` (below 64) low bits of `v` at bit `at` of `key`, in
/// place of what was there.
#[inline(always)]
fn set_field(key: &mut [u64], at: u32, bits: u32, v: u64) {
    debug_assert!(bits < 64 && v >> bits == 0);
    let (w, off) = ((at / 64) as usize, at % 64);
    let mask = (1u64 << bits) - 1;
    key[w] = (key[w] & !(mask << off)) | (v << off);
    if off + bits > 64 {
        let high = 64 - off;
        key[w + 1] = (key[w + 1] & !(mask >> high)) | (v >> high);
    }
}

/// Thread `ti` waits or is paused otherwise than its program does.
#[cold]
#[inline(never)]
fn not_its_program(ti: usize, state: ThreadState) -> PackError {
    PackError(match state {
        ThreadState::Waiting(wait) => {
            format!("thread #{ti} waits with {wait:?}, not its program's wait")
        }
        ThreadState::Paused(on) => {
            format!("thread #{ti} is paused on {on:?}, not its program's block")
        }
        other => format!("thread #{ti} is {other:?}"),
    })
}

/// Thread `ti`'s port or packet count does not fit its field.
#[cold]
#[inline(never)]
fn out_of_bounds(ti: usize) -> PackError {
    PackError(format!(
        "thread #{ti}: port or packet count larger than the spec's bounds allow"
    ))
}

/// Bit `i` set if thread `i` (of the first `threads`) has another program
/// counter or packet count in `a` than in `b`: the threads whose fields a
/// move changed besides those the model's [`Touched`] names.
#[inline(always)]
fn threads_changed(a: &Local, b: &Local, threads: usize) -> u64 {
    let mut changed = 0u64;
    for i in 0..threads.min(MAX_THREADS) {
        if a.pc[i] != b.pc[i] || a.count[i] != b.count[i] {
            changed |= 1 << i;
        }
    }
    changed
}

/// `k` with its growing counters set as [`Layout::decode`] sets them, and
/// the queue-wait mark cleared for threads whose program never posts, so a
/// kernel can be compared with a decoded one.
pub fn normalized(world: &World, k: &Kernel) -> Result<Kernel, PartsError> {
    let mut n = k.parts();
    for (th, prog) in n.threads.iter_mut().zip(&world.programs) {
        *th = Thread::new(
            th.state(),
            th.port(),
            th.queue_mark() && prog.post.is_some(),
        );
    }
    let queued: u64 = n.ports.iter().map(|p| p.iocq.len() as u64).sum();
    n.counters.made = queued + n.counters.lost;
    n.counters.delivered = 0;
    Kernel::from_parts(n)
}
