//! Hive's x86-64 JIT as an [`Engine`].

use std::time::{Duration, Instant};

use hive_interp::{Memory, Options, RegionKind, Vm};
use hive_isa::Code;
use hive_jit::{JitOptions, KnownReg, Natives, compile_with};

use crate::engine::{Engine, Observation};
use crate::generator::GeneratedProgram;
use crate::recording::RecordingHelpers;

/// Compiles generated programs with [`hive_jit`] and runs them on a private writable copy of
/// `ctx_in`, as [`crate::InterpEngine`] does.
///
/// Compiled code checks nothing at run time, so a program must be safe before it runs. By
/// default ([`JitEngine::new`]) the checked interpreter first runs it on the same input,
/// standing in for the verifier, and a program it refuses is reported as an error without
/// being run. [`JitEngine::trusting`] skips that for programs that are safe by construction,
/// such as [`crate::generate`]'s.
#[derive(Debug)]
pub struct JitEngine {
    options: JitOptions,
    checked: bool,
    /// Compile with what Hive's verifier proved at block starts ([`Self::with_verifier_facts`]).
    facts: bool,
    /// Programs compiled with verifier facts.
    pub with_facts: u64,
    /// Programs run to their `exit`.
    pub runs: u64,
    /// BPF instruction slots compiled.
    pub slots: u64,
    /// Bytes of machine code produced.
    pub code_bytes: u64,
    /// Time spent compiling (analysis, code generation and executable memory).
    pub compile_time: Duration,
}

impl Default for JitEngine {
    fn default() -> Self {
        JitEngine::new()
    }
}

impl JitEngine {
    /// An engine that checks each program with the interpreter before running it.
    pub fn new() -> Self {
        JitEngine {
            options: JitOptions::default(),
            checked: true,
            facts: false,
            with_facts: 0,
            runs: 0,
            slots: 0,
            code_bytes: 0,
            compile_time: Duration::ZERO,
        }
    }

    /// An engine that runs programs without checking them first.
    ///
    /// # Safety
    ///
    /// Every program given to [`Engine::run`] must satisfy [`hive_jit::JitProgram::run`]'s
    /// contract on its own context: touch only the context and its stack, and terminate.
    /// Programs from [`crate::generate`] do: the kernel verifier accepts every one of them
    /// (`tests/kernel.rs` checks it against the host kernel).
    #[allow(unsafe_code)]
    pub unsafe fn trusting() -> Self {
        JitEngine { checked: false, ..JitEngine::new() }
    }

    /// Compile with these options instead of the defaults.
    pub fn with_options(mut self, options: JitOptions) -> Self {
        self.options = options;
        self
    }

    /// Verify each program with Hive's verifier (as a syscall program, privileged) and,
    /// when it proves it safe, compile it with the verifier's facts at block starts
    /// ([`hive_jit::Natives::block_entry`]), as the runtime does: a wrong fact shows as a
    /// difference from the interpreter.
    #[cfg(feature = "verifier")]
    pub fn with_verifier_facts(mut self) -> Self {
        self.facts = true;
        self
    }

    /// The verifier's block facts for `raw`, when it proves the program safe.
    #[cfg(feature = "verifier")]
    fn natives(&self, raw: &[hive_isa::RawInsn]) -> Option<Natives<RecordingHelpers>> {
        use hive_platform::prog::ProgType;
        use hive_verifier::{ProgramEnv, VerifyOptions, verify_program};
        if !self.facts {
            return None;
        }
        let v = verify_program(raw, &ProgramEnv::new(ProgType::Syscall), &VerifyOptions::privileged()).ok()?;
        let mut natives = Natives::new();
        for (pc, regs) in v.facts.iter().filter(|_| v.is_safety_proof()) {
            natives.block_entry(pc, regs.map(|r| KnownReg { value: r.value, mask: r.mask, nonzero: r.nonzero, nonzero32: r.nonzero32 }));
        }
        Some(natives)
    }

    #[cfg(not(feature = "verifier"))]
    fn natives(&self, _: &[hive_isa::RawInsn]) -> Option<Natives<RecordingHelpers>> {
        None
    }
}

impl Engine for JitEngine {
    fn run(&mut self, prog: &GeneratedProgram) -> Result<Observation, String> {
        let code = Code::decode(&prog.raw).map_err(|e| format!("decode: {e}"))?;
        if self.checked {
            let mut ctx = prog.ctx_in.clone();
            let mut mem = Memory::new();
            let addr = mem.add_region(RegionKind::Context, &mut ctx);
            Vm::new(&code, Options::default())
                .run(&mut mem, &mut RecordingHelpers::default(), [addr, 0, 0, 0, 0])
                .map_err(|f| format!("refused by the interpreter standing in for the verifier: {f}"))?;
        }
        let natives = self.natives(&prog.raw);
        self.with_facts += u64::from(natives.is_some());
        let started = Instant::now();
        let jit = compile_with(&code, &self.options, &natives.unwrap_or_default()).map_err(|e| format!("jit: {e}"))?;
        self.compile_time += started.elapsed();
        self.slots += code.len() as u64;
        self.code_bytes += jit.machine_code().len() as u64;
        let mut ctx = prog.ctx_in.clone();
        let mut mem = Memory::new();
        let addr = mem.add_region(RegionKind::Context, &mut ctx);
        let mut helpers = RecordingHelpers::default();
        // SAFETY: either the checked interpreter just ran this program on an identical context
        // without a fault, or the engine was made with `trusting`, whose caller vouches for
        // the program; both mean it touches only its context and stack, and terminates.
        #[allow(unsafe_code)]
        let r0 = unsafe { jit.run(&mut mem, &mut helpers, [addr, 0, 0, 0, 0]) }.map_err(|f| f.to_string())?;
        drop(mem);
        self.runs += 1;
        Ok(Observation { r0, ctx_out: ctx, calls: helpers.calls })
    }

    fn name(&self) -> &str {
        "hive-jit"
    }
}
