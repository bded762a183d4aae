//! Generated scenarios of any length, for benchmarks and streaming tests.
//! Deterministic: the same length gives the same text.

use std::fmt::Write as _;

/// A valid `iocp-sim/1` scenario of exactly `steps` steps (at least 3): two
/// workers on a port with concurrency 2 cycling through hand-offs, a queued
/// packet, block/unblock, a poll, and a device completion, with an
/// expectation every cycle.
pub fn workload(steps: usize) -> String {
    let mut s = String::with_capacity(steps * 90 + 512);
    s.push_str(
        "{\n  \"format\": \"iocp-sim/1\",\n  \"title\": \"Generated workload\",\n  \"flavor\": \"windows\",\n  \"cpus\": 2,\n  \"ports\": [{\"id\": \"P\", \"concurrency\": 2}],\n  \"threads\": [\"T1\", \"T2\"],\n  \"devices\": [{\"id\": \"sockA\"}],\n  \"steps\": [\n",
    );
    let prefix = [
        r#"{"op": "associate", "device": "sockA", "port": "P", "key": 1}"#.to_owned(),
        r#"{"op": "get", "thread": "T1", "port": "P"}"#.to_owned(),
        r#"{"op": "get", "thread": "T2", "port": "P"}"#.to_owned(),
    ];
    let mut lines: Vec<String> = Vec::new();
    let mut n = 0usize;
    let push = |line: String, s: &mut String, n: &mut usize| {
        if *n > 0 {
            s.push_str(",\n");
        }
        s.push_str("    ");
        s.push_str(&line);
        *n += 1;
    };
    for line in prefix.into_iter().take(steps) {
        push(line, &mut s, &mut n);
    }
    let mut k = 0u64;
    while n < steps {
        k += 1;
        lines.clear();
        lines.push(format!(
            r#"{{"op": "post", "port": "P", "key": {k}, "bytes": 64}}"#
        ));
        lines.push(format!(
            r#"{{"op": "post", "port": "P", "key": {k}, "bytes": 128}}"#
        ));
        lines.push(format!(
            r#"{{"op": "post", "port": "P", "key": {k}, "bytes": 256, "expect": {{"ports": {{"P": {{"iocq_len": 1, "current": 2}}}}}}}}"#
        ));
        lines.push(r#"{"op": "block", "thread": "T1", "on": "Sleep(1)"}"#.to_owned());
        lines.push(r#"{"op": "get", "thread": "T2", "port": "P"}"#.to_owned());
        lines.push(r#"{"op": "unblock", "thread": "T1"}"#.to_owned());
        lines.push(r#"{"op": "get", "thread": "T1", "port": "P", "timeout": 0, "expect": {"result": "WAIT_TIMEOUT"}}"#.to_owned());
        lines.push(r#"{"op": "get", "thread": "T1", "port": "P"}"#.to_owned());
        lines.push(r#"{"op": "get", "thread": "T2", "port": "P"}"#.to_owned());
        let mut ov = String::new();
        let _ = write!(ov, "ov{}", k % 4);
        lines.push(format!(
            r#"{{"op": "issue", "device": "sockA", "overlapped": "{ov}"}}"#
        ));
        lines.push(format!(
            r#"{{"op": "complete", "overlapped": "{ov}", "bytes": 100, "expect": {{"delivered": [{{"thread": "T2", "key": 1}}]}}}}"#
        ));
        lines.push(r#"{"op": "get", "thread": "T2", "port": "P"}"#.to_owned());
        for line in lines.drain(..) {
            if n >= steps {
                break;
            }
            push(line, &mut s, &mut n);
        }
    }
    s.push_str("\n  ]\n}\n");
    s
}

/// A valid `iocp-sim/1` scenario of `threads` threads on one port whose
/// concurrency is `threads`, and `steps` steps alternating a post and a get
/// by the next thread in turn (each get takes the packet just posted). Its
/// size grows as `threads + steps`, and the state shown after each step as
/// `threads`: the shape that makes views grow as steps × threads.
pub fn wide(threads: usize, steps: usize) -> String {
    let threads = threads.max(1);
    let mut s = String::with_capacity(threads * 8 + steps * 48 + 256);
    let _ = write!(
        s,
        r#"{{"format":"iocp-sim/1","title":"{threads} threads, {steps} steps","ports":[{{"id":"P","concurrency":{threads}}}],"threads":["#
    );
    for i in 1..=threads {
        let _ = write!(s, "{}\"T{i}\"", if i > 1 { "," } else { "" });
    }
    s.push_str("],\"steps\":[\n");
    for i in 0..steps {
        if i % 2 == 0 {
            let _ = write!(s, r#"{{"op":"post","port":"P","key":{i}}}"#);
        } else {
            let _ = write!(
                s,
                r#"{{"op":"get","thread":"T{}","port":"P"}}"#,
                (i / 2) % threads + 1
            );
        }
        s.push_str(if i + 1 < steps { ",\n" } else { "\n" });
    }
    s.push_str("]}\n");
    s
}
