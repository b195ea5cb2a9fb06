//! A listing of the `.BTF.ext` records: func info, line info with source, CO-RE relocations.

use std::fmt::Write as _;

use crate::{Btf, BtfExt};

/// One line per record, grouped as the sections list them:
/// `func SEC +OFF: NAME`, `line SEC +OFF: FILE:LINE:COL SOURCE`, `core SEC +OFF: KIND [ID] TYPE ACCESS`.
pub fn dump_ext(btf: &Btf<'_>, ext: &BtfExt<'_>) -> String {
    let mut out = String::new();
    for s in ext.func_info() {
        for f in s.records() {
            let name = btf.type_by_id(f.type_id).map_or("?", |t| t.name());
            let _ = writeln!(out, "func {} +{:#x}: {name}", s.name(btf).unwrap_or("?"), f.insn_off);
        }
    }
    for s in ext.line_info() {
        for l in s.records() {
            let file = l.file_name(btf).unwrap_or("?");
            let text = l.line_text(btf).unwrap_or("").trim();
            let _ = writeln!(out, "line {} +{:#x}: {file}:{}:{} {text}", s.name(btf).unwrap_or("?"), l.insn_off, l.line, l.col);
        }
    }
    for s in ext.core_relos() {
        for r in s.records() {
            let root = crate::c_decl(btf, r.type_id, "");
            let access = r.access_str(btf).unwrap_or("?");
            let _ = writeln!(
                out,
                "core {} +{:#x}: {} [{}] {root} {access}",
                s.name(btf).unwrap_or("?"),
                r.insn_off,
                r.kind.name(),
                r.type_id
            );
        }
    }
    out
}
