//! The semantic instruction: what an instruction means, independent of its bit layout.

use crate::table::{Kind, SourceKind};
use crate::types::*;

/// One decoded instruction. Every consumer (interpreter, assembler, verifier, JIT) matches on
/// this enum, never on opcode bits; [`crate::decode`] and [`crate::encode`] convert through the
/// opcode table in [`crate::table`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Insn {
    /// `dst op= src` in 32 or 64 bits.
    Alu {
        /// Operand width; 32-bit results are zero-extended into the 64-bit register.
        width: Width,
        /// The operation.
        op: AluOp,
        /// Destination and first operand.
        dst: Reg,
        /// Second operand.
        src: Source,
    },
    /// `dst = -dst`.
    Neg {
        /// Operand width.
        width: Width,
        /// The register negated in place.
        dst: Reg,
    },
    /// Byte-order conversion of the low `bits` of `dst` (16, 32 or 64).
    Endian {
        /// Conversion kind.
        op: EndianOp,
        /// 16, 32 or 64.
        bits: u32,
        /// The register converted in place.
        dst: Reg,
    },
    /// `dst = imm64` (two slots, `lddw`), possibly a pseudo value resolved at load time.
    LdImm64 {
        /// Destination register.
        dst: Reg,
        /// What the immediate means.
        pseudo: Pseudo,
        /// First slot's `imm`: the low 32 bits.
        imm: i32,
        /// Second slot's `imm`: the high 32 bits (or the value offset for map-value pseudos).
        next_imm: i32,
    },
    /// `dst = *(size *)(src + off)`, zero- or (v4 `MEMSX`) sign-extended.
    Load {
        /// Access size.
        size: Size,
        /// Sign-extend (`BPF_MEMSX`).
        signed: bool,
        /// Receives the value.
        dst: Reg,
        /// Base address register.
        src: Reg,
        /// Signed offset from the base.
        off: i16,
    },
    /// `*(size *)(dst + off) = src` (`BPF_ST` with an immediate, `BPF_STX` with a register).
    Store {
        /// Access size.
        size: Size,
        /// Base address register.
        dst: Reg,
        /// Signed offset from the base.
        off: i16,
        /// The stored value; an immediate is sign-extended to the access size.
        src: Source,
    },
    /// Atomic operation on `*(size *)(base + off)` (`BPF_STX | BPF_ATOMIC`).
    ///
    /// `dst` and `src` are the raw fields: for every operation but `LoadAcquire` the address is
    /// `dst + off` and `src` the value operand; for `LoadAcquire` the address is `src + off`
    /// and `dst` receives the value.
    Atomic {
        /// Access size (W or DW; any size for acquire/release).
        size: Size,
        /// The operation.
        op: AtomicOp,
        /// The `dst` field.
        dst: Reg,
        /// The `src` field.
        src: Reg,
        /// Signed offset.
        off: i16,
    },
    /// Legacy `r0 = ntoh(*(size *)(skb->data + [src +] imm))`, which may end the program.
    LoadPacket {
        /// Absolute or indirect.
        mode: PacketMode,
        /// Access size (B, H or W).
        size: Size,
        /// Index register for `Ind` (`r0` and unused for `Abs`).
        src: Reg,
        /// Offset.
        imm: i32,
    },
    /// Unconditional jump to `pc + 1 + off`; `long` is the v4 `gotol` whose target is in `imm`.
    Ja {
        /// Relative target.
        off: i32,
        /// `BPF_JMP32 | BPF_JA` (32-bit offset in `imm`).
        long: bool,
    },
    /// `if dst cond src goto pc + 1 + off`.
    Jump {
        /// Compare 32-bit sub-registers (`BPF_JMP32`) or full registers.
        width: Width,
        /// The condition.
        cond: Cond,
        /// Left operand.
        dst: Reg,
        /// Right operand.
        src: Source,
        /// Relative target.
        off: i16,
    },
    /// Call a helper, a subprogram or a kfunc.
    Call(CallTarget),
    /// `callx reg`: indirect call through a register (see the interpreter for its meaning).
    CallX {
        /// The register holding the target.
        reg: Reg,
    },
    /// Return `r0` from the current function.
    Exit,
    /// `may_goto +off`: fall through while the loop budget lasts (decrementing it), jump once it
    /// is exhausted (the `can_loop` exit; kernel `do_misc_fixups`).
    MayGoto {
        /// Relative target.
        off: i16,
    },
}

