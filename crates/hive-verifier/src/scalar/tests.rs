//! Exhaustive soundness of the scalar domain at 8 bits (4-bit sub-register): for a few
//! hundred values of every shape, every operation and every condition is checked against
//! every concrete member, with [`crate::concrete`] as the semantics.

use super::*;
use crate::concrete::{alu_at, cond_at};
use hive_isa::{AluOp, Cond, Width};

type S8 = ScalarOf<8>;
const W: u32 = 8;

/// A small deterministic generator (xorshift), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn byte(&mut self) -> u64 {
        self.next() & 0xff
    }
}

/// How many values the exhaustive tests build: a few dozen by default (seconds),
/// `HIVE_VERIFIER_DEEP=1` for a long run.
fn scale(n: usize) -> usize {
    if std::env::var_os("HIVE_VERIFIER_DEEP").is_some() { n * 4 } else { n }
}

fn members(s: &S8) -> Vec<u64> {
    (0..256).filter(|&x| s.contains(x)).collect()
}

/// Values of every shape: constants, intervals in each order, tnums, sub-register
/// constraints, their intersections, joins, and results of operations.
fn values(n: usize, seed: u64) -> Vec<S8> {
    let mut r = Rng(seed);
    let mut out = vec![S8::top(), S8::constant(0), S8::constant(0x80), S8::constant(0xff), S8::constant(0x7f)];
    while out.len() < n {
        let v = match r.below(9) {
            0 => S8::constant(r.byte()),
            1 => {
                let (a, b) = (r.byte(), r.byte());
                S8::unsigned(a.min(b), a.max(b))
            }
            2 => {
                let (a, b) = (sext(r.byte(), W), sext(r.byte(), W));
                S8::signed(a.min(b), a.max(b))
            }
            3 => {
                let mask = r.byte() & r.byte();
                S8::from_tnum(Tnum::new(r.byte() & !mask, mask).unwrap())
            }
            4 => {
                let (a, b) = (r.below(16), r.below(16));
                S8::from_parts(Tnum::UNKNOWN, Bounds::top(W), Bounds::unsigned(a.min(b), a.max(b), 4))
            }
            5 => {
                let (a, b) = (r.below(16), r.below(16));
                let (a, b) = (sext(a, 4), sext(b, 4));
                S8::from_parts(Tnum::UNKNOWN, Bounds::top(W), Bounds::signed(a.min(b), a.max(b), 4))
            }
            6 => {
                let (i, j) = (r.below(out.len() as u64) as usize, r.below(out.len() as u64) as usize);
                out[i].meet(&out[j])
            }
            7 => {
                let (i, j) = (r.below(out.len() as u64) as usize, r.below(out.len() as u64) as usize);
                out[i].join(&out[j])
            }
            _ => {
                let (i, j) = (r.below(out.len() as u64) as usize, r.below(out.len() as u64) as usize);
                let op = AluOp::ALL[r.below(13) as usize % 13];
                let op = if matches!(op, AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32) { AluOp::Add } else { op };
                out[i].alu(op, if r.below(2) == 0 { Width::W64 } else { Width::W32 }, out[j])
            }
        };
        if !v.is_bottom() {
            out.push(v);
        }
    }
    out
}

const OPS: [AluOp; 14] = [
    AluOp::Add,
    AluOp::Sub,
    AluOp::Mul,
    AluOp::Div,
    AluOp::SDiv,
    AluOp::Mod,
    AluOp::SMod,
    AluOp::Or,
    AluOp::And,
    AluOp::Xor,
    AluOp::Lsh,
    AluOp::Rsh,
    AluOp::Arsh,
    AluOp::Mov,
];

