//! Conditional jumps: narrowing both operands on each edge, and deciding the branch.
//!
//! For `if a cond b goto`, [`ScalarOf::refine`] returns the operands as they are known on the
//! taken edge (`cond` holds) and on the fall-through edge (it does not). Soundness means that
//! no concrete pair `(x, y)` with `x ∈ a`, `y ∈ b` is lost: if `cond(x, y)` holds, `x` and `y`
//! are members of the taken pair, otherwise of the fall-through pair. An edge no pair can take
//! has both operands bottom. [`ScalarOf::branch_outcome`] reads the kernel's
//! `is_branch_taken` off the two edges.
//!
//! The two operands are treated as independent: for `if r1 > r1` the caller passes the same
//! value twice and intersects the two refined copies of `r1` itself.
//!
//! 64-bit conditions narrow the 64-bit views and 32-bit conditions (`JMP32`) the sub-register
//! views; normalisation then carries what was learnt to the other width (the kernel's
//! `reg_set_min_max` followed by `reg_bounds_sync`).

use hive_isa::{Cond, Width};

use super::{Num, ScalarOf};
use crate::range::{Bounds, smax_of, smin_of};
use crate::tnum::{Tnum, low_mask, sext};

/// The operands on each edge of a conditional jump: `(dst, src)` pairs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Edges<S> {
    /// Where the condition holds (the jump is taken).
    pub taken: (S, S),
    /// Where it does not (the next instruction).
    pub not_taken: (S, S),
}

/// Whether a conditional jump is decided by what is known of its operands (the kernel's
/// `is_branch_taken`: 1, 0 or -1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[doc(alias = "is_branch_taken")]
pub enum BranchOutcome {
    /// Every possible pair satisfies the condition.
    Always,
    /// No possible pair satisfies it (also the answer for bottom operands: nothing runs).
    Never,
    /// Both edges are possible.
    Unknown,
}

/// A condition or the negation of `JSET`, which no `Cond` expresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pred {
    Cond(Cond),
    /// `a & b == 0`.
    Clear,
}

/// The condition of the fall-through edge.
fn negate(cond: Cond) -> Pred {
    Pred::Cond(match cond {
        Cond::Eq => Cond::Ne,
        Cond::Ne => Cond::Eq,
        Cond::Gt => Cond::Le,
        Cond::Le => Cond::Gt,
        Cond::Ge => Cond::Lt,
        Cond::Lt => Cond::Ge,
        Cond::Sgt => Cond::Sle,
        Cond::Sle => Cond::Sgt,
        Cond::Sge => Cond::Slt,
        Cond::Slt => Cond::Sge,
        Cond::Set => return Pred::Clear,
    })
}

/// `n` restricted to `lo..=hi` unsigned.
fn clamp_u(n: Num, lo: u64, hi: u64) -> Option<Num> {
    if lo > hi {
        return None;
    }
    Num::new(n.bits, n.t, n.b.meet(Bounds::unsigned(lo, hi, n.bits))?)
}

/// `n` restricted to `lo..=hi` signed.
fn clamp_s(n: Num, lo: i64, hi: i64) -> Option<Num> {
    if lo > hi {
        return None;
    }
    Num::new(n.bits, n.t, n.b.meet(Bounds::signed(lo, hi, n.bits))?)
}

/// `n` without the value `c`, as far as the bounds can say it (an end that equals `c` moves).
fn remove(n: Num, c: u64) -> Option<Num> {
    if n.as_const() == Some(c) {
        return None;
    }
    let w = n.bits;
    let s = sext(c, w);
    let mut b = n.b;
    if b.umin == c {
        b.umin = c.checked_add(1).filter(|&x| x <= low_mask(w))?;
    }
    if b.umax == c {
        b.umax = c.checked_sub(1)?;
    }
    if b.smin == s {
        b.smin = s.checked_add(1).filter(|&x| x <= smax_of(w))?;
    }
    if b.smax == s {
        b.smax = s.checked_sub(1).filter(|&x| x >= smin_of(w))?;
    }
    if b.umin > b.umax || b.smin > b.smax {
        return None;
    }
    Num::new(w, n.t, b)
}

/// `n` with the bits set in `ones` forced to zero.
fn clear_bits(n: Num, ones: u64) -> Option<Num> {
    let t = n.t.intersect(Tnum::new(0, !ones).expect("value 0"))?;
    Num::new(n.bits, t, n.b)
}

/// If `c` (a constant) shares exactly one possible bit with `n`, `a & c != 0` forces it.
fn force_single_bit(n: Num, c: u64) -> Option<Num> {
    let candidates = (n.t.value() | n.t.mask()) & c;
    if candidates.count_ones() != 1 {
        return Some(n);
    }
    let forced = Tnum::new(candidates, !candidates).expect("disjoint");
    Num::new(n.bits, n.t.intersect(forced)?, n.b)
}

