//! iocp-probe: runs an iocp-sim probe script against a real I/O completion
//! port, with one real OS thread per scenario thread, and prints what it
//! observed after every step.
//!
//! Build: `rustc --edition 2021 -O probe.rs` on Windows, or on Linux
//! `/usr/bin/rustc --edition 2021 -O --target x86_64-pc-windows-gnu probe.rs`
//! and run it with `wine probe.exe SCRIPT`. Std only, Rust 1.63.
//!
//! Usage: `probe [--quiet-ms N] [--step-ms N] [SCRIPT...|-]`
//!
//! Several scripts run one after the other in this one process (a batch:
//! under Wine, starting a process costs far more than a scenario), each with
//! ports, threads and devices of its own: after a script's `done` every
//! thread it made is terminated and every handle it opened is closed, so
//! nothing of one script is left when the next begins.
//!
//! # Script (one directive a line, `#` starts a comment)
//!
//! ```text
//! iocp-probe 1
//! port <max>                     # one line per port, in id order
//! threads <n>
//! overlapped <n>                 # number of OVERLAPPED labels
//! device <skip_on_success 0|1> <instances>   # one line per device
//! step <k> <op> <args...>        # steps, in order
//! ```
//!
//! Ops (ids are 0-based indexes; `-` is "none"):
//! `post P KEY BYTES OV|-`, `post_by T P KEY BYTES OV|-`, `get T P TMO`, `get_ex T P MAX TMO`, `block T`,
//! `unblock T`, `timeout T`, `exit T`, `associate D P KEY`,
//! `issue D OV INLINE|- [syn]`, `complete OV BYTES [NTSTATUS hex]`,
//! `close_device D`, `close_port P`, `nop`.
//!
//! A device is a set of named-pipe server ends (one per request that can be
//! pending at once: `<instances>` are made at the start, and one more
//! whenever a request is issued while every one is busy), all associated
//! with the same port and key; a request
//! is an overlapped ReadFile and `complete` writes BYTES to the matching
//! client end, so requests complete in any order the script chooses.
//! `issue ... syn` makes a synthesized request instead: nothing is pending
//! on a handle, and its `complete` (with any NTSTATUS) or its abort by
//! `close_device` inserts the packet with NtSetIoCompletion into the
//! device's port, as the I/O manager does when a request completes.
//! `post_by` is a post made by worker T itself. When the next step of a
//! worker after its get is a `post_by` of that worker, the worker does not
//! yield between the get's return and the post: it spins without
//! SwitchToThread, because a yield that switches ends the kernel's
//! "still in its get loop" state (rule 2's queue-wait mark). TMO is `inf`, `0`, `at:K` (the wait must expire
//! at step K, which is this thread's `timeout` step) or `never` (finite in
//! the scenario, but no step times it out).
//!
//! # The step clock
//!
//! A finite wait's deadline comes from one clock per run, not from the
//! moment its get was issued: step K's tick is `anchor + (K - a) x budget`
//! (`--step-ms`), where the clock was anchored at step `a` when a finite
//! wait began while none was outstanding. A wait that must expire at step K
//! expires at step K's tick, whichever step issued it, so waits expire in
//! the order of their `timeout` steps, one budget apart. Steps run as fast
//! as they settle (each settles within half a budget), so every step before
//! K has ended before K's tick, and step K waits for it. A step that ends
//! after the next step's tick while a finite wait is outstanding makes the
//! clock fall behind (`warn clock-behind`); a wait seen expiring before its
//! step then says so (`warn early-timeout ... the step clock fell behind`):
//! the run timed nothing faithfully and says why.
//!
//! # Output
//!
//! ```text
//! probe 1
//! step <k> <op>
//! result success|pending|<win32 error code>
//! ret <T> pkt <key> <bytes> <ov|-> <status code, 0 = success>   # one per packet
//! ret <T> err <code>                                            # a call that failed
//! depth <P> <n>|closed
//! warn <text>
//! end <k>
//! done
//! ```
//!
//! One `probe 1` ... `done` block per script, in the order given.
//!
//! `ret` lines list every thread whose GetQueuedCompletionStatus(Ex)
//! returned during the step, in the order the returns were recorded.

#![allow(non_snake_case, non_camel_case_types, clippy::upper_case_acronyms)]

use std::ffi::c_void;
use std::io::{BufRead, Read, Write};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

type HANDLE = *mut c_void;
type BOOL = i32;
type NTSTATUS = i32;

const INFINITE: u32 = 0xFFFF_FFFF;
const INVALID_HANDLE_VALUE: HANDLE = !0usize as HANDLE;
/// A handle value that never names an object: used for every use of a
/// port or device after it was closed, so a recycled handle value can
/// never turn a "closed handle" call into a call on some other object.
const DEAD_HANDLE: HANDLE = 0x7FFF_FFF0usize as HANDLE;
const ERROR_IO_PENDING: u32 = 997;
const ERROR_PIPE_CONNECTED: u32 = 535;
const WAIT_TIMEOUT: u32 = 258;
/// OVERLAPPED.Internal while a request is pending.
const STATUS_PENDING: usize = 0x103;
const MAX_BATCH: usize = 64;
const PIPE_BUF: usize = 65536;

