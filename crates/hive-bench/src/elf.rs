//! A minimal static linker for the suite's objects: one program section, the `.text`
//! subprograms it calls, legacy `maps` definitions and kfunc externs.
//!
//! This is the subset of libbpf's `bpf_object__relocate` the suite needs, kept here so the
//! benchmarks do not depend on the full loader (`hive-object`) while it is being written:
//!
//! - the program is the object's one executable section other than `.text`; if anything in
//!   it refers to `.text`, the whole of `.text` is appended after it, as libbpf appends
//!   subprograms;
//! - `call` relocations against a `.text` function become relative bpf-to-bpf calls
//!   (`src = 1`), against an undefined symbol kfunc calls whose BTF id is filled in per
//!   engine ([`Linked::kfuncs`]);
//! - `lddw` relocations against the `maps` section become map references
//!   ([`Linked::map_refs`]), against `.text` function addresses (`BPF_PSEUDO_FUNC`, `src =
//!   4`, for `bpf_loop` callbacks);
//! - any other data relocation (`.rodata`, `.data`, `.bss`) is refused: the suite's
//!   programs keep their constants in instructions.

use hive_isa::RawInsn;
use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget};

/// `struct bench_map_def` in `bench/progs/bench.h`: five `u32`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MapDef {
    /// `enum bpf_map_type`.
    pub map_type: u32,
    /// Key size in bytes.
    pub key_size: u32,
    /// Value size in bytes.
    pub value_size: u32,
    /// Capacity.
    pub max_entries: u32,
    /// `BPF_F_*` flags.
    pub map_flags: u32,
}

const MAP_DEF_SIZE: usize = 20;

/// A linked program: instructions plus the references each engine must resolve.
#[derive(Clone, Debug)]
pub struct Linked {
    /// The program section's name (`xdp`).
    pub section: String,
    /// The entry function's name.
    pub name: String,
    /// Instructions: the program, then `.text` if it is used.
    pub insns: Vec<RawInsn>,
    /// Map definitions, in `maps` section order.
    pub maps: Vec<MapDef>,
    /// `(slot of an lddw, index into maps)`.
    pub map_refs: Vec<(usize, usize)>,
    /// `(slot of a call, kfunc name)`.
    pub kfuncs: Vec<(usize, String)>,
}