#[test]
fn normalization_keeps_exactly_the_members_and_detects_emptiness() {
    let mut r = Rng(7);
    let mut empty = 0;
    for _ in 0..20_000 {
        let mask = r.byte() & r.byte() | if r.below(3) == 0 { 0xff } else { 0 };
        let t = Tnum::new(r.byte() & !mask, mask).unwrap();
        let (a, b) = (r.byte(), r.byte());
        let (c, d) = (sext(r.byte(), W), sext(r.byte(), W));
        let (e, f) = (r.below(16), r.below(16));
        let (g, h) = (sext(r.below(16), 4), sext(r.below(16), 4));
        let full = Bounds { umin: a.min(b), umax: a.max(b), smin: c.min(d), smax: c.max(d) };
        let sub = Bounds { umin: e.min(f), umax: e.max(f), smin: g.min(h), smax: g.max(h) };
        let raw: Vec<u64> = (0..256u64)
            .filter(|&x| t.contains(x) && full.contains(x, W) && sub.contains(x & 15, 4))
            .collect();
        let s = S8::from_parts(t, full, sub);
        assert_eq!(members(&s), raw, "{t} {full:?} {sub:?} -> {s:?}");
        assert_eq!(s.is_bottom(), raw.is_empty(), "{t} {full:?} {sub:?} -> {s:?}");
        if raw.is_empty() {
            empty += 1;
            continue;
        }
        // Normalised values are a fixpoint of normalisation.
        assert_eq!(S8::from_parts(s.tnum(), s.bounds(), s.sub_bounds()), s);
        // The tnum and the two intervals of each width are tight: every end is a member.
        let sx = |x: u64| sext(x, W);
        assert_eq!(s.umin(), raw[0]);
        assert_eq!(s.umax(), *raw.last().unwrap());
        assert_eq!(s.smin(), raw.iter().map(|&x| sx(x)).min().unwrap());
        assert_eq!(s.smax(), raw.iter().map(|&x| sx(x)).max().unwrap());
    }
    assert!(empty > 100, "the generator should produce empty combinations too ({empty})");
}

