//! What a relocation computes for a spec (libbpf's `bpf_core_calc_*_relo`) and how the
//! instruction is rewritten (`bpf_core_patch_insn`, `bpf_core_poison_insn`).

use hive_btf::{CoreReloKind, Kind, TypeId};
use hive_isa::RawInsn;

use super::spec::{Spec, is_enumval, is_field, is_type};

/// The helper id of libbpf's poison call, `0xbad2310` ("bad relo").
pub const POISON_HELPER: i32 = 0x0bad_2310;

/// A relocation's outcome: the value compiled in (`orig`) and the one to write (`new`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Res {
    pub orig: u64,
    pub new: u64,
    pub poison: bool,
    /// Check that the instruction holds `orig` before rewriting.
    pub validate: bool,
    pub orig_sz: u32,
    pub new_sz: u32,
    pub orig_type: TypeId,
    pub new_type: TypeId,
    /// The field's size changed in a way a load/store cannot follow.
    pub fail_memsz_adjust: bool,
}

/// Computing a value for a missing target: poison the instruction (not an error).
enum Calc {
    Poison,
    Fail(String),
}

struct Field {
    val: u64,
    sz: u32,
    ty: TypeId,
    validate: bool,
}

fn field(kind: CoreReloKind, spec: Option<&Spec<'_>>) -> Result<Field, Calc> {
    if kind == CoreReloKind::FieldExists {
        return Ok(Field { val: u64::from(spec.is_some()), sz: 0, ty: TypeId::VOID, validate: true });
    }
    let spec = spec.ok_or(Calc::Poison)?;
    let btf = spec.btf;
    let acc = spec.accessors.last().ok_or_else(|| Calc::Fail("empty access".into()))?;
    let size = |id: TypeId| btf.resolve_size(id).map_err(|e| Calc::Fail(format!("cannot size [{id}]: {e}")));
    let Some(_) = acc.name else {
        // `a[n]`: only offsets and sizes make sense.
        let sz = size(acc.type_id)?;
        return match kind {
            CoreReloKind::FieldByteOffset => {
                Ok(Field { val: spec.bit_offset / 8, sz, ty: acc.type_id, validate: true })
            }
            CoreReloKind::FieldByteSize => Ok(Field { val: u64::from(sz), sz: 0, ty: TypeId::VOID, validate: true }),
            _ => Err(Calc::Fail(format!("{} cannot be applied to an array element", kind.name()))),
        };
    };
    let t = btf.type_by_id(acc.type_id).ok_or_else(|| Calc::Fail("dangling type".into()))?;
    let m = t.member(acc.idx as usize).ok_or_else(|| Calc::Fail("member vanished".into()))?;
    let mt = btf.skip_modifiers(m.ty).ok_or_else(|| Calc::Fail("dangling member type".into()))?;
    let bit_off = spec.bit_offset;
    let mut bit_sz = u64::from(m.bitfield_size);
    let bitfield = bit_sz > 0;
    let (byte_off, byte_sz) = if bitfield {
        let mut byte_sz = u64::from(mt.size_or_type()).max(1);
        let mut byte_off = bit_off / 8 / byte_sz * byte_sz;
        while bit_off - byte_off * 8 + bit_sz > byte_sz * 8 {
            if byte_sz >= 8 {
                return Err(Calc::Fail("the bitfield cannot be read with a 64-bit load".into()));
            }
            byte_sz *= 2;
            byte_off = bit_off / 8 / byte_sz * byte_sz;
        }
        (byte_off, byte_sz)
    } else {
        let sz = u64::from(size(mt.id())?);
        bit_sz = sz * 8;
        (bit_off / 8, sz)
    };
    let mut f = Field { val: 0, sz: 0, ty: TypeId::VOID, validate: !bitfield };
    match kind {
        CoreReloKind::FieldByteOffset => {
            f.val = byte_off;
            if !bitfield {
                (f.sz, f.ty) = (byte_sz as u32, mt.id());
            }
        }
        CoreReloKind::FieldByteSize => f.val = byte_sz,
        CoreReloKind::FieldSigned => {
            let signed = (mt.kind().is_enum() && mt.kflag()) || mt.int().is_some_and(|i| i.is_signed());
            f.val = u64::from(signed);
            f.validate = true;
        }
        CoreReloKind::FieldLshiftU64 => f.val = 64u64.wrapping_sub(bit_off - byte_off * 8 + bit_sz),
        CoreReloKind::FieldRshiftU64 => {
            f.val = 64u64.wrapping_sub(bit_sz);
            f.validate = true;
        }
        _ => return Err(Calc::Fail(format!("{} is not a field relocation", kind.name()))),
    }
    Ok(f)
}

