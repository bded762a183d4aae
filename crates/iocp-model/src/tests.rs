//! The model crate's own tests: copying kernels, and taking them apart and
//! back through the checked constructor. (The rules are tested from
//! outside, in iocp-sim's `tests/integration/rules.rs` and property tests.)

use crate::{
    Action, DeviceId, Flavor, Kernel, KernelConfig, Outcome, OvId, OvUse, PartsError, PortId,
    Thread, ThreadId, ThreadState, Timeout,
};

fn config() -> KernelConfig {
    KernelConfig {
        flavor: Flavor::Windows,
        cpus: 2,
        ports: vec![1, 0],
        threads: 3,
        devices: vec![false, true],
    }
}

/// A walk through every structure: a Device List entry, a pending request,
/// a waiter, queued packets, a paused thread, a second port.
fn steps() -> Vec<Action> {
    let post = |key| Action::Post {
        port: PortId(0),
        key,
        bytes: 0,
        overlapped: None,
        by: None,
    };
    vec![
        Action::Associate {
            device: DeviceId(0),
            port: PortId(0),
            key: 5,
        },
        Action::Issue {
            device: DeviceId(0),
            overlapped: OvId(2),
            inline: None,
            by: None,
        },
        Action::Get {
            thread: ThreadId(0),
            port: PortId(0),
            timeout: Timeout::Infinite,
        },
        post(1),
        post(2),
        Action::Block {
            thread: ThreadId(0),
            on: None,
        },
        Action::Get {
            thread: ThreadId(1),
            port: PortId(1),
            timeout: Timeout::Ms(0),
        },
        Action::Get {
            thread: ThreadId(2),
            port: PortId(1),
            timeout: Timeout::Ms(10),
        },
        Action::Complete {
            overlapped: OvId(2),
            bytes: 3,
            status: crate::StatusId::SUCCESS,
        },
    ]
}

/// Every state of [`steps`], from the fresh one on.
fn states() -> Vec<Kernel> {
    let mut k = Kernel::new(&config());
    let mut out = Outcome::default();
    let mut all = vec![k.clone()];
    for s in steps() {
        k.apply(s, &mut out).unwrap();
        all.push(k.clone());
    }
    all
}

#[test]
fn clone_from_copies_every_field() {
    let all = states();
    let mut b = Kernel::new(&config());
    for a in all.iter().chain(all.iter().rev()) {
        b.clone_from(a);
        assert_eq!(&b, a);
    }
}

#[test]
fn parts_round_trip() {
    let mut into = Kernel::new(&config());
    let mut parts = into.parts();
    for k in states() {
        k.to_parts(&mut parts);
        assert_eq!(parts.check(), Ok(()));
        assert_eq!(Kernel::from_parts(parts.clone()), Ok(k.clone()));
        into.set_from_parts(&parts).unwrap();
        assert_eq!(into, k);
    }
    // Into a kernel of another shape: it takes the parts' shape.
    let mut other = Kernel::new(&KernelConfig {
        flavor: Flavor::Wine,
        cpus: 8,
        ports: vec![3, 3, 3],
        threads: 1,
        devices: vec![],
    });
    let k = states().pop().unwrap();
    other.set_from_parts(&k.parts()).unwrap();
    assert_eq!(other, k);
}

/// The last state of [`steps`]: T0 paused in P0's PTL, T1 running in
/// P1's RTL, T2 waiting in P1's WTQ, OVERLAPPED 2's packet queued.
fn last() -> Kernel {
    states().pop().unwrap()
}