#[test]
fn alu_exhaustive_8_bits() {
    let vals = values(scale(40), 0x5eed);
    let sets: Vec<Vec<u64>> = vals.iter().map(members).collect();
    for (a, xs) in vals.iter().zip(&sets) {
        for (b, ys) in vals.iter().zip(&sets) {
            for op in OPS {
                for width in [Width::W64, Width::W32] {
                    let r = a.alu(op, width, *b);
                    let half = width == Width::W32;
                    for &x in xs {
                        for &y in ys {
                            let z = alu_at(op, half, x, y, W);
                            assert!(r.contains(z), "{op:?} {width:?}: {a:?} {b:?} -> {r:?} misses {x:#x} op {y:#x} = {z:#x}");
                        }
                    }
                    if let (Some(x), Some(y)) = (a.as_const(), b.as_const()) {
                        let exact = alu_at(op, half, x, y, W);
                        assert_eq!(r.as_const(), Some(exact), "{op:?} {width:?} {x:#x} {y:#x} not exact: {r:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn unary_ops_exhaustive_8_bits() {
    for a in values(scale(400), 99) {
        let xs = members(&a);
        for width in [Width::W64, Width::W32] {
            let r = a.neg(width);
            let half = width == Width::W32;
            for &x in &xs {
                assert!(r.contains(alu_at(AluOp::Sub, half, 0, x, W)), "neg {a:?}");
            }
        }
        for k in [2, 4, 6] {
            let r = a.sext_low(k);
            for &x in &xs {
                assert!(r.contains(sext(x, k) as u64 & 0xff), "sext{k} {a:?} -> {r:?}");
            }
        }
        // Sign-extending the sub-register is exact on the bounds the kernel tracks.
        if let Some(c) = a.as_const() {
            assert_eq!(a.sext_low(4).as_const(), Some(sext(c, 4) as u64 & 0xff));
        }
    }
}

#[test]
fn branch_refinement_exhaustive_8_bits() {
    let vals = values(scale(36), 0xb7a9c4);
    let sets: Vec<Vec<u64>> = vals.iter().map(members).collect();
    for (a, xs) in vals.iter().zip(&sets) {
        for (b, ys) in vals.iter().zip(&sets) {
            for cond in Cond::ALL {
                for width in [Width::W64, Width::W32] {
                    let half = width == Width::W32;
                    let e = S8::refine(cond, width, *a, *b);
                    let (mut some_true, mut some_false) = (false, false);
                    for &x in xs {
                        for &y in ys {
                            let (ra, rb) = if cond_at(cond, half, x, y, W) {
                                some_true = true;
                                e.taken
                            } else {
                                some_false = true;
                                e.not_taken
                            };
                            assert!(
                                ra.contains(x) && rb.contains(y),
                                "{cond:?} {width:?}: {a:?} {b:?} lost ({x:#x}, {y:#x}): {e:?}"
                            );
                        }
                    }
                    let outcome = S8::branch_outcome(cond, width, *a, *b);
                    match outcome {
                        BranchOutcome::Always => assert!(!some_false),
                        BranchOutcome::Never => assert!(!some_true),
                        BranchOutcome::Unknown => {}
                    }
                    if a.as_const().is_some() && b.as_const().is_some() {
                        assert_ne!(outcome, BranchOutcome::Unknown, "{cond:?} {a:?} {b:?} undecided");
                    }
                }
            }
        }
    }
}

#[test]
fn lattice_laws_8_bits() {
    let vals = values(scale(80), 31337);
    let sets: Vec<Vec<u64>> = vals.iter().map(members).collect();
    for (a, xs) in vals.iter().zip(&sets) {
        assert!(a.is_subset(a) && a.is_subset(&S8::top()) && S8::bottom().is_subset(a));
        assert_eq!(a.join(&S8::bottom()), *a);
        assert!(a.meet(&S8::bottom()).is_bottom());
        for (b, ys) in vals.iter().zip(&sets) {
            let j = a.join(b);
            let w = a.widen(b);
            let m = a.meet(b);
            for &x in xs.iter().chain(ys) {
                assert!(j.contains(x) && w.contains(x));
            }
            assert!(a.is_subset(&j) && b.is_subset(&j) && j.is_subset(&w), "{a:?} {b:?} {j:?} {w:?}");
            let common: Vec<u64> = xs.iter().copied().filter(|x| ys.contains(x)).collect();
            assert_eq!(members(&m), common, "meet {a:?} {b:?}");
            if a.is_subset(b) {
                assert!(xs.iter().all(|x| ys.contains(x)), "subset {a:?} {b:?}");
            }
        }
    }
}

#[test]
fn widening_terminates() {
    // x = 0; loop { x = x * 3 + 1 (or x += 1) } reaches a post-fixpoint in a few steps.
    for op in [AluOp::Add, AluOp::Mul, AluOp::Lsh, AluOp::Sub] {
        for width in [Width::W64, Width::W32] {
            let mut x = S8::constant(1);
            let mut steps = 0;
            loop {
                let next = x.join(&x.alu(op, width, S8::constant(3)).alu(AluOp::Add, width, S8::constant(1)));
                if next.is_subset(&x) {
                    break;
                }
                x = x.widen(&next);
                steps += 1;
                assert!(steps < 40, "{op:?} {width:?} does not stabilise: {x:?}");
            }
        }
    }
    // A counter stepping by 8 at 64 bits: a handful of steps, and the alignment survives.
    let mut x = Scalar::constant(0);
    let mut steps = 0;
    loop {
        let next = x.join(&x.alu(AluOp::Add, Width::W64, Scalar::constant(8)));
        if next.is_subset(&x) {
            break;
        }
        x = x.widen(&next);
        steps += 1;
        assert!(steps <= 4, "{x:?}");
    }
    assert_eq!(x.tnum().value() & 7, 0);
    assert_eq!(x.tnum().mask() & 7, 0, "{x:?}");
}
