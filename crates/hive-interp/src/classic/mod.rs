//! Classic BPF (cBPF): the kernel's load-time checks and the conversion to eBPF.
//!
//! Linux runs socket filters (and the classic tests of `lib/test_bpf.c`) by checking them
//! with `bpf_check_classic` and translating them with `bpf_convert_filter`
//! (`net/core/filter.c`). This module does both, so that classic programs run on the same
//! interpreter (and later the same JIT) as eBPF ones:
//!
//! - [`check`] refuses what the kernel refuses with `-EINVAL`: an empty or over-long
//!   ([`BPF_MAXINSNS`]) program, an opcode outside the classic set, a constant division by
//!   zero, a constant shift of 32 or more, a scratch cell `M[k]` with `k >= 16`, a jump out of
//!   the program, an unknown ancillary load (`SKF_AD_OFF <= k < 0`), a last instruction that is
//!   not `ret`, and a load from a scratch cell that is not stored on every path before it.
//! - [`convert`] maps `A` to `r0`, `X` to `r7`, the context (an skb whose layout is [`skb`])
//!   to `r6`, `M[k]` to the stack word at `r10 - 4 * (16 - k)`, and uses `r8` as scratch.
//!   Packet loads become eBPF `LD_ABS`/`LD_IND` (a failed load returns 0, as in the kernel);
//!   `A / X` and `A % X` with `X == 0` return 0; ancillary loads read the [`skb`] fields or
//!   call the helpers of [`skb::ClassicHelpers`]. Jumps whose eBPF offset does not fit 16 bits
//!   are emitted with `gotol`, so any classic program the checks accept converts (the kernel
//!   instead refuses such programs with `-EINVAL`).

pub mod skb;

use hive_isa::{AluOp, Code, Cond, Insn, PacketMode, Reg, Size, Source, Width};

/// `BPF_MAXINSNS`: the longest classic program.
pub const BPF_MAXINSNS: usize = 4096;
/// `BPF_MEMWORDS`: scratch cells `M[0..16]`.
pub const BPF_MEMWORDS: u32 = 16;
/// `SKF_AD_OFF`: ancillary loads are `ld [SKF_AD_OFF + n]`.
pub const SKF_AD_OFF: i32 = -0x1000;

/// One classic instruction (`struct sock_filter`).
#[doc(alias = "sock_filter")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ClassicInsn {
    /// Opcode.
    pub code: u16,
    /// Jump offset when the condition holds.
    pub jt: u8,
    /// Jump offset when it does not.
    pub jf: u8,
    /// Constant operand.
    pub k: u32,
}

impl ClassicInsn {
    /// Builds an instruction.
    pub const fn new(code: u16, jt: u8, jf: u8, k: u32) -> Self {
        ClassicInsn { code, jt, jf, k }
    }

    /// From the `code | jt << 16 | jf << 24 | k << 32` form of the corpora.
    pub const fn from_u64(v: u64) -> Self {
        ClassicInsn { code: v as u16, jt: (v >> 16) as u8, jf: (v >> 24) as u8, k: (v >> 32) as u32 }
    }
}

/// Why a classic program is refused (the kernel's `-EINVAL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ClassicError {
    /// No instruction, or more than [`BPF_MAXINSNS`].
    #[error("classic program length {len} outside 1..={BPF_MAXINSNS}")]
    Length {
        /// The length.
        len: usize,
    },
    /// An opcode outside the classic instruction set.
    #[error("insn {pc}: unknown classic opcode {code:#06x}")]
    UnknownOpcode {
        /// Instruction index.
        pc: usize,
        /// Opcode.
        code: u16,
    },
    /// `div`/`mod` by the constant 0.
    #[error("insn {pc}: division by constant zero")]
    DivisionByZero {
        /// Instruction index.
        pc: usize,
    },
    /// A constant shift of 32 or more.
    #[error("insn {pc}: shift by {k}")]
    ShiftTooLarge {
        /// Instruction index.
        pc: usize,
        /// Shift amount.
        k: u32,
    },
    /// `M[k]` with `k >= 16`.
    #[error("insn {pc}: scratch cell M[{k}] out of range")]
    ScratchIndex {
        /// Instruction index.
        pc: usize,
        /// Cell.
        k: u32,
    },
    /// A jump past the last instruction.
    #[error("insn {pc}: jump out of range")]
    JumpOutOfRange {
        /// Instruction index.
        pc: usize,
    },
    /// `ld [SKF_AD_OFF + n]` with an unknown `n`.
    #[error("insn {pc}: unknown ancillary load {k:#x}")]
    UnknownAncillary {
        /// Instruction index.
        pc: usize,
        /// The offset.
        k: u32,
    },
    /// The last instruction is not `ret`.
    #[error("the last instruction is not ret")]
    MissingRet,
    /// A load from a scratch cell that some path reaches without storing it.
    #[error("insn {pc}: M[{k}] may be read before it is written")]
    UninitScratch {
        /// Instruction index.
        pc: usize,
        /// Cell.
        k: u32,
    },
}

