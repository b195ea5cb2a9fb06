//! One word of a given width (`tnum` plus [`Bounds`]) and the arithmetic on it.
//!
//! A [`Num`] is the building block of [`super::ScalarOf`]: a register is a `Num` of its full
//! width and a `Num` of its low half, tied together by the scalar's normalisation. Every
//! function here is a sound over-approximation of the wrapping operation at `bits` bits; the
//! results are reduced ([`Num::reduce`]), so the tnum and both intervals agree.

use crate::range::{Bounds, flip, smax_of, smin_of, unflip};
use crate::tnum::{Tnum, low_mask};

/// The three shifts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shift {
    Left,
    Right,
    Arith,
}

/// The signed divisors of a division, by behaviour: zero, minus one (which overflows on
/// `MIN`), the other negative ones and the positive ones.
struct DivisorParts {
    zero: bool,
    minus_one: bool,
    neg: Option<(i128, i128)>,
    pos: Option<(i128, i128)>,
}

/// A set of `bits`-bit words: the members of `t` that satisfy `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Num {
    pub bits: u32,
    pub t: Tnum,
    pub b: Bounds,
}

impl Num {
    pub fn constant(x: u64, bits: u32) -> Num {
        Num { bits, t: Tnum::constant(x & low_mask(bits)), b: Bounds::constant(x, bits) }
    }

    /// The reduced form of `(t, b)`, or `None` if no word satisfies both.
    pub fn new(bits: u32, t: Tnum, b: Bounds) -> Option<Num> {
        Num { bits, t: t.cast(bits), b }.reduce()
    }

    /// A result known only by its bounds (its tnum follows from them).
    fn from_bounds(bits: u32, b: Bounds) -> Option<Num> {
        Num::new(bits, Tnum::UNKNOWN, b)
    }

    /// Makes the tnum and both intervals agree: the interval ends move to the nearest tnum
    /// members ([`Tnum::min_ge`], exact), the tnum learns the common prefix of each interval's
    /// ends, and the two intervals reduce each other ([`Bounds::reduce`]). Two rounds reach
    /// the fixpoint in practice; the loop stops at four.
    pub fn reduce(self) -> Option<Num> {
        let bits = self.bits;
        let mut n = self;
        for _ in 0..4 {
            let before = n;
            let mut b = n.b.reduce(bits)?;
            let t = n.t;
            b.umin = t.min_ge(b.umin)?;
            b.umax = t.max_le(b.umax)?;
            // Signed order is unsigned order with the sign bit flipped.
            let sign = 1u64 << (bits - 1);
            let tf = Tnum::new(t.value() ^ (sign & !t.mask()), t.mask()).expect("flipping a bit keeps value & mask == 0");
            b.smin = unflip(tf.min_ge(flip(b.smin, bits))?, bits);
            b.smax = unflip(tf.max_le(flip(b.smax, bits))?, bits);
            if b.umin > b.umax || b.smin > b.smax {
                return None;
            }
            let tu = Tnum::range(b.umin, b.umax);
            let ts = Tnum::range(flip(b.smin, bits), flip(b.smax, bits));
            let ts = Tnum::new(ts.value() ^ (sign & !ts.mask()), ts.mask()).expect("as above");
            let t = t.intersect(tu)?.intersect(ts)?;
            n = Num { bits, t, b: b.reduce(bits)? };
            if n == before {
                break;
            }
        }
        Some(n)
    }

    pub fn as_const(&self) -> Option<u64> {
        self.t.as_const()
    }

    pub fn contains(&self, x: u64) -> bool {
        x <= low_mask(self.bits) && self.t.contains(x) && self.b.contains(x, self.bits)
    }

    pub fn join(self, other: Num) -> Num {
        Num { bits: self.bits, t: self.t.union(other.t), b: self.b.join(other.b) }
    }

    pub fn meet(self, other: Num) -> Option<Num> {
        Num::new(self.bits, self.t.intersect(other.t)?, self.b.meet(other.b)?)
    }

    fn smin(&self) -> i128 {
        self.b.smin as i128
    }

    fn smax(&self) -> i128 {
        self.b.smax as i128
    }

    // ----- arithmetic -------------------------------------------------------------------

    pub fn add(self, o: Num) -> Option<Num> {
        let w = self.bits;
        let u = Bounds::wide(self.b.umin as i128 + o.b.umin as i128, self.b.umax as i128 + o.b.umax as i128, w);
        let s = Bounds::wide(self.smin() + o.smin(), self.smax() + o.smax(), w);
        Num::new(w, self.t.add(o.t), u.meet(s)?)
    }

    pub fn sub(self, o: Num) -> Option<Num> {
        let w = self.bits;
        let u = Bounds::wide(self.b.umin as i128 - o.b.umax as i128, self.b.umax as i128 - o.b.umin as i128, w);
        let s = Bounds::wide(self.smin() - o.smax(), self.smax() - o.smin(), w);
        Num::new(w, self.t.sub(o.t), u.meet(s)?)
    }

