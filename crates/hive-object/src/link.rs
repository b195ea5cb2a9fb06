//! Linking: one entry function plus copies of every function it calls or takes the address
//! of, as libbpf's `bpf_object__reloc_code` builds them.
//!
//! The entry function's instructions come first. Scanning them in order, the first call (or
//! `lddw rX, func`) into a function not yet placed appends a copy of that function at the end
//! and scans the copy at once, depth first, before going on; then the instruction's `imm`
//! becomes the distance from the next slot to the callee's copy. Each entry program gets its
//! own copies, so a subprogram may sit at different offsets in different programs.
//!
//! Calls are found by relocation (global functions, functions of other sections) or, for a
//! static function in the same section, by the call's own relative offset. Unlike libbpf,
//! callees need not live in `.text` (cilium/ebpf accepts this too): any function of any
//! program section may be called.
//!
//! Func info, line info, extern references, CO-RE poison marks and `TYPE_ID_LOCAL` marks
//! move with the function copies, so every record names a slot of the final program.

use hive_btf::TypeId;
use hive_isa::RawInsn;

use crate::error::ObjectError;
use crate::ksyms::ExternRef;
use crate::program::{FuncInfo, LineInfo, Poison, Subprogram};
use crate::relocate::{CALL, Edge, LDDW, PSEUDO_CALL, SectionRelocs};
use crate::sections::CodeSection;

/// Per code section: everything that is copied along with a function, by section slot.
#[derive(Debug, Default)]
pub(crate) struct SectionExtras {
    pub relocs: SectionRelocs,
    /// `(slot, FUNC type, name)`, sorted by slot.
    pub funcs: Vec<(usize, TypeId, String)>,
    /// Line info with section slots, sorted by slot.
    pub lines: Vec<LineInfo>,
    /// CO-RE poison marks with section slots.
    pub poisoned: Vec<Poison>,
    /// CO-RE failures, by slot.
    pub core_errors: Vec<(usize, ObjectError)>,
    /// Slots whose constant CO-RE set to a local type id (`TYPE_ID_LOCAL`), with that type
    /// in the object's BTF; [`crate::prog_btf`] renumbers them per program.
    pub local_type_ids: Vec<(usize, TypeId)>,
}

/// A linked program.
#[derive(Debug, Default)]
pub(crate) struct Linked {
    pub insns: Vec<RawInsn>,
    pub func_info: Vec<FuncInfo>,
    pub line_info: Vec<LineInfo>,
    pub externs: Vec<ExternRef>,
    pub poisoned: Vec<Poison>,
    pub subprograms: Vec<Subprogram>,
    /// `TYPE_ID_LOCAL` constants: (slot, object type id), sorted by slot.
    pub local_type_ids: Vec<(usize, TypeId)>,
}

/// One placed function copy.
struct Placed {
    code: usize,
    func: usize,
    start: usize,
}

fn link_err(program: &str, reason: String) -> ObjectError {
    ObjectError::Link { program: program.to_string(), reason }
}