/// Classic opcode pieces.
mod op {
    pub const LD: u16 = 0x00;
    pub const LDX: u16 = 0x01;
    pub const ST: u16 = 0x02;
    pub const STX: u16 = 0x03;
    pub const ALU: u16 = 0x04;
    pub const JMP: u16 = 0x05;
    pub const RET: u16 = 0x06;
    pub const MISC: u16 = 0x07;
    pub const W: u16 = 0x00;
    pub const H: u16 = 0x08;
    pub const IMM: u16 = 0x00;
    pub const ABS: u16 = 0x20;
    pub const IND: u16 = 0x40;
    pub const MEM: u16 = 0x60;
    pub const LEN: u16 = 0x80;
    pub const MSH: u16 = 0xa0;
    pub const K: u16 = 0x00;
    pub const BPF_X: u16 = 0x08;
    pub const BPF_A: u16 = 0x10;
    pub const JA: u16 = 0x00;
    pub const JEQ: u16 = 0x10;
    pub const JGT: u16 = 0x20;
    pub const JGE: u16 = 0x30;
    pub const JSET: u16 = 0x40;
    pub const NEG: u16 = 0x80;
    pub const TAX: u16 = 0x00;
    pub const TXA: u16 = 0x80;
}

/// The ALU operations of the classic set (`BPF_OP` values).
fn alu_op(code: u16) -> Option<AluOp> {
    Some(match code & 0xf0 {
        0x00 => AluOp::Add,
        0x10 => AluOp::Sub,
        0x20 => AluOp::Mul,
        0x30 => AluOp::Div,
        0x40 => AluOp::Or,
        0x50 => AluOp::And,
        0x60 => AluOp::Lsh,
        0x70 => AluOp::Rsh,
        0x90 => AluOp::Mod,
        0xa0 => AluOp::Xor,
        _ => return None,
    })
}

fn jmp_cond(code: u16) -> Option<Cond> {
    Some(match code & 0xf0 {
        op::JEQ => Cond::Eq,
        op::JGT => Cond::Gt,
        op::JGE => Cond::Ge,
        op::JSET => Cond::Set,
        _ => return None,
    })
}

/// `chk_code_allowed`: the opcodes of the classic set.
fn allowed(code: u16) -> bool {
    use op::*;
    let class = code & 0x07;
    match class {
        ALU => code == ALU | NEG || (alu_op(code).is_some() && matches!(code & !0xf0, 0x04 | 0x0c)),
        LD => matches!(code, 0x20 | 0x28 | 0x30 | 0x80 | 0x40 | 0x48 | 0x50 | 0x00 | 0x60),
        LDX => matches!(code, 0x81 | 0xb1 | 0x01 | 0x61),
        ST | STX => code == class,
        MISC => code == MISC | TAX || code == MISC | TXA,
        RET => code == RET | K || code == RET | BPF_A,
        JMP => code == JMP | JA || (jmp_cond(code).is_some() && matches!(code & !0xf0, 0x05 | 0x0d)),
        _ => false,
    }
}

fn is_cond_jump(code: u16) -> bool {
    code & 0x07 == op::JMP && code & 0xf0 != op::JA
}

/// `bpf_check_classic`: whether the kernel accepts `filter`.
pub fn check(filter: &[ClassicInsn]) -> Result<(), ClassicError> {
    let len = filter.len();
    if len == 0 || len > BPF_MAXINSNS {
        return Err(ClassicError::Length { len });
    }
    for (pc, f) in filter.iter().enumerate() {
        if !allowed(f.code) {
            return Err(ClassicError::UnknownOpcode { pc, code: f.code });
        }
        let c = f.code;
        if c == op::ALU | 0x30 || c == op::ALU | 0x90 {
            if f.k == 0 {
                return Err(ClassicError::DivisionByZero { pc });
            }
        } else if (c == op::ALU | 0x60 || c == op::ALU | 0x70) && f.k >= 32 {
            return Err(ClassicError::ShiftTooLarge { pc, k: f.k });
        } else if matches!(c, 0x60 | 0x61 | 0x02 | 0x03) && f.k >= BPF_MEMWORDS {
            return Err(ClassicError::ScratchIndex { pc, k: f.k });
        } else if c == op::JMP | op::JA {
            if f.k as u64 >= (len - pc - 1) as u64 {
                return Err(ClassicError::JumpOutOfRange { pc });
            }
        } else if is_cond_jump(c) {
            if pc + f.jt as usize + 1 >= len || pc + f.jf as usize + 1 >= len {
                return Err(ClassicError::JumpOutOfRange { pc });
            }
        } else if matches!(c, 0x20 | 0x28 | 0x30) && f.k >= SKF_AD_OFF as u32 && skb::ancillary(f.k).is_none() {
            return Err(ClassicError::UnknownAncillary { pc, k: f.k });
        }
    }
    if !matches!(filter[len - 1].code, 0x06 | 0x16) {
        return Err(ClassicError::MissingRet);
    }
    check_load_and_stores(filter)
}

