//! Arithmetic: ALU operations, negation and byte swaps, exactly as the kernel computes them.
//!
//! The kernel's verifier patches every division and modulo so that no input traps
//! (`do_misc_fixups`): unsigned `x / 0 = 0`, `x % 0 = x`; signed `x s/ 0 = 0`, `x s% 0 = x`,
//! `x s/ -1 = -x` (so `MIN s/ -1 = MIN`), `x s% -1 = 0`. The 32-bit forms work on the low
//! halves and zero-extend the result, so `x % 0` in 32 bits leaves the zero-extended low half
//! of `x`. Signed results truncate toward zero like C (the remainder has the dividend's sign),
//! which is what the interpreter computes since `abs_s32` replaced `abs` in `kernel/bpf/core.c`.
//! Shift amounts are masked to the operand width (`& 63`, `& 31`), as on x86 and arm64.

use hive_isa::{AluOp, EndianOp};

/// `dst op= src` on full 64-bit registers.
#[inline]
pub(crate) fn alu64(op: AluOp, a: u64, b: u64) -> u64 {
    match op {
        AluOp::Add => a.wrapping_add(b),
        AluOp::Sub => a.wrapping_sub(b),
        AluOp::Mul => a.wrapping_mul(b),
        AluOp::Div => a.checked_div(b).unwrap_or(0),
        AluOp::SDiv => {
            if b == 0 {
                0
            } else {
                (a as i64).wrapping_div(b as i64) as u64
            }
        }
        AluOp::Mod => a.checked_rem(b).unwrap_or(a),
        AluOp::SMod => {
            if b == 0 {
                a
            } else {
                (a as i64).wrapping_rem(b as i64) as u64
            }
        }
        AluOp::Or => a | b,
        AluOp::And => a & b,
        AluOp::Xor => a ^ b,
        AluOp::Lsh => a << (b & 63),
        AluOp::Rsh => a >> (b & 63),
        AluOp::Arsh => ((a as i64) >> (b & 63)) as u64,
        AluOp::Mov => b,
        AluOp::MovSx8 => b as i8 as i64 as u64,
        AluOp::MovSx16 => b as i16 as i64 as u64,
        AluOp::MovSx32 => b as i32 as i64 as u64,
    }
}

/// `dst op= src` on the low 32 bits; the result is zero-extended.
#[inline]
pub(crate) fn alu32(op: AluOp, a: u64, b: u64) -> u64 {
    let (a, b) = (a as u32, b as u32);
    let r = match op {
        AluOp::Add => a.wrapping_add(b),
        AluOp::Sub => a.wrapping_sub(b),
        AluOp::Mul => a.wrapping_mul(b),
        AluOp::Div => a.checked_div(b).unwrap_or(0),
        AluOp::SDiv => {
            if b == 0 {
                0
            } else {
                (a as i32).wrapping_div(b as i32) as u32
            }
        }
        AluOp::Mod => a.checked_rem(b).unwrap_or(a),
        AluOp::SMod => {
            if b == 0 {
                a
            } else {
                (a as i32).wrapping_rem(b as i32) as u32
            }
        }
        AluOp::Or => a | b,
        AluOp::And => a & b,
        AluOp::Xor => a ^ b,
        AluOp::Lsh => a << (b & 31),
        AluOp::Rsh => a >> (b & 31),
        AluOp::Arsh => ((a as i32) >> (b & 31)) as u32,
        // `movsx32` has no 32-bit form (decoding rejects it); a plain move is the only reading.
        AluOp::Mov | AluOp::MovSx32 => b,
        AluOp::MovSx8 => b as i8 as i32 as u32,
        AluOp::MovSx16 => b as i16 as i32 as u32,
    };
    r as u64
}

/// `dst = -dst` in 64 bits.
#[inline]
pub(crate) fn neg64(a: u64) -> u64 {
    a.wrapping_neg()
}

