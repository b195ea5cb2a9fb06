//! ALU and jump edges, each checked against the interpreter with every register observed:
//! division and modulo by zero and `INT_MIN / -1` (registers and immediates), shifts by 0, 31,
//! 32, 63, 64 and more (through BMI2 and through `cl`), 32-bit zero extension with garbage in
//! the upper halves, and operands living in the registers x86 instructions use implicitly
//! (`rax`, `rdx`, `rcx`).

mod common;
use common::*;

/// Registers that map to `rax`, `rdi`, `rdx`, `rcx` and `rbx`.
const REGS: [u8; 5] = [0, 1, 3, 4, 6];

const I64_MIN: u64 = 1 << 63;

fn values() -> Vec<(u64, u64)> {
    vec![
        (7, 0),
        (0xdead_beef_0000_0007, 0xffff_ffff_0000_0000), // low half of the divisor is 0
        (I64_MIN, u64::MAX),
        (0xffff_ffff_8000_0000, 0x1234_5678_ffff_ffff), // 32-bit INT_MIN / -1, garbage above
        ((-7i64) as u64, 2),
        (7, (-2i64) as u64),
        (0x8000_0000_0000_0007, 0xffff_fff0_0000_0003),
        (u64::MAX, 1),
        (0x0123_4567_89ab_cdef, 31),
        (0x0123_4567_89ab_cdef, 32),
        (0x8123_4567_89ab_cdef, 33),
        (0x8123_4567_89ab_cdef, 63),
        (0x8123_4567_89ab_cdef, 64),
        (0x8123_4567_89ab_cdef, 65),
        (0xffff_ffff_ffff_ff80, 0xffff_0000_0000_8000),
    ]
}

#[test]
fn register_operands() {
    let mut n = 0;
    for width in [Width::W64, Width::W32] {
        for op in AluOp::ALL {
            for &d in &REGS {
                for &s in &REGS {
                    for &(a, b) in &values() {
                        let body = [lddw(s, b), lddw(d, a), alu(width, op, d, Source::Reg(r(s)))];
                        observe(&body);
                        n += 1;
                    }
                }
            }
        }
    }
    println!("{n} register-operand programs agree");
}

#[test]
fn immediate_operands() {
    let imms = [0, 1, 2, 3, -1, -2, 7, 16, 31, 32, 33, 63, 64, 65, i32::MIN, i32::MAX, 0x4000_0000, -8];
    for width in [Width::W64, Width::W32] {
        for op in AluOp::ALL {
            for &d in &REGS {
                for &(a, _) in &values() {
                    for imm in imms {
                        observe(&[lddw(d, a), alu(width, op, d, Source::Imm(imm))]);
                    }
                }
            }
        }
    }
}

#[test]
fn division_edges_have_defined_results() {
    let run = |body: &[Insn]| {
        let buf = observe(body);
        u64::from_le_bytes(buf[0..8].try_into().unwrap())
    };
    let div = |w, op, a: u64, b: u64| run(&[lddw(0, a), lddw(2, b), alu(w, op, 0, Source::Reg(r(2)))]);
    assert_eq!(div(Width::W64, AluOp::Div, 7, 0), 0);
    assert_eq!(div(Width::W64, AluOp::Mod, 7, 0), 7);
    assert_eq!(div(Width::W64, AluOp::SDiv, I64_MIN, u64::MAX), I64_MIN);
    assert_eq!(div(Width::W64, AluOp::SMod, I64_MIN, u64::MAX), 0);
    assert_eq!(div(Width::W32, AluOp::Mod, 0xffff_ffff_0000_0007, 0), 7);
    assert_eq!(div(Width::W32, AluOp::SDiv, 0x8000_0000, 0xffff_ffff), 0x8000_0000);
    assert_eq!(div(Width::W32, AluOp::SMod, 0x8000_0000, 0xffff_ffff), 0);
    assert_eq!(div(Width::W32, AluOp::Div, 0x1_0000_0008, 0x1_0000_0002), 4);
    let imm = |w, op, a: u64, i: i32| run(&[lddw(0, a), alu(w, op, 0, Source::Imm(i))]);
    assert_eq!(imm(Width::W64, AluOp::SDiv, I64_MIN, -1), I64_MIN);
    assert_eq!(imm(Width::W32, AluOp::SMod, 0xffff_ffff_8000_0000, 0), 0x8000_0000);
    assert_eq!(imm(Width::W64, AluOp::Div, 100, 0), 0);
}

