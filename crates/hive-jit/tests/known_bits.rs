//! What the compiler proves about register values within a basic block and the code it
//! saves with it: dropped
//! zero-extensions, 32-bit operations instead of a 64-bit one and its zero-extension,
//! divisions without the checks their divisor cannot need, jumps settled at compile time and
//! jumps over a `goto` turned around. Each program is checked against the interpreter with
//! every register observed, values with garbage in their upper halves, and each optimised
//! shape is checked to be emitted (in the disassembly) so that a regression shows.

mod common;
use common::*;
use hive_jit::{JitOptions, compile};

/// The first slot of the body in an [`observing`] program (after its `stx` and ten `lddw`s).
const BODY: usize = 21;

fn disasm(code: &Code) -> String {
    compile(code, &JitOptions::default()).unwrap().disassemble()
}

/// The x86 code of the instructions from slot `from` on (as [`disasm`] prints them).
fn code_from(code: &Code, from: usize) -> String {
    let text = disasm(code);
    let at = text.find(&format!(";{from:>6}:")).unwrap_or_else(|| panic!("slot {from} in\n{text}"));
    text[at..].to_string()
}

fn w32(op: AluOp, d: u8, s: Source) -> Insn {
    alu(Width::W32, op, d, s)
}

fn w64(op: AluOp, d: u8, s: Source) -> Insn {
    alu(Width::W64, op, d, s)
}

fn zext(d: u8) -> [Insn; 2] {
    [w64(AluOp::Lsh, d, Source::Imm(32)), w64(AluOp::Rsh, d, Source::Imm(32))]
}

/// Garbage-topped values, loaded so that nothing is known of them.
fn unknown(d: u8, v: u64) -> [Insn; 3] {
    [lddw(d, v), stx(Size::DW, 10, -240, d), ldx(Size::DW, d, 10, -240)]
}

#[test]
fn zero_extensions_of_zero_extended_values_are_dropped() {
    for v in [0u64, 7, 0xffff_ffff_ffff_ffff, 0x8000_0000_0000_0000, 0x1234_5678_9abc_def0] {
        // A 32-bit operation zero-extends: `<<= 32; >>= 32` and `w1 = w1` after it do nothing.
        let body: Vec<Insn> = [
            &unknown(1, v)[..],
            &[w32(AluOp::Add, 1, Source::Imm(3))],
            &zext(1),
            &[w32(AluOp::Mov, 1, Source::Reg(r(1)))],
        ]
        .concat();
        observe(&body);
        let code = observing(&body);
        let tail = code_from(&code, BODY + 4);
        assert!(!tail.contains("mov     ecx,ecx") && !tail.contains("mov     edi,edi"), "{tail}");
    }
    // Without the 32-bit operation it stays.
    let body = [&unknown(1, 0xffff_0000_0000_0001)[..], &zext(1)].concat();
    assert_eq!(u64::from_le_bytes(observe(&body)[8..16].try_into().unwrap()), 1);
}

#[test]
fn operations_truncated_right_away_are_32_bit_operations() {
    let ops = [AluOp::Mov, AluOp::Add, AluOp::Sub, AluOp::Mul, AluOp::And, AluOp::Or, AluOp::Xor, AluOp::Lsh];
    for op in ops {
        for src in [Source::Reg(r(2)), Source::Imm(-3), Source::Imm(7), Source::Imm(31)] {
            for (a, b) in
                [(0x8123_4567_89ab_cdefu64, 0xfedc_ba98_7654_3210u64), (u64::MAX, 1), (0xffff_ffff, 0xffff_ffff)]
            {
                let head = [&unknown(1, a)[..], &unknown(2, b)[..]].concat();
                // op; zext
                observe(&[&head[..], &[w64(op, 1, src)], &zext(1)].concat());
                // mov; op; zext
                observe(&[&head[..], &[w64(AluOp::Mov, 3, Source::Reg(r(1))), w64(op, 3, src)], &zext(3)].concat());
                // neg; zext
                observe(&[&head[..], &[Insn::Neg { width: Width::W64, dst: r(1) }], &zext(1)].concat());
            }
        }
    }
    // `r4 = r1; r4 <<= 32; r4 >>= 32` is one 32-bit move.
    let body = [&unknown(1, 0xdead_beef_0000_0001)[..], &[w64(AluOp::Mov, 4, Source::Reg(r(1)))], &zext(4)].concat();
    observe(&body);
    let tail = code_from(&observing(&body), BODY + 4);
    assert!(tail.contains("mov     ecx,edi"), "{tail}");
    // A jump target between the operation and the zero-extension keeps them apart.
    let split = [
        &unknown(1, 0xdead_beef_0000_0001)[..],
        &[Insn::Ja { off: 0, long: false }, w64(AluOp::Add, 1, Source::Imm(1))],
        &zext(1),
    ]
    .concat();
    observe(&split);
}

