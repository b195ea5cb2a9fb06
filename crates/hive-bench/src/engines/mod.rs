//! The engines a program runs on, behind one trait.
//!
//! Every engine owns its own copy of the input and its own maps, so that engines never see
//! each other's writes; [`Engine::run_once`] on a fresh engine gives the value the
//! cross-check compares, [`Engine::run_batch`] times `n` back-to-back runs.
//!
//! How each engine's time is taken:
//! - kernel: `BPF_PROG_TEST_RUN` with `repeat = n`; the kernel's own `duration` (mean ns
//!   per run of its loop, which calls the program through the XDP dispatcher and checks
//!   for rescheduling between runs), without the system call around it.
//! - Hive JIT and interpreter, rbpf: a tight Rust loop of `n` calls on the same input,
//!   timed as a whole with the thread's CPU time ([`crate::clock`]: like the kernel's
//!   timer, it leaves out time the thread was preempted); setup such as building the
//!   `Memory` or compiling is outside. Each call includes the engine's own per-run work
//!   (Hive's JIT zeroes the 512-byte frame and builds its run environment; rbpf's
//!   interpreter allocates its stack), as the kernel's figure includes its loop's.

mod hive;
mod kernel;
mod rbpf;

pub use hive::{HiveEngine, HiveMode, jit_options};
pub use kernel::KernelEngine;
pub use rbpf::{RbpfEngine, RbpfMode};

use crate::BenchError;

/// One way of running one program.
pub trait Engine {
    /// Its name in reports (`hive-jit`, `kernel`, ...).
    fn name(&self) -> &'static str;
    /// Runs the program once; returns `r0` (the kernel reports only its low 32 bits).
    fn run_once(&mut self) -> Result<u64, BenchError>;
    /// Runs it `n` times back to back; returns the mean nanoseconds per run.
    fn run_batch(&mut self, n: u32) -> Result<f64, BenchError>;
    /// Bytes of machine code, for JITs that say (Hive's JIT, the kernel's `jited_len`).
    fn code_bytes(&self) -> Option<usize> {
        None
    }
}
