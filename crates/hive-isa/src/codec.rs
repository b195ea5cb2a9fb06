//! Decoding slots into [`Insn`]s and encoding them back, both through the opcode table.

use crate::error::{DecodeErrorKind, EncodeError};
use crate::insn::Insn;
use crate::raw::RawInsn;
use crate::table::{self, Field, Fields, Form, Kind, Select, SourceKind};
use crate::types::*;

/// Finds the table row for a slot, explaining precisely when there is none.
pub fn lookup(raw: RawInsn) -> Result<&'static Form, DecodeErrorKind> {
    let mut candidates = table::forms_for_code(raw.code).peekable();
    let Some(first) = candidates.peek().copied() else {
        return Err(DecodeErrorKind::UnknownOpcode(raw.code));
    };
    let mut allowed = Vec::new();
    for form in candidates {
        let (hit, value) = match form.select {
            Select::None => return Ok(form),
            Select::Off(v) => (raw.off == v, v as i64),
            Select::Imm(v) => (raw.imm == v, v as i64),
            Select::Src(v) => (raw.src == v, v as i64),
        };
        if hit {
            return Ok(form);
        }
        allowed.push(value);
    }
    let (field, value) = match first.select {
        Select::Off(_) => ("off", raw.off as i64),
        Select::Imm(_) => ("imm", raw.imm as i64),
        _ => ("src", raw.src as i64),
    };
    if allowed == [0] {
        return Err(DecodeErrorKind::ReservedNonZero { mnemonic: first.mnemonic, code: raw.code, field, value });
    }
    Err(DecodeErrorKind::BadSelector { code: raw.code, field, value, allowed })
}

fn check_fields(form: &Form, raw: RawInsn) -> Result<(), DecodeErrorKind> {
    let Fields { dst, src, off, imm } = form.fields;
    for (role, name, value) in [
        (dst, "dst", raw.dst as i64),
        (src, "src", raw.src as i64),
        (off, "off", raw.off as i64),
        (imm, "imm", raw.imm as i64),
    ] {
        match role {
            Field::Zero if value != 0 => {
                return Err(DecodeErrorKind::ReservedNonZero { mnemonic: form.mnemonic, code: raw.code, field: name, value });
            }
            Field::Reg if value > 10 => return Err(DecodeErrorKind::BadRegister { field: name, value: value as u8 }),
            _ => {}
        }
    }
    Ok(())
}

fn reg(n: u8) -> Reg {
    Reg::new(n).expect("register checked against the form")
}

/// Decodes one instruction; `next` is the following slot, needed by `lddw`.
pub fn decode(raw: RawInsn, next: Option<RawInsn>) -> Result<Insn, DecodeErrorKind> {
    let form = lookup(raw)?;
    check_fields(form, raw)?;
    let source = |k: SourceKind| match k {
        SourceKind::Reg => Source::Reg(reg(raw.src)),
        SourceKind::Imm => Source::Imm(raw.imm),
    };
    let (dst, src, off, imm) = (reg(raw.dst), reg(raw.src), raw.off, raw.imm);
    Ok(match form.kind {
        Kind::Alu { width, op, source: k } => Insn::Alu { width, op, dst, src: source(k) },
        Kind::Neg { width } => Insn::Neg { width, dst },
        Kind::Endian { op, bits } => Insn::Endian { op, bits, dst },
        Kind::LdImm64 { pseudo } => {
            let next = next.ok_or(DecodeErrorKind::TruncatedLdImm64)?;
            for (field, value) in [
                ("opcode", next.code as i64),
                ("dst", next.dst as i64),
                ("src", next.src as i64),
                ("off", next.off as i64),
            ] {
                if value != 0 {
                    return Err(DecodeErrorKind::BadLdImm64Tail { field, value });
                }
            }
            Insn::LdImm64 { dst, pseudo, imm, next_imm: next.imm }
        }
        Kind::Load { size, signed } => Insn::Load { size, signed, dst, src, off },
        Kind::Store { size, source: k } => Insn::Store { size, dst, off, src: source(k) },
        Kind::Atomic { size, op } => Insn::Atomic { size, op, dst, src, off },
        Kind::LoadPacket { mode, size } => Insn::LoadPacket { mode, size, src, imm },
        Kind::Ja { long: false } => Insn::Ja { off: off as i32, long: false },
        Kind::Ja { long: true } => Insn::Ja { off: imm, long: true },
        Kind::Jump { width, cond, source: k } => Insn::Jump { width, cond, dst, src: source(k), off },
        Kind::CallHelper => Insn::Call(CallTarget::Helper(imm)),
        Kind::CallLocal => Insn::Call(CallTarget::Local(imm)),
        Kind::CallKfunc => Insn::Call(CallTarget::Kfunc { btf_id: imm, off }),
        Kind::CallX => Insn::CallX { reg: dst },
        Kind::Exit => Insn::Exit,
        Kind::MayGoto => Insn::MayGoto { off },
    })
}

