//! Shuttle builds (the `shuttle` feature): the port's primitives are
//! shuttle's (`sync.rs`), so a whole shuttle test, the user's threads,
//! locks and atomics and the port, runs under shuttle's schedulers. Here,
//! what such a port adds: it checks properties 1-7 of `docs/model.md`
//! after every call (a broken one panics, failing the test), and it keeps
//! its calls; when anything panics in a shuttle test (a broken property or
//! the user's own assertion), each port of the test writes its calls as an
//! `iocp-sim/1` scenario, beside the replay string that shuttle prints.
//!
//! Where: `$IOCP_SIM_SCENARIO_DIR`, or `iocp-sim-shuttle` in the system's
//! temporary directory; the file is named after the test (the OS thread
//! shuttle runs on), one per port: `<test>.json`, `<test>-2.json`, ...
//! Without the feature the port has no observer and this module does nothing.

use std::sync::Arc;

use super::history::Observe;

/// The observer of a new port: none in ordinary builds.
#[cfg(not(feature = "shuttle"))]
pub(crate) fn observer() -> Option<Arc<dyn Observe>> {
    None
}

/// The observer of a new port: one that checks and records every call, and
/// is written when the test panics.
#[cfg(feature = "shuttle")]
pub(crate) fn observer() -> Option<Arc<dyn Observe>> {
    Some(checked::register())
}

#[cfg(feature = "shuttle")]
mod checked {
    use std::cell::RefCell;
    use std::path::PathBuf;
    use std::sync::{Arc, Mutex, Once, Weak};

    use super::super::history::{Call, History, Observe};
    use crate::model::ThreadId;

    /// One port's calls. Behind a std mutex, not shuttle's: the panic hook
    /// reads it, and taking it is no scheduling point.
    #[derive(Default)]
    struct Log {
        history: History,
        /// Model thread -> the shuttle thread's name.
        names: Vec<String>,
        written: bool,
    }

    pub(super) struct Checked {
        log: Mutex<Log>,
    }

    std::thread_local! {
        /// The ports of the shuttle test running on this OS thread (shuttle
        /// runs all of a test's threads on the test's own).
        static PORTS: RefCell<Vec<Weak<Checked>>> = const { RefCell::new(Vec::new()) };
    }

    /// A new port's observer, known to the panic hook.
    pub(super) fn register() -> Arc<Checked> {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let next = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let reason = info
                    .payload()
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| info.payload().downcast_ref::<&str>().copied())
                    .unwrap_or("a panic");
                write_all(reason);
                next(info);
            }));
        });
        let c = Arc::new(Checked {
            log: Mutex::new(Log::default()),
        });
        PORTS.with(|p| {
            let mut p = p.borrow_mut();
            p.retain(|w| w.strong_count() > 0);
            p.push(Arc::downgrade(&c));
        });
        c
    }

    /// Writes the calls of every port of the test, once each.
    fn write_all(reason: &str) {
        let ports: Vec<Arc<Checked>> = PORTS
            .try_with(|p| p.borrow().iter().filter_map(Weak::upgrade).collect())
            .unwrap_or_default();
        let test = std::thread::current()
            .name()
            .unwrap_or("shuttle-test")
            .replace("::", ".");
        for (i, port) in ports.iter().enumerate() {
            let Ok(mut log) = port.log.try_lock() else {
                continue;
            };
            if log.written || log.history.is_empty() {
                continue;
            }
            log.written = true;
            let name = match i {
                0 => test.clone(),
                _ => format!("{test}-{}", i + 1),
            };
            let names = log.names.clone();
            let text = log.history.scenario(
                &name,
                &format!("Recorded under shuttle; the test failed: {reason}"),
                |t| names.get(t.index()).cloned().unwrap_or_default(),
            );
            let dir = std::env::var_os("IOCP_SIM_SCENARIO_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| std::env::temp_dir().join("iocp-sim-shuttle"));
            let path = dir.join(format!("{name}.json"));
            match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, text)) {
                Ok(()) => eprintln!(
                    "iocp-sim: the live port's calls ({}) are written to {} \
                     (iocp-sim run / play / export it)",
                    log.history.len(),
                    path.display()
                ),
                Err(e) => eprintln!(
                    "iocp-sim: the live port's calls could not be written to {}: {e}",
                    path.display()
                ),
            }
        }
    }

    impl Observe for Checked {
        fn joined(&self, _seat: usize, model: ThreadId) {
            let name = ::shuttle::thread::current()
                .name()
                .map(str::to_owned)
                .unwrap_or_else(|| format!("T{}", model.index() + 1));
            let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
            // Model ids are handed out in join order.
            log.names.push(name);
        }

        fn applied(&self, call: &Call<'_>) {
            let checked = {
                let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
                log.history.record_checked(call)
            };
            if let Err(broken) = checked {
                panic!("the live port broke a property: {broken}");
            }
        }
    }
}
