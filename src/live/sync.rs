//! The primitives the live port is built on, in one place, so that the port
//! is one port whatever runs it:
//!
//! * by default, the real ones: the port's mutex (`lock.rs`: parking_lot's
//!   algorithm, waiting without yields), std's atomics and
//!   `park`/`unpark`, and a waiter that spins and yields briefly
//!   (crossbeam's [`Backoff`](crossbeam_utils::Backoff)) before it parks,
//!   so that a handoff to a thread about to get costs no context switch;
//! * with the `shuttle` feature, the shuttle crate's: its mutex, atomics,
//!   `park`/`unpark` and task-locals, so that every lock, atomic access and
//!   park of the port is a scheduling point of shuttle's schedulers, like
//!   those of the user's own code. A waiter does not spin there (a spin is
//!   only more scheduling points), and a finite wait expires when shuttle's
//!   replayable randomness says so, never on the clock (shuttle has none).

#[cfg(not(feature = "shuttle"))]
mod imp {
    use std::time::Instant;

    pub(crate) use super::super::lock::{Mutex, MutexGuard};
    pub(crate) use std::sync::atomic::AtomicU8;
    pub(crate) use std::thread::{current, Thread};

    /// Locks `m`.
    pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock()
    }

    /// Waits until `ready()` (checked after each spin, yield or wake-up)
    /// or `deadline`: spins, then yields, then parks (`park_prepare` must
    /// say whether the thread may park: it records that it does, so that
    /// its waker unparks it). Returns whether `ready()` held.
    pub(crate) fn wait(
        spin: bool,
        deadline: Option<Instant>,
        ready: impl Fn() -> bool,
        park_prepare: impl Fn() -> bool,
    ) -> bool {
        if spin {
            let backoff = crossbeam_utils::Backoff::new();
            while !backoff.is_completed() {
                if ready() {
                    return true;
                }
                backoff.snooze();
            }
        }
        if !park_prepare() {
            return ready();
        }
        loop {
            if ready() {
                return true;
            }
            match deadline {
                None => std::thread::park(),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return ready();
                    }
                    std::thread::park_timeout(d - now);
                }
            }
        }
    }

    /// Declares the port's thread-locals (std's).
    macro_rules! port_thread_local {
        ($($t:tt)*) => { std::thread_local! { $($t)* } };
    }
    pub(crate) use port_thread_local;
}

#[cfg(feature = "shuttle")]
mod imp {
    use std::time::Instant;

    pub(crate) use shuttle::sync::atomic::AtomicU8;
    pub(crate) use shuttle::sync::{Mutex, MutexGuard};
    pub(crate) use shuttle::thread::{current, Thread};

    /// Locks `m` (a panic in another task does not make it unusable).
    pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// As the real one, but never spinning, and a finite wait ends (returns
    /// `false` without `ready()`) at a point shuttle's random choice picks:
    /// the clock may run out at any moment of the wait.
    pub(crate) fn wait(
        _spin: bool,
        deadline: Option<Instant>,
        ready: impl Fn() -> bool,
        park_prepare: impl Fn() -> bool,
    ) -> bool {
        use shuttle::rand::Rng;
        if deadline.is_some() {
            loop {
                if ready() {
                    return true;
                }
                if shuttle::rand::thread_rng().gen::<bool>() {
                    return false;
                }
                shuttle::thread::yield_now();
            }
        }
        if !park_prepare() {
            return ready();
        }
        while !ready() {
            shuttle::thread::park();
        }
        true
    }

    /// Declares the port's thread-locals (shuttle's task-locals: each
    /// shuttle thread has its own, dropped when it ends).
    macro_rules! port_thread_local {
        ($($t:tt)*) => { shuttle::thread_local! { $($t)* } };
    }
    pub(crate) use port_thread_local;
}

pub(crate) use imp::*;
use std::sync::atomic::Ordering;

/// The orderings the port's atomics use. Shuttle models only `SeqCst` (and
/// warns about any other), so there all three are `SeqCst`.
#[cfg(not(feature = "shuttle"))]
pub(crate) const ACQUIRE: Ordering = Ordering::Acquire;
#[cfg(not(feature = "shuttle"))]
pub(crate) const RELEASE: Ordering = Ordering::Release;
#[cfg(not(feature = "shuttle"))]
pub(crate) const ACQ_REL: Ordering = Ordering::AcqRel;
#[cfg(feature = "shuttle")]
pub(crate) const ACQUIRE: Ordering = Ordering::SeqCst;
#[cfg(feature = "shuttle")]
pub(crate) const RELEASE: Ordering = Ordering::SeqCst;
#[cfg(feature = "shuttle")]
pub(crate) const ACQ_REL: Ordering = Ordering::SeqCst;