#[test]
fn from_parts_refuses_a_broken_state() {
    let k = last();
    let broken = |f: &dyn Fn(&mut crate::KernelParts)| {
        let mut p = k.parts();
        f(&mut p);
        Kernel::from_parts(p).unwrap_err()
    };
    assert_eq!(
        broken(&|p| p.ports[1].current = 2),
        PartsError::CurrentNotRtl {
            port: PortId(1),
            current: 2,
            rtl: 1
        }
    );
    assert_eq!(
        broken(&|p| {
            p.ports[1].rtl = vec![ThreadId(1), ThreadId(0)];
            p.ports[1].current = 2;
        }),
        PartsError::Unsorted {
            port: PortId(1),
            ptl: false
        }
    );
    // T2 waits in P1's WTQ, and a second time in P0's.
    assert_eq!(
        broken(&|p| p.ports[0].wtq.push(ThreadId(2))),
        PartsError::StrayEntries
    );
    // T1 runs associated with P1 but is not in its RTL.
    assert_eq!(
        broken(&|p| {
            p.ports[1].rtl.clear();
            p.ports[1].current = 0;
        }),
        PartsError::Misplaced {
            thread: ThreadId(1)
        }
    );
    // An exited thread still associated.
    assert_eq!(
        broken(&|p| p.threads[1] = Thread::new(ThreadState::Exited, Some(PortId(1)), false)),
        PartsError::Misplaced {
            thread: ThreadId(1)
        }
    );
    assert_eq!(
        broken(&|p| p.threads[1] = Thread::new(ThreadState::Running, Some(PortId(7)), false)),
        PartsError::OutOfRange
    );
    assert_eq!(
        broken(&|p| p.ovs.push(OvUse::Free)),
        PartsError::TrailingFree
    );
    assert_eq!(
        broken(&|p| p.ovs[2] = OvUse::Pending(DeviceId(0))),
        PartsError::Pending {
            overlapped: OvId(2)
        }
    );
    assert_eq!(
        broken(&|p| p.devices[1].pending.push(OvId(2))),
        PartsError::NotPendingOn {
            device: DeviceId(1),
            overlapped: OvId(2)
        }
    );
    assert_eq!(
        broken(&|p| p.devices[0].entry = Some((PortId(9), 1))),
        PartsError::OutOfRange
    );
    assert_eq!(broken(&|p| p.counters.delivered += 1), PartsError::Counters);
    // Counters whose sum would overflow are refused, not a panic.
    assert_eq!(
        broken(&|p| {
            p.counters.delivered = u64::MAX;
            p.counters.lost = u64::MAX;
        }),
        PartsError::Counters
    );
}

#[test]
fn pending_lists_may_not_repeat_an_overlapped() {
    let mut k = Kernel::new(&config());
    let mut out = Outcome::default();
    for a in &steps()[..2] {
        k.apply(*a, &mut out).unwrap();
    }
    let mut p = k.parts();
    assert_eq!(p.devices[0].pending, vec![OvId(2)]);
    p.devices[0].pending.push(OvId(2));
    assert_eq!(Kernel::from_parts(p), Err(PartsError::StrayEntries));
}

#[test]
fn set_from_parts_leaves_the_kernel_as_it_was_on_error() {
    let k = last();
    let mut into = k.clone();
    let mut p = Kernel::new(&config()).parts();
    p.ports[0].current = 1;
    assert!(into.set_from_parts(&p).is_err());
    assert_eq!(into, k);
}

#[test]
fn errors_are_std_errors() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
    is_error::<crate::Rejection>();
    is_error::<crate::properties::Violation>();
    is_error::<PartsError>();
}

#[test]
fn swap_parts_exchanges_states() {
    let all = states();
    let mut k = Kernel::new(&config());
    let mut parts = k.parts();
    for s in &all {
        let before = k.clone();
        s.to_parts(&mut parts);
        k.swap_parts(&mut parts).unwrap();
        assert_eq!(&k, s);
        // The parts now hold the kernel's previous state.
        assert_eq!(Kernel::from_parts(parts.clone()), Ok(before));
    }
    // Broken parts, or parts of another shape: nothing changes.
    let k0 = k.clone();
    parts.ports[0].current += 1;
    let p0 = parts.clone();
    assert!(k.swap_parts(&mut parts).is_err());
    assert_eq!((&k, &parts), (&k0, &p0));
    let mut other = Kernel::new(&KernelConfig {
        ports: vec![1],
        ..config()
    })
    .parts();
    assert_eq!(k.swap_parts(&mut other), Err(PartsError::Shape));
    assert_eq!(k, k0);
}

