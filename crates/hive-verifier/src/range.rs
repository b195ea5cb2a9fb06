//! Interval bounds of one machine word, unsigned and signed at once.
//!
//! [`Bounds`] keeps `umin..=umax` (unsigned order) and `smin..=smax` (signed order) for a word
//! of `bits` bits (2 to 64). Every function that needs the width takes it as a parameter: the
//! same code serves the 64-bit register, its 32-bit sub-register and the 8-bit words of the
//! exhaustive tests.
//!
//! Two facts carry most of the precision:
//!
//! - **Wrapping results are circular intervals.** If an exact integer result lies in
//!   `lo..=hi` with fewer than `2^bits` values, its residues modulo `2^bits` form an arc of the
//!   number circle. The arc is an interval in unsigned order unless it crosses `2^bits - 1 → 0`,
//!   and an interval in signed order unless it crosses `MAX → MIN` ([`Bounds::wide`]). An
//!   addition that overflows on both ends therefore still has exact bounds.
//! - **Unsigned and signed bounds reduce each other exactly** ([`Bounds::reduce`]): the
//!   signed interval splits into a non-negative and a negative piece, each of which is also an
//!   unsigned interval; intersected with the unsigned interval they give the tightest pair.

use crate::tnum::{low_mask, sext};

/// Unsigned and signed bounds of a word. Unsigned bounds lie in `0..2^bits`, signed ones in
/// `-2^(bits-1)..2^(bits-1)`; a value is in the set when it satisfies both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Bounds {
    /// Smallest value, unsigned.
    pub umin: u64,
    /// Largest value, unsigned.
    pub umax: u64,
    /// Smallest value, signed.
    pub smin: i64,
    /// Largest value, signed.
    pub smax: i64,
}

/// The smallest signed `bits`-bit number.
pub(crate) const fn smin_of(bits: u32) -> i64 {
    i64::MIN >> (64 - bits)
}

/// The largest signed `bits`-bit number.
pub(crate) const fn smax_of(bits: u32) -> i64 {
    i64::MAX >> (64 - bits)
}

/// Maps signed order to unsigned order: `x ↦ x + 2^(bits-1)` modulo `2^bits`.
pub(crate) const fn flip(x: i64, bits: u32) -> u64 {
    (x as u64 ^ (1u64 << (bits - 1))) & low_mask(bits)
}

/// The inverse of [`flip`].
pub(crate) const fn unflip(u: u64, bits: u32) -> i64 {
    sext(u ^ (1u64 << (bits - 1)), bits)
}

impl Bounds {
    /// No constraint.
    pub const fn top(bits: u32) -> Bounds {
        Bounds { umin: 0, umax: low_mask(bits), smin: smin_of(bits), smax: smax_of(bits) }
    }

    /// Exactly `x` (its low `bits` bits).
    pub const fn constant(x: u64, bits: u32) -> Bounds {
        let u = x & low_mask(bits);
        let s = sext(u, bits);
        Bounds { umin: u, umax: u, smin: s, smax: s }
    }

    /// `lo..=hi` unsigned, no signed constraint (call [`reduce`](Self::reduce) to derive it).
    pub const fn unsigned(lo: u64, hi: u64, bits: u32) -> Bounds {
        Bounds { umin: lo, umax: hi, ..Bounds::top(bits) }
    }

    /// `lo..=hi` signed, no unsigned constraint.
    pub const fn signed(lo: i64, hi: i64, bits: u32) -> Bounds {
        Bounds { smin: lo, smax: hi, ..Bounds::top(bits) }
    }

    /// The residues modulo `2^bits` of the integers `lo..=hi` (`lo <= hi`): the bounds of a
    /// wrapping computation whose exact result lies in that interval.
    pub fn wide(lo: i128, hi: i128, bits: u32) -> Bounds {
        debug_assert!(lo <= hi);
        let modulus = 1i128 << bits;
        if hi - lo >= modulus - 1 {
            return Bounds::top(bits);
        }
        Bounds::arc(lo.rem_euclid(modulus) as u64, hi.rem_euclid(modulus) as u64, bits)
    }

    /// [`wide`](Self::wide) for unsigned integers up to `2^128 - 1`.
    pub fn wide_unsigned(lo: u128, hi: u128, bits: u32) -> Bounds {
        debug_assert!(lo <= hi);
        if hi - lo >= low_mask(bits) as u128 {
            return Bounds::top(bits);
        }
        Bounds::arc(lo as u64 & low_mask(bits), hi as u64 & low_mask(bits), bits)
    }

