//! Dense numeric ids for the objects of a model, and the [`Names`] table
//! that turns them back into the names a scenario used.
//!
//! The model works on small integer ids so that a step costs a few array
//! look-ups; front ends use [`Names`] to print `T3` instead of `ThreadId(2)`.

use std::collections::HashMap;

/// The ids `0..n` of one kind, in order: what [`crate::Kernel::port_ids`],
/// [`Names::thread_ids`] and the like return.
#[derive(Clone, Debug)]
pub struct Ids<T> {
    range: std::ops::Range<u32>,
    kind: std::marker::PhantomData<fn() -> T>,
}

impl<T> Ids<T> {
    fn first(n: usize) -> Ids<T> {
        Ids {
            range: 0..u32::try_from(n).expect("ids fit in 32 bits"),
            kind: std::marker::PhantomData,
        }
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// An id is an index into the model's tables, in declaration order:
        ///
        /// ```
        #[doc = concat!("use iocp_model::", stringify!($name), ";")]
        ///
        #[doc = concat!("let second = ", stringify!($name), "(1);")]
        /// assert_eq!(second.index(), 1);
        #[doc = concat!("assert_eq!(", stringify!($name), "::from_index(1), second);")]
        #[doc = concat!("assert_eq!(", stringify!($name), "::first(2).last(), Some(second));")]
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);

        impl $name {
            /// The id as an index into the model's tables.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The id at index `i` of the model's tables (the inverse of
            /// [`Self::index`]). Panics if `i` does not fit in 32 bits, which
            /// no table of the model reaches.
            #[inline]
            pub fn from_index(i: usize) -> Self {
                $name(u32::try_from(i).expect("ids fit in 32 bits"))
            }

            /// The first `n` ids, in order (`0..n`).
            #[inline]
            pub fn first(n: usize) -> Ids<Self> {
                Ids::first(n)
            }
        }

        impl Iterator for Ids<$name> {
            type Item = $name;
            #[inline]
            fn next(&mut self) -> Option<$name> {
                self.range.next().map($name)
            }
            #[inline]
            fn size_hint(&self) -> (usize, Option<usize>) {
                self.range.size_hint()
            }
        }

        impl DoubleEndedIterator for Ids<$name> {
            #[inline]
            fn next_back(&mut self) -> Option<$name> {
                self.range.next_back().map($name)
            }
        }

        impl ExactSizeIterator for Ids<$name> {}

        impl std::iter::FusedIterator for Ids<$name> {}
    };
}

id_type!(
    /// A completion port (index into [`crate::Kernel::ports`]).
    PortId
);
id_type!(
    /// A thread of the scenario.
    ThreadId
);
id_type!(
    /// A device handle (socket, file, pipe) that can be associated with a port.
    DeviceId
);
id_type!(
    /// An OVERLAPPED structure, named by the label a scenario gives it.
    OvId
);
id_type!(
    /// A completion status: `0` is success, `1` is ERROR_OPERATION_ABORTED,
    /// others are error names interned by [`Names::status`].
    StatusId
);
id_type!(
    /// A free-text label, such as what a blocked thread waits on (`"Sleep(100)"`).
    LabelId
);

impl StatusId {
    /// The request succeeded.
    pub const SUCCESS: StatusId = StatusId(0);
    /// The request was cancelled because its device was closed (rule 12).
    pub const OPERATION_ABORTED: StatusId = StatusId(1);
}

/// A string interner: each distinct string gets the next dense id.
#[derive(Clone, Debug, Default)]
struct Interner {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = u32::try_from(self.names.len()).expect("ids fit in 32 bits");
        self.names.push(s.to_owned());
        self.index.insert(s.to_owned(), i);
        i
    }

    fn get(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }

    fn name(&self, i: u32) -> &str {
        self.names
            .get(i as usize)
            .map(String::as_str)
            .unwrap_or("?")
    }
}

/// Names of every object in a model, for narration, errors and rendering.
///
/// Ports, threads and devices are declared up front; OVERLAPPED labels,
/// status names and free labels are interned as a scenario uses them.
///
/// ```
/// use iocp_model::{Names, ThreadId};
///
/// let mut names = Names::new(vec!["P".into()], vec!["T1".into(), "T2".into()], vec![]);
/// assert_eq!(names.thread(ThreadId(1)), "T2");
/// assert_eq!(names.find_thread("T1"), Some(ThreadId(0)));
/// assert_eq!(names.thread_ids().collect::<Vec<_>>(), [ThreadId(0), ThreadId(1)]);
/// let ov = names.intern_overlapped("ovA");
/// assert_eq!(names.overlapped(ov), "ovA");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Names {
    ports: Vec<String>,
    threads: Vec<String>,
    devices: Vec<String>,
    overlapped: Interner,
    statuses: Interner,
    labels: Interner,
}

