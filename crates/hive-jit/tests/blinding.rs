//! Constant blinding: with [`JitOptions::blind_constants`] no immediate the program chose
//! appears in the machine code, whatever instruction carries it, and programs compute the
//! same as without (every other test of this crate also runs blinded, through
//! `common::option_sets`).

mod common;
use common::*;
use hive_jit::{JitOptions, compile};

/// A program carrying the 4-byte pattern `marker` (a distinct one per instruction kind) in
/// every place an immediate can go.
fn carriers(marker: impl Fn(u8) -> i32) -> Code {
    let m = |k| marker(k);
    let m64 = |k: u8| (m(k) as u32 as u64) << 32 | m(k + 100) as u32 as u64;
    Code::from_insns(&[
        mov(2, m(1)),
        alu(Width::W32, AluOp::Mov, 3, Source::Imm(m(2))),
        alu(Width::W64, AluOp::Add, 2, Source::Imm(m(3))),
        alu(Width::W32, AluOp::Xor, 3, Source::Imm(m(4))),
        alu(Width::W64, AluOp::Mul, 2, Source::Imm(m(5))),
        alu(Width::W64, AluOp::Div, 3, Source::Imm(m(6))),
        alu(Width::W32, AluOp::Mod, 2, Source::Imm(m(7))),
        alu(Width::W64, AluOp::And, 3, Source::Imm(m(8))),
        lddw(4, m64(9)),
        Insn::Store { size: Size::W, dst: r(10), off: -8, src: Source::Imm(m(10)) },
        Insn::Store { size: Size::DW, dst: r(10), off: -16, src: Source::Imm(m(11)) },
        Insn::Jump { width: Width::W64, cond: Cond::Gt, dst: r(2), src: Source::Imm(m(12)), off: 1 },
        Insn::Jump { width: Width::W32, cond: Cond::Set, dst: r(3), src: Source::Imm(m(13)), off: 1 },
        // mov + add (a `lea` pair) and an immediate select (`cmov`) unblinded
        alu(Width::W64, AluOp::Mov, 5, Source::Reg(r(2))),
        alu(Width::W64, AluOp::Add, 5, Source::Imm(m(14))),
        Insn::Jump { width: Width::W64, cond: Cond::Eq, dst: r(5), src: Source::Reg(r(3)), off: 1 },
        mov(0, m(15)),
        alu(Width::W64, AluOp::Add, 0, Source::Reg(r(2))),
        alu(Width::W64, AluOp::Add, 0, Source::Reg(r(3))),
        alu(Width::W64, AluOp::Add, 0, Source::Reg(r(4))),
        Insn::Exit,
    ])
    .unwrap()
}

fn contains(haystack: &[u8], needle: [u8; 4]) -> bool {
    haystack.windows(4).any(|w| w == needle)
}

#[test]
fn no_immediate_appears_in_blinded_code() {
    // "Jk" + kind + 0x90: distinctive, and never a plausible displacement or key byte run.
    let marker = |k: u8| i32::from_le_bytes([0x4a, 0x6b, k, 0x90]);
    let code = carriers(marker);
    let plain = compile(&code, &JitOptions::default()).unwrap();
    let blinded = compile(&code, &JitOptions { blind_constants: true, ..JitOptions::default() }).unwrap();
    let kinds: Vec<u8> = (1..=15).chain(109..=109).collect();
    let mut seen_plain = 0;
    for k in kinds {
        let needle = marker(k).to_le_bytes();
        seen_plain += usize::from(contains(plain.machine_code(), needle));
        assert!(!contains(blinded.machine_code(), needle), "immediate {k} in\n{}", blinded.disassemble());
    }
    // The unblinded code does carry them (most kinds: some fold away, like the division).
    assert!(seen_plain >= 10, "only {seen_plain} markers in the plain code");
    // Both compute the same as the interpreter.
    for options in [JitOptions::default(), JitOptions { blind_constants: true, ..JitOptions::default() }] {
        agree_with(&code, &[0u8; 64], &options, hive_interp::HelperTable::new);
    }
}

#[test]
fn keys_differ_between_compilations() {
    let code = carriers(|k| 0x1234_0000 | k as i32);
    let options = JitOptions { blind_constants: true, ..JitOptions::default() };
    let a = compile(&code, &options).unwrap();
    let b = compile(&code, &options).unwrap();
    assert_ne!(a.machine_code(), b.machine_code());
}
