//! Program layout: the context, the main function's prologue and epilogue, the subprograms,
//! and call resolution.
//!
//! ```text
//! context (ctx_in / ctx_out):            main frame (r10-relative):
//!   [0, 80)        r0..r9 at exit          [-8, 0)        saved context pointer
//!   [80, 80+S)     data stack at exit      [-16, -8)      epilogue scratch
//!   [80+S, +80)    input words             [-16-S, -16)   data stack (S bytes)
//! ```
//!
//! The prologue saves `r1` (the context pointer) at `r10 - 8`, initialises `r0`..`r9` (from
//! constants, or from the input words so the verifier does not know them), then fills the data
//! stack. The body only touches the data stack. The epilogue re-initialises any register a call
//! clobbered, reloads the context pointer and stores `r0`..`r9` and the data stack into the
//! context; `r0` is left as the body computed it and returned.

use hive_isa::{CallTarget, Insn, Reg, Size, Source, encode_all};

use super::calls;
use super::jumps::slots;
use super::{FnGen, GenConfig, GeneratedProgram, RegSet, Stats, alu};
use crate::rng::Rng;

/// Where a generated program keeps its inputs and results inside the context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CtxLayout {
    /// Offset of the ten saved registers (`r0` first, 8 bytes each, little-endian).
    pub regs: usize,
    /// Offset of the dumped data stack (lowest address first).
    pub stack: usize,
    /// Bytes of dumped data stack.
    pub stack_len: usize,
    /// Offset of the input words the prologue may load registers from.
    pub input: usize,
    /// Bytes of input words.
    pub input_len: usize,
}

impl CtxLayout {
    /// Number of registers saved (`r0`..`r9`).
    pub const REGS: usize = 10;
    /// Number of input words.
    pub const INPUTS: usize = 10;

    fn new(stack_len: usize) -> Self {
        let stack = Self::REGS * 8;
        CtxLayout { regs: 0, stack, stack_len, input: stack + stack_len, input_len: Self::INPUTS * 8 }
    }

    /// Context size in bytes.
    pub fn len(&self) -> usize {
        self.input + self.input_len
    }

    /// Never true: the layout always holds the registers.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// What the 8-byte word at context offset `off` (a multiple of 8) holds, e.g. `r3`,
    /// `stack[r10-40]` or `input[2]`.
    pub fn name_word(&self, off: usize) -> String {
        if off < self.stack {
            format!("r{}", (off - self.regs) / 8)
        } else if off < self.input {
            let fp = -16 - self.stack_len as i64 + (off - self.stack) as i64;
            format!("stack[r10{fp}]")
        } else {
            format!("input[{}]", (off - self.input) / 8)
        }
    }
}

/// Frames are rounded up to 32 bytes when the kernel sums the stack of a call chain.
fn frame(bytes: usize) -> usize {
    bytes.div_ceil(32) * 32
}

pub(super) fn build(seed: u64, cfg: &GenConfig) -> GeneratedProgram {
    let mut rng = Rng::new(seed);
    let stack_len = cfg.stack_bytes.clamp(8, 256) & !7;
    let sub_stack = cfg.subprog_stack_bytes.clamp(8, 64) & !7;
    // Keep the deepest call chain (main -> 0 -> 1 -> ...) within 512 bytes and 8 frames.
    let max_subs = ((512 - frame(16 + stack_len)) / frame(sub_stack)).min(7).min(cfg.max_subprogs);
    let nsubs = rng.range(0, max_subs);
    let layout = CtxLayout::new(stack_len);

    let mut ctx_in = vec![0u8; layout.len()];
    for word in ctx_in[layout.input..].chunks_exact_mut(8) {
        word.copy_from_slice(&alu::imm64(&mut rng).to_le_bytes());
    }

    let mut g = FnGen {
        rng: &mut rng,
        cfg,
        init: RegSet::NONE,
        locked: RegSet::NONE,
        stack_lo: -16 - stack_len as i16,
        stack_len: stack_len as i16,
        callees: 0..nsubs,
        branches_left: cfg.max_branches,
        loops_left: cfg.max_loops,
        calls_left: cfg.max_calls,
        helpers_left: cfg.max_helper_calls,
        called: 0,
        stats: Stats::default(),
    };
    let mut main = Vec::new();
    let unknown = prologue(&mut g, &layout, &mut main);
    g.block(cfg.body_len, 0, &mut main);

    let mut subs = Vec::with_capacity(nsubs);
    let mut sub_calls = Vec::with_capacity(nsubs);
    for k in 0..nsubs {
        let (code, stats, called) = calls::subprogram(g.rng, cfg, k, nsubs);
        g.stats.add(stats);
        subs.push(code);
        sub_calls.push(called);
    }
    // The verifier rejects unreachable code: call every subprogram no call site reached.
    let mut reached = g.called;
    for (k, called) in sub_calls.iter().enumerate() {
        if reached & (1 << k) != 0 {
            reached |= called;
        }
    }
    for (k, called) in sub_calls.iter().enumerate() {
        if reached & (1 << k) == 0 {
            calls::forced_call(&mut g, k, &mut main);
            reached |= 1 << k | called;
        }
    }
    epilogue(&mut g, &layout, &mut main);
    let stats = g.stats;

    let mut starts = Vec::with_capacity(nsubs);
    let mut insns = main;
    for sub in subs {
        starts.push(slots(&insns));
        insns.extend(sub);
    }
    resolve_calls(&mut insns, &starts);
    let raw = encode_all(&insns).expect("generated instructions always encode");
    let description = format!(
        "seed {seed}: {} insns ({} slots), {nsubs} subprogs, {} alu, {} branches, {} loops, {} mem, {} atomics, {} calls, {unknown} unknown inputs",
        insns.len(),
        raw.len(),
        stats.alu,
        stats.jumps,
        stats.loops,
        stats.mem,
        stats.atomics,
        stats.calls,
    );
    GeneratedProgram { seed, insns, raw, ctx_in, layout, description }
}