#[test]
fn shifts_are_masked_and_zero_extend() {
    let run = |w, op, a: u64, n: u64, reg: bool| {
        let body = if reg {
            vec![lddw(0, a), lddw(4, n), alu(w, op, 0, Source::Reg(r(4)))]
        } else {
            vec![lddw(0, a), alu(w, op, 0, Source::Imm(n as i32))]
        };
        u64::from_le_bytes(observe(&body)[0..8].try_into().unwrap())
    };
    for reg in [false, true] {
        assert_eq!(run(Width::W64, AluOp::Lsh, 1, 65, reg), 2);
        assert_eq!(run(Width::W32, AluOp::Lsh, 1, 33, reg), 2);
        assert_eq!(run(Width::W32, AluOp::Lsh, 0xffff_ffff_0000_0001, 32, reg), 1, "count 0 still zero-extends");
        assert_eq!(run(Width::W32, AluOp::Arsh, 0x8000_0000, 63, reg), 0xffff_ffff);
        assert_eq!(run(Width::W64, AluOp::Arsh, I64_MIN, 63, reg), u64::MAX);
        assert_eq!(run(Width::W32, AluOp::Rsh, u64::MAX, 4, reg), 0x0fff_ffff);
    }
    // The shifted register is rcx itself (BPF r4), by a count in another register.
    let body = [lddw(4, 0xffff_0000_0000_0003), lddw(2, 34), alu(Width::W32, AluOp::Lsh, 4, Source::Reg(r(2)))];
    assert_eq!(u64::from_le_bytes(observe(&body)[32..40].try_into().unwrap()), 12);
}

#[test]
fn negation_byte_swaps_and_moves() {
    for &d in &REGS {
        for &(a, _) in &values() {
            observe(&[lddw(d, a), Insn::Neg { width: Width::W64, dst: r(d) }]);
            observe(&[lddw(d, a), Insn::Neg { width: Width::W32, dst: r(d) }]);
            for op in [EndianOp::ToLe, EndianOp::ToBe, EndianOp::Swap] {
                for bits in [16, 32, 64] {
                    observe(&[lddw(d, a), Insn::Endian { op, bits, dst: r(d) }]);
                }
            }
        }
    }
    let buf = observe(&[lddw(3, 0x1122_3344_5566_7788), Insn::Endian { op: EndianOp::ToBe, bits: 16, dst: r(3) }]);
    assert_eq!(u64::from_le_bytes(buf[24..32].try_into().unwrap()), 0x8877);
}

#[test]
fn constants() {
    for v in [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000, u64::MAX, 0xffff_ffff_8000_0000, I64_MIN] {
        let buf = observe(&[lddw(7, v)]);
        assert_eq!(u64::from_le_bytes(buf[56..64].try_into().unwrap()), v);
    }
    // lddw of a function reference loads the subprogram's slot index, as in the interpreter.
    let code = asm("r0 = func[pc+3]\nexit\nexit\nexit\nr0 = 1\nexit");
    assert!(code.get(0).is_some());
}

