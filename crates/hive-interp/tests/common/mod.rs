//! A tiny program builder shared by the semantic tests.
#![allow(dead_code, unused_imports)]

pub use hive_interp::*;
pub use hive_isa::{
    AluOp, AtomicOp, CallTarget, Code, Cond, EndianOp, Insn, PacketMode, Pseudo, Reg, Size, Source, Width,
};

pub fn r(n: u8) -> Reg {
    Reg::new(n).unwrap()
}

pub fn mov(dst: u8, imm: i32) -> Insn {
    Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: r(dst), src: Source::Imm(imm) }
}

pub fn movr(dst: u8, src: u8) -> Insn {
    Insn::Alu { width: Width::W64, op: AluOp::Mov, dst: r(dst), src: Source::Reg(r(src)) }
}

pub fn alu(width: Width, op: AluOp, dst: u8, imm: i32) -> Insn {
    Insn::Alu { width, op, dst: r(dst), src: Source::Imm(imm) }
}

pub fn alur(width: Width, op: AluOp, dst: u8, src: u8) -> Insn {
    Insn::Alu { width, op, dst: r(dst), src: Source::Reg(r(src)) }
}

pub fn lddw(dst: u8, v: u64) -> Insn {
    Insn::LdImm64 { dst: r(dst), pseudo: Pseudo::None, imm: v as u32 as i32, next_imm: (v >> 32) as u32 as i32 }
}

pub fn ldx(size: Size, dst: u8, src: u8, off: i16) -> Insn {
    Insn::Load { size, signed: false, dst: r(dst), src: r(src), off }
}

pub fn ldxs(size: Size, dst: u8, src: u8, off: i16) -> Insn {
    Insn::Load { size, signed: true, dst: r(dst), src: r(src), off }
}

pub fn stx(size: Size, dst: u8, off: i16, src: u8) -> Insn {
    Insn::Store { size, dst: r(dst), off, src: Source::Reg(r(src)) }
}

pub fn st(size: Size, dst: u8, off: i16, imm: i32) -> Insn {
    Insn::Store { size, dst: r(dst), off, src: Source::Imm(imm) }
}

pub fn atomic(size: Size, op: AtomicOp, dst: u8, src: u8, off: i16) -> Insn {
    Insn::Atomic { size, op, dst: r(dst), src: r(src), off }
}

pub fn jmp(cond: Cond, dst: u8, imm: i32, off: i16) -> Insn {
    Insn::Jump { width: Width::W64, cond, dst: r(dst), src: Source::Imm(imm), off }
}

pub fn jmp32(cond: Cond, dst: u8, imm: i32, off: i16) -> Insn {
    Insn::Jump { width: Width::W32, cond, dst: r(dst), src: Source::Imm(imm), off }
}

pub fn ja(off: i32) -> Insn {
    Insn::Ja { off, long: false }
}

pub fn call(id: i32) -> Insn {
    Insn::Call(CallTarget::Helper(id))
}

pub fn call_local(imm: i32) -> Insn {
    Insn::Call(CallTarget::Local(imm))
}

pub const EXIT: Insn = Insn::Exit;

pub fn code(insns: &[Insn]) -> Code {
    Code::from_insns(insns).unwrap()
}

/// Runs with default options, no helpers, no regions.
pub fn run(insns: &[Insn]) -> Result<u64, Fault> {
    run_opts(insns, Options::default(), [0; 5])
}

pub fn run_opts(insns: &[Insn], options: Options, args: [u64; 5]) -> Result<u64, Fault> {
    let mut mem = Memory::new();
    Vm::new(&code(insns), options).run(&mut mem, &mut NoHelpers, args)
}

/// Runs with one writable input region in `r1` (and its length in `r2`).
pub fn run_mem(insns: &[Insn], data: &mut [u8]) -> Result<u64, Fault> {
    let len = data.len() as u64;
    let mut mem = Memory::new();
    let addr = mem.add_region(RegionKind::Input, data);
    Vm::new(&code(insns), Options::default()).run(&mut mem, &mut NoHelpers, [addr, len, 0, 0, 0])
}

pub fn strict() -> Options {
    Options { strict: true, ..Options::default() }
}
