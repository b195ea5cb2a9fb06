//! Jumps: `ja`/`gotol`, conditional jumps of `jmp` and `jmp32`, and `may_goto`.
//!
//! Every target is a dynamic label placed at the start of the target instruction's code;
//! a backward jump within reach takes the 2-byte `rel8` form.
//! A comparison with the immediate 0 becomes `test r, r` (same flags for every condition);
//! `jset` is `test`. `JMP` immediates are sign-extended to 64 bits, as x86's `cmp r64, imm32`
//! does.

use dynasmrt::{DynamicLabel, DynasmApi};
use hive_isa::{AluOp, Cond, Insn, Reg, Source, Width};

use crate::compiler::{Compiler, asm};
use crate::emit::blind::{self, Operand};
use crate::regmap::{LOOPS, TMP, host};

/// `ja` / `gotol`.
pub(crate) fn ja(c: &mut Compiler<'_>, pc: usize, off: i64) {
    let short = c.short_back(pc, off) || c.short_fwd(pc, off);
    let t = c.target(pc, off);
    if short {
        asm!(c.ops, ; jmp BYTE =>t);
    } else {
        asm!(c.ops, ; jmp =>t);
    }
}

/// `if dst cond src goto pc + 1 + off`.
pub(crate) fn cond(c: &mut Compiler<'_>, pc: usize, width: Width, cond: Cond, dst: Reg, src: Source, off: i16) {
    compare(c, width, cond, dst, src);
    jump_if(c, pc, Test::of(cond), off as i64);
}

/// An x86 condition: what a `jcc` tests after [`compare`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Test {
    E,
    Ne,
    A,
    Ae,
    B,
    Be,
    G,
    Ge,
    L,
    Le,
}

impl Test {
    /// The test that jumps when BPF's `cond` holds (`jset` is `test`, so "not zero").
    fn of(cond: Cond) -> Test {
        match cond {
            Cond::Eq => Test::E,
            Cond::Ne | Cond::Set => Test::Ne,
            Cond::Gt => Test::A,
            Cond::Ge => Test::Ae,
            Cond::Lt => Test::B,
            Cond::Le => Test::Be,
            Cond::Sgt => Test::G,
            Cond::Sge => Test::Ge,
            Cond::Slt => Test::L,
            Cond::Sle => Test::Le,
        }
    }

    /// The test that holds exactly when this one does not.
    fn negated(self) -> Test {
        match self {
            Test::E => Test::Ne,
            Test::Ne => Test::E,
            Test::A => Test::Be,
            Test::Be => Test::A,
            Test::Ae => Test::B,
            Test::B => Test::Ae,
            Test::G => Test::Le,
            Test::Le => Test::G,
            Test::Ge => Test::L,
            Test::L => Test::Ge,
        }
    }
}

/// `jcc` to the instruction at `pc + 1 + delta`, emitted as (the end of) slot `pc`, in the
/// 2-byte form when it surely reaches.
fn jump_if(c: &mut Compiler<'_>, pc: usize, test: Test, delta: i64) {
    let short = c.short_back(pc, delta) || c.short_fwd(pc, delta);
    let t = c.target(pc, delta);
    jcc(c, test, t, short);
}

/// `jcc` (32-bit form) for `cond`, after [`compare`], to `label`.
pub(crate) fn jump_to_label(c: &mut Compiler<'_>, cond: Cond, label: DynamicLabel) {
    jcc(c, Test::of(cond), label, false);
}

/// `jcc` to `t`, in the 2-byte form if `short`.
fn jcc(c: &mut Compiler<'_>, test: Test, t: DynamicLabel, short: bool) {
    if short {
        match test {
            Test::E => asm!(c.ops, ; je BYTE =>t),
            Test::Ne => asm!(c.ops, ; jne BYTE =>t),
            Test::A => asm!(c.ops, ; ja BYTE =>t),
            Test::Ae => asm!(c.ops, ; jae BYTE =>t),
            Test::B => asm!(c.ops, ; jb BYTE =>t),
            Test::Be => asm!(c.ops, ; jbe BYTE =>t),
            Test::G => asm!(c.ops, ; jg BYTE =>t),
            Test::Ge => asm!(c.ops, ; jge BYTE =>t),
            Test::L => asm!(c.ops, ; jl BYTE =>t),
            Test::Le => asm!(c.ops, ; jle BYTE =>t),
        }
        return;
    }
    match test {
        Test::E => asm!(c.ops, ; je =>t),
        Test::Ne => asm!(c.ops, ; jne =>t),
        Test::A => asm!(c.ops, ; ja =>t),
        Test::Ae => asm!(c.ops, ; jae =>t),
        Test::B => asm!(c.ops, ; jb =>t),
        Test::Be => asm!(c.ops, ; jbe =>t),
        Test::G => asm!(c.ops, ; jg =>t),
        Test::Ge => asm!(c.ops, ; jge =>t),
        Test::L => asm!(c.ops, ; jl =>t),
        Test::Le => asm!(c.ops, ; jle =>t),
    }
}

