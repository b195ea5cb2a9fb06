//! Newtypes for the index spaces of the object model: per-client descriptors ([`Fd`]) and
//! global, never reused ids ([`ProgId`], [`MapId`], [`BtfId`]).

use std::fmt;

/// A descriptor: a per-[`Client`](crate::Client) handle on an object, like a file descriptor
/// in one process. Numbers start at 3 (as if 0-2 were stdio) and the lowest free number is
/// reused first, as the kernel does.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fd(pub u32);

macro_rules! id {
    ($(#[$m:meta])* $name:ident, $what:literal) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub u32);

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($what, "#{}"), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id!(
    /// A program's global id (`bpf_prog_info.id`), unique for the runtime's lifetime.
    ProgId, "prog"
);
id!(
    /// A map's global id (`bpf_map_info.id`).
    MapId, "map"
);
id!(
    /// A BTF object's global id (`bpf_btf_info.id`).
    BtfId, "btf"
);

impl fmt::Debug for Fd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fd{}", self.0)
    }
}

impl fmt::Display for Fd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
