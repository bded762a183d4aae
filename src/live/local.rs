//! The calling thread's membership: which live port it joined (its seat
//! there), and whether it is inside a [`blocking`] scope. Kept in a
//! thread-local (a shuttle task-local in shuttle builds) whose destructor
//! applies rule 6 when the thread exits.

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use crate::model::{Action, ThreadId};

/// What the thread-local needs from a port, whatever its value type.
pub(crate) trait Member: Send + Sync {
    /// A scheduling point of a controlled run (nothing otherwise).
    fn point(&self);
    /// Applies the seat's own action (exit, block, unblock) under the lock.
    fn apply_for(&self, seat: usize, make: &dyn Fn(ThreadId) -> Action);
}

struct Membership {
    uid: u64,
    port: Weak<dyn Member>,
    seat: usize,
}

#[derive(Default)]
struct Local {
    joined: Option<Membership>,
    /// Nesting depth of `blocking` scopes; only the outermost one counts.
    depth: u32,
}

impl Drop for Local {
    fn drop(&mut self) {
        // Rule 6: the thread exits while associated.
        if let Some(m) = self.joined.take() {
            if let Some(port) = m.port.upgrade() {
                port.apply_for(m.seat, &|thread| Action::Exit { thread });
            }
        }
    }
}

super::sync::port_thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new(Local::default());
}

/// Why the calling thread cannot join a port now.
pub(crate) enum JoinError {
    /// Inside a `blocking` scope: a paused thread cannot call get.
    Blocking,
    /// The thread is being torn down.
    Exiting,
}

/// The calling thread's seat at port `uid`: the one it has, or a new one
/// made by `add` after leaving the port it was associated with before
/// (applied as rule 6 on that port: it stops counting there); `port` gives
/// the new port's handle.
pub(crate) fn join(
    uid: u64,
    port: impl FnOnce() -> Weak<dyn Member>,
    add: impl FnOnce() -> usize,
) -> Result<usize, JoinError> {
    LOCAL
        .try_with(|l| {
            let mut l = l.borrow_mut();
            if l.depth > 0 {
                return Err(JoinError::Blocking);
            }
            if let Some(m) = &l.joined {
                if m.uid == uid {
                    return Ok(m.seat);
                }
            }
            if let Some(old) = l.joined.take() {
                if let Some(p) = old.port.upgrade() {
                    p.apply_for(old.seat, &|thread| Action::Exit { thread });
                }
            }
            let seat = add();
            l.joined = Some(Membership {
                uid,
                port: port(),
                seat,
            });
            Ok(seat)
        })
        .unwrap_or(Err(JoinError::Exiting))
}

/// The calling thread's seat at port `uid`, if it joined it.
pub(crate) fn seat_at(uid: u64) -> Option<usize> {
    LOCAL
        .try_with(|l| {
            l.borrow()
                .joined
                .as_ref()
                .filter(|m| m.uid == uid)
                .map(|m| m.seat)
        })
        .ok()
        .flatten()
}

/// The port the calling thread is associated with, and its model id there.
pub(crate) fn current() -> Option<(Arc<dyn Member>, usize)> {
    LOCAL
        .try_with(|l| {
            let l = l.borrow();
            let m = l.joined.as_ref()?;
            Some((m.port.upgrade()?, m.seat))
        })
        .ok()
        .flatten()
}

/// Runs `f`, telling the calling thread's port that the thread waits on
/// something else meanwhile: rule 3 (block) before, rule 4 (unblock) after,
/// even if `f` panics. A thread that joined no port just runs `f`; nested
/// scopes count once.
pub fn blocking<R>(f: impl FnOnce() -> R) -> R {
    let outer = LOCAL
        .try_with(|l| {
            let mut l = l.borrow_mut();
            l.depth += 1;
            l.depth == 1
        })
        .unwrap_or(false);
    let target = if outer { current() } else { None };
    if let Some((port, seat)) = &target {
        port.point();
        port.apply_for(*seat, &|thread| Action::Block { thread, on: None });
    }
    /// Unblocks on the way out, whatever happens in `f`.
    struct Scope(Option<(Arc<dyn Member>, usize)>);
    impl Drop for Scope {
        fn drop(&mut self) {
            let _ = LOCAL.try_with(|l| {
                let mut l = l.borrow_mut();
                l.depth = l.depth.saturating_sub(1);
            });
            if let Some((port, seat)) = self.0.take() {
                port.point();
                port.apply_for(seat, &|thread| Action::Unblock { thread });
            }
        }
    }
    let _scope = Scope(target);
    f()
}

/// Applies rule 6 now for the calling thread (as its exit would), and
/// forgets its membership: for controlled runs, where a thread's end is a
/// step of the schedule.
#[cfg(not(feature = "shuttle"))]
pub(crate) fn leave() {
    let joined = LOCAL
        .try_with(|l| l.borrow_mut().joined.take())
        .ok()
        .flatten();
    if let Some(m) = joined {
        if let Some(port) = m.port.upgrade() {
            port.point();
            port.apply_for(m.seat, &|thread| Action::Exit { thread });
        }
    }
}
