//! Tristate numbers: the kernel's known-bits domain (`kernel/bpf/tnum.c`).
//!
//! A [`Tnum`] `(value; mask)` stands for every 64-bit word `x` with `x & !mask == value`: bits
//! set in `mask` are unknown, the others are known and equal to the bit of `value`. The
//! invariant `value & mask == 0` holds for every value of the type, so there is exactly one
//! representation of each set. A tnum is never empty; infeasibility is the business of the
//! callers ([`Tnum::intersect`] answers `None` when two tnums contradict each other).
//!
//! Narrower words (the 32-bit sub-register, or the 4- to 8-bit words the exhaustive tests use)
//! are tnums whose bits above the width are known zero: every operation that only looks
//! downwards (`add`, `sub`, `neg`, `mul`, the bitwise ones, `lsh`) gives the right low bits
//! when its result is [`cast`](Tnum::cast) to the width, `rsh` is exact on such inputs, and
//! [`arsh`](Tnum::arsh) takes the width as a parameter. This is how the kernel treats
//! sub-registers (`tnum_subreg`, `tnum_cast`), and it lets one implementation be tested
//! exhaustively at small widths and by property tests at 64 bits.
//!
//! Soundness: for every operation `op` and all members `x ∈ a`, `y ∈ b`,
//! `op(x, y) ∈ a.op(b)`. `add`, `sub`, `and`, `or`, `xor` and `union` are also optimal (the
//! smallest tnum containing every result); `mul` is the sound algorithm of Vishwanathan,
//! Shachnai, Narayana and Nagarakatte ("Sound, precise, and fast abstract interpretation with
//! tristate numbers", CGO 2022), which the kernel adopted. Both facts are checked by the tests
//! in `tnum/tests.rs` (exhaustively at 4 and 6 bits, by property tests at 64 bits).

use std::fmt;

/// A set of 64-bit words described by known bits. See the [module documentation](self).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[doc(alias = "tnum")]
pub struct Tnum {
    value: u64,
    mask: u64,
}

/// All ones in the low `bits` bits (`bits` in 0..=64).
pub(crate) const fn low_mask(bits: u32) -> u64 {
    if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 }
}

/// Sign-extends the low `bits` bits of `x` to 64 bits.
pub(crate) const fn sext(x: u64, bits: u32) -> i64 {
    if bits >= 64 {
        x as i64
    } else {
        let shift = 64 - bits;
        ((x << shift) as i64) >> shift
    }
}

impl Tnum {
    /// Every word: all bits unknown (`tnum_unknown`).
    pub const UNKNOWN: Tnum = Tnum { value: 0, mask: u64::MAX };

    /// The single word `v` (`tnum_const`).
    #[doc(alias = "tnum_const")]
    pub const fn constant(v: u64) -> Tnum {
        Tnum { value: v, mask: 0 }
    }

    /// The tnum with these known bits and unknown bits, or `None` if a bit is both known to
    /// be one and unknown (`value & mask != 0`).
    pub const fn new(value: u64, mask: u64) -> Option<Tnum> {
        if value & mask == 0 { Some(Tnum { value, mask }) } else { None }
    }

    /// The smallest tnum containing every word of `min..=max` (`tnum_range`): the bits the
    /// two ends share above their highest difference are known. An empty range (`min > max`)
    /// gives the tnum of the common prefix all the same; callers check emptiness themselves.
    #[doc(alias = "tnum_range")]
    pub const fn range(min: u64, max: u64) -> Tnum {
        let differ = min ^ max;
        let bits = 64 - differ.leading_zeros();
        let delta = low_mask(bits);
        Tnum { value: min & !delta, mask: delta }
    }

    /// The known bits (unknown bits read as zero).
    pub const fn value(self) -> u64 {
        self.value
    }

    /// The unknown bits.
    pub const fn mask(self) -> u64 {
        self.mask
    }