/// Links the entry function `func` of code section `code`.
pub(crate) fn link(
    code_secs: &[CodeSection],
    extras: &[SectionExtras],
    code: usize,
    func: usize,
) -> Result<Linked, ObjectError> {
    let program = code_secs[code].funcs[func].name.clone();
    let mut out = Linked::default();
    let mut placed: Vec<Placed> = Vec::new();
    place(code_secs, extras, code, func, &mut out, &mut placed)?;
    // Depth-first scan: a stack of (placed index, next slot within the copy).
    let mut stack = vec![(0usize, 0usize)];
    while let Some(top) = stack.last_mut() {
        let (p, next) = *top;
        let Placed { code: ci, func: fi, start } = placed[p];
        let sec = &code_secs[ci];
        let f = &sec.funcs[fi];
        if next >= f.end - f.start {
            stack.pop();
            continue;
        }
        top.1 += 1;
        let slot = f.start + next;
        let raw = sec.insns[slot];
        let is_call = raw.code == CALL && raw.src == PSEUDO_CALL;
        let is_func_ref = raw.code == LDDW && raw.src == hive_isa::Pseudo::Func.src();
        if !is_call && !is_func_ref {
            continue;
        }
        let edge = match extras[ci].relocs.edges.get(&slot) {
            Some(e) => *e,
            None if is_call => {
                let t = slot as i64 + 1 + i64::from(raw.imm);
                let t = usize::try_from(t)
                    .map_err(|_| link_err(&program, format!("call at {}:{slot} lands before its section", sec.name)))?;
                Edge { code: ci, insn: t }
            }
            None => {
                return Err(link_err(&program, format!("lddw of a function at {}:{slot} has no relocation", sec.name)));
            }
        };
        let tsec = &code_secs[edge.code];
        let pos = start + (slot - f.start);
        let target_pos = if let Some(tf) = tsec.func_starting_at(edge.insn) {
            match placed.iter().position(|q| q.code == edge.code && q.func == tf) {
                Some(q) => placed[q].start,
                None => {
                    let q = placed.len();
                    place(code_secs, extras, edge.code, tf, &mut out, &mut placed)?;
                    stack.push((q, 0));
                    placed[q].start
                }
            }
        } else if edge.code == ci && (f.start..f.end).contains(&edge.insn) {
            // A jump-like call inside the same function (objects without function symbols).
            start + (edge.insn - f.start)
        } else {
            return Err(link_err(
                &program,
                format!(
                    "call at {}:{slot} targets slot {} of {}, which is not the start of a function",
                    sec.name, edge.insn, tsec.name
                ),
            ));
        };
        let imm = target_pos as i64 - (pos as i64 + 1);
        out.insns[pos].imm = i32::try_from(imm).map_err(|_| link_err(&program, "program too large".into()))?;
    }
    out.func_info.sort_by_key(|f| f.insn);
    out.line_info.sort_by_key(|l| l.insn);
    out.externs.sort_by_key(|e| e.insn);
    out.poisoned.sort_by_key(|p| p.insn);
    out.local_type_ids.sort_by_key(|l| l.0);
    Ok(out)
}

/// Appends a copy of one function with everything attached to its slots.
fn place(
    code_secs: &[CodeSection],
    extras: &[SectionExtras],
    code: usize,
    func: usize,
    out: &mut Linked,
    placed: &mut Vec<Placed>,
) -> Result<(), ObjectError> {
    let sec = &code_secs[code];
    let f = &sec.funcs[func];
    let x = &extras[code];
    let range = f.start..f.end;
    if let Some((_, e)) = x.relocs.errors.iter().chain(&x.core_errors).find(|(s, _)| range.contains(s)) {
        return Err(e.clone());
    }
    let start = out.insns.len();
    let rebase = |slot: usize| start + (slot - f.start);
    out.insns.extend_from_slice(&sec.insns[range.clone()]);
    placed.push(Placed { code, func, start });
    out.subprograms.push(Subprogram { name: f.name.clone(), section: sec.name.clone(), start, len: range.len() });
    for (slot, ty, name) in x.funcs.iter().filter(|(s, ..)| range.contains(s)) {
        out.func_info.push(FuncInfo { insn: rebase(*slot), type_id: *ty, name: name.clone() });
    }
    for l in x.lines.iter().filter(|l| range.contains(&l.insn)) {
        out.line_info.push(LineInfo { insn: rebase(l.insn), ..l.clone() });
    }
    for e in x.relocs.externs.iter().filter(|e| range.contains(&e.insn)) {
        out.externs.push(ExternRef { insn: rebase(e.insn), ..e.clone() });
    }
    for p in x.poisoned.iter().filter(|p| range.contains(&p.insn)) {
        out.poisoned.push(Poison { insn: rebase(p.insn), ..p.clone() });
    }
    for &(slot, ty) in x.local_type_ids.iter().filter(|(s, _)| range.contains(s)) {
        out.local_type_ids.push((rebase(slot), ty));
    }
    Ok(())
}
