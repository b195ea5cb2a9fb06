//! bpftool's default BTF dump: one `[id] KIND 'name' fields...` line per type, members,
//! enumerators, parameters and DATASEC entries on tab-indented lines below it.
//!
//! `hive btf dump FILE` prints this; it matches `bpftool btf dump file FILE` line for line.

use crate::types::{FuncLinkage, Kind, Type, TypeId, VarLinkage};
use crate::Btf;
use std::fmt::Write;

fn quoted(btf: &Btf<'_>, off: u32) -> String {
    if off == 0 {
        return "(anon)".to_owned();
    }
    match btf.str_bytes_at(off) {
        Some(b) => String::from_utf8_lossy(b).into_owned(),
        None => "(invalid)".to_owned(),
    }
}

/// All of this BTF's own types (not the base's, for split BTF), in bpftool's raw format.
pub fn dump_raw(btf: &Btf<'_>) -> String {
    let mut out = String::new();
    for t in btf.types() {
        out.push_str(&format_type_raw(btf, t.id()));
        out.push('\n');
    }
    out
}

/// One type in bpftool's raw format, without the trailing newline.
pub fn format_type_raw(btf: &Btf<'_>, id: TypeId) -> String {
    let Some(t) = btf.type_by_id(id) else { return format!("[{}] <invalid type id>", id.0) };
    let mut s = format!("[{}] {} '{}'", id.0, t.kind().name(), quoted(btf, t.name_off()));
    write_details(btf, &t, &mut s);
    s
}

fn write_details(btf: &Btf<'_>, t: &Type<'_>, s: &mut String) {
    let st = t.size_or_type();
    match t.kind() {
        Kind::Void => {}
        Kind::Int => {
            let i = t.int().unwrap_or(crate::types::Int::from_raw(0));
            let enc = match i.encoding {
                0 => "(none)",
                1 => "SIGNED",
                2 => "CHAR",
                4 => "BOOL",
                _ => "UNKN",
            };
            let _ = write!(s, " size={st} bits_offset={} nr_bits={} encoding={enc}", i.offset, i.bits);
        }
        Kind::Ptr | Kind::Const | Kind::Volatile | Kind::Restrict | Kind::Typedef | Kind::TypeTag => {
            let _ = write!(s, " type_id={st}");
        }
        Kind::Array => {
            if let Some(a) = t.array() {
                let _ = write!(s, " type_id={} index_type_id={} nr_elems={}", a.elem_type.0, a.index_type.0, a.nelems);
            }
        }
        Kind::Struct | Kind::Union => {
            let _ = write!(s, " size={st} vlen={}", t.vlen());
            for m in t.members() {
                let _ = write!(s, "\n\t'{}' type_id={} bits_offset={}", quoted(btf, m.name_off), m.ty.0, m.bit_offset);
                if m.bitfield_size != 0 {
                    let _ = write!(s, " bitfield_size={}", m.bitfield_size);
                }
            }
        }
        Kind::Enum | Kind::Enum64 => {
            let enc = if t.kflag() { "SIGNED" } else { "UNSIGNED" };
            let _ = write!(s, " encoding={enc} size={st} vlen={}", t.vlen());
            for e in t.enum_values() {
                let name = quoted(btf, e.name_off);
                let _ = match (e.is64, e.signed) {
                    (false, false) => write!(s, "\n\t'{name}' val={}", e.bits as u32),
                    (false, true) => write!(s, "\n\t'{name}' val={}", e.bits as u32 as i32),
                    (true, false) => write!(s, "\n\t'{name}' val={}ULL", e.bits),
                    (true, true) => write!(s, "\n\t'{name}' val={}LL", e.bits as i64),
                };
            }
        }
        Kind::Fwd => {
            let _ = write!(s, " fwd_kind={}", if t.kflag() { "union" } else { "struct" });
        }
        Kind::Func => {
            let l = match FuncLinkage::from_raw(t.vlen()) {
                FuncLinkage::Static => "static",
                FuncLinkage::Global => "global",
                FuncLinkage::Extern => "extern",
                FuncLinkage::Unknown(_) => "(unknown)",
            };
            let _ = write!(s, " type_id={st} linkage={l}");
        }
        Kind::FuncProto => {
            let _ = write!(s, " ret_type_id={st} vlen={}", t.vlen());
            for p in t.params() {
                let _ = write!(s, "\n\t'{}' type_id={}", quoted(btf, p.name_off), p.ty.0);
            }
        }
        Kind::Var => {
            let l = match t.var_linkage().unwrap_or(VarLinkage::Static) {
                VarLinkage::Static => "static",
                VarLinkage::GlobalAllocated => "global",
                VarLinkage::GlobalExtern => "extern",
                VarLinkage::Unknown(_) => "(unknown)",
            };
            let _ = write!(s, " type_id={st}, linkage={l}");
        }
        Kind::Datasec => {
            let _ = write!(s, " size={st} vlen={}", t.vlen());
            for v in t.secinfos() {
                let _ = write!(s, "\n\ttype_id={} offset={} size={}", v.ty.0, v.offset, v.size);
                if let Some(vt) = btf.type_by_id(v.ty) {
                    let _ = write!(s, " ({} '{}')", vt.kind().name(), quoted(btf, vt.name_off()));
                }
            }
        }
        Kind::Float => {
            let _ = write!(s, " size={st}");
        }
        Kind::DeclTag => {
            let _ = write!(s, " type_id={st} component_idx={}", t.decl_tag_component().unwrap_or(-1));
        }
    }
}
