//! Kernel/LLVM syntax printer: one [`Insn`] to the text `llvm-objdump -d` and the kernel
//! verifier log print.
//!
//! Where the two tools differ, this printer follows llvm-objdump for operands (decimal signed
//! immediates, `goto +N`, `w` registers for 32-bit atomics) and the kernel for what llvm-objdump
//! cannot show (helper names, `call pc+N`, `skb[r1 + 4]`, `lddw` constants in hex, pseudo map
//! references). Every string printed here is accepted by [`super::parse`] and re-encodes to the
//! same bytes.

use hive_isa::{AluOp, AtomicOp, CallTarget, Cond, EndianOp, Insn, PacketMode, Reg, Size, Source, Width};

use crate::helpers::helper_name;
use crate::pseudo;

fn r(reg: Reg, width: Width) -> String {
    match width {
        Width::W64 => format!("r{}", reg.num()),
        Width::W32 => format!("w{}", reg.num()),
    }
}

fn src(s: Source, width: Width) -> String {
    match s {
        Source::Reg(reg) => r(reg, width),
        Source::Imm(i) => i.to_string(),
    }
}

/// `(r1 + 4)`, `(r10 - 8)`, `(r1 + 0)`.
pub(crate) fn addr(base: Reg, off: i16) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    format!("r{} {sign} {}", base.num(), i32::from(off).unsigned_abs())
}

fn mem(size: Size, base: Reg, off: i16) -> String {
    format!("*({} *)({})", size.c_type(), addr(base, off))
}

/// The operator of a compound assignment (`+=`), or `None` for moves.
pub(crate) fn alu_op(op: AluOp) -> Option<&'static str> {
    Some(match op {
        AluOp::Add => "+=",
        AluOp::Sub => "-=",
        AluOp::Mul => "*=",
        AluOp::Div => "/=",
        AluOp::SDiv => "s/=",
        AluOp::Or => "|=",
        AluOp::And => "&=",
        AluOp::Lsh => "<<=",
        AluOp::Rsh => ">>=",
        AluOp::Mod => "%=",
        AluOp::SMod => "s%=",
        AluOp::Xor => "^=",
        AluOp::Arsh => "s>>=",
        AluOp::Mov | AluOp::MovSx8 | AluOp::MovSx16 | AluOp::MovSx32 => return None,
    })
}

/// The comparison operator of a conditional jump.
pub(crate) fn cond_op(c: Cond) -> &'static str {
    match c {
        Cond::Eq => "==",
        Cond::Gt => ">",
        Cond::Ge => ">=",
        Cond::Set => "&",
        Cond::Ne => "!=",
        Cond::Sgt => "s>",
        Cond::Sge => "s>=",
        Cond::Lt => "<",
        Cond::Le => "<=",
        Cond::Slt => "s<",
        Cond::Sle => "s<=",
    }
}

fn atomic(size: Size, op: AtomicOp, dst: Reg, src: Reg, off: i16) -> String {
    // 32-bit read-modify-write operands are `w` registers, as llvm-objdump prints them.
    let w = if size == Size::DW { Width::W64 } else { Width::W32 };
    let a = addr(dst, off);
    let v = r(src, w);
    let rmw = |name: &str, assign: &str, fetch: bool| {
        if fetch {
            format!("{v} = atomic_fetch_{name}(({} *)({a}), {v})", size.c_type())
        } else {
            format!("lock {} {assign} {v}", mem(size, dst, off))
        }
    };
    let (x, sfx) = if size == Size::DW { ("", "64") } else { ("32", "32") };
    match op {
        AtomicOp::Add { fetch } => rmw("add", "+=", fetch),
        AtomicOp::Or { fetch } => rmw("or", "|=", fetch),
        AtomicOp::And { fetch } => rmw("and", "&=", fetch),
        AtomicOp::Xor { fetch } => rmw("xor", "^=", fetch),
        AtomicOp::Xchg => format!("{v} = xchg{x}_{sfx}({a}, {v})"),
        AtomicOp::Cmpxchg => format!("{0} = cmpxchg{x}_{sfx}({a}, {0}, {v})", r(Reg::R0, w)),
        // For load-acquire the address is in `src` and the destination in `dst`.
        AtomicOp::LoadAcquire => format!("r{} = load_acquire(({} *)({}))", dst.num(), size.c_type(), addr(src, off)),
        AtomicOp::StoreRelease => format!("store_release(({} *)({a}), r{})", size.c_type(), src.num()),
    }
}