#[repr(C)]
struct OVERLAPPED {
    Internal: usize,
    InternalHigh: usize,
    Offset: u32,
    OffsetHigh: u32,
    hEvent: HANDLE,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct OVERLAPPED_ENTRY {
    lpCompletionKey: usize,
    lpOverlapped: *mut OVERLAPPED,
    Internal: usize,
    dwNumberOfBytesTransferred: u32,
}

#[link(name = "kernel32")]
extern "system" {
    fn CreateIoCompletionPort(file: HANDLE, port: HANDLE, key: usize, threads: u32) -> HANDLE;
    fn GetQueuedCompletionStatus(
        port: HANDLE,
        bytes: *mut u32,
        key: *mut usize,
        ov: *mut *mut OVERLAPPED,
        ms: u32,
    ) -> BOOL;
    fn GetQueuedCompletionStatusEx(
        port: HANDLE,
        entries: *mut OVERLAPPED_ENTRY,
        count: u32,
        removed: *mut u32,
        ms: u32,
        alertable: BOOL,
    ) -> BOOL;
    fn PostQueuedCompletionStatus(
        port: HANDLE,
        bytes: u32,
        key: usize,
        ov: *mut OVERLAPPED,
    ) -> BOOL;
    fn CreateEventW(sa: *mut c_void, manual: BOOL, initial: BOOL, name: *const u16) -> HANDLE;
    fn SetEvent(h: HANDLE) -> BOOL;
    fn WaitForSingleObject(h: HANDLE, ms: u32) -> u32;
    fn SwitchToThread() -> BOOL;
    fn CloseHandle(h: HANDLE) -> BOOL;
    fn GetLastError() -> u32;
    fn CreateThread(
        sa: *mut c_void,
        stack: usize,
        start: extern "system" fn(*mut c_void) -> u32,
        param: *mut c_void,
        flags: u32,
        tid: *mut u32,
    ) -> HANDLE;
    fn ExitThread(code: u32) -> !;
    fn TerminateThread(h: HANDLE, code: u32) -> BOOL;
    fn GetCurrentProcessId() -> u32;
    fn CreateNamedPipeW(
        name: *const u16,
        open_mode: u32,
        pipe_mode: u32,
        max_instances: u32,
        out_size: u32,
        in_size: u32,
        timeout: u32,
        sa: *mut c_void,
    ) -> HANDLE;
    fn CreateFileW(
        name: *const u16,
        access: u32,
        share: u32,
        sa: *mut c_void,
        disposition: u32,
        flags: u32,
        template: HANDLE,
    ) -> HANDLE;
    fn ConnectNamedPipe(h: HANDLE, ov: *mut OVERLAPPED) -> BOOL;
    fn ReadFile(h: HANDLE, buf: *mut u8, n: u32, read: *mut u32, ov: *mut OVERLAPPED) -> BOOL;
    fn WriteFile(h: HANDLE, buf: *const u8, n: u32, written: *mut u32, ov: *mut OVERLAPPED)
        -> BOOL;
    fn CancelIoEx(h: HANDLE, ov: *mut OVERLAPPED) -> BOOL;
    fn SetFileCompletionNotificationModes(h: HANDLE, flags: u8) -> BOOL;
}

#[link(name = "ntdll")]
extern "system" {
    fn NtQueryIoCompletion(
        h: HANDLE,
        class: u32,
        info: *mut c_void,
        len: u32,
        ret_len: *mut u32,
    ) -> NTSTATUS;
    fn RtlNtStatusToDosError(status: NTSTATUS) -> u32;
    fn NtSetIoCompletion(
        port: HANDLE,
        key: usize,
        apc_context: usize,
        status: NTSTATUS,
        information: usize,
    ) -> NTSTATUS;
    fn NtQuerySystemInformation(
        class: u32,
        info: *mut c_void,
        len: u32,
        ret_len: *mut u32,
    ) -> NTSTATUS;
}

/// The scheduler state of each thread of this process (thread id, state),
/// from NtQuerySystemInformation(SystemProcessInformation). Windows reports
/// 5 (Waiting) for a thread blocked in a wait; Wine reports 0 for every
/// thread, so there the probe relies on the quiet period alone.
fn thread_states() -> Vec<(u32, u32)> {
    let mut buf = vec![0u8; 1 << 20];
    let mut v = Vec::new();
    for _ in 0..4 {
        let mut ret = 0u32;
        let st = unsafe {
            NtQuerySystemInformation(
                5,
                buf.as_mut_ptr() as *mut c_void,
                buf.len() as u32,
                &mut ret,
            )
        };
        if st == 0xC000_0004u32 as i32 {
            let n = buf.len() * 2;
            buf.resize(n, 0);
            continue;
        }
        if st < 0 {
            return v;
        }
        break;
    }
    let pid = unsafe { GetCurrentProcessId() } as u64;
    let rd32 = |b: &[u8], o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let mut off = 0usize;
    while off + 256 <= buf.len() {
        let p = &buf[off..];
        let next = rd32(p, 0) as usize;
        let n = rd32(p, 4) as usize;
        let upid = rd32(p, 80) as u64 | ((rd32(p, 84) as u64) << 32);
        if upid == pid {
            for i in 0..n {
                let o = 256 + i * 80;
                if o + 80 > p.len() {
                    break;
                }
                v.push((rd32(p, o + 48), rd32(p, o + 68)));
            }
            return v;
        }
        if next == 0 {
            break;
        }
        off += next;
    }
    v
}

// ---------------------------------------------------------------- workers

const CMD_NONE: u32 = 0;
const CMD_GET: u32 = 1;
const CMD_GET_EX: u32 = 2;
const CMD_BLOCK: u32 = 3;
const CMD_EXIT: u32 = 4;
const CMD_POST: u32 = 5;

const PHASE_RUN: u32 = 0;
const PHASE_GET: u32 = 1;
const PHASE_BLOCK: u32 = 2;

/// Counts the scripts of a batch, so no two of them name a pipe alike.
static SCRIPT: AtomicUsize = AtomicUsize::new(0);

/// Orders returns across threads.
static STAMP: AtomicU64 = AtomicU64::new(1);

/// A worker's command slot and its last return. The worker touches only
/// atomics and makes no allocation and takes no lock while it runs, so the
/// kernel never sees it wait on anything but what the script asks.
struct Slot {
    cmd: AtomicU32,
    port: AtomicUsize,
    max: AtomicU32,
    timeout: AtomicU32,
    /// For a wait timed by the step clock: its deadline in microseconds
    /// after `base`, plus one (0: pass `timeout` as it is). The worker turns
    /// it into milliseconds at the moment it calls get.
    deadline_us: AtomicU64,
    /// The run's time origin (read-only).
    base: Instant,
    event: AtomicUsize,
    /// Auto-reset event a free worker parks on until its first command.
    park: AtomicUsize,
    phase: AtomicU32,
    gen: AtomicU32,
    stamp: AtomicU64,
    err: AtomicU32,
    n: AtomicU32,
    /// key, overlapped, bytes, status (win32 code) for each packet.
    entries: Vec<[AtomicU64; 4]>,
    /// Set for a get whose worker posts next: it must not yield in between.
    hold: AtomicU32,
    /// A `post_by`: port, key, overlapped pointer, bytes; its error (0 for
    /// success) and a counter bumped when it is done.
    post: [AtomicUsize; 3],
    post_bytes: AtomicU32,
    post_err: AtomicU32,
    post_gen: AtomicU32,
}

impl Slot {
    fn new(base: Instant) -> Slot {
        Slot {
            cmd: AtomicU32::new(CMD_NONE),
            port: AtomicUsize::new(0),
            max: AtomicU32::new(1),
            timeout: AtomicU32::new(INFINITE),
            deadline_us: AtomicU64::new(0),
            base,
            event: AtomicUsize::new(0),
            park: AtomicUsize::new(0),
            phase: AtomicU32::new(PHASE_RUN),
            gen: AtomicU32::new(0),
            stamp: AtomicU64::new(0),
            err: AtomicU32::new(0),
            n: AtomicU32::new(0),
            entries: (0..MAX_BATCH)
                .map(|_| {
                    [
                        AtomicU64::new(0),
                        AtomicU64::new(0),
                        AtomicU64::new(0),
                        AtomicU64::new(0),
                    ]
                })
                .collect(),
            hold: AtomicU32::new(0),
            post: [AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0)],
            post_bytes: AtomicU32::new(0),
            post_err: AtomicU32::new(0),
            post_gen: AtomicU32::new(0),
        }
    }

    /// The timeout to pass to get, in milliseconds: the step clock's
    /// deadline as time left from now (rounded up, so the wait never
    /// expires before it; 0 if it has passed), or the script's timeout.
    fn wait_ms(&self) -> u32 {
        match self.deadline_us.load(Ordering::Relaxed) {
            0 => self.timeout.load(Ordering::Relaxed),
            d => {
                let now = self.base.elapsed().as_micros() as u64;
                let left = (d - 1).saturating_sub(now);
                ((left + 999) / 1000).min(INFINITE as u64 - 1) as u32
            }
        }
    }

    /// After a get whose worker posts next: spin without yielding until
    /// the next command (the post) arrives.
    fn hold_until_command(&self) {
        if self.hold.swap(0, Ordering::AcqRel) != 0 {
            while self.cmd.load(Ordering::Acquire) == CMD_NONE {
                std::hint::spin_loop();
            }
        }
    }