/// Every `M[k]` load must follow a store of `M[k]` on every path (`check_load_and_stores`).
fn check_load_and_stores(filter: &[ClassicInsn]) -> Result<(), ClassicError> {
    let mut masks = vec![u16::MAX; filter.len()];
    let mut valid: u16 = 0;
    for (pc, f) in filter.iter().enumerate() {
        valid &= masks[pc];
        match f.code {
            0x02 | 0x03 => valid |= 1 << f.k,
            0x60 | 0x61 if valid & (1 << f.k) == 0 => {
                return Err(ClassicError::UninitScratch { pc, k: f.k });
            }
            c if c == op::JMP | op::JA => {
                masks[pc + 1 + f.k as usize] &= valid;
                valid = u16::MAX;
            }
            c if is_cond_jump(c) => {
                masks[pc + 1 + f.jt as usize] &= valid;
                masks[pc + 1 + f.jf as usize] &= valid;
                valid = u16::MAX;
            }
            _ => {}
        }
    }
    Ok(())
}

const A: Reg = Reg::R0;
const X: Reg = Reg::R7;
const TMP: Reg = Reg::R8;
const CTX: Reg = Reg::R6;

/// One piece of output: a finished instruction or a jump to a classic instruction.
#[derive(Clone, Copy)]
enum Out {
    Insn(Insn),
    /// `goto target` (`cond = None`) or `if A cond src goto target`.
    Jump { cond: Option<(Cond, Source)>, target: usize },
}

fn alu32(op: AluOp, dst: Reg, src: Source) -> Out {
    Out::Insn(Insn::Alu { width: Width::W32, op, dst, src })
}

fn mov64(dst: Reg, src: Reg) -> Out {
    Out::Insn(Insn::Alu { width: Width::W64, op: AluOp::Mov, dst, src: Source::Reg(src) })
}

fn ldx(size: Size, dst: Reg, src: Reg, off: i16) -> Out {
    Out::Insn(Insn::Load { size, signed: false, dst, src, off })
}

fn scratch(k: u32) -> i16 {
    -4 * (BPF_MEMWORDS - k) as i16
}

/// Appends the eBPF for classic instruction `pc`.
fn lower(pc: usize, f: ClassicInsn, out: &mut Vec<Out>) {
    use op::*;
    let k = f.k as i32;
    let src = if f.code & BPF_X != 0 { Source::Reg(X) } else { Source::Imm(k) };
    let next = pc + 1;
    match f.code & 0x07 {
        ALU if f.code == ALU | NEG => out.push(Out::Insn(Insn::Neg { width: Width::W32, dst: A })),
        ALU => {
            let op = alu_op(f.code).expect("checked opcode");
            if f.code & BPF_X != 0 && matches!(op, AluOp::Div | AluOp::Mod) {
                // cBPF: division by X == 0 returns 0.
                out.push(Out::Insn(Insn::Jump { width: Width::W64, cond: Cond::Ne, dst: X, src: Source::Imm(0), off: 2 }));
                out.push(alu32(AluOp::Mov, A, Source::Imm(0)));
                out.push(Out::Insn(Insn::Exit));
            }
            out.push(alu32(op, A, src));
        }
        LD | LDX => {
            let dst = if f.code & 0x07 == LD { A } else { X };
            match f.code & 0xe0 {
                IMM => out.push(alu32(AluOp::Mov, dst, Source::Imm(k))),
                MEM => out.push(ldx(Size::W, dst, Reg::R10, scratch(f.k))),
                LEN => out.push(ldx(Size::W, dst, CTX, skb::LEN)),
                MSH => {
                    out.push(mov64(TMP, A));
                    out.push(Out::Insn(Insn::LoadPacket { mode: PacketMode::Abs, size: Size::B, src: Reg::R0, imm: k }));
                    out.push(alu32(AluOp::And, A, Source::Imm(0xf)));
                    out.push(alu32(AluOp::Lsh, A, Source::Imm(2)));
                    out.push(mov64(X, A));
                    out.push(mov64(A, TMP));
                }
                mode => {
                    let size = match f.code & 0x18 {
                        W => Size::W,
                        H => Size::H,
                        _ => Size::B,
                    };
                    if mode == ABS && (SKF_AD_OFF..0).contains(&k) {
                        let ad = skb::ancillary(f.k).expect("checked ancillary load");
                        skb::lower_ancillary(ad, out);
                    } else {
                        let (mode, src) = if mode == IND { (PacketMode::Ind, X) } else { (PacketMode::Abs, Reg::R0) };
                        out.push(Out::Insn(Insn::LoadPacket { mode, size, src, imm: k }));
                    }
                }
            }
        }
        ST => out.push(Out::Insn(Insn::Store { size: Size::W, dst: Reg::R10, off: scratch(f.k), src: Source::Reg(A) })),
        STX => out.push(Out::Insn(Insn::Store { size: Size::W, dst: Reg::R10, off: scratch(f.k), src: Source::Reg(X) })),
        MISC if f.code == MISC | TAX => out.push(alu32(AluOp::Mov, X, Source::Reg(A))),
        MISC => out.push(alu32(AluOp::Mov, A, Source::Reg(X))),
        RET => {
            if f.code & 0x18 == K {
                out.push(alu32(AluOp::Mov, A, Source::Imm(k)));
            }
            out.push(Out::Insn(Insn::Exit));
        }
        _ => {
            if f.code == JMP | JA {
                out.push(Out::Jump { cond: None, target: next + f.k as usize });
            } else {
                let cond = jmp_cond(f.code).expect("checked opcode");
                out.push(Out::Jump { cond: Some((cond, src)), target: next + f.jt as usize });
                if f.jf != 0 {
                    out.push(Out::Jump { cond: None, target: next + f.jf as usize });
                }
            }
        }
    }
}

