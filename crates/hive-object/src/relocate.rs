//! ELF relocations of program sections: map references, global data, externs, and the call
//! and function-address edges the linker follows.
//!
//! Each relocation names an instruction (byte offset in the section) and a symbol. What the
//! instruction becomes depends on where the symbol lives (libbpf's
//! `bpf_program__record_reloc` + `bpf_object__relocate_data`):
//!
//! | instruction | symbol in | result |
//! |---|---|---|
//! | `lddw` | `maps` / `.maps` | `Pseudo::MapIdx`, `imm` = map index |
//! | `lddw` | `.data*`, `.rodata*`, `.bss*` | `Pseudo::MapIdxValue`, `imm` = map index, second `imm` = symbol offset + original `imm` |
//! | `lddw` | undefined, `.kconfig` | `Pseudo::MapIdxValue` into the `.kconfig` map |
//! | `lddw` | undefined, `.ksyms` | `Pseudo::BtfId` (typed variable, kfunc address) or a plain 0 (typeless), plus an [`ExternRef`] |
//! | `lddw` | a program section | `Pseudo::Func`, resolved by the linker |
//! | `call` | a program section | a subprogram call, resolved by the linker |
//! | `call` | undefined, `.ksyms` | `CallTarget::Kfunc { btf_id: 0 }`, plus an [`ExternRef`] |
//! | `call` | undefined `bpf_<helper>` | `call <helper id>` ([`crate::builtins`]) |
//! | `call` | undefined `memset`, `memcpy`, `memmove`, `memcmp` | a call to Hive's built-in subprogram ([`crate::builtins`]) |
//!
//! Anything else is an error attributed to the instruction, so only programs that contain it
//! fail.

use std::collections::HashMap;

use hive_isa::Pseudo;

use crate::builtins;
use crate::elf::{Elf, SymSection};
use crate::error::{ObjectError, reloc_err};
use crate::kconfig::KconfigLayout;
use crate::ksyms::{Extern, ExternKind, ExternRef, Externs};
use crate::maps::MapTable;
use crate::sections::Layout;

/// `BPF_JMP | BPF_CALL`.
pub(crate) const CALL: u8 = 0x85;
/// `BPF_LD | BPF_IMM | BPF_DW`.
pub(crate) const LDDW: u8 = 0x18;
/// `src` of a bpf-to-bpf call.
pub(crate) const PSEUDO_CALL: u8 = 1;
/// `src` of a kfunc call.
pub(crate) const PSEUDO_KFUNC_CALL: u8 = 2;

/// Where a call or function reference goes: a slot of a code section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Edge {
    /// Index into [`Layout::code`].
    pub code: usize,
    /// Slot in that section.
    pub insn: usize,
}

/// What relocation found in one code section.
#[derive(Debug, Default)]
pub(crate) struct SectionRelocs {
    /// Relocated calls and `lddw rX, func`, by slot.
    pub edges: HashMap<usize, Edge>,
    /// Extern references (with section slots).
    pub externs: Vec<ExternRef>,
    /// Relocations that could not be applied, by slot.
    pub errors: Vec<(usize, ObjectError)>,
}

/// The `.kconfig` map and its layout, when the object has one.
pub(crate) struct Kconfig<'a> {
    pub map: usize,
    pub layout: &'a KconfigLayout,
}

