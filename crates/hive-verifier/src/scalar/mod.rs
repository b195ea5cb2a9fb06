//! The scalar value domain: what the verifier knows about a number held in a register.
//!
//! A [`Scalar`] is the reduced product of five views of one 64-bit word, the same five the
//! kernel keeps in `struct bpf_reg_state`: a [`Tnum`] (`var_off`), unsigned and signed 64-bit
//! bounds (`umin_value`..`smax_value`) and unsigned and signed bounds of the low 32 bits
//! (`u32_min_value`..`s32_max_value`). A word belongs to the set when it satisfies all five.
//!
//! ## One normalisation, no invariant violations
//!
//! The kernel updates these fields by hand in each transfer function and re-synchronises them
//! with `reg_bounds_sync` (`__update_reg_bounds`, `__reg_deduce_bounds`, `__reg_bound_offset`);
//! when the views drift apart on an infeasible path it reports "REG INVARIANTS VIOLATION".
//! Here the fields are private, every constructor and every operation ends in one function,
//! `normalize`, and that function either returns a value in which the views agree or
//! the explicit [`bottom`](ScalarOf::bottom) (the empty set). It repeats, until nothing
//! changes, these sound and individually exact reductions:
//!
//! 1. within each width, the interval ends move to the nearest tnum members
//!    ([`Tnum::min_ge`]), the tnum learns the common prefix of the ends, and the unsigned and
//!    signed intervals reduce each other ([`Bounds::reduce`]);
//! 2. 64 → 32: the low halves of the 64-bit intervals are arcs of the 32-bit circle
//!    ([`Bounds::wide`]);
//! 3. 32 → 64: each 64-bit end moves to the nearest value whose low half is allowed
//!    ([`Bounds::tighten_by_low`]);
//! 4. the two tnums are one: the 32-bit view is the low half of the 64-bit one.
//!
//! ## Width-generic
//!
//! [`ScalarOf<BITS>`] works for any even register width up to 64 with a half-width
//! sub-register; [`Scalar`] is `ScalarOf<64>`. The tests run the very same code at 8 bits
//! (with a 4-bit sub-register) exhaustively over the members of every value they build, which
//! covers every overflow, sign and half-word boundary, and at 64 bits against the concrete
//! semantics of [`crate::concrete`] (itself checked against `hive-interp`).
//!
//! ## Transfer functions and refinement
//!
//! [`ScalarOf::alu`], [`ScalarOf::neg`], [`ScalarOf::endian`] compute the result of every
//! ALU instruction (see `alu.rs`); [`ScalarOf::refine`] and [`ScalarOf::branch_outcome`]
//! narrow both operands of a conditional jump on each edge (see `branch.rs`).
//!
//! ```
//! use hive_verifier::scalar::{Scalar, BranchOutcome};
//! use hive_isa::{AluOp, Cond, Width};
//!
//! let x = Scalar::unsigned(0, 1000);
//! let y = x.alu(AluOp::And, Width::W64, Scalar::constant(0xff));
//! assert_eq!((y.umin(), y.umax()), (0, 0xff));
//! let edges = Scalar::refine(Cond::Gt, Width::W64, y, Scalar::constant(10));
//! assert_eq!(edges.taken.0.umin(), 11);
//! assert_eq!(edges.not_taken.0.umax(), 10);
//! assert_eq!(Scalar::branch_outcome(Cond::Le, Width::W64, y, Scalar::constant(255)), BranchOutcome::Always);
//! ```

mod alu;
mod branch;
mod num;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::range::Bounds;
use crate::tnum::{Tnum, low_mask, sext};
pub use branch::{BranchOutcome, Edges};
pub(crate) use num::Num;

/// What is known about a 64-bit scalar. See the [module documentation](self).
pub type Scalar = ScalarOf<64>;

/// A scalar of `BITS` bits with a `BITS / 2`-bit sub-register: a tnum, unsigned and signed
/// bounds of the whole word and of its low half, always normalised; or the empty set.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScalarOf<const BITS: u32> {
    /// Known bits of the whole word; the low half's tnum is its low half.
    var: Tnum,
    /// Bounds of the whole word.
    full: Bounds,
    /// Bounds of the low half.
    sub: Bounds,
    /// The empty set (all other fields hold the top values then).
    bottom: bool,
}

impl<const BITS: u32> ScalarOf<BITS> {
    const HALF: u32 = {
        assert!(BITS >= 2 && BITS <= 64 && BITS.is_multiple_of(2), "width must be even and at most 64");
        BITS / 2
    };