/// A random action on a kernel of [`config`]'s shape (two ports, three
/// threads, two devices), now and then with an id out of range.
fn random_action(next: &mut impl FnMut(u64) -> u64) -> Action {
    let thread = ThreadId::from_index(next(4) as usize);
    let port = PortId::from_index(next(3) as usize);
    let device = DeviceId::from_index(next(3) as usize);
    let overlapped = OvId::from_index(next(4) as usize);
    let timeout = [Timeout::Infinite, Timeout::Ms(0), Timeout::Ms(5)][next(3) as usize];
    let by = [None, Some(thread)][next(2) as usize];
    match next(12) {
        0 => Action::Associate {
            device,
            port,
            key: next(3),
        },
        1 => Action::Issue {
            device,
            overlapped,
            inline: [None, Some(4)][next(2) as usize],
            by,
        },
        2 => Action::Complete {
            overlapped,
            bytes: 1,
            status: crate::StatusId::SUCCESS,
        },
        3 => Action::Post {
            port,
            key: next(3),
            bytes: 0,
            overlapped: None,
            by,
        },
        4 | 5 => Action::Get {
            thread,
            port,
            timeout,
        },
        6 => Action::GetEx {
            thread,
            port,
            max: next(3) as u32,
            timeout,
        },
        7 => Action::Block { thread, on: None },
        8 => Action::Unblock { thread },
        9 => Action::Timeout { thread },
        10 => match next(8) {
            0 => Action::ClosePort { port },
            1 => Action::CloseDevice { device },
            _ => Action::Exit { thread },
        },
        _ => Action::Post {
            port: PortId(0),
            key: 1,
            bytes: 0,
            overlapped: None,
            by,
        },
    }
}

/// `Outcome::touched` covers every write: after any step, every thread and
/// port it does not name (and every IOCQ and WTQ), and the devices and OVERLAPPEDs unless it names
/// them, are as before; and `restore_from` with it gives the state before
/// back. Random walks in every flavour, which fire every rule.
#[test]
fn touched_names_everything_a_step_writes() {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut fired = std::collections::BTreeSet::new();
    let mut out = Outcome::default();
    assert_eq!(out.touched, crate::Touched::NONE);
    out.clear();
    assert_eq!(out.touched, crate::Touched::ALL);
    for flavor in Flavor::ALL {
        for _ in 0..60 {
            let mut k = Kernel::new(&KernelConfig { flavor, ..config() });
            for _ in 0..80 {
                let before = k.clone();
                let action = random_action(&mut next);
                let t = match k.apply(action, &mut out) {
                    Err(_) => {
                        assert_eq!(out.touched, crate::Touched::NONE, "{action:?}");
                        continue;
                    }
                    Ok(()) => out.touched,
                };
                fired.extend(out.fired.iter().map(|f| f.rule));
                for (i, (a, b)) in k.thread_ids().zip(k.threads().iter().zip(before.threads())) {
                    assert!(t.thread(i) || a == b, "thread {i:?}: {action:?}");
                }
                for (i, (a, b)) in k.port_ids().zip(k.ports().iter().zip(before.ports())) {
                    assert!(t.port(i) || a == b, "port {i:?}: {action:?}");
                    let bit = 1 << i.index();
                    assert!(
                        t.iocq_mask() & bit != 0 || a.iocq() == b.iocq(),
                        "{action:?}"
                    );
                    assert!(t.wtq_mask() & bit != 0 || a.wtq() == b.wtq(), "{action:?}");
                }
                if !t.io() {
                    assert_eq!(k.devices(), before.devices(), "{action:?}");
                    for ov in 0..4 {
                        assert_eq!(k.overlapped(OvId(ov)), before.overlapped(OvId(ov)));
                    }
                }
                let mut back = k.clone();
                back.restore_from(&before, &t);
                assert_eq!(back, before, "{action:?}");
            }
        }
    }
    let all: std::collections::BTreeSet<_> = crate::Rule::ALL.into_iter().collect();
    assert_eq!(fired, all, "the walks fire every rule");
}

/// What a post that queues its packet marks: its port, no thread, no device; `restore_from` with
/// [`crate::Touched::ALL`] is a plain copy.
#[test]
fn a_post_touches_its_port_alone() {
    let all = states();
    let (a, b) = (&all[4], &all[5]);
    let mut out = Outcome::default();
    let mut k = a.clone();
    k.apply(steps()[4], &mut out).unwrap();
    assert_eq!(&k, b);
    let t = out.touched;
    assert!(t.port(PortId(0)) && !t.port(PortId(1)) && !t.io());
    assert_eq!((t.iocq_mask(), t.wtq_mask()), (1, 0));
    assert_eq!(t.thread_mask(), 0);
    k.restore_from(&all[1], &crate::Touched::ALL);
    assert_eq!(&k, &all[1]);
}

