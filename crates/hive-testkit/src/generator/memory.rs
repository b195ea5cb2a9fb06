//! Stack memory: stores (immediate and register), zero- and sign-extending loads, atomics, and
//! load-acquire / store-release.
//!
//! Every access goes through `r10` with a constant offset inside the function's data area,
//! which the prologue initialised in full, so every load reads initialised bytes. Offsets are
//! naturally aligned: the verifier demands it for the stack, and atomics demand it everywhere.
//!
//! Two kernel verifier bugs, both about paths the verifier prunes, would make the kernel
//! compute something RFC 9669 does not allow; the atomics keep clear of them with a few
//! instructions that change no value (see [`forget_slot`], [`read_r0_as_64_bits`] and
//! `tests/kernel_divergences.rs`):
//!
//! - every fetching atomic is preceded by `lock ^= src` twice on its location, so it never
//!   fetches a value the verifier knows;
//! - every 32-bit `cmpxchg` is followed by `r0 = r0`, so the verifier always zero-extends it.

use hive_isa::{AluOp, AtomicOp, Insn, Reg, Size, Source, Width};

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
    if op.fetches() {
        forget_slot(size, off, src, out);
    }
    out.push(Insn::Atomic { size, op, dst: Reg::FP, src, off });
    if op == AtomicOp::Cmpxchg && size == Size::W {
        read_r0_as_64_bits(out);
    }
    g.stats.atomics += 1;
}

/// `r0 = r0` (a 64-bit move, which changes nothing), right after every 32-bit `cmpxchg`.
///
/// Keeps clear of a kernel bug seen on Linux 6.18 (x86-64). A 32-bit `cmpxchg` zero-extends
/// `r0` (RFC 9669), but x86-64's `lock cmpxchg` does not write `eax` when the comparison
/// succeeds, so the verifier appends an explicit zero-extension, and only to the 32-bit
/// definitions it saw read as 64 bits. A read on a path pruned at a checkpoint is not
/// recorded (pruning used to copy read marks to the pruned path's parents, which marked the
/// definition too; 6.18's reworked liveness does not): when every 64-bit read of that `r0`
/// lies beyond a pruning point on the paths that run the `cmpxchg`, the JIT keeps the stale
/// upper half. A 64-bit read immediately after the definition, in the same straight-line item
/// and so never behind a pruning point, gets it marked on the first visit. A 64-bit move does
/// not mask a missing zero-extension in Hive: it copies all 64 bits.
/// `tests/kernel_divergences.rs` pins the minimal program.
fn read_r0_as_64_bits(out: &mut Vec<Insn>) {
    out.push(Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R0, src: Source::Reg(Reg::R0) });
}

/// `lock *(size *)(r10 + off) ^= src` twice: the memory keeps its value, but the verifier
/// no longer knows it (an atomic read-modify-write leaves the bytes `STACK_MISC`).
///
/// Emitted before every fetching atomic (`atomic_fetch_{add,or,and,xor}`, `xchg`, `cmpxchg`)
/// to keep clear of a kernel verifier bug, present since fetching atomics appeared and still
/// in the Linux 6.18.44 the differential harness found it on: `backtrack_insn()` treats a
/// fetching atomic as a plain store, so when the register that received the fetched value
/// must be precise (say, a later `if` on it has a known outcome), precision is not passed on
/// to the stack slot it was read from. If that slot held a constant the verifier knew (a
/// spilled scalar), a later path reaching a checkpoint with a *different* constant in the
/// slot is pruned as equivalent, so the verifier never explores what that path's fetched
/// value does: it takes a branch as always or never taken, removes the other side as dead
/// code, and the kernel computes something RFC 9669 does not allow. Fixed upstream by
/// 179ee84a8911 ("bpf: Fix incorrect pruning due to atomic fetch precision tracking");
/// `tests/kernel_divergences.rs` pins the minimal program. With the slot unknown to the
/// verifier, the fetched register is unknown too, nothing is learnt from the slot and no
/// precision on it is ever needed; the interpreter still executes every fetch on real
/// values, so nothing Hive computes escapes the comparison.
fn forget_slot(size: Size, off: i16, src: Reg, out: &mut Vec<Insn>) {
    let xor = Insn::Atomic { size, op: AtomicOp::Xor { fetch: false }, dst: Reg::FP, src, off };
    out.extend([xor, xor]);
}
