//! Loads, stores and every atomic, on the input buffer and on the stack, against the
//! interpreter with every register and the whole buffer observed.

mod common;
use common::*;

fn atomic(size: Size, op: AtomicOp, dst: u8, src: u8, off: i16) -> Insn {
    Insn::Atomic { size, op, dst: r(dst), src: r(src), off }
}

/// A body that points `base` at the buffer (`r1`'s value was saved at `r10 - 8`) or leaves
/// it at the stack, seeds the memory word, and runs `insns`.
fn with_memory(base: u8, seed: u64, insns: &[Insn]) -> Vec<Insn> {
    let mut v = Vec::new();
    if base != 10 {
        v.push(ldx(Size::DW, base, 10, -8));
    }
    v.push(lddw(8, seed));
    v.push(stx(Size::DW, base, if base == 10 { -200 } else { 40 }, 8));
    v.push(lddw(8, garbage(8)));
    v.extend_from_slice(insns);
    // Pointers differ between runs; do not observe them.
    for reg in [base, 6] {
        if reg != 10 {
            v.push(mov(reg, 0));
        }
    }
    v
}

#[test]
fn loads_and_stores_every_size() {
    for size in Size::ALL {
        for signed in [false, true] {
            for base in [10u8, 6] {
                let off = if base == 10 { -200 } else { 40 };
                let load = Insn::Load { size, signed, dst: r(3), src: r(base), off: off + 1 };
                observe(&with_memory(base, 0x8182_8384_8586_8788, &[load]));
                // source registers whose low byte needs a REX prefix (sil, dil) and rax
                for src in [0u8, 1, 2, 5] {
                    let st = Insn::Store { size, dst: r(base), off: off + 3, src: Source::Reg(r(src)) };
                    observe(&with_memory(base, 0x1111_2222_3333_4444, &[st]));
                }
                for imm in [-1, 0x7f, -0x81, 0x1234_5678] {
                    let st = Insn::Store { size, dst: r(base), off: off + 2, src: Source::Imm(imm) };
                    observe(&with_memory(base, 0x1111_2222_3333_4444, &[st]));
                }
            }
        }
    }
}

#[test]
fn every_atomic() {
    let seeds = [0x0000_0000_0000_0005u64, 0xffff_ffff_8000_0001, 0x1234_5678_9abc_def0];
    for size in [Size::W, Size::DW] {
        for op in AtomicOp::ALL {
            for base in [10u8, 6, 0] {
                for src in [0u8, 2, 3, 6] {
                    if src == base {
                        continue;
                    }
                    for seed in seeds {
                        let off = if base == 10 { -200 } else { 40 };
                        let (d, s) = match op {
                            AtomicOp::LoadAcquire => (src, base),
                            _ => (base, src),
                        };
                        observe(&with_memory(base, seed, &[atomic(size, op, d, s, off)]));
                    }
                }
            }
        }
    }
    for size in Size::ALL {
        observe(&with_memory(10, 0x8182_8384_8586_8788, &[atomic(size, AtomicOp::LoadAcquire, 3, 10, -200)]));
        observe(&with_memory(10, 0x8182_8384_8586_8788, &[atomic(size, AtomicOp::StoreRelease, 10, 3, -200)]));
    }
}

#[test]
fn cmpxchg_success_and_failure() {
    for size in [Size::W, Size::DW] {
        for (seed, r0) in [
            (5u64, 5u64),
            (5, 6),
            (0xffff_ffff_0000_0005, 0x0000_0000_0000_0005), // 32-bit: low halves equal
            (0x0000_0000_0000_0005, 0xdead_beef_0000_0005),
        ] {
            let body = with_memory(10, seed, &[lddw(0, r0), atomic(size, AtomicOp::Cmpxchg, 10, 3, -200)]);
            observe(&body);
            let body = with_memory(6, seed, &[lddw(0, r0), atomic(size, AtomicOp::Cmpxchg, 6, 0, 40)]);
            observe(&body);
        }
    }
    // The result: r0 = old value, zero-extended; memory written on success only.
    let body = with_memory(
        6,
        0xffff_ffff_0000_0005,
        &[lddw(0, 0xdead_beef_0000_0005), atomic(Size::W, AtomicOp::Cmpxchg, 6, 3, 40)],
    );
    let buf = observe(&body);
    assert_eq!(u64::from_le_bytes(buf[0..8].try_into().unwrap()), 5);
}

#[test]
fn unaligned_and_byte_registers() {
    // *(u8 *)(r1 + 3) = sil/dil and friends, loads into every register
    for dst in (0..10u8).filter(|&d| d != 6) {
        let body = with_memory(
            6,
            0x0102_0304_0506_0708,
            &[
                ldx(Size::B, dst, 6, 43),
                Insn::Load { size: Size::H, signed: true, dst: r(dst), src: r(6), off: 41 },
                stx(Size::DW, 10, -100, dst),
            ],
        );
        observe(&body);
    }
}

#[test]
fn additions_folded_into_the_next_access() {
    // `rA += k` then an access through rA: folded into the displacement when rA is dead
    // afterwards (or loaded into), kept when rA is read again; the same results and memory
    // either way. (Results avoid pointer values: each engine's buffer has its own address.)
    let buf: Vec<u8> = (0..64u8).map(|b| b.wrapping_mul(37)).collect();
    let opts = hive_jit::JitOptions::default();
    for (src, k, folded) in [
        ("r3 = r1\nr3 += 24\nr0 = *(u32 *)(r3 + 4)\nexit", 24, true),
        ("r1 += 40\nr1 = *(u64 *)(r1 - 8)\nr0 = r1\nexit", 40, true),
        ("r3 = r1\nr3 += 32\n*(u16 *)(r3 - 2) = 0x1234\nr0 = *(u64 *)(r1 + 24)\nexit", 32, true),
        ("r2 = 7\nr3 = r1\nr3 += 40\n*(u8 *)(r3 + 1) = r2\nr0 = *(u64 *)(r1 + 40)\nexit", 40, true),
        ("r1 += 24\nr0 = *(u8 *)(r1 + 0)\nr2 = *(u8 *)(r1 + 1)\nr0 <<= 8\nr0 |= r2\nexit", 24, false),
        // The stored value is the sum itself: 16 on both engines (the memory differs, as it
        // holds each engine's own address).
        ("r2 = r1\nr1 += 16\n*(u64 *)(r1 + 0) = r1\nr0 = *(u64 *)(r2 + 16)\nr0 -= r2\nexit", 16, false),
    ] {
        let code = asm(src);
        let mut tables = (hive_interp::HelperTable::new(), hive_interp::HelperTable::new());
        let (a, b) = (interp(&code, &buf, &opts, &mut tables.0), jit(&code, &buf, &opts, &mut tables.1));
        assert_eq!(a.result, b.result, "{src}");
        assert!(a.result.is_ok(), "{src}: {a:?}");
        if !src.contains("= r1\n") {
            assert_eq!(a.buf, b.buf, "{src}");
        }
        let text = hive_jit::compile(&code, &opts).unwrap().disassemble();
        let add = format!(",{k:X}h");
        let adds = text.lines().filter(|l| !l.starts_with(';') && l.contains(" add ") && l.ends_with(&add)).count();
        assert_eq!(adds == 0, folded, "{src}\n{text}");
    }
}