/// Applies the relocations of every code section in place.
pub(crate) fn relocate(
    elf: &Elf<'_>,
    layout: &mut Layout,
    maps: &MapTable,
    externs: &Externs,
    kconfig: Option<Kconfig<'_>>,
) -> Vec<SectionRelocs> {
    let code_index: HashMap<usize, usize> = layout.code.iter().enumerate().map(|(i, c)| (c.index, i)).collect();
    let mut out = Vec::with_capacity(layout.code.len());
    for ci in 0..layout.code.len() {
        let mut rel = SectionRelocs::default();
        let sec_index = layout.code[ci].index;
        for r in elf.relocs_for(sec_index) {
            let c = &mut layout.code[ci];
            let insn = (r.offset / 8) as usize;
            if r.offset % 8 != 0 || insn >= c.insns.len() {
                rel.errors.push((
                    insn,
                    reloc_err(&c.name, insn, format!("relocation at byte {} is not an instruction", r.offset)),
                ));
                continue;
            }
            // The type is not checked (libbpf does not either: the instruction decides), but an
            // explicit RELA addend replaces the one kept in the instruction.
            if let (Some(a), Some(i)) = (r.addend, c.insns.get_mut(insn)) {
                i.imm = i32::try_from(a).unwrap_or(i32::MAX);
            }
            let ctx = Ctx { elf, maps, externs, kconfig: kconfig.as_ref(), code_index: &code_index };
            if let Err(e) = ctx.apply(c, insn, r.symbol, &mut rel) {
                rel.errors.push((insn, e));
            }
        }
        out.push(rel);
    }
    out
}

struct Ctx<'a, 'd> {
    elf: &'a Elf<'d>,
    maps: &'a MapTable,
    externs: &'a Externs,
    kconfig: Option<&'a Kconfig<'a>>,
    code_index: &'a HashMap<usize, usize>,
}

impl Ctx<'_, '_> {
    fn apply(
        &self,
        c: &mut crate::sections::CodeSection,
        insn: usize,
        symbol: usize,
        rel: &mut SectionRelocs,
    ) -> Result<(), ObjectError> {
        let sym = &self.elf.symbols[symbol];
        let err = |why: String| reloc_err(&c.name, insn, why);
        let raw = c.insns[insn];
        let sym_desc = if sym.name.is_empty() { format!("symbol #{symbol}") } else { sym.name.clone() };
        match raw.code {
            CALL => match sym.section {
                SymSection::Undefined => match self.externs.get(&sym.name) {
                    Ok(Extern::Kfunc { weak, func }) => {
                        let i = &mut c.insns[insn];
                        (i.src, i.imm, i.off) = (PSEUDO_KFUNC_CALL, 0, 0);
                        rel.externs.push(ExternRef {
                            insn,
                            name: sym.name.clone(),
                            kind: ExternKind::Kfunc,
                            weak: *weak,
                            btf_type_id: Some(*func),
                        });
                        Ok(())
                    }
                    Ok(_) => Err(err(format!("call to extern {sym_desc}, which is not a kfunc"))),
                    Err(e) => {
                        if let Some(id) = builtins::helper(&sym.name) {
                            let i = &mut c.insns[insn];
                            (i.src, i.imm, i.off) = (0, id.0 as i32, 0);
                            return Ok(());
                        }
                        let Some(start) = builtins::function_start(&sym.name) else {
                            return Err(match e {
                                ObjectError::Extern { .. } if self.externs.by_name.contains_key(&sym.name) => err(format!(
                                    "call to undefined function {sym_desc}: not a kfunc (no __ksym declaration), \
                                     not a kernel helper (bpf_<name>), not one of Hive's built-ins \
                                     (memset, memcpy, memmove, memcmp)"
                                )),
                                e => e,
                            });
                        };
                        let code = *self.code_index.get(&builtins::SECTION_INDEX).ok_or_else(|| {
                            err(format!("call to {sym_desc}: the built-in functions are not linked in"))
                        })?;
                        rel.edges.insert(insn, Edge { code, insn: start });
                        c.insns[insn].src = PSEUDO_CALL;
                        Ok(())
                    }
                },
                SymSection::Index(s) => {
                    let code = *self.code_index.get(&s).ok_or_else(|| {
                        err(format!("call to {sym_desc} in section {}, which holds no code", self.elf.sections[s].name))
                    })?;
                    let target = (sym.value / 8) as i64 + i64::from(raw.imm) + 1;
                    let target = usize::try_from(target)
                        .map_err(|_| err(format!("call to {sym_desc} lands before its section")))?;
                    rel.edges.insert(insn, Edge { code, insn: target });
                    c.insns[insn].src = PSEUDO_CALL;
                    Ok(())
                }
                SymSection::Special(_) => Err(err(format!("call to {sym_desc}, an absolute or common symbol"))),
            },
            LDDW => {
                if insn + 1 >= c.insns.len() {
                    return Err(err("lddw in the last slot of its section".into()));
                }
                self.apply_lddw(c, insn, sym, &sym_desc, rel)
            }
            code => {
                Err(err(format!("relocation against {sym_desc} on opcode {code:#04x}, which is neither lddw nor call")))
            }
        }
    }