    /// The arc of the number circle from `from` to `to` (both reduced), going upwards.
    fn arc(from: u64, to: u64, bits: u32) -> Bounds {
        let mut b = Bounds::top(bits);
        if from <= to {
            b.umin = from;
            b.umax = to;
        }
        let (sf, st) = (sext(from, bits), sext(to, bits));
        if sf <= st {
            b.smin = sf;
            b.smax = st;
        }
        b
    }

    /// Whether `x` (a `bits`-bit word) satisfies both pairs of bounds.
    pub const fn contains(&self, x: u64, bits: u32) -> bool {
        let s = sext(x, bits);
        self.umin <= x && x <= self.umax && self.smin <= s && s <= self.smax
    }

    /// Whether both bounds are the same single value.
    pub const fn as_const(&self) -> Option<u64> {
        if self.umin == self.umax { Some(self.umin) } else { None }
    }

    /// Component-wise intersection, `None` if a component is empty.
    pub fn meet(self, other: Bounds) -> Option<Bounds> {
        let b = Bounds {
            umin: self.umin.max(other.umin),
            umax: self.umax.min(other.umax),
            smin: self.smin.max(other.smin),
            smax: self.smax.min(other.smax),
        };
        (b.umin <= b.umax && b.smin <= b.smax).then_some(b)
    }

    /// Component-wise hull.
    pub fn join(self, other: Bounds) -> Bounds {
        Bounds {
            umin: self.umin.min(other.umin),
            umax: self.umax.max(other.umax),
            smin: self.smin.min(other.smin),
            smax: self.smax.max(other.smax),
        }
    }

    /// Whether each interval lies inside the other's (a sufficient condition for inclusion
    /// of the sets, and an exact one for reduced bounds).
    pub const fn is_subset(&self, other: &Bounds) -> bool {
        other.umin <= self.umin && self.umax <= other.umax && other.smin <= self.smin && self.smax <= other.smax
    }

    /// The values that satisfy both pairs as at most two unsigned intervals: the
    /// non-negative piece (`0..=2^(bits-1)-1` in both orders) and the negative piece
    /// (`2^(bits-1)..=2^bits-1` unsigned), each cut to the unsigned interval.
    pub fn pieces(&self, bits: u32) -> [Option<(u64, u64)>; 2] {
        let nonneg = (self.smax >= 0)
            .then(|| (self.smin.max(0) as u64, self.smax as u64))
            .and_then(|(lo, hi)| clip(lo, hi, self.umin, self.umax));
        let neg = (self.smin < 0)
            .then(|| (self.smin as u64 & low_mask(bits), self.smax.min(-1) as u64 & low_mask(bits)))
            .and_then(|(lo, hi)| clip(lo, hi, self.umin, self.umax));
        [nonneg, neg]
    }

    /// The tightest bounds of the values that satisfy both pairs, or `None` if none does:
    /// the ends of the [`pieces`](Self::pieces) in each order.
    pub fn reduce(self, bits: u32) -> Option<Bounds> {
        let s = |u: u64| sext(u, bits);
        match self.pieces(bits) {
            [None, None] => None,
            [Some((lo, hi)), None] | [None, Some((lo, hi))] => {
                Some(Bounds { umin: lo, umax: hi, smin: s(lo), smax: s(hi) })
            }
            [Some((plo, phi)), Some((nlo, nhi))] => Some(Bounds { umin: plo, umax: nhi, smin: s(nlo), smax: s(phi) }),
        }
    }

    /// Tightens the unsigned and the signed ends of a `bits`-wide word, given that its low
    /// `low_bits` bits satisfy `low` (both orders): each end moves to the nearest value whose
    /// low bits are allowed. `None` if no value between the ends qualifies.
    pub fn tighten_by_low(self, low: Bounds, low_bits: u32, bits: u32) -> Option<Bounds> {
        debug_assert!(low_bits < bits);
        let pieces = low.pieces(low_bits);
        let raise_all = |x: u64| pieces.iter().flatten().filter_map(|&(lo, hi)| raise(x, lo, hi, low_bits, bits)).min();
        let lower_all = |x: u64| pieces.iter().flatten().filter_map(|&(lo, hi)| lower(x, lo, hi, low_bits)).max();
        let umin = raise_all(self.umin)?;
        let umax = lower_all(self.umax)?;
        // Flipping the top bit maps signed order to unsigned order and keeps the low bits.
        let smin = unflip(raise_all(flip(self.smin, bits))?, bits);
        let smax = unflip(lower_all(flip(self.smax, bits))?, bits);
        (umin <= umax && smin <= smax).then_some(Bounds { umin, umax, smin, smax })
    }
}

