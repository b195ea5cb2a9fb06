//! # hive-verifier: proving eBPF programs safe before they run
//!
//! The kernel's contract is that a program is checked once, at load, and then runs with no
//! run-time checks at all: every memory access in bounds, every helper called with the right
//! arguments, every loop bounded. This crate is Hive's verifier, modelled on the kernel's
//! (path exploration with state pruning), so that its verdicts and messages are the kernel's.
//! [`verify_program`] is the entry point: it runs the control-flow checks, then the abstract
//! interpreter, and an accepted program comes back with [`Assurance::Safe`]. [`verify`] and
//! [`verify_raw`] still run the control-flow checks alone ([`Assurance::CfgOnly`], not a
//! safety verdict) for tools that only need the graph.
//!
//! ## The pieces
//!
//! 1. **Domains.** [`tnum`] is the kernel's known-bits domain; [`range`] holds unsigned and
//!    signed interval bounds; [`scalar`] is their reduced product at 64 and 32 bits, the value
//!    of a scalar register, with every ALU transfer ([`ScalarOf::alu`]), branch refinement
//!    ([`ScalarOf::refine`]) and `is_branch_taken` ([`ScalarOf::branch_outcome`]).
//! 2. **Control flow** ([`mod@cfg`]): the kernel's `check_subprogs` and `check_cfg` with its
//!    messages (`back-edge from insn 6 to 1`, `unreachable insn 6`, ...), subprograms, blocks.
//! 3. **State** ([`state`]): registers typed as the kernel types them (scalar, `ctx`, `fp`,
//!    `map_value`, `pkt`, `mem`, ... with a fixed and a variable offset, ids linking copies,
//!    reference ids), stacks of 8-byte slots with per-byte kinds and spilled registers, call
//!    frames; the subsumption order pruning uses and a widening for runtime-bounded loops.
//! 4. **Exploration** (`engine`, private): the kernel's `do_check`. Each instruction checks
//!    its obligations with the kernel's wording (`R1 !read_ok`, `invalid access to map value,
//!    value_size=8 off=8 size=8`, `R0 invalid mem access 'map_value_or_null'`, ...) and
//!    computes the next state; undecided branches fork, NULL checks and `data_end`
//!    comparisons refine the pointers they name; helper calls are checked against
//!    `hive-platform`'s prototypes, context accesses against its layouts; bpf-to-bpf calls push
//!    frames, callbacks (`bpf_loop`, ...) are explored iteration by iteration. A state
//!    subsumed by one already verified at a prune point ends its path. Loops the runtime
//!    bounds (`may_goto`, callback-taking helpers, open-coded iterators such as `bpf_for`)
//!    converge by pruning and widening against earlier iterations of the same loop instance
//!    only: budget spent in the same frame, the same helper invocation, the same iterator
//!    (whose stack slot nothing but the iterator kfuncs may touch), so an endless loop
//!    around them is still `infinite loop detected`. Widening first moves every bound that
//!    moves; if that exploration fails, it runs once more as the kernel does, sparing the
//!    scalars its precision marks (`mark_chain_precision`) name, so that a counter deciding
//!    the loop's exit keeps its exact value. The result carries the
//!    kernel's statistics (`processed N insns ... peak_states P`), and the log is the kernel's:
//!    level 1 the failing path and the error, level 2 every instruction with its state.
//!
//! Where Hive is stricter than a privileged kernel, on purpose: a helper never reads
//! uninitialised stack or a spilled pointer (no leak into maps or buffers); pointers loaded
//! from kptr fields cannot be dereferenced (their BTF type is unknown); a `lddw` of a map
//! value needs an array map. Where it is less precise: pruning uses no precision marks and
//! no stack liveness (scalars are compared by inclusion, so it prunes less), no BTF (kfuncs
//! come from the registry, `PTR_TO_BTF_ID` is untyped), no dynptr state, no spin-lock
//! tracking.
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
//! use hive_platform::prog::ProgType;
//! use hive_verifier::{Assurance, ProgramEnv, VerifyOptions, verify_program};
//!
//! let env = ProgramEnv::new(ProgType::SocketFilter);
//! let ok = assemble("r0 = *(u32 *)(r1 + 0)\nexit", Syntax::Kernel).unwrap();
//! let v = verify_program(&ok, &env, &VerifyOptions::default()).unwrap();
//! assert_eq!(v.assurance, Assurance::Safe);
//! let bad = assemble("r0 = *(u64 *)(r10 - 8)\nexit", Syntax::Kernel).unwrap();
//! let e = verify_program(&bad, &env, &VerifyOptions::unprivileged()).unwrap_err();
//! assert_eq!(e.message, "invalid read from stack R10 off=-8 size=8");
//! ```
//!
//! The control-flow checks alone:
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
pub mod facts;
pub mod log;
pub mod range;
pub mod scalar;
pub mod state;
pub mod tnum;
mod verdict;

use hive_isa::{Code, RawInsn};

pub use cfg::Cfg;
pub use env::{EntryReg, EntryState, MapMeta, MapResolver, NoMaps, ProgramEnv};
pub use facts::{BlockFacts, RegFacts};
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
            facts: BlockFacts::default(),
        }),
        Err(f) => {
            log.basic(&f.message);
            Err(Rejection { insn: f.insn, kind: f.kind, message: f.message, log: log.into_string() })
        }
    }
}

/// One exploration of the program: its result, statistics, log, whether it widened a
/// state, and the facts it gathered at block starts.
fn explore(
    code: &Code,
    cfg: &Cfg,
    env: &ProgramEnv<'_>,
    opts: &VerifyOptions,
    log: Log,
    precision: bool,
) -> (Result<(), cfg::Fail>, engine::Stats, Log, bool, BlockFacts) {
    let mut v = engine::Verifier::new(code, cfg, env, *opts, log);
    v.precision = precision;
    let entry = v.entry_state();
    let result = v.run(entry).and_then(|()| v.check_stack_depth(cfg));
    let facts = std::mem::take(&mut v.facts).finish();
    (result, v.stats, v.take_log(), v.widened, facts)
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
    // First with every moving bound widened at the heads of loops the runtime bounds; if that
    // fails after widening something, again with the kernel's precision marks (see
    // `engine::precise`), which keep the exact values of the scalars that decide such loops:
    // two sound explorations, the program safe if either proves it.
    let cfg_log = log.clone();
    let (mut result, mut stats, mut log, widened, mut facts) = explore(&code, &cfg, env, opts, log, false);
    if result.is_err() && widened {
        (result, stats, log, _, facts) = explore(&code, &cfg, env, opts, cfg_log, true);
    }
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
                facts,
            })
        }
        Err(f) => {
            log.basic(&f.message);
            log.basic(&summary);
            Err(Rejection { insn: f.insn, kind: f.kind, message: f.message, log: log.into_string() })
        }
    }
}
