//! What verification returns: the options it runs under, a rejection (a value, with the
//! kernel's wording) or the verified program.

use hive_isa::Code;

use crate::cfg::Cfg;
use crate::log::LogLevel;

/// `BPF_MAXINSNS`: the most instructions an unprivileged program may have.
#[doc(alias = "BPF_MAXINSNS")]
pub const MAX_INSNS_UNPRIVILEGED: usize = 4096;

/// `BPF_COMPLEXITY_LIMIT_INSNS`: the most instructions a privileged program may have (and,
/// later, the most the verifier will process).
#[doc(alias = "BPF_COMPLEXITY_LIMIT_INSNS")]
pub const MAX_INSNS_PRIVILEGED: usize = 1_000_000;

/// `BPF_MAX_SUBPROGS`.
pub const MAX_SUBPROGS: usize = 256;

/// How to verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VerifyOptions {
    /// The loader holds `CAP_BPF` (the kernel's `bpf_capable`): bounded loops (back-edges),
    /// bpf-to-bpf calls and kfuncs are allowed and the size limit is
    /// [`MAX_INSNS_PRIVILEGED`] rather than [`MAX_INSNS_UNPRIVILEGED`].
    pub privileged: bool,
    /// How much the log says.
    pub log_level: LogLevel,
}

impl VerifyOptions {
    /// Privileged loading, the log at level 1.
    pub const fn privileged() -> Self {
        VerifyOptions { privileged: true, log_level: LogLevel::Basic }
    }

    /// Unprivileged loading (no loops, no calls, 4096 instructions), the log at level 1.
    pub const fn unprivileged() -> Self {
        VerifyOptions { privileged: false, log_level: LogLevel::Basic }
    }

    /// The same options with another log level.
    pub const fn with_log_level(self, log_level: LogLevel) -> Self {
        VerifyOptions { log_level, ..self }
    }

    /// The instruction limit at load.
    pub const fn max_insns(&self) -> usize {
        if self.privileged { MAX_INSNS_PRIVILEGED } else { MAX_INSNS_UNPRIVILEGED }
    }
}

impl Default for VerifyOptions {
    /// [`VerifyOptions::privileged`]: Hive loads programs for the user who runs it.
    fn default() -> Self {
        VerifyOptions::privileged()
    }
}

/// Why a program was refused: a stable code for tests and tools. The kernel's words are in
/// [`Rejection::message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectKind {
    /// No instruction at all (the kernel's `E2BIG` at load, without a log line).
    Empty,
    /// More instructions than [`VerifyOptions::max_insns`] (`E2BIG`, no log line).
    TooLarge,
    /// An unprivileged program calls a subprogram or a kfunc, or loads a function pointer.
    CallsNotAllowed,
    /// `call to invalid destination`.
    InvalidCallTarget,
    /// More than [`MAX_SUBPROGS`] subprograms.
    TooManySubprogs,
    /// `jump out of range from insn X to Y`: a jump leaves its subprogram or the program.
    JumpOutOfRange,
    /// `last insn is not an exit or jmp`: a subprogram can fall off its end.
    LastInsnNotExit,
    /// `invalid bpf_ld_imm64 insn`: an `lddw` without a proper second slot.
    InvalidLdImm64,
    /// `unknown opcode NN`.
    UnknownOpcode,
    /// `BPF_xxx uses reserved fields`.
    ReservedFields,
    /// `Rnn is invalid`: a register field above `r10`.
    InvalidRegister,
    /// Another malformed instruction (Hive's wording; the kernel has several).
    InvalidInsn,
    /// `back-edge from insn X to Y`: a loop in a program not allowed to have one.
    BackEdge,
    /// `unreachable insn N`.
    Unreachable,
    /// `jump into the middle of ldimm64 insn N`.
    JumpIntoLdImm64,
    /// `the call stack of N frames is too deep`.
    CallStackTooDeep,
    /// A register read before it was written (`R1 !read_ok`).
    UninitRead,
    /// A memory access out of bounds or through the wrong kind of register.
    InvalidAccess,
    /// A helper or kfunc argument of the wrong kind or size.
    InvalidArg,
    /// A call the program may not make (unknown helper, not for this program type, GPL).
    InvalidCall,
    /// Pointer arithmetic the kernel forbids.
    PointerArith,
    /// A pointer leaked or compared where the loader may not (unprivileged).
    PointerLeak,
    /// The return value is outside the program type's range.
    ReturnValue,
    /// A reference still held at exit.
    RefLeak,
    /// A `lddw` naming no valid map.
    InvalidMapRef,
    /// More than [`MAX_INSNS_PRIVILEGED`] instructions processed.
    TooComplex,
    /// A loop head whose state repeats.
    InfiniteLoop,
    /// A broken invariant of Hive itself (the kernel's `verifier_bug`): never the program's
    /// fault, always a bug to report.
    Internal,
}

/// A refused program: where, why (in the kernel's words where the kernel has them) and the
/// log up to that point.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", match insn { Some(pc) => format!("insn {pc}: "), None => String::new() })]
pub struct Rejection {
    /// The instruction (slot index) the verdict is about, if any.
    pub insn: Option<usize>,
    /// The stable reason.
    pub kind: RejectKind,
    /// The kernel's message, without the trailing newline (`back-edge from insn 6 to 1`).
    pub message: String,
    /// The verifier log, ending with the message.
    pub log: String,
}

/// How much of the program's safety a [`Verified`] vouches for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Assurance {
    /// Only the control-flow checks ran (the kernel's `check_subprogs` and `check_cfg`, the
    /// static call depth, instruction sanity). Registers, memory accesses, helper arguments
    /// and return values are **not** checked yet: this verdict must never be taken as
    /// permission to run a program without run-time checks.
    CfgOnly,
    /// Every path was explored by the abstract interpreter: every access is in bounds, every
    /// register read is initialised, every call is well typed, every loop ends and the
    /// return value is in range, as the kernel verifier would establish.
    Safe,
}

/// A program that passed verification, with what the verifier learnt about it.
#[derive(Clone, Debug)]
pub struct Verified {
    /// The decoded program.
    pub code: Code,
    /// Its control-flow graph: subprograms, basic blocks, loop heads.
    pub cfg: Cfg,
    /// What was checked.
    pub assurance: Assurance,
    /// The verifier log.
    pub log: String,
    /// Instructions processed (the kernel's `insn_processed`); 0 for [`Assurance::CfgOnly`].
    pub processed_insns: usize,
    /// The most states kept at one instruction.
    pub max_states_per_insn: usize,
    /// States stored in all.
    pub total_states: usize,
    /// The most states stored at once.
    pub peak_states: usize,
    /// What holds of the registers where basic blocks start ([`crate::facts`]), for a
    /// compiler; empty for [`Assurance::CfgOnly`].
    pub facts: crate::facts::BlockFacts,
}

impl Verified {
    /// Whether this verdict proves the program safe to run without run-time checks. `false`
    /// for every verdict until value tracking and memory checks exist.
    pub fn is_safety_proof(&self) -> bool {
        match self.assurance {
            Assurance::CfgOnly => false,
            Assurance::Safe => true,
        }
    }
}
