//! Whether a register is dead after an instruction (written before it is read again), so
//! that it need not receive its value: the compiler then drops the temporaries of rotates
//! and folds a load into the operation that consumes it.
//!
//! The question is only asked where such a pattern matched, so instead of a whole-program
//! dataflow analysis (which cost a quarter of the compile time) it is answered by a short
//! forward scan of the straight-line path, which says "maybe live" whenever it is unsure.
//! What the program itself can read is counted exactly, so the answer holds for unverified
//! programs too: calls (helpers, kfuncs, `callx`, bpf-to-bpf) read `r1`-`r5` and write
//! `r0`-`r5`; `exit` reads `r0`; `LD_ABS`/`LD_IND` read `r6` (and the index) and write
//! `r0`-`r5`; atomics read `r0` as well as their operands.

use hive_isa::{Code, Insn, Reg, Source};

/// A set of registers, bit `i` for `ri`.
pub(crate) type Regs = u16;

const ARGS: Regs = 0b11_1110;
const CALL_DEFS: Regs = 0b11_1111;

pub(crate) fn bit(r: Reg) -> Regs {
    1 << r.idx()
}

fn src_bit(s: Source) -> Regs {
    match s {
        Source::Reg(r) => bit(r),
        Source::Imm(_) => 0,
    }
}

/// (uses, definitions) of one instruction.
fn use_def(insn: &Insn) -> (Regs, Regs) {
    match *insn {
        Insn::Alu {
            op: hive_isa::AluOp::Mov | hive_isa::AluOp::MovSx8 | hive_isa::AluOp::MovSx16 | hive_isa::AluOp::MovSx32,
            dst,
            src,
            ..
        } => (src_bit(src), bit(dst)),
        Insn::Alu { dst, src, .. } => (bit(dst) | src_bit(src), bit(dst)),
        Insn::Neg { dst, .. } | Insn::Endian { dst, .. } => (bit(dst), bit(dst)),
        Insn::LdImm64 { dst, .. } => (0, bit(dst)),
        Insn::Load { dst, src, .. } => (bit(src), bit(dst)),
        Insn::Store { dst, src, .. } => (bit(dst) | src_bit(src), 0),
        Insn::Atomic { dst, src, .. } => (bit(dst) | bit(src) | 1, insn.written_reg().map_or(0, bit)),
        Insn::LoadPacket { src, .. } => (bit(Reg::R6) | bit(src), CALL_DEFS),
        Insn::Jump { dst, src, .. } => (bit(dst) | src_bit(src), 0),
        Insn::Ja { .. } | Insn::MayGoto { .. } => (0, 0),
        Insn::Call(_) => (ARGS, CALL_DEFS),
        Insn::CallX { reg } => (ARGS | bit(reg), CALL_DEFS),
        Insn::Exit => (1, 0),
    }
}

/// Instructions a [`dead_after`] scan looks at, over all paths, before giving up.
const MAX_SCAN: usize = 64;

/// Whether `reg` is certainly dead after slot `q` of the subprogram ending at `end`: on every
/// path from `q`, something writes it before anything reads it, or the subprogram exits
/// without reading it. Paths that come back to an instruction already scanned read nothing
/// new. A scan longer than [`MAX_SCAN`] instructions, or one that leaves the subprogram,
/// answers "maybe live" (`false`), which is always safe.
pub(crate) fn dead_after(code: &Code, q: usize, reg: Reg, end: usize) -> bool {
    dead_from(code, q + if matches!(code.get(q), Some(Insn::LdImm64 { .. })) { 2 } else { 1 }, reg, end)
}

/// Whether `reg` is certainly dead on entry to slot `pc` (see [`dead_after`]).
pub(crate) fn dead_from(code: &Code, pc: usize, reg: Reg, end: usize) -> bool {
    let r = bit(reg);
    // At most MAX_SCAN instructions are scanned, and each queues at most one target.
    let (mut scanned, mut n) = ([0usize; MAX_SCAN], 0);
    let (mut pending, mut queued) = ([0usize; MAX_SCAN + 1], 1);
    pending[0] = pc;
    while queued > 0 {
        queued -= 1;
        let mut pc = pending[queued];
        // One straight-line run; conditional jumps queue their target.
        loop {
            if scanned[..n].contains(&pc) {
                break;
            }
            if n == MAX_SCAN {
                return false;
            }
            scanned[n] = pc;
            n += 1;
            let Some(insn) = code.get(pc).filter(|_| pc < end) else { return false };
            let (uses, defs) = use_def(insn);
            if uses & r != 0 {
                return false;
            }
            if defs & r != 0 {
                break;
            }
            let next = |d: i64| (pc as i64 + 1 + d) as usize;
            pc = match *insn {
                Insn::Exit => break,
                Insn::Ja { off, .. } => next(off as i64),
                Insn::Jump { off, .. } | Insn::MayGoto { off } => {
                    pending[queued] = next(off as i64);
                    queued += 1;
                    pc + 1
                }
                Insn::LdImm64 { .. } => pc + 2,
                _ => pc + 1,
            };
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use hive_isa::{AluOp, Width};

    fn mov(d: u8, s: u8) -> Insn {
        Insn::Alu {
            width: Width::W64,
            op: AluOp::Mov,
            dst: Reg::new(d).unwrap(),
            src: Source::Reg(Reg::new(s).unwrap()),
        }
    }

    #[test]
    fn dead_and_maybe_live() {
        let j = Insn::Jump { width: Width::W64, cond: hive_isa::Cond::Eq, dst: Reg::R0, src: Source::Imm(0), off: 1 };
        // 0: r1 = r2; 1: r0 = r1; 2: r1 = r3; 3: exit
        let code = Code::from_insns(&[mov(1, 2), mov(0, 1), mov(1, 3), Insn::Exit]).unwrap();
        assert!(!dead_after(&code, 0, Reg::R1, 4)); // read at 1
        assert!(dead_after(&code, 1, Reg::R1, 4)); // written at 2
        assert!(dead_after(&code, 2, Reg::R1, 4)); // exit reads only r0
        assert!(!dead_after(&code, 2, Reg::R0, 4));
        // both ways out of a conditional jump count: 0: r1 = r2; 1: if r0 == 0 goto +1;
        // 2: r1 = r3; 3: exit (r1 is dead after 0 on both paths)
        let code = Code::from_insns(&[mov(1, 2), j, mov(1, 3), Insn::Exit]).unwrap();
        assert!(dead_after(&code, 0, Reg::R1, 4));
        // ... and live when the taken path reads it: 2: r0 = r1
        let code = Code::from_insns(&[mov(1, 2), j, Insn::Exit, mov(0, 1), Insn::Exit]).unwrap();
        assert!(!dead_after(&code, 0, Reg::R1, 5));
        // a loop that never reads it: 0: r1 = 1; 1: r2 += 1; 2: if r2 != 9 goto -2; 3: exit
        let add = Insn::Alu { width: Width::W64, op: AluOp::Add, dst: Reg::R2, src: Source::Imm(1) };
        let back =
            Insn::Jump { width: Width::W64, cond: hive_isa::Cond::Ne, dst: Reg::R2, src: Source::Imm(9), off: -2 };
        let code = Code::from_insns(&[mov(1, 2), add, back, Insn::Exit]).unwrap();
        assert!(dead_after(&code, 0, Reg::R1, 4));
        assert!(!dead_after(&code, 0, Reg::R2, 4));
    }
}
