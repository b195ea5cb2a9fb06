//! Errors: the failed command and its `errno`, or the verifier's rejection with its log.

use std::fmt;

/// An `errno` value as returned by the kernel.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

impl Errno {
    /// The symbolic name for the values `bpf()` commonly returns (`None` for others).
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            libc::EPERM => "EPERM",
            libc::ENOENT => "ENOENT",
            libc::E2BIG => "E2BIG",
            libc::EBADF => "EBADF",
            libc::EAGAIN => "EAGAIN",
            libc::ENOMEM => "ENOMEM",
            libc::EACCES => "EACCES",
            libc::EFAULT => "EFAULT",
            libc::EBUSY => "EBUSY",
            libc::EEXIST => "EEXIST",
            libc::EINVAL => "EINVAL",
            libc::ENOSPC => "ENOSPC",
            libc::ERANGE => "ERANGE",
            libc::ENOSYS => "ENOSYS",
            libc::ELOOP => "ELOOP",
            libc::EOPNOTSUPP => "EOPNOTSUPP",
            524 => "ENOTSUPP",
            _ => return None,
        })
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = std::io::Error::from_raw_os_error(self.0);
        match self.name() {
            Some(name) => write!(f, "{name}: {text}"),
            None => write!(f, "errno {}: {text}", self.0),
        }
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name}"),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

/// A `bpf()` command (other than a program load) failed, or was refused before the call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// The kernel returned an error.
    #[error("bpf({cmd}) failed with {errno}")]
    Sys {
        /// The command, spelled as in `linux/bpf.h`.
        cmd: &'static str,
        /// What the kernel returned.
        errno: Errno,
    },
    /// The arguments cannot be passed to the kernel (checked before calling it).
    #[error("invalid argument: {0}")]
    Invalid(String),
}

impl KernelError {
    /// The kernel's `errno`, if the kernel was called.
    pub fn errno(&self) -> Option<i32> {
        match self {
            KernelError::Sys { errno, .. } => Some(errno.0),
            KernelError::Invalid(_) => None,
        }
    }

    pub(crate) fn sys(cmd: crate::sys::Cmd, errno: i32) -> Self {
        KernelError::Sys { cmd: cmd.name(), errno: Errno(errno) }
    }
}

/// `BPF_PROG_LOAD` failed: usually the verifier rejected the program, and `log` says why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bpf(BPF_PROG_LOAD) failed with {}{}{}", Errno(*.errno), if .log.is_empty() { "" } else { "; verifier log:\n" }, .log)]
pub struct LoadError {
    /// What the kernel returned (`EACCES` or `EINVAL` for a rejected program).
    pub errno: i32,
    /// The verifier log (empty when the kernel wrote none).
    pub log: String,
}

impl LoadError {
    /// The last non-empty line before the verifier's statistics: usually the reason.
    pub fn reason(&self) -> &str {
        self.log
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| {
                !l.is_empty()
                    && !l.starts_with("processed ")
                    && !l.starts_with("verification time")
                    && !l.starts_with("stack depth")
                    && !l.starts_with("-- END PROG LOAD LOG --")
            })
            .unwrap_or("")
    }
}
