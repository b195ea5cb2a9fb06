//! The concrete semantics the abstract domains are proven against.
//!
//! These functions compute what the machine computes, at any even word width up to 64 bits
//! (a `W32` operation works on the low half and zero-extends). At 64 bits they are exactly
//! the semantics of the reference interpreter `hive-interp`, which the integration tests
//! check on random operands; at 8 bits they are what the exhaustive tests of
//! [`crate::scalar`] compare with. Division by zero gives 0, modulo by zero leaves the
//! dividend, `MIN s/ -1 = MIN`, `x s% -1 = 0`, shift amounts are masked to the width, signed
//! results truncate toward zero.

use hive_isa::{AluOp, Cond, EndianOp, Width};

use crate::tnum::{low_mask, sext};

/// `a op b` on a 64-bit machine (`W32`: on the low halves, zero-extended).
pub fn alu(op: AluOp, width: Width, a: u64, b: u64) -> u64 {
    alu_at(op, width == Width::W32, a, b, 64)
}

/// `-a` on a 64-bit machine.
pub fn neg(width: Width, a: u64) -> u64 {
    alu(AluOp::Sub, width, 0, a)
}

/// `a op b` on a `bits`-bit machine; `half` selects the half-width operation.
pub fn alu_at(op: AluOp, half: bool, a: u64, b: u64, bits: u32) -> u64 {
    let w = if half { bits / 2 } else { bits };
    let m = low_mask(w);
    word(op, a & m, b & m, w)
}

fn word(op: AluOp, a: u64, b: u64, w: u32) -> u64 {
    let m = low_mask(w);
    let (sa, sb) = (sext(a, w) as i128, sext(b, w) as i128);
    let shift = (b & u64::from(w - 1)) as u32;
    let movsx = |k: u32| if k < w { sext(b, k) as u64 & m } else { b };
    match op {
        AluOp::Add => a.wrapping_add(b) & m,
        AluOp::Sub => a.wrapping_sub(b) & m,
        AluOp::Mul => a.wrapping_mul(b) & m,
        AluOp::Div => a.checked_div(b).unwrap_or(0),
        AluOp::SDiv => if b == 0 { 0 } else { (sa / sb) as u64 & m },
        AluOp::Mod => a.checked_rem(b).unwrap_or(a),
        AluOp::SMod => if b == 0 { a } else { (sa % sb) as u64 & m },
        AluOp::Or => a | b,
        AluOp::And => a & b,
        AluOp::Xor => a ^ b,
        AluOp::Lsh => (a << shift) & m,
        AluOp::Rsh => a >> shift,
        AluOp::Arsh => (sext(a, w) >> shift) as u64 & m,
        AluOp::Mov => b,
        AluOp::MovSx8 => movsx(8),
        AluOp::MovSx16 => movsx(16),
        AluOp::MovSx32 => movsx(32),
    }
}

/// Byte-order conversion of the low `bits` bits on a little-endian 64-bit machine.
pub fn endian(op: EndianOp, bits: u32, a: u64) -> u64 {
    let low = a & low_mask(bits);
    match op {
        EndianOp::ToLe => low,
        EndianOp::ToBe | EndianOp::Swap => low.swap_bytes() >> (64 - bits),
    }
}

/// Whether `if a cond b` jumps on a `bits`-bit machine (`half`: compare the low halves).
pub fn cond_at(cond: Cond, half: bool, a: u64, b: u64, bits: u32) -> bool {
    let w = if half { bits / 2 } else { bits };
    let m = low_mask(w);
    let (a, b) = (a & m, b & m);
    let (sa, sb) = (sext(a, w), sext(b, w));
    match cond {
        Cond::Eq => a == b,
        Cond::Ne => a != b,
        Cond::Gt => a > b,
        Cond::Ge => a >= b,
        Cond::Lt => a < b,
        Cond::Le => a <= b,
        Cond::Set => a & b != 0,
        Cond::Sgt => sa > sb,
        Cond::Sge => sa >= sb,
        Cond::Slt => sa < sb,
        Cond::Sle => sa <= sb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners() {
        assert_eq!(alu(AluOp::SDiv, Width::W64, i64::MIN as u64, u64::MAX), i64::MIN as u64);
        assert_eq!(alu(AluOp::SMod, Width::W64, i64::MIN as u64, u64::MAX), 0);
        assert_eq!(alu(AluOp::SMod, Width::W32, 0xffff_ffff_8000_0000, 0), 0x8000_0000);
        assert_eq!(alu(AluOp::Lsh, Width::W32, 1, 33), 2);
        assert_eq!(alu(AluOp::MovSx32, Width::W64, 0, 0x8000_0000), 0xffff_ffff_8000_0000);
        assert_eq!(alu(AluOp::MovSx8, Width::W32, 0, 0x80), 0xffff_ff80);
        assert_eq!(alu_at(AluOp::SDiv, false, 0x80, 0xff, 8), 0x80);
        assert_eq!(alu_at(AluOp::Add, true, 0xff, 1, 8), 0);
        assert_eq!(endian(EndianOp::ToBe, 16, 0x1234_5678), 0x7856);
        assert!(cond_at(Cond::Slt, true, 0x8, 0x7, 8));
        for cond in Cond::ALL {
            for (a, b) in [(0u64, 0u64), (1, u64::MAX), (0x8000_0000, 7), (u64::MAX, 1 << 63)] {
                assert_eq!(cond_at(cond, false, a, b, 64), cond.holds(a, b, Width::W64));
                assert_eq!(cond_at(cond, true, a, b, 64), cond.holds(a, b, Width::W32));
            }
        }
    }
}
