//! uBPF syntax printer, driven by the mnemonics of the opcode table.

use hive_isa::{AtomicOp, CallTarget, Insn, PacketMode, Reg, Source, table};

use crate::pseudo;

fn mem(base: Reg, off: i16) -> String {
    match off {
        0 => format!("[%r{}]", base.num()),
        _ => format!("[%r{}{off:+}]", base.num()),
    }
}

fn src(s: Source) -> String {
    match s {
        Source::Reg(r) => format!("%r{}", r.num()),
        Source::Imm(i) => i.to_string(),
    }
}

/// Formats one instruction in uBPF syntax.
pub(crate) fn format(insn: &Insn) -> String {
    // Every kind an `Insn` can have is a row of the table (hive-isa tests this).
    let m = table::form_of(insn.kind()).map_or("<no form>", |f| f.mnemonic);
    match *insn {
        Insn::Alu { dst, src: s, .. } => format!("{m} %r{}, {}", dst.num(), src(s)),
        Insn::Neg { dst, .. } | Insn::Endian { dst, .. } => format!("{m} %r{}", dst.num()),
        Insn::LdImm64 { dst, pseudo, imm, next_imm } => match pseudo::format(pseudo, imm, next_imm) {
            Some(p) => format!("{m} %r{}, {p}", dst.num()),
            None => format!("{m} %r{}, {:#x}", dst.num(), Insn::imm64(imm, next_imm)),
        },
        Insn::Load { dst, src: base, off, .. } => format!("{m} %r{}, {}", dst.num(), mem(base, off)),
        Insn::Store { dst, off, src: s, .. } => format!("{m} {}, {}", mem(dst, off), src(s)),
        Insn::Atomic { op: AtomicOp::LoadAcquire, dst, src, off, .. } => {
            format!("{m} %r{}, {}", dst.num(), mem(src, off))
        }
        Insn::Atomic { dst, src, off, .. } => format!("{m} {}, %r{}", mem(dst, off), src.num()),
        Insn::LoadPacket { mode: PacketMode::Abs, imm, .. } => format!("{m} {imm}"),
        Insn::LoadPacket { mode: PacketMode::Ind, src, imm, .. } => format!("{m} %r{}, {imm}", src.num()),
        Insn::Ja { off, .. } => format!("{m} {off:+}"),
        Insn::Jump { dst, src: s, off, .. } => format!("{m} %r{}, {}, {off:+}", dst.num(), src(s)),
        Insn::Call(CallTarget::Helper(id)) => format!("{m} {id}"),
        Insn::Call(CallTarget::Local(d)) => format!("{m} {d:+}"),
        Insn::Call(CallTarget::Kfunc { btf_id, off: 0 }) => format!("{m} {btf_id}"),
        Insn::Call(CallTarget::Kfunc { btf_id, off }) => format!("{m} {btf_id}, {off}"),
        Insn::CallX { reg } => format!("{m} %r{}", reg.num()),
        Insn::Exit => m.to_string(),
        Insn::MayGoto { off } => format!("{m} {off:+}"),
    }
}