    pub fn neg(self) -> Option<Num> {
        Num::constant(0, self.bits).sub(self)
    }

    pub fn mul(self, o: Num) -> Option<Num> {
        let w = self.bits;
        let u = Bounds::wide_unsigned(
            self.b.umin as u128 * o.b.umin as u128,
            self.b.umax as u128 * o.b.umax as u128,
            w,
        );
        let corners = [self.smin() * o.smin(), self.smin() * o.smax(), self.smax() * o.smin(), self.smax() * o.smax()];
        let (lo, hi) = (corners.iter().min().copied().unwrap(), corners.iter().max().copied().unwrap());
        let s = Bounds::wide(lo, hi, w);
        Num::new(w, self.t.mul(o.t), u.meet(s)?)
    }

    /// Unsigned division; `x / 0 = 0`.
    pub fn udiv(self, o: Num) -> Option<Num> {
        let w = self.bits;
        if o.b.umax == 0 {
            return Some(Num::constant(0, w));
        }
        if let Some(k) = o.as_const().filter(|d| d.is_power_of_two()).map(u64::trailing_zeros) {
            return self.shr_const(k);
        }
        let hi = self.b.umax / o.b.umin.max(1);
        let lo = if o.b.umin == 0 { 0 } else { self.b.umin / o.b.umax };
        Num::from_bounds(w, Bounds::unsigned(lo, hi, w))
    }

    /// Unsigned remainder; `x % 0 = x`.
    pub fn umod(self, o: Num) -> Option<Num> {
        let w = self.bits;
        if o.b.umax == 0 {
            return Some(self);
        }
        let nonzero_min = o.b.umin.max(1);
        let by_nonzero = if self.b.umax < nonzero_min {
            self
        } else if let Some(d) = o.as_const().filter(|d| d.is_power_of_two()) {
            self.and(Num::constant(d - 1, w))?
        } else {
            Num::from_bounds(w, Bounds::unsigned(0, self.b.umax.min(o.b.umax - 1), w))?
        };
        Some(if o.b.umin == 0 { by_nonzero.join(self) } else { by_nonzero })
    }

    /// The divisor's signed range split into the parts where division behaves uniformly.
    fn divisor_parts(&self) -> DivisorParts {
        let (lo, hi) = (self.smin(), self.smax());
        DivisorParts {
            zero: self.contains(0),
            minus_one: self.contains(low_mask(self.bits)),
            neg: (lo <= -2).then(|| (lo, hi.min(-2))),
            pos: (hi >= 1).then(|| (lo.max(1), hi)),
        }
    }

    /// Signed division truncating toward zero; `x s/ 0 = 0`, `MIN s/ -1 = MIN`.
    pub fn sdiv(self, o: Num) -> Option<Num> {
        let w = self.bits;
        let DivisorParts { zero, minus_one, neg, pos } = o.divisor_parts();
        let mut parts: Vec<Num> = Vec::new();
        if zero {
            parts.push(Num::constant(0, w));
        }
        if minus_one {
            parts.push(self.neg()?);
        }
        for (d1, d2) in neg.into_iter().chain(pos) {
            // Truncating division is monotone in the dividend for a fixed divisor and
            // monotone in the divisor on each sign of the dividend: corners suffice.
            let (a1, a2) = (self.smin(), self.smax());
            let q = [a1 / d1, a1 / d2, a2 / d1, a2 / d2];
            let (lo, hi) = (*q.iter().min().unwrap(), *q.iter().max().unwrap());
            parts.push(Num::from_bounds(w, Bounds::signed(lo as i64, hi as i64, w))?);
        }
        if o.as_const() == Some(1) {
            return Some(self);
        }
        parts.into_iter().reduce(Num::join).and_then(Num::reduce)
    }

    /// Signed remainder with the dividend's sign; `x s% 0 = x`, `x s% -1 = 0`.
    pub fn smod(self, o: Num) -> Option<Num> {
        let w = self.bits;
        let DivisorParts { zero, minus_one, neg, pos } = o.divisor_parts();
        let mut parts: Vec<Num> = Vec::new();
        if zero {
            parts.push(self);
        }
        if minus_one {
            parts.push(Num::constant(0, w));
        }
        // Magnitudes of the other divisors.
        let mags: Vec<(i128, i128)> = neg.map(|(d1, d2)| (-d2, -d1)).into_iter().chain(pos).collect();
        if !mags.is_empty() {
            let min_mag = mags.iter().map(|m| m.0).min().unwrap();
            let max_mag = mags.iter().map(|m| m.1).max().unwrap();
            let (a1, a2) = (self.smin(), self.smax());
            if -min_mag < a1 && a2 < min_mag {
                parts.push(self);
            } else {
                let lo = if a1 < 0 { a1.max(1 - max_mag) } else { 0 };
                let hi = if a2 > 0 { a2.min(max_mag - 1) } else { 0 };
                parts.push(Num::from_bounds(w, Bounds::signed(lo as i64, hi as i64, w))?);
            }
        }
        parts.into_iter().reduce(Num::join).and_then(Num::reduce)
    }

