//! Seeded generation of random programs that the kernel verifier accepts.
//!
//! A program is built as a tree of blocks per function and flattened at the end:
//!
//! - [`layout`] decides the context layout, writes the main prologue (save the context
//!   pointer, initialise the data stack and every register) and epilogue (dump registers and
//!   stack into the context), appends the subprograms and resolves call offsets;
//! - [`alu`] emits arithmetic (`alu`/`alu64`, `neg`, byte swaps, `lddw`) and the constant pools;
//! - [`jumps`] emits structured control flow: if-then, if-then-else (with `ja` or `gotol`),
//!   and bounded counted loops;
//! - [`memory`] emits stack stores, (sign-extending) loads and atomics;
//! - [`calls`] emits call sites and the subprograms they call.
//!
//! The generator never evaluates the program. It only tracks what the verifier needs to see
//! to accept it: which registers are initialised (`init`), which must not change (`locked`
//! loop counters), where the initialised stack lies, and budgets that bound the verifier's
//! path count (branches, loops, call sites).

mod alu;
mod calls;
mod jumps;
mod layout;
mod memory;

use std::fmt::Write as _;
use std::ops::Range;

use hive_isa::{Insn, RawInsn, Reg};

use crate::rng::Rng;

pub use layout::CtxLayout;

/// Knobs of the generator. [`GenConfig::default`] is what the differential tests use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenConfig {
    /// Approximate number of instructions in the main function's body.
    pub body_len: usize,
    /// Maximum number of subprograms (0 disables bpf-to-bpf calls).
    pub max_subprogs: usize,
    /// Approximate body length of each subprogram.
    pub subprog_len: usize,
    /// Maximum nesting of if/else blocks and loops.
    pub max_depth: usize,
    /// Bytes of initialised data stack in the main frame (multiple of 8, at most 256); all of
    /// it is dumped into the context at exit.
    pub stack_bytes: usize,
    /// Bytes of initialised data stack in each subprogram frame (multiple of 8, at most 64).
    pub subprog_stack_bytes: usize,
    /// Percentage of registers initialised from the context input area rather than from a
    /// constant: their values are unknown to the verifier, which then explores both sides of
    /// the branches that test them.
    pub unknown_percent: u32,
    /// Maximum number of conditional jumps per function (bounds the verifier's path count).
    pub max_branches: usize,
    /// Maximum number of bounded loops per function (0 disables loops).
    pub max_loops: usize,
    /// Maximum number of call sites in the main function (subprograms get at most one).
    pub max_calls: usize,
    /// Maximum number of helper calls per function (0, the default: none). The helpers are
    /// argument-less ones every program type has (`bpf_get_prandom_u32`, `bpf_ktime_get_ns`,
    /// `bpf_get_smp_processor_id`), with `r1`-`r5` initialised before each call: engines that
    /// give programs [`crate::RecordingHelpers`] report every call and its registers, which
    /// the kernel cannot, so only Hive's engines run such programs.
    pub max_helper_calls: usize,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            body_len: 48,
            max_subprogs: 2,
            subprog_len: 16,
            max_depth: 3,
            stack_bytes: 64,
            subprog_stack_bytes: 32,
            unknown_percent: 30,
            max_branches: 8,
            max_loops: 1,
            max_calls: 3,
            max_helper_calls: 0,
        }
    }
}

impl GenConfig {
    /// Larger programs with more of everything: deeper nesting, more branches on values the
    /// verifier does not know, several loops, up to five subprograms and a full-size stack.
    /// Still well inside the verifier's limits, at a few times the cost per program.
    pub fn stress() -> Self {
        GenConfig {
            body_len: 160,
            max_subprogs: 5,
            subprog_len: 40,
            max_depth: 4,
            stack_bytes: 256,
            subprog_stack_bytes: 64,
            unknown_percent: 60,
            max_branches: 24,
            max_loops: 3,
            max_calls: 6,
            max_helper_calls: 0,
        }
    }
}

