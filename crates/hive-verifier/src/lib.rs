//! # hive-verifier: proving eBPF programs safe before they run
//!
//! The kernel's contract is that a program is checked once, at load, and then runs with no
//! run-time checks at all: every memory access in bounds, every helper called with the right
//! arguments, every loop bounded. This crate is Hive's verifier. Today it holds the
//! foundations: the numeric abstract domains with their transfer functions, the
//! control-flow checks and graph, and the shape of the verdict. The abstract interpreter that
//! puts them together comes next; until it exists, [`verify`] checks control flow only and
//! says so in its result ([`Assurance::CfgOnly`]): it is **not** a safety verdict.
//!
//! ## The plan: domains → transfer → check → prune
//!
//! 1. **Domains** (done). [`tnum`] is the kernel's known-bits domain; [`range`] holds
//!    unsigned and signed interval bounds; [`scalar`] is their reduced product at 64 and 32
//!    bits, the value of a scalar register. One normalising function keeps the views
//!    consistent; an infeasible value is the explicit bottom, never an "invariant violation".
//! 2. **Transfer** (scalars done). [`ScalarOf::alu`], [`ScalarOf::neg`],
//!    [`ScalarOf::endian`] for every ALU instruction; [`ScalarOf::refine`] narrows both
//!    operands on each edge of a conditional jump; [`ScalarOf::branch_outcome`] is
//!    `is_branch_taken`. Next: pointer types and offsets, the stack, memory accesses, calls.
//! 3. **Check** (next). PREVAIL's split: the transformer computes the post-state; a separate
//!    checker verifies the assertions each instruction carries (bounds of an access, helper
//!    argument kinds, the return value's range), so "what is checked" is data.
//! 4. **Prune** (next). The kernel explores paths and prunes a state subsumed by one already
//!    verified at the same instruction; [`ScalarOf::is_subset`] is the order it needs. Loops
//!    use [`ScalarOf::join`] and [`ScalarOf::widen`] at the heads of the weak topological
//!    order ([`cfg::wto`]).
//!
//! The control-flow graph ([`mod@cfg`]) comes first in the pipeline: [`cfg::check`] is the
//! kernel's `check_subprogs` and `check_cfg` with the kernel's messages (`back-edge from insn
//! 6 to 1`, `unreachable insn 6`, `jump out of range from insn 1 to 4`, `last insn is not an
//! exit or jmp`, `call to invalid destination`, `jump into the middle of ldimm64 insn 1`,
//! `the call stack of 9 frames is too deep`), and its result is the graph the abstract
//! interpreter iterates: subprograms, basic blocks, `Assume`-style taken/not-taken edges,
//! loop heads.
//!
//! ## Soundness policy
//!
//! Every transfer function has a property test against the concrete semantics
//! ([`concrete`], which is checked against the reference interpreter `hive-interp`): for
//! random abstract values and concrete members, the concrete result must be a member of the
//! abstract result, and a refinement must keep every pair that satisfies (or fails) the
//! condition. Because the domains are written once for any width ([`ScalarOf<BITS>`]), the
//! same code is also tested exhaustively at 8 bits (4-bit sub-registers), member by member,
//! and the tnum operations at 4 to 6 bits, where they are also shown optimal. Precision is
//! a goal, soundness is a rule: a test that finds a lost member is a bug, whatever it costs.
//!
//! ## Example
//!
//! ```
//! use hive_asm::{Syntax, assemble};
//! use hive_verifier::{Assurance, RejectKind, VerifyOptions, verify_raw};
//!
//! let raw = assemble("r0 = 0\nif r1 > 5 goto +1\nr0 = 1\nexit", Syntax::Kernel).unwrap();
//! let ok = verify_raw(&raw, &VerifyOptions::default()).unwrap();
//! assert_eq!(ok.assurance, Assurance::CfgOnly);
//! assert!(!ok.is_safety_proof());
//!
//! let raw = assemble("exit\nexit", Syntax::Kernel).unwrap();
//! let err = verify_raw(&raw, &VerifyOptions::default()).unwrap_err();
//! assert_eq!((err.kind, err.insn, err.message.as_str()), (RejectKind::Unreachable, Some(1), "unreachable insn 1"));
//! ```
#![forbid(unsafe_code)]

pub mod cfg;
pub mod concrete;
mod engine;
pub mod env;
pub mod log;
pub mod range;
pub mod scalar;
pub mod state;
pub mod tnum;
mod verdict;