    /// Whether every bit is known (`tnum_is_const`).
    #[doc(alias = "tnum_is_const")]
    pub const fn is_const(self) -> bool {
        self.mask == 0
    }

    /// The single member, if every bit is known.
    pub const fn as_const(self) -> Option<u64> {
        if self.mask == 0 { Some(self.value) } else { None }
    }

    /// Whether nothing is known.
    pub const fn is_unknown(self) -> bool {
        self.mask == u64::MAX
    }

    /// Whether `x` is a member.
    pub const fn contains(self, x: u64) -> bool {
        x & !self.mask == self.value
    }

    /// Whether every member of `self` is a member of `other` (the kernel's
    /// `tnum_in(other, self)`): `other` knows no bit that `self` does not know equally.
    #[doc(alias = "tnum_in")]
    pub const fn is_subset(self, other: Tnum) -> bool {
        self.mask & !other.mask == 0 && self.value & !other.mask == other.value
    }

    /// Whether `self` and `other` describe the same set (`tnum_equals_const` generalised).
    pub const fn equals(self, other: Tnum) -> bool {
        self.value == other.value && self.mask == other.mask
    }

    /// The smallest member (unsigned).
    pub const fn umin(self) -> u64 {
        self.value
    }

    /// The largest member (unsigned).
    pub const fn umax(self) -> u64 {
        self.value | self.mask
    }

    /// The smallest member of a `bits`-wide tnum read as a signed `bits`-bit number.
    pub const fn smin(self, bits: u32) -> i64 {
        let sign = 1u64 << (bits - 1);
        sext(self.value | (self.mask & sign), bits)
    }

    /// The largest member of a `bits`-wide tnum read as a signed `bits`-bit number.
    pub const fn smax(self, bits: u32) -> i64 {
        let sign = 1u64 << (bits - 1);
        sext(self.value | (self.mask & !sign & low_mask(bits)), bits)
    }

    /// The smallest member that is `>= x`, if there is one.
    ///
    /// Exact (unlike deriving bounds from [`umin`](Self::umin)): it keeps the longest
    /// prefix of `x` the tnum allows, raises the lowest bit it can above the first conflict,
    /// and fills the rest with the smallest bits the tnum allows.
    pub const fn min_ge(self, x: u64) -> Option<u64> {
        if self.contains(x) {
            return Some(x);
        }
        // Bits where `x` contradicts a known bit; the highest of them must be left behind.
        let conflict = (x ^ self.value) & !self.mask;
        let top = 63 - conflict.leading_zeros();
        // Positions at or above `top` where `x` has 0 and the member may have 1.
        let at_or_above = !low_mask(top);
        let raisable = !x & (self.mask | self.value) & at_or_above;
        if raisable == 0 {
            return None;
        }
        let i = raisable.trailing_zeros();
        let below = low_mask(i);
        let keep = !(below | (1u64 << i));
        Some((x & keep) | (1u64 << i) | (self.value & below))
    }

    /// The largest member that is `<= x`, if there is one (the mirror image of
    /// [`min_ge`](Self::min_ge) under bitwise complement).
    pub const fn max_le(self, x: u64) -> Option<u64> {
        let flipped = Tnum { value: !self.value & !self.mask, mask: self.mask };
        match flipped.min_ge(!x) {
            Some(y) => Some(!y),
            None => None,
        }
    }

    /// `self + other` (`tnum_add`): the carries that may differ between the smallest and the
    /// largest sums mark the unknown bits.
    #[doc(alias = "tnum_add")]
    pub const fn add(self, other: Tnum) -> Tnum {
        let masks = self.mask.wrapping_add(other.mask);
        let values = self.value.wrapping_add(other.value);
        let highest = masks.wrapping_add(values);
        let carries = highest ^ values;
        let unknown = carries | self.mask | other.mask;
        Tnum { value: values & !unknown, mask: unknown }
    }

