//! Which registers may still be read: a static backward analysis over each function.
//!
//! The kernel marks registers read as it explores and prunes with the marks (`REG_LIVE_READ`);
//! Hive computes the same information ahead of time, per instruction and intraprocedurally:
//! a register is live before an instruction if the instruction reads it, or if some successor
//! needs it and the instruction does not overwrite it. Calls read `r1`-`r5` and write `r0`-`r5`;
//! `exit` reads `r0`. A dead register cannot influence the rest of the path, so pruning may
//! ignore it. `r10` is always live.

use hive_isa::{AtomicOp, CallTarget, Code, Insn, PacketMode, Source};

const R10: u16 = 1 << 10;
const ARGS: u16 = 0b11_1110;
const CALLER_SAVED: u16 = 0b11_1111;

fn bit(r: hive_isa::Reg) -> u16 {
    1 << r.idx()
}

/// `(uses, defs)` of one instruction.
fn uses_defs(insn: &Insn) -> (u16, u16) {
    let src = |s: &Source| match s {
        Source::Reg(r) => bit(*r),
        Source::Imm(_) => 0,
    };
    match insn {
        Insn::Alu { op, dst, src: s, .. } => {
            let reads_dst = !matches!(
                op,
                hive_isa::AluOp::Mov | hive_isa::AluOp::MovSx8 | hive_isa::AluOp::MovSx16 | hive_isa::AluOp::MovSx32
            );
            (src(s) | if reads_dst { bit(*dst) } else { 0 }, bit(*dst))
        }
        Insn::Neg { dst, .. } | Insn::Endian { dst, .. } => (bit(*dst), bit(*dst)),
        Insn::LdImm64 { dst, .. } => (0, bit(*dst)),
        Insn::Load { dst, src, .. } => (bit(*src), bit(*dst)),
        Insn::Store { dst, src: s, .. } => (bit(*dst) | src(s), 0),
        Insn::Atomic { op, dst, src, .. } => match op {
            AtomicOp::LoadAcquire => (bit(*src), bit(*dst)),
            AtomicOp::Cmpxchg => (bit(*dst) | bit(*src) | 1, 1),
            op if op.fetches() => (bit(*dst) | bit(*src), bit(*src)),
            _ => (bit(*dst) | bit(*src), 0),
        },
        Insn::LoadPacket { mode, src, .. } => {
            let u = (1 << 6) | if *mode == PacketMode::Ind { bit(*src) } else { 0 };
            (u, CALLER_SAVED)
        }
        Insn::Call(CallTarget::Local(_) | CallTarget::Helper(_) | CallTarget::Kfunc { .. }) => (ARGS, CALLER_SAVED),
        Insn::CallX { reg } => (ARGS | bit(*reg), CALLER_SAVED),
        Insn::Exit => (1, 0),
        Insn::Jump { dst, src: s, .. } => (bit(*dst) | src(s), 0),
        Insn::Ja { .. } | Insn::MayGoto { .. } => (0, 0),
    }
}

/// Successors within the function.
fn succs(pc: usize, insn: &Insn, n: usize) -> Vec<usize> {
    let next = pc + insn.slots();
    let target = |d: i64| (pc as i64 + 1 + d) as usize;
    let mut v = Vec::with_capacity(2);
    match insn {
        Insn::Exit => {}
        Insn::Ja { off, .. } => v.push(target(*off as i64)),
        Insn::Jump { off, .. } | Insn::MayGoto { off } => {
            v.push(next);
            v.push(target(*off as i64));
        }
        _ => v.push(next),
    }
    v.retain(|&s| s < n);
    v
}

/// The live-register mask before each instruction slot.
pub fn analyse(code: &Code) -> Vec<u16> {
    let n = code.len();
    let mut live = vec![0u16; n];
    let insns: Vec<(usize, Insn)> = code.iter().map(|(pc, i)| (pc, *i)).collect();
    let mut changed = true;
    while changed {
        changed = false;
        for (pc, insn) in insns.iter().rev() {
            let (u, d) = uses_defs(insn);
            let mut out = 0u16;
            for s in succs(*pc, insn, n) {
                out |= live[s];
            }
            let new = u | (out & !d) | R10;
            if new != live[*pc] {
                live[*pc] = new;
                changed = true;
            }
        }
    }
    live
}