/// Checks `filter` like the kernel and converts it to eBPF. On entry the program expects the
/// skb context ([`skb`]) in `r1`.
pub fn convert(filter: &[ClassicInsn]) -> Result<Code, ClassicError> {
    check(filter)?;
    // Prologue: A = 0, X = 0, ctx in r6.
    let mut outs = vec![alu32(AluOp::Mov, A, Source::Imm(0)), alu32(AluOp::Mov, X, Source::Imm(0)), mov64(CTX, Reg::R1)];
    let mut starts = Vec::with_capacity(filter.len());
    for (pc, f) in filter.iter().enumerate() {
        starts.push(outs.len());
        lower(pc, *f, &mut outs);
    }
    // Lay out: a conditional jump whose offset does not fit 16 bits becomes three
    // instructions (`if cond goto +1; gotol false; gotol true`); iterate until stable.
    let mut long = vec![false; outs.len()];
    loop {
        let mut addr = Vec::with_capacity(outs.len() + 1);
        let mut at = 0usize;
        for (i, o) in outs.iter().enumerate() {
            addr.push(at);
            at += match o {
                Out::Jump { cond: Some(_), .. } if long[i] => 3,
                _ => 1,
            };
        }
        addr.push(at);
        let target_addr = |t: usize| addr[starts[t]];
        let mut changed = false;
        for (i, o) in outs.iter().enumerate() {
            if let Out::Jump { cond: Some(_), target } = *o {
                let off = target_addr(target) as i64 - addr[i] as i64 - 1;
                if !long[i] && i16::try_from(off).is_err() {
                    long[i] = true;
                    changed = true;
                }
            }
        }
        if changed {
            continue;
        }
        let mut insns = Vec::with_capacity(at);
        for (i, o) in outs.iter().enumerate() {
            match *o {
                Out::Insn(insn) => insns.push(insn),
                Out::Jump { cond: None, target } => {
                    let off = target_addr(target) as i64 - addr[i] as i64 - 1;
                    insns.push(match i16::try_from(off) {
                        Ok(_) => Insn::Ja { off: off as i32, long: false },
                        Err(_) => Insn::Ja { off: off as i32, long: true },
                    });
                }
                Out::Jump { cond: Some((cond, src)), target } => {
                    let off = target_addr(target) as i64 - addr[i] as i64 - 1;
                    if long[i] {
                        insns.push(Insn::Jump { width: Width::W32, cond, dst: A, src, off: 1 });
                        insns.push(Insn::Ja { off: (addr[i + 1] as i64 - addr[i] as i64 - 2) as i32, long: true });
                        insns.push(Insn::Ja { off: (off - 2) as i32, long: true });
                    } else {
                        insns.push(Insn::Jump { width: Width::W32, cond, dst: A, src, off: off as i16 });
                    }
                }
            }
        }
        return Ok(Code::from_insns(&insns).expect("converted jumps land on instructions"));
    }
}

#[cfg(test)]
mod tests;