impl Linked {
    /// Helper ids called (`call N`, `src = 0`), deduplicated and sorted.
    pub fn helper_ids(&self) -> Vec<i32> {
        let mut ids: Vec<i32> = self.insns.iter().filter(|i| i.code == 0x85 && i.src == 0).map(|i| i.imm).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Whether the program has bpf-to-bpf calls.
    pub fn has_subprograms(&self) -> bool {
        self.insns.iter().any(|i| i.code == 0x85 && i.src == 1)
    }

    /// Whether the program uses `may_goto` (`can_loop`).
    pub fn has_may_goto(&self) -> bool {
        self.insns.iter().any(|i| i.code == 0xe5)
    }

    /// Whether any instruction needs `-mcpu=v4` (sign-extending moves and loads, signed
    /// division, unconditional byte swaps, `gotol`).
    pub fn uses_v4(&self) -> bool {
        self.insns.iter().any(|i| {
            let (class, op) = (i.code & 7, i.code & 0xf0);
            let alu = class == 4 || class == 7;
            (alu && op == 0xb0 && i.code & 8 != 0 && i.off != 0) // movsx
                || (alu && matches!(op, 0x30 | 0x90) && i.off == 1) // sdiv, smod
                || i.code == 0xd7 // bswap
                || (class == 1 && i.code & 0xe0 == 0x80) // ldsx
                || i.code == 0x06 // gotol
        })
    }
}

fn fail(program: &str, message: impl std::fmt::Display) -> crate::BenchError {
    crate::BenchError::object(program, message)
}

/// Links `elf` (the object of `program`, for messages).
pub fn link(program: &str, elf: &[u8]) -> Result<Linked, crate::BenchError> {
    let file = object::File::parse(elf).map_err(|e| fail(program, e))?;
    let exec = |s: &object::Section<'_, '_>| s.kind() == object::SectionKind::Text && s.size() > 0;
    let prog = file
        .sections()
        .find(|s| exec(s) && s.name() != Ok(".text"))
        .ok_or_else(|| fail(program, "no program section"))?;
    let text = file.section_by_name(".text").filter(exec);
    let maps_sec = file.section_by_name("maps");

    let raw = |s: &object::Section<'_, '_>| -> Result<Vec<RawInsn>, crate::BenchError> {
        let data = s.data().map_err(|e| fail(program, e))?;
        RawInsn::slice_from_bytes(data).ok_or_else(|| fail(program, "section size is not a multiple of 8"))
    };
    let mut insns = raw(&prog)?;
    let prog_len = insns.len();
    let text_insns = match &text {
        Some(t) => raw(t)?,
        None => Vec::new(),
    };
    let name = file
        .symbols()
        .find(|s| s.section_index() == Some(prog.index()) && s.kind() == object::SymbolKind::Text && s.address() == 0)
        .and_then(|s| s.name().ok().map(str::to_string))
        .unwrap_or_else(|| program.to_string());

    let mut maps = Vec::new();
    if let Some(m) = &maps_sec {
        let data = m.data().map_err(|e| fail(program, e))?;
        for chunk in data.chunks_exact(MAP_DEF_SIZE) {
            let w = |i: usize| u32::from_le_bytes(chunk[i * 4..i * 4 + 4].try_into().expect("4 bytes"));
            maps.push(MapDef { map_type: w(0), key_size: w(1), value_size: w(2), max_entries: w(3), map_flags: w(4) });
        }
    }

    let text_index = text.as_ref().map(|t| t.index());
    let maps_index = maps_sec.as_ref().map(|m| m.index());
    let mut uses_text = false;
    let mut map_refs = Vec::new();
    let mut kfuncs = Vec::new();
    // Relocations of the program section (base 0), then of .text (base prog_len).
    let mut pending: Vec<(usize, object::Relocation)> =
        prog.relocations().map(|(off, r)| (off as usize / 8, r)).collect();
    if let Some(t) = &text {
        pending.extend(t.relocations().map(|(off, r)| (prog_len + off as usize / 8, r)));
    }
    insns.extend_from_slice(&text_insns);
    let mut patches: Vec<(usize, RawInsn)> = Vec::new();
    for (slot, reloc) in pending {
        let RelocationTarget::Symbol(sym_index) = reloc.target() else {
            return Err(fail(program, format!("relocation at slot {slot} has no symbol")));
        };
        let sym = file.symbol_by_index(sym_index).map_err(|e| fail(program, e))?;
        let sym_name = sym.name().unwrap_or("?").to_string();
        let Some(&insn) = insns.get(slot) else {
            return Err(fail(program, format!("relocation at slot {slot} is outside the code")));
        };
        match insn.code {
            0x85 if sym.is_undefined() => kfuncs.push((slot, sym_name)),
            0x85 if sym.section_index() == text_index && text_index.is_some() => {
                // libbpf: target = st_value / 8 + imm + 1 (imm is -1 for a function symbol).
                let target = prog_len as i64 + sym.address() as i64 / 8 + i64::from(insn.imm) + 1;
                let imm = i32::try_from(target - slot as i64 - 1).map_err(|e| fail(program, e))?;
                patches.push((slot, RawInsn { src: 1, imm, ..insn }));
                uses_text = true;
            }
            0x18 if sym.section_index() == maps_index && maps_index.is_some() => {
                let idx = sym.address() as usize / MAP_DEF_SIZE;
                if idx >= maps.len() {
                    return Err(fail(program, format!("map symbol {sym_name} outside the maps section")));
                }
                map_refs.push((slot, idx));
            }
            0x18 if sym.section_index() == text_index && text_index.is_some() => {
                // A function address (callback): byte offset = st_value + imm.
                let target = prog_len as i64 + (sym.address() as i64 + i64::from(insn.imm)) / 8;
                let imm = i32::try_from(target - slot as i64 - 1).map_err(|e| fail(program, e))?;
                patches.push((slot, RawInsn { src: 4, imm, ..insn }));
                uses_text = true;
            }
            _ => {
                return Err(fail(program, format!("unsupported relocation at slot {slot} against {sym_name}")));
            }
        }
    }
    for (slot, insn) in patches {
        insns[slot] = insn;
    }
    if !uses_text {
        insns.truncate(prog_len);
        if kfuncs.iter().any(|&(s, _)| s >= prog_len) || map_refs.iter().any(|&(s, _)| s >= prog_len) {
            return Err(fail(program, ".text refers to maps or kfuncs but is not called"));
        }
    }
    Ok(Linked { section: prog.name().unwrap_or("?").to_string(), name, insns, maps, map_refs, kfuncs })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(name: &str) -> &'static [u8] {
        crate::suite::SUITE.iter().find(|w| w.name == name).expect("in the suite").object
    }

    #[test]
    fn subprograms_are_appended_and_calls_made_relative() {
        let l = link("call_chain", object("call_chain")).unwrap();
        let calls: Vec<usize> =
            (0..l.insns.len()).filter(|&i| l.insns[i].code == 0x85 && l.insns[i].src == 1).collect();
        assert!(calls.len() >= 5, "five functions in the chain");
        for pc in calls {
            let target = pc as i64 + 1 + i64::from(l.insns[pc].imm);
            assert!((0..l.insns.len() as i64).contains(&target), "call at {pc} lands inside the program");
        }
    }

    #[test]
    fn callbacks_maps_and_kfuncs_are_recorded() {
        let l = link("bpf_loop", object("bpf_loop")).unwrap();
        let func = l.insns.iter().position(|i| i.code == 0x18 && i.src == 4).expect("lddw func");
        let target = func as i64 + 1 + i64::from(l.insns[func].imm);
        assert_eq!(l.insns[target as usize - 1].code, 0x95, "the callback starts right after an exit");
        assert_eq!(l.helper_ids(), vec![181]);

        let l = link("array_map", object("array_map")).unwrap();
        assert_eq!(l.maps, vec![MapDef { map_type: 2, key_size: 4, value_size: 8, max_entries: 256, map_flags: 0 }]);
        assert!(l.map_refs.iter().all(|&(slot, idx)| l.insns[slot].code == 0x18 && idx == 0));

        let l = link("fibonacci", object("fibonacci")).unwrap();
        let mut names: Vec<&str> = l.kfuncs.iter().map(|(_, n)| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names, ["bpf_iter_num_destroy", "bpf_iter_num_new", "bpf_iter_num_next"]);
        assert!(!l.uses_v4() && link("sext_v4", object("sext_v4")).unwrap().uses_v4());
    }
}