#[test]
fn divisions_skip_the_checks_their_divisor_cannot_need() {
    let ops = [AluOp::Div, AluOp::Mod, AluOp::SDiv, AluOp::SMod];
    for op in ops {
        for width in [Width::W64, Width::W32] {
            let pairs = [
                (0xffff_ffff_ffff_fff9u64, 0x1_0000_0002u64),
                (100, 7),
                (0x8000_0000_0000_0000, 0xffff_ffff_ffff_fffe),
                (0x8000_0000_0000_0005, 0xffff_ffff_0000_0000),
            ];
            for (a, b) in pairs {
                // The divisor is odd (bit 0 known set): never 0, never -1 once bit 1 is clear.
                let odd =
                    [&unknown(2, b)[..], &[w64(AluOp::Or, 2, Source::Imm(1)), w64(AluOp::And, 2, Source::Imm(-3))]]
                        .concat();
                observe(&[&unknown(1, a)[..], &odd, &[alu(width, op, 1, Source::Reg(r(2)))]].concat());
                // A register holding a known constant divisor, every special one included.
                for k in [0u64, 1, u64::MAX, 2, 10, 0xffff_ffff, 0x1_0000_0000] {
                    observe(&[&unknown(1, a)[..], &[lddw(2, k), alu(width, op, 1, Source::Reg(r(2)))]].concat());
                }
                // Both operands zero-extended (the divisor 0 for the last pair): an unsigned
                // 64-bit division in 32 bits.
                let narrow =
                    [&unknown(1, a)[..], &unknown(2, b)[..], &[w32(AluOp::Mov, 1, Source::Reg(r(1)))]].concat();
                observe(
                    &[&narrow[..], &[w32(AluOp::Mov, 2, Source::Reg(r(2))), alu(width, op, 1, Source::Reg(r(2)))]]
                        .concat(),
                );
            }
        }
    }
    // r1 / (r2 | 1): no test of the divisor, 64-bit `div`.
    let body = [
        &unknown(1, 99)[..],
        &unknown(2, 4)[..],
        &[w64(AluOp::Or, 2, Source::Imm(1)), w64(AluOp::Div, 1, Source::Reg(r(2)))],
    ]
    .concat();
    assert_eq!(u64::from_le_bytes(observe(&body)[8..16].try_into().unwrap()), 19);
    let tail = code_from(&observing(&body), BODY + 9);
    assert!(!tail.contains("test") && tail.contains("div     r11\n"), "{tail}");
    // w1 / w2 as 64-bit operands: `div r11d`.
    let body = [
        &unknown(1, 0xffff_0000_0000_0063)[..],
        &unknown(2, 0xffff_0000_0000_0004)[..],
        &[
            w32(AluOp::Mov, 1, Source::Reg(r(1))),
            w32(AluOp::Mov, 2, Source::Reg(r(2))),
            w64(AluOp::Div, 1, Source::Reg(r(2))),
        ],
    ]
    .concat();
    assert_eq!(u64::from_le_bytes(observe(&body)[8..16].try_into().unwrap()), 24);
    assert!(code_from(&observing(&body), BODY + 10).contains("div     r11d"));
}

