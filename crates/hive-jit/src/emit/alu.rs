//! ALU, negation, byte swaps and `lddw`.
//!
//! Semantics are hive-interp's (the kernel's after `do_misc_fixups`): 32-bit operations use
//! the `Rd` forms, which zero the upper half on x86-64 as BPF requires; x86 masks shift counts
//! exactly as BPF does (`& 63`, `& 31`); division and modulo never reach `div`/`idiv` with a
//! zero divisor or with `-1` (which would trap on `INT_MIN / -1`): those cases branch to the
//! defined results (`x / 0 = 0`, `x % 0 = x`, `x s/ -1 = -x`, `x s% -1 = 0`).

use hive_isa::{AluOp, EndianOp, Insn, Pseudo, Reg, Source, Width};

use crate::compiler::{Compiler, asm};
use crate::emit::blind::{self, Operand};
use crate::facts::Known;
use crate::regmap::{AUX, TMP, TMP2, host, x86};

/// `dst op= src`, using what the known bits allow ([`crate::facts`]): a zero-extension of a
/// register already zero-extended is dropped, a register known to hold a constant divisor or
/// shift count is read as an immediate, and divisions skip the checks their divisor does not
/// need, in 32 bits when both operands of an unsigned 64-bit one fit in 32 bits.
pub(crate) fn alu(c: &mut Compiler<'_>, width: Width, op: AluOp, dst: Reg, src: Source) {
    let d = host(dst);
    let w32 = width == Width::W32;
    let a = c.facts.reg(dst);
    let (b, constant) = match src {
        Source::Reg(s) => (c.facts.reg(s), c.facts.constant(s)),
        Source::Imm(_) => (Known::UNKNOWN, None),
    };
    let nonzero = |w32| matches!(src, Source::Reg(s) if c.facts.nonzero(s, w32));
    let known = |w| constant.and_then(|v| as_imm(v, w)).map_or(src, Source::Imm);
    match op {
        AluOp::Mov if w32 && src == Source::Reg(dst) && a.upper_zero() => {}
        AluOp::Mov | AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32 => mov(c, width, op, d, src),
        AluOp::Div | AluOp::Mod | AluOp::SDiv | AluOp::SMod => {
            let signed = matches!(op, AluOp::SDiv | AluOp::SMod);
            let narrow = !w32 && !signed && a.upper_zero() && b.upper_zero();
            let width = if narrow { Width::W32 } else { width };
            let w32 = width == Width::W32;
            let divisor = Divisor { nonzero: nonzero(w32), not_minus_one: !signed || b.not_all_ones(w32) };
            divide(c, width, op, d, known(width), divisor)
        }
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => shift(c, width, op, d, known(width)),
        _ => arith(c, width, op, dst, src),
    }
}

/// A register's known value as the immediate that means the same in `width`.
fn as_imm(v: u64, width: Width) -> Option<i32> {
    match width {
        Width::W64 => i32::try_from(v as i64).ok(),
        Width::W32 => Some(v as u32 as i32),
    }
}

fn mov(c: &mut Compiler<'_>, width: Width, op: AluOp, d: u8, src: Source) {
    let s = match src {
        Source::Imm(imm) => {
            // Only `mov` has an immediate form; fold anything else the same way the
            // interpreter computes it.
            let v = match (width, op) {
                (Width::W64, AluOp::MovSx8) => imm as i8 as i64 as u64,
                (Width::W64, AluOp::MovSx16) => imm as i16 as i64 as u64,
                (Width::W64, _) => imm as i64 as u64,
                (Width::W32, AluOp::MovSx8) => imm as i8 as i32 as u32 as u64,
                (Width::W32, AluOp::MovSx16) => imm as i16 as i32 as u32 as u64,
                (Width::W32, _) => imm as u32 as u64,
            };
            return load_const(c, d, v);
        }
        Source::Reg(s) => host(s),
    };
    match (width, op) {
        (Width::W64, AluOp::Mov) if d == s => {}
        (Width::W64, AluOp::Mov) => asm!(c.ops, ; mov Rq(d), Rq(s)),
        (Width::W64, AluOp::MovSx8) => asm!(c.ops, ; movsx Rq(d), Rb(s)),
        (Width::W64, AluOp::MovSx16) => asm!(c.ops, ; movsx Rq(d), Rw(s)),
        (Width::W64, _) => asm!(c.ops, ; movsxd Rq(d), Rd(s)),
        (Width::W32, AluOp::MovSx8) => asm!(c.ops, ; movsx Rd(d), Rb(s)),
        (Width::W32, AluOp::MovSx16) => asm!(c.ops, ; movsx Rd(d), Rw(s)),
        // `movsx32` has no 32-bit form; like the interpreter, read it as a plain move.
        (Width::W32, _) => asm!(c.ops, ; mov Rd(d), Rd(s)),
    }
}

