//! Transfer functions of the ALU instructions on scalars.
//!
//! A 64-bit operation computes the full-width result from the full-width operands; when the
//! low half of the result depends only on the low halves of the operands (`add`, `sub`,
//! `mul`, the bitwise operations, `neg`) it also computes the low half from the 32-bit views,
//! which is often tighter, and normalisation merges the two. A 32-bit operation computes the
//! low half from the 32-bit views and zero-extends it, as the machine does.
//!
//! The semantics are those of [`crate::concrete`]: division by zero gives 0, modulo by zero
//! leaves the dividend, `MIN s/ -1 = MIN`, `x s% -1 = 0`, shift amounts are masked to the
//! operand width, `movsx` sign-extends the low 8, 16 or 32 bits of the source.

use hive_isa::{AluOp, EndianOp, Width};

use super::{Num, ScalarOf};

/// Whether the low half of `a op b` is `low(a) op low(b)`.
fn low_determined(op: AluOp) -> bool {
    matches!(op, AluOp::Add | AluOp::Sub | AluOp::Mul | AluOp::And | AluOp::Or | AluOp::Xor | AluOp::Mov)
}

/// `a op b` on one word; `movsx` is handled by the caller.
fn word_op(op: AluOp, a: Num, b: Num) -> Option<Num> {
    match op {
        AluOp::Add => a.add(b),
        AluOp::Sub => a.sub(b),
        AluOp::Mul => a.mul(b),
        AluOp::Div => a.udiv(b),
        AluOp::SDiv => a.sdiv(b),
        AluOp::Mod => a.umod(b),
        AluOp::SMod => a.smod(b),
        AluOp::Or => a.or(b),
        AluOp::And => a.and(b),
        AluOp::Xor => a.xor(b),
        AluOp::Lsh => a.shl(b),
        AluOp::Rsh => a.shr(b),
        AluOp::Arsh => a.sar(b),
        AluOp::Mov => Some(b),
        AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32 => unreachable!("handled by ScalarOf::alu"),
    }
}

/// The source width a `movsx` reads.
fn movsx_bits(op: AluOp) -> Option<u32> {
    match op {
        AluOp::MovSx8 => Some(8),
        AluOp::MovSx16 => Some(16),
        AluOp::MovSx32 => Some(32),
        _ => None,
    }
}

impl<const BITS: u32> ScalarOf<BITS> {
    /// `self op= src` in 32 or 64 bits (in `BITS / 2` or `BITS` bits for other widths):
    /// the abstract counterpart of [`crate::concrete::alu`].
    ///
    /// `movsx` from `k` bits needs `k` below the operand width; a 32-bit `movsx32` (which
    /// does not decode) is read as a plain move, like the interpreter does.
    pub fn alu(&self, op: AluOp, width: Width, src: Self) -> Self {
        if self.bottom || src.bottom {
            return Self::bottom();
        }
        // Constants fold exactly, whatever the precision of the general case.
        if let (Some(a), Some(b)) = (self.as_const(), src.as_const()) {
            return Self::constant(crate::concrete::alu_at(op, width == Width::W32, a, b, BITS));
        }
        let half = Self::HALF;
        match (width, movsx_bits(op)) {
            (Width::W64, Some(k)) => {
                let low = if k == half { Some(src.sub_num()) } else { src.full_num().low(k) };
                Self::from_num_opt(low.and_then(|l| l.sext(BITS)))
            }
            (Width::W32, Some(k)) if k < half => {
                let sub = src.sub_num().low(k).and_then(|l| l.sext(half));
                Self::zext_sub(sub)
            }
            (Width::W32, Some(_)) => Self::zext_sub(Some(src.sub_num())),
            (Width::W64, None) => {
                let full = word_op(op, self.full_num(), src.full_num());
                if low_determined(op) {
                    Self::from_nums(full, word_op(op, self.sub_num(), src.sub_num()))
                } else {
                    Self::from_num_opt(full)
                }
            }
            (Width::W32, None) => Self::zext_sub(word_op(op, self.sub_num(), src.sub_num())),
        }
    }

    /// `self = -self` in 32 or 64 bits: `0 - self`.
    pub fn neg(&self, width: Width) -> Self {
        Self::constant(0).alu(AluOp::Sub, width, *self)
    }

    /// Byte-order conversion of the low `bits` bits (16, 32 or 64), zero-extended: `le` is a
    /// truncation, `be` and `bswap` reverse the bytes (the machine is little-endian).
    pub fn endian(&self, op: EndianOp, bits: u32) -> Self {
        if self.bottom {
            return *self;
        }
        let full = self.full_num();
        let r = match op {
            EndianOp::ToLe => full.low(bits).and_then(|l| l.zext(BITS)),
            EndianOp::ToBe | EndianOp::Swap => full.bswap(bits),
        };
        Self::from_num_opt(r)
    }

    /// The value `sext(low k bits)`: a `movsx`-like extension from any width below `BITS`.
    pub fn sext_low(&self, k: u32) -> Self {
        if self.bottom {
            return *self;
        }
        Self::from_num_opt(self.full_num().low(k).and_then(|l| l.sext(BITS)))
    }

    fn from_num_opt(n: Option<Num>) -> Self {
        n.map_or_else(Self::bottom, Self::from_num)
    }

    /// A 32-bit result: the low half as computed, the high half zero.
    fn zext_sub(sub: Option<Num>) -> Self {
        match sub {
            Some(s) => Self::from_nums(s.zext(BITS), Some(s)),
            None => Self::bottom(),
        }
    }
}
