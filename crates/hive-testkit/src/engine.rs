//! Engines: anything that can run a [`GeneratedProgram`] and report what it observed.

use crate::generator::GeneratedProgram;

/// What one run of a generated program shows: the 64-bit `r0` at exit and the context after
/// the run (which holds `r0`..`r9` and the data stack, see [`crate::CtxLayout`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// The full 64-bit return value.
    pub r0: u64,
    /// The context buffer after the run, as long as `ctx_in`.
    pub ctx_out: Vec<u8>,
    /// The helper calls the program made, `(id, [r1, .., r5])`, for engines that record
    /// them (Hive's, with [`crate::RecordingHelpers`]); empty otherwise.
    pub calls: Vec<(i32, [u64; 5])>,
}

/// Something that executes eBPF: the host kernel, Hive's interpreter, Hive's JIT.
///
/// Contract: run `prog.raw` (or `prog.insns`) as a `BPF_PROG_TYPE_SYSCALL` program whose `r1`
/// points to a private writable copy of `prog.ctx_in`, with a 512-byte stack per frame, and
/// return the final 64-bit `r0` and the buffer. `Err` means the engine refused or failed to
/// run the program (for the kernel: a verifier rejection, which is a generator bug).
pub trait Engine {
    /// Runs one program.
    fn run(&mut self, prog: &GeneratedProgram) -> Result<Observation, String>;

    /// A short name for reports.
    fn name(&self) -> &str {
        "engine"
    }
}

/// An [`Engine`] made from a closure, for tests and quick adapters.
pub struct FnEngine<F> {
    name: String,
    f: F,
}

impl<F> FnEngine<F>
where
    F: FnMut(&GeneratedProgram) -> Result<Observation, String>,
{
    /// Wraps `f` under `name`.
    pub fn new(name: impl Into<String>, f: F) -> Self {
        FnEngine { name: name.into(), f }
    }
}

impl<F> std::fmt::Debug for FnEngine<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FnEngine").field("name", &self.name).finish_non_exhaustive()
    }
}

impl<F> Engine for FnEngine<F>
where
    F: FnMut(&GeneratedProgram) -> Result<Observation, String>,
{
    fn run(&mut self, prog: &GeneratedProgram) -> Result<Observation, String> {
        (self.f)(prog)
    }

    fn name(&self) -> &str {
        &self.name
    }
}