/// `dst = -dst` in 32 bits, zero-extended.
#[inline]
pub(crate) fn neg32(a: u64) -> u64 {
    (a as u32).wrapping_neg() as u64
}

/// Byte-order conversion of the low `bits` of `a`, on a little-endian machine: `le` truncates
/// (zero-extends the low bits), `be` and `bswap` swap the bytes of the low bits.
#[inline]
pub(crate) fn endian(op: EndianOp, bits: u32, a: u64) -> u64 {
    let swap = match op {
        EndianOp::ToLe => false,
        EndianOp::ToBe | EndianOp::Swap => true,
    };
    match (bits, swap) {
        (16, false) => a as u16 as u64,
        (16, true) => (a as u16).swap_bytes() as u64,
        (32, false) => a as u32 as u64,
        (32, true) => (a as u32).swap_bytes() as u64,
        (_, false) => a,
        (_, true) => a.swap_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_corners() {
        assert_eq!(alu64(AluOp::Div, 7, 0), 0);
        assert_eq!(alu64(AluOp::Mod, 7, 0), 7);
        assert_eq!(alu64(AluOp::SDiv, i64::MIN as u64, u64::MAX), i64::MIN as u64);
        assert_eq!(alu64(AluOp::SMod, i64::MIN as u64, u64::MAX), 0);
        assert_eq!(alu64(AluOp::SDiv, (-7i64) as u64, 2), (-3i64) as u64);
        assert_eq!(alu64(AluOp::SMod, (-7i64) as u64, 2), (-1i64) as u64);
        assert_eq!(alu64(AluOp::SMod, 7, (-2i64) as u64), 1);
        assert_eq!(alu32(AluOp::Mod, 0xffff_ffff_0000_0007, 0), 7);
        assert_eq!(alu32(AluOp::SMod, 0xffff_ffff_8000_0000, 0), 0x8000_0000);
        assert_eq!(alu32(AluOp::SDiv, 0x8000_0000, 0xffff_ffff), 0x8000_0000);
        assert_eq!(alu32(AluOp::SMod, 0x8000_0000, 0xffff_ffff), 0);
        assert_eq!(alu32(AluOp::SDiv, 0x8000_0000, 2), 0xc000_0000);
        assert_eq!(alu32(AluOp::SDiv, 0x8000_0000, 0), 0);
        assert_eq!(alu32(AluOp::Div, 0x1_0000_0008, 0x1_0000_0002), 4);
    }

    #[test]
    fn shifts_are_masked() {
        assert_eq!(alu64(AluOp::Lsh, 1, 65), 2);
        assert_eq!(alu32(AluOp::Lsh, 1, 33), 2);
        assert_eq!(alu32(AluOp::Arsh, 0x8000_0000, 31 + 32), 0xffff_ffff);
        assert_eq!(alu64(AluOp::Arsh, 1 << 63, 63), u64::MAX);
        assert_eq!(alu32(AluOp::Rsh, 0xffff_ffff_ffff_ffff, 4), 0x0fff_ffff);
    }

    #[test]
    fn moves_and_bytes() {
        assert_eq!(alu64(AluOp::MovSx8, 0x80, 0x80), 0xffff_ffff_ffff_ff80);
        assert_eq!(alu32(AluOp::MovSx16, 0, 0x8000), 0xffff_8000);
        assert_eq!(alu64(AluOp::MovSx32, 0, 0x8000_0000), 0xffff_ffff_8000_0000);
        assert_eq!(neg32(1), 0xffff_ffff);
        assert_eq!(endian(EndianOp::ToLe, 16, 0x1234_5678), 0x5678);
        assert_eq!(endian(EndianOp::ToBe, 16, 0x1234_5678), 0x7856);
        assert_eq!(endian(EndianOp::Swap, 32, 0xaa_1234_5678), 0x7856_3412);
        assert_eq!(endian(EndianOp::ToBe, 64, 0x0102_0304_0506_0708), 0x0807_0605_0403_0201);
    }
}
