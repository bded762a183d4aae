//! Real threads on a completion port whose every decision is the model's.
//!
//! [`CompletionPort`] is a synchronization primitive for Rust threads on any
//! OS: `post`, `get`, `get_many` and `close` as in Windows, a thread joining
//! the port by calling get. Its state is a [`model::Kernel`](crate::model::Kernel)
//! behind one lock, so the concurrency limit, the LIFO wake,
//! over-subscription and every count are the rules of `docs/model.md`, not a
//! copy of them. Each waiting thread watches its own mailbox (spinning
//! briefly, then parked) and is woken only when the model hands it a packet
//! or a failure. With the `shuttle` feature the port's lock, atomics and
//! parking are the shuttle crate's, so that shuttle schedules a whole test.
//!
//! The kernel learns that a thread waits on something else from the
//! scheduler; here the code says so with [`blocking`] (rules 3 and 4). A
//! thread that exits while associated is counted out by a thread-local
//! guard (rule 6).
//!
//! ```
//! use iocp_sim::live::{blocking, CompletionPort};
//! use std::time::Duration;
//!
//! let port = CompletionPort::<u32>::new(1);
//! let worker = {
//!     let port = port.clone();
//!     std::thread::spawn(move || {
//!         let mut sum = 0;
//!         while let Ok(v) = port.get(None) {
//!             if v == 0 {
//!                 break; // the stop signal
//!             }
//!             // Waiting on something else: the port may release another thread.
//!             blocking(|| std::thread::sleep(Duration::from_millis(1)));
//!             sum += v;
//!         }
//!         sum
//!     })
//! };
//! for v in (1..=10).chain([0]) {
//!     port.post(v).unwrap();
//! }
//! assert_eq!(worker.join().unwrap(), 55);
//! assert_eq!(port.close(), Ok(vec![])); // nothing was left queued
//! ```
//!
//! See `docs/live.md` for the guide, the tests that hold the port to the
//! model, and measurements.

// The controlled scheduler runs real OS threads: not in shuttle builds,
// where shuttle schedules everything.
#[cfg(not(feature = "shuttle"))]
pub mod control;
mod history;
mod local;
// Public only for `cargo bench --bench live`, which measures the lock alone.
#[cfg(not(feature = "shuttle"))]
#[doc(hidden)]
pub mod lock;
mod port;
mod shuttle;
mod sync;
pub mod workload;

pub use local::blocking;
pub use port::{Closed, CompletionPort, GetError, LiveEvent, LiveStats, Policy, CONTROLLED_CPUS};