    fn put(&self, i: usize, key: usize, ov: usize, bytes: u32, status: u32) {
        let e = &self.entries[i];
        e[0].store(key as u64, Ordering::Relaxed);
        e[1].store(ov as u64, Ordering::Relaxed);
        e[2].store(bytes as u64, Ordering::Relaxed);
        e[3].store(status as u64, Ordering::Relaxed);
    }

    fn publish(&self, n: u32, err: u32) {
        self.n.store(n, Ordering::Relaxed);
        self.err.store(err, Ordering::Relaxed);
        self.stamp
            .store(STAMP.fetch_add(1, Ordering::SeqCst), Ordering::Relaxed);
        self.phase.store(PHASE_RUN, Ordering::Release);
        self.gen.fetch_add(1, Ordering::Release);
    }
}

extern "system" fn worker(param: *mut c_void) -> u32 {
    let s: &Slot = unsafe { &*(param as *const Slot) };
    let mut batch = [OVERLAPPED_ENTRY {
        lpCompletionKey: 0,
        lpOverlapped: std::ptr::null_mut(),
        Internal: 0,
        dwNumberOfBytesTransferred: 0,
    }; MAX_BATCH];
    let mut parked = true;
    loop {
        match s.cmd.load(Ordering::Acquire) {
            CMD_GET | CMD_GET_EX => parked = false,
            _ => {}
        }
        match s.cmd.load(Ordering::Acquire) {
            CMD_GET => {
                let port = s.port.load(Ordering::Relaxed) as HANDLE;
                let ms = s.wait_ms();
                s.phase.store(PHASE_GET, Ordering::Relaxed);
                s.cmd.store(CMD_NONE, Ordering::Release);
                let (mut bytes, mut key, mut ov) = (0u32, 0usize, std::ptr::null_mut());
                let ok =
                    unsafe { GetQueuedCompletionStatus(port, &mut bytes, &mut key, &mut ov, ms) };
                let err = if ok == 0 {
                    unsafe { GetLastError() }
                } else {
                    0
                };
                if ok != 0 || !ov.is_null() {
                    s.put(0, key, ov as usize, bytes, err);
                    s.publish(1, 0);
                } else {
                    s.publish(0, err);
                }
                s.hold_until_command();
            }
            CMD_GET_EX => {
                let port = s.port.load(Ordering::Relaxed) as HANDLE;
                let ms = s.wait_ms();
                let max = s.max.load(Ordering::Relaxed);
                s.phase.store(PHASE_GET, Ordering::Relaxed);
                s.cmd.store(CMD_NONE, Ordering::Release);
                let mut removed = 0u32;
                let ok = unsafe {
                    GetQueuedCompletionStatusEx(port, batch.as_mut_ptr(), max, &mut removed, ms, 0)
                };
                if ok != 0 {
                    for (i, e) in batch.iter().take(removed as usize).enumerate() {
                        let status = if e.Internal == 0 {
                            0
                        } else {
                            unsafe { RtlNtStatusToDosError(e.Internal as NTSTATUS) }
                        };
                        s.put(
                            i,
                            e.lpCompletionKey,
                            e.lpOverlapped as usize,
                            e.dwNumberOfBytesTransferred,
                            status,
                        );
                    }
                    s.publish(removed, 0);
                } else {
                    let err = unsafe { GetLastError() };
                    s.publish(0, err);
                }
                s.hold_until_command();
            }
            CMD_POST => {
                let port = s.post[0].load(Ordering::Relaxed) as HANDLE;
                let key = s.post[1].load(Ordering::Relaxed);
                let ov = s.post[2].load(Ordering::Relaxed) as *mut OVERLAPPED;
                let bytes = s.post_bytes.load(Ordering::Relaxed);
                s.cmd.store(CMD_NONE, Ordering::Release);
                let ok = unsafe { PostQueuedCompletionStatus(port, bytes, key, ov) };
                let err = if ok != 0 { 0 } else { unsafe { GetLastError() } };
                s.post_err.store(err, Ordering::Relaxed);
                s.post_gen.fetch_add(1, Ordering::Release);
            }
            CMD_BLOCK => {
                let ev = s.event.load(Ordering::Relaxed) as HANDLE;
                s.phase.store(PHASE_BLOCK, Ordering::Relaxed);
                s.cmd.store(CMD_NONE, Ordering::Release);
                unsafe { WaitForSingleObject(ev, INFINITE) };
                s.phase.store(PHASE_RUN, Ordering::Release);
            }
            CMD_EXIT => {
                s.cmd.store(CMD_NONE, Ordering::Release);
                unsafe { ExitThread(0) };
            }
            _ if parked => {
                // A thread that never called get is free: its waits touch
                // no port, so it parks instead of taking CPU from the
                // threads the ports count.
                unsafe { WaitForSingleObject(s.park.load(Ordering::Relaxed) as HANDLE, INFINITE) };
            }
            _ => {
                // Running: spin, yielding the processor without waiting, so
                // the kernel keeps counting this thread as running.
                unsafe { SwitchToThread() };
            }
        }
    }
}

// ---------------------------------------------------------------- script

#[derive(Clone, Copy, Debug)]
enum Tmo {
    Inf,
    Zero,
    At(usize),
    Never,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    Post {
        p: usize,
        key: u64,
        bytes: u32,
        ov: Option<usize>,
    },
    PostBy {
        t: usize,
        p: usize,
        key: u64,
        bytes: u32,
        ov: Option<usize>,
    },
    Get {
        t: usize,
        p: usize,
        tmo: Tmo,
    },
    GetEx {
        t: usize,
        p: usize,
        max: u32,
        tmo: Tmo,
    },
    Block {
        t: usize,
    },
    Unblock {
        t: usize,
    },
    Timeout {
        t: usize,
    },
    Exit {
        t: usize,
    },
    Associate {
        d: usize,
        p: usize,
        key: u64,
    },
    Issue {
        d: usize,
        ov: usize,
        inline: Option<u32>,
        syn: bool,
    },
    Complete {
        ov: usize,
        bytes: u32,
        status: u32,
    },
    CloseDevice {
        d: usize,
    },
    ClosePort {
        p: usize,
    },
    Nop,
}

struct Script {
    ports: Vec<u32>,
    threads: usize,
    overlapped: usize,
    devices: Vec<(bool, usize)>,
    steps: Vec<(usize, String, Op)>,
    /// Steps whose get is followed, for that worker, by a `post_by`.
    holds: Vec<usize>,
}

impl Op {
    /// The worker whose call (or wait) this op is about.
    fn worker(&self) -> Option<usize> {
        match *self {
            Op::PostBy { t, .. }
            | Op::Get { t, .. }
            | Op::GetEx { t, .. }
            | Op::Block { t }
            | Op::Unblock { t }
            | Op::Timeout { t }
            | Op::Exit { t } => Some(t),
            _ => None,
        }
    }
}

fn fail(msg: String) -> ! {
    eprintln!("probe: {}", msg);
    std::process::exit(2)
}