fn endian(op: EndianOp) -> &'static str {
    match op {
        EndianOp::ToLe => "le",
        EndianOp::ToBe => "be",
        EndianOp::Swap => "bswap",
    }
}

fn call(t: CallTarget) -> String {
    match t {
        CallTarget::Helper(id) => match helper_name(id) {
            Some(name) => format!("call {name}"),
            None if id >= 0 => format!("call {id}"),
            // A sign would read as a relative (local) call: write the bit pattern instead.
            None => format!("call {:#x}", id as u32),
        },
        CallTarget::Local(d) => format!("call pc{d:+}"),
        CallTarget::Kfunc { btf_id, off: 0 } => format!("call kfunc[id:{btf_id}]"),
        CallTarget::Kfunc { btf_id, off } => format!("call kfunc[id:{btf_id},fd_idx:{off}]"),
    }
}

/// Formats one instruction in kernel syntax.
pub(crate) fn format(insn: &Insn) -> String {
    match *insn {
        Insn::Alu { width, op, dst, src: s } => {
            let d = r(dst, width);
            match (op, alu_op(op)) {
                (_, Some(o)) => format!("{d} {o} {}", src(s, width)),
                (AluOp::MovSx8, _) => format!("{d} = (s8){}", src(s, width)),
                (AluOp::MovSx16, _) => format!("{d} = (s16){}", src(s, width)),
                (AluOp::MovSx32, _) => format!("{d} = (s32){}", src(s, width)),
                _ => format!("{d} = {}", src(s, width)),
            }
        }
        Insn::Neg { width, dst } => format!("{} = -{}", r(dst, width), r(dst, width)),
        Insn::Endian { op, bits, dst } => format!("r{0} = {1}{bits} r{0}", dst.num(), endian(op)),
        Insn::LdImm64 { dst, pseudo, imm, next_imm } => match pseudo::format(pseudo, imm, next_imm) {
            Some(p) => format!("r{} = {p}", dst.num()),
            None => format!("r{} = {:#x} ll", dst.num(), Insn::imm64(imm, next_imm)),
        },
        Insn::Load { size, signed, dst, src: base, off } => {
            let t = if signed { size.c_type().replacen('u', "s", 1) } else { size.c_type().to_string() };
            format!("r{} = *({t} *)({})", dst.num(), addr(base, off))
        }
        Insn::Store { size, dst, off, src: s } => format!("{} = {}", mem(size, dst, off), src(s, Width::W64)),
        Insn::Atomic { size, op, dst, src, off } => atomic(size, op, dst, src, off),
        Insn::LoadPacket { mode: PacketMode::Abs, size, imm, .. } => {
            format!("r0 = *({} *)skb[{imm}]", size.c_type())
        }
        Insn::LoadPacket { mode: PacketMode::Ind, size, src, imm } => {
            let sign = if imm < 0 { '-' } else { '+' };
            format!("r0 = *({} *)skb[r{} {sign} {}]", size.c_type(), src.num(), imm.unsigned_abs())
        }
        Insn::Ja { off, long: false } => format!("goto {off:+}"),
        Insn::Ja { off, long: true } => format!("gotol {off:+}"),
        Insn::Jump { width, cond, dst, src: s, off } => {
            format!("if {} {} {} goto {off:+}", r(dst, width), cond_op(cond), src(s, width))
        }
        Insn::Call(t) => call(t),
        Insn::CallX { reg } => format!("callx r{}", reg.num()),
        Insn::Exit => "exit".to_string(),
        Insn::MayGoto { off } => format!("may_goto {off:+}"),
    }
}