#[test]
fn shifts_by_a_known_count_are_immediate_shifts() {
    for width in [Width::W64, Width::W32] {
        for op in [AluOp::Lsh, AluOp::Rsh, AluOp::Arsh] {
            for n in [0u64, 1, 31, 32, 33, 63, 64, 0xffff_ffff_0000_0005] {
                observe(
                    &[&unknown(1, 0x8123_4567_89ab_cdef)[..], &[lddw(4, n), alu(width, op, 1, Source::Reg(r(4)))]]
                        .concat(),
                );
            }
        }
    }
}

#[test]
fn jumps_the_known_bits_settle_are_decided_at_compile_time() {
    let pairs = [(0u64, 0u64), (5, 5), (5, 7), (u64::MAX, 1), (0x8000_0000, 0x7fff_ffff), (0x1_0000_0001, 1)];
    for width in [Width::W64, Width::W32] {
        for cond in Cond::ALL {
            for (a, b) in pairs {
                let skip = mov(5, 77);
                // Both known: decided.
                observe(&[
                    lddw(3, a),
                    lddw(4, b),
                    Insn::Jump { width, cond, dst: r(3), src: Source::Reg(r(4)), off: 1 },
                    skip,
                ]);
                // Partly known (an odd value against 0, a value below 2^32 against a larger one).
                let odd = [&unknown(3, a)[..], &[w64(AluOp::Or, 3, Source::Imm(1))]].concat();
                observe(
                    &[&odd[..], &[Insn::Jump { width, cond, dst: r(3), src: Source::Imm(0), off: 1 }, skip]].concat(),
                );
                let small =
                    [&unknown(3, a)[..], &[w32(AluOp::Mov, 3, Source::Reg(r(3))), lddw(4, 0x1_0000_0000 | b)]].concat();
                observe(
                    &[&small[..], &[Insn::Jump { width, cond, dst: r(3), src: Source::Reg(r(4)), off: 1 }, skip]]
                        .concat(),
                );
            }
        }
    }
    // `if (r3 | 1) != 0` always jumps: a plain `jmp`, no comparison.
    let body = [
        &unknown(3, 0)[..],
        &[
            w64(AluOp::Or, 3, Source::Imm(1)),
            Insn::Jump { width: Width::W64, cond: Cond::Ne, dst: r(3), src: Source::Imm(0), off: 1 },
            mov(5, 1),
        ],
    ]
    .concat();
    observe(&body);
    let tail = code_from(&observing(&body), BODY + 5);
    assert!(!tail.contains("test    r") && !tail.contains("jne"), "{tail}");
}

#[test]
fn facts_are_local_to_a_block_and_loops_take_one_jump() {
    // r2 = 3; do { r3 = r1; r4 = r2 | 1; r3 %= r4; r0 += r3; r2 += 2 } while r2 < 40: r4 is
    // odd where it divides (known in the block), r2 at the loop head is not known (another
    // path enters there); the loop ends in `if r2 >= 40 goto +1; goto head`, one jump.
    let code = asm("r1 = *(u64 *)(r1 + 0)
         r0 = 0
         r2 = 3
         r3 = r1
         r4 = r2
         r4 |= 1
         r3 %= r4
         r5 = r1
         r5 %= r2
         r0 += r3
         r0 += r5
         r2 += 2
         if r2 >= 40 goto +1
         goto -11
         exit");
    let mut buf = [0u8; 64];
    buf[..8].copy_from_slice(&0xffff_ffff_1234_5679u64.to_le_bytes());
    for o in option_sets() {
        agree_with(&code, &buf, &o, hive_interp::HelperTable::new);
    }
    let first = code_from(&code, 6);
    let first = &first[..first.find(";     7:").unwrap()];
    assert!(!first.contains("test"), "{first}");
    let second = code_from(&code, 8);
    let second = &second[..second.find(";     9:").unwrap()];
    assert!(second.contains("test"), "{second}");
    let latch = code_from(&code, 12);
    assert!(latch.contains(";    13: goto -11") && latch.contains("jb "), "{latch}");
}