fn parse_script(text: &str) -> Script {
    let mut s = Script {
        ports: Vec::new(),
        threads: 0,
        overlapped: 0,
        devices: Vec::new(),
        steps: Vec::new(),
        holds: Vec::new(),
    };
    let mut header = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let w: Vec<&str> = line.split_whitespace().collect();
        let bad = |why: &str| -> ! { fail(format!("script line {}: {}: {}", n + 1, why, raw)) };
        let num = |i: usize| -> u64 {
            w.get(i)
                .and_then(|x| x.parse::<u64>().ok())
                .unwrap_or_else(|| bad("expected a number"))
        };
        let opt = |i: usize| -> Option<u64> {
            match w.get(i) {
                Some(&"-") => None,
                _ => Some(num(i)),
            }
        };
        let tmo = |i: usize| -> Tmo {
            match w.get(i).copied() {
                Some("inf") => Tmo::Inf,
                Some("0") => Tmo::Zero,
                Some("never") => Tmo::Never,
                Some(x) if x.starts_with("at:") => {
                    Tmo::At(x[3..].parse().unwrap_or_else(|_| bad("bad timeout step")))
                }
                _ => bad("expected a timeout (inf, 0, at:K, never)"),
            }
        };
        if !header {
            if w != ["iocp-probe", "1"] {
                bad("the first line must be `iocp-probe 1`");
            }
            header = true;
            continue;
        }
        match w[0] {
            "port" => s.ports.push(num(1) as u32),
            "threads" => s.threads = num(1) as usize,
            "overlapped" => s.overlapped = num(1) as usize,
            "device" => s.devices.push((num(1) != 0, num(2).max(1) as usize)),
            "step" => {
                let k = num(1) as usize;
                let name = w.get(2).copied().unwrap_or_else(|| bad("missing op"));
                let a = 3;
                let op = match name {
                    "post" => Op::Post {
                        p: num(a) as usize,
                        key: num(a + 1),
                        bytes: num(a + 2) as u32,
                        ov: opt(a + 3).map(|x| x as usize),
                    },
                    "post_by" => Op::PostBy {
                        t: num(a) as usize,
                        p: num(a + 1) as usize,
                        key: num(a + 2),
                        bytes: num(a + 3) as u32,
                        ov: opt(a + 4).map(|x| x as usize),
                    },
                    "get" => Op::Get {
                        t: num(a) as usize,
                        p: num(a + 1) as usize,
                        tmo: tmo(a + 2),
                    },
                    "get_ex" => Op::GetEx {
                        t: num(a) as usize,
                        p: num(a + 1) as usize,
                        max: num(a + 2) as u32,
                        tmo: tmo(a + 3),
                    },
                    "block" => Op::Block { t: num(a) as usize },
                    "unblock" => Op::Unblock { t: num(a) as usize },
                    "timeout" => Op::Timeout { t: num(a) as usize },
                    "exit" => Op::Exit { t: num(a) as usize },
                    "associate" => Op::Associate {
                        d: num(a) as usize,
                        p: num(a + 1) as usize,
                        key: num(a + 2),
                    },
                    "issue" => Op::Issue {
                        d: num(a) as usize,
                        ov: num(a + 1) as usize,
                        inline: opt(a + 2).map(|x| x as u32),
                        syn: w.get(a + 3) == Some(&"syn"),
                    },
                    "complete" => Op::Complete {
                        ov: num(a) as usize,
                        bytes: num(a + 1) as u32,
                        status: match w.get(a + 2) {
                            None => 0,
                            Some(x) => u32::from_str_radix(x.trim_start_matches("0x"), 16)
                                .unwrap_or_else(|_| bad("bad NTSTATUS")),
                        },
                    },
                    "close_device" => Op::CloseDevice { d: num(a) as usize },
                    "close_port" => Op::ClosePort { p: num(a) as usize },
                    "nop" => Op::Nop,
                    _ => bad("unknown op"),
                };
                s.steps.push((k, name.to_owned(), op));
            }
            _ => bad("unknown directive"),
        }
    }
    if !header {
        fail("empty script".to_owned());
    }
    for (i, (k, _, op)) in s.steps.iter().enumerate() {
        if let Op::Get { t, .. } | Op::GetEx { t, .. } = *op {
            let next = s.steps[i + 1..].iter().find(|x| x.2.worker() == Some(t));
            if let Some((_, _, Op::PostBy { .. })) = next {
                s.holds.push(*k);
            }
        }
    }
    s
}

// ---------------------------------------------------------------- controller

struct Instance {
    server: HANDLE,
    client: HANDLE,
    buf: Vec<u8>,
    /// The OVERLAPPED id of the read pending on this instance.
    pending: Option<usize>,
}

impl Instance {
    /// A connected pipe instance (server and client ends) of device `d`,
    /// named after the process, the device and `i`.
    fn new(d: usize, i: usize, skip: bool) -> Instance {
        let pid = unsafe { GetCurrentProcessId() };
        let script = SCRIPT.load(Ordering::Relaxed);
        let name = wide(&format!(
            "\\\\.\\pipe\\iocp-probe-{}-{}-{}-{}",
            pid, script, d, i
        ));
        // PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED; message mode so a
        // write of 0 bytes completes a read with 0 bytes.
        let server = unsafe {
            CreateNamedPipeW(
                name.as_ptr(),
                0x1 | 0x4000_0000,
                0x4 | 0x2,
                1,
                0,
                PIPE_BUF as u32,
                0,
                std::ptr::null_mut(),
            )
        };
        if server == INVALID_HANDLE_VALUE {
            fail(format!("CreateNamedPipeW failed: {}", unsafe {
                GetLastError()
            }));
        }
        let client = unsafe {
            CreateFileW(
                name.as_ptr(),
                0x4000_0000,
                0,
                std::ptr::null_mut(),
                3,
                0,
                std::ptr::null_mut(),
            )
        };
        if client == INVALID_HANDLE_VALUE {
            fail(format!("CreateFileW(pipe) failed: {}", unsafe {
                GetLastError()
            }));
        }
        let mut ov: OVERLAPPED = unsafe { std::mem::zeroed() };
        let ok = unsafe { ConnectNamedPipe(server, &mut ov) };
        let err = unsafe { GetLastError() };
        if ok == 0 && err != ERROR_PIPE_CONNECTED {
            fail(format!("ConnectNamedPipe failed: {}", err));
        }
        if skip && unsafe { SetFileCompletionNotificationModes(server, 1) } == 0 {
            fail(format!(
                "SetFileCompletionNotificationModes failed: {}",
                unsafe { GetLastError() }
            ));
        }
        Instance {
            server,
            client,
            buf: vec![0u8; PIPE_BUF],
            pending: None,
        }
    }
}

struct Device {
    instances: Vec<Instance>,
    /// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is set on every instance.
    skip: bool,
    closed: bool,
    /// Pending reads in issue order: (ov id, instance index, or SYNTHETIC).
    pending: Vec<(usize, usize)>,
    /// The port and key of its first successful association.
    assoc: Option<(usize, u64)>,
}

/// The instance index of a synthesized request: nothing is pending on any
/// handle; its completion is inserted with NtSetIoCompletion.
const SYNTHETIC: usize = usize::MAX;
/// STATUS_CANCELLED: what close_device gives a synthesized request.
const STATUS_CANCELLED: u32 = 0xC000_0120;