/// `d = v` in the shortest form (blinded when the compiler blinds constants).
pub(crate) fn load_const(c: &mut Compiler<'_>, d: u8, v: u64) {
    if v != 0 && blind::on(c) {
        blind::load_const(c, d, v);
    } else if v == 0 {
        asm!(c.ops, ; xor Rd(d), Rd(d));
    } else if v <= u32::MAX as u64 {
        asm!(c.ops, ; mov Rd(d), v as i32);
    } else if v as i64 >= i32::MIN as i64 && (v as i64) < 0 {
        asm!(c.ops, ; mov Rq(d), DWORD v as i32);
    } else {
        asm!(c.ops, ; mov Rq(d), QWORD v as i64);
    }
}

fn arith(c: &mut Compiler<'_>, width: Width, op: AluOp, reg: Reg, src: Source) {
    let d = host(reg);
    let w64 = width == Width::W64;
    // Blinded, an immediate operand is loaded into r11 first and the register form used;
    // else an immediate that fits in a signed byte takes the 3-byte shorter `imm8` form.
    // (Products and the masks 0xff and 0xffff have their own encodings, below.)
    let carried = !matches!((op, src), (AluOp::Mul, _) | (AluOp::And, Source::Imm(0xff | 0xffff)));
    let operand = blind::operand(c, w64, src, carried);
    macro_rules! both {
        ($mn:ident) => {
            match (width, operand) {
                (Width::W64, Operand::Reg(s)) => asm!(c.ops, ; $mn Rq(d), Rq(s)),
                (Width::W32, Operand::Reg(s)) => asm!(c.ops, ; $mn Rd(d), Rd(s)),
                (Width::W64, Operand::Imm(i)) if let Ok(b) = i8::try_from(i) => asm!(c.ops, ; $mn Rq(d), BYTE b),
                (Width::W32, Operand::Imm(i)) if let Ok(b) = i8::try_from(i) => asm!(c.ops, ; $mn Rd(d), BYTE b),
                (Width::W64, Operand::Imm(i)) => asm!(c.ops, ; $mn Rq(d), i),
                (Width::W32, Operand::Imm(i)) => asm!(c.ops, ; $mn Rd(d), i),
            }
        };
    }
    // These leave ZF telling whether the result is 0, which a following `if dst == 0` uses.
    let sets_flags = |c: &mut Compiler<'_>, dst| c.flags = Some((dst, !w64));
    match op {
        AluOp::Add => {
            both!(add);
            sets_flags(c, reg);
        }
        AluOp::Sub => {
            both!(sub);
            sets_flags(c, reg);
        }
        // Masks of 8 and 16 bits are zero-extending moves (either width: the rest is 0).
        AluOp::And if src == Source::Imm(0xff) => asm!(c.ops, ; movzx Rd(d), Rb(d)),
        AluOp::And if src == Source::Imm(0xffff) => asm!(c.ops, ; movzx Rd(d), Rw(d)),
        AluOp::And => {
            both!(and);
            sets_flags(c, reg);
        }
        AluOp::Or => {
            both!(or);
            sets_flags(c, reg);
        }
        AluOp::Xor => {
            both!(xor);
            sets_flags(c, reg);
        }
        AluOp::Mul => match src {
            Source::Imm(0) => asm!(c.ops, ; xor Rd(d), Rd(d)),
            Source::Imm(1) => zext_if32(c, w64, d),
            // `lea` has a 1-cycle latency where `imul` has 3.
            Source::Imm(i @ (2 | 3 | 4 | 5 | 8 | 9)) => crate::emit::fuse::scaled(c, w64, d, d, i),
            Source::Imm(i) if i > 0 && (i as u32).is_power_of_two() => {
                let k = i.trailing_zeros() as i8;
                if w64 {
                    asm!(c.ops, ; shl Rq(d), k);
                } else {
                    asm!(c.ops, ; shl Rd(d), k);
                }
            }
            Source::Imm(i) if blind::on(c) => {
                let t = blind::imm_in_tmp(c, w64, i);
                if w64 {
                    asm!(c.ops, ; imul Rq(d), Rq(t));
                } else {
                    asm!(c.ops, ; imul Rd(d), Rd(t));
                }
            }
            Source::Imm(i) if w64 => asm!(c.ops, ; imul Rq(d), Rq(d), i),
            Source::Imm(i) => asm!(c.ops, ; imul Rd(d), Rd(d), i),
            Source::Reg(s) if w64 => asm!(c.ops, ; imul Rq(d), Rq(host(s))),
            Source::Reg(s) => asm!(c.ops, ; imul Rd(d), Rd(host(s))),
        },
        _ => unreachable!("{op:?} is handled elsewhere"),
    }
}

