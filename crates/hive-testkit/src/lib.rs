//! # hive-testkit: random programs and differential testing
//!
//! Hive's engines must compute exactly what the kernel computes. This crate produces the
//! programs to check that with and runs the comparison:
//!
//! - [`generate`] turns a `u64` seed into a program the kernel verifier accepts (privileged
//!   mode). The same seed and [`GenConfig`] always give the same program, so a failing seed
//!   is a complete bug report. Programs cover every ALU and ALU64 operation including CPU v4
//!   (`sdiv`/`smod`, `movsx`, `bswap`), immediate and register operands, shifts by in-range
//!   immediates and arbitrary registers, division and modulo by zero and `INT_MIN / -1`, every
//!   conditional jump of `jmp` and `jmp32`, `ja` and `gotol`, bounded loops, stack stores and
//!   (sign-extending) loads of every size, stack atomics of 32 and 64 bits, load-acquire and
//!   store-release of every size, `lddw` constants and bpf-to-bpf calls.
//! - The observation is engine-independent. Each program is a `BPF_PROG_TYPE_SYSCALL`
//!   program: its context is a plain writable buffer that the kernel's test run copies back.
//!   The program's epilogue stores `r0`..`r9` and its data stack into that buffer, so one
//!   [`Observation`] (`r0` plus the buffer) shows every 64-bit result, whereas a packet
//!   program's return value would show 32 bits. [`CtxLayout`] names each word for reports.
//! - [`Engine`] is what an execution engine implements; [`KernelEngine`] (feature `kernel`,
//!   on by default) is the host kernel, [`InterpEngine`] (feature `interp`) Hive's
//!   interpreter and [`JitEngine`] (feature `jit`) Hive's x86-64 JIT. [`differential`] runs a
//!   range of seeds on two engines and returns a [`Report`] with, for each mismatch, the seed,
//!   the program as hex slots (no disassembler needed), the input and both observations, word
//!   by word.
//!
//! How generated programs stay verifiable without evaluating them: the generator tracks only
//! which registers the verifier considers initialised, which registers are live loop counters,
//! and where the initialised stack lies; control flow is properly nested so every instruction
//! is reachable and joins intersect the initialised sets; budgets on branches, loops and call
//! sites bound the number of paths the verifier explores. No pointer ever reaches `r0`..`r9`
//! in the body: the context pointer lives in a stack slot the body never touches.
//!
//! The kernel is the oracle, but not an infallible one: where its verifier makes it compute
//! something RFC 9669 does not allow, the generator keeps clear of the pattern with
//! instructions that change no value, documented where they are emitted, and
//! `tests/kernel_divergences.rs` pins each divergence on a minimal program (it notes and
//! skips when the kernel computes the RFC result). So far: fetching atomics on slots the
//! verifier knows, and 32-bit `cmpxchg` whose 64-bit use the verifier only sees on a pruned
//! path (both found on Linux 6.18).
//!
//! ```
//! use hive_testkit::{GenConfig, generate};
//! let a = generate(7, &GenConfig::default());
//! assert_eq!(a, generate(7, &GenConfig::default()));
//! assert_eq!(a.ctx_len(), a.layout.len());
//! ```
// `deny`, not `forbid`: `JitEngine` (feature `jit`) allows the one call into compiled code.
#![deny(unsafe_code)]

mod diff;
mod engine;
mod generator;
pub mod mutate;
#[cfg(feature = "interp")]
mod interp;
#[cfg(feature = "jit")]
mod jit;
#[cfg(feature = "kernel")]
mod kernel;
#[cfg(feature = "interp")]
mod recording;
pub mod rng;
#[cfg(feature = "verifier")]
pub mod verdicts;

pub use diff::{MAX_KEPT, Mismatch, Report, differences, differential, differential_chunked, differential_with};
pub use engine::{Engine, FnEngine, Observation};
pub use generator::{CtxLayout, GenConfig, GeneratedProgram, generate};
pub use mutate::{Mutation, mutate};
#[cfg(feature = "interp")]
pub use interp::InterpEngine;
#[cfg(feature = "interp")]
pub use recording::RecordingHelpers;
#[cfg(feature = "jit")]
pub use jit::JitEngine;
#[cfg(feature = "kernel")]
pub use kernel::{KernelEngine, OracleError, observe, observe_with};