#[test]
fn conditional_jumps() {
    let pairs = [
        (0u64, 0u64),
        (1, 0),
        (0, 1),
        (u64::MAX, 1),
        (1, u64::MAX),
        (0xffff_ffff_0000_0001, 1),
        (0x1_0000_0000, 0),
        (0x8000_0000, 0x7fff_ffff),
        (I64_MIN, 0),
        (5, 5),
    ];
    for width in [Width::W64, Width::W32] {
        for cond in Cond::ALL {
            for (a, b) in pairs {
                let skip = lddw(5, 77);
                let jr = Insn::Jump { width, cond, dst: r(3), src: Source::Reg(r(4)), off: 2 };
                observe(&[lddw(3, a), lddw(4, b), jr, skip]);
                for imm in [0, 1, -1, b as i32] {
                    let ji = Insn::Jump { width, cond, dst: r(3), src: Source::Imm(imm), off: 2 };
                    observe(&[lddw(3, a), ji, skip]);
                }
            }
        }
    }
    // gotol
    observe(&[Insn::Ja { off: 2, long: true }, lddw(5, 1), mov(6, 2)]);
}

/// Pairs the compiler fuses into one x86 instruction (`mov` + op as `lea`/`imul`/`movzx`,
/// `<<= 32` + `>>= 32` as a zero or sign extension), with every register observed, and the
/// same pairs split by a jump target (not fused).
#[test]
fn fused_pairs() {
    let imms = [0, 1, 2, 3, 4, 5, 8, 9, 16, -1, -8, 127, 128, -128, -129, 0xff, 0xffff, i32::MIN, i32::MAX];
    let ops = [AluOp::Add, AluOp::Sub, AluOp::Mul, AluOp::Lsh, AluOp::And];
    let regs: [u8; 4] = [0, 1, 6, 7];
    for width in [Width::W64, Width::W32] {
        for op in ops {
            for &d in &regs {
                for &s in &regs {
                    if s == d {
                        continue;
                    }
                    let copy = alu(width, AluOp::Mov, d, Source::Reg(r(s)));
                    for &i in &imms {
                        let x = if op == AluOp::Lsh { i & 63 } else { i };
                        observe(&[lddw(s, 0x8123_4567_89ab_cdef), copy, alu(width, op, d, Source::Imm(x))]);
                    }
                    for &t in &regs {
                        observe(&[lddw(s, 0xfedc_ba98_7654_3210), copy, alu(width, AluOp::Add, d, Source::Reg(r(t)))]);
                    }
                }
            }
        }
    }
    // r10 (rbp) and r7 (r13) as the base of a hand-encoded `lea`
    for width in [Width::W64, Width::W32] {
        for (s, t) in [(10, 2), (2, 10), (7, 10), (10, 7), (7, 7)] {
            // Each engine has its own stack address: take r10 out again.
            let copy = alu(width, AluOp::Mov, 1, Source::Reg(r(s)));
            let add = alu(width, AluOp::Add, 1, Source::Reg(r(t)));
            let unbase = alu(width, AluOp::Sub, 1, Source::Reg(r(10)));
            let body = [lddw(2, 0x1234_5678_9abc_def0), lddw(7, 0xfedc_ba98_7654_3210), copy, add];
            if s == 10 || t == 10 {
                observe(&[&body[..], &[unbase]].concat());
            } else {
                observe(&body);
                observe(&[lddw(7, 0xfedc_ba98_7654_3210), copy, alu(width, AluOp::Mul, 1, Source::Imm(9))]);
            }
        }
    }
    for &d in &regs {
        for op in [AluOp::Rsh, AluOp::Arsh] {
            for (width, k) in [(Width::W64, 32), (Width::W64, 48), (Width::W64, 56), (Width::W64, 8), (Width::W32, 16), (Width::W32, 24), (Width::W32, 8)] {
                for v in [0x8123_4567_89ab_cdef, 0x0123_4567_f9ab_cdef, 0x0000_0000_7fff_ffff, 0x1234_5678_9abc_8080] {
                    let shl = alu(width, AluOp::Lsh, d, Source::Imm(k));
                    observe(&[lddw(d, v), shl, alu(width, op, d, Source::Imm(k))]);
                }
            }
        }
    }
}