    /// Every word.
    pub fn top() -> Self {
        ScalarOf { var: Tnum::UNKNOWN.cast(BITS), full: Bounds::top(BITS), sub: Bounds::top(Self::HALF), bottom: false }
    }

    /// No word: the value on an infeasible path.
    pub fn bottom() -> Self {
        ScalarOf { bottom: true, ..Self::top() }
    }

    /// Exactly `x` (its low `BITS` bits).
    pub fn constant(x: u64) -> Self {
        Self::from_num(Num::constant(x, BITS))
    }

    /// An instruction's immediate operand: `imm` sign-extended, which is what a 64-bit
    /// operation or comparison reads, and whose low half is what a 32-bit one reads.
    pub fn imm(imm: i32) -> Self {
        Self::constant(imm as i64 as u64)
    }

    /// The words `lo..=hi` (unsigned); bottom if `lo > hi`.
    pub fn unsigned(lo: u64, hi: u64) -> Self {
        Self::build(Tnum::UNKNOWN, Bounds::unsigned(lo, hi & low_mask(BITS), BITS), Bounds::top(Self::HALF))
    }

    /// The words `lo..=hi` read as signed numbers; bottom if `lo > hi`.
    pub fn signed(lo: i64, hi: i64) -> Self {
        Self::build(Tnum::UNKNOWN, Bounds::signed(lo, hi, BITS), Bounds::top(Self::HALF))
    }

    /// The members of a tnum.
    pub fn from_tnum(t: Tnum) -> Self {
        Self::build(t, Bounds::top(BITS), Bounds::top(Self::HALF))
    }

    /// The words satisfying every given view; this is the one normalising constructor that
    /// every other constructor and operation goes through. `full` must be `BITS`-bit bounds
    /// and `sub` `BITS/2`-bit bounds (see [`Bounds`]).
    pub fn from_parts(var: Tnum, full: Bounds, sub: Bounds) -> Self {
        Self::build(var, full, sub)
    }

    fn build(var: Tnum, full: Bounds, sub: Bounds) -> Self {
        if full.umin > full.umax || full.smin > full.smax || sub.umin > sub.umax || sub.smin > sub.smax {
            return Self::bottom();
        }
        Self::normalize(var.cast(BITS), full, sub).unwrap_or_else(Self::bottom)
    }

    /// A value from its full-width view alone.
    pub(crate) fn from_num(n: Num) -> Self {
        Self::build(n.t, n.b, Bounds::top(Self::HALF))
    }

    /// A value from both views (bottom if either is).
    pub(crate) fn from_nums(full: Option<Num>, sub: Option<Num>) -> Self {
        match (full, sub) {
            (Some(f), Some(s)) => {
                let lifted = Tnum::new(s.t.value(), s.t.mask() | (low_mask(BITS) & !low_mask(Self::HALF)));
                match lifted.and_then(|l| f.t.intersect(l)) {
                    Some(t) => Self::build(t, f.b, s.b),
                    None => Self::bottom(),
                }
            }
            _ => Self::bottom(),
        }
    }

    /// The reduction described in the module documentation; `None` when the views admit no
    /// common word.
    fn normalize(mut var: Tnum, mut full: Bounds, mut sub: Bounds) -> Option<Self> {
        let half = Self::HALF;
        for _ in 0..8 {
            let before = (var, full, sub);
            let f = Num { bits: BITS, t: var, b: full }.reduce()?;
            let s = Num { bits: half, t: f.t.cast(half), b: sub }.reduce()?;
            var = f.t.with_low(s.t, half);
            (full, sub) = (f.b, s.b);
            // 64 → 32: the low halves of both 64-bit intervals.
            let low_u = Bounds::wide(full.umin as i128, full.umax as i128, half);
            let low_s = Bounds::wide(full.smin as i128, full.smax as i128, half);
            sub = sub.meet(low_u)?.meet(low_s)?;
            // 32 → 64: the ends of the 64-bit intervals must have an allowed low half.
            full = full.tighten_by_low(sub, half, BITS)?;
            if (var, full, sub) == before {
                break;
            }
        }
        Some(ScalarOf { var, full, sub, bottom: false })
    }

    /// Whether this is the empty set.
    pub fn is_bottom(&self) -> bool {
        self.bottom
    }

    /// Whether every word is possible.
    pub fn is_top(&self) -> bool {
        *self == Self::top()
    }

    /// The single member, if there is exactly one.
    pub fn as_const(&self) -> Option<u64> {
        if self.bottom { None } else { self.var.as_const() }
    }