struct Probe {
    ports: Vec<HANDLE>,
    closed_ports: Vec<bool>,
    slots: &'static [Slot],
    threads: Vec<HANDLE>,
    tids: Vec<u32>,
    /// The OS reports thread states (Windows), so a wait can be confirmed.
    states_known: bool,
    events: Vec<HANDLE>,
    exited: Vec<bool>,
    /// The step at which each thread's current finite wait must expire.
    deadline: Vec<Option<usize>>,
    /// When each thread's current finite wait expires: its step's tick.
    expires: Vec<Option<Instant>>,
    /// The step clock, while a finite wait is outstanding: the step it was
    /// anchored at and that step's tick (see the header).
    clock: Option<(usize, Instant)>,
    /// The first step that ended after the next step's tick while the
    /// clock ran (reset when the clock stops).
    behind: Option<usize>,
    /// The time origin of the workers' deadlines.
    base: Instant,
    seen: Vec<u32>,
    devices: Vec<Device>,
    ovs: Vec<OVERLAPPED>,
    /// Where each OVERLAPPED's request is pending: (device, instance).
    ov_where: Vec<Option<(usize, usize)>>,
    quiet: Duration,
    step_budget: Duration,
    out: std::io::BufWriter<std::io::Stdout>,
    /// Steps whose get is followed, for that worker, by a `post_by`.
    holds: Vec<usize>,
}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

fn depth(port: HANDLE) -> Option<i32> {
    let mut d: i32 = 0;
    let mut len = 0u32;
    let st =
        unsafe { NtQueryIoCompletion(port, 0, &mut d as *mut i32 as *mut c_void, 4, &mut len) };
    if st < 0 {
        None
    } else {
        Some(d)
    }
}

