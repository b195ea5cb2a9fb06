//! Soundness and optimality of every tnum operation: exhaustively over all tnums of a small
//! width against all their members, and by property tests at 64 bits.

use super::*;
use proptest::prelude::*;

/// Every tnum of width `bits` (bits above it known zero): `3^bits` of them.
fn all(bits: u32) -> Vec<Tnum> {
    let words = 0..=low_mask(bits);
    words.clone().flat_map(|mask| words.clone().filter_map(move |value| Tnum::new(value, mask))).collect()
}

/// The best tnum abstraction of a non-empty set of words.
fn alpha(xs: impl IntoIterator<Item = u64>) -> Option<Tnum> {
    xs.into_iter().map(Tnum::constant).reduce(Tnum::union)
}

#[test]
fn enumeration_counts() {
    assert_eq!(all(4).len(), 81);
    assert_eq!(all(6).len(), 729);
    assert_eq!(Tnum::new(0b1000, 0b0101).unwrap().members().collect::<Vec<_>>(), vec![8, 9, 12, 13]);
}

type BinOp = (&'static str, fn(Tnum, Tnum) -> Tnum, fn(u64, u64) -> u64, bool);

/// (name, abstract, concrete, optimal)
const BINARY: [BinOp; 6] = [
    ("add", Tnum::add, u64::wrapping_add, true),
    ("sub", Tnum::sub, u64::wrapping_sub, true),
    ("mul", Tnum::mul, u64::wrapping_mul, false),
    ("and", Tnum::and, |x, y| x & y, true),
    ("or", Tnum::or, |x, y| x | y, true),
    ("xor", Tnum::xor, |x, y| x ^ y, true),
];

#[test]
fn binary_ops_exhaustive_4_bits() {
    const W: u32 = 4;
    let ts = all(W);
    for (name, op, concrete, optimal) in BINARY {
        for &a in &ts {
            for &b in &ts {
                let r = op(a, b).cast(W);
                let results = a.members().flat_map(|x| b.members().map(move |y| concrete(x, y) & low_mask(W)));
                let best = alpha(results.clone()).unwrap();
                for z in results {
                    assert!(r.contains(z), "{name}: {a} {b} -> {r} misses {z:#x}");
                }
                if optimal {
                    assert_eq!(r, best, "{name}: {a} {b} not optimal");
                }
            }
        }
    }
}

#[test]
fn mul_sound_at_5_bits_and_exact_on_constants() {
    // Sound at a second width, and exact whenever both operands are constants.
    const W: u32 = 5;
    let ts = all(W);
    for &a in ts.iter().step_by(3) {
        for &b in &ts {
            let r = a.mul(b).cast(W);
            for x in a.members() {
                for y in b.members() {
                    assert!(r.contains(x.wrapping_mul(y) & low_mask(W)), "{a} * {b}");
                }
            }
            if a.is_const() && b.is_const() {
                assert!(r.is_const());
            }
        }
    }
}

#[test]
fn lattice_ops_exhaustive_4_bits() {
    let ts = all(4);
    for &a in &ts {
        for &b in &ts {
            let u = a.union(b);
            assert_eq!(Some(u), alpha(a.members().chain(b.members())), "union {a} {b}");
            let common: Vec<u64> = a.members().filter(|&x| b.contains(x)).collect();
            match a.intersect(b) {
                None => assert!(common.is_empty(), "intersect {a} {b}"),
                Some(i) => assert_eq!(i.members().collect::<Vec<_>>(), common, "intersect {a} {b}"),
            }
            let subset = a.members().all(|x| b.contains(x));
            assert_eq!(a.is_subset(b), subset, "subset {a} {b}");
            assert_eq!(a.equals(b), a.is_subset(b) && b.is_subset(a));
        }
    }
}

#[test]
fn unary_ops_exhaustive_6_bits() {
    const W: u32 = 6;
    for a in all(W) {
        let members: Vec<u64> = a.members().collect();
        let check = |name: &str, r: Tnum, f: &dyn Fn(u64) -> u64, optimal: bool| {
            let results: Vec<u64> = members.iter().map(|&x| f(x)).collect();
            for &z in &results {
                assert!(r.contains(z), "{name}({a}) = {r} misses {z:#x}");
            }
            if optimal {
                assert_eq!(Some(r), alpha(results.iter().copied()), "{name}({a}) not optimal");
            }
        };
        check("neg", a.neg().cast(W), &|x| x.wrapping_neg() & low_mask(W), true);
        for k in 0..W {
            check("lsh", a.lsh(k).cast(W), &|x| (x << k) & low_mask(W), true);
            check("rsh", a.rsh(k), &|x| x >> k, true);
            check("arsh", a.arsh(k, W), &|x| ((sext(x, W) >> k) as u64) & low_mask(W), true);
        }
        for from in 1..=W {
            check("cast", a.cast(from), &|x| x & low_mask(from), true);
            check("sext", a.sext(from).cast(W), &|x| sext(x, from) as u64 & low_mask(W), true);
        }
        assert_eq!(a.umin(), *members.iter().min().unwrap());
        assert_eq!(a.umax(), *members.iter().max().unwrap());
        assert_eq!(a.smin(W), members.iter().map(|&x| sext(x, W)).min().unwrap());
        assert_eq!(a.smax(W), members.iter().map(|&x| sext(x, W)).max().unwrap());
        assert_eq!(a.is_const(), members.len() == 1);
        for x in 0..=low_mask(W) {
            assert_eq!(a.contains(x), members.contains(&x));
            let ge = members.iter().copied().filter(|&m| m >= x).min();
            let le = members.iter().copied().filter(|&m| m <= x).max();
            assert_eq!(a.min_ge(x), ge, "min_ge({a}, {x})");
            assert_eq!(a.max_le(x), le, "max_le({a}, {x})");
        }
    }
}

#[test]
fn range_is_the_best_tnum_of_an_interval_6_bits() {
    for lo in 0..64u64 {
        for hi in lo..64u64 {
            assert_eq!(Some(Tnum::range(lo, hi)), alpha(lo..=hi), "range {lo} {hi}");
        }
    }
    assert_eq!(Tnum::range(0, u64::MAX), Tnum::UNKNOWN);
    assert_eq!(Tnum::range(7, 7), Tnum::constant(7));
}

#[test]
fn display_and_subregisters() {
    assert_eq!(Tnum::range(0, 7).to_string(), "(0x0; 0x7)");
    let t = Tnum::new(0x1234_0000_0000_0001, 0xf0).unwrap();
    assert_eq!(t.subreg(), Tnum::new(1, 0xf0).unwrap());
    assert_eq!(t.clear_subreg(), Tnum::constant(0x1234_0000_0000_0000));
    assert_eq!(t.clear_subreg().with_subreg(t), t);
    assert_eq!(Tnum::constant(0x1122_3344).bswap(32), Tnum::constant(0x4433_2211));
    assert_eq!(Tnum::constant(0xaabb_1122).bswap(16), Tnum::constant(0x2211));
    assert_eq!(Tnum::new(0, 0xf0).unwrap().bswap(64), Tnum::new(0, 0xf0 << 56).unwrap());
    assert_eq!(Tnum::constant(u64::MAX).min_ge(u64::MAX), Some(u64::MAX));
    assert_eq!(Tnum::constant(0).max_le(0), Some(0));
    assert_eq!(Tnum::constant(1 << 63).min_ge((1 << 63) + 1), None);
}

/// A tnum at 64 bits, biased towards the shapes programs produce: constants, low masks,
/// sparse unknown bits, and a few fully unknown ones.
pub(crate) fn arb_tnum() -> impl Strategy<Value = Tnum> {
    let mask = prop_oneof![
        Just(0u64),
        (0u32..=64).prop_map(low_mask),
        (any::<u64>(), any::<u64>()).prop_map(|(a, b)| a & b),
        (any::<u64>(), any::<u64>(), any::<u64>()).prop_map(|(a, b, c)| a & b & c),
        Just(u64::MAX),
    ];
    let value = prop_oneof![
        any::<u64>(),
        (0u64..16),
        any::<u64>().prop_map(|v| v | 1 << 63),
        any::<u64>().prop_map(|v| v & 0xffff_ffff)
    ];
    (mask, value).prop_map(|(m, v)| Tnum::new(v & !m, m).unwrap())
}

/// A member of `t` chosen by `bits`.
pub(crate) fn member(t: Tnum, bits: u64) -> u64 {
    t.value() | (bits & t.mask())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn binary_ops_64(a in arb_tnum(), b in arb_tnum(), r1 in any::<u64>(), r2 in any::<u64>()) {
        let (x, y) = (member(a, r1), member(b, r2));
        for (name, op, concrete, _) in BINARY {
            prop_assert!(op(a, b).contains(concrete(x, y)), "{} {} {}", name, a, b);
        }
        prop_assert!(a.union(b).contains(x) && a.union(b).contains(y));
        if b.contains(x) {
            prop_assert!(a.intersect(b).unwrap().contains(x));
        }
        let k = (r2 % 64) as u32;
        prop_assert!(a.lsh(k).contains(x << k));
        prop_assert!(a.rsh(k).contains(x >> k));
        prop_assert!(a.arsh(k, 64).contains(((x as i64) >> k) as u64));
        prop_assert!(a.neg().contains(x.wrapping_neg()));
        prop_assert!(a.sext(32).contains(x as i32 as i64 as u64));
        prop_assert!(a.sext(8).contains(x as i8 as i64 as u64));
        prop_assert!(a.subreg().contains(x as u32 as u64));
        prop_assert!(a.bswap(64).contains(x.swap_bytes()));
        prop_assert!(a.bswap(32).contains((x as u32).swap_bytes() as u64));
        prop_assert!(a.bswap(16).contains((x as u16).swap_bytes() as u64));
        prop_assert!(a.arsh(k % 32, 32).contains(((x as i32) >> (k % 32)) as u32 as u64));
        prop_assert!(a.smin(64) <= x as i64 && x as i64 <= a.smax(64));
        prop_assert!(a.smin(32) <= x as i32 as i64 && x as i32 as i64 <= a.subreg().smax(32));
    }

    #[test]
    fn min_ge_max_le_64(a in arb_tnum(), probe in any::<u64>(), r in any::<u64>()) {
        let m = member(a, r);
        match a.min_ge(probe) {
            Some(y) => prop_assert!(a.contains(y) && y >= probe && (m < probe || y <= m)),
            None => prop_assert!(m < probe),
        }
        match a.max_le(probe) {
            Some(y) => prop_assert!(a.contains(y) && y <= probe && (m > probe || y >= m)),
            None => prop_assert!(m > probe),
        }
    }

    #[test]
    fn range_64(lo in any::<u64>(), len in prop_oneof![0u64..300, any::<u64>()], r in any::<u64>()) {
        let hi = lo.saturating_add(len);
        let t = Tnum::range(lo, hi);
        let x = lo + r % (hi - lo).saturating_add(1).max(1);
        prop_assert!(t.contains(lo) && t.contains(hi) && t.contains(x.min(hi)));
    }
}
