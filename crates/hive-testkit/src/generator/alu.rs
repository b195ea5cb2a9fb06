//! Arithmetic: every ALU and ALU64 operation (v4 included), `neg`, byte swaps, `lddw`, and the
//! pools of interesting constants they draw from.

use hive_isa::{AluOp, EndianOp, Insn, Pseudo, Reg, Source, Width};

use super::FnGen;
use crate::rng::Rng;

/// 32-bit immediates that sit on the edges of signed and unsigned arithmetic.
const EDGE32: [i32; 22] = [
    0,
    1,
    -1,
    2,
    -2,
    3,
    7,
    8,
    31,
    32,
    63,
    64,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0x8000,
    0xffff,
    i32::MAX,
    i32::MIN,
    i32::MIN + 1,
    0x1234_5678,
];

/// 64-bit values that sit on the edges of signed and unsigned arithmetic.
const EDGE64: [u64; 14] = [
    0,
    1,
    u64::MAX,
    i64::MAX as u64,
    i64::MIN as u64,
    0xffff_ffff,
    0x8000_0000,
    0x7fff_ffff,
    0x1_0000_0000,
    0xffff_ffff_8000_0000,
    0x0000_0001_ffff_ffff,
    0x8000_0000_0000_0001,
    0x0123_4567_89ab_cdef,
    0xfedc_ba98_7654_3210,
];

/// A 32-bit immediate: an edge value, a small number or random bits of random width.
pub(crate) fn imm32(rng: &mut Rng) -> i32 {
    match rng.below(4) {
        0 => rng.pick(&EDGE32),
        1 => rng.range(0, 32) as i32 - 16,
        2 => (rng.next_u64() as i32) >> rng.below(32),
        _ => rng.next_u64() as i32,
    }
}

/// A 64-bit constant, in the same spirit.
pub(crate) fn imm64(rng: &mut Rng) -> u64 {
    match rng.below(4) {
        0 => rng.pick(&EDGE64),
        1 => imm32(rng) as i64 as u64,
        2 => rng.next_u64() >> rng.below(64),
        _ => rng.next_u64(),
    }
}

fn width(rng: &mut Rng) -> Width {
    if rng.chance(50) { Width::W64 } else { Width::W32 }
}

fn bits(w: Width) -> i32 {
    match w {
        Width::W32 => 32,
        Width::W64 => 64,
    }
}

/// Writes a constant into `r` (which becomes initialised): `mov`, `mov32` or `lddw`.
pub(crate) fn mov_const(g: &mut FnGen<'_>, r: Reg, out: &mut Vec<Insn>) {
    match g.rng.below(3) {
        0 => out.push(Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: r, src: Source::Imm(imm32(g.rng)) }),
        1 => out.push(Insn::Alu { width: Width::W32, op: AluOp::Mov, dst: r, src: Source::Imm(imm32(g.rng)) }),
        _ => push_lddw(out, r, imm64(g.rng)),
    }
    g.init = g.init.with(r);
}

/// `r = imm64`.
pub(crate) fn push_lddw(out: &mut Vec<Insn>, r: Reg, v: u64) {
    out.push(Insn::LdImm64 { dst: r, pseudo: Pseudo::None, imm: v as u32 as i32, next_imm: (v >> 32) as u32 as i32 });
}

/// An `lddw` of an interesting 64-bit constant.
pub(crate) fn lddw(g: &mut FnGen<'_>, out: &mut Vec<Insn>) {
    let r = g.writable_reg();
    let v = imm64(g.rng);
    push_lddw(out, r, v);
    g.init = g.init.with(r);
    g.stats.alu += 1;
}

/// The immediate operand of `op` at width `w`, respecting what the verifier rejects: shifts by
/// an immediate must be below the width, division and modulo by an immediate zero are refused.
fn imm_for(rng: &mut Rng, op: AluOp, w: Width) -> i32 {
    match op {
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => match rng.below(4) {
            0 => 0,
            1 => bits(w) - 1,
            _ => rng.below(bits(w) as usize) as i32,
        },
        AluOp::Div | AluOp::Mod | AluOp::SDiv | AluOp::SMod => loop {
            let v = if rng.chance(25) { rng.pick(&[-1, 1, -2, 2, i32::MIN, i32::MAX]) } else { imm32(rng) };
            if v != 0 {
                break v;
            }
        },
        _ => imm32(rng),
    }
}

/// One arithmetic instruction: an ALU operation (weighted towards the interesting ones),
/// `neg`, or a byte-order conversion.
pub(crate) fn alu_item(g: &mut FnGen<'_>, out: &mut Vec<Insn>) {
    g.stats.alu += 1;
    let kind = g.rng.below(20);
    if kind == 0
        && let Some(dst) = g.init_writable_reg()
    {
        out.push(Insn::Neg { width: width(g.rng), dst });
        return;
    }
    if kind == 1
        && let Some(dst) = g.init_writable_reg()
    {
        let op = g.rng.pick(&[EndianOp::ToLe, EndianOp::ToBe, EndianOp::Swap]);
        let bits = g.rng.pick(&[16, 32, 64]);
        out.push(Insn::Endian { op, bits, dst });
        return;
    }
    if kind == 2 {
        return edge_division(g, out);
    }
    let w = width(g.rng);
    let op = g.rng.pick(&AluOp::ALL);
    let op = if op == AluOp::MovSx32 && w == Width::W32 { AluOp::MovSx16 } else { op };
    let is_mov = matches!(op, AluOp::Mov | AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32);
    let dst = if is_mov {
        g.writable_reg()
    } else {
        match g.init_writable_reg() {
            Some(r) => r,
            None => {
                let r = g.writable_reg();
                return mov_const(g, r, out);
            }
        }
    };
    let reg_only = matches!(op, AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32);
    let src = if reg_only || g.rng.chance(50) { Source::Reg(g.init_reg()) } else { Source::Imm(imm_for(g.rng, op, w)) };
    out.push(Insn::Alu { width: w, op, dst, src });
    g.init = g.init.with(dst);
}

/// A division or modulo set up on purpose at its edges: by a zero register, `MIN / -1`,
/// `MIN % -1`, or by `-1` / `1` (immediate or register), signed or unsigned, 32 or 64 bits.
fn edge_division(g: &mut FnGen<'_>, out: &mut Vec<Insn>) {
    let w = width(g.rng);
    let op = g.rng.pick(&[AluOp::Div, AluOp::Mod, AluOp::SDiv, AluOp::SMod]);
    let Some(dst) = g.init_writable_reg() else { return };
    if g.rng.chance(60) {
        let min = match w {
            Width::W32 => i32::MIN as u32 as u64,
            Width::W64 => i64::MIN as u64,
        };
        push_lddw(out, dst, min);
    }
    let divisor = g.rng.pick(&[0, -1, -1, 1]);
    let src = if divisor != 0 && g.rng.chance(50) {
        Source::Imm(divisor)
    } else {
        let regs: Vec<hive_isa::Reg> = g.writable().without(dst).regs().collect();
        let r = g.rng.pick(&regs);
        out.push(Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: r, src: Source::Imm(divisor) });
        g.init = g.init.with(r);
        Source::Reg(r)
    };
    out.push(Insn::Alu { width: w, op, dst, src });
}
