//! # hive-kernel: the host kernel as an oracle
//!
//! Hive reimplements the BPF subsystem in user space; the real one in the host kernel is the
//! reference it is checked against. This crate is the single place where Hive calls the real
//! `bpf()` system call, and it offers only what differential tests and side-by-side benchmarks
//! need: load a program (with the verifier log, and optionally its BTF, func info and line
//! info), test-run it, read back the instructions the kernel rewrote, drive small maps, and
//! load BTF ([`BtfFd`]).
//!
//! Design:
//! - All `unsafe` code lives in the private `sys` module: `#[repr(C)]` attribute blocks laid
//!   out as in `linux/bpf.h` (checked by compile-time size and offset assertions) and one safe
//!   wrapper per command that only ever hands the kernel pointers into borrowed Rust slices
//!   with their true lengths. Every other module is safe code.
//! - Every descriptor is an [`OwnedFd`](std::os::fd::OwnedFd) inside [`ProgFd`], [`MapFd`] or [`BtfFd`],
//!   so it is closed exactly once, on drop.
//! - Nothing is attached or pinned: the crate can load and test-run, never hook into the
//!   running system (see `shared/docs/kernel-oracle.md`).
//! - Tests that need the kernel call [`available`] first and skip with a printed reason when
//!   `bpf()` is not permitted (`EPERM`) or not built in (`ENOSYS`), so the workspace still
//!   passes on machines without the capability.
//!
//! Per-type quirks the kernel imposes are absorbed here, not in callers: syscall programs are
//! loaded with `BPF_F_SLEEPABLE` (the kernel refuses them otherwise) and their test run copies
//! the context back into the input buffer, which [`ProgFd::test_run`] returns as `ctx_out`;
//! raw_tracepoint and syscall test runs execute exactly once (`repeat` must be 0 or 1).
//!
//! What the host kernel (6.18) does that a reimplementation might not expect, as observed
//! through this crate:
//! - `BPF_PROG_TYPE_SYSCALL` without `BPF_F_SLEEPABLE` fails with `EINVAL` and the log
//!   "Syscall programs can only be sleepable". Its test run rejects `data_in`, `data_out`,
//!   `ctx_out` and `repeat` (`EINVAL`), writes the context back into `ctx_in`, and rejects a
//!   context shorter than the largest offset the program accesses or longer than 65535 bytes.
//!   Context accesses must be aligned to their size ("invalid bpf_context access off=2
//!   size=4"); sign-extending loads from the context are accepted.
//! - `retval` is the low 32 bits of `r0` for every type (an XDP program returning `-1` in 64 bits
//!   reports `0xffffffff`).
//! - Packet types need at least 14 bytes of `data_in` (`EINVAL` below); raw_tracepoint contexts
//!   are at most 12 arguments (96 bytes).
//! - A privileged verifier accepts reads of uninitialised stack, which then return stale
//!   bytes: deterministic tests must initialise every slot they read. Stack accesses must be
//!   naturally aligned ("misaligned stack access"), immediate shifts must be below the width
//!   ("invalid shift 64"), and division by an immediate zero is refused ("div by zero").
//! - The instructions the kernel runs (`ProgFd::info().xlated`) differ from those loaded:
//!   a division or modulo by a register gets a zero guard (`if src != 0`, else `w_dst ^= w_dst`
//!   for division or keep/zero-extend `dst` for modulo), `sdiv`/`smod` by a register get a
//!   `-1` guard through the hidden register `r11` (`AX`), branches whose outcome the verifier
//!   knows are hard-wired and the dead side is removed.
//!
//! ```no_run
//! use hive_isa::RawInsn;
//! use hive_kernel::{ProgType, prog_load};
//! // r0 = 42; exit
//! let insns = [RawInsn::new(0xb7, 0, 0, 0, 42), RawInsn::new(0x95, 0, 0, 0, 0)];
//! let prog = prog_load(ProgType::Syscall, &insns, "GPL", 0)?;
//! assert_eq!(prog.test_run(&[], Some(&[0; 8]), 1)?.retval, 42);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(unsafe_code)]

mod error;
mod map;
mod prog;
#[allow(unsafe_code)]
mod sys;

use std::sync::OnceLock;

use hive_isa::RawInsn;

pub use error::{Errno, KernelError, LoadError};
pub use map::{BPF_ANY, BPF_EXIST, BPF_NOEXIST, MapFd, MapSpec, MapType, possible_cpus};
pub use prog::{BtfFd, FuncInfo, LineInfo, LoadOptions, ProgFd, ProgInfo, ProgType, TestRunResult, load, prog_load};

/// Whether this process can load and test-run BPF programs in the host kernel.
///
/// Loads `r0 = 0; exit` as a socket filter once per process and caches the answer. `Err`
/// carries a sentence suitable for a "skipping: ..." note (`EPERM`: not privileged, `ENOSYS`:
/// kernel built without BPF, or whatever else went wrong).
pub fn available() -> Result<(), String> {
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            let insns = [RawInsn::new(0xb7, 0, 0, 0, 0), RawInsn::new(0x95, 0, 0, 0, 0)];
            match prog_load(ProgType::SocketFilter, &insns, "GPL", 0) {
                Ok(_) => Ok(()),
                Err(e) if e.errno == libc::EPERM => {
                    Err("bpf() is not permitted here (EPERM: needs CAP_BPF or root)".to_string())
                }
                Err(e) if e.errno == libc::ENOSYS => {
                    Err("this kernel has no bpf() system call (ENOSYS)".to_string())
                }
                Err(e) => Err(format!("bpf() probe failed: {e}")),
            }
        })
        .clone()
}

#[cfg(test)]
mod tests;