    /// `self - other` (`tnum_sub`): the borrows that may differ mark the unknown bits.
    #[doc(alias = "tnum_sub")]
    pub const fn sub(self, other: Tnum) -> Tnum {
        let diff = self.value.wrapping_sub(other.value);
        let largest = diff.wrapping_add(self.mask);
        let smallest = diff.wrapping_sub(other.mask);
        let unknown = (largest ^ smallest) | self.mask | other.mask;
        Tnum { value: diff & !unknown, mask: unknown }
    }

    /// `-self` (`tnum_neg`).
    #[doc(alias = "tnum_neg")]
    pub const fn neg(self) -> Tnum {
        Tnum::constant(0).sub(self)
    }

    /// `self * other` (`tnum_mul`), the CGO 2022 algorithm: the product of the known parts,
    /// plus, for each bit of `self` that may be one, a shifted copy of `other` whose bits are
    /// all unknown where it could contribute (only `other`'s unknown bits when the bit of
    /// `self` is known one), accumulated with [`add`](Self::add).
    #[doc(alias = "tnum_mul")]
    pub const fn mul(self, other: Tnum) -> Tnum {
        let known = self.value.wrapping_mul(other.value);
        let mut uncertain = Tnum::constant(0);
        let mut a = self;
        let mut b = other;
        while a.value != 0 || a.mask != 0 {
            if a.value & 1 == 1 {
                uncertain = uncertain.add(Tnum { value: 0, mask: b.mask });
            } else if a.mask & 1 == 1 {
                uncertain = uncertain.add(Tnum { value: 0, mask: b.value | b.mask });
            }
            a = a.rsh(1);
            b = b.lsh(1);
        }
        Tnum::constant(known).add(uncertain)
    }

    /// `self & other` (`tnum_and`).
    #[doc(alias = "tnum_and")]
    pub const fn and(self, other: Tnum) -> Tnum {
        let maybe_a = self.value | self.mask;
        let maybe_b = other.value | other.mask;
        let value = self.value & other.value;
        Tnum { value, mask: maybe_a & maybe_b & !value }
    }

    /// `self | other` (`tnum_or`).
    #[doc(alias = "tnum_or")]
    pub const fn or(self, other: Tnum) -> Tnum {
        let value = self.value | other.value;
        Tnum { value, mask: (self.mask | other.mask) & !value }
    }

    /// `self ^ other` (`tnum_xor`).
    #[doc(alias = "tnum_xor")]
    pub const fn xor(self, other: Tnum) -> Tnum {
        let unknown = self.mask | other.mask;
        Tnum { value: (self.value ^ other.value) & !unknown, mask: unknown }
    }

    /// `self << shift` (`tnum_lshift`); a shift of 64 or more gives 0.
    #[doc(alias = "tnum_lshift")]
    pub const fn lsh(self, shift: u32) -> Tnum {
        if shift >= 64 {
            return Tnum::constant(0);
        }
        Tnum { value: self.value << shift, mask: self.mask << shift }
    }

    /// Logical `self >> shift` (`tnum_rshift`); a shift of 64 or more gives 0.
    #[doc(alias = "tnum_rshift")]
    pub const fn rsh(self, shift: u32) -> Tnum {
        if shift >= 64 {
            return Tnum::constant(0);
        }
        Tnum { value: self.value >> shift, mask: self.mask >> shift }
    }

    /// Arithmetic `self s>> shift` on a `bits`-wide tnum (`tnum_arshift`): the sign bit (bit
    /// `bits - 1`, known or not) is copied into the vacated bits. The result is `bits` wide;
    /// `shift` must be below `bits`.
    #[doc(alias = "tnum_arshift")]
    pub const fn arsh(self, shift: u32, bits: u32) -> Tnum {
        let value = (sext(self.value, bits) >> shift) as u64;
        let mask = (sext(self.mask, bits) >> shift) as u64;
        Tnum { value, mask }.cast(bits)
    }