/// `lo..=hi ∩ min..=max`, if not empty.
fn clip(lo: u64, hi: u64, min: u64, max: u64) -> Option<(u64, u64)> {
    let (lo, hi) = (lo.max(min), hi.min(max));
    (lo <= hi).then_some((lo, hi))
}

/// The smallest `y >= x` (a `bits`-bit word) whose low `low_bits` bits lie in `lo..=hi`.
fn raise(x: u64, lo: u64, hi: u64, low_bits: u32, bits: u32) -> Option<u64> {
    let low = x & low_mask(low_bits);
    let high = x >> low_bits;
    if low < lo {
        Some((high << low_bits) | lo)
    } else if low > hi {
        let next = high + 1;
        (next <= low_mask(bits - low_bits)).then(|| (next << low_bits) | lo)
    } else {
        Some(x)
    }
}

/// The largest `y <= x` whose low `low_bits` bits lie in `lo..=hi`.
fn lower(x: u64, lo: u64, hi: u64, low_bits: u32) -> Option<u64> {
    let low = x & low_mask(low_bits);
    let high = x >> low_bits;
    if low > hi {
        Some((high << low_bits) | hi)
    } else if low < lo {
        (high > 0).then(|| ((high - 1) << low_bits) | hi)
    } else {
        Some(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// All bounds of width 5 with non-empty components, against every member.
    #[test]
    fn reduce_is_exact_5_bits() {
        const W: u32 = 5;
        let words = 0..=low_mask(W);
        for umin in words.clone() {
            for umax in umin..=low_mask(W) {
                for smin in smin_of(W)..=smax_of(W) {
                    for smax in smin..=smax_of(W) {
                        let b = Bounds { umin, umax, smin, smax };
                        let members: Vec<u64> = words.clone().filter(|&x| b.contains(x, W)).collect();
                        match b.reduce(W) {
                            None => assert!(members.is_empty(), "{b:?}"),
                            Some(r) => {
                                assert_eq!(r.umin, members[0]);
                                assert_eq!(r.umax, *members.last().unwrap());
                                assert_eq!(r.smin, members.iter().map(|&x| sext(x, W)).min().unwrap());
                                assert_eq!(r.smax, members.iter().map(|&x| sext(x, W)).max().unwrap());
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn wide_is_exact_on_arcs_6_bits() {
        const W: u32 = 6;
        for lo in -100i128..100 {
            for len in 0..70i128 {
                let hi = lo + len;
                let b = Bounds::wide(lo, hi, W);
                let res: Vec<u64> = (lo..=hi).map(|x| x.rem_euclid(64) as u64).collect();
                for &x in &res {
                    assert!(b.contains(x, W), "{lo}..{hi}");
                }
                if (len as u64) < 64 {
                    let (from, to) = (res[0], *res.last().unwrap());
                    if from <= to {
                        assert_eq!((b.umin, b.umax), (from, to));
                    }
                }
                if lo >= 0 {
                    let u = Bounds::wide_unsigned(lo as u128, hi as u128, W);
                    assert_eq!(u, b);
                }
            }
        }
    }

    #[test]
    fn tighten_by_low_is_exact_at_the_ends_8_bits() {
        const W: u32 = 8;
        const H: u32 = 4;
        for (umin, umax) in [(0u64, 255u64), (3, 77), (17, 18), (200, 255), (16, 31)] {
            for (smin, smax) in [(-128i64, 127i64), (-3, 5), (-100, -90), (10, 20)] {
                let b = Bounds { umin, umax, smin, smax };
                for (lo, hi) in [(0u64, 15u64), (3, 5), (15, 15), (0, 0), (8, 12)] {
                    let members: Vec<u64> =
                        (0..=255u64).filter(|&x| b.contains(x, W) && (lo..=hi).contains(&(x & 15))).collect();
                    match b.tighten_by_low(Bounds::unsigned(lo, hi, H), H, W) {
                        None => assert!(members.is_empty()),
                        Some(t) => {
                            for &x in &members {
                                assert!(t.contains(x, W), "{b:?} {lo} {hi} lost {x}");
                            }
                            // The unsigned ends are exact whenever both orders agree on the set.
                            if smin == -128 && smax == 127 && !members.is_empty() {
                                assert_eq!((t.umin, t.umax), (members[0], *members.last().unwrap()));
                            }
                        }
                    }
                }
            }
        }
    }
}