/// In debug builds `restore_from` checks its result: marks that miss a
/// write are caught there.
#[cfg(debug_assertions)]
#[test]
#[should_panic(expected = "did not mark")]
fn restore_from_sees_a_missing_mark() {
    let all = states();
    let mut k = all[4].clone();
    k.restore_from(&all[3], &crate::Touched::NONE);
}

/// `Outcome::marks` lists exactly the threads whose queue-wait mark a step
/// changed, with the new value, in every flavour (random walks); and the
/// mark appears (Windows) after a get that returned without sleeping.
#[test]
fn marks_report_every_change_of_the_queue_wait_mark_and_nothing_else() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let (mut set, mut cleared) = (0, 0);
    for flavor in Flavor::ALL {
        let fresh = Kernel::new(&KernelConfig { flavor, ..config() });
        let mut k = fresh.clone();
        let mut out = Outcome::default();
        for i in 0..6000 {
            // Short walks: threads exit and ports close for good.
            if i % 30 == 0 {
                k = fresh.clone();
            }
            let before = k.clone();
            let a = random_action(&mut next);
            if k.apply(a, &mut out).is_err() {
                assert!(out.marks.is_empty(), "a rejected action changes no mark");
                continue;
            }
            let changed: Vec<crate::MarkChange> = (0..3)
                .map(ThreadId)
                .filter(|&t| before.thread(t).queue_mark() != k.thread(t).queue_mark())
                .map(|t| crate::MarkChange {
                    thread: t,
                    set: k.thread(t).queue_mark(),
                })
                .collect();
            let mut reported = out.marks.clone();
            reported.sort_by_key(|m| m.thread);
            assert_eq!(reported, changed, "{a:?}");
            set += changed.iter().filter(|m| m.set).count();
            cleared += changed.iter().filter(|m| !m.set).count();
            if flavor != Flavor::Windows {
                assert!(changed.iter().all(|m| !m.set), "{flavor:?} sets no mark");
            }
        }
    }
    assert!(set > 10 && cleared > 10, "{set} set, {cleared} cleared");
}

/// The wake order is the model's: with `WakeOrder::Fifo` the Windows rules
/// wake the oldest waiter (handed a packet, or by activate), and property 4
/// checks the order the kernel was set to, not the flavour's.
#[test]
fn a_fifo_kernel_wakes_its_oldest_waiter_and_property_4_checks_that_order() {
    use crate::{properties, Event, WakeOrder};
    let (p, t) = (PortId(0), ThreadId::first(3).collect::<Vec<_>>());
    let waiting = |order| {
        let mut k = Kernel::new(&KernelConfig::new(Flavor::Windows, &[1], 3));
        k.set_wake_order(order);
        for &w in &t {
            k.step(Action::get(w, p)).unwrap();
        }
        k
    };
    for (order, woken) in [(WakeOrder::Lifo, t[2]), (WakeOrder::Fifo, t[0])] {
        // Handed off by rule 2.
        let mut k = waiting(order);
        let before = k.clone();
        let out = k.step(Action::post(p, 1)).unwrap();
        assert_eq!(out.deliveries[0].thread, woken, "{order:?}");
        assert!(
            matches!(out.fired[0].event, Event::HandedOff { lifo, .. } if lifo == (order == WakeOrder::Lifo))
        );
        properties::check_step(&before, &Action::post(p, 1), Some(&out), &k).unwrap();
        // The same step judged against the other order breaks property 4.
        let mut other = before.clone();
        other.set_wake_order(match order {
            WakeOrder::Lifo => WakeOrder::Fifo,
            WakeOrder::Fifo => WakeOrder::Lifo,
        });
        let v = properties::check_step(&other, &Action::post(p, 1), Some(&out), &k).unwrap_err();
        assert_eq!(v.property, 4, "{v}");
        // Woken by activate: the running thread blocks with a packet queued.
        k.step(Action::post(p, 2)).unwrap();
        let before = k.clone();
        let out = k.step(Action::block(woken)).unwrap();
        // Left waiting: T0 and T1 (LIFO woke T2), or T1 and T2 (FIFO woke
        // T0); either order wakes T1 next.
        assert_eq!(out.deliveries[0].thread, t[1], "{order:?}");
        properties::check_step(&before, &Action::block(woken), Some(&out), &k).unwrap();
    }
    // Kept through parts.
    let k = waiting(WakeOrder::Fifo);
    assert_eq!(Kernel::from_parts(k.parts()).unwrap(), k);
}