fn type_val(kind: CoreReloKind, spec: Option<&Spec<'_>>) -> Result<(u64, bool), Calc> {
    let Some(spec) = spec else { return Ok((0, true)) };
    match kind {
        CoreReloKind::TypeIdTarget => Ok((u64::from(spec.root.0), false)),
        CoreReloKind::TypeExists | CoreReloKind::TypeMatches => Ok((1, true)),
        CoreReloKind::TypeSize => {
            let sz = spec
                .btf
                .resolve_size(spec.root)
                .map_err(|e| Calc::Fail(format!("cannot size [{}]: {e}", spec.root)))?;
            Ok((u64::from(sz), true))
        }
        _ => Err(Calc::Fail(format!("{} is not a type relocation", kind.name()))),
    }
}

fn enum_val(kind: CoreReloKind, spec: Option<&Spec<'_>>) -> Result<u64, Calc> {
    match kind {
        CoreReloKind::EnumvalExists => Ok(u64::from(spec.is_some())),
        CoreReloKind::EnumvalValue => {
            let spec = spec.ok_or(Calc::Poison)?;
            let acc = &spec.accessors[0];
            let t = spec.btf.type_by_id(acc.type_id).ok_or_else(|| Calc::Fail("dangling enum".into()))?;
            let v = t.enum_values().nth(acc.idx as usize).ok_or_else(|| Calc::Fail("enumerator vanished".into()))?;
            // libbpf reads a 32-bit enumerator as `__s32`, so it is sign-extended.
            Ok(if v.is64 { v.bits } else { v.bits as u32 as i32 as i64 as u64 })
        }
        _ => Err(Calc::Fail(format!("{} is not an enum relocation", kind.name()))),
    }
}

/// libbpf's `bpf_core_calc_relo`: the local value and the target's (`None`: no candidate).
pub(crate) fn calc(local: &Spec<'_>, targ: Option<&Spec<'_>>) -> Result<Res, String> {
    let kind = local.kind;
    let mut res = Res { validate: true, ..Res::default() };
    let out = if is_field(kind) {
        field(kind, Some(local)).and_then(|l| {
            let t = field(kind, targ)?;
            (res.orig, res.orig_sz, res.orig_type, res.validate) = (l.val, l.sz, l.ty, l.validate);
            (res.new, res.new_sz, res.new_type) = (t.val, t.sz, t.ty);
            if res.orig_sz != res.new_sz {
                let (lb, tb) = (local.btf, targ.map(|t| t.btf));
                let ot = lb.type_by_id(res.orig_type);
                let nt = tb.and_then(|b| b.type_by_id(res.new_type));
                let ok = match (ot, nt) {
                    (Some(o), Some(n)) if o.kind() == Kind::Ptr && n.kind() == Kind::Ptr => true,
                    (Some(o), Some(n)) => {
                        let unsigned = |t: &hive_btf::Type<'_>| t.int().is_some_and(|i| !i.is_signed());
                        unsigned(&o) && unsigned(&n)
                    }
                    _ => false,
                };
                res.fail_memsz_adjust = !ok;
            }
            Ok(())
        })
    } else if is_type(kind) {
        type_val(kind, Some(local)).and_then(|(o, v)| {
            (res.orig, res.validate) = (o, v);
            res.new = type_val(kind, targ)?.0;
            Ok(())
        })
    } else if is_enumval(kind) {
        enum_val(kind, Some(local)).and_then(|o| {
            res.orig = o;
            res.new = enum_val(kind, targ)?;
            Ok(())
        })
    } else {
        Err(Calc::Fail(format!("relocation kind {} is not supported", kind.name())))
    };
    match out {
        Ok(()) => Ok(res),
        Err(Calc::Poison) => Ok(Res { poison: true, ..res }),
        Err(Calc::Fail(why)) => Err(why),
    }
}

fn poison(i: &mut RawInsn) {
    *i = RawInsn::new(0x85, 0, 0, 0, POISON_HELPER);
}

/// Size bits of a load/store and the byte count they mean.
const SIZES: [(u8, u32); 4] = [(0x10, 1), (0x08, 2), (0x00, 4), (0x18, 8)];

