//! Soundness of the scalar domain at 64 bits: random abstract values, the concrete members we
//! know of (the values they were built from and every end of every view), every operation of
//! [`hive_verifier::concrete`], which `oracle.rs` ties to the interpreter.

use crate::oracle::interesting;
use hive_isa::{AluOp, Cond, EndianOp, Width};
use hive_verifier::{Bounds, Scalar, Tnum, concrete};
use proptest::prelude::*;

/// An abstract value and some of its members: a join of seed constants, widened by one of
/// the shapes programs produce (an interval, a tnum, a sub-register interval).
fn arb_scalar() -> impl Strategy<Value = (Scalar, Vec<u64>)> {
    let seeds = prop::collection::vec(interesting(), 1..4);
    (seeds, 0u8..6, any::<u64>(), 0u64..5000, any::<u64>()).prop_map(|(seeds, shape, r, len, bits)| {
        let base = seeds.iter().map(|&x| Scalar::constant(x)).reduce(|a, b| a.join(&b)).unwrap();
        let x = seeds[0];
        let extra = match shape {
            0 => Scalar::bottom(),
            1 => Scalar::unsigned(x, x.saturating_add(len)),
            2 => Scalar::signed((x as i64).saturating_sub(len as i64), x as i64),
            3 => Scalar::from_tnum(Tnum::new(x & !(r & bits), r & bits).unwrap()),
            4 => Scalar::from_parts(Tnum::UNKNOWN, Bounds::top(64), Bounds::unsigned(0, (x as u32 as u64) | len, 32)),
            _ => Scalar::from_tnum(Tnum::range(x & !0xfff, x | 0xff)),
        };
        let s = base.join(&extra);
        let mut members = seeds;
        let t = s.tnum();
        let candidates = [
            s.umin(),
            s.umax(),
            s.smin() as u64,
            s.smax() as u64,
            t.value() | (r & t.mask()),
            t.value() | (bits & t.mask()),
            (s.umax() & !0xffff_ffff) | s.u32_max(),
            (s.umin() & !0xffff_ffff) | s.u32_min(),
        ];
        members.extend(candidates.into_iter().filter(|&c| s.contains(c)));
        for m in &members {
            assert!(s.contains(*m), "{s:?} lost its seed {m:#x}");
        }
        (s, members)
    })
}

fn op() -> impl Strategy<Value = AluOp> {
    (0..AluOp::ALL.len()).prop_map(|i| AluOp::ALL[i])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn alu_is_sound((a, xs) in arb_scalar(), (b, ys) in arb_scalar(), op in op()) {
        for width in [Width::W64, Width::W32] {
            let r = a.alu(op, width, b);
            for &x in &xs {
                for &y in &ys {
                    let z = concrete::alu(op, width, x, y);
                    prop_assert!(r.contains(z), "{:?} {:?}: {:?} op {:?} = {:?} misses {:#x} op {:#x} = {:#x}", op, width, a, b, r, x, y, z);
                }
            }
        }
    }

    #[test]
    fn unary_is_sound((a, xs) in arb_scalar(), k in 0usize..3) {
        let bits = [16, 32, 64][k];
        for width in [Width::W64, Width::W32] {
            let r = a.neg(width);
            for &x in &xs {
                prop_assert!(r.contains(concrete::neg(width, x)), "neg {:?} {:?}", width, a);
            }
        }
        for op in [EndianOp::ToLe, EndianOp::ToBe, EndianOp::Swap] {
            let r = a.endian(op, bits);
            for &x in &xs {
                prop_assert!(r.contains(concrete::endian(op, bits, x)), "{:?}{} {:?} -> {:?}", op, bits, a, r);
            }
        }
    }

    #[test]
    fn refinement_is_sound((a, xs) in arb_scalar(), (b, ys) in arb_scalar(), ci in 0usize..11) {
        let cond = Cond::ALL[ci];
        for width in [Width::W64, Width::W32] {
            let e = Scalar::refine(cond, width, a, b);
            for &x in &xs {
                for &y in &ys {
                    let holds = concrete::cond_at(cond, width == Width::W32, x, y, 64);
                    let (ra, rb) = if holds { e.taken } else { e.not_taken };
                    prop_assert!(ra.contains(x) && rb.contains(y), "{:?} {:?}: {:?} {:?} lost ({:#x}, {:#x}): {:?}", cond, width, a, b, x, y, e);
                }
            }
        }
    }

    #[test]
    fn lattice_is_sound((a, xs) in arb_scalar(), (b, ys) in arb_scalar()) {
        let (j, w, m) = (a.join(&b), a.widen(&b), a.meet(&b));
        for &x in xs.iter().chain(&ys) {
            prop_assert!(j.contains(x) && w.contains(x));
            prop_assert_eq!(m.contains(x), a.contains(x) && b.contains(x));
        }
        prop_assert!(a.is_subset(&j) && b.is_subset(&j) && j.is_subset(&w));
        if a.is_subset(&b) {
            prop_assert!(xs.iter().all(|&x| b.contains(x)));
        }
    }
}

