//! The crate's only `unsafe` code: a few libc calls about the current thread and clocks, and
//! `process_vm_readv` on this very process, which is how the probe-read helpers read
//! arbitrary host memory without ever dereferencing a wild pointer: the kernel copies the
//! bytes and answers `EFAULT` for an unmapped address instead of the process crashing.
//!
//! Audit notes, per call:
//! - `clock_gettime`, `getpid`, `gettid`, `getuid`, `getgid`: write only into a local
//!   `timespec` or return plain integers.
//! - `prctl(PR_GET_NAME)`: the kernel writes at most 16 bytes (`TASK_COMM_LEN`) into the
//!   16-byte local buffer given.
//! - `process_vm_readv`: the local iovec describes a live `&mut [u8]` of exactly its length;
//!   the remote iovec is an arbitrary address that the kernel validates (it is never touched
//!   by this process directly).
#![allow(unsafe_code)]

/// The clocks the time helpers read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clock {
    /// `CLOCK_MONOTONIC` (`bpf_ktime_get_ns`).
    Monotonic,
    /// `CLOCK_BOOTTIME` (`bpf_ktime_get_boot_ns`).
    Boottime,
    /// `CLOCK_MONOTONIC_COARSE` (`bpf_ktime_get_coarse_ns`).
    MonotonicCoarse,
}

/// The clock's value in nanoseconds.
pub(crate) fn clock_ns(clock: Clock) -> u64 {
    let id = match clock {
        Clock::Monotonic => libc::CLOCK_MONOTONIC,
        Clock::Boottime => libc::CLOCK_BOOTTIME,
        Clock::MonotonicCoarse => libc::CLOCK_MONOTONIC_COARSE,
    };
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock ids are supported on Linux.
    let rc = unsafe { libc::clock_gettime(id, &mut ts) };
    if rc != 0 {
        return 0;
    }
    (ts.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64)
}

/// Process id (the kernel's tgid).
pub(crate) fn getpid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::getpid() as u32 }
}

/// Thread id (the kernel's pid).
pub(crate) fn gettid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::gettid() as u32 }
}

/// Real user id.
pub(crate) fn getuid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::getuid() }
}

/// Real group id.
pub(crate) fn getgid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::getgid() }
}

/// The calling thread's name (`comm`), at most 15 bytes.
pub(crate) fn thread_comm() -> Vec<u8> {
    let mut buf = [0u8; 16];
    // SAFETY: PR_GET_NAME writes at most 16 bytes, NUL included, into `buf`.
    let rc = unsafe { libc::prctl(libc::PR_GET_NAME, buf.as_mut_ptr() as libc::c_ulong, 0, 0, 0) };
    if rc != 0 {
        return Vec::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(15);
    buf[..end].to_vec()
}

/// Copies `out.len()` bytes of this process's memory at `addr` into `out`; `false` (and
/// `out` untouched or partly written) when any byte is not readable.
pub(crate) fn read_host(addr: u64, out: &mut [u8]) -> bool {
    if out.is_empty() {
        return true;
    }
    if addr.checked_add(out.len() as u64).is_none() {
        return false;
    }
    let local = libc::iovec { iov_base: out.as_mut_ptr().cast(), iov_len: out.len() };
    let remote = libc::iovec { iov_base: addr as *mut libc::c_void, iov_len: out.len() };
    // SAFETY: `local` describes `out`, which is live and exclusively borrowed for the call;
    // `remote` is only read by the kernel on our behalf, which validates it.
    let n = unsafe { libc::process_vm_readv(libc::getpid(), &local, 1, &remote, 1, 0) };
    n == out.len() as isize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_memory_and_refuses_wild_addresses() {
        let src = *b"hive memory";
        let mut out = [0u8; 11];
        assert!(read_host(src.as_ptr() as u64, &mut out));
        assert_eq!(&out, b"hive memory");
        assert!(!read_host(8, &mut out), "the zero page is never mapped");
        assert!(!read_host(u64::MAX - 4, &mut out));
        assert!(clock_ns(Clock::Boottime) >= clock_ns(Clock::Monotonic) / 2);
        assert!(getpid() > 0 && gettid() > 0);
    }
}