impl Probe {
    fn new(s: &Script, quiet: Duration, step_budget: Duration) -> Probe {
        let mut ports = Vec::new();
        for &max in &s.ports {
            let h = unsafe {
                CreateIoCompletionPort(INVALID_HANDLE_VALUE, std::ptr::null_mut(), 0, max)
            };
            if h.is_null() {
                fail(format!("CreateIoCompletionPort failed: {}", unsafe {
                    GetLastError()
                }));
            }
            ports.push(h);
        }
        let base = Instant::now();
        let slots: &'static [Slot] = Box::leak(
            (0..s.threads)
                .map(|_| Slot::new(base))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        );
        let mut threads = Vec::new();
        let mut tids = Vec::new();
        let mut events = Vec::new();
        for slot in slots.iter() {
            let ev = unsafe { CreateEventW(std::ptr::null_mut(), 0, 0, std::ptr::null()) };
            if ev.is_null() {
                fail("CreateEventW failed".to_owned());
            }
            slot.event.store(ev as usize, Ordering::Relaxed);
            let park = unsafe { CreateEventW(std::ptr::null_mut(), 0, 0, std::ptr::null()) };
            if park.is_null() {
                fail("CreateEventW failed".to_owned());
            }
            slot.park.store(park as usize, Ordering::Relaxed);
            events.push(ev);
            let mut tid = 0u32;
            let h = unsafe {
                CreateThread(
                    std::ptr::null_mut(),
                    0,
                    worker,
                    slot as *const Slot as *mut c_void,
                    0,
                    &mut tid,
                )
            };
            if h.is_null() {
                fail("CreateThread failed".to_owned());
            }
            threads.push(h);
            tids.push(tid);
        }
        // Let the workers start spinning, then see whether the OS tells
        // running threads from waiting ones (it must report some non-zero
        // state: Wine reports 0 for all).
        std::thread::sleep(Duration::from_millis(20));
        let states_known = thread_states().iter().any(|&(_, st)| st != 0);
        let mut devices = Vec::new();
        for (d, &(skip, n)) in s.devices.iter().enumerate() {
            devices.push(Device {
                assoc: None,
                instances: (0..n).map(|i| Instance::new(d, i, skip)).collect(),
                skip,
                closed: false,
                pending: Vec::new(),
            });
        }
        let ovs = (0..s.overlapped)
            .map(|_| unsafe { std::mem::zeroed() })
            .collect();
        Probe {
            closed_ports: vec![false; ports.len()],
            ports,
            slots,
            threads,
            tids,
            states_known,
            events,
            exited: vec![false; s.threads],
            deadline: vec![None; s.threads],
            expires: vec![None; s.threads],
            clock: None,
            behind: None,
            base,
            seen: vec![0; s.threads],
            devices,
            ovs,
            ov_where: vec![None; s.overlapped],
            quiet,
            step_budget,
            holds: s.holds.clone(),
            out: std::io::BufWriter::new(std::io::stdout()),
        }
    }

    /// Ends the script: terminates every thread it made (a worker may be
    /// spinning, parked, blocked, or asleep in a get that nothing will end,
    /// as on a port Wine 8 closed under it), cancels the reads still
    /// pending and closes every handle, so the next script of the batch
    /// starts from nothing. A read that does not end within a second keeps
    /// its OVERLAPPED and buffer alive (they are leaked, never freed under it).
    fn shutdown(mut self) {
        for t in 0..self.threads.len() {
            let h = self.threads[t];
            unsafe {
                if !self.exited[t] {
                    TerminateThread(h, 0);
                }
                WaitForSingleObject(h, 5000);
                CloseHandle(h);
            }
        }
        for (s, &ev) in self.slots.iter().zip(&self.events) {
            unsafe {
                CloseHandle(ev);
                CloseHandle(s.park.load(Ordering::Relaxed) as HANDLE);
            }
        }
        let mut pending = Vec::new();
        for d in self.devices.iter().filter(|d| !d.closed) {
            for inst in &d.instances {
                if let Some(ov) = inst.pending {
                    unsafe { CancelIoEx(inst.server, std::ptr::null_mut()) };
                    pending.push(ov);
                }
            }
        }
        let start = Instant::now();
        let done = |ovs: &[OVERLAPPED]| {
            pending
                .iter()
                .all(|&o| unsafe { std::ptr::read_volatile(&ovs[o].Internal) } != STATUS_PENDING)
        };
        while !done(&self.ovs) && start.elapsed() < Duration::from_secs(1) {
            std::thread::sleep(Duration::from_millis(1));
        }
        let all_done = done(&self.ovs);
        for d in self.devices.iter_mut().filter(|d| !d.closed) {
            for inst in &mut d.instances {
                unsafe {
                    CloseHandle(inst.server);
                    CloseHandle(inst.client);
                }
                if !all_done {
                    std::mem::forget(std::mem::take(&mut inst.buf));
                }
            }
        }
        if !all_done {
            std::mem::forget(std::mem::take(&mut self.ovs));
        }
        for (p, &h) in self.ports.iter().enumerate() {
            if !self.closed_ports[p] {
                unsafe { CloseHandle(h) };
            }
        }
    }

    fn port(&self, p: usize) -> HANDLE {
        if self.closed_ports[p] {
            DEAD_HANDLE
        } else {
            self.ports[p]
        }
    }

    fn ov_ptr(&mut self, ov: usize) -> *mut OVERLAPPED {
        &mut self.ovs[ov] as *mut OVERLAPPED
    }

    fn ov_id(&self, ptr: u64) -> Option<usize> {
        let base = self.ovs.as_ptr() as u64;
        let size = std::mem::size_of::<OVERLAPPED>() as u64;
        if ptr >= base && ptr < base + size * self.ovs.len() as u64 && (ptr - base) % size == 0 {
            Some(((ptr - base) / size) as usize)
        } else {
            None
        }
    }

    /// What can be observed without disturbing the threads.
    fn snapshot(&self) -> Vec<i64> {
        let mut v = Vec::new();
        for s in self.slots {
            v.push(s.cmd.load(Ordering::Acquire) as i64);
            v.push(s.phase.load(Ordering::Acquire) as i64);
            v.push(s.gen.load(Ordering::Acquire) as i64);
        }
        for p in 0..self.ports.len() {
            v.push(if self.closed_ports[p] {
                -1
            } else {
                depth(self.ports[p]).unwrap_or(-2) as i64
            });
        }
        v
    }

    /// Polls until every command was taken and nothing observable changed
    /// for the quiet period, or until half the step budget passed.
    fn settle(&mut self) {
        let start = Instant::now();
        let mut last = self.snapshot();
        let mut since = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(1));
            let now = self.snapshot();
            if now != last {
                last = now;
                since = Instant::now();
            }
            let taken = self
                .slots
                .iter()
                .all(|s| s.cmd.load(Ordering::Acquire) == CMD_NONE);
            if taken && since.elapsed() >= self.quiet && self.waits_confirmed() {
                return;
            }
            if start.elapsed() >= self.step_budget / 2 {
                let _ = writeln!(
                    self.out,
                    "warn step did not settle within {:?}",
                    self.step_budget / 2
                );
                return;
            }
        }
    }

    fn wait_return(&mut self, t: usize, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.slots[t].gen.load(Ordering::Acquire) != self.seen[t] {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    }

    fn command(&mut self, t: usize, cmd: u32) {
        self.slots[t].cmd.store(cmd, Ordering::Release);
        unsafe { SetEvent(self.slots[t].park.load(Ordering::Relaxed) as HANDLE) };
    }

    /// Step `k`'s tick on the running clock.
    fn tick(&self, k: usize) -> Option<Instant> {
        let (a, at) = self.clock?;
        Some(at + self.step_budget * (k.saturating_sub(a) as u32))
    }

    /// The deadline of a wait that begins at step `k` with `tmo`: for
    /// `at:K`, step K's tick on the step clock (started now if no finite
    /// wait is outstanding), so it is the script, in step order, that
    /// decides when each wait expires. Otherwise the timeout as it is.
    fn wait_deadline(&mut self, tmo: Tmo, k: usize) -> (u32, Option<Instant>) {
        match tmo {
            Tmo::Inf => (INFINITE, None),
            Tmo::Zero => (0, None),
            Tmo::At(due) => {
                if self.deadline.iter().all(Option::is_none) {
                    self.clock = Some((k, Instant::now()));
                    self.behind = None;
                }
                let at = self.tick(due.max(k + 1)).expect("the clock runs");
                (INFINITE - 1, Some(at))
            }
            Tmo::Never => (3_600_000, None),
        }
    }

    /// After step `k` settled: while a finite wait is outstanding, the step
    /// must have ended before the next step's tick, or a wait due then may
    /// already have expired inside this step.
    fn check_clock(&mut self, k: usize) {
        if self.deadline.iter().all(Option::is_none) {
            self.clock = None;
            self.behind = None;
            return;
        }
        if let Some(next) = self.tick(k + 1) {
            let now = Instant::now();
            if now > next {
                let _ = writeln!(
                    self.out,
                    "warn clock-behind step {} ended {} ms after the tick of step {}",
                    k,
                    (now - next).as_millis(),
                    k + 1
                );
                self.behind.get_or_insert(k);
            }
        }
    }

    fn err_or(&self, ok: bool) -> String {
        if ok {
            "success".to_owned()
        } else {
            unsafe { GetLastError() }.to_string()
        }
    }

    fn run_step(&mut self, k: usize, name: &str, op: Op) {
        let _ = writeln!(self.out, "step {} {}", k, name);
        // The result of a call the controller makes itself; `None` for a
        // worker's get, whose result is read from its return.
        let mut result: Option<String> = Some("success".to_owned());
        let mut own: Option<usize> = None;
        let mut busy: Option<usize> = None;
        match op {
            Op::Nop => {}
            Op::Post { p, key, bytes, ov } => {
                let ptr = match ov {
                    Some(o) => self.ov_ptr(o),
                    None => std::ptr::null_mut(),
                };
                let ok =
                    unsafe { PostQueuedCompletionStatus(self.port(p), bytes, key as usize, ptr) };
                result = Some(self.err_or(ok != 0));
            }
            Op::Get { t, .. }
            | Op::GetEx { t, .. }
            | Op::Block { t }
            | Op::Exit { t }
            | Op::PostBy { t, .. }
                if !self.available(t) =>
            {
                // The real thread is still inside an earlier wait (or gone):
                // it cannot make this call. Report it; never queue the command.
                let _ = writeln!(self.out, "warn thread {} is not running; step not run", t);
                busy = Some(t);
                result = Some("busy".to_owned());
            }
            Op::Get { t, p, tmo } | Op::GetEx { t, p, tmo, .. } => {
                let (ms, at) = self.wait_deadline(tmo, k);
                self.expires[t] = at;
                let s = &self.slots[t];
                s.port.store(self.port(p) as usize, Ordering::Relaxed);
                s.timeout.store(ms, Ordering::Relaxed);
                s.deadline_us.store(
                    at.map_or(0, |at| (at - self.base).as_micros() as u64 + 1),
                    Ordering::Relaxed,
                );
                s.hold
                    .store(self.holds.contains(&k) as u32, Ordering::Relaxed);
                self.deadline[t] = match tmo {
                    Tmo::At(k) => Some(k),
                    _ => None,
                };
                let cmd = match op {
                    Op::GetEx { max, .. } => {
                        if max as usize > MAX_BATCH {
                            fail(format!("get_ex max {} > {}", max, MAX_BATCH));
                        }
                        s.max.store(max, Ordering::Relaxed);
                        CMD_GET_EX
                    }
                    _ => CMD_GET,
                };
                self.command(t, cmd);
                result = None;
                own = Some(t);
            }
            Op::PostBy {
                t,
                p,
                key,
                bytes,
                ov,
            } => {
                let ptr = match ov {
                    Some(o) => self.ov_ptr(o),
                    None => std::ptr::null_mut(),
                };
                let s = &self.slots[t];
                s.post[0].store(self.port(p) as usize, Ordering::Relaxed);
                s.post[1].store(key as usize, Ordering::Relaxed);
                s.post[2].store(ptr as usize, Ordering::Relaxed);
                s.post_bytes.store(bytes, Ordering::Relaxed);
                let before = s.post_gen.load(Ordering::Acquire);
                self.command(t, CMD_POST);
                let start = Instant::now();
                let s = &self.slots[t];
                while s.post_gen.load(Ordering::Acquire) == before
                    && start.elapsed() < self.step_budget
                {
                    std::thread::sleep(Duration::from_millis(1));
                }
                result = Some(if s.post_gen.load(Ordering::Acquire) == before {
                    let _ = writeln!(self.out, "warn thread {} did not post", t);
                    "busy".to_owned()
                } else {
                    match s.post_err.load(Ordering::Relaxed) {
                        0 => "success".to_owned(),
                        e => e.to_string(),
                    }
                });
            }
            Op::Block { t } => self.command(t, CMD_BLOCK),
            Op::Unblock { t } => {
                unsafe { SetEvent(self.events[t]) };
            }
            Op::Timeout { t }
                if self.slots[t].phase.load(Ordering::Acquire) != PHASE_GET
                    && self.slots[t].gen.load(Ordering::Acquire) == self.seen[t] =>
            {
                // The real thread is not waiting (it got a packet or was
                // never in a get): there is nothing to time out.
                let _ = writeln!(
                    self.out,
                    "warn thread {} is not waiting; nothing to time out",
                    t
                );
            }
            Op::Timeout { t } => {
                let due = self.expires[t].map(|e| e.saturating_duration_since(Instant::now()));
                let limit = due.unwrap_or_default() + self.step_budget * 4;
                if !self.wait_return(t, limit) {
                    let _ = writeln!(
                        self.out,
                        "warn thread {} did not time out within {:?}",
                        t, limit
                    );
                }
                self.deadline[t] = None;
            }
            Op::Exit { t } => {
                self.command(t, CMD_EXIT);
                let r = unsafe {
                    WaitForSingleObject(self.threads[t], self.step_budget.as_millis() as u32)
                };
                if r != 0 {
                    let _ = writeln!(self.out, "warn thread {} did not exit", t);
                }
                self.exited[t] = true;
            }
            Op::Associate { d, p, key } => {
                let dev = &self.devices[d];
                let mut res = "success".to_owned();
                if dev.closed {
                    let h = unsafe {
                        CreateIoCompletionPort(DEAD_HANDLE, self.port(p), key as usize, 0)
                    };
                    res = self.err_or(!h.is_null());
                } else {
                    let port = self.port(p);
                    for (i, inst) in self.devices[d].instances.iter().enumerate() {
                        let h =
                            unsafe { CreateIoCompletionPort(inst.server, port, key as usize, 0) };
                        let r = if h.is_null() {
                            unsafe { GetLastError() }.to_string()
                        } else {
                            "success".to_owned()
                        };
                        if i == 0 {
                            res = r;
                        }
                    }
                    if res == "success" && self.devices[d].assoc.is_none() {
                        self.devices[d].assoc = Some((p, key));
                    }
                }
                result = Some(res);
            }
            Op::Issue {
                d, ov, syn: true, ..
            } if !self.devices[d].closed => {
                self.devices[d].pending.push((ov, SYNTHETIC));
                self.ov_where[ov] = Some((d, SYNTHETIC));
                result = Some("pending".to_owned());
            }
            Op::Issue { d, ov, inline, .. } => {
                result = Some(self.issue(d, ov, inline));
            }
            Op::Complete { ov, bytes, status } => {
                if let Some((d, SYNTHETIC)) = self.ov_where[ov] {
                    self.synthesize(d, ov, bytes, status);
                    self.finish_request(d, SYNTHETIC, ov);
                } else if let Some((d, i)) = self.ov_where[ov] {
                    let inst = &self.devices[d].instances[i];
                    let data = vec![0x5Au8; bytes as usize];
                    let mut written = 0u32;
                    let ok = unsafe {
                        WriteFile(
                            inst.client,
                            data.as_ptr(),
                            bytes,
                            &mut written,
                            std::ptr::null_mut(),
                        )
                    };
                    if ok == 0 {
                        let _ = writeln!(self.out, "warn WriteFile failed: {}", unsafe {
                            GetLastError()
                        });
                    }
                    self.finish_request(d, i, ov);
                } else {
                    let _ = writeln!(
                        self.out,
                        "warn complete of an OVERLAPPED that is not pending"
                    );
                }
            }
            Op::CloseDevice { d } => {
                if self.devices[d].closed {
                    let ok = unsafe { CloseHandle(DEAD_HANDLE) };
                    result = Some(self.err_or(ok != 0));
                } else {
                    // Cancel each pending request in issue order, letting each
                    // packet land before the next, then close every handle.
                    let pending = self.devices[d].pending.clone();
                    for (ov, i) in pending {
                        if i == SYNTHETIC {
                            self.synthesize(d, ov, 0, STATUS_CANCELLED);
                            self.settle();
                            self.finish_request(d, i, ov);
                            continue;
                        }
                        let h = self.devices[d].instances[i].server;
                        let ptr = self.ov_ptr(ov);
                        unsafe { CancelIoEx(h, ptr) };
                        self.settle();
                        self.finish_request(d, i, ov);
                    }
                    for inst in &self.devices[d].instances {
                        unsafe {
                            CloseHandle(inst.server);
                            CloseHandle(inst.client);
                        }
                    }
                    self.devices[d].closed = true;
                }
            }
            Op::ClosePort { p } => {
                let ok = unsafe { CloseHandle(self.port(p)) };
                result = Some(self.err_or(ok != 0));
                if ok != 0 {
                    self.closed_ports[p] = true;
                }
            }
        }
        self.settle();
        self.report(k, result, own, busy);
    }

    /// Where the OS reports thread states: every worker that is inside a
    /// get or a block is really waiting (state 5), not about to.
    fn waits_confirmed(&self) -> bool {
        if !self.states_known {
            return true;
        }
        let states = thread_states();
        self.slots.iter().enumerate().all(|(t, s)| {
            self.exited[t]
                || s.phase.load(Ordering::Acquire) == PHASE_RUN
                || states.iter().any(|&(id, st)| id == self.tids[t] && st == 5)
        })
    }

    /// True if the thread runs (spins) and can take a command.
    fn available(&self, t: usize) -> bool {
        !self.exited[t] && self.slots[t].phase.load(Ordering::Acquire) == PHASE_RUN
    }

    /// Inserts the completion of a synthesized request into the device's
    /// port, as the I/O manager does when a request completes: nothing if
    /// the device is not associated or its port is closed.
    fn synthesize(&mut self, d: usize, ov: usize, bytes: u32, status: u32) {
        if let Some((p, key)) = self.devices[d].assoc {
            if !self.closed_ports[p] {
                let ptr = self.ov_ptr(ov) as usize;
                let st = unsafe {
                    NtSetIoCompletion(
                        self.ports[p],
                        key as usize,
                        ptr,
                        status as NTSTATUS,
                        bytes as usize,
                    )
                };
                if st < 0 {
                    let _ = writeln!(self.out, "warn NtSetIoCompletion failed: {:#x}", st);
                }
            }
        }
    }

    /// Every instance of device `d` is busy: make one more (so any number
    /// of requests can be pending, as memory allows), associated with the
    /// device's port and key as the others are. Returns its index.
    fn add_instance(&mut self, d: usize) -> usize {
        let i = self.devices[d].instances.len();
        let inst = Instance::new(d, i, self.devices[d].skip);
        if let Some((p, key)) = self.devices[d].assoc {
            if !self.closed_ports[p] {
                let h = unsafe { CreateIoCompletionPort(inst.server, self.ports[p], key as usize, 0) };
                if h.is_null() {
                    fail(format!("CreateIoCompletionPort(new pipe instance) failed: {}", unsafe {
                        GetLastError()
                    }));
                }
            } else {
                // Its completions make no packet, as the model says, but
                // cannot wake a waiter stranded on the closed port (Wine 8).
                let _ = writeln!(
                    self.out,
                    "warn device {} grew a pipe instance after its port was closed",
                    d
                );
            }
        }
        self.devices[d].instances.push(inst);
        i
    }

    fn finish_request(&mut self, d: usize, i: usize, ov: usize) {
        if i != SYNTHETIC {
            self.devices[d].instances[i].pending = None;
        }
        self.devices[d].pending.retain(|&(o, _)| o != ov);
        self.ov_where[ov] = None;
    }

    fn issue(&mut self, d: usize, ov: usize, inline: Option<u32>) -> String {
        if self.devices[d].closed {
            let mut n = 0u32;
            let mut b = [0u8; 1];
            let ptr = self.ov_ptr(ov);
            let ok = unsafe { ReadFile(DEAD_HANDLE, b.as_mut_ptr(), 1, &mut n, ptr) };
            return self.err_or(ok != 0);
        }
        let i = match self.devices[d]
            .instances
            .iter()
            .position(|x| x.pending.is_none())
        {
            Some(i) => i,
            None => self.add_instance(d),
        };
        let (server, client) = {
            let inst = &self.devices[d].instances[i];
            (inst.server, inst.client)
        };
        if let Some(bytes) = inline {
            let data = vec![0x5Au8; bytes as usize];
            let mut written = 0u32;
            let ok = unsafe {
                WriteFile(
                    client,
                    data.as_ptr(),
                    bytes,
                    &mut written,
                    std::ptr::null_mut(),
                )
            };
            if ok == 0 {
                let _ = writeln!(self.out, "warn WriteFile failed: {}", unsafe {
                    GetLastError()
                });
            }
        }
        let ptr = self.ov_ptr(ov);
        unsafe { std::ptr::write_bytes(ptr, 0, 1) };
        let buf = self.devices[d].instances[i].buf.as_mut_ptr();
        let ok = unsafe { ReadFile(server, buf, PIPE_BUF as u32, std::ptr::null_mut(), ptr) };
        if ok != 0 {
            return "success".to_owned();
        }
        let err = unsafe { GetLastError() };
        if err == ERROR_IO_PENDING {
            self.devices[d].instances[i].pending = Some(ov);
            self.devices[d].pending.push((ov, i));
            self.ov_where[ov] = Some((d, i));
            "pending".to_owned()
        } else {
            err.to_string()
        }
    }

    fn report(
        &mut self,
        k: usize,
        result: Option<String>,
        own: Option<usize>,
        busy: Option<usize>,
    ) {
        self.check_clock(k);
        let mut rets = Vec::new();
        for t in 0..self.slots.len() {
            let s = &self.slots[t];
            let g = s.gen.load(Ordering::Acquire);
            if g != self.seen[t] {
                self.seen[t] = g;
                rets.push((s.stamp.load(Ordering::Relaxed), t));
            }
        }
        rets.sort();
        if let Some(t) = busy {
            let _ = writeln!(self.out, "ret {} busy", t);
        }
        let result = match result {
            Some(r) => r,
            None => {
                let t = own.expect("a worker call");
                match rets.iter().find(|&&(_, x)| x == t) {
                    None => "pending".to_owned(),
                    Some(_) => {
                        let s = &self.slots[t];
                        if s.n.load(Ordering::Relaxed) > 0 {
                            "success".to_owned()
                        } else {
                            s.err.load(Ordering::Relaxed).to_string()
                        }
                    }
                }
            }
        };
        let _ = writeln!(self.out, "result {}", result);
        for &(_, t) in &rets {
            let s = &self.slots[t];
            let n = s.n.load(Ordering::Relaxed) as usize;
            if n == 0 {
                let err = s.err.load(Ordering::Relaxed);
                if err == WAIT_TIMEOUT {
                    if let Some(at) = self.deadline[t] {
                        if at != k {
                            let why = match self.behind {
                                Some(j) => format!("; the step clock fell behind at step {}", j),
                                None => String::new(),
                            };
                            let _ = writeln!(
                                self.out,
                                "warn early-timeout thread {} at step {} (due at {}{})",
                                t, k, at, why
                            );
                        }
                    }
                }
                let _ = writeln!(self.out, "ret {} err {}", t, err);
            }
            for e in s.entries.iter().take(n) {
                let key = e[0].load(Ordering::Relaxed);
                let ov = e[1].load(Ordering::Relaxed);
                let bytes = e[2].load(Ordering::Relaxed);
                let status = e[3].load(Ordering::Relaxed);
                let ov = if ov == 0 {
                    "-".to_owned()
                } else {
                    match self.ov_id(ov) {
                        Some(i) => i.to_string(),
                        None => format!("?{:#x}", ov),
                    }
                };
                let _ = writeln!(
                    self.out,
                    "ret {} pkt {} {} {} {}",
                    t, key, bytes, ov, status
                );
            }
            self.deadline[t] = None;
        }
        for p in 0..self.ports.len() {
            if self.closed_ports[p] {
                let _ = writeln!(self.out, "depth {} closed", p);
            } else {
                match depth(self.ports[p]) {
                    Some(d) => {
                        let _ = writeln!(self.out, "depth {} {}", p, d);
                    }
                    None => {
                        let _ = writeln!(self.out, "depth {} unknown", p);
                    }
                }
            }
        }
        let _ = writeln!(self.out, "end {}", k);
        let _ = self.out.flush();
    }
}