/// Narrows `(a, b)` to the pairs that satisfy `pred`; `None` if no pair does.
fn refine_num(pred: Pred, a: Num, b: Num) -> Option<(Num, Num)> {
    let max = low_mask(a.bits);
    let (smin, smax) = (smin_of(a.bits), smax_of(a.bits));
    let swap = |r: Option<(Num, Num)>| r.map(|(x, y)| (y, x));
    match pred {
        Pred::Cond(Cond::Eq) => {
            let m = a.meet(b)?;
            Some((m, m))
        }
        Pred::Cond(Cond::Ne) => {
            let a2 = match b.as_const() {
                Some(c) => remove(a, c)?,
                None => a,
            };
            let b2 = match a.as_const() {
                Some(c) => remove(b, c)?,
                None => b,
            };
            Some((a2, b2))
        }
        Pred::Cond(Cond::Lt) => {
            let a2 = clamp_u(a, 0, b.b.umax.checked_sub(1)?)?;
            let b2 = clamp_u(b, a.b.umin.checked_add(1).filter(|&x| x <= max)?, max)?;
            Some((a2, b2))
        }
        Pred::Cond(Cond::Le) => Some((clamp_u(a, 0, b.b.umax)?, clamp_u(b, a.b.umin, max)?)),
        Pred::Cond(Cond::Gt) => swap(refine_num(Pred::Cond(Cond::Lt), b, a)),
        Pred::Cond(Cond::Ge) => swap(refine_num(Pred::Cond(Cond::Le), b, a)),
        Pred::Cond(Cond::Slt) => {
            let a2 = clamp_s(a, smin, b.b.smax.checked_sub(1).filter(|&x| x >= smin)?)?;
            let b2 = clamp_s(b, a.b.smin.checked_add(1).filter(|&x| x <= smax)?, smax)?;
            Some((a2, b2))
        }
        Pred::Cond(Cond::Sle) => Some((clamp_s(a, smin, b.b.smax)?, clamp_s(b, a.b.smin, smax)?)),
        Pred::Cond(Cond::Sgt) => swap(refine_num(Pred::Cond(Cond::Slt), b, a)),
        Pred::Cond(Cond::Sge) => swap(refine_num(Pred::Cond(Cond::Sle), b, a)),
        Pred::Cond(Cond::Set) => {
            if a.t.umax() & b.t.umax() == 0 {
                return None;
            }
            let mut a2 = remove(a, 0)?;
            let mut b2 = remove(b, 0)?;
            if let Some(c) = b.as_const() {
                a2 = force_single_bit(a2, c)?;
            }
            if let Some(c) = a.as_const() {
                b2 = force_single_bit(b2, c)?;
            }
            Some((a2, b2))
        }
        Pred::Clear => {
            if a.t.value() & b.t.value() != 0 {
                return None;
            }
            Some((clear_bits(a, b.t.value())?, clear_bits(b, a.t.value())?))
        }
    }
}

impl<const BITS: u32> ScalarOf<BITS> {
    /// The operands `(a, b)` of `if a cond b` narrowed on both edges (the kernel's
    /// `reg_set_min_max`). `W32` compares the low halves (`BITS / 2` bits).
    pub fn refine(cond: Cond, width: Width, a: Self, b: Self) -> Edges<Self> {
        Edges {
            taken: Self::refine_pred(Pred::Cond(cond), width, a, b),
            not_taken: Self::refine_pred(negate(cond), width, a, b),
        }
    }

    /// Whether the jump is always, never or sometimes taken (`is_branch_taken`): an edge is
    /// impossible exactly when its refinement is bottom.
    pub fn branch_outcome(cond: Cond, width: Width, a: Self, b: Self) -> BranchOutcome {
        let edges = Self::refine(cond, width, a, b);
        match (edges.taken.0.is_bottom(), edges.not_taken.0.is_bottom()) {
            (true, _) => BranchOutcome::Never,
            (false, true) => BranchOutcome::Always,
            (false, false) => BranchOutcome::Unknown,
        }
    }

    fn refine_pred(pred: Pred, width: Width, a: Self, b: Self) -> (Self, Self) {
        let dead = (Self::bottom(), Self::bottom());
        if a.bottom || b.bottom {
            return dead;
        }
        let eq = pred == Pred::Cond(Cond::Eq);
        let (a2, b2) = match width {
            Width::W64 => {
                let Some((fa, fb)) = refine_num(pred, a.full_num(), b.full_num()) else { return dead };
                // Equal words have equal low halves.
                let (sa, sb) = if eq {
                    match a.sub_num().meet(b.sub_num()) {
                        Some(m) => (m, m),
                        None => return dead,
                    }
                } else {
                    (a.sub_num(), b.sub_num())
                };
                (Self::from_nums(Some(fa), Some(sa)), Self::from_nums(Some(fb), Some(sb)))
            }
            Width::W32 => {
                let Some((sa, sb)) = refine_num(pred, a.sub_num(), b.sub_num()) else { return dead };
                (Self::from_nums(Some(a.full_num()), Some(sa)), Self::from_nums(Some(b.full_num()), Some(sb)))
            }
        };
        if a2.bottom || b2.bottom { dead } else { (a2, b2) }
    }
}