/// `if cond goto +1; goto L` (the `goto` no jump lands on) as one `j!cond L`: a loop whose
/// exit test sits before its back edge then takes one branch per iteration instead of two.
/// Returns the number of slots emitted, 0 if the pattern does not apply.
pub(crate) fn inverted(c: &mut Compiler<'_>, pc: usize, end: usize) -> usize {
    let (Some(&Insn::Jump { width, cond, dst, src, off: 1 }), Some(&Insn::Ja { off: j, .. })) =
        (c.code.get(pc), c.code.get(pc + 1))
    else {
        return 0;
    };
    if pc + 1 >= end || c.targets[pc + 1] {
        return 0;
    }
    compare(c, width, cond, dst, src);
    let here = c.ops.offset().0 as u32;
    c.note_offset(pc + 1, here);
    // Emitted as the end of slot pc + 1, whose jump it replaces.
    jump_if(c, pc + 1, Test::of(cond).negated(), j as i64);
    2
}

/// Sets the flags for `dst cond src`: `cmp` (or `test` for `jset` and comparisons with 0,
/// or nothing when the previous instruction left ZF for an (in)equality with 0).
pub(crate) fn compare(c: &mut Compiler<'_>, width: Width, cond: Cond, dst: Reg, src: Source) {
    let d = host(dst);
    let w64 = width == Width::W64;
    // `if dst ==/!= 0` right after an operation that set ZF from dst's value (in this width
    // or, after a zero-extending 32-bit operation, in either) needs no `test`.
    let zf_ready = matches!(c.prev_flags, Some((r, w32)) if r == dst && (w64 || w32));
    // Blinded, a non-zero immediate is compared from r11.
    match (blind::operand(c, w64, src, true), cond == Cond::Set) {
        (Operand::Imm(0), false) if zf_ready && matches!(cond, Cond::Eq | Cond::Ne) => {}
        (Operand::Imm(0), false) if w64 => asm!(c.ops, ; test Rq(d), Rq(d)),
        (Operand::Imm(0), false) => asm!(c.ops, ; test Rd(d), Rd(d)),
        (Operand::Imm(i), false) if let Ok(b) = i8::try_from(i) => cmp_imm8(c, w64, d, b),
        (Operand::Imm(i), false) if w64 => asm!(c.ops, ; cmp Rq(d), i),
        (Operand::Imm(i), false) => asm!(c.ops, ; cmp Rd(d), i),
        (Operand::Imm(i), true) if w64 => asm!(c.ops, ; test Rq(d), i),
        (Operand::Imm(i), true) => asm!(c.ops, ; test Rd(d), i),
        (Operand::Reg(s), false) if w64 => asm!(c.ops, ; cmp Rq(d), Rq(s)),
        (Operand::Reg(s), false) => asm!(c.ops, ; cmp Rd(d), Rd(s)),
        (Operand::Reg(s), true) if w64 => asm!(c.ops, ; test Rq(d), Rq(s)),
        (Operand::Reg(s), true) => asm!(c.ops, ; test Rd(d), Rd(s)),
    }
}

/// `cmp d, imm8` (`83 /7 ib`), encoded by hand: dynasm picks the 32-bit immediate form for a
/// register only known at run time, and a REX prefix even when none is needed.
fn cmp_imm8(c: &mut Compiler<'_>, w64: bool, d: u8, imm: i8) {
    let rex = 0x40 | (u8::from(w64) << 3) | (d >> 3);
    if rex != 0x40 {
        c.ops.push(rex);
    }
    c.ops.extend([0x83, 0xc0 | (7 << 3) | (d & 7), imm as u8]);
}

/// Most moves a conditional jump may skip and still become conditional moves.
const MAX_SELECT: usize = 2;

