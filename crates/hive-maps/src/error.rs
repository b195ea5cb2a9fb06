//! The one error type of the crate: every variant is one `errno` the kernel returns from a
//! map command or helper, so a `bpf()` facade converts with [`MapError::errno`] and nothing
//! else.

/// Why a map operation failed; each variant maps to exactly one kernel `errno`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum MapError {
    /// `ENOENT`: no element under that key (or index out of range on lookup), the queue is
    /// empty, `BPF_EXIST` on an absent key, the end of an iteration.
    #[doc(alias = "ENOENT")]
    #[error("ENOENT: no such element")]
    NotFound,
    /// `EEXIST`: `BPF_NOEXIST` on a present key (arrays: always, every index exists).
    #[doc(alias = "EEXIST")]
    #[error("EEXIST: element already exists")]
    Exists,
    /// `E2BIG`: the map is full, an array index is out of range, or a size is too large.
    #[doc(alias = "E2BIG")]
    #[error("E2BIG: map full, index out of range or size too large")]
    TooBig,
    /// `EINVAL`: bad flags, sizes or arguments; the text says which check failed.
    #[doc(alias = "EINVAL")]
    #[error("EINVAL: {0}")]
    Invalid(&'static str),
    /// `ENOSPC`: an LPM trie already holds `max_entries` prefixes.
    #[doc(alias = "ENOSPC")]
    #[error("ENOSPC: no space left in the map")]
    NoSpace,
    /// `ENOMEM`: storage could not be found for a new element.
    #[doc(alias = "ENOMEM")]
    #[error("ENOMEM: out of element memory")]
    NoMem,
    /// `EPERM`: the map was created read-only or write-only for this side.
    #[doc(alias = "EPERM")]
    #[error("EPERM: {0}")]
    Perm(&'static str),
    /// `EAGAIN`: try again (a full ring buffer refusing `bpf_ringbuf_output`).
    #[doc(alias = "EAGAIN")]
    #[error("EAGAIN: resource temporarily unavailable")]
    Again,
    /// `EBUSY`: the element or map is in use (e.g. a ring buffer consumer is attached).
    #[doc(alias = "EBUSY")]
    #[error("EBUSY: resource busy")]
    Busy,
    /// `ENOTSUPP` (524, kernel-internal): the map type does not implement this operation.
    #[doc(alias = "ENOTSUPP")]
    #[error("ENOTSUPP: operation not supported by this map type")]
    NotSupported,
    /// `EOPNOTSUPP` (95): the operation is not supported (bloom filter delete/iteration).
    #[doc(alias = "EOPNOTSUPP")]
    #[error("EOPNOTSUPP: operation not supported")]
    OpNotSupported,
}

/// `ENOTSUPP`, the kernel's internal "not supported" that `bpf()` nevertheless returns.
pub const ENOTSUPP: i32 = 524;

impl MapError {
    /// The positive `errno` value the kernel would return.
    pub fn errno(self) -> i32 {
        match self {
            MapError::NotFound => 2,
            MapError::Exists => 17,
            MapError::TooBig => 7,
            MapError::Invalid(_) => 22,
            MapError::NoSpace => 28,
            MapError::NoMem => 12,
            MapError::Perm(_) => 1,
            MapError::Again => 11,
            MapError::Busy => 16,
            MapError::NotSupported => ENOTSUPP,
            MapError::OpNotSupported => 95,
        }
    }

    /// The symbolic name of [`errno`](Self::errno).
    pub fn name(self) -> &'static str {
        match self {
            MapError::NotFound => "ENOENT",
            MapError::Exists => "EEXIST",
            MapError::TooBig => "E2BIG",
            MapError::Invalid(_) => "EINVAL",
            MapError::NoSpace => "ENOSPC",
            MapError::NoMem => "ENOMEM",
            MapError::Perm(_) => "EPERM",
            MapError::Again => "EAGAIN",
            MapError::Busy => "EBUSY",
            MapError::NotSupported => "ENOTSUPP",
            MapError::OpNotSupported => "EOPNOTSUPP",
        }
    }
}

/// Result of a map operation.
pub type Result<T, E = MapError> = std::result::Result<T, E>;