/// A generated program with its input context.
///
/// Execution contract, the same for every engine: run `insns` as a `BPF_PROG_TYPE_SYSCALL`
/// program with `r1` pointing to a private, writable copy of `ctx_in`; the observation is the
/// final 64-bit `r0` and that buffer afterwards. The program stores `r0`..`r9` and its data
/// stack into the context before it exits (see [`CtxLayout`]), so the buffer alone shows every
/// 64-bit result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedProgram {
    /// The seed it was generated from.
    pub seed: u64,
    /// The instructions (an `lddw` is one entry).
    pub insns: Vec<Insn>,
    /// The same program as 8-byte slots.
    pub raw: Vec<RawInsn>,
    /// The context the program runs on; its length is the context size.
    pub ctx_in: Vec<u8>,
    /// Where the program writes its results inside the context.
    pub layout: CtxLayout,
    /// One line: seed, size and what features the program uses.
    pub description: String,
}

impl GeneratedProgram {
    /// Context size in bytes.
    pub fn ctx_len(&self) -> usize {
        self.ctx_in.len()
    }

    /// The program as hex `u64` slots (opcode in the low byte), one per line with its index:
    /// a dump that needs no disassembler and reloads with [`RawInsn::from_u64`].
    pub fn hex_dump(&self) -> String {
        let mut s = String::new();
        for (pc, insn) in self.raw.iter().enumerate() {
            let _ = writeln!(s, "{pc:4}: {:#018x}", insn.to_u64());
        }
        s
    }
}

/// Generates the program named by `seed` under `cfg`; the same inputs always give the same
/// program.
pub fn generate(seed: u64, cfg: &GenConfig) -> GeneratedProgram {
    layout::build(seed, cfg)
}

/// A set of registers `r0`..`r9` as a bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RegSet(u16);

impl RegSet {
    pub(crate) const NONE: RegSet = RegSet(0);
    /// `r0`..`r9`.
    pub(crate) const ALL: RegSet = RegSet(0x3ff);
    /// The registers a call clobbers.
    pub(crate) const CALLER_SAVED: RegSet = RegSet(0b11_1111);

    pub(crate) fn has(self, r: Reg) -> bool {
        self.0 & (1 << r.num()) != 0
    }

    pub(crate) fn with(self, r: Reg) -> RegSet {
        RegSet(self.0 | 1 << r.num())
    }

    pub(crate) fn without(self, r: Reg) -> RegSet {
        RegSet(self.0 & !(1 << r.num()))
    }

    pub(crate) fn and(self, o: RegSet) -> RegSet {
        RegSet(self.0 & o.0)
    }

    pub(crate) fn minus(self, o: RegSet) -> RegSet {
        RegSet(self.0 & !o.0)
    }

    pub(crate) fn regs(self) -> impl Iterator<Item = Reg> {
        (0..10u8).filter(move |n| self.0 & (1 << n) != 0).map(|n| Reg::new(n).expect("r0..r9"))
    }

    pub(crate) fn len(self) -> usize {
        self.0.count_ones() as usize
    }
}

/// Per-function generator state.
pub(crate) struct FnGen<'a> {
    pub rng: &'a mut Rng,
    pub cfg: &'a GenConfig,
    /// Registers the verifier considers initialised at the current point.
    pub init: RegSet,
    /// Registers that must not be written (live loop counters).
    pub locked: RegSet,
    /// The initialised data stack: `r10`-relative offsets `lo..lo + len`, `lo` 8-aligned.
    pub stack_lo: i16,
    pub stack_len: i16,
    /// Subprogram indices this function may call (only later ones: no recursion).
    pub callees: Range<usize>,
    pub branches_left: usize,
    pub loops_left: usize,
    pub calls_left: usize,
    pub helpers_left: usize,
    /// Bit k set when this function calls subprogram k.
    pub called: u64,
    /// Counts of what was emitted, for the description.
    pub stats: Stats,
}