/// If-conversion: `if cond goto +n; rA = x; ...` where the `n` (at most [`MAX_SELECT`])
/// skipped instructions are 64-bit moves of a register or an immediate and nothing else
/// jumps into them becomes `cmp; cmov!cond rA, x; ...`, with no branch to mispredict (clang
/// emits this shape for `min`, `max` and clamps). 32-bit moves are left alone: a 32-bit
/// `cmov` writes (zero-extends) its destination even when the condition is false. Returns
/// the number of slots emitted (`n + 1`), or 0 if the pattern does not apply.
pub(crate) fn select(c: &mut Compiler<'_>, pc: usize, end: usize) -> usize {
    let Some(&Insn::Jump { width, cond, dst, src, off }) = c.code.get(pc) else {
        return 0;
    };
    let n = off as usize;
    if off < 1 || n > MAX_SELECT || pc + n >= end {
        return 0;
    }
    let mut moves = [(Reg::R0, Source::Imm(0)); MAX_SELECT];
    for (k, m) in moves.iter_mut().enumerate().take(n) {
        let at = pc + 1 + k;
        match c.code.get(at) {
            Some(&Insn::Alu { width: Width::W64, op: AluOp::Mov, dst, src }) if !c.targets[at] => *m = (dst, src),
            _ => return 0,
        }
    }
    compare(c, width, cond, dst, src);
    for (k, &(a, x)) in moves.iter().enumerate().take(n) {
        let here = c.ops.offset().0 as u32;
        c.note_offset(pc + 1 + k, here);
        let a = host(a);
        let x = match x {
            Source::Reg(r) => host(r),
            Source::Imm(i) => {
                // `mov` leaves the flags alone.
                asm!(c.ops, ; mov Rq(TMP), i);
                TMP
            }
        };
        match cond {
            Cond::Eq => asm!(c.ops, ; cmovne Rq(a), Rq(x)),
            Cond::Ne | Cond::Set => asm!(c.ops, ; cmove Rq(a), Rq(x)),
            Cond::Gt => asm!(c.ops, ; cmovbe Rq(a), Rq(x)),
            Cond::Ge => asm!(c.ops, ; cmovb Rq(a), Rq(x)),
            Cond::Lt => asm!(c.ops, ; cmovae Rq(a), Rq(x)),
            Cond::Le => asm!(c.ops, ; cmova Rq(a), Rq(x)),
            Cond::Sgt => asm!(c.ops, ; cmovle Rq(a), Rq(x)),
            Cond::Sge => asm!(c.ops, ; cmovl Rq(a), Rq(x)),
            Cond::Slt => asm!(c.ops, ; cmovge Rq(a), Rq(x)),
            Cond::Sle => asm!(c.ops, ; cmovg Rq(a), Rq(x)),
        }
    }
    n + 1
}

/// `may_goto`: while the frame's budget (`r12`) is positive, decrement it and fall through;
/// once it is 0, jump. The prologue of every subprogram that contains a `may_goto` loads the
/// budget and saves its caller's, so each frame has its own counter, as in the interpreter.
///
/// In line it is one macro-fused `sub r12, 1; jb exit`; the out-of-line exit (emitted after
/// the epilogue) puts the budget back to 0 and jumps to the target.
pub(crate) fn may_goto(c: &mut Compiler<'_>, pc: usize, off: i16) {
    let t = c.target(pc, off as i64);
    let exit = c.ops.new_dynamic_label();
    c.may_goto_exits.push((exit, t));
    asm!(c.ops, ; sub Rq(LOOPS), BYTE 1 ; jb =>exit);
}

/// `may_goto +off; goto +j` (a `can_loop` latch: exit when the budget is spent, else back
/// to the loop's head), when nothing jumps to the `goto`: one fused `sub r12, 1; jae head`,
/// then the exit in line. The loop then takes one branch per iteration instead of two.
/// Returns the number of slots emitted, 0 if the pattern does not apply.
pub(crate) fn may_goto_latch(c: &mut Compiler<'_>, pc: usize, end: usize) -> usize {
    let (Some(&Insn::MayGoto { off }), Some(&Insn::Ja { off: j, .. })) = (c.code.get(pc), c.code.get(pc + 1)) else {
        return 0;
    };
    if pc + 1 >= end || c.targets[pc + 1] {
        return 0;
    }
    let exit = c.target(pc, off as i64);
    let head = c.target(pc + 1, j as i64);
    asm!(c.ops, ; sub Rq(LOOPS), BYTE 1);
    let here = c.ops.offset().0 as u32;
    c.note_offset(pc + 1, here);
    // Measured from here, where the `jae` starts.
    if c.short_back(pc + 1, j as i64) {
        asm!(c.ops, ; jae BYTE =>head);
    } else {
        asm!(c.ops, ; jae =>head);
    }
    asm!(c.ops, ; xor Rd(LOOPS), Rd(LOOPS) ; jmp =>exit);
    2
}

/// The exits of the current subprogram's `may_goto`s.
pub(crate) fn may_goto_exits(c: &mut Compiler<'_>) {
    for (exit, t) in std::mem::take(&mut c.may_goto_exits) {
        asm!(c.ops, ; =>exit ; xor Rd(LOOPS), Rd(LOOPS) ; jmp =>t);
    }
}