impl Insn {
    /// The table row kind of this instruction (its opcode identity without operands).
    pub fn kind(&self) -> Kind {
        let source = |s: &Source| match s {
            Source::Reg(_) => SourceKind::Reg,
            Source::Imm(_) => SourceKind::Imm,
        };
        match self {
            Insn::Alu { width, op, src, .. } => Kind::Alu { width: *width, op: *op, source: source(src) },
            Insn::Neg { width, .. } => Kind::Neg { width: *width },
            Insn::Endian { op, bits, .. } => Kind::Endian { op: *op, bits: *bits },
            Insn::LdImm64 { pseudo, .. } => Kind::LdImm64 { pseudo: *pseudo },
            Insn::Load { size, signed, .. } => Kind::Load { size: *size, signed: *signed },
            Insn::Store { size, src, .. } => Kind::Store { size: *size, source: source(src) },
            Insn::Atomic { size, op, .. } => Kind::Atomic { size: *size, op: *op },
            Insn::LoadPacket { mode, size, .. } => Kind::LoadPacket { mode: *mode, size: *size },
            Insn::Ja { long, .. } => Kind::Ja { long: *long },
            Insn::Jump { width, cond, src, .. } => {
                Kind::Jump { width: *width, cond: *cond, source: source(src) }
            }
            Insn::Call(CallTarget::Helper(_)) => Kind::CallHelper,
            Insn::Call(CallTarget::Local(_)) => Kind::CallLocal,
            Insn::Call(CallTarget::Kfunc { .. }) => Kind::CallKfunc,
            Insn::CallX { .. } => Kind::CallX,
            Insn::Exit => Kind::Exit,
            Insn::MayGoto { .. } => Kind::MayGoto,
        }
    }

    /// Number of 8-byte slots the instruction occupies (2 for `lddw`, else 1).
    pub fn slots(&self) -> usize {
        match self {
            Insn::LdImm64 { .. } => 2,
            _ => 1,
        }
    }

    /// The 64-bit value of an `lddw` (both halves joined).
    pub fn imm64(imm: i32, next_imm: i32) -> u64 {
        (imm as u32 as u64) | ((next_imm as u32 as u64) << 32)
    }

    /// Relative control-flow target of a jump, a local call, `may_goto` or an `lddw` of a
    /// function: the instruction continues at `pc + 1 + delta`.
    pub fn branch_delta(&self) -> Option<i64> {
        match *self {
            Insn::Ja { off, .. } => Some(off as i64),
            Insn::Jump { off, .. } | Insn::MayGoto { off } => Some(off as i64),
            Insn::Call(CallTarget::Local(imm)) => Some(imm as i64),
            Insn::LdImm64 { pseudo: Pseudo::Func, imm, .. } => Some(imm as i64),
            _ => None,
        }
    }

    /// The register this instruction writes, if any (calls clobber `r0`-`r5` besides).
    pub fn written_reg(&self) -> Option<Reg> {
        match *self {
            Insn::Alu { dst, .. }
            | Insn::Neg { dst, .. }
            | Insn::Endian { dst, .. }
            | Insn::LdImm64 { dst, .. }
            | Insn::Load { dst, .. } => Some(dst),
            Insn::Atomic { op: AtomicOp::LoadAcquire, dst, .. } => Some(dst),
            Insn::Atomic { op: AtomicOp::Cmpxchg, .. } => Some(Reg::R0),
            Insn::Atomic { op, src, .. } if op.fetches() => Some(src),
            Insn::LoadPacket { .. } | Insn::Call(_) | Insn::CallX { .. } => Some(Reg::R0),
            _ => None,
        }
    }
}