/// What a program contains, for its one-line description.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Stats {
    pub alu: usize,
    pub jumps: usize,
    pub loops: usize,
    pub mem: usize,
    pub atomics: usize,
    pub calls: usize,
    pub helper_calls: usize,
}

impl Stats {
    pub(crate) fn add(&mut self, o: Stats) {
        self.alu += o.alu;
        self.jumps += o.jumps;
        self.loops += o.loops;
        self.mem += o.mem;
        self.atomics += o.atomics;
        self.calls += o.calls;
        self.helper_calls += o.helper_calls;
    }
}

/// What a block may contain next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item {
    Alu,
    Lddw,
    Store,
    Load,
    Atomic,
    IfThen,
    IfElse,
    Loop,
    Call,
    Helper,
}

impl FnGen<'_> {
    /// Registers that may be written.
    pub(crate) fn writable(&self) -> RegSet {
        RegSet::ALL.minus(self.locked)
    }

    /// A uniformly chosen initialised register (there is always one: see `ensure_init`).
    pub(crate) fn init_reg(&mut self) -> Reg {
        let regs: Vec<Reg> = self.init.regs().collect();
        self.rng.pick(&regs)
    }

    /// An initialised register that may be written, if any.
    pub(crate) fn init_writable_reg(&mut self) -> Option<Reg> {
        let regs: Vec<Reg> = self.init.and(self.writable()).regs().collect();
        (!regs.is_empty()).then(|| self.rng.pick(&regs))
    }

    /// Any register that may be written (initialised or not).
    pub(crate) fn writable_reg(&mut self) -> Reg {
        let regs: Vec<Reg> = self.writable().regs().collect();
        self.rng.pick(&regs)
    }

    /// Initialises every register of `want` that is not yet, with constants.
    pub(crate) fn ensure_init(&mut self, want: RegSet, out: &mut Vec<Insn>) {
        for r in want.minus(self.init).regs() {
            alu::mov_const(self, r, out);
        }
    }

    /// Emits about `budget` instructions of random straight-line and structured code.
    pub(crate) fn block(&mut self, budget: usize, depth: usize, out: &mut Vec<Insn>) {
        let start = out.len();
        while out.len() - start < budget {
            let left = budget - (out.len() - start);
            let nest = depth < self.cfg.max_depth && left >= 4;
            let weights = [
                (Item::Alu, 40),
                (Item::Lddw, 3),
                (Item::Store, 8),
                (Item::Load, 8),
                (Item::Atomic, 6),
                (Item::IfThen, if nest && self.branches_left > 0 { 6 } else { 0 }),
                (Item::IfElse, if nest && self.branches_left > 0 { 4 } else { 0 }),
                (Item::Loop, if nest && self.loops_left > 0 && self.can_loop() { 2 } else { 0 }),
                (Item::Call, if self.calls_left > 0 && !self.callees.is_empty() { 3 } else { 0 }),
                (Item::Helper, if self.helpers_left > 0 { 3 } else { 0 }),
            ];
            let w: Vec<u32> = weights.iter().map(|(_, w)| *w).collect();
            match weights[self.rng.weighted(&w)].0 {
                Item::Alu => alu::alu_item(self, out),
                Item::Lddw => alu::lddw(self, out),
                Item::Store => memory::store(self, out),
                Item::Load => memory::load(self, out),
                Item::Atomic => memory::atomic(self, out),
                Item::IfThen => jumps::if_then(self, left, depth, out),
                Item::IfElse => jumps::if_else(self, left, depth, out),
                Item::Loop => jumps::counted_loop(self, left, depth, out),
                Item::Call => calls::call_site(self, out),
                Item::Helper => calls::helper_call(self, out),
            }
        }
    }

    /// Whether a callee-saved register is free to serve as a loop counter.
    fn can_loop(&self) -> bool {
        RegSet(0b11_1100_0000).minus(self.locked).len() > 0
    }
}
