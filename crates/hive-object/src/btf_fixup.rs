//! The object's BTF as the kernel will take it: libbpf's fix-ups of what `clang` leaves
//! unfinished (`btf_fixup_datasec`, and the extern handling of
//! `bpf_object__collect_externs`).
//!
//! - A `DATASEC` of size 0 gets its ELF section's size, and its variables their symbols'
//!   offsets; variables of hidden or internal visibility become `static`.
//! - `.kconfig` variables become allocated globals at their slot of the `.kconfig` map.
//! - `.ksyms` entries become 4-byte allocated slots: variables turn into `int`s, kfunc
//!   declarations into global `FUNC`s represented in the section by one `dummy_ksym`
//!   variable (and unnamed parameters borrow that name, as the kernel wants names).
//! - Every `DATASEC` lists its variables by offset.
//!
//! Records are patched in place and new records and strings are appended, so type ids and
//! string offsets (which func info and line info refer to) stay the file's.

use hive_btf::{Btf, Kind, TypeId, VarLinkage};
use object::elf::{STT_OBJECT, STV_HIDDEN, STV_INTERNAL};

use crate::elf::{Elf, SymSection};
use crate::error::ObjectError;
use crate::kconfig::KconfigLayout;

fn rd(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn wr(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

fn err(why: String) -> ObjectError {
    ObjectError::Btf(why)
}

/// The fixed-up BTF, as little-endian bytes.
pub(crate) fn finalize(btf: &Btf<'_>, elf: &Elf<'_>, kconfig: Option<&KconfigLayout>) -> Result<Vec<u8>, ObjectError> {
    let bytes = btf.as_bytes();
    let hdr_len = rd(bytes, 4) as usize;
    let (type_start, type_len) = (hdr_len + rd(bytes, 8) as usize, rd(bytes, 12) as usize);
    let (str_start, str_len) = (hdr_len + rd(bytes, 16) as usize, rd(bytes, 20) as usize);
    let mut types = bytes[type_start..type_start + type_len].to_vec();
    let mut strs = bytes[str_start..str_start + str_len].to_vec();
    // Where each type's record starts in `types` (index = id - 1).
    let mut offs = Vec::with_capacity(btf.type_count() as usize);
    let mut at = 0;
    while at + 12 <= types.len() {
        offs.push(at);
        let info = rd(&types, at + 4);
        let kind = Kind::from_raw(((info >> 24) & 0x1f) as u8).unwrap_or(Kind::Void);
        at += 12 + kind.extra_len((info & 0xffff) as u16);
    }
    let rec = |id: TypeId| offs[id.0 as usize - 1];
    let mut next_id = offs.len() as u32 + 1;
    let add_str = |strs: &mut Vec<u8>, s: &str| {
        let off = strs.len() as u32;
        strs.extend_from_slice(s.as_bytes());
        strs.push(0);
        off
    };

    for sec in btf.types().filter(|t| t.kind() == Kind::Datasec) {
        let name = sec.name();
        let r = rec(sec.id());
        let n = sec.vlen() as usize;
        let vsi = |i: usize| r + 12 + 12 * i;
        match name {
            ".kconfig" => {
                let Some(k) = kconfig else { continue };
                let mut end = 0;
                for i in 0..n {
                    let var = TypeId(rd(&types, vsi(i)));
                    let vname = btf.type_by_id(var).map_or("", |t| t.name());
                    let off =
                        *k.offsets.get(vname).ok_or_else(|| err(format!(".kconfig variable {vname} has no slot")))?;
                    wr(&mut types, rec(var) + 12, VarLinkage::GlobalAllocated.raw());
                    wr(&mut types, vsi(i) + 4, off);
                    end = end.max(off + rd(&types, vsi(i) + 8));
                }
                wr(&mut types, r + 8, end.max(k.size));
            }
            ".ksyms" => {
                let int = btf.types().find(|t| t.int().is_some_and(|i| i.bits == 32)).map(|t| t.id());
                let int = match int {
                    Some(id) => id,
                    None => {
                        let name_off = add_str(&mut strs, "int");
                        for w in [name_off, (Kind::Int as u32) << 24, 4, (1 << 24) | 32] {
                            types.extend_from_slice(&w.to_le_bytes());
                        }
                        next_id += 1;
                        TypeId(next_id - 1)
                    }
                };
                let has_func =
                    (0..n).any(|i| btf.type_by_id(TypeId(rd(&types, vsi(i)))).is_some_and(|t| t.kind() == Kind::Func));
                let dummy = if has_func {
                    let name_off = add_str(&mut strs, "dummy_ksym");
                    for w in [name_off, (Kind::Var as u32) << 24, int.0, VarLinkage::GlobalAllocated.raw()] {
                        types.extend_from_slice(&w.to_le_bytes());
                    }
                    next_id += 1;
                    Some((TypeId(next_id - 1), name_off))
                } else {
                    None
                };
                for i in 0..n {
                    let id = TypeId(rd(&types, vsi(i)));
                    let t = btf.type_by_id(id).ok_or_else(|| err(format!(".ksyms entry [{id}] dangles")))?;
                    match (t.kind(), dummy) {
                        (Kind::Func, Some((dummy, dummy_name))) => {
                            let proto = TypeId(t.size_or_type());
                            if let Some(p) = btf.type_by_id(proto).filter(|p| p.kind() == Kind::FuncProto) {
                                for (j, param) in p.params().enumerate() {
                                    if !param.ty.is_void() && param.name_off == 0 {
                                        wr(&mut types, rec(proto) + 12 + 8 * j, dummy_name);
                                    }
                                }
                            }
                            let info = rd(&types, rec(id) + 4);
                            wr(&mut types, rec(id) + 4, (info & !0xffff) | 1);
                            wr(&mut types, vsi(i), dummy.0);
                        }
                        (Kind::Var, _) => {
                            wr(&mut types, rec(id) + 8, int.0);
                            wr(&mut types, rec(id) + 12, VarLinkage::GlobalAllocated.raw());
                        }
                        (k, _) => return Err(err(format!(".ksyms entry [{id}] is a {k}"))),
                    }
                    wr(&mut types, vsi(i) + 4, 4 * i as u32);
                    wr(&mut types, vsi(i) + 8, 4);
                }
                wr(&mut types, r + 8, 4 * n as u32);
            }
            _ => {
                let fixup_offsets = sec.size_or_type() == 0;
                if fixup_offsets {
                    let size = elf.section_by_name(name).map_or(0, |s| s.size);
                    let size = u32::try_from(size).ok().filter(|&s| s > 0);
                    let size = size.ok_or_else(|| err(format!("DATASEC {name}: no ELF section gives its size")))?;
                    wr(&mut types, r + 8, size);
                }
                for i in 0..n {
                    let var = TypeId(rd(&types, vsi(i)));
                    let t = btf.type_by_id(var).filter(|t| t.kind() == Kind::Var);
                    let t = t.ok_or_else(|| err(format!("DATASEC {name}: entry [{var}] is not a VAR")))?;
                    if matches!(t.var_linkage(), Some(VarLinkage::Static | VarLinkage::GlobalExtern)) {
                        continue;
                    }
                    let sym = elf.symbols.iter().find(|s| {
                        s.st_type == STT_OBJECT
                            && s.is_global()
                            && s.name == t.name()
                            && matches!(s.section, SymSection::Index(_))
                    });
                    let sym = sym.ok_or_else(|| err(format!("DATASEC {name}: no symbol for variable {}", t.name())))?;
                    if fixup_offsets {
                        wr(&mut types, vsi(i) + 4, sym.value as u32);
                    }
                    if matches!(sym.visibility, STV_HIDDEN | STV_INTERNAL) {
                        wr(&mut types, rec(var) + 12, VarLinkage::Static.raw());
                    }
                }
            }
        }
        // Sort the entries by offset.
        let mut entries: Vec<[u32; 3]> = (0..n).map(|i| [0, 4, 8].map(|k| rd(&types, vsi(i) + k))).collect();
        entries.sort_by_key(|e| e[1]);
        for (i, e) in entries.iter().enumerate() {
            for (k, v) in e.iter().enumerate() {
                wr(&mut types, vsi(i) + 4 * k, *v);
            }
        }
    }

    let mut out = Vec::with_capacity(24 + types.len() + strs.len());
    out.extend_from_slice(&bytes[..4]);
    for w in [24u32, 0, types.len() as u32, types.len() as u32, strs.len() as u32] {
        out.extend_from_slice(&w.to_le_bytes());
    }
    out.extend_from_slice(&types);
    out.extend_from_slice(&strs);
    Ok(out)
}
