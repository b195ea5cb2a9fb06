//! `hive_verifier::concrete` at 64 bits is the reference interpreter's semantics: every ALU
//! operation, negation, byte-order conversion and condition, run through `hive-interp`.

use hive_interp::{Memory, NoHelpers, Options, Vm};
use hive_isa::{AluOp, Code, Cond, EndianOp, Insn, Pseudo, Reg, Source, Width};
use hive_verifier::concrete;
use proptest::prelude::*;

fn lddw(dst: Reg, v: u64) -> Insn {
    Insn::LdImm64 { dst, pseudo: Pseudo::None, imm: v as u32 as i32, next_imm: (v >> 32) as u32 as i32 }
}

fn run(insns: &[Insn]) -> u64 {
    let code = Code::from_insns(insns).unwrap();
    let mut vm = Vm::new(&code, Options::default());
    vm.run(&mut Memory::new(), &mut NoHelpers, [0; 5]).unwrap()
}

/// Operands biased towards the boundaries where the semantics have corners.
pub fn interesting() -> impl Strategy<Value = u64> {
    let edge = prop_oneof![
        Just(0u64),
        Just(1 << 31),
        Just(1 << 32),
        Just(1 << 63),
        Just(u64::MAX),
        Just(0xffff_ffff),
        Just(0xffff_ffff_8000_0000)
    ];
    prop_oneof![
        any::<u64>(),
        0u64..70,
        (edge, -5i64..5).prop_map(|(e, d)| e.wrapping_add(d as u64)),
        any::<u32>().prop_map(u64::from),
        any::<i32>().prop_map(|v| v as i64 as u64),
    ]
}

fn op() -> impl Strategy<Value = AluOp> {
    (0..AluOp::ALL.len()).prop_map(|i| AluOp::ALL[i])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn alu_matches_the_interpreter(op in op(), w64 in any::<bool>(), a in interesting(), b in interesting()) {
        let width = if w64 { Width::W64 } else { Width::W32 };
        // `movsx32` exists only in 64 bits.
        prop_assume!(!(op == AluOp::MovSx32 && width == Width::W32));
        let insns = [
            lddw(Reg::R1, a),
            lddw(Reg::R2, b),
            Insn::Alu { width, op, dst: Reg::R1, src: Source::Reg(Reg::R2) },
            Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R0, src: Source::Reg(Reg::R1) },
            Insn::Exit,
        ];
        prop_assert_eq!(run(&insns), concrete::alu(op, width, a, b), "{:?} {:?} {:#x} {:#x}", op, width, a, b);
    }

    #[test]
    fn neg_endian_cond_match_the_interpreter(a in interesting(), b in interesting(), k in 0usize..3, ci in 0usize..11) {
        for width in [Width::W64, Width::W32] {
            let insns = [lddw(Reg::R0, a), Insn::Neg { width, dst: Reg::R0 }, Insn::Exit];
            prop_assert_eq!(run(&insns), concrete::neg(width, a));
            let cond = Cond::ALL[ci];
            let insns = [
                lddw(Reg::R1, a),
                lddw(Reg::R2, b),
                Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R0, src: Source::Imm(0) },
                Insn::Jump { width, cond, dst: Reg::R1, src: Source::Reg(Reg::R2), off: 1 },
                Insn::Exit,
                Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: Reg::R0, src: Source::Imm(1) },
                Insn::Exit,
            ];
            let jumped = run(&insns) == 1;
            prop_assert_eq!(jumped, concrete::cond_at(cond, width == Width::W32, a, b, 64));
        }
        let bits = [16, 32, 64][k];
        for op in [EndianOp::ToLe, EndianOp::ToBe, EndianOp::Swap] {
            let insns = [lddw(Reg::R0, a), Insn::Endian { op, bits, dst: Reg::R0 }, Insn::Exit];
            prop_assert_eq!(run(&insns), concrete::endian(op, bits, a));
        }
    }
}