/// Rewrites slot `at` per `res` (libbpf's `bpf_core_patch_insn`). `Ok(true)`: poisoned.
pub(crate) fn patch(insns: &mut [RawInsn], at: usize, res: &Res) -> Result<bool, String> {
    let i = insns[at];
    let is_lddw = i.code == 0x18 && at + 1 < insns.len();
    let do_poison = |insns: &mut [RawInsn]| {
        if is_lddw {
            poison(&mut insns[at + 1]);
        }
        poison(&mut insns[at]);
        Ok(true)
    };
    if res.poison {
        return do_poison(insns);
    }
    let (orig, new) = (res.orig, res.new);
    match i.code & 0x07 {
        0x04 | 0x07 => {
            if i.code & 0x08 != 0 {
                return Err(format!("insn {at}: ALU instruction with a register source cannot be relocated"));
            }
            if res.validate && i.imm as i64 as u64 != orig {
                return Err(format!("insn {at} (ALU) holds {}, but the local type gives {orig} (-> {new})", i.imm));
            }
            if i32::try_from(new as i64).is_err() && u32::try_from(new).is_err() {
                return Err(format!("insn {at} (ALU): new value {new} does not fit in 32 bits"));
            }
            insns[at].imm = new as i32;
        }
        0x01..=0x03 => {
            if res.validate && i.off as i64 as u64 != orig {
                return Err(format!(
                    "insn {at} (LDX/ST/STX) has offset {}, but the local type gives {orig} (-> {new})",
                    i.off
                ));
            }
            if new > i16::MAX as u64 {
                return Err(format!("insn {at} (LDX/ST/STX): offset {new} is too big"));
            }
            if res.fail_memsz_adjust {
                return do_poison(insns);
            }
            insns[at].off = new as i16;
            if res.new_sz != res.orig_sz {
                let cur = SIZES.iter().find(|(c, _)| i.code & 0x18 == *c).map_or(0, |s| s.1);
                if cur != res.orig_sz {
                    return Err(format!("insn {at} (LDX/ST/STX) accesses {cur} bytes, expected {}", res.orig_sz));
                }
                let bits = SIZES.iter().find(|s| s.1 == res.new_sz).map(|s| s.0);
                let bits =
                    bits.ok_or_else(|| format!("insn {at} (LDX/ST/STX): no access size of {} bytes", res.new_sz))?;
                insns[at].code = (i.code & !0x18) | bits;
            }
        }
        0x00 => {
            let next = insns.get(at + 1).copied().unwrap_or_default();
            if !is_lddw || i.src != 0 || i.off != 0 || next.code != 0 || next.dst != 0 || next.src != 0 || next.off != 0
            {
                return Err(format!("insn {at} (LDIMM64) has an unexpected form"));
            }
            let imm = u64::from(i.imm as u32) | (u64::from(next.imm as u32) << 32);
            if res.validate && imm != orig {
                return Err(format!("insn {at} (LDIMM64) holds {imm}, but the local type gives {orig} (-> {new})"));
            }
            insns[at].imm = new as u32 as i32;
            insns[at + 1].imm = (new >> 32) as u32 as i32;
        }
        _ => return Err(format!("insn {at}: opcode {:#04x} cannot be relocated", i.code)),
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(orig: u64, new: u64) -> Res {
        Res { orig, new, validate: true, ..Res::default() }
    }

    #[test]
    fn alu_immediates_are_checked_then_rewritten() {
        let mut insns = [RawInsn::new(0xb7, 1, 0, 0, 4)]; // r1 = 4
        assert_eq!(patch(&mut insns, 0, &res(4, 8)), Ok(false));
        assert_eq!(insns[0].imm, 8);
        // The compiled-in value must be the local type's: otherwise it is an error.
        let e = patch(&mut insns, 0, &res(4, 12)).unwrap_err();
        assert!(e.contains("holds 8, but the local type gives 4"), "{e}");
    }

    #[test]
    fn loads_move_and_narrow() {
        // r0 = *(u32 *)(r1 + 4) on a field that moved to offset 2 and shrank to 2 bytes.
        let mut insns = [RawInsn::new(0x61, 0, 1, 4, 0)];
        let r = Res { orig_sz: 4, new_sz: 2, ..res(4, 2) };
        assert_eq!(patch(&mut insns, 0, &r), Ok(false));
        assert_eq!((insns[0].code, insns[0].off), (0x69, 2));
        // A signed field cannot be narrowed: poisoned instead.
        let mut insns = [RawInsn::new(0x61, 0, 1, 4, 0)];
        let r = Res { orig_sz: 4, new_sz: 2, fail_memsz_adjust: true, ..res(4, 2) };
        assert_eq!(patch(&mut insns, 0, &r), Ok(true));
        assert_eq!(insns[0], RawInsn::new(0x85, 0, 0, 0, POISON_HELPER));
    }

    #[test]
    fn lddw_is_rewritten_whole_or_poisoned_whole() {
        let mut insns = [RawInsn::new(0x18, 1, 0, 0, 1), RawInsn::new(0, 0, 0, 0, 2)];
        assert_eq!(patch(&mut insns, 0, &res(0x2_0000_0001, 0x3_0000_0005)), Ok(false));
        assert_eq!((insns[0].imm, insns[1].imm), (5, 3));
        assert_eq!(patch(&mut insns, 0, &Res { poison: true, ..Res::default() }), Ok(true));
        assert!(insns.iter().all(|i| i.imm == POISON_HELPER && i.code == 0x85));
    }
}