    /// Whether `x` is a member.
    pub fn contains(&self, x: u64) -> bool {
        !self.bottom
            && x <= low_mask(BITS)
            && self.var.contains(x)
            && self.full.contains(x, BITS)
            && self.sub.contains(x & low_mask(Self::HALF), Self::HALF)
    }

    /// The known bits (`var_off`); every bit unknown for bottom.
    pub fn tnum(&self) -> Tnum {
        self.var
    }

    /// Bounds of the whole word.
    pub fn bounds(&self) -> Bounds {
        self.full
    }

    /// Bounds of the low half (the sub-register).
    pub fn sub_bounds(&self) -> Bounds {
        self.sub
    }

    /// The smallest member, unsigned (`umin_value`).
    pub fn umin(&self) -> u64 {
        self.full.umin
    }

    /// The largest member, unsigned (`umax_value`).
    pub fn umax(&self) -> u64 {
        self.full.umax
    }

    /// The smallest member, signed (`smin_value`).
    pub fn smin(&self) -> i64 {
        self.full.smin
    }

    /// The largest member, signed (`smax_value`).
    pub fn smax(&self) -> i64 {
        self.full.smax
    }

    /// The smallest low half, unsigned (`u32_min_value`).
    pub fn u32_min(&self) -> u64 {
        self.sub.umin
    }

    /// The largest low half, unsigned (`u32_max_value`).
    pub fn u32_max(&self) -> u64 {
        self.sub.umax
    }

    /// The smallest low half, signed (`s32_min_value`).
    pub fn s32_min(&self) -> i64 {
        self.sub.smin
    }

    /// The largest low half, signed (`s32_max_value`).
    pub fn s32_max(&self) -> i64 {
        self.sub.smax
    }

    pub(crate) fn full_num(&self) -> Num {
        Num { bits: BITS, t: self.var, b: self.full }
    }

    pub(crate) fn sub_num(&self) -> Num {
        Num { bits: Self::HALF, t: self.var.cast(Self::HALF), b: self.sub }
    }

    // ----- lattice ----------------------------------------------------------------------

    /// The least upper bound in this domain: every member of either (the kernel has no
    /// join; PREVAIL joins at loop heads and merges).
    pub fn join(&self, other: &Self) -> Self {
        if self.bottom {
            return *other;
        }
        if other.bottom {
            return *self;
        }
        Self::build(self.var.union(other.var), self.full.join(other.full), self.sub.join(other.sub))
    }

    /// The members of both (bottom if none).
    pub fn meet(&self, other: &Self) -> Self {
        if self.bottom || other.bottom {
            return Self::bottom();
        }
        match (self.var.intersect(other.var), self.full.meet(other.full), self.sub.meet(other.sub)) {
            (Some(t), Some(f), Some(s)) => Self::build(t, f, s),
            _ => Self::bottom(),
        }
    }

    /// The partial order used by state pruning: `true` guarantees that every member of
    /// `self` is a member of `other` (view by view, which is exact on normalised values up
    /// to the gaps a single interval cannot express).
    pub fn is_subset(&self, other: &Self) -> bool {
        self.bottom
            || (!other.bottom
                && self.var.is_subset(other.var)
                && self.full.is_subset(&other.full)
                && self.sub.is_subset(&other.sub))
    }