/// The text of a script file, or of standard input for `-`.
fn read_script(path: &str) -> String {
    let mut text = String::new();
    if path == "-" {
        let _ = std::io::stdin().lock().read_to_string(&mut text);
        return text;
    }
    match std::fs::File::open(path) {
        Ok(f) => {
            for line in std::io::BufReader::new(f).lines() {
                match line {
                    Ok(l) => {
                        text.push_str(&l);
                        text.push('\n');
                    }
                    Err(e) => fail(format!("{}: {}", path, e)),
                }
            }
        }
        Err(e) => fail(format!("{}: {}", path, e)),
    }
    text
}

fn main() {
    let mut quiet = Duration::from_millis(60);
    let mut step = Duration::from_millis(800);
    let mut paths: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut ms = |what: &str| -> Duration {
            Duration::from_millis(
                args.next()
                    .and_then(|x| x.parse().ok())
                    .unwrap_or_else(|| fail(format!("{} needs a number of milliseconds", what))),
            )
        };
        match a.as_str() {
            "--quiet-ms" => quiet = ms("--quiet-ms"),
            "--step-ms" => step = ms("--step-ms"),
            _ => paths.push(a),
        }
    }
    if paths.is_empty() {
        paths.push("-".to_owned());
    }
    for path in &paths {
        SCRIPT.fetch_add(1, Ordering::Relaxed);
        let script = parse_script(&read_script(path));
        let mut probe = Probe::new(&script, quiet, step);
        let _ = writeln!(probe.out, "probe 1");
        for (k, name, op) in script.steps.clone() {
            probe.run_step(k, &name, op);
        }
        let _ = writeln!(probe.out, "done");
        let _ = probe.out.flush();
        probe.shutdown();
    }
    std::process::exit(0);
}
