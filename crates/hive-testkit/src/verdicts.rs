//! Hive's verifier against the kernel's and against execution (feature `verifier`).
//!
//! For one program, [`judge`] asks three questions:
//!
//! 1. Does Hive's verifier accept it (privileged, as a `BPF_PROG_TYPE_SYSCALL` program)?
//! 2. Does the kernel's (when one is given)?
//! 3. If Hive accepts it, does it run without a fault in the checked interpreter, in strict
//!    mode (uninitialised registers fault too)? Every access is checked there, so an accepted
//!    program that faults is a soundness bug in the verifier, whatever the kernel says.
//!
//! The context of a syscall program is a buffer the caller sizes; the kernel's verifier only
//! requires context offsets below 65535, so the interpreter gives the program a context of
//! that size holding `ctx_in` at its start.

use hive_interp::{Memory, NoHelpers, Options, RegionKind, Vm};
use hive_isa::Code;
use hive_platform::prog::ProgType;
use hive_verifier::{ProgramEnv, VerifyOptions, verify_program};

use crate::generator::GeneratedProgram;

/// Size of the context the interpreter gives a syscall program.
pub const SYSCALL_CTX_LIMIT: usize = 65536 + 8;

/// What the verifiers and the checked run said of one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    /// Hive's verdict: `Ok(processed instructions)`-like message or the rejection message.
    pub hive: Result<(), String>,
    /// Whether Hive's acceptance claims full safety (not only control flow).
    pub hive_is_proof: bool,
    /// The kernel's verdict, if asked: `Err` holds its reason line.
    pub kernel: Option<Result<(), String>>,
    /// For a program Hive accepts: the checked interpreter's fault, if any.
    pub fault: Option<String>,
}

/// How a judgement classifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// Both accept.
    AgreeAccept,
    /// Both reject.
    AgreeReject,
    /// Hive accepts what the kernel rejects.
    FalseAccept,
    /// Hive rejects what the kernel accepts.
    FalseReject,
    /// No kernel verdict.
    NoKernel,
}

impl Judgement {
    /// The agreement class.
    pub fn class(&self) -> Class {
        match (&self.hive, &self.kernel) {
            (_, None) => Class::NoKernel,
            (Ok(()), Some(Ok(()))) => Class::AgreeAccept,
            (Err(_), Some(Err(_))) => Class::AgreeReject,
            (Ok(()), Some(Err(_))) => Class::FalseAccept,
            (Err(_), Some(Ok(()))) => Class::FalseReject,
        }
    }

    /// Hive proved the program safe and it faulted anyway.
    pub fn unsound(&self) -> bool {
        self.hive.is_ok() && self.hive_is_proof && self.fault.is_some()
    }
}

/// A second verifier's verdict on a program: `Err` holds its reason.
pub type OtherVerifier<'a> = &'a dyn Fn(&GeneratedProgram) -> Result<(), String>;

/// Judges `prog` (see the module documentation); `kernel` gives the kernel's verdict.
pub fn judge(prog: &GeneratedProgram, kernel: Option<OtherVerifier<'_>>) -> Judgement {
    let env = ProgramEnv::new(ProgType::Syscall);
    let (hive, hive_is_proof) = match verify_program(&prog.raw, &env, &VerifyOptions::privileged()) {
        Ok(v) => (Ok(()), v.is_safety_proof()),
        Err(r) => (Err(r.to_string()), false),
    };
    let fault = if hive.is_ok() { checked_run(prog).err() } else { None };
    Judgement { hive, hive_is_proof, kernel: kernel.map(|k| k(prog)), fault }
}

/// Runs `prog` in the strict checked interpreter on a [`SYSCALL_CTX_LIMIT`]-byte context.
pub fn checked_run(prog: &GeneratedProgram) -> Result<u64, String> {
    let code = Code::decode(&prog.raw).map_err(|e| format!("decode: {e}"))?;
    code.check_layout().map_err(|e| format!("layout: {e}"))?;
    let mut ctx = vec![0u8; SYSCALL_CTX_LIMIT];
    ctx[..prog.ctx_in.len()].copy_from_slice(&prog.ctx_in);
    let mut mem = Memory::new();
    let addr = mem.add_region(RegionKind::Context, &mut ctx);
    let mut vm = Vm::new(&code, Options { strict: true, ..Options::default() });
    vm.run(&mut mem, &mut NoHelpers, [addr, 0, 0, 0, 0]).map_err(|f| f.to_string())
}

/// The kernel's verdict on `prog` as a syscall program (feature `kernel`).
#[cfg(feature = "kernel")]
pub fn kernel_verdict(prog: &GeneratedProgram) -> Result<(), String> {
    use hive_kernel::{LoadOptions, ProgType as KProgType};
    let opts = LoadOptions { name: "hive_verdict", ..LoadOptions::new(KProgType::Syscall) };
    hive_kernel::load(&opts, &prog.raw).map(drop).map_err(|e| e.reason().to_string())
}
