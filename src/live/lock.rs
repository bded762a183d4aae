//! The live port's lock: `parking_lot`'s mutex algorithm (built on the same
//! `parking_lot_core` queue of parked threads), with one change in how a
//! thread waits for it. `parking_lot` spins three short rounds and then
//! calls `sched_yield` up to seven times before it parks; a port's lock is
//! held for one model step (tens of nanoseconds) and wanted by every
//! producer and worker, so those yields are a context switch each whenever
//! another thread is runnable on the core: 20,000-65,000 per million
//! packets on two cores (docs/live.md). This lock never yields: it spins
//! with a growing pause, for about as long as a few dozen model steps take,
//! and then parks, so a thread only leaves its core when the holder is
//! really away (preempted), which is when leaving helps.
//!
//! Unlock is `parking_lot`'s: wake one parked thread, and about every
//! half millisecond (`parking_lot_core`'s fairness timer) hand the lock to
//! it directly, so that a parked thread is not starved by spinners.

use std::hint::spin_loop;
use std::sync::atomic::{AtomicU8, Ordering};

use parking_lot_core::{ParkResult, UnparkResult, UnparkToken, DEFAULT_PARK_TOKEN};

const LOCKED: u8 = 0b01;
const PARKED: u8 = 0b10;

/// The unparked thread was handed the lock (it holds it on waking).
const HANDOFF: UnparkToken = UnparkToken(1);
const NORMAL: UnparkToken = UnparkToken(0);

/// Rounds of spinning before a waiter parks: round `i` pauses
/// `2^min(i, 6)` times ([`pause`]), so the budget is about 6,000 pauses
/// (some microseconds: longer than a `post_many` of 64 values holds the
/// lock, so that its waiters need not park). How the length was chosen,
/// measured with `cargo bench --bench live`: docs/live.md, "Why the port
/// switched context so often".
const SPIN_ROUNDS: u32 = 100;

/// Round `round` of a spin: `2^min(round, 6)` pause instructions.
#[inline]
fn pause(round: u32) {
    for _ in 0..1u32 << round.min(6) {
        spin_loop();
    }
}

/// A mutex that spins and then parks, never yielding.
pub struct RawSpinPark {
    state: AtomicU8,
}

/// The port's mutex type.
pub type Mutex<T> = lock_api::Mutex<RawSpinPark, T>;
/// A held [`Mutex`].
pub type MutexGuard<'a, T> = lock_api::MutexGuard<'a, RawSpinPark, T>;

// SAFETY: `lock` returns only once this thread set `LOCKED` (by a CAS from a
// state without it, or by a handoff from `unlock_slow`, which keeps `LOCKED`
// set for it), and `unlock` clears it; so at most one holder at a time.
unsafe impl lock_api::RawMutex for RawSpinPark {
    #[allow(clippy::declare_interior_mutable_const)]
    const INIT: RawSpinPark = RawSpinPark {
        state: AtomicU8::new(0),
    };

    type GuardMarker = lock_api::GuardNoSend;

    #[inline]
    fn lock(&self) {
        if self
            .state
            .compare_exchange_weak(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            self.lock_slow();
        }
    }

    #[inline]
    fn try_lock(&self) -> bool {
        let mut state = self.state.load(Ordering::Relaxed);
        while state & LOCKED == 0 {
            match self.state.compare_exchange_weak(
                state,
                state | LOCKED,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(s) => state = s,
            }
        }
        false
    }

    #[inline]
    unsafe fn unlock(&self) {
        if self
            .state
            .compare_exchange(LOCKED, 0, Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            self.unlock_slow();
        }
    }
}

impl RawSpinPark {
    #[cold]
    fn lock_slow(&self) {
        let mut round = 0u32;
        let mut state = self.state.load(Ordering::Relaxed);
        loop {
            if state & LOCKED == 0 {
                match self.state.compare_exchange_weak(
                    state,
                    state | LOCKED,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return,
                    Err(s) => state = s,
                }
                continue;
            }
            // Spin while nobody is parked (a parked thread means the lock
            // has been held long: join it rather than burn the core).
            if state & PARKED == 0 && round < SPIN_ROUNDS {
                pause(round);
                round += 1;
                state = self.state.load(Ordering::Relaxed);
                continue;
            }
            if state & PARKED == 0 {
                if let Err(s) = self.state.compare_exchange_weak(
                    state,
                    state | PARKED,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    state = s;
                    continue;
                }
            }
            let addr = self as *const _ as usize;
            let validate = || self.state.load(Ordering::Relaxed) == LOCKED | PARKED;
            // SAFETY: `addr` is this lock's, which outlives the wait; the
            // callbacks do not panic and do not call into parking_lot_core.
            let parked = unsafe {
                parking_lot_core::park(addr, validate, || {}, |_, _| {}, DEFAULT_PARK_TOKEN, None)
            };
            if parked == ParkResult::Unparked(HANDOFF) {
                return;
            }
            round = 0;
            state = self.state.load(Ordering::Relaxed);
        }
    }

    #[cold]
    fn unlock_slow(&self) {
        let addr = self as *const _ as usize;
        let callback = |result: UnparkResult| {
            if result.unparked_threads != 0 && result.be_fair {
                // Keep the lock held: it passes to the woken thread.
                if !result.have_more_threads {
                    self.state.store(LOCKED, Ordering::Relaxed);
                }
                return HANDOFF;
            }
            let left = if result.have_more_threads { PARKED } else { 0 };
            self.state.store(left, Ordering::Release);
            NORMAL
        };
        // SAFETY: as in `lock_slow`.
        unsafe {
            parking_lot_core::unpark_one(addr, callback);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Mutex;
    use std::sync::Arc;
    use std::time::Duration;

    /// A read-modify-write that is not atomic, done by many threads under
    /// the lock: any two holders at once would lose increments.
    #[test]
    fn one_holder_at_a_time() {
        const THREADS: u64 = 6;
        const EACH: u64 = 20_000;
        let m = Arc::new(Mutex::new(0u64));
        let hs: Vec<_> = (0..THREADS)
            .map(|_| {
                let m = Arc::clone(&m);
                std::thread::spawn(move || {
                    for _ in 0..EACH {
                        let mut g = m.lock();
                        let v = *g;
                        std::hint::black_box(&v);
                        *g = v + 1;
                    }
                })
            })
            .collect();
        hs.into_iter().for_each(|h| h.join().unwrap());
        assert_eq!(*m.lock(), THREADS * EACH);
    }

    /// Waiters that outlast the spin park, and every one of them gets the
    /// lock once the holder lets go.
    #[test]
    fn parked_waiters_are_woken() {
        let m = Arc::new(Mutex::new(Vec::new()));
        let g = m.lock();
        let hs: Vec<_> = (0..4)
            .map(|i| {
                let m = Arc::clone(&m);
                std::thread::spawn(move || m.lock().push(i))
            })
            .collect();
        // Far longer than the spin: the waiters are parked by now.
        std::thread::sleep(Duration::from_millis(50));
        drop(g);
        hs.into_iter().for_each(|h| h.join().unwrap());
        let mut got = m.lock().clone();
        got.sort_unstable();
        assert_eq!(got, [0, 1, 2, 3]);
    }

    #[test]
    fn try_lock_fails_while_held() {
        let m = Mutex::new(());
        let g = m.lock();
        assert!(m.try_lock().is_none());
        drop(g);
        assert!(m.try_lock().is_some());
    }
}