/// The operand fields `(dst, src, off, imm)` of an instruction, before selectors are applied.
fn operands(insn: &Insn) -> Result<(Reg, Reg, i16, i32), EncodeError> {
    let r0 = Reg::R0;
    let src_fields = |s: Source| match s {
        Source::Reg(r) => (r, 0),
        Source::Imm(i) => (r0, i),
    };
    Ok(match *insn {
        Insn::Alu { dst, src, .. } => {
            let (s, i) = src_fields(src);
            (dst, s, 0, i)
        }
        Insn::Neg { dst, .. } | Insn::Endian { dst, .. } => (dst, r0, 0, 0),
        Insn::LdImm64 { dst, imm, .. } => (dst, r0, 0, imm),
        Insn::Load { dst, src, off, .. } => (dst, src, off, 0),
        Insn::Store { dst, off, src, .. } => {
            let (s, i) = src_fields(src);
            (dst, s, off, i)
        }
        Insn::Atomic { dst, src, off, .. } => (dst, src, off, 0),
        Insn::LoadPacket { src, imm, .. } => (r0, src, 0, imm),
        Insn::Ja { off, long: true } => (r0, r0, 0, off),
        Insn::Ja { off, long: false } => {
            let off = i16::try_from(off)
                .map_err(|_| EncodeError { reason: format!("ja offset {off} does not fit 16 bits (use gotol)") })?;
            (r0, r0, off, 0)
        }
        Insn::Jump { dst, src, off, .. } => {
            let (s, i) = src_fields(src);
            (dst, s, off, i)
        }
        Insn::Call(CallTarget::Helper(imm)) | Insn::Call(CallTarget::Local(imm)) => (r0, r0, 0, imm),
        Insn::Call(CallTarget::Kfunc { btf_id, off }) => (r0, r0, off, btf_id),
        Insn::CallX { reg } => (reg, r0, 0, 0),
        Insn::Exit => (r0, r0, 0, 0),
        Insn::MayGoto { off } => (r0, r0, off, 0),
    })
}

/// Encodes one instruction into one slot, or two for `lddw`.
pub fn encode(insn: &Insn, out: &mut Vec<RawInsn>) -> Result<(), EncodeError> {
    let kind = insn.kind();
    let form = table::form_of(kind).ok_or_else(|| EncodeError { reason: format!("no instruction form for {kind:?}") })?;
    let (dst, src, off, imm) = operands(insn)?;
    let mut raw = RawInsn::new(form.code, dst.num(), src.num(), off, imm);
    match form.select {
        Select::None => {}
        Select::Off(v) => raw.off = v,
        Select::Imm(v) => raw.imm = v,
        Select::Src(v) => raw.src = v,
    }
    out.push(raw);
    if let Insn::LdImm64 { next_imm, .. } = *insn {
        out.push(RawInsn::new(0, 0, 0, 0, next_imm));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_round_trips() {
        for form in table::forms() {
            let mut raw = RawInsn::new(form.code, 0, 0, 0, 0);
            let role = |f: Field, v: i64| match f {
                Field::Reg => 3,
                Field::Value => v,
                _ => 0,
            };
            raw.dst = role(form.fields.dst, 0) as u8;
            raw.src = role(form.fields.src, 0) as u8;
            raw.off = role(form.fields.off, -3) as i16;
            raw.imm = role(form.fields.imm, 0x1234) as i32;
            match form.select {
                Select::Off(v) => raw.off = v,
                Select::Imm(v) => raw.imm = v,
                Select::Src(v) => raw.src = v,
                Select::None => {}
            }
            let tail = RawInsn::new(0, 0, 0, 0, 77);
            let insn = decode(raw, Some(tail)).unwrap_or_else(|e| panic!("{form:?}: {e}"));
            assert_eq!(insn.kind(), form.kind);
            let mut out = Vec::new();
            encode(&insn, &mut out).unwrap();
            assert_eq!(out[0], raw, "{form:?}");
        }
    }

    #[test]
    fn precise_rejections() {
        let e = decode(RawInsn::new(0x07, 0, 0, 1, 1), None).unwrap_err();
        assert_eq!(e.to_string(), "reserved field off must be 0 in add (opcode 0x07), found 1");
        let e = decode(RawInsn::new(0x95, 0, 1, 0, 0), None).unwrap_err();
        assert!(e.to_string().contains("reserved field src must be 0 in exit"), "{e}");
        assert_eq!(decode(RawInsn::new(0xff, 0, 0, 0, 0), None).unwrap_err(), DecodeErrorKind::UnknownOpcode(0xff));
        assert_eq!(decode(RawInsn::new(0x18, 1, 0, 0, 0), None).unwrap_err(), DecodeErrorKind::TruncatedLdImm64);
        let e = decode(RawInsn::new(0xbf, 1, 2, 9, 0), None).unwrap_err();
        assert!(matches!(e, DecodeErrorKind::BadSelector { field: "off", value: 9, .. }), "{e}");
        let e = decode(RawInsn::new(0xbf, 11, 2, 0, 0), None).unwrap_err();
        assert_eq!(e, DecodeErrorKind::BadRegister { field: "dst", value: 11 });
    }
}