use hive_isa::{Code, RawInsn};

pub use cfg::Cfg;
pub use env::{EntryReg, EntryState, MapMeta, MapResolver, NoMaps, ProgramEnv};
pub use log::{Log, LogLevel};
pub use range::Bounds;
pub use scalar::{BranchOutcome, Edges, Scalar, ScalarOf};
pub use tnum::Tnum;
pub use verdict::{
    Assurance, MAX_INSNS_PRIVILEGED, MAX_INSNS_UNPRIVILEGED, MAX_SUBPROGS, RejectKind, Rejection, Verified,
    VerifyOptions,
};

/// Verifies a decoded program: today the control-flow checks only.
///
/// **Not a safety verdict yet.** The result says [`Assurance::CfgOnly`]: control flow is
/// well formed (see [`cfg::check`]), but registers, memory accesses, helper calls and return
/// values are not checked. Do not run a program without run-time checks on the strength of
/// this result; [`Verified::is_safety_proof`] answers `false`.
pub fn verify(code: &Code, opts: &VerifyOptions) -> Result<Verified, Rejection> {
    verify_raw(&code.to_raw(), opts)
}

/// Verifies raw instruction slots, as `BPF_PROG_LOAD` receives them: malformed slots are
/// rejected with the kernel's message at the stage the kernel finds them. Same caveat as
/// [`verify`]: control flow only.
pub fn verify_raw(raw: &[RawInsn], opts: &VerifyOptions) -> Result<Verified, Rejection> {
    let mut log = Log::new(opts.log_level);
    match cfg::check_inner(raw, opts, &mut log) {
        Ok((code, cfg)) => Ok(Verified {
            code,
            cfg,
            assurance: Assurance::CfgOnly,
            log: log.into_string(),
            processed_insns: 0,
            max_states_per_insn: 0,
            total_states: 0,
            peak_states: 0,
        }),
        Err(f) => {
            log.basic(&f.message);
            Err(Rejection { insn: f.insn, kind: f.kind, message: f.message, log: log.into_string() })
        }
    }
}

/// Verifies a program as `BPF_PROG_LOAD` would: raw slots (pseudo `lddw`s unresolved, map
/// descriptors as the caller's `env.maps` knows them), the program type, licence and maps of
/// `env`. This is the entry point every loader uses.
///
/// The control-flow checks run first ([`verify_raw`]), then the abstract interpreter explores
/// every path (see the crate documentation); an accepted program comes back with
/// [`Assurance::Safe`] and the exploration's statistics, a refused one with the kernel's
/// message and the log of the failing path.
pub fn verify_program(raw: &[RawInsn], env: &ProgramEnv<'_>, opts: &VerifyOptions) -> Result<Verified, Rejection> {
    let mut log = Log::new(opts.log_level);
    let (code, cfg) = match cfg::check_inner(raw, opts, &mut log) {
        Ok(x) => x,
        Err(f) => {
            log.basic(&f.message);
            return Err(Rejection { insn: f.insn, kind: f.kind, message: f.message, log: log.into_string() });
        }
    };
    let mut v = engine::Verifier::new(&code, &cfg, env, *opts, log);
    let entry = v.entry_state();
    let result = v.run(entry).and_then(|()| v.check_stack_depth(&cfg));
    let stats = v.stats;
    let mut log = std::mem::take(&mut v.log);
    drop(v);
    let summary = format!(
        "processed {} insns (limit {}) max_states_per_insn {} total_states {} peak_states {} mark_read 0",
        stats.processed_insns.min(engine::MAX_PROCESSED + 1),
        engine::MAX_PROCESSED,
        stats.max_states_per_insn,
        stats.total_states,
        stats.peak_states
    );
    match result {
        Ok(()) => {
            log.basic(&summary);
            Ok(Verified {
                code,
                cfg,
                assurance: Assurance::Safe,
                log: log.into_string(),
                processed_insns: stats.processed_insns,
                max_states_per_insn: stats.max_states_per_insn,
                total_states: stats.total_states,
                peak_states: stats.peak_states,
            })
        }
        Err(f) => {
            log.basic(&f.message);
            log.basic(&summary);
            Err(Rejection { insn: f.insn, kind: f.kind, message: f.message, log: log.into_string() })
        }
    }
}