/// `if dst ==/!= 0` right after an operation on dst reuses its flags: every width pair,
/// values whose low half is 0 and whose upper half is not.
#[test]
fn zero_tests_after_arithmetic() {
    let ops = [AluOp::Add, AluOp::Sub, AluOp::And, AluOp::Or, AluOp::Xor];
    for v in [0u64, 1, 0xffff_ffff_0000_0000, 0x1_0000_0001, u64::MAX] {
        for w_op in [Width::W64, Width::W32] {
            for w_jmp in [Width::W64, Width::W32] {
                for cond in [Cond::Eq, Cond::Ne] {
                    let jump = Insn::Jump { width: w_jmp, cond, dst: r(1), src: Source::Imm(0), off: 1 };
                    for op in ops {
                        for imm in [0, 1, -1] {
                            let body = [lddw(1, v), mov(0, 5), alu(w_op, op, 1, Source::Imm(imm)), jump, mov(0, 7)];
                            observe(&body);
                        }
                    }
                    let neg = Insn::Neg { width: w_op, dst: r(1) };
                    observe(&[lddw(1, v), mov(0, 5), neg, jump, mov(0, 7)]);
                }
            }
        }
    }
}

/// `if cond goto +n` over one or two 64-bit moves (compiled as conditional moves), and over
/// a 32-bit move (left as a branch), for every condition, both widths, taken and not.
#[test]
fn jumps_over_moves() {
    let conds = [
        Cond::Eq,
        Cond::Ne,
        Cond::Gt,
        Cond::Ge,
        Cond::Lt,
        Cond::Le,
        Cond::Sgt,
        Cond::Sge,
        Cond::Slt,
        Cond::Sle,
        Cond::Set,
    ];
    let pairs = [(5u64, 5u64), (5, 7), (7, 5), (u64::MAX, 1), (1, u64::MAX), (0xffff_ffff, 0x1_0000_0000)];
    for width in [Width::W64, Width::W32] {
        for cond in conds {
            for &(a, b) in &pairs {
                for src in [Source::Reg(r(2)), Source::Imm(5), Source::Imm(-1), Source::Imm(0)] {
                    let jump = |off| Insn::Jump { width, cond, dst: r(1), src, off };
                    let head = [lddw(1, a), lddw(2, b), lddw(3, garbage(3)), lddw(4, garbage(4))];
                    // one move of a register, of an immediate; two moves; a 32-bit move
                    let bodies: [Vec<Insn>; 5] = [
                        vec![jump(1), alu(Width::W64, AluOp::Mov, 3, Source::Reg(r(1)))],
                        vec![jump(1), mov(3, -3)],
                        vec![jump(2), alu(Width::W64, AluOp::Mov, 3, Source::Reg(r(2))), mov(1, 9)],
                        vec![jump(2), alu(Width::W64, AluOp::Mov, 1, Source::Reg(r(4))), alu(Width::W64, AluOp::Mov, 4, Source::Reg(r(1)))],
                        vec![jump(1), alu(Width::W32, AluOp::Mov, 3, Source::Reg(r(2)))],
                    ];
                    for body in bodies {
                        observe(&[head.as_slice(), &body].concat());
                    }
                }
            }
        }
    }
}

