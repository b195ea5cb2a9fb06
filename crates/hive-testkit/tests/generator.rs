//! Properties of the generator that need no kernel: determinism, well-formed control flow, and
//! that a few hundred seeds cover every instruction form the generator promises.

use std::collections::HashSet;

use hive_isa::{AluOp, AtomicOp, CallTarget, Code, Cond, EndianOp, Insn, Kind, Size, Source, Width};
use hive_testkit::{GenConfig, generate};

#[test]
fn same_seed_same_program() {
    for cfg in [GenConfig::default(), GenConfig::stress()] {
        for seed in [0, 1, 42, u64::MAX] {
            assert_eq!(generate(seed, &cfg), generate(seed, &cfg));
        }
        assert_ne!(generate(1, &cfg).raw, generate(2, &cfg).raw);
    }
}

#[test]
fn control_flow_is_well_formed() {
    for cfg in [GenConfig::default(), GenConfig::stress()] {
        for seed in 0..300 {
            let p = generate(seed, &cfg);
            let code = Code::decode(&p.raw).unwrap_or_else(|e| panic!("seed {seed}: {e}\n{}", p.hex_dump()));
            assert_eq!(code.to_raw(), p.raw);
            assert_eq!(p.ctx_len(), p.layout.len());
            for (pc, insn) in code.iter() {
                // The only backward jumps are loop back edges on a counter against 0.
                if let Some(d) = insn.branch_delta().filter(|d| *d < 0) {
                    assert!(
                        matches!(insn, Insn::Jump { src: Source::Imm(0), .. }),
                        "seed {seed} pc {pc}: backward {insn:?} ({d})"
                    );
                }
            }
        }
    }
}

#[test]
fn seeds_cover_every_promised_form() {
    let cfg = GenConfig::default();
    let mut seen: HashSet<Kind> = HashSet::new();
    let mut long_ja = false;
    let mut short_ja = false;
    for seed in 0..600 {
        for insn in generate(seed, &cfg).insns {
            seen.insert(insn.kind());
            if let Insn::Ja { long, .. } = insn {
                long_ja |= long;
                short_ja |= !long;
            }
        }
    }
    let mut missing = Vec::new();
    let mut want = |k: Kind| {
        if !seen.contains(&k) {
            missing.push(format!("{k:?}"));
        }
    };
    use hive_isa::table::SourceKind;
    for width in [Width::W32, Width::W64] {
        for op in AluOp::ALL {
            if op == AluOp::MovSx32 && width == Width::W32 {
                continue;
            }
            want(Kind::Alu { width, op, source: SourceKind::Reg });
            if !matches!(op, AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32) {
                want(Kind::Alu { width, op, source: SourceKind::Imm });
            }
        }
        want(Kind::Neg { width });
        for cond in Cond::ALL {
            want(Kind::Jump { width, cond, source: SourceKind::Reg });
            want(Kind::Jump { width, cond, source: SourceKind::Imm });
        }
    }
    for op in [EndianOp::ToLe, EndianOp::ToBe, EndianOp::Swap] {
        for bits in [16, 32, 64] {
            want(Kind::Endian { op, bits });
        }
    }
    for size in Size::ALL {
        want(Kind::Load { size, signed: false });
        if size != Size::DW {
            want(Kind::Load { size, signed: true });
        }
        want(Kind::Store { size, source: SourceKind::Reg });
        want(Kind::Store { size, source: SourceKind::Imm });
    }
    for size in Size::ALL {
        for op in AtomicOp::ALL {
            let acq_rel = matches!(op, AtomicOp::LoadAcquire | AtomicOp::StoreRelease);
            if acq_rel || matches!(size, Size::W | Size::DW) {
                want(Kind::Atomic { size, op });
            }
        }
    }
    want(Kind::LdImm64 { pseudo: hive_isa::Pseudo::None });
    want(Kind::CallLocal);
    want(Kind::Exit);
    assert!(missing.is_empty(), "never generated: {missing:?}");
    assert!(long_ja && short_ja, "ja: short {short_ja}, gotol {long_ja}");
}

#[test]
fn programs_call_subprograms_and_loop() {
    let cfg = GenConfig::default();
    let (mut calls, mut loops) = (0, 0);
    for seed in 0..200 {
        let p = generate(seed, &cfg);
        calls += p.insns.iter().filter(|i| matches!(i, Insn::Call(CallTarget::Local(_)))).count();
        loops += p.insns.iter().filter(|i| i.branch_delta().is_some_and(|d| d < 0)).count();
    }
    assert!(calls > 100 && loops > 20, "calls {calls}, loops {loops}");
}

/// Every fetching atomic is preceded by `lock ^= src` twice on the same location, which
/// leaves the value alone but makes it unknown to the kernel verifier: a slot the verifier
/// knows would expose a precision bug of Linux up to 6.18. Every 32-bit `cmpxchg` is followed
/// by `r0 = r0`, so the verifier zero-extends it whatever it prunes (a Linux 6.18 bug). See
/// `tests/kernel_divergences.rs`.
#[test]
fn atomics_keep_clear_of_kernel_bugs() {
    let (mut fetches, mut cmpxchg32) = (0, 0);
    for cfg in [GenConfig::default(), GenConfig::stress()] {
        for seed in 0..300 {
            let insns = generate(seed, &cfg).insns;
            for (i, insn) in insns.iter().enumerate() {
                let Insn::Atomic { size, op, dst, src, off } = *insn else { continue };
                if !op.fetches() {
                    continue;
                }
                fetches += 1;
                let xor = Insn::Atomic { size, op: AtomicOp::Xor { fetch: false }, dst, src, off };
                assert!(i >= 2 && insns[i - 2] == xor && insns[i - 1] == xor, "seed {seed}: {insn:?} at {i}");
                if op == AtomicOp::Cmpxchg && size == Size::W {
                    cmpxchg32 += 1;
                    let r0 = hive_isa::Reg::R0;
                    let mov = Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: r0, src: Source::Reg(r0) };
                    assert_eq!(insns.get(i + 1), Some(&mov), "seed {seed}: {insn:?} at {i} not followed by r0 = r0");
                }
            }
        }
    }
    assert!(fetches > 500 && cmpxchg32 > 30, "only {fetches} fetching atomics, {cmpxchg32} cmpxchg32");
}
