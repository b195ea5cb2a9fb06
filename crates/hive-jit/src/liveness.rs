//! Which registers are live after each instruction: read on some path before being written
//! again. A register that is dead after an instruction need not receive its value, which
//! lets the compiler drop the temporaries of rotates and fold a load into the operation
//! that consumes it.
//!
//! The analysis is the textbook backward one over each subprogram's control flow, and it
//! is exact about what the program itself can read, so it holds for unverified programs
//! too. Calls (helpers, kfuncs, `callx`, bpf-to-bpf) read `r1`-`r5` and write `r0`-`r5`;
//! `exit` reads `r0`; `LD_ABS`/`LD_IND` read `r6` (and the index) and write `r0`-`r5`;
//! atomics read `r0` as well as their operands. `r10` is always live. Reaching the end of the
//! program (a fault) counts as reading everything.

use hive_isa::{Code, Insn, Reg, Source};

use crate::analysis::Subprog;

/// A set of registers, bit `i` for `ri`.
pub(crate) type Regs = u16;

const ALL: Regs = (1 << 11) - 1;
const ARGS: Regs = 0b11_1110;
const CALL_DEFS: Regs = 0b11_1111;
const R10: Regs = 1 << 10;

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
        Insn::Alu { op: hive_isa::AluOp::Mov | hive_isa::AluOp::MovSx8 | hive_isa::AluOp::MovSx16 | hive_isa::AluOp::MovSx32, dst, src, .. } => {
            (src_bit(src), bit(dst))
        }
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

/// Passes over a subprogram before the analysis gives up on it (and calls everything live
/// there): a reverse pass settles one level of loop nesting, real programs need two or three.
const MAX_PASSES: usize = 8;

/// Per slot, the registers live after it (every register for slots outside subprograms'
/// code, such as the second half of `lddw`, and in a subprogram whose analysis did not
/// settle within [`MAX_PASSES`]).
pub(crate) fn live_out(code: &Code, subs: &[Subprog]) -> Vec<Regs> {
    /// One instruction, decoded once: uses, definitions, fall-through and jump successors
    /// (`usize::MAX` for none).
    struct Node {
        pc: usize,
        uses: Regs,
        defs: Regs,
        next: usize,
        jump: usize,
    }
    const NONE: usize = usize::MAX;
    let mut out = vec![ALL; code.len()];
    let mut live_in = vec![ALL; code.len()];
    for sub in subs {
        let nodes: Vec<Node> = (sub.start..sub.end)
            .filter_map(|pc| code.get(pc).map(|i| (pc, i)))
            .map(|(pc, insn)| {
                let (uses, defs) = use_def(insn);
                let next = match insn {
                    Insn::Exit | Insn::Ja { .. } => NONE,
                    Insn::LdImm64 { .. } => pc + 2,
                    _ => pc + 1,
                };
                let jump = match (insn, insn.branch_delta()) {
                    (Insn::Ja { .. } | Insn::Jump { .. } | Insn::MayGoto { .. }, Some(d)) => (pc as i64 + 1 + d) as usize,
                    _ => NONE,
                };
                Node { pc, uses, defs, next, jump }
            })
            .collect();
        for n in &nodes {
            live_in[n.pc] = 0;
            out[n.pc] = 0;
        }
        let input = |live_in: &[Regs], pc: usize| match pc {
            NONE => 0,
            // Past the end: the "fell off the end" fault, which reads everything.
            pc if pc >= sub.end => ALL,
            pc => live_in[pc],
        };
        let mut settled = false;
        for _ in 0..MAX_PASSES {
            let mut changed = false;
            for n in nodes.iter().rev() {
                let o = input(&live_in, n.next) | input(&live_in, n.jump) | R10;
                let i = n.uses | (o & !n.defs) | R10;
                if o != out[n.pc] || i != live_in[n.pc] {
                    out[n.pc] = o;
                    live_in[n.pc] = i;
                    changed = true;
                }
            }
            if !changed {
                settled = true;
                break;
            }
        }
        if !settled {
            for n in &nodes {
                out[n.pc] = ALL;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hive_isa::{AluOp, Width};

    fn mov(d: u8, s: u8) -> Insn {
        Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::new(d).unwrap(), src: Source::Reg(Reg::new(s).unwrap()) }
    }

    #[test]
    fn straight_line_and_loops() {
        // 0: r1 = r2; 1: r0 = r1; 2: exit
        let code = Code::from_insns(&[mov(1, 2), mov(0, 1), Insn::Exit]).unwrap();
        let subs = crate::analysis::analyze(&code).unwrap();
        let live = live_out(&code, &subs);
        assert_eq!(live[0], bit(Reg::R1) | R10);
        assert_eq!(live[1], 1 | R10);
        // 0: r1 = r2; 1: if r0 == 0 goto -2 (reads r0, loops to 0); 2: r0 = r3; 3: exit
        let j = Insn::Jump { width: Width::W64, cond: hive_isa::Cond::Eq, dst: Reg::R0, src: Source::Imm(0), off: -2 };
        let code = Code::from_insns(&[mov(1, 2), j, mov(0, 3), Insn::Exit]).unwrap();
        let subs = crate::analysis::analyze(&code).unwrap();
        let live = live_out(&code, &subs);
        // after the jump: the loop needs r2 (and r0 for the test), the exit path r3
        assert_eq!(live[1], bit(Reg::R0) | bit(Reg::R2) | bit(Reg::R3) | R10);
        // r1 is never read
        assert_eq!(live[0] & bit(Reg::R1), 0);
    }
}