impl Names {
    /// A table for the given ports, threads and devices (in id order).
    pub fn new(ports: Vec<String>, threads: Vec<String>, devices: Vec<String>) -> Names {
        let mut statuses = Interner::default();
        statuses.intern("success");
        statuses.intern("ERROR_OPERATION_ABORTED");
        Names {
            ports,
            threads,
            devices,
            overlapped: Interner::default(),
            statuses,
            labels: Interner::default(),
        }
    }

    /// The name of a port.
    pub fn port(&self, id: PortId) -> &str {
        self.ports
            .get(id.index())
            .map(String::as_str)
            .unwrap_or("?")
    }
    /// The name of a thread.
    pub fn thread(&self, id: ThreadId) -> &str {
        self.threads
            .get(id.index())
            .map(String::as_str)
            .unwrap_or("?")
    }
    /// The name of a device.
    pub fn device(&self, id: DeviceId) -> &str {
        self.devices
            .get(id.index())
            .map(String::as_str)
            .unwrap_or("?")
    }
    /// The label of an OVERLAPPED.
    pub fn overlapped(&self, id: OvId) -> &str {
        self.overlapped.name(id.0)
    }
    /// The name of a completion status (`"success"` or an error name).
    pub fn status(&self, id: StatusId) -> &str {
        self.statuses.name(id.0)
    }
    /// The text of a free label.
    pub fn label(&self, id: LabelId) -> &str {
        self.labels.name(id.0)
    }

    /// All port names, in id order.
    pub fn ports(&self) -> &[String] {
        &self.ports
    }
    /// All thread names, in id order.
    pub fn threads(&self) -> &[String] {
        &self.threads
    }
    /// All device names, in id order.
    pub fn devices(&self) -> &[String] {
        &self.devices
    }

    /// Every port's id, in order.
    pub fn port_ids(&self) -> Ids<PortId> {
        PortId::first(self.ports.len())
    }
    /// Every thread's id, in order.
    pub fn thread_ids(&self) -> Ids<ThreadId> {
        ThreadId::first(self.threads.len())
    }
    /// Every device's id, in order.
    pub fn device_ids(&self) -> Ids<DeviceId> {
        DeviceId::first(self.devices.len())
    }

    /// The id of the port with this name.
    pub fn find_port(&self, name: &str) -> Option<PortId> {
        let i = self.ports.iter().position(|n| n == name)?;
        Some(PortId::from_index(i))
    }
    /// The id of the thread with this name.
    pub fn find_thread(&self, name: &str) -> Option<ThreadId> {
        let i = self.threads.iter().position(|n| n == name)?;
        Some(ThreadId::from_index(i))
    }
    /// The id of the device with this name.
    pub fn find_device(&self, name: &str) -> Option<DeviceId> {
        let i = self.devices.iter().position(|n| n == name)?;
        Some(DeviceId::from_index(i))
    }
    /// The id of an OVERLAPPED label already seen, if any.
    pub fn find_overlapped(&self, label: &str) -> Option<OvId> {
        self.overlapped.get(label).map(OvId)
    }

    /// The id of an OVERLAPPED label, interning it on first use.
    pub fn intern_overlapped(&mut self, label: &str) -> OvId {
        OvId(self.overlapped.intern(label))
    }
    /// The id of a status name, interning it on first use.
    /// `"success"` is always [`StatusId::SUCCESS`].
    pub fn intern_status(&mut self, name: &str) -> StatusId {
        StatusId(self.statuses.intern(name))
    }
    /// The id of a free label, interning it on first use.
    pub fn intern_label(&mut self, text: &str) -> LabelId {
        LabelId(self.labels.intern(text))
    }
    /// How many OVERLAPPED labels have been interned.
    pub fn overlapped_count(&self) -> usize {
        self.overlapped.names.len()
    }

    /// How many free labels are interned (ids `0..label_count()`).
    pub fn label_count(&self) -> usize {
        self.labels.names.len()
    }
}