#[test]
fn precision_on_the_kernel_common_cases() {
    use Width::*;
    let c = Scalar::constant;
    // Masking, as in `r1 &= 0xff`.
    let x = Scalar::top().alu(AluOp::And, W64, c(0xff));
    assert_eq!((x.umin(), x.umax(), x.smin(), x.smax()), (0, 255, 0, 255));
    // A 32-bit move zero-extends.
    let w = Scalar::signed(-5, 5).alu(AluOp::Mov, W32, Scalar::signed(-5, 5));
    assert_eq!((w.umin(), w.umax()), (0, 0xffff_ffff));
    assert_eq!((w.s32_min(), w.s32_max()), (-5, 5));
    // Bounded addition keeps exact bounds; an addition that wraps on both ends too.
    let y = Scalar::unsigned(10, 20).alu(AluOp::Add, W64, Scalar::unsigned(1, 2));
    assert_eq!((y.umin(), y.umax()), (11, 22));
    let z = Scalar::unsigned(u64::MAX - 1, u64::MAX).alu(AluOp::Add, W64, c(5));
    assert_eq!((z.umin(), z.umax()), (3, 4));
    // The sign-extension idiom `r <<= 32; r s>>= 32`.
    let s = Scalar::unsigned(0, 100).alu(AluOp::Lsh, W64, c(32)).alu(AluOp::Arsh, W64, c(32));
    assert_eq!((s.umin(), s.umax()), (0, 100));
    // Branches: `if r > 10` on [0, 255].
    let e = Scalar::refine(Cond::Gt, W64, x, c(10));
    assert_eq!((e.taken.0.umin(), e.not_taken.0.umax()), (11, 10));
    // A 32-bit comparison carries to the 64-bit bounds of a zero-extended value.
    let e = Scalar::refine(Cond::Lt, W32, w, c(7));
    assert_eq!(e.taken.0.umax(), 5);
    // JSET with a single bit learns the bit; its negation clears it.
    let e = Scalar::refine(Cond::Set, W64, Scalar::unsigned(0, 15), c(4));
    assert_eq!(e.taken.0.tnum().value() & 4, 4);
    assert_eq!(e.not_taken.0.tnum().mask() & 4, 0);
    // Division and modulo by constants.
    let d = Scalar::unsigned(0, 1000).alu(AluOp::Div, W64, c(10));
    assert_eq!((d.umin(), d.umax()), (0, 100));
    let m = Scalar::top().alu(AluOp::Mod, W64, c(8));
    assert_eq!((m.umin(), m.umax(), m.tnum()), (0, 7, Tnum::range(0, 7)));
    // Infeasible edges are bottom, never an inconsistent value.
    let e = Scalar::refine(Cond::Eq, W64, c(1), c(2));
    assert!(e.taken.0.is_bottom() && e.taken.1.is_bottom());
    assert_eq!(Scalar::from_parts(Tnum::constant(3), Bounds::unsigned(4, 9, 64), Bounds::top(32)), Scalar::bottom());
    assert_eq!(x.to_string(), "scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))");
    assert_eq!(Scalar::signed(-3, 3).to_string(), "scalar(smin=smin32=-3,smax=smax32=3)");
    assert_eq!(c(u64::MAX).to_string(), "-1");
}
