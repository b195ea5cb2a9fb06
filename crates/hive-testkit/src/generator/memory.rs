//! Stack memory: stores (immediate and register), zero- and sign-extending loads, atomics, and
//! load-acquire / store-release.
//!
//! Every access goes through `r10` with a constant offset inside the function's data area,
//! which the prologue initialised in full, so every load reads initialised bytes. Offsets are
//! naturally aligned: the verifier demands it for the stack, and atomics demand it everywhere.

use hive_isa::{AtomicOp, Insn, Reg, Size, Source};

use super::{FnGen, alu};

/// A naturally aligned offset for a `size` access inside the data area.
fn offset(g: &mut FnGen<'_>, size: Size) -> i16 {
    let n = size.bytes() as i16;
    let slots = (g.stack_len / n) as usize;
    g.stack_lo + g.rng.below(slots) as i16 * n
}

/// `*(size *)(r10 + off) = imm` or `= reg`.
pub(crate) fn store(g: &mut FnGen<'_>, out: &mut Vec<Insn>) {
    let size = g.rng.pick(&Size::ALL);
    let off = offset(g, size);
    let src = if g.rng.chance(35) { Source::Imm(alu::imm32(g.rng)) } else { Source::Reg(g.init_reg()) };
    out.push(Insn::Store { size, dst: Reg::FP, off, src });
    g.stats.mem += 1;
}

/// `dst = *(size *)(r10 + off)`, sign-extending (`ldsx`) for a third of the narrow loads.
pub(crate) fn load(g: &mut FnGen<'_>, out: &mut Vec<Insn>) {
    let size = g.rng.pick(&Size::ALL);
    let off = offset(g, size);
    let signed = size != Size::DW && g.rng.chance(35);
    let dst = g.writable_reg();
    out.push(Insn::Load { size, signed, dst, src: Reg::FP, off });
    g.init = g.init.with(dst);
    g.stats.mem += 1;
}

/// `dst = load_acquire((size *)(r10 + off))` or `store_release((size *)(r10 + off), src)`, of
/// any size (`BPF_LOAD_ACQ` / `BPF_STORE_REL`, kernel 6.15+).
fn acquire_release(g: &mut FnGen<'_>, out: &mut Vec<Insn>) {
    let size = g.rng.pick(&Size::ALL);
    let off = offset(g, size);
    if g.rng.chance(50) {
        let dst = g.writable_reg();
        out.push(Insn::Atomic { size, op: AtomicOp::LoadAcquire, dst, src: Reg::FP, off });
        g.init = g.init.with(dst);
    } else {
        let src = g.init_reg();
        out.push(Insn::Atomic { size, op: AtomicOp::StoreRelease, dst: Reg::FP, src, off });
    }
    g.stats.atomics += 1;
}

/// An atomic read-modify-write on a stack word or double word: add/or/and/xor with and
/// without fetch, xchg or cmpxchg.
pub(crate) fn atomic(g: &mut FnGen<'_>, out: &mut Vec<Insn>) {
    if g.rng.chance(15) {
        return acquire_release(g, out);
    }
    let size = if g.rng.chance(50) { Size::W } else { Size::DW };
    let off = offset(g, size);
    let op = g.rng.pick(&[
        AtomicOp::Add { fetch: false },
        AtomicOp::Or { fetch: false },
        AtomicOp::And { fetch: false },
        AtomicOp::Xor { fetch: false },
        AtomicOp::Add { fetch: true },
        AtomicOp::Or { fetch: true },
        AtomicOp::And { fetch: true },
        AtomicOp::Xor { fetch: true },
        AtomicOp::Xchg,
        AtomicOp::Cmpxchg,
    ]);
    if op == AtomicOp::Cmpxchg && !g.init.has(Reg::R0) {
        alu::mov_const(g, Reg::R0, out);
    }
    // A fetching operation writes its source register, so it must not be a live loop counter.
    let src = if op.fetches() && op != AtomicOp::Cmpxchg {
        match g.init_writable_reg() {
            Some(r) => r,
            None => return store(g, out),
        }
    } else {
        g.init_reg()
    };
    out.push(Insn::Atomic { size, op, dst: Reg::FP, src, off });
    g.stats.atomics += 1;
}