/// Rotates written as shifts and `|` (compiled as `rol`), in every arrangement clang uses,
/// and near misses (amounts not adding up, an arithmetic shift, the wrong `|`).
#[test]
fn rotates() {
    let (t, x, b) = (3u8, 6u8, 1u8);
    let sh = |w, left: bool, d, k| alu(w, if left { AluOp::Lsh } else { AluOp::Rsh }, d, Source::Imm(k));
    let or = |w, d, s| alu(w, AluOp::Or, d, Source::Reg(r(s)));
    let cp = |w, d, s| alu(w, AluOp::Mov, d, Source::Reg(r(s)));
    for w in [Width::W64, Width::W32] {
        let bits = if w == Width::W64 { 64 } else { 32 };
        for k in [1, 8, 13, bits / 2, bits - 1] {
            let m = bits - k;
            for t_left in [false, true] {
                let (kt, kx) = if t_left { (k, m) } else { (m, k) };
                for swap in [false, true] {
                    for into_x in [false, true] {
                        let (st, sx) = (sh(w, t_left, t, kt), sh(w, !t_left, x, kx));
                        let shifts = if swap { [sx, st] } else { [st, sx] };
                        let last = if into_x { or(w, x, t) } else { or(w, t, x) };
                        observe(&[lddw(x, 0x8123_4567_89ab_cdef), cp(w, t, x), shifts[0], shifts[1], last]);
                        // the other register dead afterwards (overwritten)
                        let kill = mov(if into_x { t } else { x }, 77);
                        observe(&[lddw(x, 0x8123_4567_89ab_cdef), cp(w, t, x), shifts[0], shifts[1], last, kill]);
                        // two copies
                        let (sa, sb) = (sh(w, t_left, t, kt), sh(w, !t_left, b, kx));
                        let last = if into_x { or(w, b, t) } else { or(w, t, b) };
                        observe(&[lddw(x, 0xf123_4567_89ab_cdef), cp(w, t, x), sa, cp(w, b, x), sb, last]);
                        let kill = mov(if into_x { t } else { b }, 77);
                        observe(&[lddw(x, 0xf123_4567_89ab_cdef), cp(w, t, x), sa, cp(w, b, x), sb, last, kill]);
                    }
                }
            }
            // near misses
            observe(&[lddw(x, 0x8123_4567_89ab_cdef), cp(w, t, x), sh(w, false, t, m + 1), sh(w, true, x, k), or(w, x, t)]);
            let arsh = alu(w, AluOp::Arsh, t, Source::Imm(m));
            observe(&[lddw(x, 0x8123_4567_89ab_cdef), cp(w, t, x), arsh, sh(w, true, x, k), or(w, x, t)]);
            observe(&[lddw(x, 0x8123_4567_89ab_cdef), cp(w, t, x), sh(w, false, t, m), sh(w, true, x, k), or(w, x, b)]);
        }
    }
}

/// A load whose value only feeds the next operation (folded into it), against the same
/// load whose value stays live, for each foldable operation and both widths.
#[test]
fn loads_folded_into_operations() {
    let ops = [AluOp::Add, AluOp::Sub, AluOp::And, AluOp::Or, AluOp::Xor, AluOp::Mul];
    for (size, width) in [(Size::W, Width::W32), (Size::DW, Width::W64), (Size::W, Width::W64)] {
        for op in ops {
            for (d, t) in [(4u8, 3u8), (0, 1), (10, 3)] {
                if d == 10 {
                    continue;
                }
                let store = stx(Size::DW, 10, -200, 5);
                let load = Insn::Load { size, signed: false, dst: r(t), src: r(10), off: -200 };
                let apply = alu(width, op, d, Source::Reg(r(t)));
                observe(&[lddw(5, 0x8765_4321_f0e1_d2c3), store, load, apply]);
                observe(&[lddw(5, 0x8765_4321_f0e1_d2c3), store, load, apply, mov(t, 0)]);
                // The base register is the destination. It holds a stack address, which differs
                // between the engines: only a 64-bit add or subtract cancels out once r10 is
                // subtracted again; other operations would compare two different addresses.
                if !(width == Width::W64 && matches!(op, AluOp::Add | AluOp::Sub)) {
                    continue;
                }
                let load2 = Insn::Load { size, signed: false, dst: r(t), src: r(d), off: 0 };
                let addr = alu(Width::W64, AluOp::Mov, d, Source::Reg(r(10)));
                let addr2 = alu(Width::W64, AluOp::Add, d, Source::Imm(-200));
                let apply2 = alu(Width::W64, AluOp::Sub, d, Source::Reg(r(10)));
                observe(&[lddw(5, 0x8765_4321_f0e1_d2c3), store, addr, addr2, load2, apply, mov(t, 0), apply2]);
            }
        }
    }
}
