//! Running the same program on the interpreter and the JIT, and comparing everything.
#![allow(dead_code, unused_imports)]

use hive_interp::{Fault, HelperTable, Helpers, Memory, Options, RegionKind, Vm};
pub use hive_isa::{
    AluOp, AtomicOp, CallTarget, Code, Cond, EndianOp, Insn, PacketMode, Pseudo, Reg, Size, Source, Width,
};
use hive_jit::{JitOptions, compile};

pub fn r(n: u8) -> Reg {
    Reg::new(n).unwrap()
}

pub fn mov(dst: u8, imm: i32) -> Insn {
    Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: r(dst), src: Source::Imm(imm) }
}

pub fn alu(width: Width, op: AluOp, dst: u8, src: Source) -> Insn {
    Insn::Alu { width, op, dst: r(dst), src }
}

pub fn lddw(dst: u8, v: u64) -> Insn {
    Insn::LdImm64 { dst: r(dst), pseudo: Pseudo::None, imm: v as u32 as i32, next_imm: (v >> 32) as u32 as i32 }
}

pub fn stx(size: Size, dst: u8, off: i16, src: u8) -> Insn {
    Insn::Store { size, dst: r(dst), off, src: Source::Reg(r(src)) }
}

pub fn ldx(size: Size, dst: u8, src: u8, off: i16) -> Insn {
    Insn::Load { size, signed: false, dst: r(dst), src: r(src), off }
}

/// Assembles kernel syntax.
pub fn asm(src: &str) -> Code {
    let raw = hive_asm::assemble(src, hive_asm::Syntax::Kernel).unwrap_or_else(|e| panic!("{e}\n{src}"));
    Code::decode(&raw).unwrap()
}

/// What one engine saw: the result and the input buffer afterwards.
#[derive(Debug, PartialEq, Eq)]
pub struct Seen {
    pub result: Result<u64, Fault>,
    pub buf: Vec<u8>,
}

/// Runs `code` on the interpreter (non-strict, `may_goto_loops` from `jit`) with `buf` as a
/// writable region in `r1` and its length in `r2`.
pub fn interp(code: &Code, buf: &[u8], jit: &JitOptions, helpers: &mut dyn Helpers) -> Seen {
    let mut buf = buf.to_vec();
    let len = buf.len() as u64;
    let mut mem = Memory::new();
    let addr = if buf.is_empty() { 0 } else { mem.add_region(RegionKind::Input, &mut buf) };
    let options = Options { may_goto_loops: jit.may_goto_loops, ..Options::default() };
    let result = Vm::new(code, options).run(&mut mem, helpers, [addr, len, 0, 0, 0]);
    drop(mem);
    Seen { result, buf }
}

/// The same on the JIT.
#[allow(unsafe_code)]
pub fn jit(code: &Code, buf: &[u8], options: &JitOptions, helpers: &mut dyn Helpers) -> Seen {
    let prog = compile(code, options).unwrap_or_else(|e| panic!("compile: {e}"));
    let mut buf = buf.to_vec();
    let len = buf.len() as u64;
    let mut mem = Memory::new();
    let addr = if buf.is_empty() { 0 } else { mem.add_region(RegionKind::Input, &mut buf) };
    // SAFETY: test programs only touch `buf` and their stack.
    let result = unsafe { prog.run(&mut mem, helpers, [addr, len, 0, 0, 0]) };
    drop(mem);
    Seen { result, buf }
}

/// Runs on both engines (JIT with `options`) and asserts they agree; returns the result.
pub fn agree_with(code: &Code, buf: &[u8], options: &JitOptions, helpers: impl Fn() -> HelperTable) -> Seen {
    let a = interp(code, buf, options, &mut helpers());
    let b = jit(code, buf, options, &mut helpers());
    assert_eq!(
        a,
        b,
        "interpreter vs JIT ({options:?}) on\n{}",
        hive_asm::disassemble(&code.to_raw(), hive_asm::Syntax::Kernel)
    );
    b
}

/// [`agree_with`] with default options, no helpers, a 64-byte buffer.
pub fn agree(code: &Code) -> Seen {
    agree_with(code, &[0u8; 64], &JitOptions::default(), HelperTable::new)
}

/// Both shift implementations (BMI2 and `cl`), when the host has BMI2, and constant
/// blinding.
pub fn option_sets() -> Vec<JitOptions> {
    let base = JitOptions::default();
    let mut v = vec![JitOptions { bmi2: false, ..base }, JitOptions { blind_constants: true, ..base }];
    if base.bmi2 {
        v.push(base);
    }
    v
}

/// Garbage with distinct upper halves for `r0`..`r9`.
pub fn garbage(i: u8) -> u64 {
    0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i as u64 + 1) ^ 0xffff_0000_8000_0001
}

/// A program that sets `r0`..`r9` to [`garbage`], runs `body`, then stores `r0`..`r9` into the
/// 80-byte buffer in `r1` (saved on the stack first) and returns `r0`.
pub fn observing(body: &[Insn]) -> Code {
    let mut v = vec![stx(Size::DW, 10, -8, 1)];
    for i in 0..10 {
        v.push(lddw(i, garbage(i)));
    }
    v.extend_from_slice(body);
    for i in 0..10 {
        v.push(stx(Size::DW, 10, -16 - 8 * i as i16, i));
    }
    v.push(ldx(Size::DW, 1, 10, -8));
    for i in 0..10 {
        v.push(ldx(Size::DW, 2, 10, -16 - 8 * i as i16));
        v.push(stx(Size::DW, 1, 8 * i as i16, 2));
    }
    v.push(ldx(Size::DW, 0, 10, -16));
    v.push(Insn::Exit);
    Code::from_insns(&v).unwrap()
}

/// Runs an [`observing`] program on both engines with every option set; returns the buffer.
///
/// Each body runs twice: as written, where the compiler knows every `lddw` constant (and so
/// folds what it can), and with each constant reloaded from the stack, where it knows
/// nothing and emits the general code. Both must agree with the interpreter and each other.
pub fn observe(body: &[Insn]) -> Vec<u8> {
    let mut last = Vec::new();
    for code in [observing(body), observing(&hidden_constants(body))] {
        let mut seen = Vec::new();
        for o in option_sets() {
            seen = agree_with(&code, &[0u8; 80], &o, HelperTable::new).buf;
        }
        assert!(last.is_empty() || last == seen, "known and hidden constants disagree");
        last = seen;
    }
    last
}

/// `body` with every `lddw rX, v` followed by a round trip of `rX` through the stack, which
/// leaves the compiler nothing known about its value.
pub fn hidden_constants(body: &[Insn]) -> Vec<Insn> {
    let mut v = Vec::new();
    for &insn in body {
        v.push(insn);
        if let Insn::LdImm64 { dst, .. } = insn {
            v.push(stx(Size::DW, 10, -256, dst.idx() as u8));
            v.push(ldx(Size::DW, dst.idx() as u8, 10, -256));
        }
    }
    v
}
