//! [`copy_kernel`]: makes one kernel equal to another without allocating
//! (once the buffers have grown). The search copies the state it expands
//! into a work kernel before each move; `clone` would allocate a dozen
//! small vectors every time.

use crate::model::Kernel;

/// Makes `dst` equal to `src` (both from the same world: same numbers of
/// ports, threads and devices), reusing `dst`'s buffers.
pub fn copy_kernel(dst: &mut Kernel, src: &Kernel) {
    debug_assert_eq!(dst.ports.len(), src.ports.len());
    dst.flavor = src.flavor;
    dst.cpus = src.cpus;
    for (d, s) in dst.ports.iter_mut().zip(&src.ports) {
        d.concurrency = s.concurrency;
        d.max = s.max;
        d.current = s.current;
        d.closed = s.closed;
        d.iocq.drain().for_each(drop);
        for p in s.iocq.iter() {
            d.iocq.push(*p);
        }
        let (dw, sw) = (d.wtq.arrival_order(), s.wtq.arrival_order());
        if dw.len() != sw.len() || dw.iter().zip(sw).any(|(a, b)| a != b) {
            d.wtq.drain().for_each(drop);
            for &t in sw {
                d.wtq.push(t);
            }
        }
        for (ds, ss) in [(&mut d.rtl.0, &s.rtl.0), (&mut d.ptl.0, &s.ptl.0)] {
            let (a, b) = (ds.as_slice(), ss.as_slice());
            if a.len() != b.len() || a.iter().zip(b).any(|(x, y)| x != y) {
                while let Some(&t) = ds.as_slice().last() {
                    ds.remove(t);
                }
                for &t in ss.as_slice() {
                    ds.insert(t);
                }
            }
        }
    }
    dst.threads.copy_from_slice(&src.threads);
    for ((_, s), i) in src.devices.iter().zip(0u32..) {
        let d = dst
            .devices
            .get_mut(crate::model::DeviceId(i))
            .expect("same world");
        d.entry = s.entry;
        d.skip_on_success = s.skip_on_success;
        d.closed = s.closed;
        d.pending.clone_from(&s.pending);
    }
    dst.ovs.clone_from(&src.ovs);
    dst.counters = src.counters;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Action, Flavor, KernelConfig, Outcome, OvId, PortId, ThreadId, Timeout};

    #[test]
    fn copies_every_field() {
        let config = KernelConfig {
            flavor: Flavor::Windows,
            cpus: 2,
            ports: vec![1, 0],
            threads: 3,
            devices: vec![false],
        };
        let mut a = Kernel::new(&config);
        let mut b = Kernel::new(&config);
        let mut out = Outcome::default();
        let steps = [
            Action::Associate {
                device: crate::model::DeviceId(0),
                port: PortId(0),
                key: 5,
            },
            Action::Issue {
                device: crate::model::DeviceId(0),
                overlapped: OvId(0),
                inline: None,
                by: None,
            },
            Action::Get {
                thread: ThreadId(0),
                port: PortId(0),
                timeout: Timeout::Infinite,
            },
            Action::Post {
                port: PortId(0),
                key: 1,
                bytes: 0,
                overlapped: None,
                by: None,
            },
            Action::Post {
                port: PortId(0),
                key: 2,
                bytes: 0,
                overlapped: None,
                by: None,
            },
            Action::Block {
                thread: ThreadId(0),
                on: None,
            },
            Action::Get {
                thread: ThreadId(1),
                port: PortId(1),
                timeout: Timeout::Ms(0),
            },
        ];
        for s in steps {
            a.apply(s, &mut out).unwrap();
            copy_kernel(&mut b, &a);
            assert_eq!(a, b);
        }
        // And back to a fresh state.
        let fresh = Kernel::new(&config);
        copy_kernel(&mut b, &fresh);
        assert_eq!(b, fresh);
    }
}
