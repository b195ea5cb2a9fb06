//! Pairs of adjacent instructions compiled as one x86 instruction, when nothing jumps
//! between them (the second is no jump target), with exactly the pair's effect:
//!
//! | BPF | x86 |
//! |---|---|
//! | `rA = rB; rA += imm` (or `-= imm`) | `lea rA, [rB + imm]` |
//! | `rA = rB; rA += rC` | `lea rA, [rB + rC]` |
//! | `rA = rB; rA *= 3, 5, 9` | `lea rA, [rB + rB * 2, 4, 8]` |
//! | `rA = rB; rA *= 2, 4, 8` or `rA <<= 1, 2, 3` | `lea rA, [rB + rB]` or `lea rA, [rB * 4, 8]` |
//! | `rA = rB; rA *= imm` | `imul rA, rB, imm` |
//! | `rA = rB; rA &= 0xff, 0xffff` | `movzx eA, bB` / `movzx eA, wB` |
//! | `rA <<= 32, 48, 56; rA s>>= 32, 48, 56` | `movsxd rA, eA` / `movsx rA, wA` / `movsx rA, bA` |
//! | `rA <<= 32, 48, 56; rA >>= 32, 48, 56` | `mov eA, eA` / `movzx eA, wA` / `movzx eA, bA` |
//! | `wA <<= 16, 24; wA (s)>>= 16, 24` | `movsx`/`movzx eA, wA` / `eA, bA` |
//!
//! The 32-bit forms (`wA = wB; wA += ...`) use the 32-bit destination, which truncates the
//! 64-bit address arithmetic to the same low half and zero-extends it, as BPF requires. None
//! of these set flags, which nothing after them reads (each conditional jump sets its own).

use hive_isa::{AluOp, Insn, Reg, Source, Width};

use crate::compiler::{Compiler, asm};
use crate::regmap::host;

/// Emits `a` and `b` as one instruction if they form a pair above; says whether it did.
pub(crate) fn pair(c: &mut Compiler<'_>, a: &Insn, b: &Insn) -> bool {
    match (*a, *b) {
        (
            Insn::Alu { width, op: AluOp::Mov, dst, src: Source::Reg(s) },
            Insn::Alu { width: w2, op, dst: d2, src: src2 },
        ) if w2 == width && d2 == dst && s != dst => copy_then(c, width, dst, s, op, src2),
        (
            Insn::Alu { width, op: AluOp::Lsh, dst, src: Source::Imm(k) },
            Insn::Alu { width: w2, op: op @ (AluOp::Rsh | AluOp::Arsh), dst: d2, src: Source::Imm(k2) },
        ) if w2 == width && d2 == dst && k2 == k => extend(c, width, dst, k, op == AluOp::Arsh),
        _ => false,
    }
}

/// `dst <<= k; dst >>= k` (`s>>=` if `signed`): a zero or sign extension of the low 8, 16
/// or 32 bits.
fn extend(c: &mut Compiler<'_>, width: Width, dst: Reg, k: i32, signed: bool) -> bool {
    let d = host(dst);
    match (width, k, signed) {
        (Width::W64, 32, true) => asm!(c.ops, ; movsxd Rq(d), Rd(d)),
        (Width::W64, 32, false) => asm!(c.ops, ; mov Rd(d), Rd(d)),
        (Width::W64, 48, true) => asm!(c.ops, ; movsx Rq(d), Rw(d)),
        (Width::W64, 56, true) => asm!(c.ops, ; movsx Rq(d), Rb(d)),
        (Width::W64, 48, false) | (Width::W32, 16, false) => asm!(c.ops, ; movzx Rd(d), Rw(d)),
        (Width::W64, 56, false) | (Width::W32, 24, false) => asm!(c.ops, ; movzx Rd(d), Rb(d)),
        (Width::W32, 16, true) => asm!(c.ops, ; movsx Rd(d), Rw(d)),
        (Width::W32, 24, true) => asm!(c.ops, ; movsx Rd(d), Rb(d)),
        _ => return false,
    }
    true
}