    /// The members of both, or `None` if a bit is known differently in each
    /// (`tnum_intersect`, which in the kernel silently returns a wrong tnum in that case).
    #[doc(alias = "tnum_intersect")]
    pub const fn intersect(self, other: Tnum) -> Option<Tnum> {
        if (self.value ^ other.value) & !self.mask & !other.mask != 0 {
            return None;
        }
        let value = self.value | other.value;
        let mask = self.mask & other.mask;
        Some(Tnum { value: value & !mask, mask })
    }

    /// The smallest tnum containing both (`tnum_union`): the join of the lattice.
    #[doc(alias = "tnum_union")]
    pub const fn union(self, other: Tnum) -> Tnum {
        let unknown = self.mask | other.mask | (self.value ^ other.value);
        Tnum { value: self.value & !unknown, mask: unknown }
    }

    /// The low `bits` bits, the others known zero (`tnum_cast`, which counts bytes).
    #[doc(alias = "tnum_cast")]
    pub const fn cast(self, bits: u32) -> Tnum {
        let m = low_mask(bits);
        Tnum { value: self.value & m, mask: self.mask & m }
    }

    /// The low 32 bits (`tnum_subreg`).
    #[doc(alias = "tnum_subreg")]
    pub const fn subreg(self) -> Tnum {
        self.cast(32)
    }

    /// The high 32 bits kept, the low 32 bits known zero (`tnum_clear_subreg`).
    #[doc(alias = "tnum_clear_subreg")]
    pub const fn clear_subreg(self) -> Tnum {
        Tnum { value: self.value & !low_mask(32), mask: self.mask & !low_mask(32) }
    }

    /// The high 32 bits of `self` with the low 32 bits of `sub` (`tnum_with_subreg`).
    #[doc(alias = "tnum_with_subreg")]
    pub const fn with_subreg(self, sub: Tnum) -> Tnum {
        self.with_low(sub, 32)
    }

    /// The bits of `self` above `bits` with the low `bits` bits of `low`.
    pub const fn with_low(self, low: Tnum, bits: u32) -> Tnum {
        let m = low_mask(bits);
        Tnum { value: (self.value & !m) | (low.value & m), mask: (self.mask & !m) | (low.mask & m) }
    }

    /// The low `bits` bits sign-extended to 64 bits: if bit `bits - 1` is unknown, every bit
    /// above it is unknown too.
    pub const fn sext(self, bits: u32) -> Tnum {
        Tnum { value: sext(self.value, bits) as u64, mask: sext(self.mask, bits) as u64 }
    }

    /// The low `bits` bits (16, 32 or 64) with their bytes reversed, zero-extended.
    pub const fn bswap(self, bits: u32) -> Tnum {
        let shift = 64 - bits;
        let c = self.cast(bits);
        Tnum { value: c.value.swap_bytes() >> shift, mask: c.mask.swap_bytes() >> shift }
    }

    /// Every member, smallest first. Meant for tests on narrow tnums: a tnum with `k`
    /// unknown bits has `2^k` members.
    pub fn members(self) -> impl Iterator<Item = u64> + Clone {
        let mask = self.mask;
        let value = self.value;
        let mut next = Some(0u64);
        std::iter::from_fn(move || {
            let sub = next?;
            // Enumerate the subsets of `mask` in increasing order.
            next = if sub == mask { None } else { Some(sub.wrapping_sub(mask) & mask) };
            Some(value | sub)
        })
    }
}

impl Default for Tnum {
    /// [`Tnum::UNKNOWN`].
    fn default() -> Self {
        Tnum::UNKNOWN
    }
}

impl fmt::Display for Tnum {
    /// The kernel's `var_off` notation: `(0x0; 0xff)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({:#x}; {:#x})", self.value, self.mask)
    }
}

impl fmt::Debug for Tnum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tnum{self}")
    }
}

#[cfg(test)]
mod tests;