/// Shifts. An immediate count is masked at compile time (a count of 0 still zero-extends in
/// 32 bits). A register count uses BMI2 `shlx`/`shrx`/`sarx` when the CPU has them (no `cl`,
/// and the 32-bit forms always write, so always zero-extend), else `cl` with `rcx` (BPF `r4`)
/// saved in a scratch register around the shift.
fn shift(c: &mut Compiler<'_>, width: Width, op: AluOp, d: u8, src: Source) {
    let w64 = width == Width::W64;
    match src {
        Source::Imm(imm) => {
            let n = (imm as u32 & if w64 { 63 } else { 31 }) as i8;
            match (w64, op, n) {
                (true, _, 0) => {}
                (false, _, 0) => asm!(c.ops, ; mov Rd(d), Rd(d)),
                (true, AluOp::Lsh, _) => asm!(c.ops, ; shl Rq(d), n),
                (true, AluOp::Rsh, _) => asm!(c.ops, ; shr Rq(d), n),
                (true, _, _) => asm!(c.ops, ; sar Rq(d), n),
                (false, AluOp::Lsh, _) => asm!(c.ops, ; shl Rd(d), n),
                (false, AluOp::Rsh, _) => asm!(c.ops, ; shr Rd(d), n),
                (false, _, _) => asm!(c.ops, ; sar Rd(d), n),
            }
        }
        Source::Reg(s) if c.options.bmi2 => {
            let s = host(s);
            match (w64, op) {
                (true, AluOp::Lsh) => asm!(c.ops, ; shlx Rq(d), Rq(d), Rq(s)),
                (true, AluOp::Rsh) => asm!(c.ops, ; shrx Rq(d), Rq(d), Rq(s)),
                (true, _) => asm!(c.ops, ; sarx Rq(d), Rq(d), Rq(s)),
                (false, AluOp::Lsh) => asm!(c.ops, ; shlx Rd(d), Rd(d), Rd(s)),
                (false, AluOp::Rsh) => asm!(c.ops, ; shrx Rd(d), Rd(d), Rd(s)),
                (false, _) => asm!(c.ops, ; sarx Rd(d), Rd(d), Rd(s)),
            }
        }
        Source::Reg(s) => {
            let s = host(s);
            // The shifted register: `d`, or a copy when `d` is `rcx` itself.
            let t = if d == x86::RCX && s != x86::RCX { TMP2 } else { d };
            if s != x86::RCX {
                asm!(c.ops, ; mov Rq(TMP), rcx);
                if t == TMP2 {
                    asm!(c.ops, ; mov Rq(TMP2), rcx);
                }
                asm!(c.ops, ; mov rcx, Rq(s));
            }
            match (w64, op) {
                (true, AluOp::Lsh) => asm!(c.ops, ; shl Rq(t), cl),
                (true, AluOp::Rsh) => asm!(c.ops, ; shr Rq(t), cl),
                (true, _) => asm!(c.ops, ; sar Rq(t), cl),
                (false, AluOp::Lsh) => asm!(c.ops, ; shl Rd(t), cl),
                (false, AluOp::Rsh) => asm!(c.ops, ; shr Rd(t), cl),
                (false, _) => asm!(c.ops, ; sar Rd(t), cl),
            }
            if !w64 {
                // A count of 0 leaves the flags and, on some CPUs, the upper half untouched.
                asm!(c.ops, ; mov Rd(t), Rd(t));
            }
            if s != x86::RCX {
                asm!(c.ops, ; mov rcx, Rq(TMP));
                if t == TMP2 {
                    asm!(c.ops, ; mov rcx, Rq(TMP2));
                }
            }
        }
    }
}