/// `dst = s; dst op= src`.
fn copy_then(c: &mut Compiler<'_>, width: Width, dst: Reg, s: Reg, op: AluOp, src: Source) -> bool {
    let (a, b) = (host(dst), host(s));
    let w64 = width == Width::W64;
    match (op, src) {
        (AluOp::Add, Source::Imm(i)) => lea_disp(c, w64, a, b, i as i64),
        (AluOp::Sub, Source::Imm(i)) if i != i32::MIN => lea_disp(c, w64, a, b, -(i as i64)),
        (AluOp::Add, Source::Reg(r)) => {
            // `rA += rA` adds the copy: rB.
            let x = if r == dst { b } else { host(r) };
            if w64 {
                asm!(c.ops, ; lea Rq(a), [Rq(b) + Rq(x)]);
            } else {
                asm!(c.ops, ; lea Rd(a), [Rq(b) + Rq(x)]);
            }
        }
        (AluOp::Mul, Source::Imm(i @ (2 | 3 | 4 | 5 | 8 | 9))) => scaled(c, w64, a, b, i),
        (AluOp::Lsh, Source::Imm(k @ 1..=3)) => scaled(c, w64, a, b, 1 << k),
        (AluOp::Mul, Source::Imm(i)) => {
            if w64 {
                asm!(c.ops, ; imul Rq(a), Rq(b), i);
            } else {
                asm!(c.ops, ; imul Rd(a), Rd(b), i);
            }
        }
        (AluOp::And, Source::Imm(0xff)) => asm!(c.ops, ; movzx Rd(a), Rb(b)),
        (AluOp::And, Source::Imm(0xffff)) => asm!(c.ops, ; movzx Rd(a), Rw(b)),
        _ => return false,
    }
    true
}

/// `a = b + disp` (64 or 32 bits).
fn lea_disp(c: &mut Compiler<'_>, w64: bool, a: u8, b: u8, disp: i64) {
    let Ok(disp) = i32::try_from(disp) else { unreachable!("the displacement is an i32 or its negation") };
    match (w64, i8::try_from(disp)) {
        (true, Ok(d8)) => asm!(c.ops, ; lea Rq(a), [BYTE Rq(b) + d8]),
        (true, Err(_)) => asm!(c.ops, ; lea Rq(a), [Rq(b) + disp]),
        (false, Ok(d8)) => asm!(c.ops, ; lea Rd(a), [BYTE Rq(b) + d8]),
        (false, Err(_)) => asm!(c.ops, ; lea Rd(a), [Rq(b) + disp]),
    }
}

/// `a = b * m` for `m` in 2, 3, 4, 5, 8, 9, with `lea`.
pub(crate) fn scaled(c: &mut Compiler<'_>, w64: bool, a: u8, b: u8, m: i32) {
    match (w64, m) {
        (true, 2) => asm!(c.ops, ; lea Rq(a), [Rq(b) + Rq(b)]),
        (true, 3) => asm!(c.ops, ; lea Rq(a), [Rq(b) + Rq(b) * 2]),
        (true, 5) => asm!(c.ops, ; lea Rq(a), [Rq(b) + Rq(b) * 4]),
        (true, 9) => asm!(c.ops, ; lea Rq(a), [Rq(b) + Rq(b) * 8]),
        (true, 4) => asm!(c.ops, ; lea Rq(a), [Rq(b) * 4]),
        (true, _) => asm!(c.ops, ; lea Rq(a), [Rq(b) * 8]),
        (false, 2) => asm!(c.ops, ; lea Rd(a), [Rq(b) + Rq(b)]),
        (false, 3) => asm!(c.ops, ; lea Rd(a), [Rq(b) + Rq(b) * 2]),
        (false, 5) => asm!(c.ops, ; lea Rd(a), [Rq(b) + Rq(b) * 4]),
        (false, 9) => asm!(c.ops, ; lea Rd(a), [Rq(b) + Rq(b) * 8]),
        (false, 4) => asm!(c.ops, ; lea Rd(a), [Rq(b) * 4]),
        (false, _) => asm!(c.ops, ; lea Rd(a), [Rq(b) * 8]),
    }
}
