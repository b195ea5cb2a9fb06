//! Hive's reference interpreter as an [`Engine`].

use hive_interp::{Memory, Options, RegionKind, Vm};
use hive_isa::Code;

use crate::engine::{Engine, Observation};
use crate::generator::GeneratedProgram;
use crate::recording::RecordingHelpers;

/// Runs generated programs in [`hive_interp`] with the kernel interpreter's register
/// semantics; the context is a private writable copy of `ctx_in`, as the kernel's syscall
/// test run gives, and helper calls go to [`RecordingHelpers`].
#[derive(Debug, Default)]
pub struct InterpEngine {
    /// Programs run to their `exit`.
    pub runs: u64,
    /// Instructions executed over all runs.
    pub insns: u64,
}

impl InterpEngine {
    /// A fresh engine.
    pub fn new() -> Self {
        InterpEngine::default()
    }
}

impl Engine for InterpEngine {
    fn run(&mut self, prog: &GeneratedProgram) -> Result<Observation, String> {
        let code = Code::decode(&prog.raw).map_err(|e| format!("decode: {e}"))?;
        code.check_layout().map_err(|e| format!("layout: {e}"))?;
        let mut ctx = prog.ctx_in.clone();
        let mut mem = Memory::new();
        let addr = mem.add_region(RegionKind::Context, &mut ctx);
        let mut vm = Vm::new(&code, Options::default());
        let mut helpers = RecordingHelpers::default();
        let r0 = vm.run(&mut mem, &mut helpers, [addr, 0, 0, 0, 0]).map_err(|f| f.to_string())?;
        drop(mem);
        self.runs += 1;
        self.insns += vm.stats().insns;
        Ok(Observation { r0, ctx_out: ctx, calls: helpers.calls })
    }

    fn name(&self) -> &str {
        "hive-interp"
    }
}