    /// Widening for loop heads: `self ⊔ next`, with every bound that grew pushed to the next
    /// threshold (the sub-register limits, the sign boundary, the type limits), and every
    /// tnum bit above the highest bit that became unknown made unknown too (a carry on its
    /// way up; the low bits that held, such as an alignment, stay known). Bounds take
    /// finitely many values and tnum bits are only ever lost, so a chain
    /// `x(n+1) = x(n).widen(f(x(n)))` stabilises after a bounded number of steps: a counter
    /// incremented by 8 reaches its fixpoint in four, with its low three bits still zero.
    pub fn widen(&self, next: &Self) -> Self {
        if self.bottom {
            return *next;
        }
        if next.bottom {
            return *self;
        }
        let j = self.join(next);
        let (old, new) = (self.full, j.full);
        let w = BITS;
        let h = Self::HALF;
        let up_u = |x: u64| [low_mask(h), low_mask(w - 1), low_mask(w)].into_iter().find(|&t| t >= x).unwrap();
        let up_s = |x: i64| [low_mask(h - 1) as i64, low_mask(w - 1) as i64].into_iter().find(|&t| t >= x).unwrap();
        let down_s = |x: i64| [0, sext(1 << (h - 1), h), crate::range::smin_of(w)].into_iter().find(|&t| t <= x).unwrap();
        let full = Bounds {
            umin: if new.umin < old.umin { 0 } else { new.umin },
            umax: if new.umax > old.umax { up_u(new.umax) } else { new.umax },
            smin: if new.smin < old.smin { down_s(new.smin) } else { new.smin },
            smax: if new.smax > old.smax { up_s(new.smax) } else { new.smax },
        };
        let (old, new) = (self.sub, j.sub);
        let sub = Bounds {
            umin: if new.umin < old.umin { 0 } else { new.umin },
            umax: if new.umax > old.umax { low_mask(h) } else { new.umax },
            smin: if new.smin < old.smin { crate::range::smin_of(h) } else { new.smin },
            smax: if new.smax > old.smax { crate::range::smax_of(h) } else { new.smax },
        };
        // Known bits lost since the last iterate are a carry on its way up: forget every bit
        // above the highest of them at once, keeping the low bits (alignment) that held.
        let lost = self.var.mask() ^ j.var.mask();
        let var = if lost == 0 {
            j.var
        } else {
            let upward = low_mask(w) & !low_mask(63 - lost.leading_zeros());
            Tnum::new(j.var.value() & !upward, j.var.mask() | upward).expect("value cleared under the mask")
        };
        Self::build(var, full, sub)
    }
}

impl ScalarOf<64> {
    /// The constant 0, usable in `const` contexts (equal to `Scalar::constant(0)`).
    pub const ZERO_CONST: ScalarOf<64> =
        ScalarOf { var: Tnum::constant(0), full: Bounds::constant(0, 64), sub: Bounds::constant(0, 32), bottom: false };
}

impl<const BITS: u32> Default for ScalarOf<BITS> {
    /// [`top`](Self::top).
    fn default() -> Self {
        Self::top()
    }
}

impl<const BITS: u32> fmt::Display for ScalarOf<BITS> {
    /// The kernel's log notation (`print_scalar_ranges`): a constant prints as its signed
    /// value; anything else as `scalar(...)` with the bounds that say more than the type
    /// (in the order smin, smax, umin, umax, then the 32-bit ones), a later bound of the same
    /// kind (minimum or maximum) and sign folded into an earlier equal one
    /// (`smin=smin32=0`), then `var_off` unless nothing is known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bottom {
            return f.write_str("bottom");
        }
        if let Some(c) = self.as_const() {
            return write!(f, "{}", sext(c, BITS));
        }
        let top = Self::top();
        let (b, s, tb, ts) = (self.full, self.sub, top.full, top.sub);
        let mut fields: [(&str, i128, bool); 8] = [
            ("smin", b.smin.into(), b.smin == tb.smin),
            ("smax", b.smax.into(), b.smax == tb.smax),
            ("umin", b.umin.into(), b.umin == 0),
            ("umax", b.umax.into(), b.umax == tb.umax),
            ("smin32", s.smin.into(), s.smin == ts.smin),
            ("smax32", s.smax.into(), s.smax == ts.smax),
            ("umin32", s.umin.into(), s.umin == 0),
            ("umax32", s.umax.into(), s.umax == ts.umax),
        ];
        f.write_str("scalar(")?;
        let mut sep = "";
        for i in 0..fields.len() {
            let (name, value, omit) = fields[i];
            if omit {
                continue;
            }
            write!(f, "{sep}{name}=")?;
            sep = ",";
            for j in (i + 2..fields.len()).step_by(2) {
                let (other, v, o) = fields[j];
                let same_sign = (value < 0) == (v < 0);
                if !o && v == value && same_sign {
                    fields[j].2 = true;
                    write!(f, "{other}=")?;
                }
            }
            write!(f, "{value}")?;
        }
        if !self.var.is_unknown() && self.var != top.var {
            write!(f, "{sep}var_off={}", self.var)?;
        }
        f.write_str(")")
    }
}

impl<const BITS: u32> fmt::Debug for ScalarOf<BITS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bottom {
            return f.write_str("⊥");
        }
        write!(
            f,
            "{{var={} u=[{:#x},{:#x}] s=[{},{}] u32=[{:#x},{:#x}] s32=[{},{}]}}",
            self.var,
            self.full.umin,
            self.full.umax,
            self.full.smin,
            self.full.smax,
            self.sub.umin,
            self.sub.umax,
            self.sub.smin,
            self.sub.smax
        )
    }
}
