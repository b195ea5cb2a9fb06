//! The crate's one error type. Every variant maps to the `errno` the kernel's `bpf()` would
//! return for the same refusal ([`Error::errno`]), so a syscall-style facade needs nothing
//! else; the text says which check failed, in the kernel's words where it has some.

use hive_maps::MapError;

use crate::ids::Fd;

/// `ENOTSUPP` (524): the kernel-internal "not supported" that `bpf()` nevertheless returns.
pub const ENOTSUPP: i32 = 524;

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// `EBADF`: the descriptor is not open in this client, or names another kind of object.
    #[error("EBADF: {0}")]
    BadFd(String),
    /// `EINVAL`: bad attributes or arguments.
    #[error("EINVAL: {0}")]
    Invalid(String),
    /// A map operation failed with the map's own errno.
    #[error(transparent)]
    Map(#[from] MapError),
    /// `BPF_PROG_LOAD` refused the program: errno, the first message and the whole log.
    #[error("{}: {message}", errno_name(*errno))]
    Load {
        /// The errno (`EINVAL`, `EACCES`, `EBADF`, `E2BIG`, `EOPNOTSUPP`...).
        errno: i32,
        /// What went wrong, in the kernel's words where it has some.
        message: String,
        /// The load log up to the refusal (what `log_buf` receives).
        log: String,
    },
    /// `ENOENT`: no such id, no next id, no such element.
    #[error("ENOENT: {0}")]
    NotFound(&'static str),
    /// `E2BIG`: too many instructions, a too large context, a non-zero tail.
    #[error("E2BIG: {0}")]
    TooBig(&'static str),
    /// `ENOSPC`: an output buffer is too small (the data was truncated).
    #[error("ENOSPC: {0}")]
    NoSpace(&'static str),
    /// `ENOTSUPP`: the program type or command has no such operation.
    #[error("ENOTSUPP: {0}")]
    NotSupported(&'static str),
    /// `EOPNOTSUPP`: Hive does not implement this yet.
    #[error("EOPNOTSUPP: {0}")]
    Unsupported(&'static str),
    /// `EPERM`: not allowed.
    #[error("EPERM: {0}")]
    Perm(&'static str),
    /// `ENODEV`: no such network device (Hive only knows the loopback device, ifindex 1).
    #[error("ENODEV: no device with ifindex {0}")]
    NoDevice(u32),
    /// `EMSGSIZE`: the input is larger than the buffer the program gets.
    #[error("EMSGSIZE: {0}")]
    MsgSize(&'static str),
    /// `EFAULT`: the program faulted in the checked interpreter (something the verifier
    /// would have refused); the fault names the instruction.
    #[error("EFAULT: program fault: {0}")]
    Fault(Box<hive_interp::Fault>),
}

impl Error {
    /// The positive `errno` the kernel returns for this failure.
    pub fn errno(&self) -> i32 {
        match self {
            Error::BadFd(_) => libc::EBADF,
            Error::Invalid(_) => libc::EINVAL,
            Error::Map(e) => e.errno(),
            Error::Load { errno, .. } => *errno,
            Error::NotFound(_) => libc::ENOENT,
            Error::TooBig(_) => libc::E2BIG,
            Error::NoSpace(_) => libc::ENOSPC,
            Error::NotSupported(_) => ENOTSUPP,
            Error::Unsupported(_) => libc::EOPNOTSUPP,
            Error::Perm(_) => libc::EPERM,
            Error::NoDevice(_) => libc::ENODEV,
            Error::MsgSize(_) => libc::EMSGSIZE,
            Error::Fault(_) => libc::EFAULT,
        }
    }

    /// The load log of a refused `BPF_PROG_LOAD` (empty otherwise).
    pub fn log(&self) -> &str {
        match self {
            Error::Load { log, .. } => log,
            _ => "",
        }
    }

    pub(crate) fn bad_fd(fd: Fd, what: &str) -> Error {
        Error::BadFd(format!("fd {} is not {what}", fd.0))
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Error {
        Error::Invalid(msg.into())
    }
}

/// The symbolic name of an errno Hive uses.
pub fn errno_name(errno: i32) -> &'static str {
    match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::E2BIG => "E2BIG",
        libc::EBADF => "EBADF",
        libc::EFAULT => "EFAULT",
        libc::EACCES => "EACCES",
        libc::EINVAL => "EINVAL",
        libc::ENOSPC => "ENOSPC",
        libc::ENODEV => "ENODEV",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        ENOTSUPP => "ENOTSUPP",
        _ => "E?",
    }
}

/// Result of a runtime command.
pub type Result<T, E = Error> = std::result::Result<T, E>;