    pub fn and(self, o: Num) -> Option<Num> {
        let w = self.bits;
        let t = self.t.and(o.t);
        Num::new(w, t, Bounds::unsigned(t.umin(), self.b.umax.min(o.b.umax), w))
    }

    pub fn or(self, o: Num) -> Option<Num> {
        let w = self.bits;
        let t = self.t.or(o.t);
        Num::new(w, t, Bounds::unsigned(self.b.umin.max(o.b.umin), t.umax(), w))
    }

    pub fn xor(self, o: Num) -> Option<Num> {
        Num::new(self.bits, self.t.xor(o.t), Bounds::top(self.bits))
    }

    /// The shift amounts `o & (bits - 1)` can take, smallest first.
    fn shift_amounts(&self, o: Num) -> Option<Vec<u32>> {
        let amount = o.and(Num::constant(u64::from(self.bits - 1), self.bits))?;
        Some((amount.b.umin..=amount.b.umax).filter(|&k| amount.contains(k)).map(|k| k as u32).collect())
    }

    /// `self` shifted by every possible masked amount `k`: exact for a single amount; for
    /// several, the tnum is the join of the shifted tnums and the bounds those of the
    /// extreme amounts (a shift is monotone in the amount on each sign of the value).
    fn shift(self, o: Num, kind: Shift) -> Option<Num> {
        let ks = self.shift_amounts(o)?;
        let (&kmin, &kmax) = (ks.first()?, ks.last()?);
        let t = ks.iter().map(|&k| self.shift_tnum(kind, k)).reduce(Tnum::union)?;
        Num::new(self.bits, t, self.shift_bounds(kind, kmin).join(self.shift_bounds(kind, kmax)))
    }

    fn shift_tnum(&self, kind: Shift, k: u32) -> Tnum {
        match kind {
            Shift::Left => self.t.lsh(k).cast(self.bits),
            Shift::Right => self.t.rsh(k),
            Shift::Arith => self.t.arsh(k, self.bits),
        }
    }

    /// Bounds of `self` shifted by exactly `k` (top where the shift may overflow).
    fn shift_bounds(&self, kind: Shift, k: u32) -> Bounds {
        let w = self.bits;
        match kind {
            Shift::Left => {
                let mut b = Bounds::top(w);
                if k == 0 || self.b.umax <= low_mask(w - k) {
                    b.umin = self.b.umin << k;
                    b.umax = self.b.umax << k;
                }
                let (lo, hi) = (self.smin() << k, self.smax() << k);
                if lo >= smin_of(w) as i128 && hi <= smax_of(w) as i128 {
                    b.smin = lo as i64;
                    b.smax = hi as i64;
                }
                b
            }
            Shift::Right => Bounds::unsigned(self.b.umin >> k, self.b.umax >> k, w),
            Shift::Arith => Bounds::signed(self.b.smin >> k, self.b.smax >> k, w),
        }
    }

    pub fn shl(self, o: Num) -> Option<Num> {
        self.shift(o, Shift::Left)
    }

    pub fn shr(self, o: Num) -> Option<Num> {
        self.shift(o, Shift::Right)
    }

    pub fn sar(self, o: Num) -> Option<Num> {
        self.shift(o, Shift::Arith)
    }

    pub fn shr_const(self, k: u32) -> Option<Num> {
        Num::new(self.bits, self.shift_tnum(Shift::Right, k), self.shift_bounds(Shift::Right, k))
    }

    // ----- width changes ----------------------------------------------------------------

    /// The low `bits` bits.
    pub fn low(self, bits: u32) -> Option<Num> {
        if bits == self.bits {
            return Some(self);
        }
        let u = Bounds::wide(self.b.umin as i128, self.b.umax as i128, bits);
        let s = Bounds::wide(self.smin(), self.smax(), bits);
        Num::new(bits, self.t.cast(bits), u.meet(s)?)
    }

    /// The same values as a wider word (zero-extended).
    pub fn zext(self, bits: u32) -> Option<Num> {
        let b = Bounds { umin: self.b.umin, umax: self.b.umax, smin: self.b.umin as i64, smax: self.b.umax as i64 };
        if bits == self.bits {
            return Some(self);
        }
        Num::new(bits, self.t, b)
    }

    /// The same values as a wider word, sign-extended.
    pub fn sext(self, bits: u32) -> Option<Num> {
        if bits == self.bits {
            return Some(self);
        }
        Num::new(bits, self.t.sext(self.bits), Bounds::signed(self.b.smin, self.b.smax, bits))
    }

    /// The low `bits` bits (16, 32, 64) byte-swapped, zero-extended to the word.
    pub fn bswap(self, bits: u32) -> Option<Num> {
        Num::new(self.bits, self.t.bswap(bits), Bounds::top(self.bits))
    }
}