/// Saves the context pointer, initialises every register and the data stack; returns how many
/// registers were loaded from the input words.
fn prologue(g: &mut FnGen<'_>, layout: &CtxLayout, out: &mut Vec<Insn>) -> usize {
    out.push(Insn::Store { size: Size::DW, dst: Reg::FP, off: -8, src: Source::Reg(Reg::R1) });
    let mut unknown = 0;
    // r1 last: it is the context pointer until then.
    for (i, r) in [0u8, 2, 3, 4, 5, 6, 7, 8, 9, 1].into_iter().enumerate() {
        let r = Reg::new(r).expect("r0..r9");
        if g.rng.chance(g.cfg.unknown_percent) {
            let size = g.rng.pick(&Size::ALL);
            let signed = size != Size::DW && g.rng.chance(30);
            let off = (layout.input + i * 8) as i16;
            out.push(Insn::Load { size, signed, dst: r, src: Reg::R1, off });
            g.init = g.init.with(r);
            unknown += 1;
        } else {
            alu::mov_const(g, r, out);
        }
    }
    for off in (g.stack_lo..g.stack_lo + g.stack_len).step_by(8) {
        let src = if g.rng.chance(50) { Source::Reg(g.init_reg()) } else { Source::Imm(alu::imm32(g.rng)) };
        out.push(Insn::Store { size: Size::DW, dst: Reg::FP, off, src });
    }
    unknown
}

/// Stores `r0`..`r9` and the data stack into the context and exits with `r0`.
fn epilogue(g: &mut FnGen<'_>, layout: &CtxLayout, out: &mut Vec<Insn>) {
    g.ensure_init(RegSet::ALL, out);
    let (r1, r2) = (Reg::R1, Reg::R2);
    let store_ctx = |off: usize, src: Reg| Insn::Store { size: Size::DW, dst: r1, off: off as i16, src: Source::Reg(src) };
    out.push(Insn::Store { size: Size::DW, dst: Reg::FP, off: -16, src: Source::Reg(r1) });
    out.push(Insn::Load { size: Size::DW, signed: false, dst: r1, src: Reg::FP, off: -8 });
    for r in RegSet::ALL.without(r1).regs() {
        out.push(store_ctx(layout.regs + 8 * r.idx(), r));
    }
    out.push(Insn::Load { size: Size::DW, signed: false, dst: r2, src: Reg::FP, off: -16 });
    out.push(store_ctx(layout.regs + 8, r2));
    for (i, off) in (g.stack_lo..g.stack_lo + g.stack_len).step_by(8).enumerate() {
        out.push(Insn::Load { size: Size::DW, signed: false, dst: r2, src: Reg::FP, off });
        out.push(store_ctx(layout.stack + 8 * i, r2));
    }
    out.push(Insn::Exit);
}

/// Replaces the subprogram index in every `call` with its relative offset.
fn resolve_calls(insns: &mut [Insn], starts: &[usize]) {
    let mut pc = 0;
    for insn in insns.iter_mut() {
        if let Insn::Call(CallTarget::Local(k)) = insn {
            *k = (starts[*k as usize] as i64 - (pc as i64 + 1)) as i32;
        }
        pc += insn.slots();
    }
}