/// What is known of a register divisor: which of the special cases it can hit.
#[derive(Clone, Copy, Debug)]
struct Divisor {
    nonzero: bool,
    /// For signed operations: it is not `-1`.
    not_minus_one: bool,
}

/// Division and modulo with BPF's total semantics; a register divisor is tested for 0 (and,
/// signed, for `-1`) unless `divisor` rules the case out.
fn divide(c: &mut Compiler<'_>, width: Width, op: AluOp, d: u8, src: Source, divisor: Divisor) {
    let w64 = width == Width::W64;
    let signed = matches!(op, AluOp::SDiv | AluOp::SMod);
    let quotient = matches!(op, AluOp::Div | AluOp::SDiv);
    if let Source::Imm(imm) = src {
        let divisor = if w64 { imm as i64 as u64 } else { imm as u32 as u64 };
        // Constant divisors with a defined special result need no division at all.
        match (divisor, signed && imm == -1, quotient) {
            (0, _, true) | (_, true, false) => return asm!(c.ops, ; xor Rd(d), Rd(d)),
            (0, _, false) => return zext_if32(c, w64, d),
            (_, true, true) if w64 => return asm!(c.ops, ; neg Rq(d)),
            (_, true, true) => return asm!(c.ops, ; neg Rd(d)),
            _ => {}
        }
        if !signed && divisor.is_power_of_two() {
            let k = divisor.trailing_zeros() as i8;
            match (quotient, w64) {
                (true, _) if k == 0 => zext_if32(c, w64, d),
                (true, true) => asm!(c.ops, ; shr Rq(d), k),
                (true, false) => asm!(c.ops, ; shr Rd(d), k),
                // divisor - 1 < 2^31 here: imm was positive.
                (false, true) => asm!(c.ops, ; and Rq(d), (divisor - 1) as i32),
                (false, false) => asm!(c.ops, ; and Rd(d), (divisor - 1) as i32),
            }
            return;
        }
        if blind::on(c) {
            blind::imm_in_tmp(c, w64, imm);
        } else if w64 {
            asm!(c.ops, ; mov Rq(TMP), DWORD imm);
        } else {
            asm!(c.ops, ; mov Rd(TMP), imm);
        }
    } else if let Source::Reg(s) = src {
        asm!(c.ops, ; mov Rq(TMP), Rq(host(s)));
    }
    // Divisor in r11; save rax and rdx (BPF r0 and r3) in r10 and r9; dividend in rax.
    let reg = matches!(src, Source::Reg(_));
    let test_zero = reg && !divisor.nonzero;
    let test_minus_one = reg && signed && !divisor.not_minus_one;
    let checks = test_zero || test_minus_one;
    let (zero, minus_one, done) = if checks {
        (c.ops.new_dynamic_label(), c.ops.new_dynamic_label(), c.ops.new_dynamic_label())
    } else {
        let unused = c.unwind;
        (unused, unused, unused)
    };
    asm!(c.ops, ; mov Rq(TMP2), rax ; mov Rq(AUX), rdx);
    if w64 {
        asm!(c.ops, ; mov rax, Rq(d));
    } else {
        asm!(c.ops, ; mov eax, Rd(d));
    }
    if test_zero {
        if w64 {
            asm!(c.ops, ; test Rq(TMP), Rq(TMP) ; jz =>zero);
        } else {
            asm!(c.ops, ; test Rd(TMP), Rd(TMP) ; jz =>zero);
        }
    }
    if test_minus_one {
        if w64 {
            asm!(c.ops, ; cmp Rq(TMP), -1 ; je =>minus_one);
        } else {
            asm!(c.ops, ; cmp Rd(TMP), -1 ; je =>minus_one);
        }
    }
    match (signed, w64) {
        (false, true) => asm!(c.ops, ; xor edx, edx ; div Rq(TMP)),
        (false, false) => asm!(c.ops, ; xor edx, edx ; div Rd(TMP)),
        (true, true) => asm!(c.ops, ; cqo ; idiv Rq(TMP)),
        (true, false) => asm!(c.ops, ; cdq ; idiv Rd(TMP)),
    }
    match (quotient, w64) {
        (true, true) => asm!(c.ops, ; mov Rq(TMP), rax),
        (true, false) => asm!(c.ops, ; mov Rd(TMP), eax),
        (false, true) => asm!(c.ops, ; mov Rq(TMP), rdx),
        (false, false) => asm!(c.ops, ; mov Rd(TMP), edx),
    }
    // The special cases, out of the straight path.
    if test_zero {
        asm!(c.ops, ; jmp =>done ; =>zero);
        match (quotient, w64) {
            (true, _) => asm!(c.ops, ; xor Rd(TMP), Rd(TMP)),
            (false, true) => asm!(c.ops, ; mov Rq(TMP), rax),
            (false, false) => asm!(c.ops, ; mov Rd(TMP), eax),
        }
    }
    if test_minus_one {
        asm!(c.ops, ; jmp =>done ; =>minus_one);
        match (quotient, w64) {
            (true, true) => asm!(c.ops, ; mov Rq(TMP), rax ; neg Rq(TMP)),
            (true, false) => asm!(c.ops, ; mov Rd(TMP), eax ; neg Rd(TMP)),
            (false, _) => asm!(c.ops, ; xor Rd(TMP), Rd(TMP)),
        }
    }
    if checks {
        asm!(c.ops, ; =>done);
    }
    if d != x86::RAX {
        asm!(c.ops, ; mov rax, Rq(TMP2));
    }
    if d != x86::RDX {
        asm!(c.ops, ; mov rdx, Rq(AUX));
    }
    asm!(c.ops, ; mov Rq(d), Rq(TMP));
}

