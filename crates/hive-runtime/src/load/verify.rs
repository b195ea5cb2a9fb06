//! The seam where the verifier plugs in, and where the engine is chosen.
//!
//! Today no verifier exists, so every program is [`Verdict::Unverified`] and runs in the
//! checked interpreter, which enforces memory safety and termination at run time. When
//! `hive-verifier` lands it implements [`Verifier`]; the load pipeline calls it after the
//! load-time rewrites (pseudo `lddw`s resolved, context accesses converted), a refusal
//! becomes the `BPF_PROG_LOAD` error with the verifier's log, and a [`Verdict::Verified`]
//! program may be compiled by `hive-jit` ([`choose_engine`]), falling back to the
//! interpreter when the JIT refuses (as the kernel falls back when its JIT fails).

use hive_isa::Code;
use hive_platform::prog::{AttachType, ProgType};

/// What a verifier is told about the program.
#[derive(Debug)]
pub struct VerifyInput<'a> {
    /// The instructions as they will run (pseudos resolved, context accesses rewritten).
    pub code: &'a Code,
    /// Program type.
    pub prog_type: ProgType,
    /// Expected attach type.
    pub attach_type: AttachType,
    /// Whether the license is GPL-compatible.
    pub gpl: bool,
}

/// A verifier's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Proven safe: the JIT may run it without run-time checks.
    Verified {
        /// Instructions the verifier processed (`processed N insns`).
        processed: u64,
    },
    /// Not proven (no verifier ran): only the checked interpreter may run it.
    Unverified,
}

/// A refusal: errno, message and log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The errno `BPF_PROG_LOAD` returns (`EACCES`, `EINVAL`, ...).
    pub errno: i32,
    /// The message (kernel wording).
    pub message: String,
    /// The verifier log.
    pub log: String,
}

/// A program verifier: what `hive-verifier` will implement.
pub trait Verifier: Send + Sync {
    /// Proves `input` safe or refuses it.
    fn verify(&self, input: &VerifyInput<'_>) -> Result<Verdict, Rejection>;
}

/// The stand-in until a verifier exists: accepts everything as [`Verdict::Unverified`].
#[derive(Clone, Copy, Debug, Default)]
pub struct NoVerifier;

impl Verifier for NoVerifier {
    fn verify(&self, _: &VerifyInput<'_>) -> Result<Verdict, Rejection> {
        Ok(Verdict::Unverified)
    }
}

/// Which engine runs a loaded program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The checked interpreter (`hive-interp`), with the reason the JIT is not used.
    Interpreter {
        /// Why not the JIT (`"unverified"` until a verifier exists).
        reason: &'static str,
    },
}

impl Engine {
    /// A one-line description for the load log and `jited_prog_len` reporting.
    pub fn describe(&self) -> String {
        match self {
            Engine::Interpreter { reason } => format!("jit: not used ({reason}); engine: interpreter"),
        }
    }
}

/// Picks the engine for a verdict. Only verified programs may ever be JIT-compiled; the
/// runtime does not compile them yet either, because the JIT does not implement helper
/// callbacks and tail calls.
pub fn choose_engine(verdict: &Verdict) -> Engine {
    match verdict {
        Verdict::Unverified => Engine::Interpreter { reason: "unverified" },
        Verdict::Verified { .. } => Engine::Interpreter { reason: "JIT not wired into the runtime yet" },
    }
}
