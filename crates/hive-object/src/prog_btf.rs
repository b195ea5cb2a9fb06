//! Each program's own BTF ([`ProgramBtf`]), built once the program is linked.
//!
//! The roots are, in this order, the type of every `TYPE_ID_LOCAL` constant (by instruction)
//! and the `FUNC` of every func info record (by instruction), the order in which cilium/ebpf
//! adds them to its per-program BTF; `hive_btf::Btf::subset` takes them and everything they
//! refer to (and the decl tags on them), renumbered depth first from 1. (Functions first
//! would reproduce clang's own numbering for a one-function program, which emits types in
//! order of first use: local ids would then often equal the object's, and `relocs.c`'s
//! `target_and_local_id_dont_match` could not tell them apart.)
//! Line info strings (file names, source lines) go into the new string section. Then each
//! `TYPE_ID_LOCAL` constant is rewritten from the object's id to the program's.
//!
//! The kernel reads, from a program's BTF: the `FUNC`s and prototypes of its func info (a
//! global function is verified against its prototype, `arg:` decl tags included), the
//! `exception_callback:` decl tag and the callback's `FUNC`, the types local type ids name
//! (`bpf_obj_new`), and the line info strings. All of these are in.

use hive_btf::{Btf, TypeId};

use crate::error::ObjectError;
use crate::link::Linked;
use crate::program::{FuncInfo, LineInfo, ProgramBtf};

/// The program BTF of `linked` (`None` when it refers to no type), with its `TYPE_ID_LOCAL`
/// constants renumbered.
pub(crate) fn build(btf: &Btf<'_>, linked: &mut Linked, program: &str) -> Result<Option<ProgramBtf>, ObjectError> {
    let err = |reason: String| ObjectError::Link { program: program.to_string(), reason };
    let roots = linked.local_type_ids.iter().map(|l| l.1).chain(linked.func_info.iter().map(|f| f.type_id));
    let mut sub = btf.subset(roots).map_err(|e| err(format!("its BTF cannot be built: {e}")))?;
    if sub.is_empty() {
        return Ok(None);
    }
    let id = |sub: &hive_btf::Subset, old: TypeId| sub.id(old).expect("every root was taken");
    let func_info = linked.func_info.iter().map(|f| FuncInfo { type_id: id(&sub, f.type_id), ..f.clone() }).collect();
    let line_info = linked
        .line_info
        .iter()
        .map(|l| {
            let file_name_off = sub.add_str(btf.str_at(l.file_name_off).unwrap_or(&l.file));
            let line_off = sub.add_str(btf.str_at(l.line_off).unwrap_or(&l.text));
            LineInfo { file_name_off, line_off, ..l.clone() }
        })
        .collect();
    for &(slot, old) in &linked.local_type_ids {
        crate::core::renumber_local_type_id(&mut linked.insns, slot, old, id(&sub, old))
            .map_err(|e| err(format!("local type id of [{old}]: {e}")))?;
    }
    Ok(Some(ProgramBtf { bytes: sub.to_bytes(), func_info, line_info, type_ids: sub.ids().collect() }))
}