    fn apply_lddw(
        &self,
        c: &mut crate::sections::CodeSection,
        insn: usize,
        sym: &crate::elf::Symbol,
        sym_desc: &str,
        rel: &mut SectionRelocs,
    ) -> Result<(), ObjectError> {
        let err = |why: String| reloc_err(&c.name, insn, why);
        let addend = i64::from(c.insns[insn].imm);
        let mut set = |pseudo: Pseudo, imm: i32, next: i32| {
            c.insns[insn].src = pseudo.src();
            c.insns[insn].imm = imm;
            c.insns[insn + 1].imm = next;
        };
        match sym.section {
            SymSection::Undefined => {
                let ext = self.externs.get(&sym.name)?;
                let (kind, weak, ty) = match ext {
                    Extern::Kconfig { .. } => {
                        let k = self.kconfig.ok_or_else(|| err(format!("{sym_desc}: no .kconfig map")))?;
                        let off = *k
                            .layout
                            .offsets
                            .get(&sym.name)
                            .ok_or_else(|| err(format!("{sym_desc}: not in the .kconfig map")))?;
                        set(Pseudo::MapIdxValue, k.map as i32, off as i32);
                        return Ok(());
                    }
                    Extern::Kfunc { weak, func } => {
                        set(Pseudo::BtfId, 0, 0);
                        (ExternKind::KfuncAddr, *weak, *func)
                    }
                    Extern::Var { weak, typed: true, type_id } => {
                        set(Pseudo::BtfId, 0, 0);
                        (ExternKind::TypedVar, *weak, *type_id)
                    }
                    Extern::Var { weak, typed: false, type_id } => {
                        set(Pseudo::None, 0, 0);
                        (ExternKind::Address, *weak, *type_id)
                    }
                };
                rel.externs.push(ExternRef { insn, name: sym.name.clone(), kind, weak, btf_type_id: Some(ty) });
                Ok(())
            }
            SymSection::Index(s) => {
                let name = &self.elf.sections[s].name;
                if let Some(&code) = self.code_index.get(&s) {
                    let at = (sym.value as i64).wrapping_add(addend);
                    if at < 0 || at % 8 != 0 {
                        return Err(err(format!("function reference {sym_desc}{addend:+} is not an instruction")));
                    }
                    rel.edges.insert(insn, Edge { code, insn: (at / 8) as usize });
                    set(Pseudo::Func, 0, 0);
                    return Ok(());
                }
                if let Some(map) = self.maps.data(s) {
                    let off = (sym.value as i64).wrapping_add(addend);
                    let off = i32::try_from(off).map_err(|_| err(format!("offset {off} into {name} does not fit")))?;
                    set(Pseudo::MapIdxValue, map as i32, off);
                    return Ok(());
                }
                if self.maps.is_map_section(s) {
                    let at = (sym.value as i64).wrapping_add(addend) as u64;
                    let map = self.maps.at(s, at).ok_or_else(|| {
                        err(format!("no map is defined at offset {at} of {name} ({sym_desc}; static map definitions have no symbol)"))
                    })?;
                    set(Pseudo::MapIdx, map as i32, 0);
                    return Ok(());
                }
                Err(err(format!("lddw of {sym_desc} in section {name}, which is neither code, maps nor global data")))
            }
            SymSection::Special(_) => Err(err(format!("lddw of {sym_desc}, an absolute or common symbol"))),
        }
    }
}