fn zext_if32(c: &mut Compiler<'_>, w64: bool, d: u8) {
    if !w64 {
        asm!(c.ops, ; mov Rd(d), Rd(d));
    }
}

/// `dst = -dst`.
pub(crate) fn neg(c: &mut Compiler<'_>, width: Width, dst: Reg) {
    let d = host(dst);
    match width {
        Width::W64 => asm!(c.ops, ; neg Rq(d)),
        Width::W32 => asm!(c.ops, ; neg Rd(d)),
    }
    c.flags = Some((dst, width == Width::W32));
}

/// `le`/`be`/`bswap` on this little-endian machine: `le` truncates, the others swap.
pub(crate) fn endian(c: &mut Compiler<'_>, op: EndianOp, bits: u32, dst: Reg) {
    let d = host(dst);
    match (op, bits) {
        (EndianOp::ToLe, 16) => asm!(c.ops, ; movzx Rd(d), Rw(d)),
        (EndianOp::ToLe, 32) => asm!(c.ops, ; mov Rd(d), Rd(d)),
        (EndianOp::ToLe, _) => {}
        // `bswap` then a shift: no 16-bit partial register write (`ror r16` merges).
        (_, 16) => asm!(c.ops, ; bswap Rd(d) ; shr Rd(d), 16),
        (_, 32) => asm!(c.ops, ; bswap Rd(d)),
        (_, _) => asm!(c.ops, ; bswap Rq(d)),
    }
}

/// `lddw`: a constant, or (`Pseudo::Func`) the slot index of a subprogram as in the
/// interpreter. Other pseudos were refused by the analysis.
pub(crate) fn ld_imm64(c: &mut Compiler<'_>, pc: usize, dst: Reg, pseudo: Pseudo, imm: i32, next_imm: i32) {
    let v = match pseudo {
        Pseudo::Func => (pc as i64 + 1 + imm as i64) as u64,
        _ => Insn::imm64(imm, next_imm),
    };
    load_const(c, host(dst), v);
}
